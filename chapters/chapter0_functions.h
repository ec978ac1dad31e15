#ifndef CHAPTER0_FUNCTIONS_H
#define CHAPTER0_FUNCTIONS_H
// The five functions chapter 0 differentiates (chapter0_functions.c): each in double, complex, float and complex float
// arithmetic, with its exact derivative and bounds on its derivatives for
// the error analysis of src/check/fdiff.h.
#include "fdiff.h"
#include "loss.h"
#include "options.h"

// Beyond this, every step of the grid is below the spacing of doubles near x
// and the table shows nothing but rounding.
#define AT_MAX 1e6

// exp(x)·h must not underflow for h = 1e-100 (e^-100 · 1e-100 ≈ 4e-144).
#define EXP_AT_MAX 100.0

// log's fifth derivative 24/x⁵ stays a sensible number above this.
#define LOG_AT_MIN 1e-6

typedef struct {
    const char *name;
    const char *formula, *formula_tex;       // f
    const char *derivative, *derivative_tex; // its exact derivative
    FdFunction f, df;
    FdComplexFunction fc;
    FdFloatFunction ff;
    FdFloatComplexFunction ffc;
    // sup |f⁽ᵏ⁾| on [lo, hi], k ≥ 1
    double (*deriv_max)(int k, double lo, double hi, const void *ctx);
    double domain_lo; // f is defined for x > domain_lo
} Function;

enum { FUNCTION_SIN, FUNCTION_EXP, FUNCTION_LOG, FUNCTION_SIGMOID, FUNCTION_BCE };

extern const Function FUNCTIONS[];

#define FUNCTION_CHOICES "sin|exp|log|sigmoid|bce"

// Kinks (section 0.10): |x|, max(a, b) with b = *ctx, and |x − x₀| with x₀ = *ctx.
double f_abs(double x, const void *c);
double f_max_with(double a, const void *c);
double f_abs_from(double x, const void *c);

// The error bound of fdiff.h for method m at step h around x.
double fd_bound_for(const Function *fn, const void *ctx, double x, FdMethod m, double h);

// Exits 2 (one error line) for a point the analysis cannot handle.
void function_validate_point(int which, double x);

#endif
