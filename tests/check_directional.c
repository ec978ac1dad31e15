// The directional checks (src/check/gradcheck.h): the old fixed-step one
// over two blocks, passing a right gradient, failing wrong ones, restoring
// every entry and repeating for the same seed; the bounded one on a dense
// layer; and the derivative along a direction of a loss built from long
// sums (a 999x999 kernel), where the round-off grows with the sums' length.
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "conv.h"
#include "gradcheck.h"
#include "gradcheck_problems.h"
#include "rng.h"

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

// The directional check with a bound, on the dense problem over W and b.
static DirectionalBounded dense_directional(DenseProblem *d, double *dW, double *db, uint64_t seed) {
    ParamBlock blocks[2] = {{d->W, dW, d->m * d->n}, {d->b, db, d->m}};
    double scratch[GP_MAX];
    Objective obj = {dense_loss, NULL, d};
    return directional_check_bounded(blocks, 2, &obj, seed, GRADCHECK_REL_TOL, scratch);
}

START_TEST(test_directional_bounded) {
    DenseProblem d = {.m = 2, .n = 3, .W = {0.3, -1.2, 0.8, 2.0, 0.1, -0.7}, .x = {0.5, -1.5, 2.0}, .b = {0.1, -0.2},
                      .y = {1, 0}};
    DenseProblem saved = d;
    double dW[6], dx[3], db[2];
    dense_grads(&d, dW, dx, db);
    DirectionalBounded r = dense_directional(&d, dW, db, 5);
    ck_assert_msg(r.verdict == VERDICT_PASS, "%s: a %.17g n %.17g bound %g", verdict_name(r.verdict), r.analytic,
                  r.numerical, r.bound);
    ck_assert_int_eq(r.evaluations, 4);
    ck_assert_double_lt(r.bound, 1e-8);
    ck_assert_double_gt(fabs(r.analytic), 1e-3);
    ck_assert_int_eq(memcmp(d.W, saved.W, sizeof d.W), 0);
    ck_assert_int_eq(memcmp(d.b, saved.b, sizeof d.b), 0);
    dW[4] = -dW[4]; // one sign
    ck_assert_int_eq(dense_directional(&d, dW, db, 5).verdict, VERDICT_FAIL);
    dW[4] = -dW[4];
    for (int e = 0; e < 6; e++) dW[e] *= 1 + 1e-3;
    ck_assert_int_eq(dense_directional(&d, dW, db, 5).verdict, VERDICT_FAIL);
}
END_TEST

// The rounding of a sum of m terms, √m·ε·Σ|t|, by hand: 8ε covers m ≤ 64
// (factor 1); m = 6400 rounds 10 times more, 998,001 products 124.9 times.
START_TEST(test_sum_rounding_by_hand) {
    ck_assert_double_eq(gradcheck_sum_rounding(1), 1.0);
    ck_assert_double_eq(gradcheck_sum_rounding(64), 1.0);
    ck_assert_double_eq_tol(gradcheck_sum_rounding(6400), 10.0, 1e-12);
    ck_assert_double_eq_tol(gradcheck_sum_rounding(998001), 999.0 / 8.0, 1e-12);
}
END_TEST

// Issue 32: L = Σ G∘Y for a 1000x1000 input under a 999x999 kernel (Y is
// 2x2, each entry a sum of 998,001 products, L ≈ 2e7). Along a random
// direction over all of X the old scale (8ε·Σ|t|, blind to the sums' length)
// made round-off look like truncation: the search shrank and called it a
// kink (numerical −2049.5 against −2042.2), NOTHING COMPARED. With the
// objective's scale counting the sums' lengths and the step free to grow
// (L is linear in X) it passes; an analytic value 1e-3 off fails. ∇L·v
// comes from the scatter form, which shares no code with the objective.
START_TEST(test_directional_long_sums) {
    enum { H = 1000, K = 999 };
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, H, H, 1, K, K, 1, 0, 0, 1));
    double *x = malloc(sizeof *x * H * H), *k = malloc(sizeof *k * K * K), *v = malloc(sizeof *v * H * H);
    double *dx = calloc((size_t)H * H, sizeof *dx), *scratch = malloc(sizeof *scratch * H * H), b = 0.0, g[4];
    ck_assert(x && k && v && dx && scratch);
    Rng rng = rng_make(3);
    for (int q = 0; q < H * H; q++) x[q] = floor(rng_range(&rng, 0, 10));
    for (int q = 0; q < K * K; q++) k[q] = floor(rng_range(&rng, 0, 3));
    for (int q = 0; q < 4; q++) g[q] = floor(rng_range(&rng, 0, 4));
    conv_input_grad_scatter(dx, g, k, &s);
    double analytic = 0.0;
    for (int q = 0; q < H * H; q++) v[q] = rng_range(&rng, -1, 1), analytic += v[q] * dx[q];
    ConvObjective ctx = {&s, x, k, &b, g, CONV_BLOCK_INPUT, 0};
    Objective obj = conv_objective(&ctx);
    ParamBlock block = {x, dx, H * H};
    NumericalDerivative d = directional_derivative_along_linear(&block, 1, v, &obj, scratch);
    ck_assert_int_eq(compare_bounded(&analytic, &d, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict, VERDICT_PASS);
    double wrong = analytic * (1 + 1e-3);
    ck_assert_int_eq(compare_bounded(&wrong, &d, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    free(x), free(k), free(v), free(dx), free(scratch);
}
END_TEST

Suite *make_directional_suite(void) {
    Suite *s = suite_create("directional");
    TCase *dir = tcase_create("fixed step");
    tcase_add_test(dir, test_directional_passes_right_gradient);
    tcase_add_loop_test(dir, test_directional_fails_wrong_gradient, 0, ARRAY_LEN(DIR_WRONG));
    tcase_add_test(dir, test_directional_restores_and_repeats);
    tcase_add_test(dir, test_directional_linear);
    suite_add_tcase(s, dir);
    TCase *bd = tcase_create("bounded");
    tcase_add_test(bd, test_directional_bounded);
    tcase_add_test(bd, test_sum_rounding_by_hand);
    tcase_add_test(bd, test_directional_long_sums);
    suite_add_tcase(s, bd);
    return s;
}
