// src/core/mathfn.c, the workbook's own exp, log, sin, ... (the same bits
// natively and in WebAssembly): correctly rounded values computed
// independently (Python's decimal module at 70 digits, rounded once to
// double), the special values of C99 Annex F, and the largest error over
// many arguments against long double, printed in ulps. A wrong
// implementation is caught: one a single ulp off fails the error bound.
#include <check.h>
#include <complex.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "arraylen.h"
#include "mathfn.h"
#include "rng.h"

// Correct rounding is an error of at most 0.5 ulp; long double, the
// reference, carries 11 more bits, and its own functions err by a few of its
// ulps: 0.5 plus 2^-8 of a double's ulp covers both.
#define ULP_BOUND (0.5 + 0x1p-8)
// Arguments per function in the sweep.
#define SWEEP_N 20000

typedef double (*Fn)(double);

typedef struct {
    const char *name;
    double x, want;
} Ref;

// The correctly rounded value of each at x (from the exact value, decimal).
static const Ref REFS[] = {
    {"exp", 0x1.0000000000000p-1, 0x1.a61298e1e069cp+0},
    {"exp", -0x1.999999999999ap-4, 0x1.cf46d99d52b3ap-1},
    {"exp", 0x1.0000000000000p+0, 0x1.5bf0a8b145769p+1},
    {"exp", 0x1.d99999999999ap+1, 0x1.4394144eeec81p+5},
    {"exp", -0x1.4800000000000p+4, 0x1.57a3afeed00abp-30},
    {"exp", 0x1.0624dd2f1a9fcp-10, 0x1.0041919b7ee34p+0},
    {"exp", 0x1.9100000000000p+6, 0x1.8c39b9134bac4p+144},
    {"exp", -0x1.5e00000000000p+9, 0x1.14f2b0fb9307fp-1010},
    {"exp", 0x1.b7cdfd9d7bdbbp-34, 0x1.000000006df38p+0},
    {"exp", 0x1.a36e2eb1c432dp-16, 0x1.0001a36f864b7p+0},
    {"expm1", 0x1.0000000000000p-1, 0x1.4c2531c3c0d38p-1},
    {"expm1", -0x1.999999999999ap-4, -0x1.85c933156a62cp-4},
    {"expm1", 0x1.b7cdfd9d7bdbbp-34, 0x1.b7cdfd9dda4e3p-34},
    {"expm1", 0x1.a36e2eb1c432dp-16, 0x1.a36f864b6dfc9p-16},
    {"expm1", -0x1.8000000000000p+1, -0x1.e6824f33314f5p-1},
    {"expm1", 0x1.4000000000000p+5, 0x1.a220d397972ebp+57},
    {"expm1", 0x1.0624dd2f1a9fcp-10, 0x1.06466dfb8cf3ap-10},
    {"expm1", -0x1.ad7f29abcaf48p-24, -0x1.ad7f2843813cep-24},
    {"log", 0x1.0000000000000p-1, -0x1.62e42fefa39efp-1},
    {"log", 0x1.0000000000000p+0, 0x0.0p+0},
    {"log", 0x1.0000000000000p+1, 0x1.62e42fefa39efp-1},
    {"log", 0x1.8000000000000p+1, 0x1.193ea7aad030bp+0},
    {"log", 0x1.999999999999ap-4, -0x1.26bb1bbb55515p+1},
    {"log", 0x1.d000000000000p+2, 0x1.fb22e98a1c24ep+0},
    {"log", 0x1.5798ee2308c3ap-27, -0x1.26bb1bbb55516p+4},
    {"log", 0x1.34a0000000000p+10, 0x1.c79436f818745p+2},
    {"log", 0x1.7e43c8800759cp+996, 0x1.5963447f87fb5p+9},
    {"log", 0x1.ac9a7b3b7302fp-995, -0x1.5895426fc88efp+9},
    {"log1p", 0x1.0000000000000p-1, 0x1.9f323ecbf984cp-2},
    {"log1p", -0x1.0000000000000p-1, -0x1.62e42fefa39efp-1},
    {"log1p", 0x1.b7cdfd9d7bdbbp-34, 0x1.b7cdfd9d1d693p-34},
    {"log1p", 0x1.a36e2eb1c432dp-16, 0x1.a36cd71a4d5acp-16},
    {"log1p", 0x1.8000000000000p+1, 0x1.62e42fefa39efp+0},
    {"log1p", -0x1.ff7ced916872bp-1, -0x1.ba18a998fff9fp+2},
    {"log1p", 0x1.0624dd2f1a9fcp-10, 0x1.060354f8c3ebfp-10},
    {"log1p", 0x1.2a05f20000000p+33, 0x1.7069e2aa3184ep+4},
    {"log10", 0x1.0000000000000p+1, 0x1.34413509f79ffp-2},
    {"log10", 0x1.0000000000000p-1, -0x1.34413509f79ffp-2},
    {"log10", 0x1.d000000000000p+2, 0x1.b87e392374dd5p-1},
    {"log10", 0x1.34a0000000000p+10, 0x1.8bb5faece0c80p+1},
    {"log10", 0x1.5798ee2308c3ap-27, -0x1.0000000000000p+3},
    {"log10", 0x1.b6e83b85f253bp+333, 0x1.91e8927964fd6p+6},
    {"sin", 0x1.0000000000000p-1, 0x1.eaee8744b05f0p-2},
    {"sin", 0x1.0000000000000p+0, 0x1.aed548f090ceep-1},
    {"sin", 0x1.8000000000000p+1, 0x1.210386db6d55bp-3},
    {"sin", -0x1.0000000000000p+1, -0x1.d18f6ead1b446p-1},
    {"sin", 0x1.4000000000000p+3, -0x1.1689ef5f34f52p-1},
    {"sin", 0x1.9000000000000p+6, -0x1.03425b78c4db8p-1},
    {"sin", 0x1.4f8b588e368f1p-17, 0x1.4f8b588e1e8a2p-17},
    {"sin", 0x1.86a0000000000p+16, 0x1.24daa9c527e96p-5},
    {"sin", 0x1.921fb54442d18p-1, 0x1.6a09e667f3bccp-1},
    {"cos", 0x1.0000000000000p-1, 0x1.c1528065b7d50p-1},
    {"cos", 0x1.0000000000000p+0, 0x1.14a280fb5068cp-1},
    {"cos", 0x1.8000000000000p+1, -0x1.fae04be85e5d2p-1},
    {"cos", -0x1.0000000000000p+1, -0x1.aa22657537205p-2},
    {"cos", 0x1.4000000000000p+3, -0x1.ad9ac890c6b1fp-1},
    {"cos", 0x1.9000000000000p+6, 0x1.b981dbf665fdfp-1},
    {"cos", 0x1.4f8b588e368f1p-17, 0x1.ffffffff920c8p-1},
    {"cos", 0x1.86a0000000000p+16, -0x1.ffac3841b3da7p-1},
    {"cos", 0x1.921fb54442d18p+0, 0x1.1a62633145c07p-54},
    {"cbrt", 0x1.0000000000000p+1, 0x1.428a2f98d728bp+0},
    {"cbrt", 0x1.8000000000000p+1, 0x1.7137449123ef6p+0},
    {"cbrt", 0x1.4000000000000p+3, 0x1.13c484138704fp+1},
    {"cbrt", -0x1.c000000000000p+2, -0x1.e9b5dba58189ep+0},
    {"cbrt", 0x1.0624dd2f1a9fcp-10, 0x1.999999999999ap-4},
    {"cbrt", 0x1.56e1fc2f8f359p-997, 0x1.bff2ee48e0530p-333},
    {"cbrt", 0x1.7e43c8800759cp+996, 0x1.249ad2594c37dp+332},
    {"cbrt", 0x1.6000000000000p+2, 0x1.c3e27449db536p+0},
    {"sinh", 0x1.0000000000000p-1, 0x1.0acd00fe63b97p-1},
    {"sinh", 0x1.0624dd2f1a9fcp-10, 0x1.0624e00c1c9e3p-10},
    {"sinh", 0x1.0000000000000p+1, 0x1.d03cf63b6e19fp+1},
    {"sinh", -0x1.4000000000000p+2, -0x1.28d0166f07374p+6},
    {"sinh", 0x1.e000000000000p+4, 0x1.370470aec28edp+42},
    {"cosh", 0x1.0000000000000p-1, 0x1.20ac1862ae8d0p+0},
    {"cosh", 0x1.0624dd2f1a9fcp-10, 0x1.000008637bdc1p+0},
    {"cosh", 0x1.0000000000000p+1, 0x1.e18fa0df2d9bcp+1},
    {"cosh", -0x1.4000000000000p+2, 0x1.28d6fcbeff3aap+6},
    {"cosh", 0x1.e000000000000p+4, 0x1.370470aec28edp+42},
};

static Fn fn_named(const char *name) {
    static const struct {
        const char *name;
        Fn fn;
    } FNS[] = {{"exp", wb_exp},     {"expm1", wb_expm1}, {"log", wb_log},   {"log1p", wb_log1p},
               {"log10", wb_log10}, {"sin", wb_sin},     {"cos", wb_cos},   {"cbrt", wb_cbrt},
               {"sinh", wb_sinh},   {"cosh", wb_cosh}};
    for (size_t k = 0; k < ARRAY_LEN(FNS); k++)
        if (!strcmp(FNS[k].name, name)) return FNS[k].fn;
    return NULL;
}

static uint64_t bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

START_TEST(test_correctly_rounded_values) {
    for (size_t k = 0; k < ARRAY_LEN(REFS); k++) {
        Fn f = fn_named(REFS[k].name);
        ck_assert(f != NULL);
        double got = f(REFS[k].x);
        ck_assert_msg(bits(got) == bits(REFS[k].want), "%s(%a) = %a, correctly rounded %a", REFS[k].name, REFS[k].x,
                      got, REFS[k].want);
    }
    static const double POW[][3] = {
        {0x1.0000000000000p+1, 0x1.0000000000000p-1, 0x1.6a09e667f3bcdp+0},
        {0x1.4000000000000p+3, -0x1.8000000000000p+1, 0x1.0624dd2f1a9fcp-10},
        {0x1.3333333333333p-2, 0x1.e000000000000p+2, 0x1.f66c3ac3622b4p-14},
        {0x1.8000000000000p+0, 0x1.9000000000000p+6, 0x1.69194f299cddap+58},
        {0x1.c000000000000p+2, 0x1.5555555555555p-2, 0x1.e9b5dba58189dp+0},
        {0x1.edd2f1a9fbe77p+6, 0x1.4000000000000p+1, 0x1.4ac21590dc051p+17},
    };
    for (size_t k = 0; k < ARRAY_LEN(POW); k++)
        ck_assert_msg(bits(wb_pow(POW[k][0], POW[k][1])) == bits(POW[k][2]), "pow(%a, %a) = %a, correctly rounded %a",
                      POW[k][0], POW[k][1], wb_pow(POW[k][0], POW[k][1]), POW[k][2]);
    static const double ATAN2[][3] = {
        {0x1.0000000000000p+0, 0x1.8000000000000p+1, 0x1.4978fa3269ee1p-2},
        {0x1.8000000000000p+1, 0x1.0000000000000p+0, 0x1.3fc176b7a8560p+0},
        {0x1.0000000000000p+0, -0x1.0000000000000p+1, 0x1.56c6e7397f5aep+1},
        {-0x1.0000000000000p-1, -0x1.0000000000000p-2, -0x1.0468a8ace4df6p+1},
        {0x1.4484bfeebc2a0p-100, 0x1.0000000000000p+0, 0x1.4484bfeebc2a0p-100},
        {0x1.999999999999ap-4, 0x1.ccccccccccccdp-1, 0x1.c54081a021430p-4},
    };
    for (size_t k = 0; k < ARRAY_LEN(ATAN2); k++)
        ck_assert_msg(bits(wb_atan2(ATAN2[k][0], ATAN2[k][1])) == bits(ATAN2[k][2]), "atan2(%a, %a) = %a, want %a",
                      ATAN2[k][0], ATAN2[k][1], wb_atan2(ATAN2[k][0], ATAN2[k][1]), ATAN2[k][2]);
}
END_TEST

// Exact results the workbook relies on (a printed 1e-3 step, a log-scale
// axis at powers of ten) and well-known doubles.
START_TEST(test_exact_and_known_values) {
    double p = 1.0;
    for (int k = 0; k <= 22; k++, p *= 10.0) { // 10^k is exact up to 10^22
        ck_assert_double_eq(wb_pow(10.0, k), p);
        ck_assert_double_eq(wb_log10(p), k);
    }
    ck_assert_double_eq(wb_pow(2.0, 10.0), 1024.0);
    ck_assert_double_eq(wb_pow(-2.0, 3.0), -8.0);
    ck_assert_double_eq(wb_cbrt(27.0), 3.0);
    ck_assert_double_eq(wb_cbrt(-8.0), -2.0);
    ck_assert_double_eq(wb_exp(0.0), 1.0);
    ck_assert_double_eq(wb_exp(1.0), 0x1.5bf0a8b145769p+1); // e
    ck_assert_double_eq(wb_log(2.0), 0x1.62e42fefa39efp-1); // ln 2
    ck_assert_double_eq(wb_log(1.0), 0.0);
    ck_assert_double_eq(wb_sin(0x1.921fb54442d18p+1), 0x1.1a62633145c07p-53); // sin(π's double) = π − it
    ck_assert_double_eq(wb_cos(0x1.921fb54442d18p+1), -1.0);
    ck_assert_double_eq(wb_atan2(1.0, 1.0), 0x1.921fb54442d18p-1);   // π/4
    ck_assert_double_eq(wb_atan2(1.0, -1.0), 0x1.2d97c7f3321d2p+1);  // 3π/4
    ck_assert_double_eq(wb_atan2(-0.0, -1.0), -0x1.921fb54442d18p+1); // −π
    ck_assert_double_eq(wb_expm1(1e-300), 1e-300);
    ck_assert_double_eq(wb_log1p(-1e-300), -1e-300);
    ck_assert(signbit(wb_sin(-0.0)) && wb_sin(-0.0) == 0.0);
}
END_TEST

// C99 Annex F: NaN, infinities, zeros.
START_TEST(test_special_values) {
    ck_assert(isnan(wb_exp(NAN)) && isnan(wb_log(-1.0)) && isnan(wb_log1p(-2.0)) && isnan(wb_sin(INFINITY)));
    ck_assert(isnan(wb_cos(-INFINITY)) && isnan(wb_pow(-8.0, 1.0 / 3.0)) && isnan(wb_cbrt(NAN)));
    ck_assert_double_eq(wb_exp(INFINITY), INFINITY);
    ck_assert_double_eq(wb_exp(-INFINITY), 0.0);
    ck_assert_double_eq(wb_exp(710.0), INFINITY);
    ck_assert_double_eq(wb_exp(-746.0), 0.0);
    ck_assert_double_eq(wb_expm1(-INFINITY), -1.0);
    ck_assert_double_eq(wb_log(0.0), -INFINITY);
    ck_assert_double_eq(wb_log(INFINITY), INFINITY);
    ck_assert_double_eq(wb_log1p(-1.0), -INFINITY);
    ck_assert_double_eq(wb_pow(NAN, 0.0), 1.0);
    ck_assert_double_eq(wb_pow(1.0, NAN), 1.0);
    ck_assert_double_eq(wb_pow(0.0, -1.0), INFINITY);
    ck_assert_double_eq(wb_pow(-0.0, -1.0), -INFINITY);
    ck_assert_double_eq(wb_pow(-0.0, 3.0), 0.0);
    ck_assert(signbit(wb_pow(-0.0, 3.0)));
    ck_assert_double_eq(wb_pow(-1.0, INFINITY), 1.0);
    ck_assert_double_eq(wb_pow(0.5, INFINITY), 0.0);
    ck_assert_double_eq(wb_pow(2.0, -INFINITY), 0.0);
    ck_assert_double_eq(wb_pow(-INFINITY, 3.0), -INFINITY);
    ck_assert_double_eq(wb_pow(INFINITY, -2.0), 0.0);
    ck_assert_double_eq(wb_pow(10.0, 400.0), INFINITY);
    ck_assert_double_eq(wb_cbrt(-INFINITY), -INFINITY);
    ck_assert_double_eq(wb_cosh(-INFINITY), INFINITY);
    ck_assert_double_eq(wb_sinh(-INFINITY), -INFINITY);
}
END_TEST

// ---------------------------------------------------------------- the sweep

typedef struct {
    const char *name;
    Fn fn;
    long double (*ref)(long double);
    double lo, hi;
    bool log_scale; // x = 2^u for u uniform in [lo, hi]
} Sweep;

static double wb_pow_fixed(double x) { return wb_pow(x, 0.37); }
static long double pow_fixed_ref(long double x) { return powl(x, (long double)0.37); }
static double wb_pow_ten(double x) { return wb_pow(10.0, x); }
static long double pow_ten_ref(long double x) { return powl(10.0L, x); }
static double wb_atan2_fixed(double y) { return wb_atan2(y, 1.7); }
static long double atan2_fixed_ref(long double y) { return atan2l(y, (long double)1.7); }

static const Sweep SWEEPS[] = {
    {"exp", wb_exp, expl, -700.0, 700.0, false},         {"exp near 0", wb_exp, expl, -2.0, 2.0, false},
    {"expm1", wb_expm1, expm1l, -3.0, 3.0, false},       {"log", wb_log, logl, -1000.0, 1000.0, true},
    {"log near 1", wb_log, logl, 0.5, 2.0, false},       {"log1p", wb_log1p, log1pl, -0.99, 3.0, false},
    {"log10", wb_log10, log10l, -1000.0, 1000.0, true},  {"sin", wb_sin, sinl, -10.0, 10.0, false},
    {"sin large", wb_sin, sinl, 1e3, 1e6, false},        {"cos", wb_cos, cosl, -10.0, 10.0, false},
    {"cbrt", wb_cbrt, cbrtl, -1000.0, 1000.0, true},     {"sinh", wb_sinh, sinhl, -5.0, 5.0, false},
    {"cosh", wb_cosh, coshl, -5.0, 5.0, false},          {"pow(x, 0.37)", wb_pow_fixed, pow_fixed_ref, -60, 60, true},
    {"pow(10, x)", wb_pow_ten, pow_ten_ref, -30, 30, false},
    {"atan2(y, 1.7)", wb_atan2_fixed, atan2_fixed_ref, -10, 10, false},
};

// The largest |f(x) − ref(x)| in ulps of the result over SWEEP_N arguments.
static double max_ulp_error(Fn f, long double (*ref)(long double), double lo, double hi, bool log_scale,
                            uint64_t seed) {
    Rng r = rng_make(seed);
    double worst = 0.0;
    for (int k = 0; k < SWEEP_N; k++) {
        double u = rng_range(&r, lo, hi), x = log_scale ? exp2(u) : u;
        long double want = ref(x);
        double w = (double)want, ulp = nextafter(fabs(w), INFINITY) - fabs(w);
        double e = (double)(fabsl((long double)f(x) - want) / ulp);
        if (e > worst) worst = e;
    }
    return worst;
}

START_TEST(test_sweep_within_half_ulp) {
    const Sweep *s = &SWEEPS[_i];
    double worst = max_ulp_error(s->fn, s->ref, s->lo, s->hi, s->log_scale, 900 + (uint64_t)_i);
    printf("mathfn: %-14s max error %.4f ulp over %d arguments (bound %.4f)\n", s->name, worst, SWEEP_N, ULP_BOUND);
    ck_assert_msg(worst <= ULP_BOUND, "%s: %.4f ulp", s->name, worst);
}
END_TEST

// The sweep catches a function one ulp off, and an honest double-only
// evaluation (exp(log(x)/3) for cbrt, errors of a few ulps).
static double exp_one_ulp_up(double x) { return nextafter(wb_exp(x), INFINITY); }
static double cbrt_naive(double x) { return wb_exp(wb_log(x) / 3.0); }

START_TEST(test_sweep_catches_wrong_functions) {
    double off = max_ulp_error(exp_one_ulp_up, expl, -2.0, 2.0, false, 1);
    ck_assert_msg(off > ULP_BOUND, "one ulp off measured %.4f", off);
    double naive = max_ulp_error(cbrt_naive, cbrtl, 0.0, 100.0, true, 2);
    ck_assert_msg(naive > ULP_BOUND, "exp(log(x)/3) measured %.4f", naive);
}
END_TEST

// The complex functions on chapter 0's complex steps z = x + ih: the
// imaginary part is h·f'(x) to double precision.
START_TEST(test_complex_step) {
    double x = 0.7, h = 1e-20;
    double complex z = x + h * I;
    ck_assert_double_eq(cimag(wb_cexp(z)) / h, wb_exp(x));
    ck_assert_double_eq(creal(wb_cexp(z)), wb_exp(x));
    ck_assert_double_eq(cimag(wb_csin(z)) / h, wb_cos(x));
    ck_assert_double_eq(creal(wb_csin(z)), wb_sin(x));
    ck_assert_double_eq(creal(wb_clog(z)), wb_log(x));
    ck_assert_double_eq(cimag(wb_clog(z)), h / x);
    double complex w = wb_clog(-1.0 + 0.0 * I); // log(−1) = iπ
    ck_assert_double_eq(creal(w), 0.0);
    ck_assert_double_eq(cimag(w), 0x1.921fb54442d18p+1);
    float complex zf = 0.7f + 1e-10f * I;
    ck_assert_float_eq(crealf(wb_cexpf(zf)), expf(0.7f));
    ck_assert_float_eq(crealf(wb_csinf(zf)), wb_sinf(0.7f));
    ck_assert_float_eq(crealf(wb_clogf(zf)), (float)wb_log(0.7f));
}
END_TEST

Suite *make_mathfn_suite(void) {
    Suite *s = suite_create("mathfn");
    TCase *tc = tcase_create("mathfn");
    tcase_add_test(tc, test_correctly_rounded_values);
    tcase_add_test(tc, test_exact_and_known_values);
    tcase_add_test(tc, test_special_values);
    tcase_add_loop_test(tc, test_sweep_within_half_ulp, 0, ARRAY_LEN(SWEEPS));
    tcase_add_test(tc, test_sweep_catches_wrong_functions);
    tcase_add_test(tc, test_complex_step);
    suite_add_tcase(s, tc);
    return s;
}
