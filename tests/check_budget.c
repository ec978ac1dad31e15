// The work budget (src/check/budget.h): the decision between a full and a sampled
// check, the seeded sample, one-entry bounded derivatives that agree with
// the block version, and the directional derivative on a loss whose
// derivative is known by hand.
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "arraylen.h"
#include "budget.h"

// The plan: small checks are full; big ones sample CHECK_SAMPLE_ENTRIES (or
// fewer when one entry is already expensive); --check-all forces all.
START_TEST(test_plan_decides) {
    CheckPlan p = check_plan(100, 10, false);
    ck_assert(!p.sampled);
    ck_assert_int_eq(p.keep, 100);
    p = check_plan(1000000, 1000, false); // 8e9 operations
    ck_assert(p.sampled);
    ck_assert_int_eq(p.keep, CHECK_SAMPLE_ENTRIES);
    p = check_plan(1000000, 1000, true);
    ck_assert(!p.sampled);
    ck_assert_int_eq(p.keep, 1000000);
    p = check_plan(10, 1e9, false); // one entry costs 8e9: still one is checked
    ck_assert(p.sampled);
    ck_assert_int_eq(p.keep, 1);
}
END_TEST

// The same seed gives the same sample, in increasing order; another seed another.
START_TEST(test_sample_is_seeded) {
    CheckPlan p = check_plan(100000, 1e5, false);
    ck_assert(p.sampled);
    int *a = malloc(100000 * sizeof *a), *b = malloc(100000 * sizeof *b), *c = malloc(100000 * sizeof *c);
    ck_assert(a && b && c);
    int na = check_plan_entries(a, &p, 1), nb = check_plan_entries(b, &p, 1), nc = check_plan_entries(c, &p, 2);
    ck_assert_int_eq(na, p.keep);
    ck_assert_int_eq(nb, na);
    ck_assert_int_eq(nc, na);
    int same = 0;
    for (int k = 0; k < na; k++) {
        ck_assert_int_eq(a[k], b[k]);
        if (k) ck_assert_int_lt(a[k - 1], a[k]);
        same += a[k] == c[k];
    }
    ck_assert_int_lt(same, na);
    free(a);
    free(b);
    free(c);
}
END_TEST

// L(θ) = Σ_k (k + 1)·θ_k³: ∂L/∂θ_k = 3(k + 1)θ_k², and along u,
// d/dt L(θ + t u) = Σ 3(k + 1)θ_k² u_k.
static double cubic(void *ctx, double *scale) {
    const double *t = ctx;
    double s = 0.0;
    *scale = 0.0;
    for (int k = 0; k < 4; k++) {
        s += (k + 1) * t[k] * t[k] * t[k];
        *scale += fabs((k + 1) * t[k] * t[k] * t[k]);
    }
    return s;
}

START_TEST(test_entries_and_direction_by_hand) {
    double theta[4] = {0.5, -1, 2, 0.25}, u[4] = {1, -0.5, 0.25, 2}, saved[4];
    Objective obj = {cubic, NULL, theta};
    const int idx[] = {1, 3};
    NumericalDerivative num[2];
    numerical_gradient_at(num, theta, idx, 2, &obj);
    for (int s = 0; s < 2; s++) {
        int k = idx[s];
        double want = 3.0 * (k + 1) * theta[k] * theta[k];
        ck_assert_msg(fabs(num[s].value - want) <= num[s].bound + 1e-9 * fabs(want), "entry %d", k);
    }
    double grad[4];
    for (int k = 0; k < 4; k++) grad[k] = 3.0 * (k + 1) * theta[k] * theta[k];
    ParamBlock block = {theta, grad, 4};
    NumericalDerivative d = directional_derivative_along(&block, 1, u, &obj, saved);
    double want = 0.0;
    for (int k = 0; k < 4; k++) want += grad[k] * u[k];
    ck_assert_msg(fabs(d.value - want) <= d.bound + 1e-9 * fabs(want), "%.17g vs %.17g", d.value, want);
    // A wrong directional gradient (u_k dropped for one k) is far outside the bound.
    ck_assert(fabs(d.value - (want - 3.0 * 4 * theta[3] * theta[3] * u[3])) > 100 * d.bound);
    // θ is restored exactly.
    ck_assert_double_eq(theta[0], 0.5);
    ck_assert_double_eq(theta[3], 0.25);
}
END_TEST

Suite *make_budget_suite(void) {
    Suite *s = suite_create("budget");
    TCase *t = tcase_create("budget");
    tcase_add_test(t, test_plan_decides);
    tcase_add_test(t, test_sample_is_seeded);
    tcase_add_test(t, test_entries_and_direction_by_hand);
    suite_add_tcase(s, t);
    return s;
}
