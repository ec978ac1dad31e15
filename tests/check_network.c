// The chapter-6 network (src/layers/network.h), the reference: its forward and
// backward against the general layers composed by hand here, the running
// example worked by hand, the error-bounded full check passing and failing
// with a bug in any one layer, the tie mask, the buffers and training.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "conv.h"
#include "dataset.h"
#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "network.h"
#include "network_buffers.h"
#include "pool.h"
#include "rng.h"
#include "tensor.h"

// The composition here and net_forward/net_backward add the same products
// in the same order; a few ulps allowed in case a compiler contracts.
#define SAME_REL_TOL 1e-12
// The bounded check's relative tolerance: a correct gradient agrees to
// round-off, every test-made mistake is off by 1e-3 or far more.
#define CHECK_RTOL 1e-6

// ---------------------------------------------------------------- fixture

typedef struct {
    NetBuffers b;
    NetShape s;
    double *params, *grads, *x, *dx, *scratch;
    NetActs a;
    NetProblem prob;
} Fix;

typedef struct {
    int h, w, kernels, k;
} Size;

// Sizes with square and non-square images, K = 1 and several channels.
static const Size SIZES[] = {{3, 4, 1, 2}, {8, 8, 4, 3}, {16, 16, 8, 3}, {7, 9, 3, 2}, {5, 4, 2, 1}, {6, 6, 2, 5}};

static double *zeros(size_t n) {
    double *p = calloc(n ? n : 1, sizeof(double));
    ck_assert_ptr_nonnull(p);
    return p;
}

static void fix_init(Fix *f, Size z, uint64_t seed) {
    memset(f, 0, sizeof *f);
    ck_assert(net_shape_init(&f->s, z.h, z.w, z.kernels, z.k));
    ck_assert(net_buffers_alloc(&f->b, &f->s));
    f->params = f->b.params, f->grads = f->b.grads, f->x = f->b.x, f->dx = f->b.dx, f->scratch = f->b.scratch;
    f->a = f->b.a;
    Rng r = rng_make(seed);
    // Continuous values: no two cells of a pooling window tie, so no entry
    // sits on a kink of the max.
    for (int k = 0; k < f->s.n_input; k++) f->x[k] = rng_uniform(&r);
    for (int k = 0; k < f->s.n_params; k++) f->params[k] = rng_range(&r, -0.5, 0.5);
    f->prob = (NetProblem){&f->s, f->params, f->x, 1.0, &f->b.a2};
}

// The running example: X, K from chapter 1, conv bias 0, w = [0.05 −0.03], d = 0.1, y = 1.
static void fix_example(Fix *f) {
    Size z = {EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE};
    fix_init(f, z, 1);
    NetParams p;
    net_params_point(&p, f->params, &f->s);
    memcpy(p.kernel, EXAMPLE_K, sizeof EXAMPLE_K);
    p.conv_b[0] = 0.0;
    memcpy(p.dense_w, EXAMPLE_W, sizeof EXAMPLE_W);
    *p.dense_b = EXAMPLE_B;
    memcpy(f->x, EXAMPLE_X, sizeof EXAMPLE_X);
}

static void fix_free(Fix *f) { net_buffers_free(&f->b); }

static void analytic(Fix *f) {
    memset(f->grads, 0, (size_t)f->s.n_params * sizeof(double));
    memset(f->dx, 0, (size_t)f->s.n_input * sizeof(double));
    net_forward(&f->a, f->params, f->x, f->prob.y, &f->s);
    net_backward(f->grads, f->dx, &f->a, f->params, f->x, f->prob.y, &f->s);
}

static void assert_close(const double *a, const double *b, int n, const char *what) {
    for (int k = 0; k < n; k++)
        ck_assert_msg(relative_error(a[k], b[k]) <= SAME_REL_TOL || fabs(a[k] - b[k]) <= 1e-15,
                      "%s[%d]: %.17g vs %.17g", what, k, a[k], b[k]);
}

// ---------------------------------------------------------------- the layers by hand

typedef struct {
    double *conv, *pooled, *dconv, *dpooled, *grads, *dx;
    int *argmax;
    double z, loss;
} Composed;

// conv_forward → maxpool_forward → dense_forward → bce_loss_logits, then
// bce_grad_logits → dense_backward → maxpool_backward → conv_backward.
static Composed compose(const Fix *f) {
    const NetShape *s = &f->s;
    Composed c = {0};
    ConvShape cs;
    PoolShape ps;
    ck_assert(conv_shape_init(&cs, 1, s->in_h, s->in_w, s->kernels, s->k, s->k, 1, 0, 0, 1));
    ck_assert(pool_shape_init(&ps, s->kernels, cs.out_h, cs.out_w, 2, 2, 1));
    size_t conv_n = (size_t)s->kernels * cs.out_h * cs.out_w, flat = (size_t)s->kernels * ps.out_h * ps.out_w;
    ck_assert_int_eq((int)flat, s->flat);
    c.conv = zeros(conv_n), c.dconv = zeros(conv_n), c.pooled = zeros(flat), c.dpooled = zeros(flat);
    c.grads = zeros((size_t)s->n_params), c.dx = zeros((size_t)s->n_input);
    c.argmax = calloc(flat, sizeof(int));
    NetParams p, g;
    net_params_point(&p, f->params, s);
    net_params_point(&g, c.grads, s);
    double y = f->prob.y;
    conv_forward(c.conv, f->x, p.kernel, p.conv_b, &cs);
    maxpool_forward(c.pooled, c.argmax, c.conv, &ps);
    dense_forward(&c.z, c.pooled, p.dense_w, p.dense_b, 1, s->flat);
    c.loss = bce_loss_logits(&y, &c.z, 1);
    double dz;
    bce_grad_logits(&dz, &y, &c.z, 1);
    dense_backward(c.dpooled, g.dense_w, g.dense_b, &dz, c.pooled, p.dense_w, 1, s->flat);
    maxpool_backward(c.dconv, c.dpooled, c.argmax, &ps);
    conv_backward(c.dx, g.kernel, g.conv_b, c.dconv, f->x, p.kernel, &cs);
    return c;
}

static void composed_free(Composed *c) {
    free(c->conv), free(c->pooled), free(c->dconv), free(c->dpooled), free(c->grads), free(c->dx), free(c->argmax);
}

START_TEST(test_forward_matches_layers) {
    Fix f;
    fix_init(&f, SIZES[_i], 100 + (uint64_t)_i);
    double loss = net_forward(&f.a, f.params, f.x, 1.0, &f.s);
    Composed c = compose(&f);
    int conv_n = f.s.kernels * f.s.conv_h * f.s.conv_w;
    assert_close(f.a.conv, c.conv, conv_n, "conv");
    assert_close(f.a.pooled, c.pooled, f.s.flat, "pooled");
    for (int j = 0; j < f.s.flat; j++) ck_assert_int_eq(f.a.argmax[j], c.argmax[j]);
    assert_close(&f.a.z, &c.z, 1, "z");
    assert_close(&loss, &c.loss, 1, "loss");
    double yhat = sigmoid(c.z);
    assert_close(&f.a.yhat, &yhat, 1, "yhat");
    composed_free(&c);
    fix_free(&f);
}
END_TEST

START_TEST(test_backward_matches_layers) {
    Fix f;
    fix_init(&f, SIZES[_i], 200 + (uint64_t)_i);
    f.prob.y = _i % 2; // both labels
    analytic(&f);
    Composed c = compose(&f);
    assert_close(f.grads, c.grads, f.s.n_params, "grads");
    assert_close(f.dx, c.dx, f.s.n_input, "dx");
    composed_free(&c);
    fix_free(&f);
}
END_TEST

// The running example by hand:
//   A = X ⋆ K: A(0,0) = 8·1 + 9·1 + 0·1 + 3·2 = 23, ..., A = [23 14 25; 27 29 35]
//   p = [max(23,14,27,29), max(14,25,29,35)] = [29 35]
//   z = 0.05·29 − 0.03·35 + 0.1 = 1.45 − 1.05 + 0.1 = 0.5
//   L = log(1 + e^−0.5) (y = 1);  ∂L/∂z = σ(0.5) − 1
//   ∂L/∂w = ∂L/∂z·[29 35];  ∂L/∂p = ∂L/∂z·[0.05 −0.03]
//   ∂L/∂A is ∂L/∂p at A(1,1) and A(1,2), so ∂L/∂K(m,n) = X(1+m,1+n)·∂L/∂p0 + X(1+m,2+n)·∂L/∂p1:
//   ∂L/∂K(0,0) = 3·0.05 + 0·(−0.03) = 0.15 times ∂L/∂z;  ∂L/∂b = (0.05 − 0.03)·∂L/∂z
//   ∂L/∂X(2,3) = K(1,1)·∂L/∂p1 = 2·(−0.03)·∂L/∂z
START_TEST(test_example_by_hand) {
    Fix f;
    fix_example(&f);
    analytic(&f);
    const double A[6] = {23, 14, 25, 27, 29, 35};
    for (int k = 0; k < 6; k++) ck_assert_double_eq_tol(f.a.conv[k], A[k], 1e-12);
    ck_assert_double_eq_tol(f.a.pooled[0], 29, 1e-12);
    ck_assert_double_eq_tol(f.a.pooled[1], 35, 1e-12);
    ck_assert_double_eq_tol(f.a.z, 0.5, 1e-12);
    ck_assert_double_eq_tol(f.a.loss, log(1.0 + exp(-0.5)), 1e-12);
    double dz = 1.0 / (1.0 + exp(-0.5)) - 1.0;
    NetParams g;
    net_params_point(&g, f.grads, &f.s);
    ck_assert_double_eq_tol(g.dense_w[0], 29 * dz, 1e-12);
    ck_assert_double_eq_tol(g.dense_w[1], 35 * dz, 1e-12);
    ck_assert_double_eq_tol(*g.dense_b, dz, 1e-12);
    ck_assert_double_eq_tol(g.kernel[0], 0.15 * dz, 1e-12);
    ck_assert_double_eq_tol(g.conv_b[0], 0.02 * dz, 1e-12);
    ck_assert_double_eq_tol(f.dx[2 * 4 + 3], -0.06 * dz, 1e-12);
    ck_assert_double_eq(f.dx[0], 0.0); // X(0,0) feeds only A(0,0), which lost its window
    fix_free(&f);
}
END_TEST

START_TEST(test_backward_accumulates) {
    Fix f;
    fix_init(&f, SIZES[1], 7);
    analytic(&f);
    double *once = zeros((size_t)f.s.n_params);
    memcpy(once, f.grads, (size_t)f.s.n_params * sizeof(double));
    net_backward(f.grads, NULL, &f.a, f.params, f.x, 1.0, &f.s); // dx may be NULL
    for (int k = 0; k < f.s.n_params; k++) once[k] *= 2.0;
    assert_close(f.grads, once, f.s.n_params, "twice");
    free(once);
    fix_free(&f);
}
END_TEST

START_TEST(test_shapes_and_counts) {
    NetShape s;
    // P = H·W + C·K·K + C + C·(H−K)·(W−K) + 1
    ck_assert(net_shape_init(&s, 3, 4, 1, 2));
    ck_assert_int_eq(net_checked_count(&s), 12 + 4 + 1 + 2 + 1); // 20, the article's example
    ck_assert(net_shape_init(&s, 8, 8, 4, 3));
    ck_assert_int_eq(net_checked_count(&s), 64 + 36 + 4 + 100 + 1);
    ck_assert(net_shape_init(&s, 16, 16, 8, 3));
    ck_assert_int_eq(net_checked_count(&s), 256 + 72 + 8 + 8 * 13 * 13 + 1);
    ck_assert(!net_shape_init(&s, 3, 3, 1, 3)); // conv 1x1 leaves no 2x2 pool
    ck_assert(!net_shape_init(&s, 8, 8, 0, 3));
    ck_assert(!net_shape_init(&s, 8, 8, 1, 0));
}
END_TEST

START_TEST(test_sgd_step) {
    NetShape s;
    ck_assert(net_shape_init(&s, 3, 3, 1, 1)); // 1 + 1 + 4 + 1 = 7 parameters
    double params[7] = {1, 2, 3, 4, 5, 6, 7}, grads[7] = {1, -1, 0.5, 0, 2, -2, 10};
    net_sgd_step(params, grads, 0.5, &s);
    const double want[7] = {0.5, 2.5, 2.75, 4, 4, 7, 2};
    for (int k = 0; k < 7; k++) ck_assert_double_eq(params[k], want[k]);
}
END_TEST

// ---------------------------------------------------------------- the full check, error-bounded

// Both blocks through numerical_gradient_bounded with the reference loss;
// fails, compared and the verdict over both.
typedef struct {
    int compared, failed, skipped;
    Verdict verdict;
} Full;

static Full full_check(Fix *f, const bool *skip_params, const bool *skip_x) {
    Objective obj = {net_objective_whole, NULL, &f->prob};
    NumericalDerivative *np = calloc((size_t)f->s.n_params, sizeof *np), *nx = calloc((size_t)f->s.n_input, sizeof *nx);
    ck_assert(np && nx);
    numerical_gradient_bounded(np, f->params, f->s.n_params, &obj);
    numerical_gradient_bounded(nx, f->x, f->s.n_input, &obj);
    BoundedSummary a = compare_bounded(f->grads, np, skip_params, "tie", f->s.n_params, CHECK_RTOL);
    BoundedSummary b = compare_bounded(f->dx, nx, skip_x, "tie", f->s.n_input, CHECK_RTOL);
    free(np);
    free(nx);
    Verdict v = a.verdict == VERDICT_FAIL || b.verdict == VERDICT_FAIL ? VERDICT_FAIL
                : a.verdict == VERDICT_INCONCLUSIVE || b.verdict == VERDICT_INCONCLUSIVE ? VERDICT_INCONCLUSIVE
                : VERDICT_PASS;
    return (Full){a.compared + b.compared, a.failed + b.failed, a.skipped + b.skipped, v};
}

START_TEST(test_full_check_passes) {
    Fix f;
    fix_init(&f, SIZES[_i], 300 + (uint64_t)_i);
    analytic(&f);
    Full s = full_check(&f, NULL, NULL);
    ck_assert_msg(s.verdict == VERDICT_PASS, "%d entries failed, verdict %s", s.failed, verdict_name(s.verdict));
    ck_assert_int_eq(s.compared, net_checked_count(&f.s));
    fix_free(&f);
}
END_TEST

// Test-only wrong backward passes, one layer wrong in each, built from the
// correct layers: the full check must catch every one.
typedef enum { WRONG_LOSS, WRONG_DENSE, WRONG_POOL, WRONG_CONV, N_WRONG } Wrong;

static void wrong_backward(Fix *f, Wrong which) {
    const NetShape *s = &f->s;
    Composed c = compose(f); // the correct forward values and argmax
    NetParams p, g;
    net_params_point(&p, f->params, s);
    net_params_point(&g, f->grads, s);
    memset(f->grads, 0, (size_t)s->n_params * sizeof(double));
    memset(f->dx, 0, (size_t)s->n_input * sizeof(double));
    double y = f->prob.y, dz, yhat = sigmoid(c.z);
    bce_grad_logits(&dz, &y, &c.z, 1);
    if (which == WRONG_LOSS) dz *= yhat * (1.0 - yhat); // σ′ applied twice
    size_t conv_n = (size_t)s->kernels * s->conv_h * s->conv_w;
    double *dp = zeros((size_t)s->flat), *dA = zeros(conv_n);
    dense_backward(dp, g.dense_w, g.dense_b, &dz, c.pooled, p.dense_w, 1, s->flat);
    if (which == WRONG_DENSE) // ∂L/∂p from the pooled values instead of the weights
        for (int j = 0; j < s->flat; j++) dp[j] = dz * c.pooled[j];
    PoolShape ps;
    pool_shape_init(&ps, s->kernels, s->conv_h, s->conv_w, 2, 2, 1);
    if (which == WRONG_POOL) { // gradient to the window's first cell, not its maximum
        for (int ch = 0; ch < s->kernels; ch++)
            for (int i = 0; i < s->pool_h; i++)
                for (int j = 0; j < s->pool_w; j++)
                    dA[(ch * s->conv_h + i) * s->conv_w + j] += dp[(ch * s->pool_h + i) * s->pool_w + j];
    } else {
        maxpool_backward(dA, dp, c.argmax, &ps);
    }
    ConvShape cs;
    conv_shape_init(&cs, 1, s->in_h, s->in_w, s->kernels, s->k, s->k, 1, 0, 0, 1);
    conv_backward(f->dx, g.kernel, g.conv_b, dA, f->x, p.kernel, &cs);
    if (which == WRONG_CONV) // the bias gradient forgotten
        for (int ch = 0; ch < s->kernels; ch++) g.conv_b[ch] = 0.0;
    free(dp);
    free(dA);
    composed_free(&c);
}

START_TEST(test_full_check_catches_each_layer) {
    for (int size = 0; size < ARRAY_LEN(SIZES); size++) {
        Fix f;
        fix_init(&f, SIZES[size], 400 + (uint64_t)size);
        f.prob.y = 0.0; // so that ŷ − y is not small
        wrong_backward(&f, (Wrong)_i);
        Full s = full_check(&f, NULL, NULL);
        ck_assert_msg(s.verdict == VERDICT_FAIL, "wrong layer %d passed the full check on size %d", _i, size);
        fix_free(&f);
    }
}
END_TEST

// Corrupting a single entry of a correct gradient by 1% is caught, and only it.
START_TEST(test_full_check_catches_one_block) {
    Fix f;
    fix_init(&f, SIZES[1], 500);
    analytic(&f);
    NetParams g;
    net_params_point(&g, f.grads, &f.s);
    double *targets[] = {&g.kernel[4], &g.conv_b[1], &g.dense_w[17], g.dense_b, &f.dx[27]};
    *targets[_i] *= 1.01;
    Full s = full_check(&f, NULL, NULL);
    ck_assert_int_eq(s.failed, 1);
    fix_free(&f);
}
END_TEST

// ---------------------------------------------------------------- ties

// Continuous values: no tie. A blank image: every conv output is the bias,
// so every window ties; the kernel entries see the same (zero) patch in
// every tied cell and the bias and dense layer the same max, so only input
// pixels are marked, those whose kernel weight differs between tied cells.
START_TEST(test_tie_mask) {
    Fix f;
    fix_init(&f, SIZES[1], 900);
    bool *kp = calloc((size_t)f.s.n_params, sizeof(bool)), *kx = calloc((size_t)f.s.n_input, sizeof(bool));
    net_forward(&f.a, f.params, f.x, 1.0, &f.s);
    ck_assert_int_eq(net_tie_mask(kp, kx, &f.a, f.params, f.x, &f.s), 0);
    memset(f.x, 0, (size_t)f.s.n_input * sizeof(double));
    net_forward(&f.a, f.params, f.x, 1.0, &f.s);
    ck_assert_int_gt(net_tie_mask(kp, kx, &f.a, f.params, f.x, &f.s), 0);
    for (int k = 0; k < f.s.n_params; k++) ck_assert_msg(!kp[k], "parameter %d marked", k);
    for (int k = 0; k < f.s.n_input; k++) ck_assert_msg(kx[k], "input %d not marked", k);
    // With the ties skipped the rest of the check passes.
    analytic(&f);
    Full s = full_check(&f, kp, kx);
    ck_assert_msg(s.verdict == VERDICT_PASS, "verdict %s, %d failed", verdict_name(s.verdict), s.failed);
    ck_assert_int_eq(s.skipped, f.s.n_input);
    free(kp);
    free(kx);
    fix_free(&f);
}
END_TEST

// The scale passed to the checker bounds the loss's round-off: at least |L|.
START_TEST(test_objective_scale) {
    Fix f;
    fix_example(&f);
    double scale, loss = net_objective_whole(&f.prob, &scale);
    ck_assert_double_eq_tol(loss, log(1.0 + exp(-0.5)), 1e-12);
    // max|X| = 9, Σ|K| = 1 + 1 + 1 + 2 = 5, b = 0: every conv output sums at
    // most 9·5 = 45 in magnitude; z's terms |d| + Σ|w_j|·45 = 0.1 + 0.08·45 = 3.7;
    // scale = L + (1 − ŷ)·3.7 with ŷ = σ(0.5).
    double yhat = 1.0 / (1.0 + exp(-0.5));
    ck_assert_double_eq_tol(scale, loss + (1.0 - yhat) * 3.7, 1e-12);
    fix_free(&f);
}
END_TEST

// ---------------------------------------------------------------- buffers and training

START_TEST(test_buffers) {
    NetShape s;
    ck_assert(net_shape_init(&s, 8, 8, 4, 3));
    NetBuffers b;
    ck_assert(net_buffers_alloc(&b, &s));
    // Every buffer zeroed and writable over its full length (ASan checks the bounds).
    double *blocks[] = {b.params, b.grads, b.num, b.num2, b.x, b.dx, b.num_x, b.num_x2};
    int sizes[] = {s.n_params, s.n_params, s.n_params, s.n_params, s.n_input, s.n_input, s.n_input, s.n_input};
    for (int k = 0; k < ARRAY_LEN(blocks); k++)
        for (int j = 0; j < sizes[k]; j++) {
            ck_assert_double_eq(blocks[k][j], 0.0);
            blocks[k][j] = 1.0;
        }
    for (int j = 0; j < s.n_params + s.n_input; j++) b.scratch[j] = 1.0;
    ck_assert_ptr_ne(b.a.conv, b.a2.conv);
    net_buffers_free(&b);
    ck_assert_ptr_null(b.block);
}
END_TEST

START_TEST(test_training_lowers_loss) {
    Dataset train;
    ck_assert(dataset_synthetic(&train, 300, 8, 8, 42));
    NetShape s;
    ck_assert(net_shape_init(&s, 8, 8, 4, 3));
    NetBuffers b;
    ck_assert(net_buffers_alloc(&b, &s));
    net_init_params(b.params, &s, 42);
    double before, after, acc_before, acc_after;
    net_evaluate(&before, &acc_before, b.params, &b.a, train.x, train.y, train.n, net_forward, &s);
    ck_assert_double_gt(before, 0.5); // near log 2 for a network that knows nothing yet
    for (int e = 0; e < 5; e++)
        for (int t = 0; t < train.n; t++) {
            const double *x = train.x + (size_t)t * 64;
            memset(b.grads, 0, (size_t)s.n_params * sizeof(double));
            net_forward(&b.a, b.params, x, train.y[t], &s);
            net_backward(b.grads, NULL, &b.a, b.params, x, train.y[t], &s);
            net_sgd_step(b.params, b.grads, 0.01, &s);
        }
    net_evaluate(&after, &acc_after, b.params, &b.a, train.x, train.y, train.n, net_forward, &s);
    ck_assert_msg(after < 0.5 * before, "loss %.6g -> %.6g", before, after);
    ck_assert_double_gt(acc_after, 0.85);
    net_buffers_free(&b);
    dataset_free(&train);
}
END_TEST

Suite *make_network_suite(void) {
    Suite *s = suite_create("network");
    TCase *layers = tcase_create("layers");
    tcase_add_loop_test(layers, test_forward_matches_layers, 0, ARRAY_LEN(SIZES));
    tcase_add_loop_test(layers, test_backward_matches_layers, 0, ARRAY_LEN(SIZES));
    tcase_add_test(layers, test_example_by_hand);
    tcase_add_test(layers, test_backward_accumulates);
    tcase_add_test(layers, test_shapes_and_counts);
    tcase_add_test(layers, test_sgd_step);
    suite_add_tcase(s, layers);

    TCase *checks = tcase_create("checks");
    tcase_set_timeout(checks, 60);
    tcase_add_loop_test(checks, test_full_check_passes, 0, ARRAY_LEN(SIZES));
    tcase_add_loop_test(checks, test_full_check_catches_each_layer, 0, N_WRONG);
    tcase_add_loop_test(checks, test_full_check_catches_one_block, 0, 5);
    tcase_add_test(checks, test_tie_mask);
    tcase_add_test(checks, test_objective_scale);
    suite_add_tcase(s, checks);

    TCase *train = tcase_create("training");
    tcase_set_timeout(train, 60);
    tcase_add_test(train, test_buffers);
    tcase_add_test(train, test_training_lowers_loss);
    suite_add_tcase(s, train);
    return s;
}
