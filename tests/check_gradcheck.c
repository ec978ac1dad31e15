// The gradient checker (src/check/gradcheck.c): the relative-error formula on
// hand-computed cases, central differences on functions whose gradients are
// known in closed form, parameters restored bit for bit, and — the point of
// the whole workbook — a right gradient PASSES while wrong ones FAIL.
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "gradcheck_problems.h"

// ---------------------------------------------------------------- formula

typedef struct {
    double a, n, rel;
} RelCase;

// rel = |a − n| / max(|a|, |n|, 1e-300), by hand (the definition chapter 0
// and docs/verdicts.md give, and --answer uses):
static const RelCase REL[] = {
    {1, 1, 0},                    // 0 / 1
    {1, 0, 1},                    // 1 / 1
    {0, 0, 0},                    // 0 / 1e-300: defined, not NaN
    {3, 1, 2.0 / 3.0},            // 2 / 3
    {-1, 1, 2},                   // 2 / 1: a sign flip scores 2
    {2, 2.5, 0.2},                // 0.5 / 2.5
    {-4, -3, 0.25},               // 1 / 4
    {100, 101, 1.0 / 101.0},      // off by 1%: rel ≈ 0.01, far above 1e-6
    {2, 1, 0.5},                  // a lost factor 2 scores 0.5
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
    // 1 vs 1 + 1e-7: rel = 1e-7 / (1 + 1e-7) ≈ 1e-7 ≤ 1e-6.
    ck_assert(gradient_entry_passes(1.0, 1.0 + 1e-7, GRADCHECK_REL_TOL));
    // 1 vs 1.01: rel = 0.01 / 1.01 = 9.9e-3 > 1e-6.
    ck_assert(!gradient_entry_passes(1.0, 1.01, GRADCHECK_REL_TOL));
    // 1e-10 vs 2e-9: rel = 1.9e-9 / 2e-9 = 0.95, but |a − n| = 1.9e-9 is
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
    ck_assert_double_le(s.max_rel_error, 1.001e-9); // 1e-9·|a| / max(|a|, |a|(1 + 1e-9)), up to rounding
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
    // every entry 1% too big: rel = 0.01/1.01 on each
    {"off by 1%", {1.01, -6.06, -3.03, 0.2525}, 4, -1, 0.01 / 1.01},
    // one sign flipped: rel = 12/6 = 2 at entry 1
    {"sign flip", {1, 6, -3, 0.25}, 1, 1, 2.0},
    // entries 0 and 3 swapped: rel = 0.75/1 = 0.75 at both, worst the first
    {"swapped entries", {0.25, -6, -3, 1}, 2, 0, 0.75},
    // the factor 2 of d(θ²)/dθ forgotten: rel = 1/2 everywhere
    {"missing factor 2", {0.5, -3, -1.5, 0.125}, 4, 0, 0.5},
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

// ---------------------------------------------------------------- bounded

// Runs the bounded checker on one block and compares it with `analytic`.
static BoundedSummary bounded(double *param, int n, double (*loss)(void *, double *), void *ctx,
                              const double *analytic, const bool *skip, NumericalDerivative *num) {
    Objective obj = {loss, NULL, ctx};
    numerical_gradient_bounded(num, param, n, &obj);
    return compare_bounded(analytic, num, skip, "a tie", n, GRADCHECK_REL_TOL);
}

// Issue 12: chapter 1 with X = 100..900, K = [1 2; 3 4], G = [1 −1; −1 1].
// ∂L/∂K[m,n] = Σ G[i,j]·X[i+m, j+n] = X[m,n] − X[m,n+1] − X[m+1,n] + X[m+1,n+1]
// = 0 for every m, n, since X[i,j] = 100·(3i + j + 1) is linear in i and j.
// The fixed-floor checker called this FAIL (numerical −3e-7).
static XcorrProblem chapter1_zero(void) {
    XcorrProblem p = {.h = 3, .w = 3, .kh = 2, .kw = 2, .k = {1, 2, 3, 4}, .g = {1, -1, -1, 1}};
    for (int e = 0; e < 9; e++) p.x[e] = 100.0 * (e + 1);
    return p;
}

START_TEST(test_exact_zero_gradient_passes) {
    XcorrProblem p = chapter1_zero();
    double dk[4], dx[9];
    xcorr_grads(&p, dk, dx);
    for (int e = 0; e < 4; e++) ck_assert_double_eq(dk[e], 0.0); // the hand derivation above
    NumericalDerivative num[4];
    BoundedSummary s = bounded(p.k, 4, xcorr_loss, &p, dk, NULL, num);
    ck_assert_msg(s.verdict == VERDICT_PASS, "verdict %s, bound %g", verdict_name(s.verdict), num[0].bound);
    ck_assert_int_eq(s.compared, 4);
    ck_assert_int_eq(p.calls, 16); // 4 evaluations per entry
    // The loss is linear in K, so the smooth variant may try a larger step:
    // once for the block (a zero within the bound might hide a small
    // derivative; the entries after the first start from the larger step;
    // a step at which L does not move at all jumps once more).
    NumericalDerivative smooth[4];
    Objective obj = {xcorr_loss, NULL, &p};
    numerical_gradient_bounded_smooth(smooth, p.k, 4, &obj);
    ck_assert_int_eq(p.calls, 16 + 24);
    ck_assert_int_le(smooth[1].evaluations, 8);
    ck_assert_double_lt(smooth[0].bound, num[0].bound);
    ck_assert_int_eq(compare_bounded(dk, smooth, NULL, NULL, 4, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
    // A wrong gradient here (G forgotten: dK = window sums of X, 1200 1600;
    // 2400 2800) fails, and so does one off by 1e-3 absolute.
    const double no_g[4] = {1200, 1600, 2400, 2800}, tiny[4] = {1e-3, 0, 0, 0};
    ck_assert_int_eq(compare_bounded(no_g, num, NULL, NULL, 4, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    ck_assert_int_eq(compare_bounded(tiny, num, NULL, NULL, 4, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
}
END_TEST

// Issue 12's false PASS: chapter 1 --bug no-rot180 on inputs of 1e-10. For
// the convolution layer Y = X * K, ∂L/∂K is rot180 of X ⋆ G; forgetting the
// rot180 is 26% off, which the old absolute floor 1e-8 swallowed whole.
START_TEST(test_tiny_inputs_missing_rot180_fails) {
    XcorrProblem p = {.h = 3, .w = 4, .kh = 2, .kw = 2, .convolution = true, .k = {1, 2, 3, 4}, .g = {1, 1, 1, 1, 1, 1},
                      .x = {8e-10, 9e-10, 2e-10, 7e-10, 0, 3e-10, 0, 8e-10, 8e-10, 8e-10, 9e-10, 9e-10}};
    double dk[4], dx[12], wrong[4];
    xcorr_grads(&p, dk, dx);
    for (int e = 0; e < 4; e++) wrong[e] = dk[3 - e]; // rot180 of a 2×2 reverses it
    NumericalDerivative num[4];
    BoundedSummary right = bounded(p.k, 4, xcorr_loss, &p, dk, NULL, num);
    ck_assert_int_eq(right.verdict, VERDICT_PASS);
    BoundedSummary bad = compare_bounded(wrong, num, NULL, NULL, 4, GRADCHECK_REL_TOL);
    ck_assert_int_eq(bad.verdict, VERDICT_FAIL);
    ck_assert_double_gt(bad.max_rel_error, 0.1);
    // The input gradient at that scale too: K's entries are O(1), X's 1e-10.
    NumericalDerivative nx[12];
    ck_assert_int_eq(bounded(p.x, 12, xcorr_loss, &p, dx, NULL, nx).verdict, VERDICT_PASS);
}
END_TEST

// Issue 12: chapter 2 with y = [1 1], z = [−20 9]. In the logits,
// ∂L/∂z = (σ(z) − y)/2 = (−σ(20)/2, −σ(−9)/2); in the probabilities
// ŷ = σ(z), ∂L/∂ŷ = −y/(2ŷ) = (−2.4e8, −0.5000617049), where ŷ₀ = 2.1e-9 is
// far smaller than the usual step.
typedef struct {
    double yhat[2];
    int calls;
} Bce2;

static double bce_prob_loss(void *ctx, double *scale) {
    Bce2 *b = ctx;
    b->calls++;
    double l0 = -log(b->yhat[0]), l1 = -log(b->yhat[1]);
    *scale = (fabs(l0) + fabs(l1)) / 2;
    return (l0 + l1) / 2;
}

START_TEST(test_bce_saturated_passes) {
    DenseProblem d = {.m = 2, .n = 1, .W = {1, 1}, .x = {0}, .b = {-20, 9}, .y = {1, 1}};
    double dW[2], dx[1], db[2], wrong[2];
    dense_grads(&d, dW, dx, db);
    ck_assert_double_eq_tol(db[0], -0.5 / (1 + exp(-20.0)), 1e-16);
    ck_assert_double_eq_tol(db[1], -0.5 / (1 + exp(9.0)), 1e-19);
    NumericalDerivative num[2];
    ck_assert_int_eq(bounded(d.b, 2, dense_loss, &d, db, NULL, num).verdict, VERDICT_PASS);
    wrong[0] = db[0], wrong[1] = -db[1]; // a sign on the nearly saturated entry
    ck_assert_int_eq(compare_bounded(wrong, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);

    Bce2 b = {{1.0 / (1.0 + exp(20.0)), 1.0 / (1.0 + exp(-9.0))}, 0};
    const double dyhat[2] = {-0.5 / b.yhat[0], -0.5 / b.yhat[1]};
    ck_assert_double_eq_tol(dyhat[1], -0.5000617049, 1e-10);
    NumericalDerivative np[2];
    BoundedSummary s = bounded(b.yhat, 2, bce_prob_loss, &b, dyhat, NULL, np);
    ck_assert_msg(s.verdict == VERDICT_PASS, "%s: n = %.17g %.17g", verdict_name(s.verdict), np[0].value,
                  np[1].value);
    ck_assert_double_lt(np[0].step, b.yhat[0]); // shrunk inside log's domain
    const double off[2] = {dyhat[0], dyhat[1] * (1 + 1e-3)};
    ck_assert_int_eq(compare_bounded(off, np, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
}
END_TEST

// Issue 12: a dense layer whose x is near 1e6. The first step moves z by
// about 6, where σ is far from linear; the checker must shrink it.
START_TEST(test_dense_large_inputs_passes) {
    DenseProblem d = {.m = 1, .n = 2, .W = {0.5, -0.5}, .x = {1e6 + 1, 1e6 - 0.5}, .b = {0.1}, .y = {1}};
    double dW[2], dx[2], db[1];
    dense_grads(&d, dW, dx, db);
    NumericalDerivative num[2];
    BoundedSummary s = bounded(d.W, 2, dense_loss, &d, dW, NULL, num);
    ck_assert_msg(s.verdict == VERDICT_PASS, "%s: a %.17g n %.17g bound %g", verdict_name(s.verdict), dW[0],
                  num[0].value, num[0].bound);
    ck_assert_double_lt(num[0].step, 1e-7);
    // The second entry starts from the first one's step and needs fewer
    // attempts (the cancellation in z = W·x leaves 1e-5 at best).
    ck_assert_int_lt(num[1].evaluations, num[0].evaluations);
    const double missing_sigma[2] = {-d.x[0], -d.x[1]}; // (−y)·x: σ forgotten
    ck_assert_int_eq(compare_bounded(missing_sigma, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    const double off[2] = {dW[0] * (1 + 1e-3), dW[1] * (1 + 1e-3)};
    ck_assert_int_eq(compare_bounded(off, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
}
END_TEST

typedef struct {
    const char *what;
    PoolProblem p;
} NearTie;

// Issue 12: unique maxima by margins smaller than the usual step. Every cell
// must be compared (none called a kink) and pass; routing window 1 to the
// runner-up fails.
static const NearTie NEAR_TIES[] = {
    {"X = [0.023 0.014 0.025; 0.027 0.029 0.0290005]",
     {.h = 2, .w = 3, .win = 2, .stride = 1, .x = {0.023, 0.014, 0.025, 0.027, 0.029, 0.0290005}, .g = {1, 2}}},
    {"X = [5 4.999999; 4.999998 1]", {.h = 2, .w = 2, .win = 2, .stride = 1, .x = {5, 4.999999, 4.999998, 1}, .g = {3}}},
};

START_TEST(test_near_tie_is_checked) {
    NearTie t = NEAR_TIES[_i];
    int n = t.p.h * t.p.w;
    double dx[GP_MAX];
    pool_grad(&t.p, dx);
    NumericalDerivative num[GP_MAX];
    BoundedSummary s = bounded(t.p.x, n, pool_loss, &t.p, dx, NULL, num);
    ck_assert_msg(s.verdict == VERDICT_PASS && s.compared == n && s.skipped == 0, "%s: %s, %d compared", t.what,
                  verdict_name(s.verdict), s.compared);
    // The runner-up gets the gradient instead of the maximum.
    double wrong[GP_MAX];
    for (int e = 0; e < n; e++) wrong[e] = dx[e];
    int hi = _i == 0 ? 5 : 0, lo = _i == 0 ? 4 : 1;
    wrong[lo] += wrong[hi], wrong[hi] = 0;
    ck_assert_int_eq(compare_bounded(wrong, num, NULL, NULL, n, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
}
END_TEST

// A real tie marked by the caller is skipped for the caller's reason; a kink
// no step can avoid (one ulp away) is flagged by the checker itself.
static double ulp_kink_loss(void *ctx, double *scale) {
    const double *t = ctx;
    double v = fabs(t[0] - nextafter(1.0, 2.0));
    *scale = v;
    return v;
}

START_TEST(test_ties_and_kinks_are_told_apart) {
    PoolProblem tie = {.h = 1, .w = 2, .win = 1, .stride = 1, .x = {2, 2}, .g = {1, 1}};
    tie.w = 2, tie.win = 2, tie.g[0] = 5; // one window [2 2]: a real tie
    double dx[2];
    pool_grad(&tie, dx);
    const bool skip[2] = {true, true};
    NumericalDerivative num[2];
    BoundedSummary s = bounded(tie.x, 2, pool_loss, &tie, dx, skip, num);
    ck_assert_int_eq(s.verdict, VERDICT_NOTHING_COMPARED);
    ck_assert_int_eq(s.skipped_marked, 2);
    ck_assert_str_eq(s.skip_reason, "a tie");

    double theta[1] = {1.0};
    const double right[1] = {-1.0}; // θ is below the kink: slope −1
    NumericalDerivative k[1];
    BoundedSummary ks = bounded(theta, 1, ulp_kink_loss, theta, right, NULL, k);
    ck_assert(k[0].kink);
    ck_assert_int_eq(ks.skipped_kink, 1);
    ck_assert_str_eq(ks.skip_reason, GRADCHECK_KINK_REASON);
    ck_assert_double_eq(theta[0], 1.0);
}
END_TEST

// A loss whose terms are huge and cancel: its derivative (1) hides under a
// round-off of 1e30·ε. Right and wrong are both INCONCLUSIVE, never PASS.
static double cancelling_loss(void *ctx, double *scale) {
    const double *t = ctx;
    *scale = 2e30;
    return (1e30 + t[0]) - 1e30 + t[0] - t[0];
}

START_TEST(test_unresolvable_is_inconclusive) {
    double theta[1] = {0.5};
    const double right[1] = {1.0}, wrong[1] = {1.001};
    NumericalDerivative num[1];
    BoundedSummary s = bounded(theta, 1, cancelling_loss, theta, right, NULL, num);
    ck_assert_int_eq(s.verdict, VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(s.inconclusive, 1);
    ck_assert_int_eq(s.compared, 0);
    ck_assert_double_gt(s.worst_bound_ratio, GRADCHECK_RESOLVE_FRACTION);
    ck_assert(!s.passed);
    ck_assert_int_ne(compare_bounded(wrong, num, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
}
END_TEST

// A bound that holds: on smooth functions the true error is below it, the
// parameters come back bit for bit, and smooth O(1) entries cost 4 calls.
START_TEST(test_bound_holds_and_restores) {
    DenseProblem d = {.m = 2, .n = 3, .W = {0.3, -1.2, 0.8, 2.0, 0.1, -0.7}, .x = {0.5, -1.5, 2.0}, .b = {0.1, -0.2},
                      .y = {1, 0}};
    DenseProblem saved = d;
    double dW[6], dx[3], db[2];
    dense_grads(&d, dW, dx, db);
    NumericalDerivative num[6];
    Objective obj = {dense_loss, NULL, &d};
    numerical_gradient_bounded(num, d.W, 6, &obj);
    for (int e = 0; e < 6; e++) {
        ck_assert_msg(fabs(num[e].value - dW[e]) <= num[e].bound, "entry %d: error %g > bound %g", e,
                      fabs(num[e].value - dW[e]), num[e].bound);
        ck_assert_double_lt(num[e].bound, 1e-8);
        ck_assert_int_eq(num[e].evaluations, 4);
        ck_assert(!num[e].kink);
    }
    ck_assert_int_eq(d.calls, 24);
    ck_assert_int_eq(memcmp(d.W, saved.W, sizeof d.W), 0);
}
END_TEST

// With a local loss the checker calls local(ctx, k, …) for entry k and never
// whole: 4 calls per entry here, and the same numbers as the whole loss.
typedef struct {
    XcorrProblem p;
    int local_calls, last_k;
} LocalXcorr;

static double local_xcorr(void *ctx, int k, double *scale) {
    LocalXcorr *l = ctx;
    l->local_calls++, l->last_k = k;
    return xcorr_loss(&l->p, scale); // all of L: a valid (if not cheaper) local loss
}

static double never_whole(void *ctx, double *scale) {
    (void)ctx, (void)scale;
    ck_abort_msg("whole() called although local() is given");
    return 0.0;
}

START_TEST(test_local_objective_is_used) {
    LocalXcorr l = {.p = chapter1_zero()};
    l.p.g[1] = 2; // a nonzero gradient: ∂L/∂K[m,n] = X[m,n+1]
    double dk[4], dx[9];
    xcorr_grads(&l.p, dk, dx);
    NumericalDerivative local[4], whole[4];
    Objective lo = {never_whole, local_xcorr, &l}, wh = {xcorr_loss, NULL, &l.p};
    numerical_gradient_bounded(local, l.p.k, 4, &lo);
    ck_assert_int_eq(l.local_calls, 16);
    ck_assert_int_eq(l.last_k, 3);
    numerical_gradient_bounded(whole, l.p.k, 4, &wh);
    for (int e = 0; e < 4; e++) ck_assert_double_eq(local[e].value, whole[e].value);
    ck_assert_int_eq(compare_bounded(dk, local, NULL, NULL, 4, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
}
END_TEST

// Why only the smooth variant grows steps: L = max(θ, 1.0001) + 1e10 at
// θ = 1 (its scale counting |θ| as one of its terms) has derivative 0, and
// round-off (ε·1e10/h) dominates the first step. The plain checker keeps
// steps below the kink 1e-4 away: its bound is too large against the terms
// (|θ|), INCONCLUSIVE, never FAIL. Growing the step (the smooth variant,
// misused on a loss with a max) crosses the kink with both differences,
// Richardson cannot see it, and a right gradient FAILS.
static double max_plus_rest(void *ctx, double *scale) {
    const double *t = ctx;
    double v = fmax(t[0], 1.0001);
    *scale = fabs(v) + fabs(t[0]) + 1e10;
    return v + 1e10;
}

START_TEST(test_steps_grow_only_for_smooth_losses) {
    double theta[1] = {1.0};
    const double right[1] = {0.0};
    NumericalDerivative num[1];
    Objective obj = {max_plus_rest, NULL, theta};
    numerical_gradient_bounded(num, theta, 1, &obj);
    ck_assert_double_lt(num[0].step, 1e-4);
    ck_assert_int_eq(compare_bounded(right, num, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict, VERDICT_INCONCLUSIVE);
    numerical_gradient_bounded_smooth(num, theta, 1, &obj);
    ck_assert_double_gt(num[0].step, 1e-4);
    ck_assert_int_eq(compare_bounded(right, num, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    ck_assert_double_eq(theta[0], 1.0);
}
END_TEST

// compare_bounded's rule on numbers chosen by hand: |a − n| ≤ rtol·max + bound.
START_TEST(test_compare_bounded_rule) {
    NumericalDerivative num[3] = {{.value = 1.0, .bound = 1e-9}, {.value = -2.0, .bound = 1e-9}, {.value = 0.5, .bound = 0}};
    const double ok[3] = {1.0 + 1e-9, -2.0, 0.5};          // 1e-9 ≤ 1e-6·1 + 1e-9
    const double bad[3] = {1.0 + 2e-6, -2.0, 0.5};         // 2e-6 > 1e-6·1.000002 + 1e-9
    BoundedSummary a = compare_bounded(ok, num, NULL, NULL, 3, 1e-6);
    ck_assert_int_eq(a.verdict, VERDICT_PASS);
    ck_assert_int_eq(a.compared, 3);
    ck_assert_double_eq(a.bound, 1e-9);
    BoundedSummary b = compare_bounded(bad, num, NULL, NULL, 3, 1e-6);
    ck_assert_int_eq(b.verdict, VERDICT_FAIL);
    ck_assert_int_eq(b.failed, 1);
    ck_assert_int_eq(b.worst, 0);
    ck_assert_str_eq(verdict_name(b.verdict), "fail");
    // Entry by entry: the failing one, and a third entry whose bound (1e-3)
    // is too large against the block's largest derivative (2): inconclusive.
    Verdict v[3];
    compare_bounded_entries(v, bad, num, NULL, 3, 1e-6);
    ck_assert(v[0] == VERDICT_FAIL && v[1] == VERDICT_PASS && v[2] == VERDICT_PASS);
    num[2].bound = 1e-3;
    const bool skip[3] = {false, true, false};
    compare_bounded_entries(v, ok, num, skip, 3, 1e-6);
    ck_assert(v[0] == VERDICT_PASS && v[1] == VERDICT_NOTHING_COMPARED && v[2] == VERDICT_INCONCLUSIVE);
    BoundedSummary c = compare_bounded(ok, num, skip, "marked", 3, 1e-6);
    ck_assert_int_eq(c.verdict, VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(c.skipped_marked, 1);
    // ref: the largest |a| or |n| among entries 0 and 2, 1 + 1e-9
    ck_assert_double_eq_tol(c.worst_bound_ratio, 1e-3 / (1.0 + 1e-9), 1e-18);
}
END_TEST

// A non-finite analytic value fails, whatever the numerical one: inf
// against 6 once passed because the allowance rtol·max(|a|, |n|) was
// infinite too. NaN fails, and so does inf at an entry flagged as a kink.
START_TEST(test_non_finite_analytic_fails) {
    NumericalDerivative num[2] = {{.value = 6.0, .bound = 1e-9}, {.value = 1.0, .bound = 1e-9}};
    const double inf[2] = {INFINITY, 1.0}, nan[2] = {NAN, 1.0}, minus_inf[2] = {-INFINITY, 1.0};
    BoundedSummary s = compare_bounded(inf, num, NULL, NULL, 2, GRADCHECK_REL_TOL);
    ck_assert_int_eq(s.verdict, VERDICT_FAIL);
    ck_assert_int_eq(s.failed, 1);
    ck_assert_int_eq(s.worst, 0);
    ck_assert_int_eq(compare_bounded(nan, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    ck_assert_int_eq(compare_bounded(minus_inf, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    num[0].value = INFINITY; // both infinite: still no gradient
    ck_assert_int_eq(compare_bounded(inf, num, NULL, NULL, 2, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    num[0] = (NumericalDerivative){.value = 6.0, .bound = 1e-9, .kink = true};
    Verdict v[2];
    compare_bounded_entries(v, inf, num, NULL, 2, GRADCHECK_REL_TOL);
    ck_assert(v[0] == VERDICT_FAIL && v[1] == VERDICT_PASS);
}
END_TEST

// The work budget's sample: exactly `keep` entries, distinct (a mask cannot
// say otherwise, so: exactly keep unmarked), the same for the same seed,
// different for another, and keep ≥ n marks nothing.
START_TEST(test_sample) {
    enum { N = 1000 };
    static bool a[N], b[N], c[N];
    const int keeps[] = {0, 1, 7, 500, 999};
    for (int t = 0; t < ARRAY_LEN(keeps); t++) {
        gradcheck_sample(a, N, keeps[t], 42);
        gradcheck_sample(b, N, keeps[t], 42);
        int kept = 0;
        for (int k = 0; k < N; k++) kept += !a[k];
        ck_assert_int_eq(kept, keeps[t]);
        ck_assert_int_eq(memcmp(a, b, sizeof a), 0);
    }
    gradcheck_sample(a, N, 50, 42);
    gradcheck_sample(c, N, 50, 43);
    ck_assert_int_ne(memcmp(a, c, sizeof a), 0);
    // Not just the first or last entries: both halves are sampled.
    int first = 0, last = 0;
    for (int k = 0; k < N; k++) *(k < N / 2 ? &first : &last) += !a[k];
    ck_assert_int_gt(first, 10);
    ck_assert_int_gt(last, 10);
    gradcheck_sample(a, N, N, 42);
    for (int k = 0; k < N; k++) ck_assert(!a[k]);
}
END_TEST

Suite *make_gradcheck_suite(void) {
    Suite *s = suite_create("gradcheck");
    TCase *tc = tcase_create("formula");
    tcase_add_loop_test(tc, test_relative_error_by_hand, 0, ARRAY_LEN(REL));
    tcase_add_test(tc, test_entry_passes);
    suite_add_tcase(s, tc);
    TCase *num = tcase_create("numerical");
    tcase_add_test(num, test_numerical_gradient_quadratic);
    tcase_add_test(num, test_numerical_gradient_sin_product);
    tcase_add_test(num, test_numerical_gradient_restores_bits);
    tcase_add_test(num, test_compare_passes_right_gradient);
    tcase_add_loop_test(num, test_compare_fails_wrong_gradient, 0, ARRAY_LEN(WRONG));
    tcase_add_test(num, test_skip_mask_counts_and_never_fails);
    suite_add_tcase(s, num);
    TCase *bd = tcase_create("bounded");
    tcase_add_test(bd, test_exact_zero_gradient_passes);
    tcase_add_test(bd, test_tiny_inputs_missing_rot180_fails);
    tcase_add_test(bd, test_bce_saturated_passes);
    tcase_add_test(bd, test_dense_large_inputs_passes);
    tcase_add_loop_test(bd, test_near_tie_is_checked, 0, ARRAY_LEN(NEAR_TIES));
    tcase_add_test(bd, test_ties_and_kinks_are_told_apart);
    tcase_add_test(bd, test_unresolvable_is_inconclusive);
    tcase_add_test(bd, test_bound_holds_and_restores);
    tcase_add_test(bd, test_compare_bounded_rule);
    tcase_add_test(bd, test_non_finite_analytic_fails);
    tcase_add_test(bd, test_local_objective_is_used);
    tcase_add_test(bd, test_steps_grow_only_for_smooth_losses);
    tcase_add_test(bd, test_sample);
    suite_add_tcase(s, bd);
    return s;
}
