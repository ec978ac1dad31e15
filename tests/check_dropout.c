// Inverted dropout (src/layers/dropout.h): the mask holds only 0 and
// 1/(1 − q), the same seed gives the same mask, the kept fraction is near
// 1 − q, forward and backward by hand, and a bounded finite-difference check
// with the mask fixed that passes the right gradient and fails one without
// the scale.
#include <check.h>
#include <math.h>

#include "dropout.h"
#include "gradcheck.h"

START_TEST(test_mask) {
    enum { N = 4000 };
    static double a[N], b[N];
    dropout_mask(a, N, 0.25, 7);
    dropout_mask(b, N, 0.25, 7);
    int kept = 0;
    for (int k = 0; k < N; k++) {
        ck_assert(a[k] == 0.0 || a[k] == 4.0 / 3.0);
        ck_assert(a[k] == b[k]);
        kept += a[k] != 0.0;
    }
    // Binomial(4000, 0.75): standard deviation 27; 6 of them is 164.
    ck_assert_int_gt(kept, 3000 - 164);
    ck_assert_int_lt(kept, 3000 + 164);
}
END_TEST

START_TEST(test_by_hand) {
    const double mask[] = {2, 0, 2, 0}, x[] = {1, 2, 3, 4}, g[] = {0.5, 0.5, -1, 1};
    double y[4], dx[4] = {1, 1, 1, 1};
    dropout_forward(y, x, mask, 4);
    dropout_backward(dx, g, mask, 4);
    const double wy[] = {2, 0, 6, 0}, wdx[] = {2, 1, -1, 1};
    for (int k = 0; k < 4; k++) {
        ck_assert_double_eq(y[k], wy[k]);
        ck_assert_double_eq(dx[k], wdx[k]);
    }
}
END_TEST

typedef struct {
    double *x;
    const double *g, *mask;
    int n;
} Loss;

static double loss(void *ctx, double *scale) {
    Loss *l = ctx;
    double y[16], s = 0, m = 0;
    dropout_forward(y, l->x, l->mask, l->n);
    for (int k = 0; k < l->n; k++) s += l->g[k] * y[k], m += fabs(l->g[k] * y[k]);
    *scale = m;
    return s;
}

START_TEST(test_finite_differences_catch_missing_scale) {
    double x[16], g[16], mask[16], dx[16] = {0}, wrong[16];
    for (int k = 0; k < 16; k++) x[k] = 0.3 * k - 2, g[k] = 1.0 - 0.2 * k;
    dropout_mask(mask, 16, 0.5, 3);
    dropout_backward(dx, g, mask, 16);
    for (int k = 0; k < 16; k++) wrong[k] = mask[k] != 0.0 ? g[k] : 0.0; // mask without 1/(1 − q)
    Loss l = {x, g, mask, 16};
    Objective obj = {.whole = loss, .ctx = &l};
    NumericalDerivative num[16];
    numerical_gradient_bounded_smooth(num, x, 16, &obj);
    ck_assert_int_eq(compare_bounded(dx, num, NULL, NULL, 16, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
    ck_assert_int_eq(compare_bounded(wrong, num, NULL, NULL, 16, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
}
END_TEST

Suite *make_dropout_suite(void) {
    Suite *s = suite_create("dropout");
    TCase *t = tcase_create("dropout");
    tcase_add_test(t, test_mask);
    tcase_add_test(t, test_by_hand);
    tcase_add_test(t, test_finite_differences_catch_missing_scale);
    suite_add_tcase(s, t);
    return s;
}
