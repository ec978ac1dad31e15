// Softmax cross-entropy (src/layers/softmax_ce.h): the loss and p worked by
// hand, the log-sum-exp shift at logits that overflow exp(), the gradient
// (p − onehot)/N by hand, and a bounded finite-difference check that passes
// it and fails the gradient not divided by N.
#include <check.h>
#include <float.h>
#include <math.h>

#include "gradcheck.h"
#include "softmax_ce.h"

// z = [0, ln 3] (p = [1/4, 3/4]) and z = [ln 2, ln 2] (p = [1/2, 1/2]),
// labels 1 and 0: L = (−ln 3/4 − ln 1/2)/2 = (ln 4 − ln 3 + ln 2)/2.
START_TEST(test_by_hand) {
    const double z[] = {0, log(3.0), log(2.0), log(2.0)};
    const int y[] = {1, 0};
    double p[4], scale;
    double loss = softmax_ce_forward(p, &scale, z, y, 2, 2);
    ck_assert_double_eq_tol(loss, (log(4.0) - log(3.0) + log(2.0)) / 2, 1e-15);
    ck_assert_double_eq_tol(p[0], 0.25, 1e-15);
    ck_assert_double_eq_tol(p[1], 0.75, 1e-15);
    ck_assert_double_eq_tol(p[2], 0.5, 1e-15);
    // dz = (p − onehot)/N with N = 2: [1/4, −1/4; −1/2, 1/2]/2.
    double dz[4] = {0};
    softmax_ce_backward(dz, p, y, 2, 2);
    const double want[] = {0.125, -0.125, -0.25, 0.25};
    for (int k = 0; k < 4; k++) ck_assert_double_eq_tol(dz[k], want[k], 1e-15);
}
END_TEST

// z = [1000, 1000 − ln 3]: exp(1000) is inf in double, yet p = [3/4, 1/4]
// and L(label 1) = ln 4 exactly, from the shifted sums exp(0) + exp(−ln 3).
START_TEST(test_shift_survives_overflow) {
    ck_assert(isinf(exp(1000.0)));
    const double z[] = {1000, 1000 - log(3.0)};
    const int y[] = {1};
    double p[2];
    double loss = softmax_ce_forward(p, NULL, z, y, 1, 2);
    ck_assert(isfinite(loss));
    ck_assert_double_eq_tol(loss, log(4.0), 1e-12);
    // 1000 − ln 3 is stored to an ulp of 1000 (1.1e-13): p is that close.
    ck_assert_double_eq_tol(p[0], 0.75, 1e-12);
}
END_TEST

typedef struct {
    double *z;
    const int *y;
    int n, k;
} Loss;

static double loss(void *ctx, double *scale) {
    Loss *l = ctx;
    double p[32];
    return softmax_ce_forward(p, scale, l->z, l->y, l->n, l->k);
}

static Verdict check(const double *analytic, double *z, const int *y, int n, int k) {
    Loss l = {z, y, n, k};
    Objective obj = {.whole = loss, .ctx = &l};
    NumericalDerivative num[32];
    numerical_gradient_bounded_smooth(num, z, n * k, &obj);
    return compare_bounded(analytic, num, NULL, NULL, n * k, GRADCHECK_REL_TOL).verdict;
}

START_TEST(test_finite_differences_catch_missing_mean) {
    double z[] = {0.5, -1, 2, 0.1, 0.3, -0.7, 1.2, 0.9, -2, 0, 0.4, 0.6};
    const int y[] = {2, 0, 3};
    double p[12], dz[12] = {0}, wrong[12];
    softmax_ce_forward(p, NULL, z, y, 3, 4);
    softmax_ce_backward(dz, p, y, 3, 4);
    ck_assert_int_eq(check(dz, z, y, 3, 4), VERDICT_PASS);
    for (int k = 0; k < 12; k++) wrong[k] = dz[k] * 3; // p − onehot, not divided by N
    ck_assert_int_eq(check(wrong, z, y, 3, 4), VERDICT_FAIL);
}
END_TEST

Suite *make_softmax_ce_suite(void) {
    Suite *s = suite_create("softmax_ce");
    TCase *t = tcase_create("softmax_ce");
    tcase_add_test(t, test_by_hand);
    tcase_add_test(t, test_shift_survives_overflow);
    tcase_add_test(t, test_finite_differences_catch_missing_mean);
    suite_add_tcase(s, t);
    return s;
}
