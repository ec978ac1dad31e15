// The sigmoid and BCE functions of src/layers/loss.h against values computed by
// hand, the logit form staying finite and accurate where the article's form
// does not, and each gradient checked numerically with a wrong one caught.
#include <check.h>
#include <math.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "loss.h"

// Closed-form values below are exact to a few ulps of numbers of order 1.
#define HAND_TOL 1e-15

static double rel(double a, double b) { return fabs(a - b) / fmax(fabs(b), 1e-300); }

typedef struct {
    double z, sigma, softplus;
} SigmoidCase;

// σ(log 3) = 1/(1 + 1/3) = 3/4, softplus(log 3) = log(1 + 3) = log 4;
// σ(−log 3) = 1/(1 + 3) = 1/4, softplus(−log 3) = log(4/3);
// σ(0) = 1/2, softplus(0) = log 2; σ(±1000) = 1, 0 and softplus(1000) =
// 1000 + log1p(e^−1000) = 1000, softplus(−1000) = e^−1000 = 0 in double.
static const SigmoidCase SIGMOID[] = {
    {0.0, 0.5, 0.69314718055994531},
    {1.0986122886681098, 0.75, 1.3862943611198906},
    {-1.0986122886681098, 0.25, 0.28768207245178093},
    {1000.0, 1.0, 1000.0},
    {-1000.0, 0.0, 0.0},
};

START_TEST(test_sigmoid_softplus_by_hand) {
    const SigmoidCase *c = &SIGMOID[_i];
    ck_assert_double_eq_tol(sigmoid(c->z), c->sigma, HAND_TOL);
    ck_assert_double_eq_tol(softplus(c->z), c->softplus, HAND_TOL * fmax(1.0, c->softplus));
    ck_assert(isfinite(sigmoid(c->z)) && isfinite(softplus(c->z)));
}
END_TEST

START_TEST(test_softplus_tiny) {
    // softplus(−40) = log(1 + e^−40) = e^−40 − e^−80/2 + … = 4.248354255291589e-18
    // to 16 digits; a naive log(1 + e^−40) would give log(1) = 0.
    ck_assert(rel(softplus(-40.0), 4.248354255291589e-18) < 1e-14);
}
END_TEST

START_TEST(test_bce_by_hand) {
    // y = [1 0], ŷ = [3/4 1/4]: L = −(1/2)(log 3/4 + log 3/4) = log(4/3) = 0.28768207245178093.
    const double y[2] = {1, 0}, yhat[2] = {0.75, 0.25}, z[2] = {log(3.0), -log(3.0)};
    ck_assert_double_eq_tol(bce_loss(y, yhat, 2), 0.28768207245178093, HAND_TOL);
    // The same predictions as logits z = ±log 3: the logit form agrees.
    ck_assert_double_eq_tol(bce_loss_logits(y, z, 2), 0.28768207245178093, HAND_TOL);
    // ∂L/∂ŷ = −(1/2)(1/(3/4) − 0) = −2/3 and −(1/2)(0 − 1/(3/4)) = +2/3.
    double d[2];
    bce_grad_yhat(d, y, yhat, 2);
    ck_assert_double_eq_tol(d[0], -2.0 / 3.0, HAND_TOL);
    ck_assert_double_eq_tol(d[1], 2.0 / 3.0, HAND_TOL);
    // ∂L/∂z = (ŷ − y)/n = (3/4 − 1)/2 = −1/8 and (1/4 − 0)/2 = 1/8.
    bce_grad_logits(d, y, z, 2);
    ck_assert_double_eq_tol(d[0], -0.125, HAND_TOL);
    ck_assert_double_eq_tol(d[1], 0.125, HAND_TOL);
    // A soft label y = 1/2 at ŷ = 1/2: L = −(log ½ + log ½)/2 = log 2, ∂L/∂ŷ = −(1 − 1) = 0.
    const double h = 0.5;
    ck_assert_double_eq_tol(bce_loss(&h, &h, 1), log(2.0), HAND_TOL);
    bce_grad_yhat(d, &h, &h, 1);
    ck_assert_double_eq_tol(d[0], 0.0, HAND_TOL);
}
END_TEST

START_TEST(test_zero_weight_terms) {
    // y = 1, ŷ = 1: the (1 − y)·log(1 − ŷ) term has weight 0 and limit 0,
    // so L = −log 1 = 0 and ∂L/∂ŷ = −1/1 = −1, not 0·(−∞) = NaN.
    const double one = 1.0, zero = 0.0;
    double d;
    ck_assert_double_eq(bce_loss(&one, &one, 1), 0.0);
    ck_assert_double_eq(bce_loss(&zero, &zero, 1), 0.0);
    bce_grad_yhat(&d, &one, &one, 1);
    ck_assert_double_eq(d, -1.0);
    bce_grad_yhat(&d, &zero, &zero, 1);
    ck_assert_double_eq(d, 1.0);
}
END_TEST

START_TEST(test_logit_form_finite_at_extremes) {
    // z = ±1000 with both labels: a right prediction costs softplus(−1000) = 0,
    // a wrong one softplus(1000) = 1000; the mean of [0 + 1000]/2 = 500.
    const double y[2] = {1, 0}, z_right[2] = {1000, -1000}, z_wrong[2] = {-1000, 1000};
    ck_assert_double_eq(bce_loss_logits(y, z_right, 2), 0.0);
    ck_assert_double_eq(bce_loss_logits(y, z_wrong, 2), 1000.0);
    const double mixed[2] = {1000, 1000};
    ck_assert_double_eq(bce_loss_logits(y, mixed, 2), 500.0);
    // ∂L/∂z = (σ(z) − y)/2: [(0 − 1)/2, (1 − 0)/2] for the wrong predictions.
    double d[2];
    bce_grad_logits(d, y, z_wrong, 2);
    ck_assert_double_eq(d[0], -0.5);
    ck_assert_double_eq(d[1], 0.5);
    // y = 1, z = 40: ∂L/∂z = σ(40) − 1 = −σ(−40) = −e^−40/(1 + e^−40)
    // = −4.248354255291589e-18, kept to full relative precision.
    const double one = 1.0, forty = 40.0;
    bce_grad_logits(d, &one, &forty, 1);
    ck_assert(rel(d[0], -4.248354255291589e-18) < 1e-14);
}
END_TEST

typedef struct {
    double y, eps; // ŷ = eps (y = 1) or ŷ = 1 − eps (y = 0)
} EdgeCase;

static const EdgeCase EDGE[] = {{1, 1e-12}, {0, 1e-12}, {1, 1e-15}, {0, 1e-15}};

START_TEST(test_logit_form_accurate_near_edges) {
    // A prediction within eps of the wrong end costs −log eps: 12·ln 10 =
    // 27.631021115928547 for 1e-12, 15·ln 10 = 34.538776394910684 for 1e-15.
    // Its logit is ∓log((1 − eps)/eps) = ∓(−log eps + log1p(−eps)).
    const EdgeCase *c = &EDGE[_i];
    double want = -log(c->eps);
    double z_mag = -log(c->eps) + log1p(-c->eps);
    double z = c->y == 1 ? -z_mag : z_mag;
    double got = bce_loss_logits(&c->y, &z, 1);
    ck_assert_msg(rel(got, want) < 1e-13, "logit form %.17g, want %.17g", got, want);
    // The article's form on ŷ = σ(z): near 0 it is fine, near 1 it has lost
    // digits, because 1 − ŷ is known only to the spacing of doubles below 1.
    double yhat = sigmoid(z), naive = bce_loss(&c->y, &yhat, 1);
    ck_assert(isfinite(naive));
    if (c->y == 1)
        ck_assert(rel(naive, want) < 1e-13);
    else
        ck_assert_msg(rel(naive, want) > 1e-6, "naive %.17g vs %.17g", naive, want);
}
END_TEST

// ---------------------------------------------------------------- numerical checks

typedef struct {
    const double *y;
    double *v;
    int n;
} Ctx;

static double loss_yhat(void *c) {
    Ctx *x = c;
    return bce_loss(x->y, x->v, x->n);
}
static double loss_z(void *c) {
    Ctx *x = c;
    return bce_loss_logits(x->y, x->v, x->n);
}

START_TEST(test_gradients_checked_and_wrong_ones_caught) {
    const double y[3] = {1, 0, 0.3};
    double yhat[3] = {0.62, 0.73, 0.4}, z[3] = {0.5, 1.0, -0.4};
    double a[3], num[3], wrong[3];
    Ctx c = {y, yhat, 3};
    // eq. (1) in ŷ: h = 1e-6 keeps every ŷ ± h inside (0,1).
    bce_grad_yhat(a, y, yhat, 3);
    numerical_gradient(num, yhat, 3, loss_yhat, &c, GRADCHECK_H);
    ck_assert(compare_gradients(a, num, NULL, 3, GRADCHECK_REL_TOL).passed);
    for (int i = 0; i < 3; i++)
        wrong[i] = -a[i]; // the sign dropped
    ck_assert(!compare_gradients(wrong, num, NULL, 3, GRADCHECK_REL_TOL).passed);
    for (int i = 0; i < 3; i++)
        wrong[i] = 3 * a[i]; // the 1/n forgotten
    ck_assert(!compare_gradients(wrong, num, NULL, 3, GRADCHECK_REL_TOL).passed);
    // ∂L/∂z in logit form
    c.v = z;
    bce_grad_logits(a, y, z, 3);
    numerical_gradient(num, z, 3, loss_z, &c, GRADCHECK_H);
    ck_assert(compare_gradients(a, num, NULL, 3, GRADCHECK_REL_TOL).passed);
    // ∂L/∂ŷ passed off as ∂L/∂z (the sigmoid skipped) is caught
    double s[3];
    for (int i = 0; i < 3; i++)
        s[i] = sigmoid(z[i]);
    bce_grad_yhat(wrong, y, s, 3);
    ck_assert(!compare_gradients(wrong, num, NULL, 3, GRADCHECK_REL_TOL).passed);
}
END_TEST

// One output's terms and their magnitudes, by hand: y = 0.25, ŷ = 1/2 gives
// −[0.25 log 0.5 + 0.75 log 0.5] = log 2, parts 0.25 log 2 and 0.75 log 2;
// y = 0.5, z = 2: max(z,0) − y z + log1p(e^−2) = 2 − 1 + log1p(e^−2); its
// scale counts what rounds: 2 − 1 = 1 and log1p(e^−2), not y·z = 1, which is
// exact. At y = 1, z = 40, z − z cancels exactly: the scale is log1p(e^−40).
START_TEST(test_terms_and_scales) {
    double scale;
    ck_assert_double_eq_tol(bce_term(0.25, 0.5, &scale), log(2.0), HAND_TOL);
    ck_assert_double_eq_tol(scale, log(2.0), HAND_TOL);
    ck_assert_double_eq_tol(bce_logits_term(0.5, 2.0, &scale), 1.0 + log1p(exp(-2.0)), HAND_TOL);
    ck_assert_double_eq_tol(scale, 1.0 + log1p(exp(-2.0)), HAND_TOL);
    ck_assert_double_eq_tol(bce_logits_term(1.0, 40.0, &scale), log1p(exp(-40.0)), 1e-30);
    ck_assert_double_eq_tol(scale, log1p(exp(-40.0)), 1e-30);
    bce_logits_term(0.3, 3.0, &scale); // 0.3·3 rounds: it counts
    ck_assert_double_eq_tol(scale, 2.1 + 0.9 + log1p(exp(-3.0)), 1e-14);
    ck_assert_double_eq(bce_term(1.0, 1.0, &scale), 0.0); // zero-weight log 0 left out
}
END_TEST

// PyTorch 1.13's BCELoss on sigmoid(z) (CPU, computed independently with
// torch): float64 clamps at 100 once a log passes −100; float32 rounds
// σ(16.7) to 1 and gives 15.942384719848633 for y = 0, z = 16, where the
// exact loss is 16.0000001125.
START_TEST(test_torch_bce_values) {
    ck_assert_double_eq(bce_term_clamped(1.0, sigmoid(-700.0)), 100.0);
    ck_assert_double_eq_tol(bce_term_clamped(0.0, sigmoid(30.0)), 30.001020555434774, 1e-9);
    ck_assert_double_eq((double)bce_term_clamped_float32(0.0f, 16.0f), 15.942384719848633);
    ck_assert_double_eq((double)bce_term_clamped_float32(0.0f, 17.0f), 100.0);
    ck_assert_double_eq((double)bce_term_clamped_float32(0.0f, 10.0f), 9.99958610534668);
    ck_assert(sigmoid_float32(16.7f) == 1.0f && sigmoid_float32(16.5f) < 1.0f);
}
END_TEST

Suite *make_loss_suite(void) {
    Suite *s = suite_create("loss");
    TCase *tc = tcase_create("loss");
    tcase_add_loop_test(tc, test_sigmoid_softplus_by_hand, 0, ARRAY_LEN(SIGMOID));
    tcase_add_test(tc, test_softplus_tiny);
    tcase_add_test(tc, test_bce_by_hand);
    tcase_add_test(tc, test_zero_weight_terms);
    tcase_add_test(tc, test_logit_form_finite_at_extremes);
    tcase_add_loop_test(tc, test_logit_form_accurate_near_edges, 0, ARRAY_LEN(EDGE));
    tcase_add_test(tc, test_gradients_checked_and_wrong_ones_caught);
    tcase_add_test(tc, test_terms_and_scales);
    tcase_add_test(tc, test_torch_bce_values);
    suite_add_tcase(s, tc);
    return s;
}
