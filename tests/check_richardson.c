// The bounded checker's Richardson step (src/check/gradcheck.c), by its
// accuracy on a function whose h² term is large: the verdict tests pass with
// the correction's sign flipped, because the bound still covers the result;
// this one does not.
#include <check.h>
#include <math.h>

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

Suite *make_richardson_suite(void) {
    Suite *s = suite_create("richardson");
    TCase *t = tcase_create("richardson");
    tcase_add_test(t, test_richardson_cancels_h2);
    suite_add_tcase(s, t);
    return s;
}
