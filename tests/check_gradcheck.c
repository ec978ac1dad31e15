// The gradient checker (src/gradcheck.c): the relative-error formula on
// hand-computed cases, central differences on functions whose gradients are
// known in closed form, parameters restored bit for bit, and — the point of
// the whole workbook — a right gradient PASSES while wrong ones FAIL.
#include <check.h>
#include <math.h>
#include <string.h>

#include "gradcheck.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

// ---------------------------------------------------------------- formula

typedef struct {
    double a, n, rel;
} RelCase;

// rel = |a − n| / max(|a| + |n|, 1e-300), by hand:
static const RelCase REL[] = {
    {1, 1, 0},                    // 0 / 2
    {1, 0, 1},                    // 1 / 1
    {0, 0, 0},                    // 0 / 1e-300: defined, not NaN
    {3, 1, 0.5},                  // 2 / 4
    {-1, 1, 1},                   // 2 / 2: a sign flip is the worst case
    {2, 2.5, 0.5 / 4.5},          // 0.5 / 4.5 = 0.111...
    {-4, -3, 1.0 / 7.0},          // 1 / 7
    {100, 101, 1.0 / 201.0},      // off by 1%: rel ≈ 0.005, far above 1e-6
    {1e-310, 0, 1e-310 / 1e-300}, // a subnormal: the floor 1e-300 divides
};

START_TEST(test_relative_error_by_hand) {
    const RelCase *c = &REL[_i];
    double got = relative_error(c->a, c->n);
    ck_assert_msg(fabs(got - c->rel) <= 1e-15 * fmax(1.0, c->rel), "rel(%g, %g) = %.17g, expected %.17g", c->a,
                  c->n, got, c->rel);
    ck_assert_double_eq(relative_error(c->n, c->a), got); // symmetric
}
END_TEST

START_TEST(test_entry_passes) {
    // 1 vs 1 + 1e-7: rel = 1e-7 / 2 = 5e-8 ≤ 1e-6.
    ck_assert(gradient_entry_passes(1.0, 1.0 + 1e-7, GRADCHECK_REL_TOL));
    // 1 vs 1.01: rel = 0.01 / 2.01 = 5e-3 > 1e-6.
    ck_assert(!gradient_entry_passes(1.0, 1.01, GRADCHECK_REL_TOL));
    // 1e-10 vs 2e-9: rel = 1.9e-9 / 2.1e-9 = 0.9, but |a − n| = 1.9e-9 is
    // under the round-off floor 1e-8, so the two cannot be told apart.
    ck_assert(gradient_entry_passes(1e-10, 2e-9, GRADCHECK_REL_TOL));
    // 0 vs 2e-8: over the floor and rel = 1: fails.
    ck_assert(!gradient_entry_passes(0.0, 2e-8, GRADCHECK_REL_TOL));
}
END_TEST

// ---------------------------------------------------------------- numerical

// L = Σ a_k θ_k², ∂L/∂θ_k = 2 a_k θ_k.
typedef struct {
    const double *a;
    const double *theta;
    int n, calls;
} Quadratic;

static double quadratic_loss(void *ctx) {
    Quadratic *q = ctx;
    q->calls++;
    double sum = 0;
    for (int k = 0; k < q->n; k++) sum += q->a[k] * q->theta[k] * q->theta[k];
    return sum;
}

// A central difference is exact for a quadratic up to round-off:
// ε·|L|/h ≈ 2.2e-16 · 40 / 1e-6 ≈ 1e-8 with h scaled by max(1, |θ|).
#define QUADRATIC_ABS_TOL 1e-7

START_TEST(test_numerical_gradient_quadratic) {
    const double a[4] = {1, 2, -0.5, 4};
    double theta[4] = {0.5, -1.5, 3.0, 0.0};
    // 2·1·0.5 = 1, 2·2·(−1.5) = −6, 2·(−0.5)·3 = −3, 2·4·0 = 0
    const double want[4] = {1, -6, -3, 0};
    Quadratic q = {a, theta, 4, 0};
    double g[4];
    numerical_gradient(g, theta, 4, quadratic_loss, &q, GRADCHECK_H);
    for (int k = 0; k < 4; k++) ck_assert_double_eq_tol(g[k], want[k], QUADRATIC_ABS_TOL);
    ck_assert_int_eq(q.calls, 8); // two loss calls per entry
}
END_TEST

// L = sin(θ0)·θ1: ∂L/∂θ0 = cos(θ0)·θ1, ∂L/∂θ1 = sin(θ0). Truncation is
// h²/6·|L'''| ≈ 1e-12 and round-off ≈ 1e-10: 1e-7 is a safe bound.
#define SIN_ABS_TOL 1e-7

static double sin_loss(void *ctx) {
    const double *t = ctx;
    return sin(t[0]) * t[1];
}

START_TEST(test_numerical_gradient_sin_product) {
    double theta[2] = {0.7, -2.0};
    double g[2];
    numerical_gradient(g, theta, 2, sin_loss, theta, GRADCHECK_H);
    ck_assert_double_eq_tol(g[0], cos(0.7) * -2.0, SIN_ABS_TOL);
    ck_assert_double_eq_tol(g[1], sin(0.7), SIN_ABS_TOL);
    // A coarser step is settable and is visibly less accurate: h = 1e-2
    // truncates by h²/6·|cos θ0·θ1| ≈ 2.5e-5 on ∂L/∂θ0.
    numerical_gradient(g, theta, 2, sin_loss, theta, 1e-2);
    double err = fabs(g[0] - cos(0.7) * -2.0);
    ck_assert_double_gt(err, 1e-6);
    ck_assert_double_lt(err, 1e-4);
}
END_TEST

// Values where "+h, −2h, +h" would not come back to the same bits.
START_TEST(test_numerical_gradient_restores_bits) {
    double theta[5] = {0.1, 1.0 / 3.0, -7.3e-5, 12345.678, 1e-300};
    double saved[5];
    memcpy(saved, theta, sizeof theta);
    const double a[5] = {1, 1, 1, 1, 1};
    Quadratic q = {a, theta, 5, 0};
    double g[5];
    numerical_gradient(g, theta, 5, quadratic_loss, &q, GRADCHECK_H);
    ck_assert_int_eq(memcmp(theta, saved, sizeof theta), 0);
}
END_TEST

// ---------------------------------------------------------------- compare

// The analytic gradient of the quadratic test function above, and three
// classic mistakes made from it.
static const double RIGHT[4] = {1, -6, -3, 0.25};

START_TEST(test_compare_passes_right_gradient) {
    double numerical[4];
    for (int k = 0; k < 4; k++) numerical[k] = RIGHT[k] * (1 + 1e-9); // what central differences give
    CheckSummary s = compare_gradients(RIGHT, numerical, NULL, 4, GRADCHECK_REL_TOL);
    ck_assert(s.passed);
    ck_assert_int_eq(s.failed, 0);
    ck_assert_int_eq(s.n, 4);
    ck_assert_int_eq(s.skipped, 0);
    ck_assert_double_lt(s.max_rel_error, 1e-9);
    ck_assert_double_eq(s.tolerance, GRADCHECK_REL_TOL);
    // The largest absolute error is on the largest entry: 6·1e-9.
    ck_assert_double_eq_tol(s.max_abs_error, 6e-9, 1e-14);
}
END_TEST

typedef struct {
    const char *mistake;
    double analytic[4];
    int failed, worst; // worst −1: entries tie up to rounding, any may be reported
    double max_rel;
} WrongCase;

// Against the true gradient RIGHT as the numerical side:
static const WrongCase WRONG[] = {
    // every entry 1% too big: rel = 0.01/2.01 on each
    {"off by 1%", {1.01, -6.06, -3.03, 0.2525}, 4, -1, 0.01 / 2.01},
    // one sign flipped: rel = 12/12 = 1 at entry 1
    {"sign flip", {1, 6, -3, 0.25}, 1, 1, 1.0},
    // entries 0 and 3 swapped: rel = 0.75/1.25 = 0.6 at both, worst the first
    {"swapped entries", {0.25, -6, -3, 1}, 2, 0, 0.6},
    // the factor 2 of d(θ²)/dθ forgotten: rel = 1/3 everywhere
    {"missing factor 2", {0.5, -3, -1.5, 0.125}, 4, 0, 1.0 / 3.0},
};

START_TEST(test_compare_fails_wrong_gradient) {
    const WrongCase *c = &WRONG[_i];
    CheckSummary s = compare_gradients(c->analytic, RIGHT, NULL, 4, GRADCHECK_REL_TOL);
    ck_assert_msg(!s.passed, "%s passed the check", c->mistake);
    ck_assert_int_eq(s.failed, c->failed);
    if (c->worst >= 0) ck_assert_int_eq(s.worst, c->worst);
    ck_assert_int_ge(s.worst, 0);
    ck_assert_msg(fabs(s.max_rel_error - c->max_rel) <= 1e-12, "%s: max rel %.17g, expected %.17g", c->mistake,
                  s.max_rel_error, c->max_rel);
}
END_TEST

START_TEST(test_skip_mask_counts_and_never_fails) {
    // Entry 1 sits on a kink where finite differences say −100: skipped.
    const double analytic[3] = {1, 5, 3}, numerical[3] = {1, -100, 3};
    const bool skip[3] = {false, true, false};
    CheckSummary s = compare_gradients(analytic, numerical, skip, 3, GRADCHECK_REL_TOL);
    ck_assert(s.passed);
    ck_assert_int_eq(s.skipped, 1);
    ck_assert_int_eq(s.failed, 0);
    ck_assert_double_eq(s.max_abs_error, 0);
    ck_assert_int_ne(s.worst, 1);
    // Without the mask the same numbers fail.
    ck_assert(!compare_gradients(analytic, numerical, NULL, 3, GRADCHECK_REL_TOL).passed);
    // A skip does not hide a real mistake elsewhere.
    const double wrong[3] = {1, 5, -3};
    CheckSummary w = compare_gradients(wrong, numerical, skip, 3, GRADCHECK_REL_TOL);
    ck_assert(!w.passed);
    ck_assert_int_eq(w.failed, 1);
    ck_assert_int_eq(w.worst, 2);
    // Everything skipped: nothing compared, nothing failed.
    const bool all[3] = {true, true, true};
    CheckSummary none = compare_gradients(wrong, numerical, all, 3, GRADCHECK_REL_TOL);
    ck_assert(none.passed);
    ck_assert_int_eq(none.skipped, 3);
    ck_assert_int_eq(none.worst, -1);
}
END_TEST

// ---------------------------------------------------------------- directional

// L = Σ a_k θ_k² over two blocks (3 + 2 parameters).
typedef struct {
    double *p1, *p2;
    int calls;
} TwoBlocks;

static const double A1[3] = {1, -2, 0.5}, A2[2] = {3, 1.5};

static double two_block_loss(void *ctx) {
    TwoBlocks *t = ctx;
    t->calls++;
    double sum = 0;
    for (int k = 0; k < 3; k++) sum += A1[k] * t->p1[k] * t->p1[k];
    for (int k = 0; k < 2; k++) sum += A2[k] * t->p2[k] * t->p2[k];
    return sum;
}

typedef struct {
    double p1[3], p2[2], g1[3], g2[2];
} DirFixture;

// θ1 = (0.3, −1.1, 2.0), θ2 = (0.7, −0.4); ∂L/∂θ = 2 a θ:
// g1 = (0.6, 4.4, 2.0), g2 = (4.2, −1.2).
static DirFixture dir_fixture(void) {
    return (DirFixture){{0.3, -1.1, 2.0}, {0.7, -0.4}, {0.6, 4.4, 2.0}, {4.2, -1.2}};
}

static DirectionalResult run_directional(DirFixture *f, uint64_t seed, int *calls) {
    TwoBlocks t = {f->p1, f->p2, 0};
    ParamBlock blocks[2] = {{f->p1, f->g1, 3}, {f->p2, f->g2, 2}};
    double scratch[5];
    DirectionalResult r =
        directional_check(blocks, 2, two_block_loss, &t, GRADCHECK_H, seed, GRADCHECK_REL_TOL, scratch);
    if (calls) *calls = t.calls;
    return r;
}

START_TEST(test_directional_passes_right_gradient) {
    DirFixture f = dir_fixture();
    int calls;
    DirectionalResult r = run_directional(&f, 11, &calls);
    ck_assert_msg(r.passed, "right gradient failed: analytic %.17g numerical %.17g", r.analytic, r.numerical);
    ck_assert_int_eq(calls, 2);
    ck_assert_double_eq(r.tolerance, GRADCHECK_REL_TOL);
    ck_assert_double_eq(r.abs_error, fabs(r.analytic - r.numerical));
    ck_assert_double_eq(r.rel_error, relative_error(r.analytic, r.numerical));
    // u is a unit vector, so |∇L·u| ≤ |∇L| = sqrt(0.36 + 19.36 + 4 + 17.64 + 1.44) = sqrt(42.8).
    ck_assert_double_le(fabs(r.analytic), sqrt(42.8));
    ck_assert_double_gt(fabs(r.analytic), 1e-3); // a real test, not 0 vs 0
}
END_TEST

typedef struct {
    const char *mistake;
    int block, entry;
    double value;
} DirWrongCase;

static const DirWrongCase DIR_WRONG[] = {
    {"sign flip in block 1", 0, 1, -4.4},
    {"1% off in block 2", 1, 0, 4.2 * 1.01},
    {"missing factor 2", 0, 2, 1.0},
};

START_TEST(test_directional_fails_wrong_gradient) {
    const DirWrongCase *c = &DIR_WRONG[_i];
    DirFixture f = dir_fixture();
    (c->block == 0 ? f.g1 : f.g2)[c->entry] = c->value;
    // Each mistake moves ∇L·u by |Δg·u_k|; for these seeds u_k is not tiny,
    // so the relative error is far above 1e-6.
    DirectionalResult r = run_directional(&f, 11, NULL);
    ck_assert_msg(!r.passed, "%s passed: analytic %.17g numerical %.17g", c->mistake, r.analytic, r.numerical);
    ck_assert_double_gt(r.rel_error, 1e-4);
}
END_TEST

START_TEST(test_directional_restores_and_repeats) {
    DirFixture f = dir_fixture(), saved = dir_fixture();
    DirectionalResult a = run_directional(&f, 2024, NULL);
    ck_assert_int_eq(memcmp(f.p1, saved.p1, sizeof f.p1), 0);
    ck_assert_int_eq(memcmp(f.p2, saved.p2, sizeof f.p2), 0);
    DirectionalResult b = run_directional(&f, 2024, NULL);
    ck_assert_int_eq(memcmp(&a.analytic, &b.analytic, sizeof(double)), 0);
    ck_assert_int_eq(memcmp(&a.numerical, &b.numerical, sizeof(double)), 0);
    // Another seed is another direction.
    DirectionalResult c = run_directional(&f, 2025, NULL);
    ck_assert_double_ne(a.analytic, c.analytic);
    ck_assert(c.passed);
}
END_TEST

// For a linear loss L = c·θ the directional derivative is c·u whatever u is;
// with the gradient c, numerical and analytic agree, and the check is
// indifferent to where θ sits (here at huge values, 1e6).
static double linear_loss(void *ctx) {
    const double *t = ctx;
    return 2.0 * t[0] - 3.0 * t[1];
}

START_TEST(test_directional_linear) {
    double theta[2] = {1e6, -1e6};
    const double grad[2] = {2.0, -3.0};
    ParamBlock b = {theta, grad, 2};
    double scratch[2];
    DirectionalResult r = directional_check(&b, 1, linear_loss, theta, GRADCHECK_H, 3, 1e-3, scratch);
    ck_assert(r.passed);
    ck_assert_double_le(fabs(r.analytic), sqrt(13.0)); // |c| = sqrt(4 + 9)
    ck_assert_double_eq(theta[0], 1e6);
    ck_assert_double_eq(theta[1], -1e6);
}
END_TEST

Suite *make_gradcheck_suite(void) {
    Suite *s = suite_create("gradcheck");
    TCase *tc = tcase_create("formula");
    tcase_add_loop_test(tc, test_relative_error_by_hand, 0, COUNT(REL));
    tcase_add_test(tc, test_entry_passes);
    suite_add_tcase(s, tc);
    TCase *num = tcase_create("numerical");
    tcase_add_test(num, test_numerical_gradient_quadratic);
    tcase_add_test(num, test_numerical_gradient_sin_product);
    tcase_add_test(num, test_numerical_gradient_restores_bits);
    tcase_add_test(num, test_compare_passes_right_gradient);
    tcase_add_loop_test(num, test_compare_fails_wrong_gradient, 0, COUNT(WRONG));
    tcase_add_test(num, test_skip_mask_counts_and_never_fails);
    suite_add_tcase(s, num);
    TCase *dir = tcase_create("directional");
    tcase_add_test(dir, test_directional_passes_right_gradient);
    tcase_add_loop_test(dir, test_directional_fails_wrong_gradient, 0, COUNT(DIR_WRONG));
    tcase_add_test(dir, test_directional_restores_and_repeats);
    tcase_add_test(dir, test_directional_linear);
    suite_add_tcase(s, dir);
    return s;
}
