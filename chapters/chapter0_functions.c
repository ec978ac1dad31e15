// Chapter 0: see chapter0_functions.h.
#include "chapter0_functions.h"
#include "mathfn.h"

#include <complex.h>
#include <float.h>
#include <math.h>

// sup |σ⁽ᵏ⁾| over the real line, k = 1..5 (σ′ = σ(1 − σ), and each further
// derivative is a polynomial in σ ∈ (0,1); maximised over σ), rounded up.
static const double SIGMOID_SUP[6] = {1.0, 0.25, 0.0962251, 0.125, 0.127684, 0.25};

static double f_sin(double x, const void *c) { return (void)c, wb_sin(x); }

static double df_sin(double x, const void *c) { return (void)c, wb_cos(x); }

static double complex fc_sin(double complex z, const void *c) { return (void)c, wb_csin(z); }

static float ff_sin(float x, const void *c) { return (void)c, wb_sinf(x); }

static float complex ffc_sin(float complex z, const void *c) { return (void)c, wb_csinf(z); }

static double max_sin(int k, double lo, double hi, const void *c) { return (void)k, (void)lo, (void)hi, (void)c, 1.0; }

static double f_exp(double x, const void *c) { return (void)c, wb_exp(x); }

static double complex fc_exp(double complex z, const void *c) { return (void)c, wb_cexp(z); }

static float ff_exp(float x, const void *c) { return (void)c, expf(x); }

static float complex ffc_exp(float complex z, const void *c) { return (void)c, wb_cexpf(z); }

static double max_exp(int k, double lo, double hi, const void *c) { return (void)k, (void)lo, (void)c, wb_exp(hi); }

static double f_log(double x, const void *c) { return (void)c, wb_log(x); }

static double df_log(double x, const void *c) { return (void)c, 1.0 / x; }

static double complex fc_log(double complex z, const void *c) { return (void)c, wb_clog(z); }

static float ff_log(float x, const void *c) { return (void)c, logf(x); }

static float complex ffc_log(float complex z, const void *c) { return (void)c, wb_clogf(z); }

// |d^k log x / dx^k| = (k−1)!/x^k, largest at the left end.
static double max_log(int k, double lo, double hi, const void *c) {
    (void)hi, (void)c;
    double fact = 1.0;
    for (int i = 2; i < k; i++) fact *= i;
    return fact / wb_pow(lo, k);
}

// The sigmoid and its complex extension, each branch written so that the
// exponential never overflows.
static double f_sigmoid(double x, const void *c) { return (void)c, sigmoid(x); }

static double df_sigmoid(double x, const void *c) { return (void)c, sigmoid(x) * sigmoid(-x); }

static double complex fc_sigmoid(double complex z, const void *c) {
    (void)c;
    return creal(z) >= 0 ? wb_cdiv(1.0, 1.0 + wb_cexp(-z)) : wb_cdiv(wb_cexp(z), 1.0 + wb_cexp(z));
}

static float ff_sigmoid(float x, const void *c) { return (void)c, x >= 0 ? 1.0f / (1.0f + expf(-x)) : expf(x) / (1.0f + expf(x)); }

static float complex ffc_sigmoid(float complex z, const void *c) {
    (void)c;
    return crealf(z) >= 0 ? wb_cdivf(1.0f, 1.0f + wb_cexpf(-z)) : wb_cdivf(wb_cexpf(z), 1.0f + wb_cexpf(z));
}

static double max_sigmoid(int k, double lo, double hi, const void *c) { return (void)lo, (void)hi, (void)c, SIGMOID_SUP[k]; }

// The BCE loss of one output as a function of its logit, for label y = *ctx:
// f(z) = softplus(z) − y·z (loss.h's logit form), f′(z) = σ(z) − y. loss.c
// sums max(z, 0) − y·z + log1p(e^−|z|); with y = 1 the first two cancel
// exactly for z > 0 and are f itself for z < 0, so f rounds like |f|.
static double f_bce(double z, const void *c) { return bce_loss_logits(c, &z, 1); }

static double df_bce(double z, const void *c) {
    double d;
    bce_grad_logits(&d, c, &z, 1);
    return d;
}

static double complex fc_bce(double complex z, const void *c) {
    double y = *(const double *)c;
    return creal(z) >= 0 ? (1.0 - y) * z + wb_clog(1.0 + wb_cexp(-z)) : wb_clog(1.0 + wb_cexp(z)) - y * z;
}

static float ff_bce(float z, const void *c) {
    float y = (float)*(const double *)c;
    return z >= 0 ? (1.0f - y) * z + wb_log1pf(expf(-z)) : wb_log1pf(expf(z)) - y * z;
}

static float complex ffc_bce(float complex z, const void *c) {
    float y = (float)*(const double *)c;
    return crealf(z) >= 0 ? (1.0f - y) * z + wb_clogf(1.0f + wb_cexpf(-z)) : wb_clogf(1.0f + wb_cexpf(z)) - y * z;
}

// f′ = σ − y lies between −y and 1 − y; f⁽ᵏ⁾ = σ⁽ᵏ⁻¹⁾ for k ≥ 2.
static double max_bce(int k, double lo, double hi, const void *c) {
    (void)lo, (void)hi;
    double y = *(const double *)c;
    return k == 1 ? fmax(y, 1.0 - y) : SIGMOID_SUP[k - 1];
}

const Function FUNCTIONS[] = {
    [FUNCTION_SIN] = {"sin", "f(x) = sin x", "f(x) = \\sin x", "f′(x) = cos x", "f'(x) = \\cos x", f_sin, df_sin,
                      fc_sin, ff_sin, ffc_sin, max_sin, -INFINITY},
    [FUNCTION_EXP] = {"exp", "f(x) = e^x", "f(x) = e^{x}", "f′(x) = e^x", "f'(x) = e^{x}", f_exp, f_exp, fc_exp,
                      ff_exp, ffc_exp, max_exp, -INFINITY},
    [FUNCTION_LOG] = {"log", "f(x) = log x", "f(x) = \\log x", "f′(x) = 1/x", "f'(x) = 1/x", f_log, df_log, fc_log,
                      ff_log, ffc_log, max_log, 0.0},
    [FUNCTION_SIGMOID] = {"sigmoid", "f(x) = σ(x) = 1/(1 + e^−x)", "f(x) = \\sigma(x) = \\frac{1}{1 + e^{-x}}",
                          "f′(x) = σ(x)(1 − σ(x))", "f'(x) = \\sigma(x)\\,(1 - \\sigma(x))", f_sigmoid, df_sigmoid,
                          fc_sigmoid, ff_sigmoid, ffc_sigmoid, max_sigmoid, -INFINITY},
    [FUNCTION_BCE] = {"bce", "f(z) = L(y, σ(z)) = softplus(z) − y·z with y = 1",
                      "f(z) = L(y, \\sigma(z)) = \\mathrm{softplus}(z) - y z \\quad (y = 1)", "f′(z) = σ(z) − y",
                      "f'(z) = \\sigma(z) - y", f_bce, df_bce, fc_bce, ff_bce, ffc_bce, max_bce, -INFINITY},
};

double f_abs(double x, const void *c) { return (void)c, fabs(x); }

double f_max_with(double a, const void *c) { return fmax(a, *(const double *)c); }

double f_abs_from(double x, const void *c) { return fabs(x - *(const double *)c); }

double fd_bound_for(const Function *fn, const void *ctx, double x, FdMethod m, double h) {
    double reach = fd_reach(m) * h, lo = x - reach, hi = x + reach;
    double m1 = fn->deriv_max(1, lo, hi, ctx);
    double f_max = fabs(fn->f(x, ctx)) + reach * m1; // mean value theorem
    double mt = fn->deriv_max(fd_truncation_derivative(m), lo, hi, ctx);
    return fd_error_bound(m, h, x, f_max, m1, mt, DBL_EPSILON);
}

void function_validate_point(int which, double x) {
    if (which == FUNCTION_LOG && x <= 0) usage_error("--at: log is defined only for x > 0 (got %g)", x);
    if (which == FUNCTION_LOG && x < LOG_AT_MIN)
        usage_error("--at: log's derivatives (k-1)!/x^k overflow the error analysis below x = %g; use x >= %g",
                    LOG_AT_MIN, LOG_AT_MIN);
    if (which == FUNCTION_EXP && fabs(x) > EXP_AT_MAX)
        usage_error("--at: exp(x)·h leaves double precision for |x| > %g at the tiny complex steps; use |x| <= %g",
                    EXP_AT_MAX, EXP_AT_MAX);
    if (fabs(x) > AT_MAX)
        usage_error("--at: |x| must be at most %g (beyond it every step of the table is below the spacing of "
                    "doubles near x)",
                    AT_MAX);
}
