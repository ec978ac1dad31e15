// The bounded checker's Richardson step (src/check/gradcheck.c), and the
// complex step's (src/check/cstep.c), by their accuracy on a function whose
// h² term is large: the verdict tests pass with the correction's sign
// flipped, because the bound still covers the result; these do not.
#include <check.h>
#include <complex.h>
#include <math.h>

#include "cstep.h"
#include "gradcheck.h"

// Richardson's extrapolation D(h/2) + (D(h/2) − D(h))/3 cancels the h² term
// of a central difference. On sin(ωθ), ω = 1000, the h² term is
// relatively h²ω²/6 ≈ 1.5e-6 at the first step h ≈ 3e-6; Richardson leaves
// O(h⁴ω⁴) ≈ 1e-11 and round-off ε/(hω) ≈ 1e-13. With the correction's sign
// flipped, D(h/2) − (D(h/2) − D(h))/3 keeps half the h² term (≈ 7e-7), still
// inside the truncation bound |D(h) − D(h/2)|, so only accuracy shows it.
#define RICHARDSON_REL_TOL 1e-8
#define RICHARDSON_OMEGA 1000.0
static double sine_theta(void *ctx, double *scale) {
    double v = sin(RICHARDSON_OMEGA * *(double *)ctx);
    *scale = fabs(v);
    return v;
}

START_TEST(test_richardson_cancels_h2) {
    const double at[] = {0.5, 0.25, -0.3};
    for (int q = 0; q < 3; q++) {
        double theta = at[q];
        Objective obj = {sine_theta, NULL, &theta};
        NumericalDerivative d;
        numerical_gradient_bounded(&d, &theta, 1, &obj);
        double want = RICHARDSON_OMEGA * cos(RICHARDSON_OMEGA * at[q]);
        ck_assert_msg(fabs(d.value - want) <= RICHARDSON_REL_TOL * fabs(want), "θ = %g: %.17g vs %.17g (step %g)",
                      at[q], d.value, want, d.step);
        ck_assert_double_eq(theta, at[q]);
    }
}
END_TEST

// The complex step D(h) = Im f(θ + ih)/h on f = sin(ωθ) is
// ω·cos(ωθ)·sinh(ωh)/(ωh) = ω·cos(ωθ)·(1 + a/6 + a²/120 + …), a = (ωh)².
// Richardson (4·D(h/2) − D(h))/3 leaves ω·cos(ωθ)·(1 − a²/480); with the
// correction's sign flipped, D(h/2) − (D(h/2) − D(h))/3 = ω·cos(ωθ)·(1 + a/12).
// At |θ| < 1 the step is h = CSTEP_REL = 1e-10, so ω = 1e6 gives a = 1e-8:
// off by 8e-10 relative when flipped, ~1e-15 (round-off) when right.
#define CSTEP_OMEGA 1e6
#define CSTEP_RICHARDSON_REL_TOL 1e-12
static double complex_sine(void *ctx, int k, double h, double *scale) {
    (void)k;
    double theta = *(const double *)ctx;
    double v = cimag(csin(cstep_point(CSTEP_OMEGA * theta, CSTEP_OMEGA * h))) / h;
    *scale = fabs(v);
    return v;
}

START_TEST(test_complex_step_richardson_cancels_h2) {
    const double at[] = {0.5, 0.25, -0.3};
    for (int q = 0; q < 3; q++) {
        double theta = at[q];
        ComplexObjective c = {complex_sine, &theta};
        NumericalDerivative d = complex_step_entry(&c, 0, theta, 1.0);
        double want = CSTEP_OMEGA * cos(CSTEP_OMEGA * at[q]);
        ck_assert_msg(fabs(d.value - want) <= CSTEP_RICHARDSON_REL_TOL * fabs(want), "θ = %g: %.17g vs %.17g",
                      at[q], d.value, want);
    }
}
END_TEST

Suite *make_richardson_suite(void) {
    Suite *s = suite_create("richardson");
    TCase *t = tcase_create("richardson");
    tcase_add_test(t, test_richardson_cancels_h2);
    tcase_add_test(t, test_complex_step_richardson_cancels_h2);
    suite_add_tcase(s, t);
    return s;
}
