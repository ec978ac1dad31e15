// ReLU (src/layers/relu.h): values by hand, the mask from the input, the
// kink's convention (slope 0 at 0), accumulation, and a bounded
// finite-difference check that passes the right gradient and fails a
// gradient without the mask.
#include <check.h>
#include <stdbool.h>

#include "gradcheck.h"
#include "relu.h"

START_TEST(test_values_by_hand) {
    const double x[] = {1.5, -2, 0, 0.25};
    double y[4];
    relu_forward(y, x, 4);
    const double want[] = {1.5, 0, 0, 0.25};
    for (int k = 0; k < 4; k++) ck_assert_double_eq(y[k], want[k]);
    // dX = G where X > 0; at X = 0 the slope is taken as 0; += keeps 10.
    const double g[] = {3, 5, 7, -1};
    double dx[4] = {10, 10, 10, 10};
    relu_backward(dx, g, x, 4);
    const double want_dx[] = {13, 10, 10, 9};
    for (int k = 0; k < 4; k++) ck_assert_double_eq(dx[k], want_dx[k]);
}
END_TEST

typedef struct {
    double *x;
    const double *g;
    int n;
} Loss;

// L = Σ g·relu(x); scale Σ|g·relu(x)|.
static double loss(void *ctx, double *scale) {
    Loss *l = ctx;
    double s = 0, m = 0, y[8];
    relu_forward(y, l->x, l->n);
    for (int k = 0; k < l->n; k++) s += l->g[k] * y[k], m += fabs(l->g[k] * y[k]);
    *scale = m;
    return s;
}

static Verdict check(const double *analytic, double *x, const double *g, int n) {
    Loss l = {x, g, n};
    Objective obj = {.whole = loss, .ctx = &l};
    NumericalDerivative num[8];
    numerical_gradient_bounded(num, x, n, &obj);
    return compare_bounded(analytic, num, NULL, NULL, n, GRADCHECK_REL_TOL).verdict;
}

START_TEST(test_finite_differences_catch_missing_mask) {
    double x[] = {0.7, -1.2, 2.5, -0.3, 1.1, -0.05};
    const double g[] = {1, -2, 0.5, 3, -1.5, 2};
    double dx[6] = {0}, wrong[6];
    relu_backward(dx, g, x, 6);
    ck_assert_int_eq(check(dx, x, g, 6), VERDICT_PASS);
    for (int k = 0; k < 6; k++) wrong[k] = g[k]; // no mask
    ck_assert_int_eq(check(wrong, x, g, 6), VERDICT_FAIL);
}
END_TEST

Suite *make_relu_suite(void) {
    Suite *s = suite_create("relu");
    TCase *t = tcase_create("relu");
    tcase_add_test(t, test_values_by_hand);
    tcase_add_test(t, test_finite_differences_catch_missing_mask);
    suite_add_tcase(s, t);
    return s;
}
