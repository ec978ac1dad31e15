// The complex step (src/check/cstep.c) and the generic layers it runs
// (src/layers/*_generic.inc): the double instances compute what the
// reference layers compute, bit for bit; the complex step's derivative
// matches hand formulas where central differences have no digits left.
#include <check.h>
#include <complex.h>
#include <math.h>

#include "conv.h"
#include "cstep.h"
#include "dense.h"
#include "dense_generic.h"
#include "loss.h"
#include "pool.h"
#include "pool_generic.h"

void conv_forward_double(double *out, const double *in, const double *w, const double *b, const ConvShape *s);

START_TEST(test_double_instances_are_the_reference) {
    const double x[12] = {0.3, -1.5, 2.25, 7, 1e-9, -3, 4.5, 0.125, -0.75, 9, 1e6, -2};
    const double k[4] = {0.5, -1.25, 3, 1e-3}, b = 0.1;
    ConvShape cs;
    ck_assert(conv_shape_init(&cs, 1, 3, 4, 1, 2, 2, 1, 1, 0, 1));
    double a[64], g[64];
    conv_forward(a, x, k, &b, &cs);
    conv_forward_double(g, x, k, &b, &cs);
    for (int e = 0; e < cs.out_h * cs.out_w; e++) ck_assert(a[e] == g[e]);
    PoolShape ps;
    ck_assert(pool_shape_init(&ps, 1, 3, 4, 2, 2, 1));
    int argmax[16];
    maxpool_forward(a, argmax, x, &ps);
    ck_assert(!maxpool_forward_double(g, x, &ps));
    for (int e = 0; e < ps.out_h * ps.out_w; e++) ck_assert(a[e] == g[e]);
    const double W[6] = {0.5, -2, 3, 1e-7, 4, -0.25}, bb[2] = {1, -1};
    dense_forward(a, x, W, bb, 2, 3);
    dense_forward_double(g, x, W, bb, 2, 3);
    for (int e = 0; e < 2; e++) ck_assert(a[e] == g[e]);
    double scale, mag;
    for (double z = -40; z <= 40; z += 7.5) // the same function, arranged without cancellation
        ck_assert_double_eq_tol(bce_logits_double(0.3, z, &mag), bce_logits_term(0.3, z, &scale), 1e-14 * (1 + fabs(z)));
}
END_TEST

// L(z) = softplus(z) − z at z = 40, y = 1: L′ = σ(40) − 1 = −σ(−40) =
// −4.248354255291589e-18 (by hand: e^−40/(1 + e^−40)). A central difference
// of L ≈ 4e-18 beside |z| terms of 40 has no digits; the complex step is
// exact to ε.
static double logit_at(void *ctx, int k, double h, double *scale) {
    (void)k;
    double z = *(const double *)ctx;
    double complex v = bce_logits_complex(1.0, cstep_point(z, h), scale);
    *scale /= h;
    return cimag(v) / h;
}

START_TEST(test_complex_step_at_saturation) {
    double z = 40.0;
    ComplexObjective c = {logit_at, &z};
    NumericalDerivative d = complex_step_entry(&c, 0, z, 1.0);
    double exact = -exp(-40.0) / (1.0 + exp(-40.0));
    ck_assert(d.complex_step);
    ck_assert_double_le(fabs(d.value - exact), d.bound);
    ck_assert_double_le(d.bound, 1e-4 * fabs(exact));
    // A wrong gradient (the sign) is far outside it.
    ck_assert_double_gt(fabs(-exact - d.value), 1e3 * d.bound);
}
END_TEST

// max(x0, x1) with x1 one ulp below x0: the derivative in x0 is 1, in x1 0.
// Both cells' central differences straddle the kink; the complex step keeps
// the winner. At an exact tie it has no derivative: NaN.
static double pool_at(void *ctx, int k, double h, double *scale) {
    const double *x = ctx;
    double complex cx[2] = {x[0], x[1]}, out;
    cx[k] = cstep_point(x[k], h);
    PoolShape ps;
    pool_shape_init(&ps, 1, 1, 2, 1, 2, 1);
    bool tie = maxpool_forward_complex(&out, cx, &ps);
    *scale = fabs(cimag(out)) / h;
    return tie ? NAN : cimag(out) / h;
}

START_TEST(test_complex_step_at_a_near_tie) {
    double x[2] = {0.30000000000000004, 0.3};
    ComplexObjective c = {pool_at, x};
    ck_assert_double_eq(complex_step_entry(&c, 0, x[0], 0.3).value, 1.0);
    ck_assert_double_eq(complex_step_entry(&c, 1, x[1], 0.3).value, 0.0);
    x[1] = x[0];
    NumericalDerivative d = complex_step_entry(&c, 1, x[1], 0.3);
    ck_assert(isinf(d.bound));
    ck_assert_str_eq(d.why, CSTEP_TIE_REASON);
}
END_TEST

Suite *make_cstep_suite(void) {
    Suite *s = suite_create("cstep");
    TCase *tc = tcase_create("cstep");
    tcase_add_test(tc, test_double_instances_are_the_reference);
    tcase_add_test(tc, test_complex_step_at_saturation);
    tcase_add_test(tc, test_complex_step_at_a_near_tie);
    suite_add_tcase(s, tc);
    return s;
}
