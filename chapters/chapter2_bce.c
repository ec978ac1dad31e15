// Chapter 2: the derivative of binary cross-entropy.
//
// Follows the article's "Derivative of Binary Cross Entropy": the loss
// L(y, ŷ) = −(1/n) Σ [y log ŷ + (1 − y) log(1 − ŷ)] and its eq. (1),
// ∂L/∂ŷ_i = −(1/n)(y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i)), derived with numbers and
// checked by finite differences; then the step the article skips, the chain
// through the sigmoid, ∂L/∂z_i = (ŷ_i − y_i)/n; and what happens as ŷ
// approaches 0 or 1, where eq. (1) blows up and the logit form does not.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "strbuf.h"
#include "tensor.h"

// A step in ŷ is h·min(ŷ, 1 − ŷ); below this margin ŷ has no room for one
// (ŷ = σ(z) may even have rounded to 0 or 1), and eq. (1) is left to the
// logit-space check.
#define YHAT_CHECK_MARGIN 1e-6
// ∂L/∂ŷ·ŷ(1 − ŷ) and (ŷ − y)/n differ by rounding in 1 − ŷ, at most
// ε/margin ≈ 2e-10 relative for entries kept by YHAT_CHECK_MARGIN.
#define CHAIN_REL_TOL 1e-9
// Entries written out term by term; beyond this only the results are shown.
#define MAX_WRITTEN 6
// PyTorch's BCELoss clamps each log at this value.
#define TORCH_LOG_CLAMP -100.0
// The second output of the default example: a logit of 1 (ŷ = 0.73) for a
// label-0 example, so that both terms of the loss appear.
#define DEFAULT_Z2 1.0

// ---------------------------------------------------------------- gradients

// Article eq. (1): ∂L/∂ŷ_i = −(1/n)(y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i)).
static void grad_yhat(double *d, const double *y, const double *yhat, int n) { bce_grad_yhat(d, y, yhat, n); }

// Bug "sign": eq. (1) with its leading minus dropped.
static void grad_yhat_sign(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++)
        d[i] = (y[i] / yhat[i] - (1.0 - y[i]) / (1.0 - yhat[i])) / n;
}

// Bug "no-mean": eq. (1) without the 1/n, as if the loss were summed.
static void grad_yhat_no_mean(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++)
        d[i] = -(y[i] / yhat[i] - (1.0 - y[i]) / (1.0 - yhat[i]));
}

// ∂L/∂z_i = ∂L/∂ŷ_i · σ′(z_i) = (ŷ_i − y_i)/n.
static void grad_z(double *d, const double *y, const double *z, int n) { bce_grad_logits(d, y, z, n); }

// Bug "no-mean" on the logit side: ŷ − y.
static void grad_z_no_mean(double *d, const double *y, const double *z, int n) {
    bce_grad_logits(d, y, z, n);
    for (int i = 0; i < n; i++)
        d[i] *= n;
}

// Bug "skip-sigmoid": eq. (1)'s ∂L/∂ŷ passed on as if it were ∂L/∂z.
static void grad_z_skip_sigmoid(double *d, const double *dl_dyhat, int n) {
    memcpy(d, dl_dyhat, (size_t)n * sizeof *d);
}

static const BugInfo BUGS[] = {
    {"sign", "eq. (1) with its leading minus dropped"},
    {"no-mean", "the 1/n forgotten: the loss summed instead of averaged"},
    {"skip-sigmoid", "∂L/∂ŷ used where ∂L/∂z is needed (the sigmoid's derivative skipped)"},
};

// ---------------------------------------------------------------- the data

typedef struct {
    int n;
    bool from_z; // the user gave logits (ŷ = σ(z)) rather than ŷ (z = logit ŷ)
    Tensor y, z, yhat;
} Data;

static double logit(double p) { return log(p) - log1p(-p); }

// The article's loss on ŷ, or +inf when a log of 0 makes it overflow.
static double article_loss(const Data *d) { return bce_loss(d->y.data, d->yhat.data, d->n); }

static double yhat_margin(double yhat) { return fmin(yhat, 1.0 - yhat); }

// ---------------------------------------------------------------- checks

// Central differences of the article's L(ŷ) in ŷ, entry by entry, with a
// step relative to the distance to 0 or 1 (a fixed h = 1e-6 would step
// outside (0,1) or across most of the curve near the ends). The quotient
// divides by the step actually taken, (ŷ+h) − (ŷ−h) after rounding.
static void numerical_dyhat(double *num, const Data *d, const int *idx, int m, Tensor *scratch) {
    for (int k = 0; k < m; k++) {
        int i = idx[k];
        double v = d->yhat.data[i], h = GRADCHECK_H * yhat_margin(v);
        double up = v + h, down = v - h;
        tensor_copy(scratch, &d->yhat);
        scratch->data[i] = up;
        double lp = bce_loss(d->y.data, scratch->data, d->n);
        scratch->data[i] = down;
        double lm = bce_loss(d->y.data, scratch->data, d->n);
        num[k] = (lp - lm) / (up - down);
    }
}

typedef struct {
    const double *y;
    double *z;
    int n;
} LogitLoss;

static double logit_loss(void *ctx) {
    LogitLoss *l = ctx;
    return bce_loss_logits(l->y, l->z, l->n);
}

// ---------------------------------------------------------------- formatting

static void fmt(char *buf, size_t len, double v) { format_number(buf, len, v, "the loss"); }

// ŷ near 1 shown as "1 − 2.2e-16" so that its distance to 1 stays visible.
static void fmt_yhat(char *buf, size_t len, double v) {
    if (v == 1.0)
        snprintf(buf, len, "1 (rounded)");
    else if (v == 0.0)
        snprintf(buf, len, "0 (underflow)");
    else if (v > 0.999)
        snprintf(buf, len, "1 − %.2g", 1.0 - v);
    else
        snprintf(buf, len, "%.6g", v);
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

// Central difference of loss1 in ŷ with the relative step of numerical_dyhat.
static double dloss1_numerical(double y, double yhat) {
    double h = GRADCHECK_H * yhat_margin(yhat), up = yhat + h, down = yhat - h;
    return (loss1(y, up) - loss1(y, down)) / (up - down);
}

// Writes a value, or "-" (gnuplot's missing point) when it is not finite or
// not positive for a log-scale axis.
static void put(FILE *f, double v, bool log_axis) {
    if (!isfinite(v) || (log_axis && v <= 0))
        fputs(" -", f);
    else
        fprintf(f, " %.17g", v);
}

static void write_plot_data(const char *dir) {
    FILE *f = plot_file_open(dir, "chapter2_curves.dat");
    fputs("# yhat  L(y=0)  L(y=1)  dL/dyhat(y=0)  dL/dyhat(y=1)   (n = 1, eq. 1)\n", f);
    for (int k = 1; k < 500; k++) {
        double v = k / 500.0;
        fprintf(f, "%.17g", v);
        put(f, loss1(0, v), false), put(f, loss1(1, v), false), put(f, dloss1(0, v), false),
            put(f, dloss1(1, v), false);
        fputc('\n', f);
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

// ---------------------------------------------------------------- sections

static void section_loss(Report *r, const Data *d, bool is_default) {
    report_heading(r, "2.1 The loss");
    report_text(r, "The article measures a prediction ŷ ∈ (0,1) against a label y ∈ {0,1} with the binary "
                   "cross-entropy, averaged over the n outputs:");
    report_equation(r, "L(y, ŷ) = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]",
                    "L(y, \\hat{y}) = -\\frac{1}{n} \\sum_{i=1}^{n} \\left[ y_i \\log \\hat{y}_i + (1 - y_i) "
                    "\\log(1 - \\hat{y}_i) \\right]");
    double yv = 0.0, pv = sigmoid(DEFAULT_Z2);
    report_erratum(r,
                   "the article prints it without the bracket, −(1/n) Σ (y_i) log(ŷ_i) + (1−y_i) log(1−ŷ_i), "
                   "which read as written puts the minus sign and the sum on the first term only. For one "
                   "output with y = 0 and ŷ = %.6g that reading gives %.6g, a negative \"loss\"; the bracketed "
                   "form above gives %.6g, and it is the one eq. (1) differentiates.",
                   pv, log1p(-pv), loss1(yv, pv));
    report_text(r, "For y = 1 only the first term is left, −log ŷ: zero when ŷ = 1, growing without bound as ŷ → 0. "
                   "For y = 0 only the second, −log(1 − ŷ). A label between 0 and 1 (a soft label) mixes the two.");
    if (is_default)
        report_text(r,
                    "The worked example continues the running example: output 0 is chapter 3's prediction, z = "
                    "0.05·29 − 0.03·35 + 0.1 = 0.5 from the pooled [29 35], with label y = 1. Output 1 is a second "
                    "prediction, z = %g for a label-0 example, so that both terms appear (n = 2).",
                    DEFAULT_Z2);
    report_quantity(r, "y", "y", &d->y);
    report_quantity(r, "z", "z", &d->z);
    if (d->from_z) {
        report_text(r, "The predictions are the sigmoid of the logits, ŷ_i = σ(z_i) = 1/(1 + e^−z_i):");
        StrBuf lines = {0};
        for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
            char e[40], p[40], zs[40];
            fmt_yhat(p, sizeof p, d->yhat.data[i]);
            fmt_factor(zs, sizeof zs, d->z.data[i]);
            double ez = exp(-d->z.data[i]);
            if (isfinite(ez)) {
                fmt(e, sizeof e, ez);
                sb_printf(&lines, "ŷ[%d] = 1/(1 + e^-%s) = 1/(1 + %s) = %s\n", i, zs, e, p);
            } else {
                sb_printf(&lines, "ŷ[%d] = 1/(1 + e^-%s), where e^-%s overflows: ŷ = %s\n", i, zs, zs, p);
            }
        }
        report_verbatim(r, "%s", sb_str(&lines));
        sb_free(&lines);
    } else {
        report_text(r, "The logits are what a network's last layer would have produced: z_i = logit(ŷ_i) = "
                       "log(ŷ_i/(1 − ŷ_i)), so that σ(z_i) = ŷ_i.");
    }
    report_quantity(r, "yhat", "ŷ", &d->yhat);

    // the loss, term by term
    double sum = 0.0;
    StrBuf lines = {0};
    bool overflow = false;
    for (int i = 0; i < d->n; i++) {
        double y = d->y.data[i], p = d->yhat.data[i];
        double t1 = y != 0.0 ? y * log(p) : 0.0, t0 = y != 1.0 ? (1.0 - y) * log(1.0 - p) : 0.0;
        if (!isfinite(t1 + t0)) {
            overflow = true;
            if (i < MAX_WRITTEN)
                sb_printf(&lines, "i = %d: ŷ rounds to %s, and log 0 has no finite value\n", i, p == 0.0 ? "0" : "1");
            continue;
        }
        sum += t1 + t0;
        if (i < MAX_WRITTEN) {
            char ys[40], ps[40], qs[40], y0[40], ts[40];
            fmt(ys, sizeof ys, y), fmt(ps, sizeof ps, p), fmt(qs, sizeof qs, 1.0 - p), fmt(y0, sizeof y0, 1.0 - y);
            fmt(ts, sizeof ts, t1 + t0);
            sb_printf(&lines, "i = %d: y log ŷ + (1-y) log(1-ŷ) = %s·log(%s) + %s·log(%s) = %s\n", i, ys, ps, y0, qs,
                      ts);
        }
    }
    if (d->n > MAX_WRITTEN)
        sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    report_text(r, "Each output's term, then the mean with the minus sign:");
    double logit_form = bce_loss_logits(d->y.data, d->z.data, d->n);
    if (!overflow) {
        char ss[40], ls[40];
        fmt_factor(ss, sizeof ss, sum);
        fmt(ls, sizeof ls, -sum / d->n);
        sb_printf(&lines, "L = -(1/%d)·%s = %s", d->n, ss, ls);
    }
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    if (overflow) {
        report_text(
            r, "The article's form overflows here: a prediction has rounded to exactly 0 or 1, and the "
               "log of 0 has no finite value (section 2.4). The same loss in logit form, computed from z without ever "
               "forming ŷ, is finite:");
        report_equation(r, "L = (1/n) Σ_i [ softplus(z_i) − y_i z_i ],   softplus(z) = log(1 + e^z)",
                        "L = \\frac{1}{n} \\sum_i \\left[ \\mathrm{softplus}(z_i) - y_i z_i \\right]");
    }
    report_scalar(r, "loss", "L", d->from_z ? logit_form : article_loss(d));
}

static void section_eq1(Report *r, const Data *d, const Tensor *dyhat, const CommonOptions *opt) {
    report_heading(r, "2.2 The derivative, eq. (1)");
    report_text(r, "Only the i-th term of the sum depends on ŷ_i. With d/dp log p = 1/p and d/dp log(1 − p) = "
                   "−1/(1 − p):");
    report_equation(
        r, "∂L/∂ŷ_i = −(1/n) [ y_i · 1/ŷ_i + (1 − y_i) · (−1/(1 − ŷ_i)) ] = −(1/n) ( y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i) )",
        "\\frac{\\partial L}{\\partial \\hat{y}_i} = -\\frac{1}{n}\\left[ \\frac{y_i}{\\hat{y}_i} + "
        "(1-y_i)\\frac{-1}{1-\\hat{y}_i} \\right] = -\\frac{1}{n}\\left( \\frac{y_i}{\\hat{y}_i} - "
        "\\frac{1-y_i}{1-\\hat{y}_i} \\right) \\qquad (1)");
    report_erratum(r, "the article's middle line, ∂/∂ŷ_i(−(1/n) y_i log ŷ_i) + ∂/∂ŷ_i((1 − y_i) log(1 − ŷ_i)), "
                      "loses the −1/n on the second term; its final line, eq. (1), has it back and is right, "
                      "as the check below confirms.");
    StrBuf lines = {0};
    for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
        char ys[40], ps[40], y0[40], qs[40], ds[40];
        fmt(ys, sizeof ys, d->y.data[i]), fmt(ps, sizeof ps, d->yhat.data[i]);
        fmt(y0, sizeof y0, 1.0 - d->y.data[i]), fmt(qs, sizeof qs, 1.0 - d->yhat.data[i]);
        if (isfinite(dyhat->data[i]))
            fmt(ds, sizeof ds, dyhat->data[i]);
        else
            snprintf(ds, sizeof ds, "overflow (ŷ rounded to %s)", d->yhat.data[i] == 0.0 ? "0" : "1");
        sb_printf(&lines, "∂L/∂ŷ[%d] = -(1/%d)·(%s/%s - %s/%s) = %s\n", i, d->n, ys, ps, y0, qs, ds);
    }
    if (d->n > MAX_WRITTEN)
        sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    if (bug_is(opt, "sign"))
        report_text(r, "--bug sign: the values above lack eq. (1)'s leading minus.");
    if (bug_is(opt, "no-mean"))
        report_text(r, "--bug no-mean: the values above lack the 1/n%s.",
                    d->n == 1 ? " (with n = 1 that changes nothing, and no check can see it: give two or more "
                                "outputs)"
                              : "");

    bool finite = tensor_all_finite(dyhat);
    if (finite) {
        report_quantity(r, "dL_dyhat", "∂L/∂ŷ", dyhat);
    } else {
        // Entries whose ŷ rounded to 0 or 1 have no double value: null in JSON.
        StrBuf json = {0};
        char num[40];
        sb_putc(&json, '[');
        for (int i = 0; i < d->n; i++) {
            if (isfinite(dyhat->data[i]))
                format_json_number(num, sizeof num, dyhat->data[i], "∂L/∂ŷ");
            else
                snprintf(num, sizeof num, "null");
            sb_printf(&json, "%s%s", i ? ", " : "", num);
        }
        sb_putc(&json, ']');
        report_json_raw(r, "dL_dyhat", sb_str(&json));
        sb_free(&json);
        report_text(r, "Some entries of ∂L/∂ŷ are beyond double precision (about 1/(1 − ŷ) with 1 − ŷ below "
                       "1e-308, or exactly 1/0 after ŷ rounded): the derivative in ŷ is not representable there. "
                       "∂L/∂z below is.");
    }

    // finite differences where ŷ has room for a step
    int idx[TENSOR_MAX_SIDE], m = 0, skipped = 0;
    for (int i = 0; i < d->n; i++) {
        if (yhat_margin(d->yhat.data[i]) >= YHAT_CHECK_MARGIN && isfinite(dyhat->data[i]))
            idx[m++] = i;
        else
            skipped++;
    }
    report_text(r,
                "Checked against central differences of L(ŷ), each with a step h = %g·min(ŷ_i, 1 − ŷ_i) "
                "so that it stays inside (0,1):",
                GRADCHECK_H);
    if (skipped)
        report_text(r,
                    "%d entr%s with ŷ within %g of 0 or 1 left out: no finite step in ŷ fits there; the "
                    "check in z (section 2.3) covers them.%s",
                    skipped, skipped == 1 ? "y" : "ies", YHAT_CHECK_MARGIN,
                    m ? " The table numbers the remaining entries from 0." : "");
    if (m == 0)
        return;
    Tensor a = tensor_alloc(1, 1, m), num = tensor_alloc(1, 1, m), scratch = tensor_alloc_like(&d->yhat);
    for (int k = 0; k < m; k++)
        a.data[k] = dyhat->data[idx[k]];
    numerical_dyhat(num.data, d, idx, m, &scratch);
    CheckSummary s = compare_gradients(a.data, num.data, NULL, m, GRADCHECK_REL_TOL);
    report_check(r, "∂L/∂ŷ, eq. (1)", &a, &num, NULL, s);
    tensor_free(&a), tensor_free(&num), tensor_free(&scratch);
}

static void section_chain(Report *r, const Data *d, const Tensor *dyhat, const Tensor *dz, const CommonOptions *opt) {
    report_heading(r, "2.3 The chain through the sigmoid (the step the article skips)");
    report_erratum(r, "the article goes from eq. (1) straight to the weights, using ∂ŷ_i/∂w_ij = x_j, i.e. "
                      "ŷ = x·w + b with no activation. But eq. (1) needs ŷ ∈ (0,1): ŷ is σ(z) of the layer's "
                      "output z, and the sigmoid's derivative has to be multiplied in (chapter 3 shows what its "
                      "absence costs in ∂L/∂W).");
    report_text(r, "The sigmoid's derivative is itself simple:");
    report_equation(r, "σ(z) = 1/(1 + e^−z)    ⇒    σ′(z) = e^−z/(1 + e^−z)² = σ(z)(1 − σ(z)) = ŷ(1 − ŷ)",
                    "\\sigma(z) = \\frac{1}{1+e^{-z}} \\;\\Rightarrow\\; \\sigma'(z) = \\frac{e^{-z}}{(1+e^{-z})^2} "
                    "= \\sigma(z)\\,(1-\\sigma(z)) = \\hat{y}(1-\\hat{y})");
    report_text(r, "Multiply it into eq. (1) and the denominators cancel:");
    report_equation(r,
                    "∂L/∂z_i = ∂L/∂ŷ_i · ŷ_i(1 − ŷ_i) = −(1/n)[ y_i(1 − ŷ_i) − (1 − y_i)ŷ_i ] = −(1/n)[ y_i − ŷ_i ] = "
                    "(ŷ_i − y_i)/n",
                    "\\frac{\\partial L}{\\partial z_i} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\,"
                    "\\hat{y}_i(1-\\hat{y}_i) = -\\frac{1}{n}\\left[ y_i(1-\\hat{y}_i) - (1-y_i)\\hat{y}_i "
                    "\\right] = \\frac{\\hat{y}_i - y_i}{n}");
    report_text(r, "The prediction minus the label, over n: bounded by 1/n whatever z is, even where ∂L/∂ŷ is "
                   "huge, because σ′(z) is then tiny by the same factor. With the numbers:");
    StrBuf lines = {0};
    for (int i = 0; i < d->n && i < MAX_WRITTEN; i++) {
        double p = d->yhat.data[i];
        char a[40], b[40], c[40], e[40], ps[40], ys[40], res[40];
        fmt(ps, sizeof ps, p), fmt(ys, sizeof ys, d->y.data[i]);
        fmt(res, sizeof res, (p - d->y.data[i]) / d->n);
        if (isfinite(dyhat->data[i])) {
            fmt_factor(a, sizeof a, dyhat->data[i]), fmt(b, sizeof b, p), fmt(c, sizeof c, 1.0 - p);
            fmt(e, sizeof e, dyhat->data[i] * p * (1.0 - p));
            sb_printf(&lines, "∂L/∂z[%d] = %s·%s·%s = %s = (%s - %s)/%d = %s\n", i, a, b, c, e, ps, ys, d->n, res);
        } else {
            sb_printf(&lines,
                      "∂L/∂z[%d] = (%s - %s)/%d = %s   (∂L/∂ŷ overflows here; the product form cannot be used)\n", i,
                      ps, ys, d->n, res);
        }
    }
    if (d->n > MAX_WRITTEN)
        sb_printf(&lines, "... (%d more entries)\n", d->n - MAX_WRITTEN);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    report_text(r, "The code computes it as (1 − y)·σ(z) − y·σ(−z), the same number but accurate to the last "
                   "digit even when σ(z) has rounded to 1 (src/loss.c).");
    if (bug_is(opt, "skip-sigmoid"))
        report_text(r, "--bug skip-sigmoid: ∂L/∂z below is eq. (1)'s ∂L/∂ŷ, the factor ŷ(1 − ŷ) skipped.");
    report_quantity(r, "dL_dz", "∂L/∂z", dz);

    // the chain product against the closed form, where 1 − ŷ is not dominated by rounding
    double worst = 0.0;
    int compared = 0;
    for (int i = 0; i < d->n; i++) {
        double p = d->yhat.data[i];
        if (yhat_margin(p) < YHAT_CHECK_MARGIN || !isfinite(dyhat->data[i]))
            continue;
        worst = fmax(worst, relative_error(dyhat->data[i] * p * (1.0 - p), dz->data[i]));
        compared++;
    }
    if (compared) {
        char detail[160];
        snprintf(detail, sizeof detail, "%d entr%s, largest relative difference %.1e (tolerance %g)", compared,
                 compared == 1 ? "y" : "ies", worst, CHAIN_REL_TOL);
        report_verdict(r, "∂L/∂ŷ·ŷ(1 − ŷ) = ∂L/∂z", worst <= CHAIN_REL_TOL, detail);
    }
    report_text(r, "And against central differences of the loss in logit form, L(z) = (1/n) Σ [softplus(z_i) − "
                   "y_i z_i], with the workbook's usual step:");
    Tensor num = tensor_alloc_like(dz), z = tensor_clone(&d->z);
    LogitLoss l = {d->y.data, z.data, d->n};
    numerical_gradient(num.data, z.data, d->n, logit_loss, &l, GRADCHECK_H);
    CheckSummary s = compare_gradients(dz->data, num.data, NULL, d->n, GRADCHECK_REL_TOL);
    report_check(r, "∂L/∂z", dz, &num, NULL, s);
    tensor_free(&num), tensor_free(&z);
}

static void section_blowup(Report *r) {
    report_heading(r, "2.4 Near 0 and 1: eq. (1) blows up, the logit form does not");
    report_text(r, "One output (n = 1) pushed towards the wrong end: y = 1 with ŷ → 0, then y = 0 with ŷ → 1. "
                   "The article's form computes ŷ = σ(z) first and then takes logs; the logit form never forms "
                   "ŷ. PyTorch's BCELoss is the article's form with each log clamped at −100.");
    const struct {
        double y, z;
    } rows[] = {{1, -1}, {1, -10}, {1, -30}, {1, -100}, {1, -700}, {1, -740}, {1, -800},
                {0, 1},  {0, 10},  {0, 30},  {0, 36},   {0, 37},   {0, 40},   {0, 800}};
    const char *headers[] = {"z", "ŷ = σ(z)", "L article", "L logit", "BCELoss", "eq. (1)", "∂L/∂z"};
    for (int label = 1; label >= 0; label--) {
        report_text(r, "y = %d:", label);
        report_table_begin(r, 7, headers);
        for (size_t k = 0; k < sizeof rows / sizeof *rows; k++) {
            if (rows[k].y != label) continue;
            double y = rows[k].y, z = rows[k].z, p = sigmoid(z);
            double art = loss1(y, p), lf = bce_loss_logits(&y, &z, 1), dy = dloss1(y, p), dz;
            bce_grad_logits(&dz, &y, &z, 1);
            double torch = -(y * fmax(log(p), TORCH_LOG_CLAMP) + (1 - y) * fmax(log(1.0 - p), TORCH_LOG_CLAMP));
            char c[7][40];
            snprintf(c[0], sizeof c[0], "%g", z);
            fmt_yhat(c[1], sizeof c[1], p);
            if (isfinite(art))
                snprintf(c[2], sizeof c[2], "%.6g", art);
            else
                snprintf(c[2], sizeof c[2], "log 0");
            snprintf(c[3], sizeof c[3], "%.6g", lf);
            snprintf(c[4], sizeof c[4], "%.6g", torch);
            if (isfinite(dy))
                snprintf(c[5], sizeof c[5], "%.6g", dy);
            else
                snprintf(c[5], sizeof c[5], "overflow");
            snprintf(c[6], sizeof c[6], "%.6g", dz == 0.0 ? 0.0 : dz);
            const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5], c[6]};
            report_table_row(r, row);
        }
        report_table_end(r);
    }
    double y0 = 0, z30 = 30, p30 = sigmoid(30);
    double rel30 = relative_error(loss1(0, p30), bce_loss_logits(&y0, &z30, 1));
    double d30;
    bce_grad_logits(&d30, &y0, &z30, 1);
    double exact_dy30 = 1.0 / sigmoid(-30), rel_dy30 = relative_error(dloss1(0, p30), exact_dy30);
    report_text(r,
                "Towards ŷ → 1 the article's form fails early: doubles are dense near 0 but spaced 1.1e-16 "
                "apart just below 1, so 1 − σ(z) keeps fewer and fewer digits and at z ≈ 37 ŷ rounds to "
                "exactly 1. Already at z = 30 (y = 0) its loss is off by %.1e relative and eq. (1) by %.1e; "
                "at z = 40 it is log 0. Towards ŷ → 0 it lasts until ŷ underflows near z = −745 (with "
                "subnormal, imprecise ŷ on the way). Eq. (1) itself is ±1/ŷ or 1/(1 − ŷ): it is genuinely "
                "beyond double precision once the prediction is within 1e-308 of the wrong end, whatever the "
                "code does.",
                rel30, rel_dy30);
    report_text(r, "The logit form L = softplus(z) − y·z, computed as max(z,0) − y·z + log1p(e^−|z|), stays "
                   "finite and accurate for every z, and so does ∂L/∂z = σ(z) − y. That is why libraries fuse "
                   "the sigmoid into the loss (PyTorch's BCEWithLogitsLoss) and backpropagate ∂L/∂z, never "
                   "∂L/∂ŷ. PyTorch's BCELoss instead clamps each log at −100, as its documentation says, to keep "
                   "the loss finite: the loss then saturates at 100 per output, and a prediction that is 800 "
                   "wrong (z = −800 for y = 1) reads as 100.");
}

int main(int argc, char **argv) {
    const char *y_text = NULL, *yhat_text = NULL, *z_text = NULL;
    const ChapterOption options[] = {
        {"--y", "V", "labels in [0,1], one per output (default: [1 0])", &y_text},
        {"--yhat", "V", "predictions strictly inside (0,1)", &yhat_text},
        {"--z", "V", "logits instead of predictions, ŷ = σ(z) (default: [0.5 1])", &z_text},
    };
    const ChapterSpec spec = {
        .program = "chapter2",
        .title = "Chapter 2: the derivative of binary cross-entropy",
        .options = options,
        .n_options = 3,
        .bugs = BUGS,
        .n_bugs = 3,
        .notes = "Examples: chapter2 --y \"1 0 1\" --yhat \"0.9 0.2 0.6\"\n"
                 "          chapter2 --y \"1 0\" --z \"1000 -1000\"",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    // ---- input, all validated before anything is printed
    if (yhat_text && z_text)
        usage_error("--z: give either --yhat or --z, not both");
    if (y_text && !yhat_text && !z_text)
        usage_error("--y: give the predictions too, with --yhat or --z");
    if (!y_text && (yhat_text || z_text))
        usage_error("--y: give the labels for your %s", yhat_text ? "--yhat" : "--z");
    Data d = {0};
    bool is_default = !y_text;
    if (is_default) {
        d.n = 2;
        d.y = tensor_alloc(1, 1, 2), d.z = tensor_alloc(1, 1, 2);
        d.y.data[0] = EXAMPLE_Y, d.y.data[1] = 0.0;
        d.z.data[0] = EXAMPLE_W[0] * EXAMPLE_POOLED[0] + EXAMPLE_W[1] * EXAMPLE_POOLED[1] + EXAMPLE_B;
        d.z.data[1] = DEFAULT_Z2;
        d.from_z = true;
    } else {
        d.y = option_vector("--y", y_text);
        d.n = d.y.w;
        for (int i = 0; i < d.n; i++)
            if (d.y.data[i] < 0.0 || d.y.data[i] > 1.0)
                usage_error("--y: entry %d is %g; a label must lie in [0,1]", i, d.y.data[i]);
        const char *name = yhat_text ? "--yhat" : "--z";
        Tensor v = option_vector(name, yhat_text ? yhat_text : z_text);
        if (v.w != d.n)
            usage_error("%s: %d entries, but --y has %d; give one per output", name, v.w, d.n);
        if (yhat_text) {
            for (int i = 0; i < d.n; i++)
                if (!(v.data[i] > 0.0 && v.data[i] < 1.0))
                    usage_error("--yhat: entry %d is %g; a prediction must lie strictly inside (0,1), where its "
                                "log is finite (for a prediction at or beyond 0 or 1 give its logit with --z)",
                                i, v.data[i]);
            d.yhat = v;
            d.z = tensor_alloc(1, 1, d.n);
            for (int i = 0; i < d.n; i++)
                d.z.data[i] = logit(d.yhat.data[i]);
        } else {
            d.z = v;
            d.from_z = true;
        }
    }
    if (d.from_z) {
        d.yhat = tensor_alloc(1, 1, d.n);
        for (int i = 0; i < d.n; i++)
            d.yhat.data[i] = sigmoid(d.z.data[i]);
    }

    Tensor dyhat = tensor_alloc(1, 1, d.n), dz = tensor_alloc(1, 1, d.n);
    if (bug_is(&opt, "sign"))
        grad_yhat_sign(dyhat.data, d.y.data, d.yhat.data, d.n);
    else if (bug_is(&opt, "no-mean"))
        grad_yhat_no_mean(dyhat.data, d.y.data, d.yhat.data, d.n);
    else
        grad_yhat(dyhat.data, d.y.data, d.yhat.data, d.n);
    if (bug_is(&opt, "skip-sigmoid")) {
        grad_z_skip_sigmoid(dz.data, dyhat.data, d.n);
        if (!tensor_all_finite(&dz))
            usage_error("--bug skip-sigmoid: ∂L/∂ŷ overflows for these inputs, so it cannot stand in for ∂L/∂z; "
                        "choose predictions further from 0 and 1");
    } else if (bug_is(&opt, "no-mean")) {
        grad_z_no_mean(dz.data, d.y.data, d.z.data, d.n);
    } else {
        grad_z(dz.data, d.y.data, d.z.data, d.n);
    }

    Report r;
    report_init(&r, &opt, spec.title);
    section_loss(&r, &d, is_default);
    section_eq1(&r, &d, &dyhat, &opt);
    section_chain(&r, &d, &dyhat, &dz, &opt);
    section_blowup(&r);

    if (opt.plot_dir)
        write_plot_data(opt.plot_dir);
    int status = report_finish(&r);
    Tensor *all[] = {&d.y, &d.z, &d.yhat, &dyhat, &dz};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        tensor_free(all[i]);
    options_free(&opt);
    return status;
}
