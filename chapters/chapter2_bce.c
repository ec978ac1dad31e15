// Chapter 2: the derivative of binary cross-entropy.
//
// Follows the article's "Derivative of Binary Cross Entropy": the loss
// L(y, ŷ) = −(1/n) Σ [y log ŷ + (1 − y) log(1 − ŷ)] and its eq. (1),
// ∂L/∂ŷ_i = −(1/n)(y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i)), derived with numbers and
// checked by error-bounded finite differences; then the step the article
// skips, the chain through the sigmoid, ∂L/∂z_i = (ŷ_i − y_i)/n; and what
// happens as ŷ approaches 0 or 1, in float64 and in PyTorch's float32.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "chapter2_bce.h"
#include "chapter2_cstep.h"
#include "chapter2_formula.h"
#include "chapter2_identity.h"
#include "chapter2_saturation.h"
#include "example.h"
#include "check_block.h"
#include "cstep.h"
#include "gradcheck.h"
#include "loss.h"
#include "mathfn.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "report_block.h"
#include "strbuf.h"
#include "tensor.h"

// Entries of eq. (1) are checked where a step in ŷ has room: the first step
// is 6e-6, and Richardson's halving and shrinking stay well inside (0,1).
#define YHAT_CHECK_MARGIN 1e-4
// A gradient entry passes when |a − n| ≤ rtol·max(|a|,|n|) + its bound; the
// bound carries the round-off, so rtol only absorbs the last digits.
#define CHECK_RTOL 1e-9
// Entries written out term by term; beyond this only the results are shown.
#define MAX_WRITTEN 6
// The second output of the default example: a logit of 1 (ŷ = 0.73) for a
// label-0 example, so that both terms of the loss appear.
#define DEFAULT_Z2 1.0

static const BugInfo BUGS[] = {
    {"sign", "eq. (1) with its leading minus dropped"},
    {"no-mean", "the 1/n forgotten in the gradient (the loss is still the mean)"},
    {"skip-sigmoid", "∂L/∂ŷ used where ∂L/∂z is needed (the sigmoid's derivative skipped)"},
};

// ---------------------------------------------------------------- gradients

// Article eq. (1): ∂L/∂ŷ_i = −(1/n)(y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i)).
static void grad_yhat(double *d, const double *y, const double *yhat, int n) { bce_grad_yhat(d, y, yhat, n); }

// Bug "sign": eq. (1) with its leading minus dropped.
static void grad_yhat_sign(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++) d[i] = (y[i] / yhat[i] - (1.0 - y[i]) / (1.0 - yhat[i])) / n;
}

// Bug "no-mean": eq. (1) without the 1/n, while the loss stays the mean.
static void grad_yhat_no_mean(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++) d[i] = -(y[i] / yhat[i] - (1.0 - y[i]) / (1.0 - yhat[i]));
}

// ∂L/∂ŷ as this run computes it (--bug).
void grad_yhat_chosen(double *d, const double *y, const double *yhat, int n, int bug_id) {
    switch ((Bug)bug_id) {
    case BUG_NONE:
    case BUG_SKIP_SIGMOID: grad_yhat(d, y, yhat, n); return;
    case BUG_SIGN: grad_yhat_sign(d, y, yhat, n); return;
    case BUG_NO_MEAN: grad_yhat_no_mean(d, y, yhat, n); return;
    }
}

// ∂L/∂z_i = ∂L/∂ŷ_i · σ′(z_i) = (ŷ_i − y_i)/n.
static void grad_z(double *d, const double *y, const double *z, int n) { bce_grad_logits(d, y, z, n); }

// Bug "no-mean" on the logit side: ŷ − y.
static void grad_z_no_mean(double *d, const double *y, const double *z, int n) {
    bce_grad_logits(d, y, z, n);
    for (int i = 0; i < n; i++) d[i] *= n;
}

// Bug "skip-sigmoid": eq. (1)'s ∂L/∂ŷ passed on as if it were ∂L/∂z.
static void grad_z_skip_sigmoid(double *d, const double *dl_dyhat, int n) {
    for (int i = 0; i < n; i++) {
        if (!isfinite(dl_dyhat[i]))
            usage_error("--bug skip-sigmoid: ∂L/∂ŷ is not finite for these inputs, so it cannot stand in for "
                        "∂L/∂z; choose predictions further from 0 and 1");
        d[i] = dl_dyhat[i];
    }
}

// ∂L/∂z as this run computes it (--bug); dl_dyhat is this run's ∂L/∂ŷ.
void grad_z_chosen(double *d, const double *y, const double *z, const double *dl_dyhat, int n, int bug_id) {
    switch ((Bug)bug_id) {
    case BUG_NONE:
    case BUG_SIGN: grad_z(d, y, z, n); return;
    case BUG_NO_MEAN: grad_z_no_mean(d, y, z, n); return;
    case BUG_SKIP_SIGMOID: grad_z_skip_sigmoid(d, dl_dyhat, n); return;
    }
}

// ---------------------------------------------------------------- the data

static double logit(double p) { return wb_log(p) - wb_log1p(-p); }

double yhat_margin(double yhat) { return fmin(yhat, 1.0 - yhat); }

// ---------------------------------------------------------------- the losses, entry by entry

// 1 − ŷ rounds by up to ε/2 unless ŷ ≥ 1/2 (Sterbenz): through the log that
// is ε/(2(1 − ŷ)), which the term's own size does not show (log(1 − 1e-4)
// is 1e-4, its rounding 1e-16). Added to the magnitudes bce_term reports.
static double yhat_term(void *ctx, int e, double *scale) {
    const TermLoss *t = ctx;
    double y = t->y[t->idx ? t->idx[e] : e], p = t->v[e], v = bce_term(y, p, scale) / t->n;
    *scale = (*scale + (p < 0.5 ? (1.0 - y) / (1.0 - p) : 0.0)) / t->n;
    return v;
}

// Entry e's term of the logit form (src/layers/loss.c), with its parts' sizes.
static double z_term(void *ctx, int e, double *scale) {
    const TermLoss *t = ctx;
    double v = bce_logits_term(t->y[t->idx ? t->idx[e] : e], t->v[e], scale) / t->n;
    *scale /= t->n;
    return v;
}

// The whole loss over the checked entries is the sum of their terms; the
// checker never needs it here (it has `local`), but an Objective names both.
static double sum_of_terms(double (*term)(void *, int, double *), TermLoss *t, double *scale) {
    double sum = 0.0, s;
    *scale = 0.0;
    for (int e = 0; e < t->m; e++) sum += term(t, e, &s), *scale += s;
    return sum;
}
static double yhat_whole(void *ctx, double *scale) { return sum_of_terms(yhat_term, ctx, scale); }
static double z_whole(void *ctx, double *scale) { return sum_of_terms(z_term, ctx, scale); }

// ---------------------------------------------------------------- formatting

static void fmt(char *buf, size_t len, double v) { format_number(buf, len, v, "the loss"); }

// ŷ near 1 shown as "1 − 2.2e-16" so that its distance to 1 stays visible.
static void fmt_yhat(char *buf, size_t len, double v) {
    if (v == 1.0 || v == 0.0 || v <= 0.999)
        snprintf(buf, len, v == 1.0 ? "1 (rounded)" : v == 0.0 ? "0 (underflow)" : "%.6g", v);
    else
        snprintf(buf, len, "1 − %.2g", 1.0 - v);
}

// A number in parentheses when negative, so "0·(-3)" never reads as a subtraction.
static void fmt_factor(char *buf, size_t len, double v) {
    char s[40];
    fmt(s, sizeof s, v);
    snprintf(buf, len, v < 0 ? "(%s)" : "%s", s);
}

// ---------------------------------------------------------------- plot data

// L and ∂L/∂ŷ for one output (n = 1).
static double loss1(double y, double yhat) { return bce_loss(&y, &yhat, 1); }
static double dloss1(double y, double yhat) {
    double d;
    bce_grad_yhat(&d, &y, &yhat, 1);
    return d;
}

// The error-bounded numerical derivative of loss1 in ŷ (the plot's points).
static double dloss1_numerical(double y, double yhat) {
    TermLoss t = {&y, &yhat, NULL, 1, 1};
    Objective obj = {yhat_whole, yhat_term, &t};
    NumericalDerivative d;
    numerical_gradient_bounded(&d, &yhat, 1, &obj);
    return d.value;
}

// Writes a value, or "-" (gnuplot's missing point) when it is not finite or
// not positive for a log-scale axis.
static void put(FILE *f, double v, bool log_axis) {
    fprintf(f, !isfinite(v) || (log_axis && v <= 0) ? " -" : " %.17g", v);
}

static void write_plot_data(const char *dir) {
    FILE *f = plot_file_open(dir, "chapter2_curves.dat");
    fputs("# yhat  L(y=0)  L(y=1)  dL/dyhat(y=0)  dL/dyhat(y=1)   (n = 1, eq. 1)\n", f);
    for (int k = 1; k < 500; k++) {
        double v = k / 500.0;
        fprintf(f, "%.17g", v);
        put(f, loss1(0, v), false), put(f, loss1(1, v), false), put(f, dloss1(0, v), false);
        put(f, dloss1(1, v), false), fputc('\n', f);
    }
    plot_file_close(f, dir, "chapter2_curves.dat");
    f = plot_file_open(dir, "chapter2_points.dat");
    fputs("# yhat  L(y=0)  L(y=1)  central difference dL/dyhat(y=0)  (y=1)\n", f);
    for (int k = 1; k < 20; k++) {
        double v = k / 20.0;
        fprintf(f, "%.17g", v);
        put(f, loss1(0, v), false), put(f, loss1(1, v), false);
        put(f, dloss1_numerical(0, v), false), put(f, dloss1_numerical(1, v), false);
        fputc('\n', f);
    }
    plot_file_close(f, dir, "chapter2_points.dat");
    f = plot_file_open(dir, "chapter2_logit.dat");
    fputs("# z  L article form on yhat = sigmoid(z)  L logit form   (y = 0, n = 1; '-' = not finite or 0)\n", f);
    for (int k = -100; k <= 100; k++) {
        double z = k * 0.5, y = 0.0, yhat = sigmoid(z);
        fprintf(f, "%.17g", z);
        put(f, bce_loss(&y, &yhat, 1), true), put(f, bce_loss_logits(&y, &z, 1), true);
        fputc('\n', f);
    }
    plot_file_close(f, dir, "chapter2_logit.dat");
}

// ---------------------------------------------------------------- 2.1 the loss

// "ŷ[0] = 1/(1 + e^-0.5) = 1/(1 + 0.606531) = 0.622459" for the first entries.
static void write_sigmoids(Report *r, const Data *d) {
    StrBuf lines = {0};
    for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
        char e[40], p[40], zs[40];
        fmt_yhat(p, sizeof p, d->yhat.data[i]);
        fmt_factor(zs, sizeof zs, d->z.data[i]);
        double ez = wb_exp(-d->z.data[i]);
        if (isfinite(ez)) {
            fmt(e, sizeof e, ez);
            sb_printf(&lines, "ŷ[%d] = 1/(1 + e^-%s) = 1/(1 + %s) = %s\n", i, zs, e, p);
        } else {
            sb_printf(&lines, "ŷ[%d] = 1/(1 + e^-%s): e^-%s overflows, ŷ = %s\n", i, zs, zs, p);
        }
    }
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
}

// Each output's term, then the mean with the minus sign; returns false when
// a term is log 0 (ŷ rounded to 0 or 1), and then leaves the mean out.
static bool write_loss_terms(Report *r, const Data *d) {
    double sum = 0.0;
    bool finite = true;
    StrBuf lines = {0};
    for (int i = 0; i < d->n; i++) {
        double y = d->y.data[i], p = d->yhat.data[i], scale, t = -bce_term(y, p, &scale);
        if (!isfinite(t)) {
            finite = false;
            if (i < MAX_WRITTEN)
                sb_printf(&lines, "i = %d: ŷ rounds to %s, and log 0 has no finite value\n", i, p == 0.0 ? "0" : "1");
            continue;
        }
        sum += t;
        if (i >= MAX_WRITTEN) continue;
        char ys[40], ps[40], qs[40], y0[40], ts[40];
        fmt(ys, sizeof ys, y), fmt(ps, sizeof ps, p), fmt(qs, sizeof qs, 1.0 - p), fmt(y0, sizeof y0, 1.0 - y);
        fmt(ts, sizeof ts, t);
        sb_printf(&lines, "i = %d: %s·log(%s) + %s·log(%s) = %s\n", i, ys, ps, y0, qs, ts);
    }
    if (d->n > MAX_WRITTEN) sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    if (finite) {
        char ss[40], ls[40];
        fmt_factor(ss, sizeof ss, sum);
        fmt(ls, sizeof ls, -sum / d->n);
        sb_printf(&lines, "L = -(1/%d)·%s = %s", d->n, ss, ls);
    }
    report_text(r, "Each output's term y log ŷ + (1 - y) log(1 - ŷ), then the mean with the minus sign:");
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    return finite;
}

static void section_2_1_loss(Report *r, const Data *d, bool is_default) {
    report_heading(r, "2.1 The loss");
    report_text(r, "The article measures a prediction ŷ ∈ (0,1) against a label y ∈ {0,1} with the binary "
                   "cross-entropy, averaged over the n outputs:");
    report_equation(r, "L(y, ŷ) = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]",
                    "L(y, \\hat{y}) = -\\frac{1}{n} \\sum_{i=1}^{n} \\left[ y_i \\log \\hat{y}_i + (1 - y_i) "
                    "\\log(1 - \\hat{y}_i) \\right]");
    double pv = sigmoid(DEFAULT_Z2);
    report_erratum(r, "the article prints it without the bracket, −(1/n) Σ (y_i) log(ŷ_i) + (1−y_i) log(1−ŷ_i), "
                      "which read as written puts the minus sign and the sum on the first term only. For one "
                      "output with y = 0 and ŷ = %.6g that reading gives %.6g, a negative \"loss\"; the bracketed "
                      "form above gives %.6g, and it is the one eq. (1) differentiates.",
                   pv, wb_log1p(-pv), loss1(0.0, pv));
    report_text(r, "Why this loss: if the model says the label is 1 with probability ŷ, the probability of the "
                   "label actually seen is ŷ^y (1 − ŷ)^(1−y), and the bracket is its logarithm. BCE is the "
                   "negative log-likelihood of a Bernoulli label; minimising it is maximum likelihood. The 1/n "
                   "makes it the mean over the n predictions: the n examples of a batch for a single-output "
                   "model, or all outputs of all examples when there are several, PyTorch's default "
                   "reduction='mean'; reduction='sum' drops the 1/n.");
    report_text(r, "For y = 1 only the first term is left, −log ŷ: zero when ŷ = 1, growing without bound as "
                   "ŷ → 0. For y = 0 only the second, −log(1 − ŷ). A label between 0 and 1 (a soft label) mixes "
                   "the two.");
    if (is_default)
        report_text(r, "The worked example continues the running example: output 0 is chapter 3's prediction, "
                       "z = 0.05·29 − 0.03·35 + 0.1 = 0.5 from the pooled [29 35], with label y = 1. Output 1 is "
                       "a second prediction, z = %g for a label-0 example, so that both terms appear (n = 2).",
                    DEFAULT_Z2);
    report_quantity(r, "y", "y", &d->y);
    report_quantity(r, "z", "z", &d->z);
    if (d->from_z) {
        report_text(r, "The predictions are the sigmoid of the logits, ŷ_i = σ(z_i) = 1/(1 + e^−z_i):");
        write_sigmoids(r, d);
    } else {
        report_text(r, "The logits are what a network's last layer would have produced: z_i = logit(ŷ_i) = "
                       "log(ŷ_i/(1 − ŷ_i)), so that σ(z_i) = ŷ_i.");
    }
    report_quantity(r, "yhat", "ŷ", &d->yhat);
    if (!write_loss_terms(r, d)) {
        report_text(r, "The article's form breaks down here: a prediction has rounded to exactly 0 or 1, and "
                       "the log of 0 has no finite value (section 2.4). The same loss in logit form, computed from z "
                       "without ever forming ŷ, is finite:");
        report_equation(r, "L = (1/n) Σ_i [ softplus(z_i) − y_i z_i ],   softplus(z) = log(1 + e^z)",
                        "L = \\frac{1}{n} \\sum_i \\left[ \\mathrm{softplus}(z_i) - y_i z_i \\right]");
    }
    report_scalar(r, "loss", "L", d->from_z ? bce_loss_logits(d->y.data, d->z.data, d->n)
                                            : bce_loss(d->y.data, d->yhat.data, d->n));
}

// ---------------------------------------------------------------- 2.2 eq. (1)

static void write_eq1_lines(Report *r, const Data *d, const Tensor *dyhat, int bug_id) {
    StrBuf lines = {0};
    char front[40]; // the factor in front of the bracket, as this run computes it
    snprintf(front, sizeof front, bug_id == BUG_SIGN ? "(1/%d)·" : bug_id == BUG_NO_MEAN ? "-" : "-(1/%d)·", d->n);
    for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
        char ys[40], ps[40], y0[40], qs[40], ds[60];
        fmt(ys, sizeof ys, d->y.data[i]), fmt(ps, sizeof ps, d->yhat.data[i]);
        fmt(y0, sizeof y0, 1.0 - d->y.data[i]), fmt(qs, sizeof qs, 1.0 - d->yhat.data[i]);
        if (isfinite(dyhat->data[i]))
            fmt(ds, sizeof ds, dyhat->data[i]);
        else
            snprintf(ds, sizeof ds, "%s", not_finite_why(d->y.data[i], d->yhat.data[i]));
        sb_printf(&lines, "∂L/∂ŷ[%d] = %s(%s/%s - %s/%s) = %s\n", i, front, ys, ps, y0, qs, ds);
    }
    if (d->n > MAX_WRITTEN) sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
}

// ∂L/∂ŷ as a quantity; entries beyond double precision are null in JSON.
static void report_dyhat(Report *r, const Data *d, const Tensor *dyhat) {
    if (tensor_all_finite(dyhat)) {
        report_quantity(r, "dL_dyhat", "∂L/∂ŷ", dyhat);
        return;
    }
    StrBuf json = {0};
    char num[40];
    sb_putc(&json, '[');
    for (int i = 0; i < d->n; i++) {
        snprintf(num, sizeof num, "null");
        if (isfinite(dyhat->data[i])) format_json_number(num, sizeof num, dyhat->data[i], "∂L/∂ŷ");
        sb_printf(&json, "%s%s", i ? ", " : "", num);
    }
    sb_putc(&json, ']');
    report_json_raw(r, "dL_dyhat", sb_str(&json));
    sb_free(&json);
    report_text(r, "Some entries of ∂L/∂ŷ are beyond double precision (about 1/(1 − ŷ) with 1 − ŷ below 1e-308, "
                   "or exactly 1/0 after ŷ rounded): the derivative in ŷ is not representable there. ∂L/∂z below "
                   "is.");
}

// Eq. (1) against error-bounded central differences of each entry's own
// term of L(ŷ), where ŷ has room for a step.
static void check_eq1(Report *r, const Data *d, const Tensor *dyhat) {
    int *idx = calloc((size_t)d->n, sizeof *idx), m = 0;
    if (!idx) usage_error("--y: out of memory for %d entries", d->n);
    for (int i = 0; i < d->n; i++)
        if (yhat_margin(d->yhat.data[i]) >= YHAT_CHECK_MARGIN && isfinite(dyhat->data[i])) idx[m++] = i;
    report_text(r, "Checked against central differences of L(ŷ), entry by entry, each from its own term of the "
                   "sum (an infinite term elsewhere cannot spoil it), with an error bound on each difference.");
    if (m < d->n)
        report_text(r, "%d entr%s with ŷ within %g of 0 or 1 left out: no step in ŷ fits there; the check in z "
                       "(section 2.3) covers them.%s",
                    d->n - m, d->n - m == 1 ? "y" : "ies", YHAT_CHECK_MARGIN,
                    m ? " The table numbers the remaining entries from 0." : "");
    if (m > 0) {
        Tensor a = tensor_alloc(1, 1, m), v = tensor_alloc(1, 1, m);
        for (int k = 0; k < m; k++) a.data[k] = dyhat->data[idx[k]], v.data[k] = d->yhat.data[idx[k]];
        TermLoss t = {d->y.data, v.data, idx, m, d->n};
        ComplexRescue rescue = {{yhat_term_complex, &t}, v.data, false, CHECK_RTOL};
        BlockSpec spec = {.param = v.data,
                          .analytic = a.data,
                          .n = m,
                          .obj = {yhat_whole, yhat_term, &t},
                          .shape = LOSS_WITH_KINKS, // log's domain ends at 0 and 1: steps only shrink
                          .ops_per_eval = 1.0,      // one term
                          .carry_steps = true,
                          .second = complex_step_second,
                          .second_ctx = &rescue,
                          .rtol = CHECK_RTOL}; // ops: never near the budget, so never sampled
        check_block(r, "∂L/∂ŷ, eq. (1)", &spec, &a);
        tensor_free(&a), tensor_free(&v);
    }
    free(idx);
}

static void section_2_2_derivative(Report *r, const Data *d, const Tensor *dyhat, int bug_id) {
    report_heading(r, "2.2 The derivative, eq. (1)");
    report_text(r, "Only the i-th term of the sum depends on ŷ_i. With d/dp log p = 1/p and d/dp log(1 − p) = "
                   "−1/(1 − p):");
    report_equation(r, "∂L/∂ŷ_i = −(1/n) [ y_i · 1/ŷ_i + (1 − y_i) · (−1/(1 − ŷ_i)) ]\n"
                       "            = −(1/n) ( y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i) )                 (1)",
                    "\\frac{\\partial L}{\\partial \\hat{y}_i} = -\\frac{1}{n}\\left[ \\frac{y_i}{\\hat{y}_i} + "
                    "(1-y_i)\\frac{-1}{1-\\hat{y}_i} \\right] = -\\frac{1}{n}\\left( \\frac{y_i}{\\hat{y}_i} - "
                    "\\frac{1-y_i}{1-\\hat{y}_i} \\right) \\qquad (1)");
    report_erratum(r, "the article's middle line, ∂/∂ŷ_i(−(1/n) y_i log ŷ_i) + ∂/∂ŷ_i((1 − y_i) log(1 − ŷ_i)), "
                      "loses the −1/n on the second term; its final line, eq. (1), has it back and is right, "
                      "as the check below confirms.");
    write_eq1_lines(r, d, dyhat, bug_id);
    if (bug_id == BUG_SIGN) report_text(r, "--bug sign: the lines above compute eq. (1) without its leading minus.");
    if (bug_id == BUG_NO_MEAN)
        report_text(r, "--bug no-mean: the lines above compute eq. (1) without the 1/n (the loss is still the "
                       "mean)%s.",
                    d->n == 1 ? " (with n = 1 that changes nothing, and no check can see it: give two or more "
                                "outputs)"
                              : "");
    report_dyhat(r, d, dyhat);
    check_eq1(r, d, dyhat);
}

// ---------------------------------------------------------------- 2.3 the chain

// The product form with this run's ∂L/∂ŷ, then the closed form this run
// uses ((ŷ − y)/n, or ŷ − y under --bug no-mean); "≠" where they differ.
static void write_chain_lines(Report *r, const Data *d, const Tensor *dyhat, int bug_id) {
    StrBuf lines = {0};
    bool no_mean = bug_id == BUG_NO_MEAN;
    char over[16] = "";
    if (!no_mean) snprintf(over, sizeof over, "/%d", d->n);
    for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
        double p = d->yhat.data[i], closed = (p - d->y.data[i]) / (no_mean ? 1 : d->n);
        char a[40], b[40], c[40], e[40], ps[40], ys[40], res[40];
        fmt(ps, sizeof ps, p), fmt(ys, sizeof ys, d->y.data[i]);
        fmt(res, sizeof res, closed);
        if (isfinite(dyhat->data[i])) {
            double prod = dyhat->data[i] * p * (1.0 - p);
            const char *rel = fabs(prod - closed) <= CHAIN_REL_TOL * fmax(fabs(prod), fabs(closed)) ? "=" : "≠";
            fmt_factor(a, sizeof a, dyhat->data[i]), fmt(b, sizeof b, p), fmt(c, sizeof c, 1.0 - p);
            fmt(e, sizeof e, prod);
            sb_printf(&lines, "∂L/∂z[%d] = %s·%s·%s = %s\n          %s (%s - %s)%s = %s\n", i, a, b, c, e, rel, ps,
                      ys, over, res);
        } else {
            sb_printf(&lines, "∂L/∂z[%d] = (%s - %s)%s = %s\n          (∂L/∂ŷ is not finite: no product form)\n",
                      i, ps, ys, over, res);
        }
    }
    if (d->n > MAX_WRITTEN) sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
}

// ∂L/∂z against error-bounded central differences of each entry's term of
// the logit form (finite for every z).
static void check_dz(Report *r, const Data *d, const Tensor *dz) {
    Tensor v = tensor_clone(&d->z);
    TermLoss t = {d->y.data, v.data, NULL, d->n, d->n};
    ComplexRescue rescue = {{z_term_complex, &t}, v.data, false, CHECK_RTOL};
    BlockSpec spec = {.param = v.data,
                      .analytic = dz->data,
                      .n = d->n,
                      .obj = {z_whole, z_term, &t},
                      .shape = LOSS_SMOOTH, // the logit form is smooth in z
                      .ops_per_eval = 1.0,  // one term
                      .carry_steps = true,
                      .second = complex_step_second,
                      .second_ctx = &rescue,
                      .rtol = CHECK_RTOL}; // ops: never near the budget, so never sampled
    check_block(r, "∂L/∂z", &spec, dz);
    tensor_free(&v);
}

static void section_2_3_chain(Report *r, const Data *d, const Tensor *dyhat, const Tensor *dz, int bug_id) {
    report_heading(r, "2.3 The chain through the sigmoid (the step the article skips)");
    report_erratum(r, "the article goes from eq. (1) straight to the weights, using ∂ŷ_i/∂w_ij = x_j, i.e. "
                      "ŷ = x·w + b with no activation. But eq. (1) needs ŷ ∈ (0,1): ŷ is σ(z) of the layer's "
                      "output z, and the sigmoid's derivative has to be multiplied in (chapter 3 shows what its "
                      "absence costs in ∂L/∂W).");
    report_text(r, "The sigmoid's derivative is itself simple:");
    report_equation(r, "σ(z) = 1/(1 + e^−z)  ⇒  σ′(z) = e^−z/(1 + e^−z)² = σ(z)(1 − σ(z))",
                    "\\sigma(z) = \\frac{1}{1+e^{-z}} \\;\\Rightarrow\\; \\sigma'(z) = \\frac{e^{-z}}{(1+e^{-z})^2} "
                    "= \\sigma(z)\\,(1-\\sigma(z)) = \\hat{y}(1-\\hat{y})");
    report_text(r, "Multiply it into eq. (1) and the denominators cancel:");
    report_equation(r, "∂L/∂z_i = ∂L/∂ŷ_i · ŷ_i(1 − ŷ_i) = −(1/n)[ y_i(1 − ŷ_i) − (1 − y_i)ŷ_i ]\n"
                       "            = −(1/n)[ y_i − ŷ_i ] = (ŷ_i − y_i)/n",
                    "\\frac{\\partial L}{\\partial z_i} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\,"
                    "\\hat{y}_i(1-\\hat{y}_i) = -\\frac{1}{n}\\left[ y_i(1-\\hat{y}_i) - (1-y_i)\\hat{y}_i "
                    "\\right] = \\frac{\\hat{y}_i - y_i}{n}");
    report_text(r, "The prediction minus the label, over n: bounded by 1/n whatever z is, even where ∂L/∂ŷ is "
                   "huge, because σ′(z) is then tiny by the same factor. That is no accident: z is the log-odds, "
                   "the natural parameter of the Bernoulli distribution, and for such a pairing (the canonical "
                   "link) the negative log-likelihood's derivative in it is always mean minus observation. With "
                   "the numbers:");
    write_chain_lines(r, d, dyhat, bug_id);
    if (bug_id == BUG_SIGN)
        report_text(r, "--bug sign: the product takes the sign-flipped ∂L/∂ŷ of 2.2, so it is not (ŷ − y)/n.");
    if (bug_id == BUG_NO_MEAN)
        report_text(r, "--bug no-mean: both forms above lack the 1/n.");
    report_text(r, "The code computes it as (1 − y)·σ(z) − y·σ(−z), the same number but accurate to the last "
                   "digit even when σ(z) has rounded to 1 (src/layers/loss.c).");
    if (bug_id == BUG_SKIP_SIGMOID)
        report_text(r, "--bug skip-sigmoid: ∂L/∂z below is eq. (1)'s ∂L/∂ŷ, the factor ŷ(1 − ŷ) skipped.");
    report_quantity(r, "dL_dz", "∂L/∂z", dz);
    report_verbatim(r, "Check a formula you derived:\n  build/chapter2 --formula 'dL_dz = (yhat - y) / n'");
    check_chain_identity(r, d, dyhat, dz);
    report_text(r, "And against central differences of each entry's term of the loss in logit form, L(z) = "
                   "(1/n) Σ [softplus(z_i) − y_i z_i]:");
    check_dz(r, d, dz);
}

// ---------------------------------------------------------------- 2.4 saturation

static const struct {
    double y, z;
} SATURATION_ROWS[] = {{1, -1}, {1, -10}, {1, -17}, {1, -30}, {1, -100}, {1, -700}, {1, -740}, {1, -800},
                       {0, 1},  {0, 10},  {0, 16},  {0, 17},  {0, 30},   {0, 36},   {0, 37},   {0, 40},  {0, 800}};

// float64: the loss three ways. Then the derivatives, and float32.
static void saturation_tables(Report *r) {
    const char *h1[] = {"y", "z", "ŷ = σ(z)", "L article", "L logit", "BCELoss"};
    const char *h2[] = {"y", "z", "eq. (1)", "∂L/∂z", "ŷ float32", "BCELoss float32"};
    for (int t = 0; t < 2; t++) {
        report_text(r, t == 0 ? "In float64 (torch.float64), the loss three ways:"
                              : "The two derivatives (float64), and PyTorch's default float32:");
        report_table_begin(r, 6, t == 0 ? h1 : h2);
        for (int k = 0; k < ARRAY_LEN(SATURATION_ROWS); k++) {
            double y = SATURATION_ROWS[k].y, z = SATURATION_ROWS[k].z, p = sigmoid(z), dz;
            bce_grad_logits(&dz, &y, &z, 1);
            char c[6][40];
            snprintf(c[0], sizeof c[0], "%g", y), snprintf(c[1], sizeof c[1], "%g", z);
            if (t == 0) {
                fmt_yhat(c[2], sizeof c[2], p);
                fmt_or(c[3], sizeof c[3], loss1(y, p), "log 0");
                fmt_or(c[4], sizeof c[4], bce_loss_logits(&y, &z, 1), "?");
                fmt_or(c[5], sizeof c[5], bce_term_clamped(y, p), "?");
            } else {
                fmt_or(c[2], sizeof c[2], dloss1(y, p), not_finite_why(y, p));
                fmt_or(c[3], sizeof c[3], dz, "?");
                float pf = sigmoid_float32((float)z);
                if (pf == 1.0f || pf == 0.0f)
                    snprintf(c[4], sizeof c[4], pf == 1.0f ? "1 (rounded)" : "0 (underflow)");
                else
                    snprintf(c[4], sizeof c[4], "%.6g", (double)pf);
                fmt_or(c[5], sizeof c[5], bce_term_clamped_float32((float)y, (float)z), "?");
            }
            const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5]};
            report_table_row(r, row);
        }
        report_table_end(r);
    }
}

static void section_2_4_saturation(Report *r) {
    report_heading(r, "2.4 Near 0 and 1: eq. (1) blows up, the logit form does not");
    report_text(r, "One output (n = 1) pushed towards the wrong end: y = 1 with ŷ → 0, then y = 0 with ŷ → 1. "
                   "The article's form computes ŷ = σ(z) first and then takes logs; the logit form never forms "
                   "ŷ. PyTorch's BCELoss is the article's form with each log clamped at −100.");
    saturation_tables(r);
    double y0 = 0, z30 = 30, p30 = sigmoid(30), exact30 = bce_loss_logits(&y0, &z30, 1);
    double rel30 = fabs(loss1(0, p30) - exact30) / fmax(loss1(0, p30), exact30);
    double exact_dy30 = 1.0 / sigmoid(-30), rel_dy30 = fabs(dloss1(0, p30) - exact_dy30) / fmax(dloss1(0, p30), exact_dy30);
    report_text(r, "Towards ŷ → 1 the article's form fails early: doubles are spaced 1.1e-16 apart just below 1, "
                   "so 1 − σ(z) keeps fewer and fewer digits, and in float64 σ(z) rounds to exactly 1 from z ≈ "
                   "%.2f. Already at z = 30 (y = 0) its loss is off by %.1e and eq. (1) by %.1e, as relative "
                   "differences |a − b|/max(|a|, |b|) from the exact values; from z ≈ %.0f on it is log 0. "
                   "Towards ŷ → 0 it lasts until ŷ underflows near z = −745 (with subnormal, imprecise ŷ on the "
                   "way). Eq. (1) itself is ±1/ŷ or 1/(1 − ŷ): it is genuinely beyond double precision once the "
                   "prediction is within 1e-308 of the wrong end, whatever the code does.",
                first_z_rounding_to_one(false), rel30, rel_dy30, first_z_rounding_to_one(false));
    report_text(r, "In float32, PyTorch's default dtype, floats are spaced 6.0e-8 apart below 1: σ(z) rounds to "
                   "1 from z ≈ %.2f, BCELoss gives %.6g at z = 16 where the exact loss is %.6g, and %.6g, the "
                   "clamp, already at z = 17. Everything said above about z ≈ 37 holds in float64 only.",
                first_z_rounding_to_one(true), bce_term_clamped_float32(0, 16), 16 + wb_log1p(wb_exp(-16.0)),
                bce_term_clamped_float32(0, 17));
    torch_pitfall(r);
}

// ---------------------------------------------------------------- input

// The default example (the running example's z = 0.5, y = 1, and z = 1, y = 0).
static Data default_data(void) {
    Data d = {.n = 2, .from_z = true, .y = tensor_alloc(1, 1, 2), .z = tensor_alloc(1, 1, 2)};
    d.y.data[0] = EXAMPLE_Y, d.y.data[1] = 0.0;
    d.z.data[0] = EXAMPLE_W[0] * EXAMPLE_POOLED[0] + EXAMPLE_W[1] * EXAMPLE_POOLED[1] + EXAMPLE_B;
    d.z.data[1] = DEFAULT_Z2;
    return d;
}

// y, z and ŷ from the options, all validated before anything is printed.
static Data data_from_options(const char *y_text, const char *yhat_text, const char *z_text) {
    if (yhat_text && z_text) usage_error("--z: give either --yhat or --z, not both");
    if (y_text && !yhat_text && !z_text) usage_error("--y: give the predictions too, with --yhat or --z");
    if (!y_text && (yhat_text || z_text)) usage_error("--y: give the labels for your %s", yhat_text ? "--yhat" : "--z");
    Data d = {0};
    if (!y_text) {
        d = default_data();
    } else {
        d.y = option_vector("--y", y_text);
        d.n = d.y.w;
        for (int i = 0; i < d.n; i++)
            if (d.y.data[i] < 0.0 || d.y.data[i] > 1.0)
                usage_error("--y: entry %d is %g; a label must lie in [0,1]", i, d.y.data[i]);
        const char *name = yhat_text ? "--yhat" : "--z";
        Tensor v = option_vector(name, yhat_text ? yhat_text : z_text);
        if (v.w != d.n) usage_error("%s: %d entries, but --y has %d; give one per output", name, v.w, d.n);
        d.from_z = !yhat_text;
        if (d.from_z) {
            d.z = v;
        } else {
            for (int i = 0; i < d.n; i++)
                if (!(v.data[i] > 0.0 && v.data[i] < 1.0))
                    usage_error("--yhat: entry %d is %g; a prediction must lie strictly inside (0,1), where its "
                                "log is finite (for a prediction at or beyond 0 or 1 give its logit with --z)",
                                i, v.data[i]);
            d.yhat = v;
            d.z = tensor_alloc(1, 1, d.n);
            for (int i = 0; i < d.n; i++) d.z.data[i] = logit(d.yhat.data[i]);
        }
    }
    if (d.from_z) d.yhat = tensor_alloc(1, 1, d.n);
    for (int i = 0; d.from_z && i < d.n; i++) d.yhat.data[i] = sigmoid(d.z.data[i]);
    return d;
}

int main(int argc, char **argv) {
    const char *y_text = NULL, *yhat_text = NULL, *z_text = NULL;
    const ChapterOption options[] = {
        {"--y", "V", "labels in [0,1], one per output (default: [1 0])", &y_text},
        {"--yhat", "V", "predictions strictly inside (0,1)", &yhat_text},
        {"--z", "V", "logits, ŷ = σ(z), instead of --yhat (default: [0.5 1])", &z_text},
    };
    const ChapterSpec spec = {
        .program = "chapter2",
        .title = "Chapter 2: the derivative of binary cross-entropy",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS), .formulas = true,
        .notes = "--formula checks a gradient formula you derived, e.g. --formula \"dL_dz = (yhat - y) / n\".\n"
                 "Examples: chapter2 --y \"1 0 1\" --yhat \"0.9 0.2 0.6\"\n"
                 "          chapter2 --y \"1 0\" --z \"1000 -1000\"",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    Data d = data_from_options(y_text, yhat_text, z_text);
    Tensor dyhat = tensor_alloc(1, 1, d.n), dz = tensor_alloc(1, 1, d.n);
    grad_yhat_chosen(dyhat.data, d.y.data, d.yhat.data, d.n, opt.bug_id);
    grad_z_chosen(dz.data, d.y.data, d.z.data, dyhat.data, d.n, opt.bug_id);
    FormulaSpec fs = formula_spec(&d, BUGS, (int)ARRAY_LEN(BUGS));
    Formula f[MAX_FORMULAS];
    formula_parse_options_or_exit(f, &fs, &opt);

    Report r;
    report_init(&r, &opt, spec.title);
    section_2_1_loss(&r, &d, !y_text);
    section_2_2_derivative(&r, &d, &dyhat, opt.bug_id);
    section_2_3_chain(&r, &d, &dyhat, &dz, opt.bug_id);
    section_2_4_saturation(&r);
    bool held = section_2_5_your_formulas(&r, &fs, f, &opt);
    if (opt.plot_dir) write_plot_data(opt.plot_dir);
    int status = formula_exit_status(report_finish(&r), held);
    formula_free_all(f, opt.n_formulas);
    Tensor *all[] = {&d.y, &d.z, &d.yhat, &dyhat, &dz};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
    options_free(&opt);
    return status;
}
