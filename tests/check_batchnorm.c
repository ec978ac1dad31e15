// Batch normalisation (src/layers/batchnorm.h): training-mode values by hand,
// the closed-form backward checked by bounded finite differences (and a
// backward without the batch-mean terms shown to fail), dγ and dβ by hand,
// and the running averages and test mode by hand.
#include <check.h>
#include <math.h>

#include "batchnorm.h"
#include "gradcheck.h"

// One feature, x = [1, 2, 3, 6]: μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5;
// with ε = 0, x̂ = (x − 3)/√3.5, y = 2x̂ + 1.
START_TEST(test_forward_by_hand) {
    const double x[] = {1, 2, 3, 6}, gamma[] = {2}, beta[] = {1};
    double y[4], xhat[4], mean, var;
    batchnorm_forward_train(y, xhat, &mean, &var, x, gamma, beta, 4, 1, 0.0);
    ck_assert_double_eq_tol(mean, 3, 1e-15);
    ck_assert_double_eq_tol(var, 3.5, 1e-15);
    for (int b = 0; b < 4; b++) {
        ck_assert_double_eq_tol(xhat[b], (x[b] - 3) / sqrt(3.5), 1e-15);
        ck_assert_double_eq_tol(y[b], 2 * (x[b] - 3) / sqrt(3.5) + 1, 1e-14);
    }
    // dy = [1, 0, 0, 0]: dβ = 1, dγ = x̂_0 = −2/√3.5;
    // dx_0 = (γ/σ)/4 · (4 − 1 − x̂_0²) = (2/√3.5)/4 · (3 − 4/3.5).
    const double dy[] = {1, 0, 0, 0};
    double dx[4] = {0}, dg = 0, db = 0;
    batchnorm_backward(dx, &dg, &db, dy, xhat, &var, gamma, 4, 1, 0.0);
    ck_assert_double_eq_tol(db, 1, 1e-15);
    ck_assert_double_eq_tol(dg, -2 / sqrt(3.5), 1e-15);
    ck_assert_double_eq_tol(dx[0], 2 / sqrt(3.5) / 4 * (3 - 4 / 3.5), 1e-14);
    double sum = 0;
    for (int b = 0; b < 4; b++) sum += dx[b];
    ck_assert_double_eq_tol(sum, 0, 1e-14); // shifting every x alike changes nothing
}
END_TEST

enum { N = 5, D = 3 };
static const double EPS = 1e-5;

typedef struct {
    double *x;
    const double *g, *gamma, *beta;
} Loss;

static double loss(void *ctx, double *scale) {
    Loss *l = ctx;
    double y[N * D], xhat[N * D], mean[D], var[D], s = 0, m = 0;
    batchnorm_forward_train(y, xhat, mean, var, l->x, l->gamma, l->beta, N, D, EPS);
    for (int k = 0; k < N * D; k++) s += l->g[k] * y[k], m += fabs(l->g[k] * y[k]);
    *scale = m;
    return s;
}

START_TEST(test_finite_differences_catch_dropped_mean_terms) {
    double x[N * D], g[N * D], gamma[D] = {1.5, -0.5, 2}, beta[D] = {0.1, 0.2, -0.3};
    for (int k = 0; k < N * D; k++) x[k] = sin(1.3 * k) * 2 + 0.1 * k, g[k] = cos(0.7 * k);
    double y[N * D], xhat[N * D], mean[D], var[D], dx[N * D] = {0}, dg[D] = {0}, db[D] = {0};
    batchnorm_forward_train(y, xhat, mean, var, x, gamma, beta, N, D, EPS);
    batchnorm_backward(dx, dg, db, g, xhat, var, gamma, N, D, EPS);
    // Without Σdy and x̂·Σ(dy·x̂): dx = γ/σ · dy, as if μ and σ were constants.
    double wrong[N * D];
    for (int k = 0; k < N * D; k++) wrong[k] = gamma[k % D] / sqrt(var[k % D] + EPS) * g[k];
    Loss l = {x, g, gamma, beta};
    Objective obj = {.whole = loss, .ctx = &l};
    NumericalDerivative num[N * D];
    numerical_gradient_bounded_smooth(num, x, N * D, &obj);
    ck_assert_int_eq(compare_bounded(dx, num, NULL, NULL, N * D, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
    ck_assert_int_eq(compare_bounded(wrong, num, NULL, NULL, N * D, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    // dγ and dβ by their definitions.
    for (int f = 0; f < D; f++) {
        double sg = 0, sb = 0;
        for (int b = 0; b < N; b++) sg += g[b * D + f] * xhat[b * D + f], sb += g[b * D + f];
        ck_assert_double_eq_tol(dg[f], sg, 1e-14);
        ck_assert_double_eq_tol(db[f], sb, 1e-14);
    }
}
END_TEST

// μ = 3, σ² = 3.5 (N = 4, unbiased 14/3) from run = (0, 1), m = 0.1:
// run_mean = 0.3, run_var = 0.9 + 0.1·14/3; test mode uses those.
START_TEST(test_running_averages) {
    double rm = 0, rv = 1;
    const double mean = 3, var = 3.5;
    batchnorm_update_running(&rm, &rv, &mean, &var, 4, 1, 0.1);
    ck_assert_double_eq_tol(rm, 0.3, 1e-15);
    ck_assert_double_eq_tol(rv, 0.9 + 1.4 / 3, 1e-15);
    const double x[] = {1.3}, gamma[] = {2}, beta[] = {-1};
    double y;
    batchnorm_forward_eval(&y, x, gamma, beta, &rm, &rv, 1, 1, 0.0);
    ck_assert_double_eq_tol(y, 2 * 1.0 / sqrt(0.9 + 1.4 / 3) - 1, 1e-14);
}
END_TEST

Suite *make_batchnorm_suite(void) {
    Suite *s = suite_create("batchnorm");
    TCase *t = tcase_create("batchnorm");
    tcase_add_test(t, test_forward_by_hand);
    tcase_add_test(t, test_finite_differences_catch_dropped_mean_terms);
    tcase_add_test(t, test_running_averages);
    suite_add_tcase(s, t);
    return s;
}
