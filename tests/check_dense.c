// The dense layer (src/layers/dense.h) on a 2x3 case worked by hand: the forward
// pass, the three gradients of the backward pass, accumulation with +=, a
// finite-difference check that also rejects a wrong gradient, and one step
// of gradient descent whose effect on the loss is known exactly.
//
// The case (n = 2 outputs, m = 3 inputs), with the upstream gradient
// g = ∂L/∂z of the linear loss L = Σ_i g_i z_i:
//   x = [2 -1 3]   W = [1 2 -1; 0 -3 4]   b = [0.5 -1]   g = [1 -2]
#include <check.h>
#include <math.h>
#include <string.h>

#include "dense.h"
#include "dense_case.h"
#include "gradcheck.h"
#include "loss.h"
#include "rng.h"

#define N 2
#define M 3

// The hand values are short sums of small numbers: rounding leaves them off
// by a few 1e-16 at most, while any real slip is off by 0.01 or more.
#define EXACT_TOL 1e-12

static const double X[M] = {2, -1, 3};
static const double W[N * M] = {1, 2, -1, 0, -3, 4};
static const double B[N] = {0.5, -1};
static const double G[N] = {1, -2};

static void assert_array_eq(const double *got, const double *want, int n) {
    for (int k = 0; k < n; k++) ck_assert_double_eq_tol(got[k], want[k], EXACT_TOL);
}

START_TEST(test_forward_by_hand) {
    // z_0 = 1·2 + 2·(-1) + (-1)·3 + 0.5 = 2 - 2 - 3 + 0.5 = -2.5
    // z_1 = 0·2 + (-3)·(-1) + 4·3 - 1  = 0 + 3 + 12 - 1   = 14
    const double want[N] = {-2.5, 14};
    double z[N];
    dense_forward(z, X, W, B, N, M);
    assert_array_eq(z, want, N);
}
END_TEST

START_TEST(test_backward_by_hand) {
    // dW = g xᵀ:  row 0 = 1·[2 -1 3] = [2 -1 3];  row 1 = -2·[2 -1 3] = [-4 2 -6]
    // dx = Wᵀ g:  dx_0 = 1·1 + 0·(-2) = 1
    //             dx_1 = 2·1 + (-3)·(-2) = 2 + 6 = 8
    //             dx_2 = (-1)·1 + 4·(-2) = -1 - 8 = -9
    // db = g = [1 -2]
    const double want_dw[N * M] = {2, -1, 3, -4, 2, -6}, want_dx[M] = {1, 8, -9}, want_db[N] = {1, -2};
    double dw[N * M] = {0}, dx[M] = {0}, db[N] = {0};
    dense_backward(dx, dw, db, G, X, W, N, M);
    assert_array_eq(dw, want_dw, N * M);
    assert_array_eq(dx, want_dx, M);
    assert_array_eq(db, want_db, N);
}
END_TEST

START_TEST(test_backward_accumulates) {
    // Starting from dW = all 1, dx = [10 20 30], db = [5 5], the results of
    // test_backward_by_hand are added on top:
    //   dW = [3 0 4; -3 3 -5], dx = [11 28 21], db = [6 3]
    double dw[N * M] = {1, 1, 1, 1, 1, 1}, dx[M] = {10, 20, 30}, db[N] = {5, 5};
    const double want_dw[N * M] = {3, 0, 4, -3, 3, -5}, want_dx[M] = {11, 28, 21}, want_db[N] = {6, 3};
    dense_backward(dx, dw, db, G, X, W, N, M);
    assert_array_eq(dw, want_dw, N * M);
    assert_array_eq(dx, want_dx, M);
    assert_array_eq(db, want_db, N);
    // A second call with the same g adds the same gradient again (a batch of two).
    const double twice_db[N] = {7, 1};
    dense_backward(dx, dw, db, G, X, W, N, M);
    assert_array_eq(db, twice_db, N);
}
END_TEST

// L = Σ g∘z as a function of the parameters the checker perturbs in place.
typedef struct {
    double x[M], w[N * M], b[N];
} Params;

static double linear_loss(void *ctx) {
    Params *p = ctx;
    double z[N];
    dense_forward(z, p->x, p->w, p->b, N, M);
    return G[0] * z[0] + G[1] * z[1];
}

static Params params(void) {
    Params p;
    memcpy(p.x, X, sizeof X);
    memcpy(p.w, W, sizeof W);
    memcpy(p.b, B, sizeof B);
    return p;
}

// Which block of parameters the loop test checks: 0 = W, 1 = x, 2 = b.
START_TEST(test_backward_matches_finite_differences) {
    Params p = params();
    double dw[N * M] = {0}, dx[M] = {0}, db[N] = {0};
    dense_backward(dx, dw, db, G, X, W, N, M);
    double *param[] = {p.w, p.x, p.b}, *analytic[] = {dw, dx, db};
    int size[] = {N * M, M, N};
    double numerical[N * M];
    numerical_gradient(numerical, param[_i], size[_i], linear_loss, &p, GRADCHECK_H);
    CheckSummary s = compare_gradients(analytic[_i], numerical, NULL, size[_i], GRADCHECK_REL_TOL);
    ck_assert_msg(s.passed, "block %d: worst relative error %g", _i, s.max_rel_error);
    // The checker restored every entry exactly.
    ck_assert(memcmp(p.w, W, sizeof W) == 0 && memcmp(p.x, X, sizeof X) == 0 && memcmp(p.b, B, sizeof B) == 0);
}
END_TEST

START_TEST(test_wrong_gradient_is_caught) {
    // W dz where Wᵀ dz belongs, with W's n×m buffer read with the other
    // stride: dx_j = Σ_i W[j*N + i] g_i = [1·1 + 2·(-2), -1·1 + 0·(-2), -3·1 + 4·(-2)]
    //            = [-3, -1, -11], against the right [1, 8, -9].
    const double wrong_dx[M] = {-3, -1, -11};
    double wrong[M];
    for (int j = 0; j < M; j++) wrong[j] = W[j * N + 0] * G[0] + W[j * N + 1] * G[1];
    assert_array_eq(wrong, wrong_dx, M);
    Params p = params();
    double numerical[M];
    numerical_gradient(numerical, p.x, M, linear_loss, &p, GRADCHECK_H);
    CheckSummary s = compare_gradients(wrong_dx, numerical, NULL, M, GRADCHECK_REL_TOL);
    ck_assert(!s.passed);
    ck_assert_int_eq(s.failed, M);
}
END_TEST

START_TEST(test_gradient_descent_step) {
    // One step W ← W − η dW, b ← b − η db on the linear loss L = Σ g∘z.
    // Row i of dW is g_i xᵀ and db_i = g_i, so z_i moves by
    //   −η (g_i x·x + g_i) = −η g_i (x·x + 1),   x·x = 4 + 1 + 9 = 14,
    // and L moves by Σ_i g_i Δz_i = −η (x·x + 1) Σ g_i² = −η · 15 · (1 + 4) = −75 η.
    // With η = 0.01: z goes from [-2.5 14] to [-2.5 − 0.15, 14 + 0.3] = [-2.65 14.3]
    // and L from -2.5 − 28 = -30.5 to -30.5 − 0.75 = -31.25.
    const double eta = 0.01;
    double dw[N * M] = {0}, dx[M] = {0}, db[N] = {0};
    dense_backward(dx, dw, db, G, X, W, N, M);
    Params p = params();
    for (int k = 0; k < N * M; k++) p.w[k] -= eta * dw[k];
    for (int i = 0; i < N; i++) p.b[i] -= eta * db[i];
    // W_new = W − 0.01·[2 -1 3; -4 2 -6] = [0.98 2.01 -1.03; 0.04 -3.02 4.06]
    const double want_w[N * M] = {0.98, 2.01, -1.03, 0.04, -3.02, 4.06}, want_b[N] = {0.49, -0.98};
    assert_array_eq(p.w, want_w, N * M);
    assert_array_eq(p.b, want_b, N);
    double z[N];
    dense_forward(z, p.x, p.w, p.b, N, M);
    const double want_z[N] = {-2.65, 14.3};
    assert_array_eq(z, want_z, N);
    ck_assert_double_eq_tol(linear_loss(&p), -31.25, EXACT_TOL);
    ck_assert(linear_loss(&p) < -30.5);
}
END_TEST


// ---------------------------------------------------------------- chapter 3's case (src/show/dense_case.h)

// A random n×m layer with the right gradients (bce_grad_logits, dense_backward).
static void random_case(DenseCase *d, int n, int m, uint64_t seed) {
    Rng rng = rng_make(seed);
    Tensor x = tensor_alloc(1, 1, m), W = tensor_alloc(1, n, m), b = tensor_alloc(1, 1, n), y = tensor_alloc(1, 1, n);
    for (int j = 0; j < m; j++) x.data[j] = rng_range(&rng, -3, 3);
    for (int k = 0; k < n * m; k++) W.data[k] = rng_range(&rng, -1, 1);
    for (int i = 0; i < n; i++) b.data[i] = rng_range(&rng, -1, 1), y.data[i] = rng_uniform(&rng);
    dense_case_init(d, x, W, b, y);
    dense_forward(d->z.data, d->x.data, d->W.data, d->b.data, n, m);
    d->loss = bce_loss_logits(d->y.data, d->z.data, n);
    bce_grad_logits(d->dz.data, d->y.data, d->z.data, n);
    dense_backward(d->dx.data, d->dW.data, d->db.data, d->dz.data, d->x.data, d->W.data, n, m);
}

// Local differences of W[i,j] (output i's term only) equal the global ones
// to rounding, with and without the L − L(θ₀) baseline.
START_TEST(test_case_local_agrees_with_global) {
    DenseCase d;
    random_case(&d, 3, 4, 11 + (uint64_t)_i);
    for (int base = 0; base < 2; base++) {
        LossCtx c = {&d, BLOCK_W, NULL, base ? d.z.data : NULL};
        for (int k = 0; k < 12; k++) {
            double saved = d.W.data[k], sc;
            d.W.data[k] = saved + 1e-4;
            double ug = dense_loss_whole(&c, &sc), ul = dense_loss_local(&c, k, &sc);
            d.W.data[k] = saved - 1e-4;
            double dg = dense_loss_whole(&c, &sc), dl = dense_loss_local(&c, k, &sc);
            d.W.data[k] = saved;
            ck_assert_msg(fabs((ug - dg) - (ul - dl)) <= 1e-14, "entry %d: %.17g vs %.17g", k, ug - dg, ul - dl);
        }
    }
    dense_case_free(&d);
}
END_TEST

// The step η = 1/M, M = (‖x‖² + 1)/(4n), lowers L by at least η‖g‖²/2 (the
// descent lemma with L's curvature bound).
START_TEST(test_case_safe_step_descends) {
    DenseCase d;
    random_case(&d, 1 + _i % 3, 2 + _i % 4, 100 + (uint64_t)_i);
    double curv = dense_curvature_bound(&d), g2 = dense_grad_norm2(&d);
    double after = dense_loss_after_step(&d, 1.0 / curv, NULL, NULL, NULL);
    ck_assert_msg(d.loss - after >= g2 / (2 * curv) * (1 - 1e-9), "drop %g < %g", d.loss - after, g2 / (2 * curv));
    dense_case_free(&d);
}
END_TEST

// With W = 0 and b = 0 every z_i is an exact sum of zeros: the baseline
// makes ∂L/∂x = 0 measurable exactly (bound 0), where the plain loss has a
// round-off floor.
START_TEST(test_case_exact_zero_gradient) {
    const double xv[] = {2, 4}, yv[] = {1, 0};
    DenseCase d;
    dense_case_init(&d, tensor_from_values(xv, 1, 2), tensor_alloc(1, 2, 2), tensor_alloc(1, 1, 2),
                    tensor_from_values(yv, 1, 2));
    LossCtx c = {&d, BLOCK_X, NULL, d.z.data};
    Objective obj = {dense_loss_whole, dense_loss_local, &c};
    NumericalDerivative num[2];
    numerical_gradient_bounded(num, d.x.data, 2, &obj);
    for (int j = 0; j < 2; j++) {
        ck_assert_double_eq(num[j].value, 0.0);
        ck_assert_double_le(num[j].bound, 1e-300); // only the subnormal floor of the round-off bound
    }
    dense_case_free(&d);
}
END_TEST

Suite *make_dense_suite(void) {
    Suite *s = suite_create("dense");
    TCase *tc = tcase_create("dense");
    tcase_add_test(tc, test_forward_by_hand);
    tcase_add_test(tc, test_backward_by_hand);
    tcase_add_test(tc, test_backward_accumulates);
    tcase_add_loop_test(tc, test_backward_matches_finite_differences, 0, 3);
    tcase_add_test(tc, test_wrong_gradient_is_caught);
    tcase_add_test(tc, test_gradient_descent_step);
    tcase_add_loop_test(tc, test_case_local_agrees_with_global, 0, 4);
    tcase_add_loop_test(tc, test_case_safe_step_descends, 0, 24);
    tcase_add_test(tc, test_case_exact_zero_gradient);
    suite_add_tcase(s, tc);
    return s;
}
