#ifndef WORKBOOK_MATHFN_H
#define WORKBOOK_MATHFN_H
// The workbook's own elementary functions, used instead of libm's wherever
// libm's differ between platforms: glibc picks FMA variants of exp and log
// at run time on x86-64, and wasi-libc (musl) computes exp, log1p, expm1,
// pow, cbrt, log10, sin and cos with other last bits than glibc for 0.07% to
// 54% of arguments. With these, the native and the WebAssembly builds print
// the same bytes (make test-wasm).
//
// Each is evaluated in double-double arithmetic (about 100 bits, Dekker's
// products without fma, which every IEEE double platform computes alike) and
// rounded once, so the result is the correctly rounded one except when the
// exact value lies within about 2^-90 relative of a rounding boundary:
// glibc's result whenever glibc rounds correctly (for exp 99.9% of
// arguments, log1p 92%, cbrt 46%). exp, log and log1p first try a fast path
// in double whose error bound is known; its result is returned only when a
// rounding test shows it is the correctly rounded one (about 5 times the cost
// of glibc's). tests/check_mathfn.c measures the error against long double
// and decimal reference values.
//
// Limits: subnormal results (|exp(x)| < 2^-1022) are rounded twice; sin and
// cos reduce x by a three-part π/2, accurate for |x| < 2^60 but for x within
// 2^-40 of a multiple of π/2 (beyond, still the same bits on every platform,
// but not correctly rounded). expf and logf stay libm's: glibc and musl
// share their code, and agreed on all of 100,000 arguments measured.

#include <complex.h>

double wb_exp(double x);
double wb_expm1(double x);
double wb_log(double x);
double wb_log1p(double x);
double wb_log10(double x);
double wb_pow(double x, double y);
double wb_cbrt(double x);
double wb_sin(double x);
double wb_cos(double x);
double wb_sinh(double x);
double wb_cosh(double x);
double wb_atan2(double y, double x);

// Float versions: the double function rounded to float.
float wb_sinf(float x);
float wb_cosf(float x);
float wb_log1pf(float x);

// Complex functions (C99 Annex G's formulas on finite arguments), for
// chapter 0's complex step: cexp(a+ib) = e^a (cos b + i sin b),
// csin(a+ib) = sin a cosh b + i cos a sinh b, clog(z) = log|z| + i arg z.
double complex wb_cexp(double complex z);
double complex wb_csin(double complex z);
double complex wb_clog(double complex z);
float complex wb_cexpf(float complex z);
float complex wb_csinf(float complex z);
float complex wb_clogf(float complex z);

// n/d by Smith's algorithm (the ratio of d's smaller part to its larger),
// as GCC's runtime divides (the float one in double, rounded once): the
// compilers' own complex division calls libgcc's __divdc3 or compiler-rt's
// (logb and scalbn scaling), whose last bits differ. No scaling here:
// finite operands within about 2^±500 only.
double complex wb_cdiv(double complex n, double complex d);
float complex wb_cdivf(float complex n, float complex d);

#endif
