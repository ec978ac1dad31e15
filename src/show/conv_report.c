#include "conv_report.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plotfile.h"

static void num(char *buf, size_t len, double v) { format_number(buf, len, v, "a gradient"); }

void conv_report_output_size(Report *r, const ConvShape *s) {
    int nh = s->in_h + 2 * s->pad_h - s->dilation * (s->kh - 1) - 1;
    int nw = s->in_w + 2 * s->pad_w - s->dilation * (s->kw - 1) - 1;
    report_equation(r, "H_out = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1",
                    "H_{\\mathrm{out}} = \\left\\lfloor \\frac{H + 2p - d(k_h-1) - 1}{s} \\right\\rfloor + 1");
    report_verbatim(r,
                    "H_out = ⌊(%d + 2·%d − %d·(%d−1) − 1)/%d⌋ + 1 = ⌊%d/%d⌋ + 1 = %d\n"
                    "W_out = ⌊(%d + 2·%d − %d·(%d−1) − 1)/%d⌋ + 1 = ⌊%d/%d⌋ + 1 = %d",
                    s->in_h, s->pad_h, s->dilation, s->kh, s->stride, nh, s->stride, s->out_h, s->in_w, s->pad_w,
                    s->dilation, s->kw, s->stride, nw, s->stride, s->out_w);
}

// One term "g·x", negative numbers in parentheses.
static int term(char *buf, size_t len, double g, double x, bool first) {
    char gs[40], xs[40];
    num(gs, sizeof gs, g);
    num(xs, sizeof xs, x);
    return snprintf(buf, len, "%s%s%s%s·%s%s%s", first ? " " : " + ", g < 0 ? "(" : "", gs, g < 0 ? ")" : "",
                    x < 0 ? "(" : "", xs, x < 0 ? ")" : "");
}

void conv_report_kernel_entry(Report *r, const Tensor *x, const Tensor *g, const ConvShape *s, double value) {
    char buf[1200];
    size_t len = (size_t)snprintf(buf, sizeof buf, "∂L/∂K[0,0] ="), line = 0;
    int terms = 0;
    for (int i = 0; i < s->out_h && terms < 8; i++)
        for (int j = 0; j < s->out_w && terms < 8; j++, terms++) {
            int yy = i * s->stride - s->pad_h, xx = j * s->stride - s->pad_w;
            bool inside = yy >= 0 && yy < s->in_h && xx >= 0 && xx < s->in_w;
            // 60 bytes of a line hold about 50 columns of these characters.
            if (len - line > 60) {
                len += (size_t)snprintf(buf + len, sizeof buf - len, "\n            ");
                line = len;
            }
            len += (size_t)term(buf + len, sizeof buf - len, *tensor_at(g, 0, i, j),
                                inside ? *tensor_at(x, 0, yy, xx) : 0.0, terms == 0);
        }
    char vs[40];
    num(vs, sizeof vs, value);
    snprintf(buf + len, sizeof buf - len, "%s = %s", (long)s->out_h * s->out_w > 8 ? " + …" : "", vs);
    report_verbatim(r, "%s", buf);
}

static double max_difference(const double *a, const double *b, long n) {
    double m = 0.0;
    for (long q = 0; q < n; q++) m = fmax(m, fabs(a[q] - b[q]));
    return m;
}

// The forms add the same products; rounding is relative to Σ|K|·max|∂L/∂Y|.
static double forms_scale(const Tensor *k, const Tensor *g) {
    double ks = 0.0, gm = 0.0;
    for (size_t q = 0; q < tensor_size(k); q++) ks += fabs(k->data[q]);
    for (size_t q = 0; q < tensor_size(g); q++) gm = fmax(gm, fabs(g->data[q]));
    return fmax(ks * gm, DBL_MIN);
}

// The matrix form into out; false when C is too large to build.
static bool matrix_form(Report *r, Tensor *out, const Tensor *k, const Tensor *g, const ConvShape *s, bool print) {
    long entries = conv_matrix_rows(s) * conv_matrix_cols(s);
    if (entries > CONV_MATRIX_MAX_ENTRIES) {
        if (print) report_text(r, "(C would have %ld entries, too many to build; form 3 is left out.)", entries);
        return false;
    }
    double *cm = malloc(sizeof *cm * (size_t)entries);
    if (!cm) usage_error("out of memory building the %ld entries of C", entries);
    conv_matrix(cm, k->data, s);
    conv_input_grad_matrix(out->data, g->data, cm, s);
    if (print && conv_matrix_cols(s) <= CONV_MATRIX_PRINT_COLS) {
        Tensor cv = tensor_view(cm, 1, (int)conv_matrix_rows(s), (int)conv_matrix_cols(s));
        report_matrix(r, "C", &cv);
    }
    free(cm);
    if (print) report_matrix(r, "3. ∂L/∂X = Cᵀ·vec(∂L/∂Y), reshaped", out);
    return true;
}

Verdict conv_report_three_forms(Report *r, const Tensor *k, const Tensor *g, const ConvShape *s, bool print) {
    long n = conv_matrix_cols(s);
    Tensor scatter = tensor_alloc(s->in_c, s->in_h, s->in_w), full = tensor_alloc(s->in_c, s->in_h, s->in_w);
    Tensor matrix = tensor_alloc(s->in_c, s->in_h, s->in_w);
    conv_input_grad_scatter(scatter.data, g->data, k->data, s);
    conv_input_grad_full(full.data, g->data, k->data, s);
    if (print) report_matrix(r, "1. ∂L/∂X (scatter)", &scatter);
    if (print) report_matrix(r, "2. ∂L/∂X (full convolution)", &full);
    double diff = max_difference(scatter.data, full.data, n);
    int compared = (int)n;
    if (matrix_form(r, &matrix, k, g, s, print)) {
        diff = fmax(diff, max_difference(matrix.data, full.data, n));
        compared += (int)n;
    }
    double scale = forms_scale(k, g);
    char detail[160], sc[40];
    num(sc, sizeof sc, scale);
    snprintf(detail, sizeof detail, "differences relative to Σ|K|·max|∂L/∂Y| = %s", sc);
    Verdict v = report_identity(r, compared > n ? "scatter = full convolution = Cᵀ·vec(∂L/∂Y)"
                                                : "scatter = full convolution",
                                compared, diff, diff / scale, CONV_FORMS_REL_TOL, detail);
    tensor_free(&scatter);
    tensor_free(&full);
    tensor_free(&matrix);
    return v;
}

void conv_report_plot_matrix(const char *dir, const char *name, const Tensor *t) {
    FILE *f = plot_file_open(dir, name);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) fprintf(f, "%.17g%s", *tensor_at(t, 0, i, j), j + 1 < t->w ? " " : "\n");
    plot_file_close(f, dir, name);
}


// "the loss fell: η = …: L a → b, change c; first-order prediction …" and
// whether to stop halving.
static bool descent_line(Report *r, double eta, double g2, double before, double after, double rounding) {
    char detail[320], bs[40], as[40], ch[40], pr[40], es[40];
    num(bs, sizeof bs, before);
    num(as, sizeof as, after);
    num(ch, sizeof ch, after - before);
    num(pr, sizeof pr, -eta * g2);
    num(es, sizeof es, eta);
    bool fell = after < before, resolvable = eta * g2 > rounding;
    snprintf(detail, sizeof detail, "η = %s: L %s → %s, change %s; first-order prediction −η‖g‖² = %s%s", es, bs, as,
             ch, pr,
             g2 == 0.0      ? " (the gradient is exactly 0: no step lowers L)"
             : !resolvable ? " (below L's rounding: the step cannot show)"
             : fell        ? ""
                           : " (L did not fall: η is too large here; try half)");
    report_demonstration(r, fell ? "the loss fell" : "the loss did not fall", detail);
    return fell || g2 == 0.0 || !resolvable;
}

void conv_report_descent(Report *r, StepLossFn loss, void *ctx, const Tensor *k, const Tensor *b, const Tensor *dk,
                         const Tensor *db, double lr) {
    report_scalar(r, "learning_rate", "η", lr);
    Tensor k2 = tensor_clone(k), b2 = tensor_clone(b);
    double g2 = 0.0, scale, after_scale, eta = lr;
    for (size_t q = 0; q < tensor_size(k); q++) g2 += dk->data[q] * dk->data[q];
    for (size_t q = 0; q < tensor_size(b); q++) g2 += db->data[q] * db->data[q];
    double before = loss(ctx, k->data, b->data, &scale);
    for (int halvings = 0; halvings <= CONV_DESCENT_HALVINGS; halvings++, eta /= 2) {
        for (size_t q = 0; q < tensor_size(k); q++) k2.data[q] = k->data[q] - eta * dk->data[q];
        for (size_t q = 0; q < tensor_size(b); q++) b2.data[q] = b->data[q] - eta * db->data[q];
        double after = loss(ctx, k2.data, b2.data, &after_scale);
        if (halvings == 0) {
            report_quantity(r, "kernel_after_step", "K after the step", &k2);
            report_quantity(r, "bias_after_step", "b after the step", &b2);
            report_scalar(r, "loss_before", "L before", before);
            report_scalar(r, "loss_after", "L after", after);
        }
        // L's rounding: a few ε of the magnitudes summed, before and after.
        if (descent_line(r, eta, g2, before, after, 4 * DBL_EPSILON * (scale + after_scale))) break;
    }
    tensor_free(&k2);
    tensor_free(&b2);
}
