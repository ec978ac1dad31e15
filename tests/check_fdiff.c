// The finite-difference estimators (src/check/fdiff.c): each formula on
// polynomials where the result is known by hand, the error bound's
// arithmetic, and on smooth functions with known derivatives, each method's
// best error over the decades of h lies below its theoretical bound, while a
// wrong estimator (the central difference divided by h) does not.
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>

#include "arraylen.h"
#include "fdiff.h"

// The fdiff.h bound counts one ulp per value of f; libm may be a little
// worse, and the decade grid misses the optimum by up to √10.
#define BOUND_SAFETY 4.0

static double square(double x, const void *c) {
    (void)c;
    return x * x;
}
static double cube(double x, const void *c) {
    (void)c;
    return x * x * x;
}
static double fifth(double x, const void *c) {
    (void)c;
    return x * x * x * x * x;
}
static double complex square_c(double complex z, const void *c) {
    (void)c;
    return z * z;
}
static float square_f(float x, const void *c) {
    (void)c;
    return x * x;
}
static float complex square_fc(float complex z, const void *c) {
    (void)c;
    return z * z;
}

START_TEST(test_formulas_by_hand) {
    // x² at 3, h = 0.5: forward (3.5² − 9)/0.5 = (12.25 − 9)/0.5 = 6.5,
    // i.e. 6 + (h/2)·f″ = 6 + 0.25·2; central (12.25 − 6.25)/1 = 6 exactly.
    ck_assert_double_eq(fd_forward(square, NULL, 3.0, 0.5), 6.5);
    ck_assert_double_eq(fd_central(square, NULL, 3.0, 0.5), 6.0);
    // x³ at 1, h = 0.5: central (1.5³ − 0.5³)/1 = 3.375 − 0.125 = 3.25
    // = 3 + (h²/6)·f‴ = 3 + (0.25/6)·6; five-point (0 − 8·0.125 + 8·3.375 − 8)/6
    // = (−1 + 27 − 8)/6 = 3 exactly.
    ck_assert_double_eq(fd_central(cube, NULL, 1.0, 0.5), 3.25);
    ck_assert_double_eq(fd_five_point(cube, NULL, 1.0, 0.5), 3.0);
    // x⁵ at 0, h = 1: (f(−2) − 8f(−1) + 8f(1) − f(2))/12 = (−32 + 8 + 8 − 32)/12 = −4,
    // exact 0, error −(h⁴/30)·f⁽⁵⁾ = −120/30 = −4.
    ck_assert_double_eq(fd_five_point(fifth, NULL, 0.0, 1.0), -4.0);
    // (3 + ih)² = 9 − h² + 6ih: Im/h = 6 exactly, even for h = 1e-100 and 1e-300.
    ck_assert_double_eq(fd_complex_step(square_c, NULL, 3.0, 1e-100), 6.0);
    ck_assert_double_eq(fd_complex_step(square_c, NULL, 3.0, 1e-300), 6.0);
    // The float versions on the same exactly representable numbers.
    ck_assert_float_eq(fd_forward_float(square_f, NULL, 3.0f, 0.5f), 6.5f);
    ck_assert_float_eq(fd_central_float(square_f, NULL, 3.0f, 0.5f), 6.0f);
    ck_assert_float_eq(fd_complex_step_float(square_fc, NULL, 3.0f, 1e-20f), 6.0f);
}
END_TEST

START_TEST(test_method_facts) {
    ck_assert_int_eq(fd_order(FD_FORWARD), 1);
    ck_assert_int_eq(fd_order(FD_CENTRAL), 2);
    ck_assert_int_eq(fd_order(FD_FIVE_POINT), 4);
    ck_assert_int_eq(fd_order(FD_COMPLEX_STEP), 2);
    ck_assert_int_eq(fd_reach(FD_FIVE_POINT), 2);
    ck_assert_int_eq(fd_reach(FD_COMPLEX_STEP), 0);
    ck_assert_str_eq(fd_method_key(FD_FIVE_POINT), "five_point");
    // u = 2^−52: u^(1/2) = 2^−26 = 1.4901161193847656e-08 exactly; u^(1/3) =
    // 2^(−52/3) ≈ 6.06e-6; u^(1/5) = 2^(−10.4) ≈ 7.40e-4; errors u^(2/3),
    // u^(4/5) = 2^(−34.67), 2^(−41.6).
    double u = DBL_EPSILON;
    ck_assert_double_eq(fd_textbook_h(FD_FORWARD, u), 1.4901161193847656e-08);
    ck_assert_double_eq_tol(fd_textbook_h(FD_CENTRAL, u), exp2(-52.0 / 3), 1e-18);
    ck_assert_double_eq_tol(fd_textbook_h(FD_FIVE_POINT, u), exp2(-10.4), 1e-15);
    ck_assert_double_eq_tol(fd_textbook_error(FD_CENTRAL, u), exp2(-104.0 / 3), 1e-24);
    ck_assert_double_eq_tol(fd_textbook_error(FD_FIVE_POINT, u), exp2(-41.6), 1e-26);
    ck_assert_double_eq(fd_textbook_error(FD_COMPLEX_STEP, u), u);
}
END_TEST

START_TEST(test_bound_arithmetic) {
    // h = 0.1, x = 1, F = 2, M₁ = 3, Mₜ = 4, u = 1e-3:
    // forward  0.5·0.1·4 + 2·1e-3·(2 + (1 + 0.1)·3)/0.1 = 0.2 + 2e-3·5.3/0.1 = 0.2 + 0.106 = 0.306
    ck_assert_double_eq_tol(fd_error_bound(FD_FORWARD, 0.1, 1, 2, 3, 4, 1e-3), 0.306, 1e-14);
    // central  (0.01/6)·4 + 1e-3·5.3/0.1 = 0.0066667 + 0.053 = 0.0596667
    ck_assert_double_eq_tol(fd_error_bound(FD_CENTRAL, 0.1, 1, 2, 3, 4, 1e-3), 0.04 / 6 + 0.053, 1e-14);
    // 5-point  (1e-4/30)·4 + 1.5·1e-3·(2 + 1.2·3)/0.1 = 1.3333e-5 + 1.5e-3·5.6/0.1 = 1.3333e-5 + 0.084
    ck_assert_double_eq_tol(fd_error_bound(FD_FIVE_POINT, 0.1, 1, 2, 3, 4, 1e-3), 4e-4 / 30 + 0.084, 1e-14);
    // complex  (0.01/6)·4 + 2·1e-3·3 = 0.0066667 + 0.006
    ck_assert_double_eq_tol(fd_error_bound(FD_COMPLEX_STEP, 0.1, 1, 2, 3, 4, 1e-3), 0.04 / 6 + 0.006, 1e-14);
}
END_TEST

// ---------------------------------------------------------------- best error below the bound

typedef struct {
    const char *name;
    FdFunction f, df;
    FdComplexFunction fc;
    double x;
    // sup |f⁽ᵏ⁾| over [x − 0.2, x + 0.2] (the widest stencil, 5-point at h = 0.1)
    double m[6];
} Smooth;

static double f_sin(double x, const void *c) {
    (void)c;
    return sin(x);
}
static double f_cos(double x, const void *c) {
    (void)c;
    return cos(x);
}
static double complex c_sin(double complex z, const void *c) {
    (void)c;
    return csin(z);
}
static double f_exp(double x, const void *c) {
    (void)c;
    return exp(x);
}
static double complex c_exp(double complex z, const void *c) {
    (void)c;
    return cexp(z);
}
static double f_log(double x, const void *c) {
    (void)c;
    return log(x);
}
static double f_inv(double x, const void *c) {
    (void)c;
    return 1.0 / x;
}
static double complex c_log(double complex z, const void *c) {
    (void)c;
    return clog(z);
}

// sin: every derivative ≤ 1. exp at 1.3: e^1.5 = 4.4817 bounds them all.
// log at 2.5: (k−1)!/x^k at x = 2.3: 1/2.3 = 0.4348, 1/2.3² = 0.189,
// 2/2.3³ = 0.1644, 6/2.3⁴ = 0.2144, 24/2.3⁵ = 0.3729 (rounded up).
static const Smooth SMOOTH[] = {
    {"sin", f_sin, f_cos, c_sin, 0.7, {1, 1, 1, 1, 1, 1}},
    {"exp", f_exp, f_exp, c_exp, 1.3, {4.4818, 4.4818, 4.4818, 4.4818, 4.4818, 4.4818}},
    {"log", f_log, f_inv, c_log, 2.5, {0.92, 0.4348, 0.1891, 0.1645, 0.2144, 0.3732}},
};

static double estimate(FdMethod m, const Smooth *s, double h, bool wrong) {
    switch (m) {
    case FD_FORWARD: return fd_forward(s->f, NULL, s->x, h);
    case FD_CENTRAL:
        // the wrong estimator: central divided by h, i.e. twice the slope
        return wrong ? 2.0 * fd_central(s->f, NULL, s->x, h) : fd_central(s->f, NULL, s->x, h);
    case FD_FIVE_POINT: return fd_five_point(s->f, NULL, s->x, h);
    default: return fd_complex_step(s->fc, NULL, s->x, h);
    }
}

static void best_and_bound(const Smooth *s, FdMethod m, bool wrong, double *best, double *bound, double *best_h) {
    *best = INFINITY, *bound = INFINITY;
    double exact = s->df(s->x, NULL), f_max = fabs(s->f(s->x, NULL)) + 0.2 * s->m[1];
    for (int k = 1; k <= 16; k++) {
        double h = pow(10.0, -k), e = fabs(estimate(m, s, h, wrong) - exact);
        if (e < *best)
            *best = e, *best_h = h;
        double b = fd_error_bound(m, h, s->x, f_max, s->m[1], s->m[fd_truncation_derivative(m)], DBL_EPSILON);
        *bound = fmin(*bound, b);
    }
}

START_TEST(test_best_error_below_bound) {
    const Smooth *s = &SMOOTH[_i];
    for (int m = 0; m < FD_N_METHODS; m++) {
        double best, bound, best_h;
        best_and_bound(s, (FdMethod)m, false, &best, &bound, &best_h);
        ck_assert_msg(best <= BOUND_SAFETY * bound, "%s, %s: best error %.3g above %g × bound %.3g", s->name,
                      fd_method_key((FdMethod)m), best, BOUND_SAFETY, bound);
        // The bound is not vacuous: it is within a few decades of the textbook error.
        ck_assert_msg(bound <= 1e3 * fd_textbook_error((FdMethod)m, DBL_EPSILON), "%s: bound %.3g too loose", s->name,
                      bound);
        // The difference methods' best step sits within two decades of the textbook h*.
        if (m != FD_COMPLEX_STEP)
            ck_assert_msg(fabs(log10(best_h / fd_textbook_h((FdMethod)m, DBL_EPSILON))) <= 2.0, "%s, %s: best h %g",
                          s->name, fd_method_key((FdMethod)m), best_h);
    }
}
END_TEST

START_TEST(test_wrong_estimator_exceeds_bound) {
    // Twice the slope misses f′ by |f′| itself: cos 0.7 = 0.76, e^1.3 = 3.7,
    // 1/2.5 = 0.4, all far above a bound near 1e-10.
    const Smooth *s = &SMOOTH[_i];
    double best, bound, best_h;
    best_and_bound(s, FD_CENTRAL, true, &best, &bound, &best_h);
    ck_assert_msg(best > 1e6 * bound, "%s: the wrong estimator went unnoticed (%.3g vs %.3g)", s->name, best, bound);
}
END_TEST

START_TEST(test_complex_step_tiny_h) {
    // No subtraction: full precision at h = 1e-20 and 1e-100, where the
    // central difference would return 0 (x ± h == x).
    const Smooth *s = &SMOOTH[_i];
    double exact = s->df(s->x, NULL);
    for (int k = 0; k < 2; k++) {
        double h = k ? 1e-100 : 1e-20;
        ck_assert_double_le(fabs(fd_complex_step(s->fc, NULL, s->x, h) - exact), 4 * DBL_EPSILON * fabs(exact));
        ck_assert_double_eq(fd_central(s->f, NULL, s->x, h), 0.0);
    }
}
END_TEST

Suite *make_fdiff_suite(void) {
    Suite *s = suite_create("fdiff");
    TCase *tc = tcase_create("fdiff");
    tcase_add_test(tc, test_formulas_by_hand);
    tcase_add_test(tc, test_method_facts);
    tcase_add_test(tc, test_bound_arithmetic);
    tcase_add_loop_test(tc, test_best_error_below_bound, 0, ARRAY_LEN(SMOOTH));
    tcase_add_loop_test(tc, test_wrong_estimator_exceeds_bound, 0, ARRAY_LEN(SMOOTH));
    tcase_add_loop_test(tc, test_complex_step_tiny_h, 0, ARRAY_LEN(SMOOTH));
    suite_add_tcase(s, tc);
    return s;
}
