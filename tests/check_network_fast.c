// The fast network (src/layers/network_fast.h) against the reference (network.h) on
// many shapes: forward and backward, the plain check passing and catching a
// wrong gradient, the directional check, and the caching check bit for bit
// equal to the plain one.
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
#include "network_fast.h"
#include "pool.h"
#include "rng.h"
#include "tensor.h"

// The fused loops add the same products as the layers, in another order in
// backward and in blocks in the dense sum: a few ulps of the largest term.
#define SAME_REL_TOL 1e-12

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
static const Size SIZES[] = {{3, 4, 1, 2},  {8, 8, 4, 3},   {16, 16, 8, 3}, {7, 9, 3, 2},  {5, 4, 2, 1},
                             {6, 6, 2, 5},  {13, 5, 3, 3},  {5, 17, 2, 3}, {12, 12, 1, 4}, {20, 9, 2, 7},
                             {40, 40, 2, 3}, {30, 11, 3, 1}, {9, 30, 5, 2}, {4, 4, 6, 3}};

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

static void fix_free(Fix *f) { net_buffers_free(&f->b); }


static void assert_close(const double *a, const double *b, int n, const char *what) {
    for (int k = 0; k < n; k++)
        ck_assert_msg(relative_error(a[k], b[k]) <= SAME_REL_TOL || fabs(a[k] - b[k]) <= 1e-15,
                      "%s[%d]: %.17g vs %.17g", what, k, a[k], b[k]);
}

static void analytic(Fix *f) {
    memset(f->grads, 0, (size_t)f->s.n_params * sizeof(double));
    memset(f->dx, 0, (size_t)f->s.n_input * sizeof(double));
    net_fast_forward(&f->a, f->params, f->x, f->prob.y, &f->s);
    net_fast_backward(f->grads, f->dx, &f->a, f->params, f->x, f->prob.y, &f->s);
}

START_TEST(test_forward_matches_reference) {
    Fix f;
    fix_init(&f, SIZES[_i], 100 + (uint64_t)_i);
    double fast = net_fast_forward(&f.a, f.params, f.x, 1.0, &f.s);
    double ref = net_forward(&f.b.a2, f.params, f.x, 1.0, &f.s);
    int conv_n = f.s.kernels * f.s.conv_h * f.s.conv_w;
    ck_assert_int_eq(memcmp(f.a.conv, f.b.a2.conv, (size_t)conv_n * sizeof(double)), 0); // same order
    ck_assert_int_eq(memcmp(f.a.pooled, f.b.a2.pooled, (size_t)f.s.flat * sizeof(double)), 0);
    for (int j = 0; j < f.s.flat; j++) ck_assert_int_eq(f.a.argmax[j], f.b.a2.argmax[j]);
    assert_close(&f.a.z, &f.b.a2.z, 1, "z"); // blocked sum vs left-to-right
    assert_close(&fast, &ref, 1, "loss");
    fix_free(&f);
}
END_TEST

// net_fast_forward_exact (training's forward) gives net_forward's doubles
// bit for bit, with continuous inputs and with ties in every pooling window
// (inputs and weights on a coarse grid). The memcmp can fail: the blocked
// dense sum of net_fast_forward differs from them in z on some shape.
static bool exact_forward_same(Fix *f) {
    double fast = net_fast_forward_exact(&f->a, f->params, f->x, 1.0, &f->s);
    double ref = net_forward(&f->b.a2, f->params, f->x, 1.0, &f->s);
    int conv_n = f->s.kernels * f->s.conv_h * f->s.conv_w;
    for (int j = 0; j < f->s.flat; j++) ck_assert_int_eq(f->a.argmax[j], f->b.a2.argmax[j]);
    return memcmp(f->a.conv, f->b.a2.conv, (size_t)conv_n * sizeof(double)) == 0 &&
           memcmp(f->a.pooled, f->b.a2.pooled, (size_t)f->s.flat * sizeof(double)) == 0 &&
           memcmp(&f->a.z, &f->b.a2.z, sizeof(double)) == 0 && memcmp(&fast, &ref, sizeof(double)) == 0 &&
           memcmp(&f->a.yhat, &f->b.a2.yhat, sizeof(double)) == 0;
}

START_TEST(test_exact_forward_bit_identical) {
    Fix f;
    fix_init(&f, SIZES[_i], 700 + (uint64_t)_i);
    ck_assert(exact_forward_same(&f));
    for (int k = 0; k < f.s.n_input; k++) f.x[k] = floor(f.x[k] * 2.0); // 0 or 1: ties everywhere
    for (int k = 0; k < f.s.n_params; k++) f.params[k] = floor(f.params[k] * 4.0) / 4.0;
    ck_assert(exact_forward_same(&f));
    fix_free(&f);
}
END_TEST

START_TEST(test_exact_forward_check_can_fail) {
    int differ = 0;
    for (size_t i = 0; i < ARRAY_LEN(SIZES); i++) {
        Fix f;
        fix_init(&f, SIZES[i], 700 + (uint64_t)i);
        net_fast_forward(&f.a, f.params, f.x, 1.0, &f.s);
        net_forward(&f.b.a2, f.params, f.x, 1.0, &f.s);
        differ += memcmp(&f.a.z, &f.b.a2.z, sizeof(double)) != 0;
        fix_free(&f);
    }
    ck_assert_int_gt(differ, 0);
}
END_TEST

START_TEST(test_backward_matches_reference) {
    Fix f;
    fix_init(&f, SIZES[_i], 200 + (uint64_t)_i);
    f.prob.y = _i % 2; // both labels
    analytic(&f);
    double *grads = zeros((size_t)f.s.n_params), *dx = zeros((size_t)f.s.n_input);
    net_forward(&f.b.a2, f.params, f.x, f.prob.y, &f.s);
    net_backward(grads, dx, &f.b.a2, f.params, f.x, f.prob.y, &f.s);
    assert_close(f.grads, grads, f.s.n_params, "grads");
    assert_close(f.dx, dx, f.s.n_input, "dx");
    // dx NULL: the parameter gradients are the same
    memset(grads, 0, (size_t)f.s.n_params * sizeof(double));
    net_fast_backward(grads, NULL, &f.a, f.params, f.x, f.prob.y, &f.s);
    ck_assert_int_eq(memcmp(grads, f.grads, (size_t)f.s.n_params * sizeof(double)), 0);
    free(grads);
    free(dx);
    fix_free(&f);
}
END_TEST

// The plain check (old API, fixed step) on the fast network.
static CheckSummary full_check(Fix *f) {
    net_fast_numerical_plain(f->b.num, f->b.num_x, &f->prob, GRADCHECK_H);
    CheckSummary a = compare_gradients(f->grads, f->b.num, NULL, f->s.n_params, GRADCHECK_REL_TOL);
    CheckSummary b = compare_gradients(f->dx, f->b.num_x, NULL, f->s.n_input, GRADCHECK_REL_TOL);
    a.failed += b.failed;
    a.passed = a.passed && b.passed;
    a.max_rel_error = fmax(a.max_rel_error, b.max_rel_error);
    return a;
}

START_TEST(test_plain_check_passes_and_catches) {
    Fix f;
    fix_init(&f, SIZES[_i], 300 + (uint64_t)_i);
    analytic(&f);
    CheckSummary s = full_check(&f);
    ck_assert_msg(s.passed, "%d entries failed, worst %.2e", s.failed, s.max_rel_error);
    DirectionalResult d = net_fast_directional_check(&f.prob, f.grads, f.dx, 9, f.scratch);
    ck_assert_msg(d.passed, "analytic %.17g numerical %.17g", d.analytic, d.numerical);
    NetParams g;
    net_params_point(&g, f.grads, &f.s);
    g.kernel[0] *= 1.5; // one wrong kernel entry
    g.kernel[0] += 0.1;
    ck_assert(!full_check(&f).passed);
    d = net_fast_directional_check(&f.prob, f.grads, f.dx, 9, f.scratch);
    ck_assert(!d.passed);
    fix_free(&f);
}
END_TEST

START_TEST(test_cached_check_bit_identical) {
    Fix f;
    fix_init(&f, SIZES[_i], 700 + (uint64_t)_i);
    double *params0 = zeros((size_t)f.s.n_params), *x0 = zeros((size_t)f.s.n_input);
    memcpy(params0, f.params, (size_t)f.s.n_params * sizeof(double));
    memcpy(x0, f.x, (size_t)f.s.n_input * sizeof(double));
    net_fast_numerical_plain(f.b.num, f.b.num_x, &f.prob, GRADCHECK_H);
    net_fast_numerical_cached(f.b.num2, f.b.num_x2, &f.prob, GRADCHECK_H, f.b.cache, f.b.icache, NULL, NULL);
    ck_assert_int_eq(memcmp(f.b.num, f.b.num2, (size_t)f.s.n_params * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(f.b.num_x, f.b.num_x2, (size_t)f.s.n_input * sizeof(double)), 0);
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
    net_fast_numerical_plain(f.b.num, f.b.num_x, &f.prob, 0.3);
    net_fast_numerical_cached(f.b.num2, f.b.num_x2, &f.prob, 0.3, f.b.cache, f.b.icache, NULL, NULL);
    ck_assert_int_eq(memcmp(f.b.num, f.b.num2, (size_t)f.s.n_params * sizeof(double)), 0);
    ck_assert_int_eq(memcmp(f.b.num_x, f.b.num_x2, (size_t)f.s.n_input * sizeof(double)), 0);
    fix_free(&f);
}
END_TEST

// A blank image ties every pooling window: every input entry is a kink, and
// the caching check marks it; with continuous values nothing is marked.
START_TEST(test_kinks_marked) {
    Fix f;
    fix_init(&f, SIZES[1], 900);
    bool *kp = calloc((size_t)f.s.n_params, sizeof(bool)), *kx = calloc((size_t)f.s.n_input, sizeof(bool));
    net_fast_numerical_cached(f.b.num, f.b.num_x, &f.prob, GRADCHECK_H, f.b.cache, f.b.icache, kp, kx);
    for (int k = 0; k < f.s.n_params; k++) ck_assert(!kp[k]);
    for (int k = 0; k < f.s.n_input; k++) ck_assert(!kx[k]);
    memset(f.x, 0, (size_t)f.s.n_input * sizeof(double));
    net_fast_numerical_cached(f.b.num, f.b.num_x, &f.prob, GRADCHECK_H, f.b.cache, f.b.icache, kp, kx);
    for (int k = 0; k < f.s.n_input; k++) ck_assert_msg(kx[k], "input %d not marked", k);
    NetParams p; // a dense weight never moves a maximum
    net_params_point(&p, f.params, &f.s);
    ck_assert(!kp[p.dense_w - f.params]);
    free(kp);
    free(kx);
    fix_free(&f);
}
END_TEST

Suite *make_network_fast_suite(void) {
    Suite *s = suite_create("network_fast");
    TCase *t = tcase_create("against the reference");
    tcase_set_timeout(t, 60);
    tcase_add_loop_test(t, test_forward_matches_reference, 0, ARRAY_LEN(SIZES));
    tcase_add_loop_test(t, test_exact_forward_bit_identical, 0, ARRAY_LEN(SIZES));
    tcase_add_test(t, test_exact_forward_check_can_fail);
    tcase_add_loop_test(t, test_backward_matches_reference, 0, ARRAY_LEN(SIZES));
    tcase_add_loop_test(t, test_plain_check_passes_and_catches, 0, ARRAY_LEN(SIZES));
    tcase_add_loop_test(t, test_cached_check_bit_identical, 0, ARRAY_LEN(SIZES));
    tcase_add_test(t, test_cached_check_identical_with_kinks);
    tcase_add_test(t, test_kinks_marked);
    suite_add_tcase(s, t);
    return s;
}
