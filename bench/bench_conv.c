// Times the full gradient check of one convolution layer against its
// forward pass: every entry of X (N×N), K (3×3) and b checked by
// error-bounded local central differences (src/show/conv_check.h), for N = 128
// and N = 1024. Prints
//   bench conv input=NxN kernel=3x3 params=P full_check_us=T forward_us=F
// with P counting X, K and the bias. The target: the 1024×1024 check in at
// most 60 forward passes' time.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "conv.h"
#include "conv_check.h"
#include "rng.h"
#include "tensor.h"

// Forward passes timed; the fastest counts (the least disturbed by the rest
// of the machine).
#define FORWARD_REPS 5

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// Checks every entry of one block; returns how many failed to pass.
static int check_all(ConvObjective *ctx, double *param, const double *analytic, int n) {
    BoundedSummary s = conv_check_all_entries(ctx, param, analytic, n);
    return n - s.compared;
}

static void bench(int side) {
    ConvShape s;
    if (!conv_shape_init(&s, 1, side, side, 1, 3, 3, 1, 0, 0, 1)) exit(1);
    Tensor x = tensor_alloc(1, side, side), k = tensor_alloc(1, 3, 3), b = tensor_alloc(1, 1, 1);
    Tensor g = tensor_alloc(1, s.out_h, s.out_w), y = tensor_alloc_like(&g);
    Rng rng = rng_make(1);
    Tensor *fill[] = {&x, &k, &b, &g};
    for (int t = 0; t < 4; t++)
        for (size_t q = 0; q < tensor_size(fill[t]); q++) fill[t]->data[q] = rng_range(&rng, -1, 1);
    double forward = 1e300;
    for (int rep = 0; rep < FORWARD_REPS; rep++) {
        double t0 = now_us();
        conv_forward(y.data, x.data, k.data, b.data, &s);
        double t = now_us() - t0;
        if (t < forward) forward = t;
    }
    Tensor dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k), db = tensor_alloc_like(&b);
    conv_backward(dx.data, dk.data, db.data, g.data, x.data, k.data, &s);
    double t0 = now_us();
    ConvObjective cx = {&s, x.data, k.data, b.data, g.data, CONV_BLOCK_INPUT, 0};
    ConvObjective ck = {&s, x.data, k.data, b.data, g.data, CONV_BLOCK_KERNEL, 0};
    ConvObjective cb = {&s, x.data, k.data, b.data, g.data, CONV_BLOCK_BIAS, 0};
    int undecided = check_all(&cx, x.data, dx.data, (int)tensor_size(&x)) + check_all(&ck, k.data, dk.data, 9) +
                    check_all(&cb, b.data, db.data, 1);
    double full = now_us() - t0;
    long params = (long)tensor_size(&x) + 9 + 1;
    printf("bench conv input=%dx%d kernel=3x3 params=%ld full_check_us=%.0f forward_us=%.0f\n", side, side, params,
           full, forward);
    if (undecided) fprintf(stderr, "bench conv: %d entries did not pass\n", undecided);
    Tensor *all[] = {&x, &k, &b, &g, &y, &dx, &dk, &db};
    for (int q = 0; q < 8; q++) tensor_free(all[q]);
}

int main(void) {
    bench(128);
    bench(1024);
    return 0;
}
