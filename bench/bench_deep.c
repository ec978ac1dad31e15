// Times chapter 7's network (chapters/chapter7_net.c, the code the chapter
// runs): one training epoch on the ten-class digits (1,438 training images,
// mini-batches of 32, SGD with momentum) and the full error-bounded check of
// every parameter on a batch of 4 (the chapter's 7.6). Prints
//   bench deep epoch images=I batch=B params=P epoch_us=T
//   bench deep check batch=4 params=P compared=C full_check_us=T evaluations=E maxrss_kb=M
// The fastest of a few repetitions counts (the least disturbed by the machine).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "dataset.h"
#include "gradcheck.h"
#include "options.h"

#include "chapter7_net.h"

#define REPS 3

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

typedef struct {
    Arch a;
    Acts t;
    double *theta, *grads, *vel, *scratch, *x;
    int y[MAX_BATCH], n;
} Bench;

static double loss(void *ctx, double *scale) {
    Bench *b = ctx;
    deep_forward(&b->t, &b->a, b->theta, b->x, b->n);
    return deep_loss(&b->t, scale, &b->a, b->theta, b->y, b->n, RIGHT);
}

static double epoch(Bench *b, const Dataset *d) {
    double t0 = now_us();
    for (int first = 0; first + 32 <= d->n; first += 32) {
        memcpy(b->x, d->x + (size_t)first * 64, 32 * 64 * sizeof(double));
        for (int k = 0; k < 32; k++) b->y[k] = (int)d->y[first + k];
        deep_forward(&b->t, &b->a, b->theta, b->x, 32);
        deep_loss(&b->t, NULL, &b->a, b->theta, b->y, 32, RIGHT);
        memset(b->grads, 0, (size_t)b->a.n_params * sizeof(double));
        deep_backward(b->grads, b->scratch, &b->t, &b->a, b->theta, b->x, b->y, 32, RIGHT);
        for (int k = 0; k < b->a.n_params; k++) b->vel[k] = 0.9 * b->vel[k] - 0.05 * b->grads[k], b->theta[k] += b->vel[k];
    }
    return now_us() - t0;
}

int main(void) {
    Dataset all, tr, te;
    char err[300];
    if (!dataset_load_csv_classes(&all, "data/digits-10.csv", 8, 8, 10, err, sizeof err)) {
        fprintf(stderr, "bench deep: %s\n", err);
        return 1;
    }
    if (!dataset_split(&tr, &te, &all, (int)(all.n * 0.2), 1)) return 1;
    Bench b = {.n = 4};
    arch_init(&b.a, 8, 16);
    acts_alloc(&b.t, &b.a);
    int np = b.a.n_params;
    b.theta = calloc(np, sizeof(double)), b.grads = calloc(np, sizeof(double)), b.vel = calloc(np, sizeof(double));
    b.scratch = calloc(deep_scratch_size(&b.t, MAX_BATCH), sizeof(double));
    b.x = calloc(MAX_BATCH * 64, sizeof(double));
    NumericalDerivative *num = calloc(np, sizeof *num);
    if (!b.theta || !b.grads || !b.vel || !b.scratch || !b.x || !num) return 1;
    arch_init_params(b.theta, &b.a, 1);
    double best = 1e30;
    for (int r = 0; r < REPS; r++) {
        double t = epoch(&b, &tr);
        best = t < best ? t : best;
    }
    printf("bench deep epoch images=%d batch=32 params=%d epoch_us=%.0f\n", tr.n, np, best);
    Rng rng = rng_make(5);
    for (int k = 0; k < 4 * 64; k++) b.x[k] = rng_uniform(&rng);
    for (int k = 0; k < 4; k++) b.y[k] = rng_below(&rng, 10);
    arch_init_params(b.theta, &b.a, 1);
    const int starts[] = {b.a.k1, b.a.b1, b.a.k2, b.a.b2, b.a.w, b.a.bd, np};
    int compared = 0, evals = 0;
    best = 1e30;
    for (int r = 0; r < REPS; r++) {
        double t0 = now_us();
        memset(b.grads, 0, np * sizeof(double));
        loss(&b, &(double){0});
        deep_backward(b.grads, b.scratch, &b.t, &b.a, b.theta, b.x, b.y, 4, RIGHT);
        Objective obj = {.whole = loss, .ctx = &b};
        compared = evals = 0;
        for (int k = 0; k < 6; k++) {
            int n = starts[k + 1] - starts[k];
            numerical_gradient_bounded(num + starts[k], b.theta + starts[k], n, &obj);
            compared += compare_bounded(b.grads + starts[k], num + starts[k], NULL, NULL, n, 1e-6).compared;
        }
        for (int k = 0; k < np; k++) evals += num[k].evaluations;
        double t = now_us() - t0;
        best = t < best ? t : best;
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bench deep check batch=4 params=%d compared=%d full_check_us=%.0f evaluations=%d maxrss_kb=%ld\n", np,
           compared, best, evals, ru.ru_maxrss);
    acts_free(&b.t);
    free(b.theta), free(b.grads), free(b.vel), free(b.scratch), free(b.x), free(num);
    dataset_free(&all), dataset_free(&tr), dataset_free(&te);
    return 0;
}
