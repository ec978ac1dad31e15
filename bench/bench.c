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
#include <complex.h>
#include <string.h>
#include <time.h>

#include "arraylen.h"
#include "dense_generic.h"
#include "gradcheck.h"
#include "network.h"
#include "network_buffers.h"
#include "network_fast.h"
#include "network_local.h"
#include "pool_generic.h"
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
    NumericalDerivative *bounded; // n_params + n_input, for the bounded checks
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

// The bounded checker as the chapters use it, over every parameter and input
// entry: plain (whole-network loss, numerical_gradient_bounded), cached
// (chapter 6's local differences, network_local.c: each entry recomputes
// what it touches), and the bounded directional check.
static double whole_loss(void *ctx, double *scale) { return net_objective_whole(ctx, scale); }

static void op_bounded_plain(Bench *b) {
    Objective obj = {whole_loss, NULL, &b->prob};
    numerical_gradient_bounded(b->bounded, b->b.params, b->s.n_params, &obj);
    numerical_gradient_bounded(b->bounded + b->s.n_params, b->b.x, b->s.n_input, &obj);
    b->sink = b->bounded[0].value;
}

static void op_bounded_cached(Bench *b) {
    NetLocal l;
    if (!net_local_init(&l, &b->prob)) exit(2);
    NumericalDerivative *out = b->bounded;
    for (int blk = 0; blk < NET_BLOCK_COUNT; blk++) {
        int count;
        net_block_entries(&l, (NetBlock)blk, &count);
        net_local_gradient(out, &l, (NetBlock)blk, NULL);
        out += count;
    }
    net_local_free(&l);
    b->sink = b->bounded[0].value;
}

static void op_bounded_directional(Bench *b) {
    ParamBlock blocks[] = {{b->b.params, b->b.grads, b->s.n_params}, {b->b.x, b->b.dx, b->s.n_input}};
    Objective obj = {whole_loss, NULL, &b->prob};
    DirectionalBounded r = directional_check_bounded(blocks, 2, &obj, 7, GRADCHECK_REL_TOL, b->b.scratch);
    b->sink = r.numerical;
}

static int bounded_evaluations(const Bench *b) {
    int e = 0;
    for (int k = 0; k < b->s.n_params + b->s.n_input; k++) e += b->bounded[k].evaluations;
    return e;
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
    b->bounded = malloc((size_t)(b->s.n_params + b->s.n_input) * sizeof *b->bounded);
    if (!b->bounded) exit(2);
}

// The complex step's price: one complex forward pass against one real one,
// for chapter 3's dense layer with BCE (n outputs, m inputs) and chapter 4's
// max pooling (side², 2×2 windows, stride 2). The complex step spends two
// of them per entry it decides, and only on those entries.
enum { CS_N = 16, CS_M = 64, CS_SIDE = 64, CS_REPS = 2000 };

static double time_dense(bool complex_arith) {
    static double x[CS_M], W[CS_N * CS_M], b[CS_N], z[CS_N], y[CS_N];
    static double complex cx[CS_M], cW[CS_N * CS_M], cb[CS_N], cz[CS_N];
    Rng r = rng_make(3);
    for (int j = 0; j < CS_M; j++) cx[j] = x[j] = rng_range(&r, -1, 1);
    for (int e = 0; e < CS_N * CS_M; e++) cW[e] = W[e] = rng_range(&r, -1, 1);
    for (int i = 0; i < CS_N; i++) cb[i] = b[i] = rng_range(&r, -1, 1), y[i] = i % 2;
    cx[0] += 1e-10 * I;
    double best = INFINITY, mag, sink = 0.0;
    for (int round = 0; round < 5; round++) {
        double t0 = now_seconds();
        for (int rep = 0; rep < CS_REPS; rep++) {
            if (complex_arith) {
                dense_forward_complex(cz, cx, cW, cb, CS_N, CS_M);
                for (int i = 0; i < CS_N; i++) sink += cimag(bce_logits_complex(y[i], cz[i], &mag));
            } else {
                dense_forward_double(z, x, W, b, CS_N, CS_M);
                for (int i = 0; i < CS_N; i++) sink += bce_logits_double(y[i], z[i], &mag);
            }
        }
        best = fmin(best, (now_seconds() - t0) / CS_REPS);
    }
    return sink == 12345.0 ? 0.0 : best;
}

static double time_pool(bool complex_arith) {
    static double x[CS_SIDE * CS_SIDE], y[CS_SIDE * CS_SIDE / 4];
    static double complex cx[CS_SIDE * CS_SIDE], cy[CS_SIDE * CS_SIDE / 4];
    PoolShape s;
    if (!pool_shape_init(&s, 1, CS_SIDE, CS_SIDE, 2, 2, 2)) exit(2);
    Rng r = rng_make(4);
    for (int k = 0; k < CS_SIDE * CS_SIDE; k++) cx[k] = x[k] = rng_uniform(&r);
    cx[0] += 1e-10 * I;
    double best = INFINITY, sink = 0.0;
    for (int round = 0; round < 5; round++) {
        double t0 = now_seconds();
        for (int rep = 0; rep < CS_REPS / 10; rep++) {
            if (complex_arith) maxpool_forward_complex(cy, cx, &s), sink += cimag(cy[0]);
            else maxpool_forward_double(y, x, &s), sink += y[0];
        }
        best = fmin(best, (now_seconds() - t0) / (CS_REPS / 10));
    }
    return sink == 12345.0 ? 0.0 : best;
}

static void complex_step_cost(void) {
    double dr = time_dense(false), dc = time_dense(true), pr = time_pool(false), pc = time_pool(true);
    printf("complex step: dense %dx%d + BCE forward %.3f us real, %.3f us complex (%.2fx); max pooling %dx%d "
           "%.3f us real, %.3f us complex (%.2fx); two complex passes per entry it decides\n",
           CS_N, CS_M, 1e6 * dr, 1e6 * dc, dc / dr, CS_SIDE, CS_SIDE, 1e6 * pr, 1e6 * pc, pc / pr);
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
               "train_step_us=%.3f forward_us=%.3f (checks: the old fixed-step rule, no verdict uses it)\n",
               sizes[i].h, sizes[i].w, sizes[i].k, sizes[i].c, P[i], 1e6 * t1[i], 1e6 * t2[i], 1e6 * t3,
               1e6 * t4[i]);
        printf("  cached check: %.3f us, numerical gradient bit-identical to the plain check: %s; "
               "directional check counting the forward pass at theta: %.3f us\n",
               1e6 * tc[i], same ? "yes" : "NO", 1e6 * t2f[i]);
        const Op bounded[] = {op_bounded_plain, op_bounded_cached, op_bounded_directional, op_forward};
        double bm[4];
        analytic(&b);
        time_ops(&b, bounded, 4, bm);
        op_bounded_plain(&b);
        int ev_plain = bounded_evaluations(&b);
        op_bounded_cached(&b);
        int ev_cached = bounded_evaluations(&b), all = b.s.n_params + b.s.n_input;
        printf("  bounded checker (the chapters' verdicts): plain %.3f us (%.2f x 2P forward passes, %.2f "
               "evaluations per entry), cached %.3f us (%.2f x 2P forward passes, %.2f evaluations per entry), "
               "directional %.3f us (%.2f forward passes)\n",
               1e6 * bm[0], bm[0] / (2.0 * all * bm[3]), (double)ev_plain / all, 1e6 * bm[1],
               bm[1] / (2.0 * all * bm[3]), (double)ev_cached / all, 1e6 * bm[2], bm[2] / bm[3]);
        fflush(stdout);
        all_ok = all_ok && same;
        free(b.bounded);
        net_buffers_free(&b.b);
    }
    printf("\n");
    for (int i = 0; i < n; i++) {
        double full = t1[i] / (2.0 * P[i] * t4[i]), cached = tc[i] / (2.0 * P[i] * t4[i]), dir = t2[i] / t4[i];
        double dir_f = t2f[i] / t4[i];
        bool ok = full <= FULL_CHECK_TARGET && dir <= DIRECTIONAL_TARGET;
        all_ok = all_ok && ok;
        printf("ratio (old fixed-step rule) input=%dx%d full_check/(2P*forward)=%.3f (target <= %g) cached_check/(2P*forward)=%.3f "
               "directional_check/forward=%.2f (target <= %g; %.2f with the forward pass at theta) %s\n",
               sizes[i].h, sizes[i].w, full, FULL_CHECK_TARGET, cached, dir, DIRECTIONAL_TARGET, dir_f,
               ok ? "ok" : "MISSED");
    }
    printf("cached check for 16x16: %.3f x 2P forward passes, %.1fx faster than the plain check\n",
           tc[2] / (2.0 * P[2] * t4[2]), t1[2] / tc[2]);
    complex_step_cost();
    return all_ok ? 0 : 1;
}
