// The chapter-6 network (src/network.h): its fused forward and backward
// against the general layers composed by hand, the full check passing and
// failing with a bug in any one layer, the caching check bit for bit equal
// to the plain one, training lowering the loss, and the CSV reader.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "network.h"
#include "pool.h"
#include "rng.h"
#include "tensor.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))
// The fused loops add the same products as the layers, in a different order
// in backward: a few ulps of the largest term apart.
#define SAME_REL_TOL 1e-12

// ---------------------------------------------------------------- fixture

typedef struct {
    NetShape s;
    double *params, *grads, *x, *dx, *num, *num_x, *num2, *num_x2, *acts, *cache, *scratch;
    int *iacts, *icache;
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
    const NetShape *s = &f->s;
    size_t P = (size_t)s->n_params, X = (size_t)s->n_input;
    f->params = zeros(P), f->grads = zeros(P), f->num = zeros(P), f->num2 = zeros(P);
    f->x = zeros(X), f->dx = zeros(X), f->num_x = zeros(X), f->num_x2 = zeros(X);
    f->acts = zeros(net_act_doubles(s));
    f->cache = zeros(net_cache_doubles(s));
    f->scratch = zeros(P + X);
    f->iacts = calloc(net_act_ints(s), sizeof(int));
    f->icache = calloc(net_cache_ints(s), sizeof(int));
    ck_assert(f->iacts && f->icache);
    net_acts_point(&f->a, f->acts, f->iacts, s);
    Rng r = rng_make(seed);
    // Continuous values: no two cells of a pooling window tie, so no entry
    // sits on a kink of the max.
    for (size_t k = 0; k < X; k++) f->x[k] = rng_uniform(&r);
    for (size_t k = 0; k < P; k++) f->params[k] = rng_range(&r, -0.5, 0.5);
    f->prob = (NetProblem){s, f->params, f->x, 1.0, &f->a};
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

static void fix_free(Fix *f) {
    double *all[] = {f->params, f->grads, f->x, f->dx, f->num, f->num_x, f->num2, f->num_x2, f->acts, f->cache,
                     f->scratch};
    for (int i = 0; i < COUNT(all); i++) free(all[i]);
    free(f->iacts);
    free(f->icache);
}

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

// ---------------------------------------------------------------- the full check

static CheckSummary full_check(Fix *f) {
    net_numerical_plain(f->num, f->num_x, &f->prob, GRADCHECK_H);
    CheckSummary a = compare_gradients(f->grads, f->num, NULL, f->s.n_params, GRADCHECK_REL_TOL);
    CheckSummary b = compare_gradients(f->dx, f->num_x, NULL, f->s.n_input, GRADCHECK_REL_TOL);
    a.failed += b.failed;
    a.passed = a.passed && b.passed;
    a.max_rel_error = fmax(a.max_rel_error, b.max_rel_error);
    return a;
}

START_TEST(test_full_check_passes) {
    Fix f;
    fix_init(&f, SIZES[_i], 300 + (uint64_t)_i);
    analytic(&f);
    CheckSummary s = full_check(&f);
    ck_assert_msg(s.passed, "%d entries failed, worst %.2e", s.failed, s.max_rel_error);
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
    for (int size = 0; size < COUNT(SIZES); size++) {
        Fix f;
        fix_init(&f, SIZES[size], 400 + (uint64_t)size);
        f.prob.y = 0.0; // so that ŷ − y is not small
        wrong_backward(&f, (Wrong)_i);
        CheckSummary s = full_check(&f);
        ck_assert_msg(!s.passed, "wrong layer %d passed the full check on size %d", _i, size);
        ck_assert_double_gt(s.max_rel_error, 1e-3);
        // The same wrong gradient fails the directional check too.
        DirectionalResult d = net_directional_check(&f.prob, f.grads, f.dx, 5, f.scratch);
        ck_assert_msg(!d.passed, "wrong layer %d passed the directional check on size %d", _i, size);
        fix_free(&f);
    }
}
END_TEST

// Corrupting a single block of a correct gradient by 1% is caught.
START_TEST(test_full_check_catches_one_block) {
    Fix f;
    fix_init(&f, SIZES[1], 500);
    analytic(&f);
    NetParams g;
    net_params_point(&g, f.grads, &f.s);
    double *targets[] = {&g.kernel[4], &g.conv_b[1], &g.dense_w[17], g.dense_b, &f.dx[27]};
    *targets[_i] *= 1.01;
    CheckSummary s = full_check(&f);
    ck_assert_int_eq(s.failed, 1);
    fix_free(&f);
}
END_TEST

START_TEST(test_directional_passes) {
    Fix f;
    fix_init(&f, SIZES[_i], 600 + (uint64_t)_i);
    analytic(&f);
    double *saved = zeros((size_t)f.s.n_params);
    memcpy(saved, f.params, (size_t)f.s.n_params * sizeof(double));
    DirectionalResult d = net_directional_check(&f.prob, f.grads, f.dx, 9, f.scratch);
    ck_assert_msg(d.passed, "analytic %.17g numerical %.17g", d.analytic, d.numerical);
    ck_assert_int_eq(memcmp(saved, f.params, (size_t)f.s.n_params * sizeof(double)), 0);
    free(saved);
    fix_free(&f);
}
END_TEST

// ---------------------------------------------------------------- the caching check

START_TEST(test_cached_check_bit_identical) {
    Fix f;
    fix_init(&f, SIZES[_i], 700 + (uint64_t)_i);
    double *params0 = zeros((size_t)f.s.n_params), *x0 = zeros((size_t)f.s.n_input);
    memcpy(params0, f.params, (size_t)f.s.n_params * sizeof(double));
    memcpy(x0, f.x, (size_t)f.s.n_input * sizeof(double));
    net_numerical_plain(f.num, f.num_x, &f.prob, GRADCHECK_H);
    net_numerical_cached(f.num2, f.num_x2, &f.prob, GRADCHECK_H, f.cache, f.icache, NULL, NULL);
    ck_assert_int_eq(memcmp(f.num, f.num2, (size_t)f.s.n_params * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(f.num_x, f.num_x2, (size_t)f.s.n_input * sizeof(double)), 0);
    // and both leave θ and X exactly as they were
    ck_assert_int_eq(memcmp(params0, f.params, (size_t)f.s.n_params * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(x0, f.x, (size_t)f.s.n_input * sizeof(double)), 0);
    free(params0);
    free(x0);
    fix_free(&f);
}
END_TEST

// Bit-identity must hold because the same arithmetic runs, not because the
// numbers are easy: with a large step the pooled maxima move between cells
// (kinks inside the difference), and the two checks still agree exactly.
START_TEST(test_cached_check_identical_with_kinks) {
    Fix f;
    fix_init(&f, SIZES[1], 800);
    net_numerical_plain(f.num, f.num_x, &f.prob, 0.3);
    net_numerical_cached(f.num2, f.num_x2, &f.prob, 0.3, f.cache, f.icache, NULL, NULL);
    ck_assert_int_eq(memcmp(f.num, f.num2, (size_t)f.s.n_params * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(f.num_x, f.num_x2, (size_t)f.s.n_input * sizeof(double)), 0);
    fix_free(&f);
}
END_TEST

// A blank image ties every pooling window: every input entry is a kink, and
// the caching check marks it; with continuous values nothing is marked.
START_TEST(test_kinks_marked) {
    Fix f;
    fix_init(&f, SIZES[1], 900);
    bool *kp = calloc((size_t)f.s.n_params, sizeof(bool)), *kx = calloc((size_t)f.s.n_input, sizeof(bool));
    net_numerical_cached(f.num, f.num_x, &f.prob, GRADCHECK_H, f.cache, f.icache, kp, kx);
    for (int k = 0; k < f.s.n_params; k++) ck_assert(!kp[k]);
    for (int k = 0; k < f.s.n_input; k++) ck_assert(!kx[k]);
    memset(f.x, 0, (size_t)f.s.n_input * sizeof(double));
    net_numerical_cached(f.num, f.num_x, &f.prob, GRADCHECK_H, f.cache, f.icache, kp, kx);
    for (int k = 0; k < f.s.n_input; k++) ck_assert_msg(kx[k], "input %d not marked", k);
    // A dense weight never moves a maximum.
    NetParams p;
    net_params_point(&p, f.params, &f.s);
    ck_assert(!kp[p.dense_w - f.params]);
    free(kp);
    free(kx);
    fix_free(&f);
}
END_TEST

// ---------------------------------------------------------------- training

START_TEST(test_training_lowers_loss) {
    NetData train;
    ck_assert(net_synthetic(&train, 300, 8, 8, 42));
    NetShape s;
    ck_assert(net_shape_init(&s, 8, 8, 4, 3));
    double *params = zeros((size_t)s.n_params), *grads = zeros((size_t)s.n_params);
    double *acts = zeros(net_act_doubles(&s));
    int *iacts = calloc(net_act_ints(&s), sizeof(int)), *order = calloc(300, sizeof(int));
    NetActs a;
    net_acts_point(&a, acts, iacts, &s);
    net_init_params(params, &s, 42);
    for (int i = 0; i < 300; i++) order[i] = i;
    double before, after, acc_before, acc_after;
    net_evaluate(&before, &acc_before, params, &a, &train, &s);
    ck_assert_double_gt(before, 0.5); // near log 2 for a network that knows nothing yet
    for (int e = 0; e < 5; e++) net_train_epoch(params, grads, &a, &train, order, 0.01, &s);
    net_evaluate(&after, &acc_after, params, &a, &train, &s);
    ck_assert_msg(after < 0.5 * before, "loss %.6g -> %.6g", before, after);
    ck_assert_double_gt(acc_after, 0.85);
    free(params), free(grads), free(acts), free(iacts), free(order);
    net_data_free(&train);
}
END_TEST

START_TEST(test_synthetic_images) {
    NetData d;
    ck_assert(net_synthetic(&d, 200, 8, 8, 3));
    int ones = 0;
    for (int k = 0; k < d.n; k++) {
        ck_assert(d.y[k] == 0.0 || d.y[k] == 1.0);
        ones += d.y[k] == 1.0;
        // The stroke shows: the brightest column (label 1) or row (label 0)
        // sum beats every row (column) sum, since a stroke of 4 to 8 ones
        // adds at least 4 over noise of σ = 0.25 per pixel.
        const double *img = d.x + (size_t)k * 64;
        double best_row = -1e9, best_col = -1e9;
        for (int i = 0; i < 8; i++) {
            double row = 0, col = 0;
            for (int j = 0; j < 8; j++) row += img[i * 8 + j], col += img[j * 8 + i];
            best_row = fmax(best_row, row), best_col = fmax(best_col, col);
        }
        ck_assert_msg((best_col > best_row) == (d.y[k] == 1.0), "image %d", k);
    }
    ck_assert_int_gt(ones, 60); // both classes, roughly balanced
    ck_assert_int_lt(ones, 140);
    net_data_free(&d);
    ck_assert(!net_synthetic(&d, 1 << 13, 8, 8, 3)); // 2^19 values, above the memory bound
    NetData again;
    ck_assert(net_synthetic(&d, 10, 8, 8, 3) && net_synthetic(&again, 10, 8, 8, 3));
    ck_assert_int_eq(memcmp(d.x, again.x, 640 * sizeof(double)), 0);
    net_data_free(&d);
    net_data_free(&again);
}
END_TEST

// ---------------------------------------------------------------- CSV

typedef struct {
    const char *text;
    int n;
    double y0, last; // the first label and the last pixel of the last image
} CsvGood;

static const CsvGood CSV_GOOD[] = {
    {"1,0,1,0,1\n0,1,1,1,1\n", 2, 1, 1},
    {" 1 , 0.5,1e-1, -2 ,3 \r\n", 1, 1, 3},          // blanks and CRLF
    {"\n0,1,2,3,4\n\n  \n1,5,6,7,8", 2, 0, 8},         // blank lines, no final newline
    {"0,-0,+1,1000,-1000\n", 1, 0, -1000},             // sign forms and the pixel bounds
};

static bool read_text(NetData *d, const char *text, int h, int w, char *err, size_t errlen) {
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    bool ok = net_read_csv(d, f, h, w, err, errlen);
    fclose(f);
    return ok;
}

START_TEST(test_csv_accepts) {
    const CsvGood *c = &CSV_GOOD[_i];
    NetData d;
    char err[300] = "";
    ck_assert_msg(read_text(&d, c->text, 2, 2, err, sizeof err), "%s", err);
    ck_assert_int_eq(d.n, c->n);
    ck_assert_int_eq(d.h, 2);
    ck_assert_double_eq(d.y[0], c->y0);
    ck_assert_double_eq(d.x[d.n * 4 - 1], c->last);
    net_data_free(&d);
}
END_TEST

typedef struct {
    const char *text, *expect; // expect: a piece of the error message
} CsvBad;

static const CsvBad CSV_BAD[] = {
    {"1,0,1,0,1\n0,1,1,1\n", "line 2 has 4 fields, expected 5"},
    {"1,0,1,0,1,9\n", "line 1 has more than 5 fields"},
    {"2,0,1,0,1\n", "line 1: the label is '2'"},
    {"0.5,0,1,0,1\n", "line 1: the label is '0.5'"},
    {"1,0,,0,1\n", "line 1, field 3 is empty"},
    {"1,0,1,0,\n", "line 1, field 5 is empty"},
    {"1,0,1,0,1\n\n1,0,abc,0,1\n", "line 3, field 3: 'abc' is not a finite decimal number"},
    {"1,nan,1,0,1\n", "line 1, field 2"},
    {"1,0x10,1,0,1\n", "line 1, field 2"},
    {"1,0,1,0,1e4\n", "line 1, field 5: pixel '1e4' is outside"},
    {"label,a,b,c,d\n1,0,1,0,1\n", "line 1, field 1"},
    {"1,0,1,0,11111111111111111111111111111111111111111111111111111111111111111111111\n", "line 1, field 5"},
    {"", "no images"},
    {"\n \n", "no images"},
    {"1 0 1 0 1\n", "line 1, field 1"},
};

START_TEST(test_csv_rejects) {
    const CsvBad *c = &CSV_BAD[_i];
    NetData d;
    char err[300] = "";
    ck_assert_msg(!read_text(&d, c->text, 2, 2, err, sizeof err), "accepted: %s", c->text);
    ck_assert_msg(strstr(err, c->expect) != NULL, "'%s' does not contain '%s'", err, c->expect);
    ck_assert_ptr_null(d.x);
    ck_assert_int_eq(d.n, 0);
}
END_TEST

START_TEST(test_csv_memory_bound) {
    // A 256x256 image holds 65536 values; four of them fill the bound of
    // 2^18 values, and the reader stops at the fifth instead of growing.
    int side = 256, images = 5;
    size_t len = (size_t)images * (2 + 2 * (size_t)side * side) + 1;
    char *text = malloc(len), *p = text;
    ck_assert_ptr_nonnull(text);
    for (int img = 0; img < images; img++) {
        *p++ = '1';
        for (int k = 0; k < side * side; k++) *p++ = ',', *p++ = '0';
        *p++ = '\n';
    }
    *p = '\0';
    NetData d;
    char err[300] = "";
    ck_assert(!read_text(&d, text, side, side, err, sizeof err));
    ck_assert_msg(strstr(err, "line 5: more than") != NULL, "%s", err);
    p[-(2 + 2 * side * side) + 0] = '\0'; // the first four images alone are accepted
    ck_assert_msg(read_text(&d, text, side, side, err, sizeof err), "%s", err);
    ck_assert_int_eq(d.n, 4);
    net_data_free(&d);
    free(text);
}
END_TEST

Suite *make_network_suite(void) {
    Suite *s = suite_create("network");
    TCase *layers = tcase_create("layers");
    tcase_add_loop_test(layers, test_forward_matches_layers, 0, COUNT(SIZES));
    tcase_add_loop_test(layers, test_backward_matches_layers, 0, COUNT(SIZES));
    tcase_add_test(layers, test_example_by_hand);
    tcase_add_test(layers, test_backward_accumulates);
    tcase_add_test(layers, test_shapes_and_counts);
    tcase_add_test(layers, test_sgd_step);
    suite_add_tcase(s, layers);

    TCase *checks = tcase_create("checks");
    tcase_set_timeout(checks, 60);
    tcase_add_loop_test(checks, test_full_check_passes, 0, COUNT(SIZES));
    tcase_add_loop_test(checks, test_full_check_catches_each_layer, 0, N_WRONG);
    tcase_add_loop_test(checks, test_full_check_catches_one_block, 0, 5);
    tcase_add_loop_test(checks, test_directional_passes, 0, COUNT(SIZES));
    tcase_add_loop_test(checks, test_cached_check_bit_identical, 0, COUNT(SIZES));
    tcase_add_test(checks, test_cached_check_identical_with_kinks);
    tcase_add_test(checks, test_kinks_marked);
    suite_add_tcase(s, checks);

    TCase *train = tcase_create("training");
    tcase_set_timeout(train, 60);
    tcase_add_test(train, test_training_lowers_loss);
    tcase_add_test(train, test_synthetic_images);
    suite_add_tcase(s, train);

    TCase *csv = tcase_create("csv");
    tcase_add_loop_test(csv, test_csv_accepts, 0, COUNT(CSV_GOOD));
    tcase_add_loop_test(csv, test_csv_rejects, 0, COUNT(CSV_BAD));
    tcase_add_test(csv, test_csv_memory_bound);
    suite_add_tcase(s, csv);
    return s;
}
