#ifndef WORKBOOK_FDIFF_H
#define WORKBOOK_FDIFF_H
// Finite-difference estimates of the derivative f′(x) of a scalar function,
// and the textbook account of their error. Step h > 0 is absolute.
//
//   forward       D = (f(x+h) − f(x)) / h                               order p = 1
//   central       D = (f(x+h) − f(x−h)) / 2h                            order p = 2
//   five-point    D = (f(x−2h) − 8 f(x−h) + 8 f(x+h) − f(x+2h)) / 12h   order p = 4
//                 (one Richardson step: (4·central(h) − central(2h)) / 3)
//   complex step  D = Im f(x + ih) / h                                  order p = 2
//
// Error of a difference method at step h, for |f| ≤ F, |f′| ≤ M₁ and
// |f⁽ᵖ⁺¹⁾| ≤ Mₜ on the points it evaluates, each value of f correct to
// within u·|f| (u = one ulp of 1, DBL_EPSILON for double):
//
//   E(h) ≤ T·hᵖ·Mₜ + R·u·S/h,     S = F + (|x| + reach·h)·M₁
//
//   forward     T = 1/2,   R = 2     (two values, each off by u·F)
//   central     T = 1/6,   R = 1     (two values, divided by 2h)
//   five-point  T = 1/30,  R = 3/2   ((1+8+8+1)/12)
//
// The first term is truncation (falls with h), the second round-off (grows
// as h shrinks); S also covers x+h being rounded to a nearby double. Their
// sum is smallest near h* = u^(1/(p+1)) with error ≈ u^(p/(p+1)) when f and
// its derivatives are of order 1: 1.5e-8 / 1.5e-8 for forward, 6.1e-6 /
// 3.7e-11 for central, 7.4e-4 / 3.0e-13 for five-point in double.
//
// The complex step subtracts nothing, so round-off does not grow as h
// shrinks:  E(h) ≤ (1/6)·h²·Mₜ + 2·u·M₁  (Mₜ bounds f‴; leading order). It
// reaches full precision for any h below about √u and stays there down to
// h = 1e-300. It needs f analytic (written with <complex.h> functions).
//
// Nothing here allocates.

#include <complex.h>

typedef double (*FdFunction)(double x, const void *ctx);
typedef double complex (*FdComplexFunction)(double complex z, const void *ctx);
typedef float (*FdFloatFunction)(float x, const void *ctx);
typedef float complex (*FdFloatComplexFunction)(float complex z, const void *ctx);

typedef enum { FD_FORWARD, FD_CENTRAL, FD_FIVE_POINT, FD_COMPLEX_STEP } FdMethod;
#define FD_N_METHODS 4

double fd_forward(FdFunction f, const void *ctx, double x, double h);
double fd_central(FdFunction f, const void *ctx, double x, double h);
double fd_five_point(FdFunction f, const void *ctx, double x, double h);
double fd_complex_step(FdComplexFunction f, const void *ctx, double x, double h);

// The same formulas with every operation in single precision.
float fd_forward_float(FdFloatFunction f, const void *ctx, float x, float h);
float fd_central_float(FdFloatFunction f, const void *ctx, float x, float h);
float fd_five_point_float(FdFloatFunction f, const void *ctx, float x, float h);
float fd_complex_step_float(FdFloatComplexFunction f, const void *ctx, float x, float h);

// "forward", "central", "five_point", "complex_step" (also the JSON keys).
const char *fd_method_key(FdMethod m);
// Truncation order p (1, 2, 4, 2).
int fd_order(FdMethod m);
// How far from x the stencil reaches along the real axis, in steps of h
// (1, 1, 2, 0): f must be defined on [x − reach·h, x + reach·h].
int fd_reach(FdMethod m);
// Which derivative bounds the truncation: p + 1 (2, 3, 5; 3 for complex step).
int fd_truncation_derivative(FdMethod m);

// The textbook step h* = u^(1/(p+1)) and error u^(p/(p+1)); for the complex
// step, the largest h at full precision, √u, and the error u.
double fd_textbook_h(FdMethod m, double u);
double fd_textbook_error(FdMethod m, double u);

// The bound E(h) above, for f on the stencil around x: f_max ≥ |f|,
// d1_max ≥ |f′|, dt_max ≥ |f⁽ᵗ⁾| with t = fd_truncation_derivative(m).
double fd_error_bound(FdMethod m, double h, double x, double f_max, double d1_max, double dt_max, double u);

#endif
