#include "mathfn.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>

// ---------------------------------------------------------------- double-double
// A value hi + lo with |lo| <= ulp(hi)/2: about 106 bits. Every operation is
// a fixed sequence of IEEE additions and multiplications (no fma, no
// contraction: the Makefile compiles this file with -ffp-contract=off), so
// every platform computes the same bits.

typedef struct {
    double hi, lo;
} DD;

// Dekker's splitting constant 2^27 + 1: a = ah + al with 26-bit halves.
#define SPLITTER 134217729.0

static inline DD two_sum(double a, double b) {
    double s = a + b, bb = s - a;
    return (DD){s, (a - (s - bb)) + (b - bb)};
}

static inline DD fast_two_sum(double a, double b) { // |a| >= |b| or a == 0
    double s = a + b;
    return (DD){s, b - (s - a)};
}

static inline void split(double a, double *hi, double *lo) {
    double t = SPLITTER * a;
    *hi = t - (t - a);
    *lo = a - *hi;
}

static inline DD two_prod(double a, double b) {
    double p = a * b, ah, al, bh, bl;
    split(a, &ah, &al);
    split(b, &bh, &bl);
    return (DD){p, ((ah * bh - p) + ah * bl + al * bh) + al * bl};
}

static inline DD dd(double hi, double lo) { return (DD){hi, lo}; }

static inline DD dd_add(DD a, DD b) {
    DD s = two_sum(a.hi, b.hi), t = two_sum(a.lo, b.lo);
    s = fast_two_sum(s.hi, s.lo + t.hi);
    return fast_two_sum(s.hi, s.lo + t.lo);
}

static inline DD dd_add_d(DD a, double b) {
    DD s = two_sum(a.hi, b);
    return fast_two_sum(s.hi, s.lo + a.lo);
}

static inline DD dd_neg(DD a) { return (DD){-a.hi, -a.lo}; }

static inline DD dd_mul(DD a, DD b) {
    DD p = two_prod(a.hi, b.hi);
    return fast_two_sum(p.hi, p.lo + (a.hi * b.lo + a.lo * b.hi));
}

static inline DD dd_mul_d(DD a, double b) {
    DD p = two_prod(a.hi, b);
    return fast_two_sum(p.hi, p.lo + a.lo * b);
}

static DD dd_scale(DD a, int e) { return (DD){ldexp(a.hi, e), ldexp(a.lo, e)}; }

static DD dd_div(DD a, DD b) {
    double q1 = a.hi / b.hi;
    DD r = dd_add(a, dd_neg(dd_mul_d(b, q1)));
    double q2 = r.hi / b.hi;
    r = dd_add(r, dd_neg(dd_mul_d(b, q2)));
    double q3 = r.hi / b.hi;
    return dd_add_d(fast_two_sum(q1, q2), q3);
}

static DD dd_sqrt(DD a) { // one Newton step from the double root
    if (a.hi <= 0.0) return dd(sqrt(a.hi), 0.0);
    double r = sqrt(a.hi);
    DD e = dd_add(a, dd_neg(two_prod(r, r)));
    return fast_two_sum(r, e.hi / (2.0 * r));
}

// The nearest double: hi of a normalised pair is fl(hi + lo).
static double dd_round(DD a) { return a.hi + a.lo; }

// ---------------------------------------------------------------- constants
// From the exact values (Python's decimal module at 80 digits), each split
// into the nearest double and the nearest double to the remainder.
static const DD LN2 = {0x1.62e42fefa39efp-1, 0x1.abc9e3b39803fp-56};
static const DD INV_LN10 = {0x1.bcb7b1526e50ep-2, 0x1.95355baaafad3p-57};
static const DD PI = {0x1.921fb54442d18p+1, 0x1.1a62633145c07p-53};
// π/2 in three parts, about 161 bits, for the reduction of sin and cos.
static const double PIO2_1 = 0x1.921fb54442d18p+0, PIO2_2 = 0x1.1a62633145c07p-54,
                    PIO2_3 = -0x1.f1976b7ed8fbcp-110;

// exp overflows above log(DBL_MAX) and is 0 below log of half the smallest subnormal.
#define EXP_OVERFLOW 0x1.62e42fefa39efp+9
#define EXP_UNDERFLOW -0x1.74910d52d3052p+9
// Below these the function's first term is its correctly rounded value.
#define TINY_TRIG 0x1p-27  // sin x = x, cos x = 1, sinh x = x, cosh x = 1
#define TINY_EXPM1 0x1p-54 // expm1 x = x
// The reduced argument of exp is divided by 2^EXP_HALVINGS before the series
// and the result squared back: the series then needs 14 terms, not 30.
#define EXP_HALVINGS 4

// ---------------------------------------------------------------- exp
// e^r − 1 for |r| <= 0.36: the Taylor series of r/16 (terms to r^14/14!, the
// first four in double-double, the rest, below 2^-29 of the sum, in double),
// then four times e^{2u} − 1 = m(m + 2), which never cancels.
static DD em1_core(DD r) {
    static const double TAIL[] = {0x1.1111111111111p-7,  0x1.6c16c16c16c17p-10, 0x1.a01a01a01a01ap-13,
                                  0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19, 0x1.27e4fb7789f5cp-22,
                                  0x1.ae64567f544e4p-26, 0x1.1eed8eff8d898p-29, 0x1.6124613a86d09p-33,
                                  0x1.93974a8c07c9dp-37}; // 1/5! .. 1/14!
    static const DD C3 = {0x1.5555555555555p-3, 0x1.5555555555555p-57}, C4 = {0x1.5555555555555p-5,
                                                                                0x1.5555555555555p-59};
    r = dd_scale(r, -EXP_HALVINGS);
    double t = 0.0;
    for (int k = (int)(sizeof TAIL / sizeof TAIL[0]) - 1; k >= 0; k--) t = TAIL[k] + r.hi * t;
    DD p = dd_add(C4, dd_mul_d(r, t));
    p = dd_add(C3, dd_mul(r, p));
    p = dd_add_d(dd_mul(r, p), 0.5);
    p = dd_add_d(dd_mul(r, p), 1.0);
    DD m = dd_mul(r, p);
    for (int k = 0; k < EXP_HALVINGS; k++) m = dd_mul(m, dd_add_d(m, 2.0));
    return m;
}

// x = k·ln 2 + r with |r| <= ln 2 / 2 (+ a little), r as double-double.
static DD reduce_ln2(DD x, double *k) {
    *k = floor(x.hi / LN2.hi + 0.5);
    DD p = two_prod(*k, LN2.hi);
    DD r = two_sum(x.hi - p.hi, -p.lo); // x.hi − p.hi is exact (Sterbenz)
    return dd_add(r, dd_add_d(dd_neg(two_prod(*k, LN2.lo)), x.lo));
}

// 2^(j/64), j = 0..63 (computed as the exp2 above, to 80 digits).
static const DD EXP2_64THS[64] = {
    {0x1.0000000000000p+0, 0x0.0p+0}, {0x1.02c9a3e778061p+0, -0x1.19083535b085dp-56},
    {0x1.059b0d3158574p+0, 0x1.d73e2a475b465p-55}, {0x1.0874518759bc8p+0, 0x1.186be4bb284ffp-57},
    {0x1.0b5586cf9890fp+0, 0x1.8a62e4adc610bp-54}, {0x1.0e3ec32d3d1a2p+0, 0x1.03a1727c57b53p-59},
    {0x1.11301d0125b51p+0, -0x1.6c51039449b3ap-54}, {0x1.1429aaea92de0p+0, -0x1.32fbf9af1369ep-54},
    {0x1.172b83c7d517bp+0, -0x1.19041b9d78a76p-55}, {0x1.1a35beb6fcb75p+0, 0x1.e5b4c7b4968e4p-55},
    {0x1.1d4873168b9aap+0, 0x1.e016e00a2643cp-54}, {0x1.2063b88628cd6p+0, 0x1.dc775814a8495p-55},
    {0x1.2387a6e756238p+0, 0x1.9b07eb6c70573p-54}, {0x1.26b4565e27cddp+0, 0x1.2bd339940e9d9p-55},
    {0x1.29e9df51fdee1p+0, 0x1.612e8afad1255p-55}, {0x1.2d285a6e4030bp+0, 0x1.0024754db41d5p-54},
    {0x1.306fe0a31b715p+0, 0x1.6f46ad23182e4p-55}, {0x1.33c08b26416ffp+0, 0x1.32721843659a6p-54},
    {0x1.371a7373aa9cbp+0, -0x1.63aeabf42eae2p-54}, {0x1.3a7db34e59ff7p+0, -0x1.5e436d661f5e3p-56},
    {0x1.3dea64c123422p+0, 0x1.ada0911f09ebcp-55}, {0x1.4160a21f72e2ap+0, -0x1.ef3691c309278p-58},
    {0x1.44e086061892dp+0, 0x1.89b7a04ef80d0p-59}, {0x1.486a2b5c13cd0p+0, 0x1.3c1a3b69062f0p-56},
    {0x1.4bfdad5362a27p+0, 0x1.d4397afec42e2p-56}, {0x1.4f9b2769d2ca7p+0, -0x1.4b309d25957e3p-54},
    {0x1.5342b569d4f82p+0, -0x1.07abe1db13cadp-55}, {0x1.56f4736b527dap+0, 0x1.9bb2c011d93adp-54},
    {0x1.5ab07dd485429p+0, 0x1.6324c054647adp-54}, {0x1.5e76f15ad2148p+0, 0x1.ba6f93080e65ep-54},
    {0x1.6247eb03a5585p+0, -0x1.383c17e40b497p-54}, {0x1.6623882552225p+0, -0x1.bb60987591c34p-54},
    {0x1.6a09e667f3bcdp+0, -0x1.bdd3413b26456p-54}, {0x1.6dfb23c651a2fp+0, -0x1.bbe3a683c88abp-57},
    {0x1.71f75e8ec5f74p+0, -0x1.16e4786887a99p-55}, {0x1.75feb564267c9p+0, -0x1.0245957316dd3p-54},
    {0x1.7a11473eb0187p+0, -0x1.41577ee04992fp-55}, {0x1.7e2f336cf4e62p+0, 0x1.05d02ba15797ep-56},
    {0x1.82589994cce13p+0, -0x1.d4c1dd41532d8p-54}, {0x1.868d99b4492edp+0, -0x1.fc6f89bd4f6bap-54},
    {0x1.8ace5422aa0dbp+0, 0x1.6e9f156864b27p-54}, {0x1.8f1ae99157736p+0, 0x1.5cc13a2e3976cp-55},
    {0x1.93737b0cdc5e5p+0, -0x1.75fc781b57ebcp-57}, {0x1.97d829fde4e50p+0, -0x1.d185b7c1b85d1p-54},
    {0x1.9c49182a3f090p+0, 0x1.c7c46b071f2bep-56}, {0x1.a0c667b5de565p+0, -0x1.359495d1cd533p-54},
    {0x1.a5503b23e255dp+0, -0x1.d2f6edb8d41e1p-54}, {0x1.a9e6b5579fdbfp+0, 0x1.0fac90ef7fd31p-54},
    {0x1.ae89f995ad3adp+0, 0x1.7a1cd345dcc81p-54}, {0x1.b33a2b84f15fbp+0, -0x1.2805e3084d708p-57},
    {0x1.b7f76f2fb5e47p+0, -0x1.5584f7e54ac3bp-56}, {0x1.bcc1e904bc1d2p+0, 0x1.23dd07a2d9e84p-55},
    {0x1.c199bdd85529cp+0, 0x1.11065895048ddp-55}, {0x1.c67f12e57d14bp+0, 0x1.2884dff483cadp-54},
    {0x1.cb720dcef9069p+0, 0x1.503cbd1e949dbp-56}, {0x1.d072d4a07897cp+0, -0x1.cbc3743797a9cp-54},
    {0x1.d5818dcfba487p+0, 0x1.2ed02d75b3707p-55}, {0x1.da9e603db3285p+0, 0x1.c2300696db532p-54},
    {0x1.dfc97337b9b5fp+0, -0x1.1a5cd4f184b5cp-54}, {0x1.e502ee78b3ff6p+0, 0x1.39e8980a9cc8fp-55},
    {0x1.ea4afa2a490dap+0, -0x1.e9c23179c2893p-54}, {0x1.efa1bee615a27p+0, 0x1.dc7f486a4b6b0p-54},
    {0x1.f50765b6e4540p+0, 0x1.9d3e12dd8a18bp-54}, {0x1.fa7c1819e90d8p+0, 0x1.74853f3a5931ep-55},
};

// e^x for a double-double x inside the range of exp, the fast way: x =
// (64e + j)·ln 2/64 + r with |r| <= ln 2/128, e^x = 2^e · 2^(j/64) · e^r, e^r
// by its Taylor series (to r^11/11!, the first three terms in double-double,
// the rest, below 2^-27 of the sum, in double).
static double exp_dd(DD x) {
    static const double TAIL[] = {0x1.5555555555555p-5, 0x1.1111111111111p-7, 0x1.6c16c16c16c17p-10,
                                  0x1.a01a01a01a01ap-13, 0x1.a01a01a01a01ap-16, 0x1.71de3a556c734p-19,
                                  0x1.27e4fb7789f5cp-22, 0x1.ae64567f544e4p-26}; // 1/4! .. 1/11!
    static const DD C3 = {0x1.5555555555555p-3, 0x1.5555555555555p-57};
    const DD step = dd_scale(LN2, -6);
    double n = floor(x.hi / step.hi + 0.5);
    DD p = two_prod(n, step.hi);
    DD r = two_sum(x.hi - p.hi, -p.lo); // x.hi − p.hi is exact (Sterbenz)
    r = dd_add(r, dd_add_d(dd_neg(two_prod(n, step.lo)), x.lo));
    double t = 0.0;
    for (int k = (int)(sizeof TAIL / sizeof TAIL[0]) - 1; k >= 0; k--) t = TAIL[k] + r.hi * t;
    DD q = dd_add(C3, dd_mul_d(r, t));
    q = dd_add_d(dd_mul(r, q), 0.5);
    q = dd_add_d(dd_mul(r, q), 1.0);
    DD m = dd_mul(r, q); // e^r − 1
    double j = n - 64.0 * floor(n / 64.0);
    DD tj = EXP2_64THS[(int)j];
    return ldexp(dd_round(dd_add(tj, dd_mul(tj, m))), (int)((n - j) / 64.0));
}

// The fast path of wb_exp, in double with Dekker's product where it
// matters: the same reduction with ln 2/64 split so that n·EXP_L1 is exact
// (EXP_L1 has 37 bits, |n| < 2^16 for |x| <= EXP_FAST_LIMIT), e^r − 1 to r^7,
// result 2^(j/64)(1 + p) as s.hi + tail. Every error (the reduction's 2^-79,
// the polynomial's rounding 2^-68 and truncation 2^-70, the tail's three
// additions, 2^-69 each) is below EXP_FAST_ERR of the result, which is >= 0.99
// before scaling. When the result's rounding is certain within that error, it
// is the correctly rounded one; otherwise exp_dd decides (about 1 in 2000).
#define EXP_L1 0x1.62e42fefa0000p-7
#define EXP_L2 0x1.cf79abc9e3b3ap-46
#define EXP_INV_STEP 0x1.71547652b82fep+6 // 64/ln 2
#define EXP_FAST_LIMIT 700.0
#define EXP_FAST_ERR 0x1p-63

static bool exp_fast(double x, double *out) {
    double n = floor(x * EXP_INV_STEP + 0.5);
    DD r = two_sum(x - n * EXP_L1, -(n * EXP_L2)); // x − n·EXP_L1 is exact
    double h = r.hi;
    double q = h * h *
               (0.5 + h * (0x1.5555555555555p-3 +
                           h * (0x1.5555555555555p-5 +
                                h * (0x1.1111111111111p-7 + h * (0x1.6c16c16c16c17p-10 + h * 0x1.a01a01a01a01ap-13)))));
    double j = n - 64.0 * floor(n / 64.0);
    DD tj = EXP2_64THS[(int)j];
    DD a = two_prod(tj.hi, h);
    DD s = fast_two_sum(tj.hi, a.hi);
    double tail = s.lo + (a.lo + (tj.hi * (r.lo + q) + tj.lo * (1.0 + h)));
    double res = s.hi + tail, e = tail - (res - s.hi), err = EXP_FAST_ERR * res;
    if (res + (e + err) != res || res + (e - err) != res) return false;
    *out = ldexp(res, (int)((n - j) / 64.0));
    return true;
}

double wb_exp(double x) {
    if (isnan(x)) return x + x;
    if (x > EXP_OVERFLOW) return HUGE_VAL;
    if (x < EXP_UNDERFLOW) return 0.0;
    double y;
    if (fabs(x) <= EXP_FAST_LIMIT && exp_fast(x, &y)) return y;
    return exp_dd(dd(x, 0.0));
}

double wb_expm1(double x) {
    if (isnan(x)) return x + x;
    if (fabs(x) < TINY_EXPM1) return x;
    if (x > EXP_OVERFLOW) return HUGE_VAL;
    if (x < -40.0) return -1.0; // e^x < 2^-57: e^x − 1 rounds to −1
    double k;
    DD m = em1_core(reduce_ln2(dd(x, 0.0), &k));
    if (k == 0.0) return dd_round(m);
    // 2^k(1 + m) − 1 = (2^k − 1) + 2^k·m, the first pair exact.
    return dd_round(dd_add(two_sum(ldexp(1.0, (int)k), -1.0), dd_scale(m, (int)k)));
}

// e^a / 2 as a double-double, for 1 <= a <= EXP_OVERFLOW.
static DD half_exp(double a) {
    double k;
    DD r = reduce_ln2(dd(a, 0.0), &k);
    DD m = em1_core(r);
    return dd_scale(dd_add_d(m, 1.0), (int)k - 1);
}

// Above EXP_OVERFLOW both overflow (a little early: they reach DBL_MAX only
// at 710.48; the workbook never asks so far).
double wb_sinh(double x) {
    double a = fabs(x);
    if (isnan(x) || a < TINY_TRIG) return x;
    if (a > EXP_OVERFLOW) return copysign(HUGE_VAL, x);
    DD r;
    if (a < 1.0) { // (m + m/(m + 1))/2 with m = e^a − 1: no cancellation
        DD m = em1_core(dd(a, 0.0));
        r = dd_scale(dd_add(m, dd_div(m, dd_add_d(m, 1.0))), -1);
    } else {
        DD e = half_exp(a);
        r = dd_add(e, dd_neg(dd_div(dd(0.25, 0.0), e)));
    }
    return copysign(dd_round(r), x);
}

double wb_cosh(double x) {
    double a = fabs(x);
    if (isnan(x)) return x + x;
    if (a < TINY_TRIG) return 1.0;
    if (a > EXP_OVERFLOW) return HUGE_VAL;
    DD e = a < 1.0 ? dd_scale(dd_add_d(em1_core(dd(a, 0.0)), 1.0), -1) : half_exp(a);
    return dd_round(dd_add(e, dd_div(dd(0.25, 0.0), e)));
}

// ---------------------------------------------------------------- log
// log f for f near 1 in double: 2 atanh((f − 1)/(f + 1)), a few ulps; only the
// start of the Newton step below.
static double log_start(double f) {
    double s = (f - 1.0) / (f + 1.0), z = s * s, p = 0.0;
    for (int k = 21; k >= 3; k -= 2) p = 1.0 / k + z * p;
    return 2.0 * s + 2.0 * s * z * p;
}

// log a for a double-double a > 0 (finite): a = 2^e·f with f in [√½, √2),
// log f = y0 + log(f·e^{-y0}), the second term d − d²/2 with d = f·e^{-y0} − 1
// (tiny: the error of y0) computed without cancellation as (f − 1) + f·m.
static DD log_dd(DD a) {
    int e;
    double fh = frexp(a.hi, &e);
    if (fh < 0x1.6a09e667f3bcdp-1) fh *= 2.0, e--;
    DD f = dd(fh, ldexp(a.lo, -e));
    double y0 = log_start(fh) + f.lo / fh;
    DD m = em1_core(dd(-y0, 0.0));
    DD d = dd_add(two_sum(fh - 1.0, f.lo), dd_mul(f, m));
    DD y = dd_add(two_sum(y0, d.hi), dd(d.lo - 0.5 * d.hi * d.hi + d.hi * d.hi * d.hi / 3.0, 0.0));
    DD n = dd_add_d(two_prod((double)e, LN2.hi), (double)e * LN2.lo);
    return dd_add(n, y);
}

// The special values of log: NaN below 0, −∞ at 0, +∞ at +∞; 0 when regular.
static int log_special(double x, double *out) {
    if (isnan(x)) return *out = x + x, 1;
    if (x < 0.0) return *out = NAN, 1;
    if (x == 0.0) return *out = -HUGE_VAL, 1;
    if (isinf(x)) return *out = x, 1;
    return 0;
}

// log(1 + i/128) for i = LOG_TABLE_FIRST .. 54 (from the exact values).
#define LOG_TABLE_FIRST (-38)
static const DD LOG_1_PLUS_128THS[] = {
    {-0x1.68ac83e9c6a14p-2, -0x1.a64eadd740178p-58}, {-0x1.5d5bddf595f30p-2, 0x1.6541148cbb8a2p-56},
    {-0x1.522ae0738a3d8p-2, 0x1.8f7e9b38a6979p-57}, {-0x1.4718dc271c41bp-2, -0x1.8fb4c14c56eefp-60},
    {-0x1.3c25277333184p-2, 0x1.2ad27e50a8ec6p-56}, {-0x1.314f1e1d35ce4p-2, 0x1.3d69909e5c3dcp-56},
    {-0x1.269621134db92p-2, -0x1.e0efadd9db02bp-56}, {-0x1.1bf99635a6b95p-2, 0x1.12aeb84249223p-57},
    {-0x1.1178e8227e47cp-2, 0x1.0e63a5f01c691p-57}, {-0x1.07138604d5862p-2, -0x1.cdb16ed4e9138p-56},
    {-0x1.f991c6cb3b379p-3, -0x1.f665066f980a2p-57}, {-0x1.e530effe71012p-3, -0x1.2276041f43042p-59},
    {-0x1.d1037f2655e7bp-3, -0x1.60629242471a2p-57}, {-0x1.bd087383bd8adp-3, -0x1.dd355f6a516d7p-60},
    {-0x1.a93ed3c8ad9e3p-3, -0x1.bcafa9de97203p-57}, {-0x1.95a5adcf7017fp-3, -0x1.142c507fb7a3dp-58},
    {-0x1.823c16551a3c2p-3, 0x1.1232ce70be781p-57}, {-0x1.6f0128b756abcp-3, 0x1.8de59c21e166cp-57},
    {-0x1.5bf406b543db2p-3, 0x1.1f5b44c0df7e7p-61}, {-0x1.4913d8333b561p-3, 0x1.0d5604930f135p-58},
    {-0x1.365fcb0159016p-3, -0x1.7d411a5b944adp-58}, {-0x1.23d712a49c202p-3, 0x1.6e38161051d69p-57},
    {-0x1.1178e8227e47cp-3, 0x1.0e63a5f01c691p-58}, {-0x1.fe89139dbd566p-4, 0x1.ac9f4215f9393p-58},
    {-0x1.da727638446a2p-4, -0x1.401fa71733019p-58}, {-0x1.b6ac88dad5b1cp-4, 0x1.0057eed1ca59fp-59},
    {-0x1.9335e5d594989p-4, 0x1.478a85704ccb7p-58}, {-0x1.700d30aeac0e1p-4, 0x1.72566212cdd05p-61},
    {-0x1.4d3115d207eacp-4, -0x1.769f42c7842ccp-58}, {-0x1.2aa04a44717a5p-4, 0x1.d15d38d2fa3f7p-58},
    {-0x1.08598b59e3a07p-4, 0x1.dd7009902bf32p-58}, {-0x1.ccb73cdddb2ccp-5, 0x1.e48fb0500efd4p-59},
    {-0x1.894aa149fb343p-5, -0x1.a8be97660a23dp-60}, {-0x1.466aed42de3eap-5, 0x1.cdd6f7f4a137ep-59},
    {-0x1.0415d89e74444p-5, -0x1.c05cf1d753622p-59}, {-0x1.8492528c8cabfp-6, 0x1.d192d0619fa67p-60},
    {-0x1.0205658935847p-6, -0x1.27c8e8416e71fp-60}, {-0x1.010157588de71p-7, -0x1.46662d417ced0p-62},
    {0x0.0p+0, 0x0.0p+0}, {0x1.fe02a6b106789p-8, -0x1.e44b7e3711ebfp-67},
    {0x1.fc0a8b0fc03e4p-7, -0x1.83092c59642a1p-62}, {0x1.7b91b07d5b11bp-6, -0x1.5b602ace3a510p-60},
    {0x1.f829b0e783300p-6, 0x1.33e3f04f1ef23p-60}, {0x1.39e87b9febd60p-5, -0x1.5bfa937f551bbp-59},
    {0x1.77458f632dcfcp-5, 0x1.18d3ca87b9296p-59}, {0x1.b42dd711971bfp-5, -0x1.eb9759c130499p-60},
    {0x1.f0a30c01162a6p-5, 0x1.85f325c5bbacdp-59}, {0x1.16536eea37ae1p-4, -0x1.79da3e8c22cdap-60},
    {0x1.341d7961bd1d1p-4, -0x1.b599f227becbbp-58}, {0x1.51b073f06183fp-4, 0x1.a49e39a1a8be4p-58},
    {0x1.6f0d28ae56b4cp-4, -0x1.906d99184b992p-58}, {0x1.8c345d6319b21p-4, -0x1.4a697ab3424a9p-61},
    {0x1.a926d3a4ad563p-4, 0x1.942f48aa70ea9p-58}, {0x1.c5e548f5bc743p-4, 0x1.5d617ef8161b1p-60},
    {0x1.e27076e2af2e6p-4, -0x1.61578001e0162p-60}, {0x1.fec9131dbeabbp-4, -0x1.5746b9981b36cp-58},
    {0x1.0d77e7cd08e59p-3, 0x1.9a5dc5e9030acp-57}, {0x1.1b72ad52f67a0p-3, 0x1.483023472cd74p-58},
    {0x1.29552f81ff523p-3, 0x1.301771c407dbfp-57}, {0x1.371fc201e8f74p-3, 0x1.de6cb62af18a0p-58},
    {0x1.44d2b6ccb7d1ep-3, 0x1.9f4f6543e1f88p-57}, {0x1.526e5e3a1b438p-3, -0x1.746ff8a470d3ap-57},
    {0x1.5ff3070a793d4p-3, -0x1.bc60efafc6f6ep-58}, {0x1.6d60fe719d21dp-3, -0x1.caae268ecd179p-57},
    {0x1.7ab890210d909p-3, 0x1.be36b2d6a0608p-59}, {0x1.87fa06520c911p-3, -0x1.bf7fdbfa08d9ap-57},
    {0x1.9525a9cf456b4p-3, 0x1.d904c1d4e2e26p-57}, {0x1.a23bc1fe2b563p-3, 0x1.93711b07a998cp-59},
    {0x1.af3c94e80bff3p-3, -0x1.398cff3641985p-58}, {0x1.bc286742d8cd6p-3, 0x1.4fce744870f55p-58},
    {0x1.c8ff7c79a9a22p-3, -0x1.4f689f8434012p-57}, {0x1.d5c216b4fbb91p-3, 0x1.6e443597e4d40p-57},
    {0x1.e27076e2af2e6p-3, -0x1.61578001e0162p-59}, {0x1.ef0adcbdc5936p-3, 0x1.48637950dc20dp-57},
    {0x1.fb9186d5e3e2bp-3, -0x1.caaae64f21acbp-57}, {0x1.0402594b4d041p-2, -0x1.28ec217a5022dp-57},
    {0x1.0a324e27390e3p-2, 0x1.7dcfde8061c03p-56}, {0x1.1058bf9ae4ad5p-2, 0x1.89fa0ab4cb31dp-58},
    {0x1.1675cababa60ep-2, 0x1.ce63eab883717p-61}, {0x1.1c898c16999fbp-2, -0x1.0e5c62aff1c44p-60},
    {0x1.22941fbcf7966p-2, -0x1.76f5eb09628afp-56}, {0x1.2895a13de86a3p-2, 0x1.7ad24c13f040ep-56},
    {0x1.2e8e2bae11d31p-2, -0x1.8f4cdb95ebdf9p-56}, {0x1.347dd9a987d55p-2, -0x1.4dd4c580919f8p-57},
    {0x1.3a64c556945eap-2, -0x1.c68651945f97cp-57}, {0x1.404308686a7e4p-2, -0x1.0bcfb6082ce6dp-56},
    {0x1.4618bc21c5ec2p-2, 0x1.f42decdeccf1dp-56}, {0x1.4be5f957778a1p-2, -0x1.259b35b04813dp-57},
    {0x1.51aad872df82dp-2, 0x1.3927ac19f55e3p-59}, {0x1.5767717455a6cp-2, 0x1.526adb283660cp-56},
    {0x1.5d1bdbf5809cap-2, 0x1.4236383dc7fe1p-56}, {0x1.62c82f2b9c795p-2, 0x1.7b7af915300e5p-57},
    {0x1.686c81e9b14afp-2, -0x1.ddea0f7f58e3dp-57},
};

// The fast path of wb_log and wb_log1p, for a double-double a: a = 2^e·f, f in [√½, √2), f = c(1 + u) with
// c = 1 + i/128 and |u| <= 1/256 (f − c is exact, u a double-double),
// log x = e·ln 2 + log c + log1p(u), log1p(u) to u^8. The errors (u's
// product 2^-106, the polynomial's rounding 2^-70 and truncation 2^-67 of u,
// the tail's additions) stay below LOG_FAST_ERR of the result, which is
// |u|·0.99 at least when e = i = 0 and 2^-9 at least otherwise. As for exp:
// when the rounding is certain within that error, it is correct; otherwise
// log_dd decides (about 1 in 100).
#define LOG_FAST_ERR 0x1p-60

static bool log_fast(DD a, double *out) {
    int e;
    double f = frexp(a.hi, &e);
    if (f < 0x1.6a09e667f3bcdp-1) f *= 2.0, e--;
    double i = floor((f - 1.0) * 128.0 + 0.5), c = 1.0 + i / 128.0; // exact
    DD d = two_sum(f - c, ldexp(a.lo, -e));                          // f − c is exact
    double uh = d.hi / c;
    DD back = two_prod(uh, c);
    double ul = (((d.hi - back.hi) - back.lo) + d.lo) / c;
    double poly = uh * uh *
                  (-0.5 + uh * (0x1.5555555555555p-2 +
                                uh * (-0.25 + uh * (0x1.999999999999ap-3 +
                                                    uh * (-0x1.5555555555555p-3 +
                                                          uh * (0x1.2492492492492p-3 + uh * -0.125))))));
    DD b = dd_add(dd_add_d(two_prod((double)e, LN2.hi), (double)e * LN2.lo),
                  LOG_1_PLUS_128THS[(int)i - LOG_TABLE_FIRST]);
    DD s = two_sum(b.hi, uh);
    double tail = s.lo + (b.lo + (ul + poly));
    double res = s.hi + tail, err_round = tail - (res - s.hi), err = LOG_FAST_ERR * fabs(res);
    if (res + (err_round + err) != res || res + (err_round - err) != res) return false;
    *out = res;
    return true;
}

double wb_log(double x) {
    double s;
    if (log_special(x, &s)) return s;
    if (x == 1.0) return 0.0;
    if (log_fast(dd(x, 0.0), &s)) return s;
    return dd_round(log_dd(dd(x, 0.0)));
}

double wb_log10(double x) {
    double s;
    if (log_special(x, &s)) return s;
    if (x == 1.0) return 0.0;
    return dd_round(dd_mul(log_dd(dd(x, 0.0)), INV_LN10));
}

double wb_log1p(double x) {
    if (isnan(x)) return x + x;
    if (x == -1.0) return -HUGE_VAL;
    if (x < -1.0) return NAN;
    if (isinf(x) || x == 0.0) return x;
    if (fabs(x) < TINY_EXPM1) return x;
    DD a = two_sum(1.0, x);
    double y;
    if (log_fast(a, &y)) return y;
    return dd_round(log_dd(a));
}

// ---------------------------------------------------------------- pow
static bool is_integer(double y) { return isfinite(y) && floor(y) == y; }
static bool is_odd_integer(double y) { return is_integer(y) && fabs(y) < 0x1p53 && floor(y / 2.0) * 2.0 != y; }

// C99 F.9.4.4's special cases; 0 when x, y are regular (x finite and > 0,
// y finite and not 0) after taking |x| for a negative x and integer y.
static int pow_special(double x, double y, double *out, double *sign) {
    *sign = 1.0;
    if (y == 0.0 || x == 1.0) return *out = 1.0, 1;
    if (isnan(x) || isnan(y)) return *out = x + y, 1;
    if (isinf(y)) {
        double ax = fabs(x);
        *out = ax == 1.0 ? 1.0 : (ax < 1.0) == (y < 0.0) ? HUGE_VAL : 0.0;
        return 1;
    }
    bool odd = is_odd_integer(y);
    if (x == 0.0 || isinf(x)) {
        bool big = (x == 0.0) == (y < 0.0); // 0^-y and ∞^y are infinite
        *out = copysign(big ? HUGE_VAL : 0.0, odd ? x : 1.0);
        return 1;
    }
    if (x < 0.0) {
        if (!is_integer(y)) return *out = NAN, 1;
        if (odd) *sign = -1.0;
    }
    return 0;
}

double wb_pow(double x, double y) {
    double out, sign;
    if (pow_special(x, y, &out, &sign)) return out;
    DD t = dd_mul_d(log_dd(dd(fabs(x), 0.0)), y);
    if (t.hi > EXP_OVERFLOW) return sign * HUGE_VAL;
    if (t.hi < EXP_UNDERFLOW) return sign * 0.0;
    return sign * exp_dd(t);
}

// ---------------------------------------------------------------- cbrt
// One Newton step y − (y³ − a)/(3y²) in double-double from a double root
// good to a few ulps (Newton in double from e^{log(a)/3}).
double wb_cbrt(double x) {
    if (isnan(x) || isinf(x) || x == 0.0) return x + x;
    int e;
    double f = frexp(fabs(x), &e); // |x| = f·2^e, then e = 3q + r, r in 0..2
    int q = e >= 0 ? e / 3 : -((-e + 2) / 3), r = e - 3 * q;
    double a = ldexp(f, r); // in [0.5, 4)
    double y = 0.6 + 0.35 * a - 0.02 * a * a;
    for (int k = 0; k < 5; k++) y -= (y * y * y - a) / (3.0 * y * y);
    DD cube = dd_mul_d(two_prod(y, y), y);
    DD res = dd_add_d(cube, -a);
    DD root = fast_two_sum(y, -dd_round(res) / (3.0 * y * y));
    return copysign(ldexp(dd_round(root), q), x);
}

// ---------------------------------------------------------------- sin, cos
// sin r = r + r·z·S(z) and cos r = 1 + z·C(z), z = r², |r| <= π/4: Taylor to
// r^29 and r^28, the first four terms of S and C in double-double, the rest
// (below 2^-26 of the sum) in double.
static DD sin_kernel(DD r) {
    static const double TAIL[] = {-0x1.ae64567f544e4p-26, 0x1.6124613a86d09p-33, -0x1.ae7f3e733b81fp-41,
                                  0x1.952c77030ad4ap-49,  -0x1.2f49b46814157p-57, 0x1.71b8ef6dcf572p-66,
                                  -0x1.761b41316381ap-75, 0x1.3f3ccdd165fa9p-84,  -0x1.d1ab1c2dccea3p-94,
                                  0x1.259f98b4358adp-103}; // (−1)^n/(2n+1)!, n = 5..14
    static const DD S[] = {{-0x1.5555555555555p-3, -0x1.5555555555555p-57}, // −1/3!
                           {0x1.1111111111111p-7, 0x1.1111111111111p-63},   // 1/5!
                           {-0x1.a01a01a01a01ap-13, -0x1.a01a01a01a01ap-73}, // −1/7!
                           {0x1.71de3a556c734p-19, -0x1.c154f8ddc6c00p-73}};  // 1/9!
    DD z = dd_mul(r, r);
    double t = 0.0;
    for (int k = (int)(sizeof TAIL / sizeof TAIL[0]) - 1; k >= 0; k--) t = TAIL[k] + z.hi * t;
    DD p = dd_add(S[3], dd_mul_d(z, t));
    for (int k = 2; k >= 0; k--) p = dd_add(S[k], dd_mul(z, p));
    return dd_add(r, dd_mul(r, dd_mul(z, p)));
}

static DD cos_kernel(DD r) {
    static const double TAIL[] = {-0x1.27e4fb7789f5cp-22, 0x1.1eed8eff8d898p-29,  -0x1.93974a8c07c9dp-37,
                                  0x1.ae7f3e733b81fp-45,  -0x1.6827863b97d97p-53, 0x1.e542ba4020225p-62,
                                  -0x1.0ce396db7f853p-70, 0x1.f2cf01972f578p-80,  -0x1.88e85fc6a4e5ap-89,
                                  0x1.0a18a2635085dp-98}; // (−1)^n/(2n)!, n = 5..14
    static const DD C[] = {{-0.5, 0.0},                                      // −1/2!
                           {0x1.5555555555555p-5, 0x1.5555555555555p-59},   // 1/4!
                           {-0x1.6c16c16c16c17p-10, 0x1.f49f49f49f49fp-65}, // −1/6!
                           {0x1.a01a01a01a01ap-16, 0x1.a01a01a01a01ap-76}};  // 1/8!
    DD z = dd_mul(r, r);
    double t = 0.0;
    for (int k = (int)(sizeof TAIL / sizeof TAIL[0]) - 1; k >= 0; k--) t = TAIL[k] + z.hi * t;
    DD p = dd_add(C[3], dd_mul_d(z, t));
    for (int k = 2; k >= 0; k--) p = dd_add(C[k], dd_mul(z, p));
    return dd_add_d(dd_mul(z, p), 1.0);
}

// Beyond this |x| a huge k would overflow Dekker's split: x is first reduced
// modulo 2π's double (exact, the same everywhere, but no longer accurate).
#define TRIG_HUGE 0x1p900

// x = q·π/2 + r, |r| <= π/4 (+ a little); q mod 4 in *quadrant.
static DD reduce_pio2(double x, int *quadrant) {
    if (fabs(x) <= 0x1.921fb54442d18p-1) return *quadrant = 0, dd(x, 0.0);
    if (fabs(x) > TRIG_HUGE) x = fmod(x, 4.0 * PIO2_1);
    double k = floor(x / PIO2_1 + 0.5);
    DD p = two_prod(k, PIO2_1);
    DD r = two_sum(x - p.hi, -p.lo); // x − p.hi is exact (Sterbenz)
    r = dd_add(r, dd_neg(two_prod(k, PIO2_2)));
    r = dd_add_d(r, -k * PIO2_3);
    double q = fmod(k, 4.0);
    *quadrant = (int)(q < 0 ? q + 4.0 : q);
    return r;
}

double wb_sin(double x) {
    if (isnan(x) || isinf(x)) return x - x;
    if (fabs(x) < TINY_TRIG) return x;
    int q;
    DD r = reduce_pio2(x, &q);
    DD v = q & 1 ? cos_kernel(r) : sin_kernel(r);
    return q & 2 ? -dd_round(v) : dd_round(v);
}

double wb_cos(double x) {
    if (isnan(x) || isinf(x)) return x - x;
    if (fabs(x) < TINY_TRIG) return 1.0;
    int q;
    DD r = reduce_pio2(x, &q);
    DD v = q & 1 ? sin_kernel(r) : cos_kernel(r);
    return q == 1 || q == 2 ? -dd_round(v) : dd_round(v);
}

// ---------------------------------------------------------------- atan2
// atan t for |t| <= 1: three halvings t/(1 + √(1 + t²)) bring |t| below
// tan(π/32), then t − t³/3 + ... (to t^31; the first four ratios in
// double-double), times 8.
static DD atan_dd(DD t) {
    static const double TAIL[] = {-0x1.745d1745d1746p-4, 0x1.3b13b13b13b14p-4,  -0x1.1111111111111p-4,
                                  0x1.e1e1e1e1e1e1ep-5,  -0x1.af286bca1af28p-5, 0x1.8618618618618p-5,
                                  -0x1.642c8590b2164p-5, 0x1.47ae147ae147bp-5,  -0x1.2f684bda12f68p-5,
                                  0x1.1a7b9611a7b96p-5,  -0x1.0842108421084p-5}; // (−1)^n/(2n+1), n = 5..15
    static const DD A[] = {{-0x1.5555555555555p-2, -0x1.5555555555555p-56},
                           {0x1.999999999999ap-3, -0x1.999999999999ap-57},
                           {-0x1.2492492492492p-3, -0x1.2492492492492p-57},
                           {0x1.c71c71c71c71cp-4, 0x1.c71c71c71c71cp-58}}; // −1/3, 1/5, −1/7, 1/9
    for (int k = 0; k < 3; k++) t = dd_div(t, dd_add_d(dd_sqrt(dd_add_d(dd_mul(t, t), 1.0)), 1.0));
    DD z = dd_mul(t, t);
    double s = 0.0;
    for (int k = (int)(sizeof TAIL / sizeof TAIL[0]) - 1; k >= 0; k--) s = TAIL[k] + z.hi * s;
    DD p = dd_add(A[3], dd_mul_d(z, s));
    for (int k = 2; k >= 0; k--) p = dd_add(A[k], dd_mul(z, p));
    return dd_scale(dd_add(t, dd_mul(t, dd_mul(z, p))), 3);
}

double wb_atan2(double y, double x) {
    if (isnan(x) || isnan(y)) return x + y;
    if (y == 0.0) return signbit(x) ? copysign(PI.hi, y) : y; // ±0 or ±π
    if (x == 0.0) return copysign(PI.hi / 2.0, y);
    if (isinf(x) || isinf(y)) {
        double a = isinf(y) ? (isinf(x) ? (x > 0 ? PI.hi / 4.0 : 3.0 * PI.hi / 4.0) : PI.hi / 2.0)
                            : (x > 0 ? 0.0 : PI.hi);
        return copysign(a, y);
    }
    double ax = fabs(x), ay = fabs(y);
    if (ay < ax * 0x1p-60 && x > 0.0) return y / x; // atan t = t below 2^-60: t correctly rounded
    // |y/x| <= 1: atan(y/x); else π/2 − atan(x/y); then the quadrant of x.
    bool steep = ay > ax;
    DD t = steep ? dd_div(dd(ax, 0.0), dd(ay, 0.0)) : dd_div(dd(ay, 0.0), dd(ax, 0.0));
    DD a = atan_dd(t);
    if (steep) a = dd_add(dd_scale(PI, -1), dd_neg(a));
    if (x < 0.0) a = dd_add(PI, dd_neg(a));
    double v = dd_round(a);
    return y < 0.0 ? -v : v;
}

// ---------------------------------------------------------------- float and complex

// re + i·im without the arithmetic of re + im·I (which turns an infinite im
// into NaN): a complex is an array of two reals (C11 6.2.5).
static double complex make_complex(double re, double im) {
    double complex z;
    ((double *)&z)[0] = re, ((double *)&z)[1] = im;
    return z;
}

static float complex make_complexf(float re, float im) {
    float complex z;
    ((float *)&z)[0] = re, ((float *)&z)[1] = im;
    return z;
}

float wb_sinf(float x) { return (float)wb_sin(x); }
float wb_cosf(float x) { return (float)wb_cos(x); }
float wb_log1pf(float x) { return (float)wb_log1p(x); }

double complex wb_cexp(double complex z) {
    double a = creal(z), b = cimag(z), e = wb_exp(a);
    if (b == 0.0) return make_complex(e, b);
    return make_complex(e * wb_cos(b), e * wb_sin(b));
}

double complex wb_csin(double complex z) {
    double a = creal(z), b = cimag(z);
    return make_complex(wb_sin(a) * wb_cosh(b), wb_cos(a) * wb_sinh(b));
}

// log|z| = log(a² + b²)/2 with a² + b² in double-double: no overflow for the
// workbook's arguments and no cancellation near |z| = 1.
double complex wb_clog(double complex z) {
    double a = creal(z), b = cimag(z);
    double re;
    if (isinf(a) || isinf(b)) re = HUGE_VAL;
    else if (isnan(a) || isnan(b)) re = NAN;
    else if (a == 0.0 && b == 0.0) re = -HUGE_VAL;
    else {
        double s = fmax(fabs(a), fabs(b));
        int e;
        frexp(s, &e);
        double sa = ldexp(a, -e), sb = ldexp(b, -e); // scaled: no overflow or underflow of the squares
        DD q = dd_add(two_prod(sa, sa), two_prod(sb, sb));
        re = dd_round(dd_add(dd_scale(log_dd(q), -1), dd_mul_d(LN2, (double)e)));
    }
    return make_complex(re, wb_atan2(b, a));
}

float complex wb_cexpf(float complex z) {
    float a = crealf(z), b = cimagf(z), e = expf(a);
    if (b == 0.0f) return make_complexf(e, b);
    return make_complexf(e * wb_cosf(b), e * wb_sinf(b));
}

float complex wb_csinf(float complex z) {
    float a = crealf(z), b = cimagf(z);
    return make_complexf(wb_sinf(a) * (float)wb_cosh(b), wb_cosf(a) * (float)wb_sinh(b));
}

float complex wb_clogf(float complex z) {
    double complex w = wb_clog(make_complex((double)crealf(z), (double)cimagf(z)));
    return make_complexf((float)creal(w), (float)cimag(w));
}

double complex wb_cdiv(double complex n, double complex d) {
    double a = creal(n), b = cimag(n), c = creal(d), e = cimag(d);
    if (fabs(c) < fabs(e)) {
        double ratio = c / e, denom = c * ratio + e;
        if (fabs(ratio) > DBL_MIN)
            return make_complex((a * ratio + b) / denom, (b * ratio - a) / denom);
        return make_complex((c * (a / e) + b) / denom, (c * (b / e) - a) / denom);
    }
    double ratio = e / c, denom = e * ratio + c;
    if (fabs(ratio) > DBL_MIN)
        return make_complex((b * ratio + a) / denom, (b - a * ratio) / denom);
    return make_complex((c + e * (b / c)) / denom, (b - e * (a / c)) / denom);
}

// In double, rounded to float, as libgcc's __divsc3 does.
float complex wb_cdivf(float complex n, float complex d) {
    double complex q = wb_cdiv(make_complex(crealf(n), cimagf(n)), make_complex(crealf(d), cimagf(d)));
    return make_complexf((float)creal(q), (float)cimag(q));
}
