// Chapter 0: checking a derivative numerically.
//
// Every later chapter ends with "max relative error 3e-11, PASS". This one
// shows what stands behind that line: four finite-difference estimates of a
// derivative (src/fdiff.h), their error against the exact value over steps h
// from 1e-1 to 1e-16 (the V-shaped curve of truncation against round-off),
// why the comparison uses relative error, why it needs double precision, and
// why it fails at a kink.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "example.h"
#include "fdiff.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "strbuf.h"

// Measured best errors sit at most a factor ~1.7 above the bound's minimum
// on a decade grid; 4 more covers libm's last-ulp errors in f, which the
// bound counts as one ulp.
#define BOUND_SAFETY 4.0
// The tiny step where the complex step must still be at full precision.
#define COMPLEX_TINY_H 1e-100
// The running example's logit, chapter 3's z = W·p + b = 0.05·29 − 0.03·35 + 0.1.
#define DEFAULT_AT 0.5
// Beyond this, every step of the grid is below the spacing of doubles near x
// and the table shows nothing but rounding.
#define AT_MAX 1e6
// exp(x)·h must not underflow for h = 1e-100 (e^-100 · 1e-100 ≈ 4e-144).
#define EXP_AT_MAX 100.0
// log's fifth derivative 24/x⁵ stays a sensible number above this.
#define LOG_AT_MIN 1e-6
// A relative error at or below this means "correct" in the thresholds section.
#define CORRECT_REL 1e-7
// At or above this a gradient is wrong: a factor or a sign, not rounding.
#define WRONG_REL 1e-2

// Steps by decades, then tiny ones only the complex step can use.
#define N_DECADES 16
static const double TINY_H[] = {1e-20, COMPLEX_TINY_H};
#define N_TINY 2
#define N_ROWS (N_DECADES + N_TINY)

// sup |σ⁽ᵏ⁾| over the real line, k = 1..5 (σ′ = σ(1 − σ), and each further
// derivative is a polynomial in σ ∈ (0,1); maximised over σ), rounded up.
static const double SIGMOID_SUP[6] = {1.0, 0.25, 0.0962251, 0.125, 0.127684, 0.25};

// ---------------------------------------------------------------- the functions

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

static double f_sin(double x, const void *c) {
    (void)c;
    return sin(x);
}
static double df_sin(double x, const void *c) {
    (void)c;
    return cos(x);
}
static double complex fc_sin(double complex z, const void *c) {
    (void)c;
    return csin(z);
}
static float ff_sin(float x, const void *c) {
    (void)c;
    return sinf(x);
}
static float complex ffc_sin(float complex z, const void *c) {
    (void)c;
    return csinf(z);
}
static double max_sin(int k, double lo, double hi, const void *c) {
    (void)k, (void)lo, (void)hi, (void)c;
    return 1.0;
}

static double f_exp(double x, const void *c) {
    (void)c;
    return exp(x);
}
static double complex fc_exp(double complex z, const void *c) {
    (void)c;
    return cexp(z);
}
static float ff_exp(float x, const void *c) {
    (void)c;
    return expf(x);
}
static float complex ffc_exp(float complex z, const void *c) {
    (void)c;
    return cexpf(z);
}
static double max_exp(int k, double lo, double hi, const void *c) {
    (void)k, (void)lo, (void)c;
    return exp(hi);
}

static double f_log(double x, const void *c) {
    (void)c;
    return log(x);
}
static double df_log(double x, const void *c) {
    (void)c;
    return 1.0 / x;
}
static double complex fc_log(double complex z, const void *c) {
    (void)c;
    return clog(z);
}
static float ff_log(float x, const void *c) {
    (void)c;
    return logf(x);
}
static float complex ffc_log(float complex z, const void *c) {
    (void)c;
    return clogf(z);
}
// |d^k log x / dx^k| = (k−1)!/x^k, largest at the left end.
static double max_log(int k, double lo, double hi, const void *c) {
    (void)hi, (void)c;
    double fact = 1.0;
    for (int i = 2; i < k; i++)
        fact *= i;
    return fact / pow(lo, k);
}

// The sigmoid and its complex extension, each branch written so that the
// exponential never overflows.
static double f_sigmoid(double x, const void *c) {
    (void)c;
    return sigmoid(x);
}
static double df_sigmoid(double x, const void *c) {
    (void)c;
    return sigmoid(x) * sigmoid(-x);
}
static double complex fc_sigmoid(double complex z, const void *c) {
    (void)c;
    if (creal(z) >= 0)
        return 1.0 / (1.0 + cexp(-z));
    double complex e = cexp(z);
    return e / (1.0 + e);
}
static float ff_sigmoid(float x, const void *c) {
    (void)c;
    if (x >= 0)
        return 1.0f / (1.0f + expf(-x));
    float e = expf(x);
    return e / (1.0f + e);
}
static float complex ffc_sigmoid(float complex z, const void *c) {
    (void)c;
    if (crealf(z) >= 0)
        return 1.0f / (1.0f + cexpf(-z));
    float complex e = cexpf(z);
    return e / (1.0f + e);
}
static double max_sigmoid(int k, double lo, double hi, const void *c) {
    (void)lo, (void)hi, (void)c;
    return SIGMOID_SUP[k];
}

// The BCE loss of one output as a function of its logit, for label y = *ctx:
// f(z) = softplus(z) − y·z (loss.h's logit form), f′(z) = σ(z) − y.
static double f_bce(double z, const void *c) { return bce_loss_logits(c, &z, 1); }
static double df_bce(double z, const void *c) {
    double d;
    bce_grad_logits(&d, c, &z, 1);
    return d;
}
static double complex fc_bce(double complex z, const void *c) {
    double y = *(const double *)c;
    if (creal(z) >= 0)
        return (1.0 - y) * z + clog(1.0 + cexp(-z));
    return clog(1.0 + cexp(z)) - y * z;
}
static float ff_bce(float z, const void *c) {
    float y = (float)*(const double *)c;
    if (z >= 0)
        return (1.0f - y) * z + log1pf(expf(-z));
    return log1pf(expf(z)) - y * z;
}
static float complex ffc_bce(float complex z, const void *c) {
    float y = (float)*(const double *)c;
    if (crealf(z) >= 0)
        return (1.0f - y) * z + clogf(1.0f + cexpf(-z));
    return clogf(1.0f + cexpf(z)) - y * z;
}
// f′ = σ − y lies between −y and 1 − y; f⁽ᵏ⁾ = σ⁽ᵏ⁻¹⁾ for k ≥ 2.
static double max_bce(int k, double lo, double hi, const void *c) {
    (void)lo, (void)hi;
    double y = *(const double *)c;
    return k == 1 ? fmax(y, 1.0 - y) : SIGMOID_SUP[k - 1];
}

static const Function FUNCTIONS[] = {
    {"sin", "f(x) = sin x", "f(x) = \\sin x", "f′(x) = cos x", "f'(x) = \\cos x", f_sin, df_sin, fc_sin, ff_sin,
     ffc_sin, max_sin, -INFINITY},
    {"exp", "f(x) = e^x", "f(x) = e^{x}", "f′(x) = e^x", "f'(x) = e^{x}", f_exp, f_exp, fc_exp, ff_exp, ffc_exp,
     max_exp, -INFINITY},
    {"log", "f(x) = log x", "f(x) = \\log x", "f′(x) = 1/x", "f'(x) = 1/x", f_log, df_log, fc_log, ff_log, ffc_log,
     max_log, 0.0},
    {"sigmoid", "f(x) = σ(x) = 1/(1 + e^−x)", "f(x) = \\sigma(x) = \\frac{1}{1 + e^{-x}}", "f′(x) = σ(x)(1 − σ(x))",
     "f'(x) = \\sigma(x)\\,(1 - \\sigma(x))", f_sigmoid, df_sigmoid, fc_sigmoid, ff_sigmoid, ffc_sigmoid, max_sigmoid,
     -INFINITY},
    {"bce", "f(z) = L(y, σ(z)) = softplus(z) − y·z with y = 1",
     "f(z) = L(y, \\sigma(z)) = \\mathrm{softplus}(z) - y z \\quad (y = 1)", "f′(z) = σ(z) − y",
     "f'(z) = \\sigma(z) - y", f_bce, df_bce, fc_bce, ff_bce, ffc_bce, max_bce, -INFINITY},
};
#define FUNCTION_CHOICES "sin|exp|log|sigmoid|bce"
#define FUNCTION_BCE 4

// ---------------------------------------------------------------- the estimates

// Bug "central-h": the central difference divided by h instead of 2h, as if
// the two points were one step apart.
static double central_over_h(FdFunction f, const void *ctx, double x, double h) {
    return (f(x + h, ctx) - f(x - h, ctx)) / h;
}

static const BugInfo BUGS[] = {
    {"central-h", "the central difference divided by h instead of 2h"},
};

typedef struct {
    const Function *fn;
    const void *ctx;
    double x, exact;
    bool bug_central_h;
} Problem;

// One method at one step; false when the stencil leaves f's domain or the
// method is not run at that step (difference methods at the tiny steps).
static bool estimate(const Problem *p, FdMethod m, double h, bool tiny, double *out) {
    if (tiny && m != FD_COMPLEX_STEP)
        return false;
    if (p->x - fd_reach(m) * h <= p->fn->domain_lo)
        return false;
    switch (m) {
    case FD_FORWARD: *out = fd_forward(p->fn->f, p->ctx, p->x, h); break;
    case FD_CENTRAL:
        *out = p->bug_central_h ? central_over_h(p->fn->f, p->ctx, p->x, h) : fd_central(p->fn->f, p->ctx, p->x, h);
        break;
    case FD_FIVE_POINT: *out = fd_five_point(p->fn->f, p->ctx, p->x, h); break;
    default: *out = fd_complex_step(p->fn->fc, p->ctx, p->x, h); break;
    }
    return true;
}

// The error bound of fdiff.h for method m at step h around p->x.
static double bound_at(const Problem *p, FdMethod m, double h) {
    double reach = fd_reach(m) * h, lo = p->x - reach, hi = p->x + reach;
    double m1 = p->fn->deriv_max(1, lo, hi, p->ctx);
    double f_max = fabs(p->fn->f(p->x, p->ctx)) + reach * m1; // mean value theorem
    double mt = p->fn->deriv_max(fd_truncation_derivative(m), lo, hi, p->ctx);
    return fd_error_bound(m, h, p->x, f_max, m1, mt, DBL_EPSILON);
}

typedef struct {
    double h;
    bool have[FD_N_METHODS];
    double err[FD_N_METHODS];
} Row;

typedef struct {
    int row; // -1: never evaluated
    double err, bound_min, textbook_h, textbook_err;
} Best;

static const char *const METHOD_LABEL[FD_N_METHODS] = {"forward", "central", "5-point", "complex step"};

// ---------------------------------------------------------------- plot data

static void write_plot_data(const char *dir, const Problem *p, const Row *rows) {
    FILE *f = plot_file_open(dir, "chapter0_error.dat");
    fprintf(f, "# absolute error of f'(x) for %s at x = %.17g (exact %.17g); '-' = not evaluated\n", p->fn->name, p->x,
            p->exact);
    fprintf(f, "# h forward central five_point complex_step\n");
    for (int i = 0; i < N_ROWS; i++) {
        fprintf(f, "%.17g", rows[i].h);
        for (int m = 0; m < FD_N_METHODS; m++)
            if (rows[i].have[m])
                fprintf(f, " %.17g", rows[i].err[m]);
            else
                fprintf(f, " -");
        fputc('\n', f);
    }
    plot_file_close(f, dir, "chapter0_error.dat");
}

// ---------------------------------------------------------------- helpers

static void fmt_err(char *buf, size_t len, double e) { snprintf(buf, len, "%.1e", e); }

static void fmt_h(char *buf, size_t len, double h) { snprintf(buf, len, "%.0e", h); }

// f scaled by a constant, for the relative-error section.
typedef struct {
    const Problem *p;
    double scale;
} Scaled;

static double f_scaled(double x, const void *c) {
    const Scaled *s = c;
    return s->scale * s->p->fn->f(x, s->p->ctx);
}

// Kinks: |x| and max(a, b) with b fixed.
static double f_abs(double x, const void *c) {
    (void)c;
    return fabs(x);
}
static double f_max_with(double a, const void *c) { return fmax(a, *(const double *)c); }

// ---------------------------------------------------------------- sections

static void section_methods(Report *r) {
    report_heading(r, "0.2 Four ways to estimate a derivative");
    report_text(r, "Each estimate evaluates f near x and divides by the step h. Taylor's theorem gives the "
                   "truncation error (the terms the formula drops); p is the order, the power of h in it.");
    report_equation(r,
                    "forward       D = (f(x+h) − f(x)) / h                            p = 1   error ≈ (h/2)·f″",
                    "D_{\\mathrm{fwd}} = \\frac{f(x+h) - f(x)}{h}, \\quad \\text{error} \\approx \\tfrac{h}{2} f''");
    report_equation(r,
                    "central       D = (f(x+h) − f(x−h)) / 2h                         p = 2   error ≈ (h²/6)·f‴",
                    "D_{\\mathrm{cen}} = \\frac{f(x+h) - f(x-h)}{2h}, \\quad \\text{error} \\approx \\tfrac{h^2}{6} "
                    "f'''");
    report_equation(r,
                    "5-point       D = (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h  p = 4   error ≈ (h⁴/30)·f⁽⁵⁾",
                    "D_{5} = \\frac{f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)}{12h}, \\quad \\text{error} \\approx "
                    "\\tfrac{h^4}{30} f^{(5)}");
    report_equation(r,
                    "complex step  D = Im f(x + ih) / h                               p = 2   error ≈ (h²/6)·f‴",
                    "D_{\\mathrm{cs}} = \\frac{\\operatorname{Im} f(x + ih)}{h}, \\quad \\text{error} \\approx "
                    "\\tfrac{h^2}{6} f'''");
    report_text(r, "The 5-point stencil is one Richardson step, (4·central(h) − central(2h))/3, which cancels "
                   "the h² term. The complex step evaluates f once, off the real axis: f(x + ih) = f(x) + ih·f′(x) "
                   "− (h²/2)·f′′(x) − …, so the imaginary part divided by h is f′(x) up to h², and nothing is "
                   "subtracted. It needs f written with complex arithmetic (C99 <complex.h>: csin, cexp, clog).");
}

static void section_table(Report *r, const Problem *p, const Row *rows) {
    report_heading(r, "0.3 The error of each method, h from 1e-1 to 1e-16");
    report_text(r,
                "Absolute error |D − f′(x)| of each estimate; \"-\" where the method was not run (the tiny "
                "steps are for the complex step only%s).",
                p->fn->domain_lo > -INFINITY ? ", or the stencil would leave the domain x > 0" : "");
    const char *headers[] = {"h", "forward", "central", "5-point", "complex step"};
    report_table_begin(r, 5, headers);
    for (int i = 0; i < N_ROWS; i++) {
        char cells[5][32];
        fmt_h(cells[0], sizeof cells[0], rows[i].h);
        for (int m = 0; m < FD_N_METHODS; m++) {
            if (rows[i].have[m])
                fmt_err(cells[m + 1], sizeof cells[m + 1], rows[i].err[m]);
            else
                snprintf(cells[m + 1], sizeof cells[m + 1], "-");
        }
        const char *row[] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
        report_table_row(r, row);
    }
    report_table_end(r);

    // The JSON rows, with null where a method did not run.
    StrBuf json = {0};
    char num[40];
    sb_puts(&json, "[");
    for (int i = 0; i < N_ROWS; i++) {
        format_json_number(num, sizeof num, rows[i].h, "h");
        sb_printf(&json, "%s\n    {\"h\": %s", i ? "," : "", num);
        for (int m = 0; m < FD_N_METHODS; m++) {
            if (rows[i].have[m]) {
                format_json_number(num, sizeof num, rows[i].err[m], "the error table");
                sb_printf(&json, ", \"%s\": %s", fd_method_key((FdMethod)m), num);
            } else {
                sb_printf(&json, ", \"%s\": null", fd_method_key((FdMethod)m));
            }
        }
        sb_puts(&json, "}");
    }
    sb_puts(&json, "\n  ]");
    report_json_raw(r, "rows", sb_str(&json));
    sb_free(&json);
}

static void section_v(Report *r, const Problem *p, const Row *rows, const Best *best) {
    report_heading(r, "0.4 The V: truncation against round-off");
    report_text(r,
                "Read the table from the top. As h shrinks, the truncation error falls like h^p (one decade "
                "of h buys 1, 2 or 4 decades of accuracy). But f(x+h) and f(x−h) are stored with a relative "
                "error of about ε = %.2g (double), and subtracting two nearly equal numbers keeps that absolute "
                "error while dividing by a tiny h blows it up: the round-off error grows like ε·|f|/h. The sum "
                "is V-shaped on a log-log plot, and its bottom sits where the two terms meet:",
                DBL_EPSILON);
    report_equation(r, "E(h) ≈ C·h^p + ε·|f|/h,  smallest near h* ≈ ε^(1/(p+1)), where E ≈ ε^(p/(p+1))",
                    "E(h) \\approx C h^p + \\frac{\\varepsilon |f|}{h} \\;\\Rightarrow\\; h^* \\approx "
                    "\\varepsilon^{1/(p+1)},\\quad E(h^*) \\approx \\varepsilon^{p/(p+1)}");
    report_text(r, "Measured on this function, next to those textbook estimates (which assume f and its "
                   "derivatives are of order 1), and the rigorous bound min_h E(h) of src/fdiff.h, which uses "
                   "this function's own derivatives:");
    const char *headers[] = {"method", "best h", "its error", "textbook h*", "textbook error", "bound"};
    report_table_begin(r, 6, headers);
    StrBuf best_h = {0}, best_err = {0};
    for (int m = 0; m < FD_N_METHODS; m++) {
        char bh[32] = "-", be[32] = "-", th[32], te[32], bd[32];
        if (best[m].row >= 0) {
            fmt_h(bh, sizeof bh, rows[best[m].row].h);
            fmt_err(be, sizeof be, best[m].err);
        }
        snprintf(th, sizeof th, m == FD_COMPLEX_STEP ? "any h < %.1e" : "%.1e", best[m].textbook_h);
        fmt_err(te, sizeof te, best[m].textbook_err);
        fmt_err(bd, sizeof bd, best[m].bound_min);
        const char *row[] = {METHOD_LABEL[m], bh, be, th, te, bd};
        report_table_row(r, row);
        char num[40];
        const char *key = fd_method_key((FdMethod)m);
        if (best[m].row >= 0) {
            format_json_number(num, sizeof num, rows[best[m].row].h, "best h");
            sb_printf(&best_h, "%s\"%s\": %s", m ? ", " : "", key, num);
            format_json_number(num, sizeof num, best[m].err, "best error");
            sb_printf(&best_err, "%s\"%s\": %s", m ? ", " : "", key, num);
        } else {
            sb_printf(&best_h, "%s\"%s\": null", m ? ", " : "", key);
            sb_printf(&best_err, "%s\"%s\": null", m ? ", " : "", key);
        }
    }
    report_table_end(r);
    StrBuf obj = {0};
    sb_printf(&obj, "{%s}", sb_str(&best_h));
    report_json_raw(r, "best_h", sb_str(&obj));
    sb_clear(&obj);
    sb_printf(&obj, "{%s}", sb_str(&best_err));
    report_json_raw(r, "best_error", sb_str(&obj));
    sb_free(&obj);
    sb_free(&best_h);
    sb_free(&best_err);

    double spacing = nextafter(fabs(p->x), INFINITY) - fabs(p->x);
    if (spacing >= 1e-16)
        report_text(r,
                    "Below the best h the difference methods get worse, not better: at h = 1e-16 the step is "
                    "below the spacing of doubles near x (%.1e), so x + h rounds to another step or to x "
                    "itself and the quotient is mostly noise.",
                    spacing);
    else
        report_text(r, "Below the best h the difference methods get worse, not better: at h = 1e-16, f(x+h) and "
                       "f(x−h) differ only in their last few bits, so the quotient is mostly noise.");
    report_text(r,
                "The complex step subtracts nothing, so once h is small enough its error stays at the last "
                "digit of f′, down to h = 1e-100 (its \"best h\" is just the first step that hit the lowest "
                "value). It needs no tuning, but it needs f in complex arithmetic, which a network's max, "
                "ReLU and comparisons do not have. The workbook's checker (src/gradcheck.h) therefore uses the "
                "central difference with h = %g, near its textbook optimum for quantities of order 1.",
                GRADCHECK_H);
    report_text(r,
                "The checks: each method's best measured error must lie below %g times its bound (the bound "
                "takes one ulp per value of f; libm may be off by a little more), and the complex step must "
                "still be at full precision at h = %g.",
                BOUND_SAFETY, COMPLEX_TINY_H);
    for (int m = 0; m < FD_N_METHODS; m++) {
        char name[80], detail[200];
        snprintf(name, sizeof name, "%s: best error within its bound", METHOD_LABEL[m]);
        if (best[m].row < 0) {
            report_verdict(r, name, false, "the method could not be evaluated at any step");
            continue;
        }
        bool ok = best[m].err <= BOUND_SAFETY * best[m].bound_min;
        snprintf(detail, sizeof detail, "%.2e at h = %.0e, bound %.2e (x %g)", best[m].err, rows[best[m].row].h,
                 best[m].bound_min, BOUND_SAFETY);
        report_verdict(r, name, ok, detail);
    }
    const Row *tiny = &rows[N_ROWS - 1];
    double tb = bound_at(p, FD_COMPLEX_STEP, tiny->h);
    char detail[200];
    snprintf(detail, sizeof detail, "error %.2e at h = %.0e, bound %.2e (x %g)", tiny->err[FD_COMPLEX_STEP], tiny->h,
             tb, BOUND_SAFETY);
    report_verdict(r, "complex step: full precision at a tiny step", tiny->err[FD_COMPLEX_STEP] <= BOUND_SAFETY * tb,
                   detail);
}

static void section_relative(Report *r, const Problem *p) {
    report_heading(r, "0.5 Relative error, and what the thresholds mean");
    report_text(r,
                "An absolute error means nothing on its own: gradients range over many orders of magnitude "
                "(a loss times 1e6, a weight deep in a network with gradient 1e-9). Multiply f by a constant "
                "and the central difference (h = %g) moves with it, while the relative error stays put:",
                GRADCHECK_H);
    report_equation(r, "relative error = |a − n| / max(|a| + |n|, 1e-300)      (a analytic, n numerical)",
                    "\\text{rel} = \\frac{|a - n|}{\\max(|a| + |n|,\\ 10^{-300})}");
    const char *headers[] = {"function", "exact", "central", "abs error", "rel error"};
    report_table_begin(r, 5, headers);
    const double scales[] = {1e-6, 1.0, 1e6};
    for (int k = 0; k < 3; k++) {
        Scaled s = {p, scales[k]};
        double exact = scales[k] * p->exact, num = fd_central(f_scaled, &s, p->x, GRADCHECK_H);
        char fn[32], ex[32], nu[32], ae[32], re[32];
        snprintf(fn, sizeof fn, "%g·f", scales[k]);
        snprintf(ex, sizeof ex, "%.10g", exact == 0.0 ? 0.0 : exact);
        snprintf(nu, sizeof nu, "%.10g", num == 0.0 ? 0.0 : num);
        fmt_err(ae, sizeof ae, fabs(num - exact));
        fmt_err(re, sizeof re, relative_error(exact, num));
        const char *row[] = {fn, ex, nu, ae, re};
        report_table_row(r, row);
    }
    report_table_end(r);
    report_text(r, "The sum |a| + |n| in the denominator makes the measure symmetric and bounded by 1 (a sign "
                   "flip scores exactly 1). Rules of thumb for a central difference in double precision:");
    char lo[32], mid[48], hi[32];
    snprintf(lo, sizeof lo, "≤ %g", CORRECT_REL);
    snprintf(mid, sizeof mid, "%g to %g", CORRECT_REL, WRONG_REL);
    snprintf(hi, sizeof hi, "≥ %g", WRONG_REL);
    const char *th[] = {"relative error", "meaning"};
    report_table_begin(r, 2, th);
    const char *r1[] = {lo, "correct: what a right gradient measures (typically 1e-10 to 1e-8)"};
    const char *r2[] = {mid, "look closer: a kink within h, float, a badly scaled step, a small slip"};
    const char *r3[] = {hi, "wrong: a missing factor, a sign, a transposed index"};
    report_table_row(r, r1);
    report_table_row(r, r2);
    report_table_row(r, r3);
    report_table_end(r);
    report_text(r,
                "The workbook passes an entry at rel ≤ %g (GRADCHECK_REL_TOL), or when |a − n| ≤ %g: near "
                "zero two values inside the round-off floor cannot be told apart, and a relative error of "
                "two tiny numbers means nothing. Candidate analytic values against the central difference here:",
                GRADCHECK_REL_TOL, GRADCHECK_ABS_FLOOR);
    double num = fd_central(p->fn->f, p->ctx, p->x, GRADCHECK_H);
    struct {
        const char *what;
        double a;
    } cand[] = {
        {"f′ (correct)", p->exact},
        {"1.01·f′ (1% off)", 1.01 * p->exact},
        {"f′/2 (a lost factor 2)", p->exact / 2},
        {"−f′ (sign)", -p->exact},
    };
    const char *h2[] = {"analytic candidate", "value", "rel error", "verdict"};
    report_table_begin(r, 4, h2);
    for (size_t k = 0; k < sizeof cand / sizeof *cand; k++) {
        char v[32], re[32];
        snprintf(v, sizeof v, "%.10g", cand[k].a == 0.0 ? 0.0 : cand[k].a);
        double rel = relative_error(cand[k].a, num);
        fmt_err(re, sizeof re, rel);
        const char *verdict = gradient_entry_passes(cand[k].a, num, GRADCHECK_REL_TOL) ? "PASS"
                              : rel >= WRONG_REL                                       ? "FAIL (wrong)"
                                                                                       : "FAIL (look closer)";
        const char *row[] = {cand[k].what, v, re, verdict};
        report_table_row(r, row);
    }
    report_table_end(r);
}

static void section_float(Report *r, const Problem *p) {
    report_heading(r, "0.6 Why double precision");
    float xf = (float)p->x, hf = (float)GRADCHECK_H;
    double exact = p->fn->df((double)xf, p->ctx);
    double ef[FD_N_METHODS], ed[FD_N_METHODS];
    ef[FD_FORWARD] = fabs(fd_forward_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_CENTRAL] = fabs(fd_central_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_FIVE_POINT] = fabs(fd_five_point_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_COMPLEX_STEP] = fabs(fd_complex_step_float(p->fn->ffc, p->ctx, xf, hf) - exact);
    for (int m = 0; m < FD_N_METHODS; m++) {
        double v = 0.0;
        bool ok = estimate(p, (FdMethod)m, GRADCHECK_H, false, &v);
        ed[m] = ok ? fabs(v - p->exact) : -1.0;
    }
    // float's own best central step, over the same decades
    double best_err = INFINITY, best_h = 0.0;
    for (int i = 0; i < 8; i++) {
        float h = (float)pow(10.0, -(i + 1));
        if (p->fn->domain_lo > -INFINITY && xf - h <= (float)p->fn->domain_lo)
            continue;
        double e = fabs(fd_central_float(p->fn->ff, p->ctx, xf, h) - exact);
        if (e < best_err)
            best_err = e, best_h = h;
    }
    report_text(r,
                "The same row h = %g, the workbook's step, with every operation in float (ε = %.2g instead "
                "of %.2g):",
                GRADCHECK_H, (double)FLT_EPSILON, DBL_EPSILON);
    const char *headers[] = {"precision", "forward", "central", "5-point", "complex step"};
    report_table_begin(r, 5, headers);
    for (int k = 0; k < 2; k++) {
        char c[4][32];
        for (int m = 0; m < FD_N_METHODS; m++) {
            double e = k ? ef[m] : ed[m];
            if (!isfinite(e) || e < 0)
                snprintf(c[m], sizeof c[m], "-");
            else
                fmt_err(c[m], sizeof c[m], e);
        }
        const char *row[] = {k ? "float" : "double", c[0], c[1], c[2], c[3]};
        report_table_row(r, row);
    }
    report_table_end(r);
    StrBuf json = {0};
    sb_puts(&json, "{\"h\": ");
    char num[40];
    format_json_number(num, sizeof num, GRADCHECK_H, "h");
    sb_puts(&json, num);
    for (int m = 0; m < FD_N_METHODS; m++) {
        if (isfinite(ef[m])) {
            format_json_number(num, sizeof num, ef[m], "the float row");
            sb_printf(&json, ", \"%s\": %s", fd_method_key((FdMethod)m), num);
        } else {
            sb_printf(&json, ", \"%s\": null", fd_method_key((FdMethod)m));
        }
    }
    sb_puts(&json, "}");
    report_json_raw(r, "float_row", sb_str(&json));
    sb_free(&json);
    double double_rel = relative_error(p->exact, p->exact + ed[FD_CENTRAL]);
    double float_rel = relative_error(exact, exact + ef[FD_CENTRAL]);
    if (isfinite(best_err))
        report_text(r,
                    "In float the round-off term ε·|f|/h is %.0e times larger: at h = %g the central difference "
                    "has relative error %.1e instead of %.1e. Even at float's own best step (h = %.0e here) it "
                    "is %.1e, against the workbook's tolerance %g: a float check must loosen its tolerance "
                    "until mistakes of that size pass unnoticed. The complex step is limited only by the "
                    "precision of f itself (%.1e).",
                    (double)FLT_EPSILON / DBL_EPSILON, GRADCHECK_H, float_rel, double_rel, best_h,
                    relative_error(exact, exact + best_err), GRADCHECK_REL_TOL, ef[FD_COMPLEX_STEP]);
}

static void section_kink(Report *r) {
    report_heading(r, "0.7 Why checks fail at a kink");
    report_text(r,
                "Every error formula above assumes f is smooth between x − h and x + h. ReLU, |x| and max are "
                "not: at the kink the derivative jumps, and the difference quotient averages the two sides. "
                "Measured with h = %g:",
                GRADCHECK_H);
    double h = GRADCHECK_H, tie = 2.0;
    struct {
        const char *what;
        FdFunction f;
        const void *ctx;
        double x, analytic;
        const char *convention;
    } k[] = {
        {"|x| at x = 0", f_abs, NULL, 0.0, 0.0, "sign(0) = 0"},
        {"|x| at x = 1e-7", f_abs, NULL, 1e-7, 1.0, "exact"},
        {"max(a, 2) at a = 2", f_max_with, &tie, 2.0, 1.0, "first max wins"},
        {"max(a, 2) at a = 2.0001", f_max_with, &tie, 2.0001, 1.0, "exact"},
    };
    const char *headers[] = {"function", "forward", "central", "analytic", "rel error (central)", ""};
    report_table_begin(r, 6, headers);
    for (size_t i = 0; i < sizeof k / sizeof *k; i++) {
        double fw = fd_forward(k[i].f, k[i].ctx, k[i].x, h), ce = fd_central(k[i].f, k[i].ctx, k[i].x, h);
        char a[32], b[32], c[32], d[48], e[32];
        snprintf(a, sizeof a, "%.6g", fw == 0.0 ? 0.0 : fw);
        snprintf(b, sizeof b, "%.6g", ce == 0.0 ? 0.0 : ce);
        snprintf(c, sizeof c, "%g (%s)", k[i].analytic, k[i].convention);
        fmt_err(d, sizeof d, relative_error(k[i].analytic, ce));
        snprintf(e, sizeof e, "%s", gradient_entry_passes(k[i].analytic, ce, GRADCHECK_REL_TOL) ? "ok" : "FAIL");
        const char *row[] = {k[i].what, a, b, c, d, e};
        report_table_row(r, row);
    }
    report_table_end(r);
    report_text(r, "At x = 0 the forward difference sees only the right-hand slope (1) and the central one the "
                   "average of both sides (0); which of them \"agrees\" depends only on the convention the code "
                   "chose for the undefined derivative. At x = 1e-7 the function is smooth and its derivative is "
                   "exactly 1, yet the kink lies inside [x − h, x + h] and the central difference measures 0.1: a "
                   "correct gradient FAILS. The max at a tie (two equal values in a max-pooling window) is the "
                   "same: the library sends the whole gradient to one input (1), the central difference splits it "
                   "(0.5). Chapters 4 and 6 therefore mark entries within h of a tie as \"skipped (kink)\" instead "
                   "of counting them as failures.");
}

int main(int argc, char **argv) {
    const char *function_text = NULL, *at_text = NULL;
    const ChapterOption options[] = {
        {"--function", "F", "sin, exp, log, sigmoid or bce (default: bce, the loss of one prediction vs its logit)",
         &function_text},
        {"--at", "X", "the point x (default: 0.5, the running example's logit)", &at_text},
    };
    const ChapterSpec spec = {
        .program = "chapter0",
        .title = "Chapter 0: checking a derivative numerically",
        .options = options,
        .n_options = 2,
        .bugs = BUGS,
        .n_bugs = 1,
        .notes = "Example: chapter0 --function log --at 0.001",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    // ---- input, all validated before anything is printed
    int which = function_text ? option_choice("--function", function_text, FUNCTION_CHOICES) : FUNCTION_BCE;
    const Function *fn = &FUNCTIONS[which];
    double x = at_text ? option_number("--at", at_text) : DEFAULT_AT;
    if (which == 2 && x <= 0)
        usage_error("--at: log is defined only for x > 0 (got %g)", x);
    if (which == 2 && x < LOG_AT_MIN)
        usage_error("--at: log's derivatives (k-1)!/x^k overflow the error analysis below x = %g; use x >= %g",
                    LOG_AT_MIN, LOG_AT_MIN);
    if (which == 1 && fabs(x) > EXP_AT_MAX)
        usage_error("--at: exp(x)·h leaves double precision for |x| > %g at the tiny complex steps; use |x| <= %g",
                    EXP_AT_MAX, EXP_AT_MAX);
    if (fabs(x) > AT_MAX)
        usage_error("--at: |x| must be at most %g (beyond it every step of the table is below the spacing of "
                    "doubles near x)",
                    AT_MAX);
    const double y = EXAMPLE_Y;
    Problem p = {fn, which == FUNCTION_BCE ? (const void *)&y : NULL, x, fn->df(x, &y), bug_is(&opt, "central-h")};

    // ---- the measurements
    Row rows[N_ROWS];
    for (int i = 0; i < N_ROWS; i++) {
        bool tiny = i >= N_DECADES;
        rows[i].h = tiny ? TINY_H[i - N_DECADES] : pow(10.0, -(i + 1));
        for (int m = 0; m < FD_N_METHODS; m++) {
            double v = 0.0;
            rows[i].have[m] = estimate(&p, (FdMethod)m, rows[i].h, tiny, &v);
            rows[i].err[m] = rows[i].have[m] ? fabs(v - p.exact) : 0.0;
            if (rows[i].have[m] && !isfinite(rows[i].err[m]))
                usage_error("--at: %s near %g leaves double precision; choose a point closer to 0", fn->name, x);
        }
    }
    Best best[FD_N_METHODS];
    for (int m = 0; m < FD_N_METHODS; m++) {
        best[m] = (Best){.row = -1, .err = INFINITY, .bound_min = INFINITY};
        for (int i = 0; i < N_ROWS; i++) {
            if (!rows[i].have[m])
                continue;
            if (rows[i].err[m] < best[m].err)
                best[m].err = rows[i].err[m], best[m].row = i;
            best[m].bound_min = fmin(best[m].bound_min, bound_at(&p, (FdMethod)m, rows[i].h));
        }
        best[m].textbook_h = fd_textbook_h((FdMethod)m, DBL_EPSILON);
        best[m].textbook_err = fd_textbook_error((FdMethod)m, DBL_EPSILON);
    }

    Report r;
    report_init(&r, &opt, spec.title);
    report_json_string(&r, "function", fn->name);

    // ---- 0.1 the function
    report_heading(&r, "0.1 What a gradient check measures");
    report_text(&r, "Every later chapter computes a gradient by the chain rule and then compares it with a "
                    "numerical estimate, ending with a line like \"max relative error 3e-11: PASS\". This chapter "
                    "takes one scalar function with a known derivative and measures how good those estimates "
                    "are, and why.");
    if (which == FUNCTION_BCE && !at_text)
        report_text(&r, "The function is the binary cross-entropy of one prediction as a function of its logit z, "
                        "for label y = 1, at the running example's logit z = 0.05·29 − 0.03·35 + 0.1 = 0.5 (the "
                        "dense layer of chapter 3 applied to the pooled [29 35], src/example.h). Chapter 2 derives "
                        "this loss and its derivative.");
    report_equation(&r, fn->formula, fn->formula_tex);
    report_equation(&r, fn->derivative, fn->derivative_tex);
    report_scalar(&r, "at", "x", x);
    report_scalar(&r, "exact", "f′(x)", p.exact);
    if (opt.bug)
        report_text(&r, "--bug central-h: the central difference below is divided by h, not 2h.");

    section_methods(&r);
    section_table(&r, &p, rows);
    section_v(&r, &p, rows, best);
    section_relative(&r, &p);
    section_float(&r, &p);
    section_kink(&r);

    if (opt.plot_dir)
        write_plot_data(opt.plot_dir, &p, rows);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}
