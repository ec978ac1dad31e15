// Times chapter 6's network: the full gradient check, the activation-caching
// check, the directional check, one training step and one forward pass, for
// three sizes. Every figure is the median CPU time of one operation over
// samples that together last at least MIN_TOTAL_SECONDS; one thread, -O2.
//
// Prints, per size, exactly one line
//   bench input=HxW kernel=K channels=C params=P full_check_us=T1 directional_check_us=T2
//         train_step_us=T3 forward_us=T4
// and then lines with the ratios issue 9 sets targets for.
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "network.h"
#include "network_fast.h"
#include "rng.h"

// Issue 9: each figure is a median over repetitions lasting at least 0.2 s.
#define MIN_TOTAL_SECONDS 0.2
// One sample runs the operation often enough to last this long, so the
// clock's resolution and call overhead vanish from tiny operations.
#define MIN_SAMPLE_SECONDS 2e-3
#define MAX_SAMPLES 4001
// The targets of issue 9.
#define FULL_CHECK_TARGET 1.5
#define DIRECTIONAL_TARGET 4.0
// A small step so that thousands of repeated training steps keep the network
// in the same regime (the cost of a step does not depend on the values).
#define BENCH_LR 1e-4

// The network's buffers (b.a: the forward pass at θ that backward uses; b.a2:
// the checks' perturbed forward passes), the problem the checks see, and a
// sink the compiler cannot optimise away.
typedef struct {
    NetBuffers b;
    NetShape s;
    NetProblem prob;
    volatile double sink;
} Bench;

typedef void (*Op)(Bench *b);

// The thread's CPU time: other programs on a shared machine take the CPU
// away at random moments, and wall-clock medians would count that. On an
// idle machine it equals the wall-clock (CLOCK_MONOTONIC) time.
static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

// Repetitions of op that last at least MIN_SAMPLE_SECONDS together.
static long calibrate(Bench *b, Op op) {
    long reps = 1;
    for (;;) {
        double t0 = now_seconds();
        for (long r = 0; r < reps; r++) op(b);
        if (now_seconds() - t0 >= MIN_SAMPLE_SECONDS) return reps;
        reps *= 2;
    }
}

// Median seconds per call of each op. The ops' samples are interleaved, one
// of each per round, so that a change in the machine's load (other programs
// on a shared machine) hits every figure alike and the ratios stay fair.
static void time_ops(Bench *b, const Op *ops, int n_ops, double *median) {
    enum { MAX_OPS = 8 };
    long reps[MAX_OPS];
    double total[MAX_OPS] = {0};
    static double samples[MAX_OPS][MAX_SAMPLES];
    for (int k = 0; k < n_ops; k++) reps[k] = calibrate(b, ops[k]);
    int n = 0;
    for (bool enough = false; n < MAX_SAMPLES && (n < 5 || !enough); n++) {
        enough = true;
        for (int k = 0; k < n_ops; k++) {
            double t0 = now_seconds();
            for (long r = 0; r < reps[k]; r++) ops[k](b);
            double t = now_seconds() - t0;
            samples[k][n] = t / (double)reps[k];
            total[k] += t;
            enough = enough && total[k] >= MIN_TOTAL_SECONDS;
        }
    }
    for (int k = 0; k < n_ops; k++) {
        qsort(samples[k], (size_t)n, sizeof(double), cmp_double);
        median[k] = samples[k][n / 2];
    }
}

static void analytic(Bench *b) {
    memset(b->b.grads, 0, (size_t)b->s.n_params * sizeof(double));
    memset(b->b.dx, 0, (size_t)b->s.n_input * sizeof(double));
    net_fast_forward(&b->b.a, b->b.params, b->b.x, 1.0, &b->s);
    net_fast_backward(b->b.grads, b->b.dx, &b->b.a, b->b.params, b->b.x, 1.0, &b->s);
}

static void compare(Bench *b) {
    CheckSummary p = compare_gradients(b->b.grads, b->b.num, NULL, b->s.n_params, GRADCHECK_REL_TOL);
    CheckSummary x = compare_gradients(b->b.dx, b->b.num_x, NULL, b->s.n_input, GRADCHECK_REL_TOL);
    b->sink = p.max_rel_error + x.max_rel_error;
}

static void op_full_check(Bench *b) {
    analytic(b);
    net_fast_numerical_plain(b->b.num, b->b.num_x, &b->prob, GRADCHECK_H);
    compare(b);
}

static void op_cached_check(Bench *b) {
    analytic(b);
    net_fast_numerical_cached(b->b.num, b->b.num_x, &b->prob, GRADCHECK_H, b->b.cache, b->b.icache, NULL, NULL);
    compare(b);
}

// Two forward passes and one backward pass: the backward pass starts from the
// forward pass at θ that computed the loss (kept in b->a), as in a chapter.
static void op_directional(Bench *b) {
    memset(b->b.grads, 0, (size_t)b->s.n_params * sizeof(double));
    memset(b->b.dx, 0, (size_t)b->s.n_input * sizeof(double));
    net_fast_backward(b->b.grads, b->b.dx, &b->b.a, b->b.params, b->b.x, 1.0, &b->s);
    DirectionalResult r = net_fast_directional_check(&b->prob, b->b.grads, b->b.dx, 7, b->b.scratch);
    b->sink = r.rel_error;
}

// The same with that forward pass at θ counted too.
static void op_directional_with_forward(Bench *b) {
    net_fast_forward(&b->b.a, b->b.params, b->b.x, 1.0, &b->s);
    op_directional(b);
}

static void op_train_step(Bench *b) {
    memset(b->b.grads, 0, (size_t)b->s.n_params * sizeof(double));
    net_fast_forward(&b->b.a, b->b.params, b->b.x, 1.0, &b->s);
    net_fast_backward(b->b.grads, NULL, &b->b.a, b->b.params, b->b.x, 1.0, &b->s);
    net_sgd_step(b->b.params, b->b.grads, BENCH_LR, &b->s);
}

static void op_forward(Bench *b) { b->sink = net_fast_forward(&b->b.a, b->b.params, b->b.x, 1.0, &b->s); }

static void bench_init(Bench *b, int h, int w, int kernel, int channels, uint64_t seed) {
    memset(b, 0, sizeof *b);
    if (!net_shape_init(&b->s, h, w, channels, kernel) || !net_buffers_alloc(&b->b, &b->s)) {
        fprintf(stderr, "error: bad benchmark shape or out of memory\n");
        exit(2);
    }
    // Continuous random values: no two pooled candidates tie.
    Rng r = rng_make(seed);
    for (int k = 0; k < b->s.n_input; k++) b->b.x[k] = rng_uniform(&r);
    for (int k = 0; k < b->s.n_params; k++) b->b.params[k] = rng_range(&r, -0.5, 0.5);
    b->prob = (NetProblem){&b->s, b->b.params, b->b.x, 1.0, &b->b.a2};
}

int main(void) {
    static const struct {
        int h, w, k, c;
    } sizes[] = {{3, 4, 2, 1}, {8, 8, 3, 4}, {16, 16, 3, 8}};
    int n = ARRAY_LEN(sizes);
    double t1[3], t2[3], t4[3], tc[3], t2f[3];
    int P[3];
    bool all_ok = true;
    for (int i = 0; i < n; i++) {
        Bench b;
        bench_init(&b, sizes[i].h, sizes[i].w, sizes[i].k, sizes[i].c, 42 + (uint64_t)i);
        P[i] = net_checked_count(&b.s);
        // The caching check must reproduce the plain check bit for bit.
        net_fast_numerical_plain(b.b.num, b.b.num_x, &b.prob, GRADCHECK_H);
        net_fast_numerical_cached(b.b.num2, b.b.num_x2, &b.prob, GRADCHECK_H, b.b.cache, b.b.icache, NULL, NULL);
        bool same = memcmp(b.b.num, b.b.num2, (size_t)b.s.n_params * sizeof(double)) == 0 &&
                    memcmp(b.b.num_x, b.b.num_x2, (size_t)b.s.n_input * sizeof(double)) == 0;
        net_fast_forward(&b.b.a, b.b.params, b.b.x, 1.0, &b.s); // op_directional's backward starts from it
        // The training step moves the parameters a little; the others only
        // read them (the checks restore every entry exactly).
        const Op ops[] = {op_full_check, op_cached_check, op_directional, op_directional_with_forward,
                          op_train_step, op_forward};
        double m[6];
        time_ops(&b, ops, 6, m);
        t1[i] = m[0], tc[i] = m[1], t2[i] = m[2], t2f[i] = m[3], t4[i] = m[5];
        double t3 = m[4];
        printf("bench input=%dx%d kernel=%d channels=%d params=%d full_check_us=%.3f directional_check_us=%.3f "
               "train_step_us=%.3f forward_us=%.3f\n",
               sizes[i].h, sizes[i].w, sizes[i].k, sizes[i].c, P[i], 1e6 * t1[i], 1e6 * t2[i], 1e6 * t3,
               1e6 * t4[i]);
        printf("  cached check: %.3f us, numerical gradient bit-identical to the plain check: %s; "
               "directional check counting the forward pass at theta: %.3f us\n",
               1e6 * tc[i], same ? "yes" : "NO", 1e6 * t2f[i]);
        fflush(stdout);
        all_ok = all_ok && same;
        net_buffers_free(&b.b);
    }
    printf("\n");
    for (int i = 0; i < n; i++) {
        double full = t1[i] / (2.0 * P[i] * t4[i]), cached = tc[i] / (2.0 * P[i] * t4[i]), dir = t2[i] / t4[i];
        double dir_f = t2f[i] / t4[i];
        bool ok = full <= FULL_CHECK_TARGET && dir <= DIRECTIONAL_TARGET;
        all_ok = all_ok && ok;
        printf("ratio input=%dx%d full_check/(2P*forward)=%.3f (target <= %g) cached_check/(2P*forward)=%.3f "
               "directional_check/forward=%.2f (target <= %g; %.2f with the forward pass at theta) %s\n",
               sizes[i].h, sizes[i].w, full, FULL_CHECK_TARGET, cached, dir, DIRECTIONAL_TARGET, dir_f,
               ok ? "ok" : "MISSED");
    }
    printf("cached check for 16x16: %.3f x 2P forward passes, %.1fx faster than the plain check\n",
           tc[2] / (2.0 * P[2] * t4[2]), t1[2] / tc[2]);
    return all_ok ? 0 : 1;
}
