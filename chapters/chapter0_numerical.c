// Chapter 0: checking a derivative numerically.
//
// Every later chapter ends with a per-entry verdict on its gradients. This
// one shows what stands behind it: four finite-difference estimates of a
// derivative (fdiff.h) and their V-shaped error over steps h from 1e-1 to
// 1e-16, relative error, why a fixed tolerance floor fails in both
// directions, the error bound the checker (gradcheck.h) computes with
// every derivative and its three verdicts, why double precision, and kinks.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arraylen.h"
#include "chapter0_chart.h"
#include "chapter0_functions.h"
#include "chapter0_kinks.h"
#include "chapter0_loss.h"
#include "chapter0_practice.h"
#include "example.h"
#include "fdiff.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "strbuf.h"
#include "mathfn.h"

// Measured best errors sit at most a factor ~1.7 above the bound's minimum
// on a decade grid; 4 more covers libm's last-ulp errors in f, which the
// bound counts as one ulp.
#define BOUND_SAFETY 4.0
// The tiny step where the complex step must still be at full precision.
#define COMPLEX_TINY_H 1e-100
// The running example's logit, chapter 3's z = W·p + b = 0.05·29 − 0.03·35 + 0.1.
#define DEFAULT_AT 0.5
// Section 0.6: the rest of a loss that sums a million terms of order 1
// (which x does not touch), and a loss scaled down to 1e-10.
#define BIG_REST 1e6
#define TINY_FACTOR 1e-10
// The wrong gradient of section 0.6: 26% too small, a wrong factor of the
// kind the later chapters' bugs make.
#define WRONG_FACTOR 0.74
// Section 0.8: a rest so large that no step resolves f′ next to it.
#define HUGE_REST 1e15

// Steps by decades, then tiny ones only the complex step can use.
#define N_DECADES 16
static const double TINY_H[] = {1e-20, COMPLEX_TINY_H};
#define N_ROWS (N_DECADES + ARRAY_LEN(TINY_H))

// ---------------------------------------------------------------- the estimates

static const BugInfo BUGS[] = {
    {"central-h", "the central difference divided by h instead of 2h"},
};
// In the order of BUGS, the correct code first (options.h).
typedef enum { BUG_NONE, BUG_CENTRAL_H } Bug;

// Bug "central-h": the central difference divided by h instead of 2h, as if
// the two points were one step apart.
static double central_over_h(FdFunction f, const void *ctx, double x, double h) {
    return (f(x + h, ctx) - f(x - h, ctx)) / h;
}

typedef struct {
    const Function *fn;
    const void *ctx;
    double x, exact;
    Bug bug;
} Problem;

static double central(const Problem *p, double h) {
    switch (p->bug) {
    case BUG_NONE: return fd_central(p->fn->f, p->ctx, p->x, h);
    case BUG_CENTRAL_H: return central_over_h(p->fn->f, p->ctx, p->x, h);
    }
    return NAN;
}

// One method at one step; false when the stencil leaves f's domain or the
// method is not run at that step (difference methods at the tiny steps).
static bool estimate(const Problem *p, FdMethod m, double h, bool tiny, double *out) {
    if ((tiny && m != FD_COMPLEX_STEP) || p->x - fd_reach(m) * h <= p->fn->domain_lo) return false;
    switch (m) {
    case FD_FORWARD: *out = fd_forward(p->fn->f, p->ctx, p->x, h); break;
    case FD_CENTRAL: *out = central(p, h); break;
    case FD_FIVE_POINT: *out = fd_five_point(p->fn->f, p->ctx, p->x, h); break;
    case FD_COMPLEX_STEP: *out = fd_complex_step(p->fn->fc, p->ctx, p->x, h); break;
    }
    return true;
}

typedef struct {
    int row; // -1: never evaluated
    double err, bound_min;
} Best;

// The error table; exits 2 when f leaves double precision near x.
static void measure(const Problem *p, Row *rows, Best *best) {
    for (int i = 0; i < N_ROWS; i++) {
        bool tiny = i >= N_DECADES;
        rows[i].h = tiny ? TINY_H[i - N_DECADES] : wb_pow(10.0, -(i + 1));
        for (int m = 0; m < FD_N_METHODS; m++) {
            double v = 0.0;
            rows[i].have[m] = estimate(p, (FdMethod)m, rows[i].h, tiny, &v);
            rows[i].err[m] = rows[i].have[m] ? fabs(v - p->exact) : 0.0;
            if (rows[i].have[m] && !isfinite(rows[i].err[m]))
                usage_error("--at: %s near %g leaves double precision; choose a point closer to 0", p->fn->name,
                            p->x);
        }
    }
    for (int m = 0; m < FD_N_METHODS; m++) {
        best[m] = (Best){.row = -1, .err = INFINITY, .bound_min = INFINITY};
        for (int i = 0; i < N_ROWS; i++) {
            if (!rows[i].have[m]) continue;
            if (rows[i].err[m] < best[m].err) best[m].err = rows[i].err[m], best[m].row = i;
            best[m].bound_min = fmin(best[m].bound_min, fd_bound_for(p->fn, p->ctx, p->x, (FdMethod)m, rows[i].h));
        }
    }
}

// f inside a bigger loss (chapter0_loss.h).
static Loss loss_of(const Problem *p, double factor, double rest) {
    return (Loss){p->fn->f, p->ctx, p->x, factor, rest};
}

// ---------------------------------------------------------------- helpers

static void fmt_err(char *buf, size_t len, double e) { snprintf(buf, len, "%.1e", e); }
static void fmt_h(char *buf, size_t len, double h) { snprintf(buf, len, "%.0e", h); }
static void fmt_val(char *buf, size_t len, double v) { snprintf(buf, len, "%.10g", v == 0.0 ? 0.0 : v); }

// One JSON member per method, null where it did not run; `more` when
// members come before them.
static void json_method_values(StrBuf *b, const bool *have, const double *v, const char *what, bool more) {
    char num[40];
    for (int m = 0; m < FD_N_METHODS; m++) {
        const char *sep = m || more ? ", " : "";
        if (have[m]) {
            format_json_number(num, sizeof num, v[m], what);
            sb_printf(b, "%s\"%s\": %s", sep, fd_method_key((FdMethod)m), num);
        } else {
            sb_printf(b, "%s\"%s\": null", sep, fd_method_key((FdMethod)m));
        }
    }
}

static void write_plot_data(const char *dir, const Problem *p, const Row *rows) {
    FILE *f = plot_file_open(dir, "chapter0_error.dat");
    fprintf(f, "# absolute error of f'(x) for %s at x = %.17g (exact %.17g); '-' = not evaluated\n", p->fn->name, p->x,
            p->exact);
    fprintf(f, "# h forward central five_point complex_step\n");
    for (int i = 0; i < N_ROWS; i++) {
        fprintf(f, "%.17g", rows[i].h);
        for (int m = 0; m < FD_N_METHODS; m++) rows[i].have[m] ? fprintf(f, " %.17g", rows[i].err[m]) : fprintf(f, " -");
        fputc('\n', f);
    }
    plot_file_close(f, dir, "chapter0_error.dat");
}

// ---------------------------------------------------------------- sections

static void section_0_1_function(Report *r, const Problem *p, bool running_example) {
    report_heading(r, "0.1 What a gradient check measures");
    report_text(r, "Every later chapter computes a gradient by the chain rule and then compares it with a "
                   "numerical estimate, entry by entry, ending with a verdict: PASS, FAIL or INCONCLUSIVE. This "
                   "chapter takes one scalar function with a known derivative and measures how good those "
                   "estimates are, how good they can be, and how the checker decides.");
    if (running_example)
        report_text(r, "The function is the binary cross-entropy of one prediction as a function of its logit z, "
                       "for label y = 1, at the running example's logit z = 0.05·29 − 0.03·35 + 0.1 = 0.5 (the "
                       "dense layer of chapter 3 applied to the pooled [29 35]). Chapter 2 derives "
                       "this loss and its derivative.");
    report_equation(r, p->fn->formula, p->fn->formula_tex);
    report_equation(r, p->fn->derivative, p->fn->derivative_tex);
    report_scalar(r, "at", "x", p->x);
    report_scalar(r, "exact", "f′(x)", p->exact);
    if (p->bug == BUG_CENTRAL_H)
        report_text(r, "--bug central-h: the central difference of sections 0.3 and 0.4 is divided by h, not 2h.");
}

static void section_0_2_methods(Report *r) {
    report_heading(r, "0.2 Four ways to estimate a derivative");
    report_text(r, "Each estimate evaluates f near x and divides by the step h. Taylor's theorem gives the "
                   "truncation error (the terms the formula drops); p is the order, the power of h in it.");
    report_equation(r, "forward:  D = (f(x+h) − f(x)) / h,   p = 1,  error ≈ (h/2)·f″",
                    "D_{\\mathrm{fwd}} = \\frac{f(x+h) - f(x)}{h}, \\quad \\text{error} \\approx \\tfrac{h}{2} f''");
    report_equation(r, "central:  D = (f(x+h) − f(x−h)) / 2h,   p = 2,  error ≈ (h²/6)·f‴",
                    "D_{\\mathrm{cen}} = \\frac{f(x+h) - f(x-h)}{2h}, \\quad \\text{error} \\approx \\tfrac{h^2}{6} "
                    "f'''");
    report_equation(r, "5-point:  D = (f(x−2h) − 8f(x−h) + 8f(x+h) − f(x+2h)) / 12h,",
                    "D_{5} = \\frac{f(x-2h) - 8f(x-h) + 8f(x+h) - f(x+2h)}{12h},");
    report_equation(r, "          p = 4,  error ≈ (h⁴/30)·f⁽⁵⁾", "\\text{error} \\approx \\tfrac{h^4}{30} f^{(5)}");
    report_equation(r, "complex step:  D = Im f(x + ih) / h,   p = 2,  error ≈ (h²/6)·f‴",
                    "D_{\\mathrm{cs}} = \\frac{\\operatorname{Im} f(x + ih)}{h}, \\quad \\text{error} \\approx "
                    "\\tfrac{h^2}{6} f'''");
    report_text(r, "The 5-point stencil is one Richardson step, (4·central(h) − central(2h))/3, which cancels "
                   "the h² term. The complex step evaluates f once, off the real axis: f(x + ih) = f(x) + ih·f′(x) "
                   "− (h²/2)·f′′(x) − …, so the imaginary part divided by h is f′(x) up to h², and nothing is "
                   "subtracted. It needs f written with complex arithmetic (C99 <complex.h>: csin, cexp, clog).");
}

static void section_0_3_table(Report *r, const Problem *p, const Row *rows) {
    report_heading(r, "0.3 The error of each method, h from 1e-1 to 1e-16");
    report_text(r,
                "Absolute error |D − f′(x)| of each estimate; \"-\" where the method was not run (the tiny "
                "steps are for the complex step only%s).",
                p->fn->domain_lo > -INFINITY ? ", or the stencil would leave the domain x > 0" : "");
    const char *headers[] = {"h", "forward", "central", "5-point", "complex step"};
    report_table_begin(r, 5, headers);
    StrBuf json = {0};
    char num[40];
    sb_puts(&json, "[");
    for (int i = 0; i < N_ROWS; i++) {
        char cells[5][32];
        fmt_h(cells[0], sizeof cells[0], rows[i].h);
        for (int m = 0; m < FD_N_METHODS; m++)
            rows[i].have[m] ? fmt_err(cells[m + 1], sizeof cells[m + 1], rows[i].err[m])
                            : (void)snprintf(cells[m + 1], sizeof cells[m + 1], "-");
        const char *row[] = {cells[0], cells[1], cells[2], cells[3], cells[4]};
        report_table_row(r, row);
        format_json_number(num, sizeof num, rows[i].h, "h");
        sb_printf(&json, "%s\n    {\"h\": %s", i ? "," : "", num);
        json_method_values(&json, rows[i].have, rows[i].err, "the error table", true);
        sb_puts(&json, "}");
    }
    report_table_end(r);
    sb_puts(&json, "\n  ]");
    report_json_raw(r, "rows", sb_str(&json));
    sb_free(&json);
}

static void v_table(Report *r, const Row *rows, const Best *best) {
    const char *headers[] = {"method", "best h", "its error", "textbook h*", "textbook error", "bound"};
    report_table_begin(r, 6, headers);
    bool have[FD_N_METHODS];
    double bh[FD_N_METHODS], be[FD_N_METHODS];
    for (int m = 0; m < FD_N_METHODS; m++) {
        char h[32] = "-", e[32] = "-", th[32], te[32], bd[32];
        have[m] = best[m].row >= 0;
        bh[m] = have[m] ? rows[best[m].row].h : 0.0, be[m] = best[m].err;
        if (have[m]) fmt_h(h, sizeof h, bh[m]), fmt_err(e, sizeof e, be[m]);
        snprintf(th, sizeof th, m == FD_COMPLEX_STEP ? "any h < %.1e" : "%.1e",
                 fd_textbook_h((FdMethod)m, DBL_EPSILON));
        fmt_err(te, sizeof te, fd_textbook_error((FdMethod)m, DBL_EPSILON));
        fmt_err(bd, sizeof bd, best[m].bound_min);
        const char *row[] = {METHOD_LABEL[m], h, e, th, te, bd};
        report_table_row(r, row);
    }
    report_table_end(r);
    StrBuf obj = {0};
    sb_puts(&obj, "{");
    json_method_values(&obj, have, bh, "best h", false);
    sb_puts(&obj, "}");
    report_json_raw(r, "best_h", sb_str(&obj));
    sb_clear(&obj);
    sb_puts(&obj, "{");
    json_method_values(&obj, have, be, "best error", false);
    sb_puts(&obj, "}");
    report_json_raw(r, "best_error", sb_str(&obj));
    sb_free(&obj);
}

static void v_checks(Report *r, const Problem *p, const Row *rows, const Best *best) {
    double ref = fmax(fabs(p->exact), DBL_MIN); // both sides relative to f′(x)
    char name[80], detail[160];
    for (int m = 0; m < FD_N_METHODS; m++) {
        snprintf(name, sizeof name, "%s: best error within its bound", METHOD_LABEL[m]);
        if (best[m].row < 0) {
            report_identity(r, name, 0, 0.0, 0.0, 0.0, "the method could not be evaluated at any step");
            continue;
        }
        snprintf(detail, sizeof detail, "h = %.0e, bound %.1e", rows[best[m].row].h, best[m].bound_min);
        report_identity(r, name, 1, best[m].err, best[m].err / ref, BOUND_SAFETY * best[m].bound_min / ref, detail);
    }
    const Row *tiny = &rows[N_ROWS - 1];
    double tb = fd_bound_for(p->fn, p->ctx, p->x, FD_COMPLEX_STEP, tiny->h);
    snprintf(detail, sizeof detail, "h = %.0e, bound %.1e", tiny->h, tb);
    report_identity(r, "complex step: full precision at a tiny step", 1, tiny->err[FD_COMPLEX_STEP],
                    tiny->err[FD_COMPLEX_STEP] / ref, BOUND_SAFETY * tb / ref, detail);
}

static void section_0_4_v(Report *r, const Problem *p, const Row *rows, const Best *best) {
    report_heading(r, "0.4 The V: truncation against round-off");
    report_text(r,
                "Read the table from the top. As h shrinks, the truncation error falls like h^p (one decade "
                "of h buys 1, 2 or 4 decades of accuracy). But f(x+h) and f(x−h) are stored with a relative "
                "error of about ε = %.2g (double), and subtracting two nearly equal numbers keeps that absolute "
                "error while dividing by a tiny h blows it up: the round-off error grows like ε·|f|/h. The sum "
                "is V-shaped on a log-log plot, and its bottom sits where the two terms meet:",
                DBL_EPSILON);
    report_equation(r, "E(h) ≈ C·h^p + ε·|f|/h,  smallest near h* ≈ ε^(1/(p+1)), E(h*) ≈ ε^(p/(p+1))",
                    "E(h) \\approx C h^p + \\frac{\\varepsilon |f|}{h} \\;\\Rightarrow\\; h^* \\approx "
                    "\\varepsilon^{1/(p+1)},\\quad E(h^*) \\approx \\varepsilon^{p/(p+1)}");
    report_text(r, "Measured on this function, next to those textbook estimates (which assume f and its "
                   "derivatives are of order 1), and the rigorous bound min_h E(h) of the error analysis, which uses "
                   "this function's own derivatives:");
    v_table(r, rows, best);
    v_chart(r, rows, N_ROWS);
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
    report_text(r, "The complex step subtracts nothing, so once h is small enough its error stays at the last "
                   "digit of f′, down to h = 1e-100 (its \"best h\" is just the first step that hit the lowest "
                   "value). It needs no tuning, but it needs f in complex arithmetic, which a network's max, "
                   "ReLU and comparisons do not have. The workbook's checker therefore uses central differences, "
                   "with a step and an error bound of their own for every entry (section 0.7).");
    report_text(r,
                "The checks: each method's best error, relative to f′(x), must lie within %g times its "
                "bound, relative to f′(x) (the bound takes one ulp per value of f; libm may be off by a little "
                "more); the complex step must still be at full precision at h = %g.",
                BOUND_SAFETY, COMPLEX_TINY_H);
    v_checks(r, p, rows, best);
}

static void section_0_5_relative(Report *r, const Problem *p) {
    report_heading(r, "0.5 Relative error");
    report_text(r,
                "An absolute error means nothing on its own: gradients range over many orders of magnitude "
                "(a loss times 1e6, a weight deep in a network with gradient 1e-9). Multiply f by a constant "
                "and the central difference (h = %g) moves with it, while the relative error stays put:",
                OLD_STEP);
    report_equation(r, "relative error = |a − n| / max(|a|, |n|)      (a analytic, n numerical)",
                    "\\text{rel} = \\frac{|a - n|}{\\max(|a|,\\ |n|)}");
    const char *headers[] = {"function", "exact", "central", "abs error", "rel error"};
    report_table_begin(r, 5, headers);
    const double scales[] = {1e-6, 1.0, 1e6};
    for (int k = 0; k < ARRAY_LEN(scales); k++) {
        Loss l = loss_of(p, scales[k], 0.0);
        double exact = scales[k] * p->exact, num = loss_central(&l, OLD_STEP);
        char fn[32], ex[32], nu[32], ae[32], re[32];
        snprintf(fn, sizeof fn, "%g·f", scales[k]);
        fmt_val(ex, sizeof ex, exact), fmt_val(nu, sizeof nu, num);
        fmt_err(ae, sizeof ae, fabs(num - exact)), fmt_err(re, sizeof re, rel_error(exact, num));
        const char *row[] = {fn, ex, nu, ae, re};
        report_table_row(r, row);
    }
    report_table_end(r);
    report_text(r, "A sign flip scores 2 and a lost factor 2 scores 0.5. Rules of thumb for a central "
                   "difference in double precision on a well-scaled loss:");
    const char *th[] = {"relative error", "usually means"};
    report_table_begin(r, 2, th);
    const char *rows[][2] = {
        {"≤ 1e-7", "right: what a correct gradient measures"},
        {"1e-7 to 1e-2", "look closer: a kink, float, a bad step, a slip"},
        {"≥ 1e-2", "wrong: a missing factor, a sign, an index"},
    };
    for (int k = 0; k < ARRAY_LEN(rows); k++) report_table_row(r, rows[k]);
    report_table_end(r);
    report_text(r, "\"On a well-scaled loss\" is the catch: rules of thumb with fixed numbers in them cannot "
                   "decide a check, as the next section shows.");
}

// ---- 0.6: the fixed floor against the bound, on numbers

typedef struct {
    char name[16];
    double analytic, fixed_n, bounded_n, bound;
    bool old_pass, right;
    Verdict bounded;
} FloorRow;

static FloorRow floor_row(const Problem *p, Loss *l, const NumericalDerivative *d, bool right) {
    FloorRow row = {.analytic = l->factor * p->exact * (right ? 1.0 : WRONG_FACTOR), .right = right};
    row.fixed_n = loss_central(l, OLD_STEP * fmax(1.0, fabs(p->x)));
    row.old_pass = old_rule_passes(row.analytic, row.fixed_n);
    row.bounded_n = d->value, row.bound = d->bound;
    row.bounded = bounded_verdict(row.analytic, d);
    return row;
}

static void floor_table(Report *r, const FloorRow *rows, int n) {
    const char *headers[] = {"case", "analytic", "n (h = 1e-6)", "|a - n|", "old", "bound", "bounded"};
    report_table_begin(r, 7, headers);
    for (int k = 0; k < n; k++) {
        char a[32], fn[32], e[32], b[32];
        snprintf(a, sizeof a, "%.6g", rows[k].analytic);
        snprintf(fn, sizeof fn, "%.6g", rows[k].fixed_n);
        fmt_err(e, sizeof e, fabs(rows[k].analytic - rows[k].fixed_n));
        fmt_err(b, sizeof b, rows[k].bound);
        const char *row[] = {rows[k].name, a, fn, e, rows[k].old_pass ? "PASS" : "FAIL", b,
                             verdict_name(rows[k].bounded)};
        report_table_row(r, row);
    }
    report_table_end(r);
}

static void floor_demonstration(Report *r, const char *name, const FloorRow *row) {
    char detail[240];
    snprintf(detail, sizeof detail, "%s gradient: |a - n| = %.1e, rel %.1e at h = 1e-6: fixed floor %s; bounded: "
             "|a - n| = %.1e, bound %.1e: %s", row->right ? "right" : "26%-off",
             fabs(row->analytic - row->fixed_n), rel_error(row->analytic, row->fixed_n),
             row->old_pass ? "PASS" : "FAIL", fabs(row->analytic - row->bounded_n), row->bound,
             verdict_name(row->bounded));
    report_demonstration(r, name, detail);
}

static void section_0_6_fixed_floor(Report *r, const Problem *p) {
    report_heading(r, "0.6 Two ways a fixed floor fails");
    report_text(r,
                "A common fixed rule takes one step h = %g·max(1, |x|) and passes an entry when its relative "
                "error is at most %g, or when |a − n| is at most %g: a fixed floor under which two values "
                "count as equal up to round-off. Those numbers are fixed; round-off is not. It is about ε "
                "times the size of the terms summed into L, divided by h. Two losses built from f:",
                OLD_STEP, OLD_REL_TOL, OLD_ABS_FLOOR);
    report_equation(r, "A:  L(x) = f(x) + 1e6   (one of a million terms of order 1)", "L_A(x) = f(x) + 10^{6}");
    report_equation(r, "B:  L(x) = 1e-10·f(x)   (a loss of another scale)", "L_B(x) = 10^{-10} f(x)");
    report_text(r, "Each with the right analytic gradient and with one 26%% too small (a wrong factor), judged "
                   "by the fixed floor (old) and by the bounded checker of the next section:");
    Loss big = loss_of(p, 1.0, BIG_REST), tiny = loss_of(p, TINY_FACTOR, 0.0);
    NumericalDerivative db = bounded_derivative(&big, true), dt = bounded_derivative(&tiny, true);
    FloorRow rows[4] = {floor_row(p, &big, &db, true), floor_row(p, &big, &db, false),
                        floor_row(p, &tiny, &dt, true), floor_row(p, &tiny, &dt, false)};
    const char *names[] = {"A, right", "A, 26% off", "B, right", "B, 26% off"};
    for (int k = 0; k < ARRAY_LEN(rows); k++) snprintf(rows[k].name, sizeof rows[k].name, "%s", names[k]);
    floor_table(r, rows, ARRAY_LEN(rows));
    report_text(r,
                "In A the step h = %g moves L, a number near 1e6 stored to ε·1e6 = %.1e, by about |f′|·h: the "
                "quotient keeps only a few digits, |a − n| = %.1e, and the fixed floor says %s for the right "
                "gradient. In B every number is 1e-10 small, so |a − n| of the 26%% mistake is %.1e, and the "
                "fixed floor %g says %s. The bound scales with the loss: ε·1e6/h in A, ε·1e-10/h in B.",
                OLD_STEP, DBL_EPSILON * BIG_REST, fabs(rows[0].analytic - rows[0].fixed_n),
                rows[0].old_pass ? "PASS" : "FAIL", fabs(rows[3].analytic - rows[3].fixed_n), OLD_ABS_FLOOR,
                rows[3].old_pass ? "PASS" : "FAIL");
    torch_paragraph(r, rows[0].analytic, rows[0].fixed_n, rows[1].analytic, rows[3].analytic, rows[3].fixed_n);
    floor_demonstration(r, "fixed floor on a loss of 1e6", &rows[0]);
    floor_demonstration(r, "fixed floor on a loss of 1e-10", &rows[3]);
}

// ---- 0.7: how the bound is computed

static void bound_table(Report *r, Loss *l, const NumericalDerivative *d, double exact) {
    double h = d->step, d1 = loss_central(l, h), d2 = loss_central(l, h / 2.0);
    double trunc = fabs(d1 - d2);
    const char *names[] = {"step h", "D(h)", "D(h/2)", "n = D(h/2) + (D(h/2) - D(h))/3", "|D(h) - D(h/2)|", "r(h)",
                           "r(h/2)", "round-off part, (4·r(h/2) + r(h))/3", "bound", "|n - f′(x)|, the true error"};
    double values[] = {h, d1, d2, d->value, trunc, roundoff_of(l, h), roundoff_of(l, h / 2.0),
                       fmax(d->bound - trunc, 0.0), d->bound, fabs(d->value - exact)};
    const char *headers[] = {"quantity", "value"};
    report_table_begin(r, 2, headers);
    for (int k = 0; k < ARRAY_LEN(names); k++) {
        char v[32];
        snprintf(v, sizeof v, k >= 4 || k == 0 ? "%.2e" : "%.12g", values[k]);
        const char *row[] = {names[k], v};
        report_table_row(r, row);
    }
    report_table_end(r);
}

static void section_0_7_bound(Report *r, const Problem *p) {
    report_heading(r, "0.7 A bound with every numerical derivative");
    report_text(r, "The checker computes, for every entry, two central differences and what is known about "
                   "their error:");
    report_equation(r, "n = D(h/2) + (D(h/2) − D(h))/3     (Richardson: the h² term cancels)",
                    "n = D(h/2) + \\tfrac{D(h/2) - D(h)}{3}");
    report_equation(r, "r(h) = 8ε·(s₊ + s₋)/2h,   s = Σ|terms of L| at x ± h   (round-off of D(h))",
                    "r(h) = \\frac{8\\varepsilon (s_+ + s_-)}{2h}");
    report_equation(r, "bound = |D(h) − D(h/2)| + (4·r(h/2) + r(h))/3",
                    "\\text{bound} = |D(h) - D(h/2)| + \\tfrac{4\\,r(h/2) + r(h)}{3}");
    report_equation(r, "an entry passes when |a − n| ≤ rtol·max(|a|, |n|) + bound",
                    "|a - n| \\le r\\,\\max(|a|,|n|) + \\text{bound}");
    report_text(r,
                "rtol is %g. The first step is %g times the entry's size (or its block's typical size); when "
                "the first pair says truncation dominates (a curved loss, a kink inside the step), the step "
                "shrinks to where the two errors balance; when round-off leaves the derivative unresolved it "
                "grows, for a smooth loss only (a larger step could cross an unseen kink). Four evaluations of L per entry; more only where the first bound is poor, and the "
                "next entry starts from the step that worked. n is (4·D(h/2) − D(h))/3, so its round-off "
                "carries the same weights, and r(h/2) ≈ 2·r(h): the round-off part is about 3·r(h). Here, for "
                "L = f:",
                GRADCHECK_REL_TOL, GRADCHECK_FIRST_STEP);
    Loss l = loss_of(p, 1.0, 0.0);
    NumericalDerivative d = bounded_derivative(&l, true);
    bound_table(r, &l, &d, p->exact);
    char num[40]; // JSON only: the table shows them
    format_json_number(num, sizeof num, d.bound, "the bound"), report_json_raw(r, "bounded_bound", num);
    format_json_number(num, sizeof num, d.step, "the step"), report_json_raw(r, "bounded_step", num);
    double exact = p->exact;
    Tensor a = tensor_view(&exact, 1, 1, 1);
    BoundedSummary s = compare_bounded(&exact, &d, NULL, NULL, 1, GRADCHECK_REL_TOL);
    if (s.verdict == VERDICT_INCONCLUSIVE)
        report_text(r, "Here f′(x) = %.2g is too small against the rounding of f itself (bound %.2g at the best "
                    "step): no step of a double-precision difference resolves it (section 0.8).", p->exact, d.bound);
    report_gradient_check(r, "f′(x) by the bounded checker", &a, &d, NULL, s);
}

static void section_0_8_verdicts(Report *r, const Problem *p) {
    report_heading(r, "0.8 Three verdicts: PASS, FAIL, INCONCLUSIVE");
    report_text(r,
                "FAIL: some entry lies outside its allowance rtol·max(|a|, |n|) + bound. Since the bound holds, "
                "a right gradient never lands there. PASS: no entry failed, and every bound is small against "
                "the error a mistake would make, at most %g of the block's largest derivative (of the size of "
                "the terms that make up each derivative when the analytic block is exactly zero, where a "
                "wrong factor or sign changes nothing). INCONCLUSIVE: nothing failed, but a bound is too "
                "large to tell a right gradient from a wrong one; the check says so instead of guessing.",
                GRADCHECK_RESOLVE_FRACTION);
    Loss huge = loss_of(p, 1.0, HUGE_REST), alone = loss_of(p, 1.0, 0.0);
    NumericalDerivative dh = bounded_derivative(&huge, true), da = bounded_derivative(&alone, true);
    Verdict right = bounded_verdict(p->exact, &dh), off = bounded_verdict(1.01 * p->exact, &dh);
    Verdict local = bounded_verdict(p->exact, &da);
    report_text(r,
                "An example: L(x) = f(x) + 1e15, f among 1e15 other terms. L is stored to ε·1e15 ≈ %.2g, and "
                "the best step the checker found (h = %.1e) leaves a bound of %.2g against |f′(x)| = %.2g. "
                "The right gradient gets %s, and one 1%% off gets %s.",
                DBL_EPSILON * HUGE_REST, dh.step, dh.bound, fabs(p->exact), verdict_name(right),
                verdict_name(off));
    NumericalDerivative dc = complex_derivative(&huge, p->fn->fc); // the rescue: no subtraction at all
    Verdict c_right = bounded_verdict(p->exact, &dc), c_off = bounded_verdict(1.01 * p->exact, &dc);
    char tried[200];
    describe_attempts(tried, sizeof tried, &huge, &dh);
    report_text(r,
                "What would help: differencing only the terms x touches (a local loss: here L − 1e15 = f, with "
                "bound %.1e and verdict %s); a larger step where the loss is smooth (the checker may grow a "
                "step up to %g·max(1, |x|); %s); or a second method that subtracts nothing. The complex step "
                "of 0.2, Im L(x + ih)/h, with L in complex arithmetic: 1e15 has no imaginary part, so on the "
                "same L it gives %.17g with bound %.1e (h = %.0e): the right gradient gets %s, the 1%%-off one "
                "%s. The chapters use it where central differences cannot decide.",
                da.bound, verdict_name(local), CHECKER_STEP_MAX_REL, tried, dc.value, dc.bound, dc.step,
                verdict_name(c_right), verdict_name(c_off));
    char detail[240];
    snprintf(detail, sizeof detail, "L = f(x) + 1e15: bound %.1e at h = %.1e; right gradient %s, 1%% off %s; "
             "with the 1e15 left out: bound %.1e, %s; by the complex step: bound %.1e, %s", dh.bound, dh.step,
             verdict_name(right), verdict_name(off), da.bound, verdict_name(local), dc.bound, verdict_name(c_right));
    report_demonstration(r, "inconclusive next to a rest of 1e15", detail);
    report_text(r, "A chapter's exit status says which: 0 when every check passed, 1 when a check failed (or an "
                   "--answer was wrong), 3 when none failed but one was inconclusive, 2 for bad input, and 4 "
                   "when the output could not be written.");
}

// The float row of 0.9: |D − f′| for each method at h = 1e-6, every
// operation in float; *best_h and *best_err: float's own best central step.
static void float_errors(const Problem *p, double *ef, double *best_h, double *best_err) {
    float xf = (float)p->x, hf = (float)OLD_STEP;
    double exact = p->fn->df((double)xf, p->ctx);
    ef[FD_FORWARD] = fabs(fd_forward_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_CENTRAL] = fabs(fd_central_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_FIVE_POINT] = fabs(fd_five_point_float(p->fn->ff, p->ctx, xf, hf) - exact);
    ef[FD_COMPLEX_STEP] = fabs(fd_complex_step_float(p->fn->ffc, p->ctx, xf, hf) - exact);
    *best_err = INFINITY, *best_h = 0.0;
    for (int i = 0; i < 8; i++) {
        float h = (float)wb_pow(10.0, -(i + 1));
        if (p->fn->domain_lo > -INFINITY && xf - h <= (float)p->fn->domain_lo) continue;
        double e = fabs(fd_central_float(p->fn->ff, p->ctx, xf, h) - exact);
        if (e < *best_err) *best_err = e, *best_h = h;
    }
}

static void section_0_9_float(Report *r, const Problem *p) {
    report_heading(r, "0.9 Why double precision");
    double ef[FD_N_METHODS], ed[FD_N_METHODS], best_h, best_err;
    float_errors(p, ef, &best_h, &best_err);
    bool have_d[FD_N_METHODS], have_f[FD_N_METHODS];
    for (int m = 0; m < FD_N_METHODS; m++) {
        double v = 0.0;
        have_d[m] = estimate(p, (FdMethod)m, OLD_STEP, false, &v);
        ed[m] = have_d[m] ? fabs(v - p->exact) : 0.0;
        have_f[m] = isfinite(ef[m]);
    }
    report_text(r,
                "The row h = %g of the table, with every operation in float (ε = %.2g instead of %.2g):",
                OLD_STEP, (double)FLT_EPSILON, DBL_EPSILON);
    const char *headers[] = {"precision", "forward", "central", "5-point", "complex step"};
    report_table_begin(r, 5, headers);
    for (int k = 0; k < 2; k++) {
        char c[4][32];
        for (int m = 0; m < FD_N_METHODS; m++)
            (k ? have_f[m] : have_d[m]) ? fmt_err(c[m], sizeof c[m], k ? ef[m] : ed[m])
                                        : (void)snprintf(c[m], sizeof c[m], "-");
        const char *row[] = {k ? "float" : "double", c[0], c[1], c[2], c[3]};
        report_table_row(r, row);
    }
    report_table_end(r);
    StrBuf json = {0};
    char num[40];
    format_json_number(num, sizeof num, OLD_STEP, "h");
    sb_printf(&json, "{\"h\": %s", num);
    json_method_values(&json, have_f, ef, "the float row", true);
    sb_puts(&json, "}");
    report_json_raw(r, "float_row", sb_str(&json));
    sb_free(&json);
    double exact = p->fn->df((double)(float)p->x, p->ctx);
    if (isfinite(best_err))
        report_text(r,
                    "In float the round-off term ε·|f|/h is %.0e times larger: at h = %g the central difference "
                    "has relative error %.1e instead of %.1e. Even at float's own best step (h = %.0e here) it "
                    "is %.1e, against the workbook's tolerance %g: a float check must loosen its tolerance "
                    "until mistakes of that size pass unnoticed. The complex step is limited only by the "
                    "precision of f itself (%.1e).",
                    (double)FLT_EPSILON / DBL_EPSILON, OLD_STEP, rel_error(exact, exact + ef[FD_CENTRAL]),
                    rel_error(p->exact, p->exact + ed[FD_CENTRAL]), best_h, rel_error(exact, exact + best_err),
                    GRADCHECK_REL_TOL, ef[FD_COMPLEX_STEP]);
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
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS),
        .notes = "Example: chapter0 --function log --at 0.001",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    int which = function_text ? option_choice("--function", function_text, FUNCTION_CHOICES) : FUNCTION_BCE;
    double x = at_text ? option_number("--at", at_text) : DEFAULT_AT;
    function_validate_point(which, x);
    const double y = EXAMPLE_Y;
    const Function *fn = &FUNCTIONS[which];
    Problem p = {fn, which == FUNCTION_BCE ? (const void *)&y : NULL, x, fn->df(x, &y), (Bug)opt.bug_id};
    Row rows[N_ROWS];
    Best best[FD_N_METHODS];
    measure(&p, rows, best);

    Report r;
    report_init(&r, &opt, spec.title);
    report_json_string(&r, "function", fn->name);
    section_0_1_function(&r, &p, which == FUNCTION_BCE && !at_text);
    section_0_2_methods(&r);
    section_0_3_table(&r, &p, rows);
    section_0_4_v(&r, &p, rows, best);
    section_0_5_relative(&r, &p);
    section_0_6_fixed_floor(&r, &p);
    section_0_7_bound(&r, &p);
    section_0_8_verdicts(&r, &p);
    section_0_9_float(&r, &p);
    section_0_10_kinks(&r);
    section_0_11_graphs(&r, which == FUNCTION_BCE && !at_text, x);
    section_0_12_checklist(&r);
    if (opt.plot_dir) write_plot_data(opt.plot_dir, &p, rows);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}
