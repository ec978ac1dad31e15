// Chapter 3: gradients of the dense (fully connected) layer.
//
// Follows the article's "Backpropagation Through the Fully Connected (Dense)
// layer": the forward pass z = W x + b, ŷ = σ(z), L = BCE(y, ŷ); the chain
// rule down to ∂L/∂z, ∂L/∂W, ∂L/∂x and ∂L/∂b, each checked by finite
// differences; one step of gradient descent. The article drops the sigmoid
// in its backward pass, so its eq. (2) lacks the factor σ′(z); the chapter
// shows with numbers what that costs.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "report.h"
#include "strbuf.h"
#include "tensor.h"

// Matrices wider or taller than this no longer fit one projector line when
// written inside an equation; they are then shown on their own only.
#define INLINE_MAX_SIDE 6
// Beyond this many entries in W, the equations with numbers get too wide.
#define INLINE_MAX_ENTRIES 6
// Written-out entries ("∂L/∂W[0,1] = ... = ...") beyond this are summarised.
#define MAX_WRITTEN_ENTRIES 6
#define DEFAULT_LR 0.1

// One dense layer with its loss, and everything computed from it.
// W is (1,n,m); x is (1,1,m); b, y, z, ŷ and the gradients are vectors.
typedef struct {
    int n, m;
    Tensor x, W, b, y;
    Tensor z, yhat, dz, dW, dx, db;
    double loss;
} Dense;

static Tensor vector_from(const double *v, int n) {
    Tensor t = tensor_alloc(1, 1, n);
    memcpy(t.data, v, (size_t)n * sizeof *v);
    return t;
}

// Takes ownership of x, W, b and y.
static void dense_init(Dense *d, Tensor x, Tensor W, Tensor b, Tensor y) {
    *d = (Dense){.n = W.h, .m = W.w, .x = x, .W = W, .b = b, .y = y};
    d->z = tensor_alloc(1, 1, d->n);
    d->yhat = tensor_alloc(1, 1, d->n);
    d->dz = tensor_alloc(1, 1, d->n);
    d->dW = tensor_alloc(1, d->n, d->m);
    d->dx = tensor_alloc(1, 1, d->m);
    d->db = tensor_alloc(1, 1, d->n);
}

static void dense_free(Dense *d) {
    Tensor *all[] = {&d->x, &d->W, &d->b, &d->y, &d->z, &d->yhat, &d->dz, &d->dW, &d->dx, &d->db};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- ∂L/∂z

// ∂L/∂z_i = ∂L/∂ŷ_i · σ′(z_i) = (ŷ_i − y_i)/n: the sigmoid's derivative
// ŷ(1 − ŷ) cancels the denominators of the BCE derivative.
static void output_grad(double *dz, const double *y, const double *z, int n) { bce_grad_logits(dz, y, z, n); }

// Bug "no-sigmoid-derivative": the article's eq. (1), ∂L/∂ŷ, used as if it
// were ∂L/∂z, which is what its eq. (2) does.
static void output_grad_no_sigmoid_derivative(double *dz, const double *y, const double *yhat, int n) {
    bce_grad_yhat(dz, y, yhat, n);
}

// Bug "no-mean": ŷ − y, as if the loss were summed rather than averaged.
static void output_grad_no_mean(double *dz, const double *y, const double *z, int n) {
    for (int i = 0; i < n; i++) dz[i] = sigmoid(z[i]) - y[i];
}

// ---------------------------------------------------------------- ∂L/∂W, ∂L/∂x, ∂L/∂b

// The layer's own backward pass (src/dense.c): dW += dz xᵀ, dx += Wᵀ dz, db += dz.
static void layer_backward(Dense *d) {
    dense_backward(d->dx.data, d->dW.data, d->db.data, d->dz.data, d->x.data, d->W.data, d->n, d->m);
}

// Bug "W-not-transposed": ∂L/∂x_j = Σ_i W[j,i] ∂L/∂z_i, i.e. W ∂L/∂z where
// Wᵀ ∂L/∂z belongs. The n×m buffer is read with the other stride, the way
// this slip looks in code; for a square W it is exactly W ∂L/∂z.
static void layer_backward_w_not_transposed(Dense *d) {
    int n = d->n, m = d->m;
    for (int i = 0; i < n; i++) {
        d->db.data[i] += d->dz.data[i];
        for (int j = 0; j < m; j++) {
            d->dW.data[i * m + j] += d->dz.data[i] * d->x.data[j];
            d->dx.data[j] += d->W.data[j * n + i] * d->dz.data[i];
        }
    }
}

// Bug "outer-product-swapped": x ∂L/∂zᵀ (m×n) written into the n×m buffer
// of ∂L/∂W, so ∂L/∂z_i · x_j lands at the wrong entry.
static void layer_backward_outer_product_swapped(Dense *d) {
    int n = d->n, m = d->m;
    for (int i = 0; i < n; i++) {
        d->db.data[i] += d->dz.data[i];
        for (int j = 0; j < m; j++) {
            d->dW.data[j * n + i] += d->dz.data[i] * d->x.data[j];
            d->dx.data[j] += d->W.data[i * m + j] * d->dz.data[i];
        }
    }
}

static const BugInfo BUGS[] = {
    {"no-sigmoid-derivative", "∂L/∂z taken as the article's ∂L/∂ŷ (eq. 1), without the factor σ′(z) = ŷ(1 − ŷ)"},
    {"no-mean", "∂L/∂z = ŷ − y, without the 1/n of the averaged loss (invisible when n = 1)"},
    {"W-not-transposed", "∂L/∂x computed as W ∂L/∂z instead of Wᵀ ∂L/∂z (shown with a square W)"},
    {"outer-product-swapped", "∂L/∂W filled with x ∂L/∂zᵀ instead of ∂L/∂z xᵀ (invisible when n = 1)"},
};

// Forward pass and loss, then every gradient, with the --bug (if any) injected.
static void dense_run(Dense *d, const CommonOptions *opt) {
    dense_forward(d->z.data, d->x.data, d->W.data, d->b.data, d->n, d->m);
    require_finite(&d->z, "--x/--W/--b");
    for (int i = 0; i < d->n; i++) {
        d->yhat.data[i] = sigmoid(d->z.data[i]);
        // The chapter shows the article's ∂L/∂ŷ, which is 1/0 once ŷ rounds
        // to exactly 0 or 1; chapter 2 shows how the logit form avoids it.
        if (d->yhat.data[i] == 0.0 || d->yhat.data[i] == 1.0)
            usage_error("--x/--W/--b: z_%d = %g saturates the sigmoid (ŷ rounds to %g in double precision, "
                        "where the article's ∂L/∂ŷ is infinite); use values with |z| below about 36",
                        i, d->z.data[i], d->yhat.data[i]);
    }
    d->loss = bce_loss_logits(d->y.data, d->z.data, d->n);

    if (bug_is(opt, "no-sigmoid-derivative"))
        output_grad_no_sigmoid_derivative(d->dz.data, d->y.data, d->yhat.data, d->n);
    else if (bug_is(opt, "no-mean"))
        output_grad_no_mean(d->dz.data, d->y.data, d->z.data, d->n);
    else
        output_grad(d->dz.data, d->y.data, d->z.data, d->n);
    require_finite(&d->dz, "--y (ŷ rounds to 0 or 1 here)");

    tensor_zero(&d->dW);
    tensor_zero(&d->dx);
    tensor_zero(&d->db);
    if (bug_is(opt, "W-not-transposed"))
        layer_backward_w_not_transposed(d);
    else if (bug_is(opt, "outer-product-swapped"))
        layer_backward_outer_product_swapped(d);
    else
        layer_backward(d);
    require_finite(&d->dx, "--x/--W");
}

// ---------------------------------------------------------------- finite differences

// L as a function of W, x and b (z recomputed into scratch), or of z alone.
typedef struct {
    Dense *d;
    double *z; // scratch of n entries: the perturbed z, or W x + b
} LossCtx;

static double loss_of_params(void *ctx) {
    LossCtx *c = ctx;
    dense_forward(c->z, c->d->x.data, c->d->W.data, c->d->b.data, c->d->n, c->d->m);
    return bce_loss_logits(c->d->y.data, c->z, c->d->n);
}

static double loss_of_logits(void *ctx) {
    LossCtx *c = ctx;
    return bce_loss_logits(c->d->y.data, c->z, c->d->n);
}

// Checks analytic ∂L/∂param entry by entry against central differences;
// param NULL means z. The numerical gradient is copied to numerical_out
// when that is non-NULL.
static void check_gradient(Report *r, const char *name, Dense *d, Tensor *param, const Tensor *analytic,
                           Tensor *numerical_out) {
    Tensor numerical = tensor_alloc_like(analytic);
    Tensor scratch = tensor_alloc(1, 1, d->n);
    LossCtx c = {d, scratch.data};
    int size = (int)tensor_size(analytic);
    if (param) {
        numerical_gradient(numerical.data, param->data, size, loss_of_params, &c, GRADCHECK_H);
    } else {
        tensor_copy(&scratch, &d->z);
        numerical_gradient(numerical.data, scratch.data, size, loss_of_logits, &c, GRADCHECK_H);
    }
    CheckSummary s = compare_gradients(analytic->data, numerical.data, NULL, size, GRADCHECK_REL_TOL);
    report_check(r, name, analytic, &numerical, NULL, s);
    if (numerical_out) tensor_copy(numerical_out, &numerical);
    tensor_free(&numerical);
    tensor_free(&scratch);
}

// ---------------------------------------------------------------- equations with numbers

// An equation built twice at once: plain text for the terminal, LaTeX for
// --format latex/markdown.
typedef struct {
    StrBuf text, tex;
} Eq;

static void eq_add(Eq *e, const char *text, const char *tex) {
    sb_puts(&e->text, text);
    sb_puts(&e->tex, tex);
}

static void eq_number(Eq *e, double v, const char *what) {
    char plain[64], latex[96];
    format_number(plain, sizeof plain, v, what);
    format_latex_number(latex, sizeof latex, v, what);
    sb_puts(&e->text, plain);
    sb_puts(&e->tex, latex);
}

// A matrix as "[a b; c d]" and as a bmatrix; column writes a vector
// (stored as one row) as the column it is in the algebra.
static void eq_tensor(Eq *e, const Tensor *t, bool column, const char *what) {
    int rows = column ? t->w : t->h, cols = column ? 1 : t->w;
    sb_putc(&e->text, '[');
    sb_puts(&e->tex, "\\begin{bmatrix}");
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            if (j) eq_add(e, " ", " & ");
            eq_number(e, t->data[i * cols + j], what);
        }
        if (i + 1 < rows) eq_add(e, "; ", " \\\\ ");
    }
    sb_putc(&e->text, ']');
    sb_puts(&e->tex, "\\end{bmatrix}");
}

static void eq_emit(Report *r, Eq *e) {
    report_equation(r, sb_str(&e->text), sb_str(&e->tex));
    sb_free(&e->text);
    sb_free(&e->tex);
}

static bool fits_inline(const Dense *d) { return d->n * d->m <= INLINE_MAX_ENTRIES; }

// "-0.3" as a factor reads "(-0.3)", so a product never looks like a subtraction.
static void factor(char *buf, size_t len, double v, const char *what) {
    char plain[40];
    format_number(plain, sizeof plain, v, what);
    snprintf(buf, len, v < 0 ? "(%s)" : "%s", plain);
}

// "(and N more entries)" after the written-out lines, when some were left out.
static void more_entries(StrBuf *b, int shown, int total) {
    if (total > shown) sb_printf(b, "(and %d more entries)\n", total - shown);
}

// ---------------------------------------------------------------- sections

static void show_forward(Report *r, const Dense *d, bool keyed) {
    StrBuf lines = {0};
    int shown = d->n < MAX_WRITTEN_ENTRIES ? d->n : MAX_WRITTEN_ENTRIES;
    for (int i = 0; i < shown; i++) {
        sb_printf(&lines, "z_%d =", i);
        for (int j = 0; j < d->m && j < INLINE_MAX_SIDE; j++) sb_printf(&lines, "%s W[%d,%d]·x_%d", j ? " +" : "", i, j, j);
        if (d->m > INLINE_MAX_SIDE) sb_puts(&lines, " + …");
        sb_printf(&lines, " + b_%d =", i);
        for (int j = 0; j < d->m && j < INLINE_MAX_SIDE; j++) {
            char w[80], x[80];
            factor(w, sizeof w, *tensor_at(&d->W, 0, i, j), "--W");
            factor(x, sizeof x, d->x.data[j], "--x");
            sb_printf(&lines, "%s %s·%s", j ? " +" : "", w, x);
        }
        char b[80], z[80];
        factor(b, sizeof b, d->b.data[i], "--b");
        format_number(z, sizeof z, d->z.data[i], "z");
        sb_printf(&lines, "%s + %s = %s\n", d->m > INLINE_MAX_SIDE ? " + …" : "", b, z);
    }
    more_entries(&lines, shown, d->n);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    if (keyed) {
        report_quantity(r, "z", "z", &d->z);
        report_quantity(r, "yhat", "ŷ = σ(z)", &d->yhat);
        report_scalar(r, "loss", "L", d->loss);
    } else {
        report_matrix(r, "z", &d->z);
        report_matrix(r, "ŷ = σ(z)", &d->yhat);
        char l[64];
        format_number(l, sizeof l, d->loss, "L");
        report_text(r, "L = %s", l);
    }
}

// ∂L/∂z_i written out: the article's ∂L/∂ŷ_i times σ′(z_i).
static void show_output_grad_lines(Report *r, const Dense *d) {
    StrBuf lines = {0};
    Tensor dyhat = tensor_alloc(1, 1, d->n);
    bce_grad_yhat(dyhat.data, d->y.data, d->yhat.data, d->n);
    int shown = d->n < MAX_WRITTEN_ENTRIES ? d->n : MAX_WRITTEN_ENTRIES;
    for (int i = 0; i < shown; i++) {
        char dy[80], sp[80], yh[80], y[80], dz[80];
        double yhat = d->yhat.data[i];
        factor(dy, sizeof dy, dyhat.data[i], "∂L/∂ŷ");
        factor(sp, sizeof sp, yhat * (1 - yhat), "σ′(z)");
        format_number(yh, sizeof yh, yhat, "ŷ");
        format_number(y, sizeof y, d->y.data[i], "--y");
        format_number(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
        sb_printf(&lines, "∂L/∂z_%d = ∂L/∂ŷ_%d · σ′(z_%d) = %s·%s = (%s − %s)/%d = %s\n", i, i, i, dy, sp, yh, y,
                  d->n, dz);
    }
    more_entries(&lines, shown, d->n);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
    tensor_free(&dyhat);
}

static void show_weight_grad_lines(Report *r, const Dense *d) {
    StrBuf lines = {0};
    int total = d->n * d->m, shown = total < MAX_WRITTEN_ENTRIES ? total : MAX_WRITTEN_ENTRIES;
    for (int k = 0; k < shown; k++) {
        int i = k / d->m, j = k % d->m;
        char dz[80], x[80], g[80];
        factor(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
        factor(x, sizeof x, d->x.data[j], "--x");
        format_number(g, sizeof g, d->dW.data[k], "∂L/∂W");
        sb_printf(&lines, "∂L/∂W[%d,%d] = ∂L/∂z_%d · x_%d = %s·%s = %s\n", i, j, i, j, dz, x, g);
    }
    more_entries(&lines, shown, total);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
}

static void show_input_grad_lines(Report *r, const Dense *d) {
    StrBuf lines = {0};
    int shown = d->m < MAX_WRITTEN_ENTRIES ? d->m : MAX_WRITTEN_ENTRIES;
    for (int j = 0; j < shown; j++) {
        sb_printf(&lines, "∂L/∂x_%d =", j);
        for (int i = 0; i < d->n && i < INLINE_MAX_SIDE; i++) sb_printf(&lines, "%s ∂L/∂z_%d·W[%d,%d]", i ? " +" : "", i, i, j);
        if (d->n > INLINE_MAX_SIDE) sb_puts(&lines, " + …");
        sb_puts(&lines, " =");
        for (int i = 0; i < d->n && i < INLINE_MAX_SIDE; i++) {
            char dz[80], w[80];
            factor(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
            factor(w, sizeof w, *tensor_at(&d->W, 0, i, j), "--W");
            sb_printf(&lines, "%s %s·%s", i ? " +" : "", dz, w);
        }
        char g[80];
        format_number(g, sizeof g, d->dx.data[j], "∂L/∂x");
        sb_printf(&lines, "%s = %s\n", d->n > INLINE_MAX_SIDE ? " + …" : "", g);
    }
    more_entries(&lines, shown, d->m);
    report_verbatim(r, "%s", sb_str(&lines));
    sb_free(&lines);
}

// "∂L/∂W = ∂L/∂z · xᵀ = [..]·[..]" with the numbers, when they fit.
static void show_weight_grad_product(Report *r, const Dense *d) {
    Eq e = {0};
    eq_add(&e, "∂L/∂W = ∂L/∂z · xᵀ", "\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial z}\\, x^{\\mathsf{T}}");
    if (fits_inline(d)) {
        eq_add(&e, " = ", " = ");
        eq_tensor(&e, &d->dz, true, "∂L/∂z");
        eq_add(&e, "·", "");
        eq_tensor(&e, &d->x, false, "--x");
    }
    eq_emit(r, &e);
}

static void show_input_grad_product(Report *r, const Dense *d) {
    Eq e = {0};
    eq_add(&e, "∂L/∂x = Wᵀ ∂L/∂z", "\\frac{\\partial L}{\\partial x} = W^{\\mathsf{T}} \\frac{\\partial L}{\\partial z}");
    if (fits_inline(d)) {
        Tensor wt = tensor_alloc(1, d->m, d->n);
        for (int i = 0; i < d->n; i++)
            for (int j = 0; j < d->m; j++) *tensor_at(&wt, 0, j, i) = *tensor_at(&d->W, 0, i, j);
        eq_add(&e, " = ", " = ");
        eq_tensor(&e, &wt, false, "--W");
        eq_add(&e, "·", "");
        eq_tensor(&e, &d->dz, true, "∂L/∂z");
        tensor_free(&wt);
    }
    eq_emit(r, &e);
}

// Says where the --bug acts. visible is false when this layer's shape hides
// it (a 1/n or an index swap changes nothing with one output or one input).
static void note_bug(Report *r, const CommonOptions *opt, const char *bug, bool visible) {
    if (!bug_is(opt, bug)) return;
    if (visible)
        report_text(r, "--bug %s is on: the result below comes from the code with that mistake. Watch the check.",
                    bug);
    else
        report_text(r, "--bug %s is on, but with one output (or one input) it gives the right numbers here by "
                       "accident; sections 3.8 and 3.9 catch it.",
                    bug);
}

// The article's model without the activation, ŷ = z, and one step of its own
// update: ŷ leaves (0,1), where BCE is no longer defined. When some z_i is
// outside (0,1) already, the article's loss is undefined from the start.
static void erratum_linear_output(Report *r, const Dense *d, double lr) {
    int n = d->n;
    double xx = 1.0; // ‖x‖² + 1: how far one step of dW = dz xᵀ, db = dz moves each z_i
    for (int j = 0; j < d->m; j++) xx += d->x.data[j] * d->x.data[j];
    int outside = -1;
    for (int i = n - 1; i >= 0; i--)
        if (!(d->z.data[i] > 0 && d->z.data[i] < 1)) outside = i;
    char z0[64];
    format_number(z0, sizeof z0, d->z.data[outside < 0 ? 0 : outside], "z");
    if (outside >= 0) {
        report_erratum(r, "without the sigmoid the article's ŷ is z itself, and here z_%d = %s lies outside (0,1): "
                          "%s is undefined and the article's loss cannot even be evaluated.",
                       outside, z0, d->z.data[outside] <= 0 ? "log ŷ" : "log(1 − ŷ)");
        return;
    }
    // The article's ∂L/∂ŷ at ŷ = z, and the z after one step of its update.
    double worst = d->z.data[0];
    int worst_i = 0;
    for (int i = 0; i < n; i++) {
        double zi = d->z.data[i], yi = d->y.data[i];
        double g = -(yi / zi - (1 - yi) / (1 - zi)) / n;
        double z_new = zi - lr * g * xx;
        if (i == 0 || fabs(z_new - 0.5) > fabs(worst - 0.5)) {
            worst = z_new;
            worst_i = i;
        }
    }
    char zs[64], lrs[64];
    format_number(zs, sizeof zs, worst, "the article's update");
    format_number(lrs, sizeof lrs, lr, "--lr");
    if (worst > 0 && worst < 1) {
        report_erratum(r, "without the sigmoid the article's ŷ is z itself. Here z = %s lies in (0,1) and one step "
                          "of its update (η = %s) keeps it there (ŷ_%d = %s), but nothing in the model keeps "
                          "ŷ a probability: BCE is undefined as soon as it leaves (0,1).",
                       z0, lrs, worst_i, zs);
        return;
    }
    char neg[256] = "";
    if (worst > 1 && d->y.data[worst_i] == 1) {
        char lv[64];
        format_number(lv, sizeof lv, -log(worst), "the article's loss");
        snprintf(neg, sizeof neg, ", and the y = 1 term alone gives L = −log %s = %s < 0, a negative cross-entropy", zs,
                 lv);
    }
    report_erratum(r, "without the sigmoid the article's ŷ is z itself. Here z_0 = %s happens to lie in (0,1), but "
                      "one step of the article's own update (η = %s) moves ŷ_%d to %s: %s is undefined%s.",
                   z0, lrs, worst_i, zs, worst > 1 ? "log(1 − ŷ)" : "log ŷ", neg);
}

// What eq. (2) gives with the sigmoid kept: ∂L/∂ŷ xᵀ instead of ∂L/∂z xᵀ.
static void erratum_missing_sigmoid_derivative(Report *r, const Dense *d, const Tensor *numerical_dW) {
    int n = d->n, m = d->m;
    Tensor dyhat = tensor_alloc(1, 1, n), article = tensor_alloc(1, n, m), right = tensor_alloc(1, n, m);
    Tensor dz = tensor_alloc(1, 1, n);
    output_grad_no_sigmoid_derivative(dyhat.data, d->y.data, d->yhat.data, n);
    output_grad(dz.data, d->y.data, d->z.data, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            *tensor_at(&article, 0, i, j) = dyhat.data[i] * d->x.data[j];
            *tensor_at(&right, 0, i, j) = dz.data[i] * d->x.data[j];
        }
    report_text(r, "Eq. (2) is the gradient through ŷ alone. With the sigmoid that BCE needs, the chain has one "
                   "more link, and eq. (2) leaves it out. What eq. (2) gives, then the full chain:");
    report_equation(r, "∂L/∂W[i,j] = ∂L/∂ŷ_i · σ′(z_i) · x_j        eq. (2) has ∂L/∂ŷ_i · x_j",
                    "\\frac{\\partial L}{\\partial W_{ij}} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\, "
                    "\\sigma'(z_i)\\, x_j \\qquad \\text{eq. (2) has } \\frac{\\partial L}{\\partial \\hat{y}_i}\\, x_j");
    report_matrix(r, "∂L/∂ŷ · xᵀ", &article);
    report_matrix(r, "∂L/∂z · xᵀ", &right);
    char a[64], c[64], num[64], sp[64], ratio[64];
    format_number(a, sizeof a, article.data[0], "eq. (2)");
    format_number(c, sizeof c, right.data[0], "∂L/∂W");
    format_number(num, sizeof num, numerical_dW->data[0], "finite differences");
    double s = d->yhat.data[0] * (1 - d->yhat.data[0]);
    format_number(sp, sizeof sp, s, "σ′(z)");
    format_number(ratio, sizeof ratio, 1 / s, "1/σ′(z)");
    report_erratum(r, "eq. (2) gives ∂L/∂W[0,0] = %s; the full chain gives %s, and the finite differences of "
                      "section 3.3 agree (%s). The article's value is 1/σ′(z_0) = 1/%s = %s times too large%s. This is "
                      "--bug no-sigmoid-derivative: run it to see the checks fail from ∂L/∂z on.",
                   a, c, num, sp, ratio,
                   n > 1 ? ", and since each output has its own σ′(z_i) the direction of the step is wrong too" : "");
    Tensor *all[] = {&dyhat, &article, &right, &dz};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

// The backward pass of one layer, every gradient checked. keyed: the main
// problem, whose quantities go to JSON; tag tells the checks apart.
static void show_backward_compact(Report *r, Dense *d, const char *tag) {
    char name[96];
    report_equation(r, "∂L/∂z = (ŷ − y)/n", "\\frac{\\partial L}{\\partial z} = \\frac{\\hat{y} - y}{n}");
    report_matrix(r, "∂L/∂z", &d->dz);
    snprintf(name, sizeof name, "∂L/∂z (%s)", tag);
    check_gradient(r, name, d, NULL, &d->dz, NULL);
    show_weight_grad_product(r, d);
    report_matrix(r, "∂L/∂W", &d->dW);
    snprintf(name, sizeof name, "∂L/∂W (%s)", tag);
    check_gradient(r, name, d, &d->W, &d->dW, NULL);
    show_input_grad_product(r, d);
    report_matrix(r, "∂L/∂x", &d->dx);
    snprintf(name, sizeof name, "∂L/∂x (%s)", tag);
    check_gradient(r, name, d, &d->x, &d->dx, NULL);
    report_equation(r, "∂L/∂b = ∂L/∂z", "\\frac{\\partial L}{\\partial b} = \\frac{\\partial L}{\\partial z}");
    report_matrix(r, "∂L/∂b", &d->db);
    snprintf(name, sizeof name, "∂L/∂b (%s)", tag);
    check_gradient(r, name, d, &d->b, &d->db, NULL);
}

int main(int argc, char **argv) {
    const char *x_text = NULL, *w_text = NULL, *b_text = NULL, *y_text = NULL, *lr_text = NULL;
    const ChapterOption options[] = {
        {"--x", "V", "the layer's input x, m entries (default: the pooled [29 35] of chapter 4)", &x_text},
        {"--W", "M", "the weights W, n rows by m columns (default: [0.05 -0.03])", &w_text},
        {"--b", "V", "the biases b, one per output (default: 0.1 for every output)", &b_text},
        {"--y", "V", "the labels y in [0,1], one per output (default: 1 for every output)", &y_text},
        {"--lr", "ETA", "the learning rate of the gradient-descent step (default: 0.1)", &lr_text},
    };
    const ChapterSpec spec = {
        .program = "chapter3",
        .title = "Chapter 3: gradients of the dense layer",
        .options = options,
        .n_options = 5,
        .bugs = BUGS,
        .n_bugs = 4,
        .notes = "Sections 3.8 and 3.9 always use their own two-output examples, so that every bug shows.\n"
                 "Example: chapter3 --x \"1 2 3\" --W \"0.1 0.2 0.3; -0.3 0.2 0.1\" --y \"1 0\" --lr 0.5",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    // ---- input, all validated before anything is printed
    Tensor x = x_text ? option_vector("--x", x_text) : vector_from(EXAMPLE_POOLED, 2);
    Tensor W;
    if (w_text) {
        W = option_matrix("--W", w_text);
        if (W.w != x.w)
            usage_error("--W: shape %dx%d does not match x of length %d (expected Nx%d)", W.h, W.w, x.w, x.w);
    } else {
        if (x.w != 2)
            usage_error("--x: length %d does not match the default W of shape 1x2 (give --W with %d columns)", x.w,
                        x.w);
        W = tensor_alloc(1, 1, 2);
        memcpy(W.data, EXAMPLE_W, sizeof EXAMPLE_W);
    }
    int n = W.h;
    Tensor b, y;
    if (b_text) {
        b = option_vector("--b", b_text);
        if (b.w != n)
            usage_error("--b: length %d does not match W of shape %dx%d (expected %d, one bias per output)", b.w,
                        W.h, W.w, n);
    } else {
        b = tensor_alloc(1, 1, n);
        for (int i = 0; i < n; i++) b.data[i] = EXAMPLE_B;
    }
    if (y_text) {
        y = option_vector("--y", y_text);
        if (y.w != n)
            usage_error("--y: length %d does not match W of shape %dx%d (expected %d, one label per output)", y.w,
                        W.h, W.w, n);
        for (int i = 0; i < n; i++)
            if (!(y.data[i] >= 0 && y.data[i] <= 1))
                usage_error("--y: entry [%d] is %g, outside [0,1] (a BCE label is a probability)", i, y.data[i]);
    } else {
        y = tensor_alloc(1, 1, n);
        for (int i = 0; i < n; i++) y.data[i] = EXAMPLE_Y;
    }
    double lr = lr_text ? option_number("--lr", lr_text) : DEFAULT_LR;
    if (!(lr > 0)) usage_error("--lr: the learning rate must be positive, got %g", lr);
    bool example = !x_text && !w_text && !b_text && !y_text;

    Dense d;
    dense_init(&d, x, W, b, y);
    dense_run(&d, &opt);
    require_finite(&d.dW, "--x/--W");

    // One step of gradient descent, and the loss it leads to.
    Tensor w_new = tensor_alloc_like(&d.W), b_new = tensor_alloc_like(&d.b), z_new = tensor_alloc_like(&d.z);
    for (size_t k = 0; k < tensor_size(&w_new); k++) w_new.data[k] = d.W.data[k] - lr * d.dW.data[k];
    for (int i = 0; i < n; i++) b_new.data[i] = d.b.data[i] - lr * d.db.data[i];
    require_finite(&w_new, "--lr");
    dense_forward(z_new.data, d.x.data, w_new.data, b_new.data, n, d.m);
    require_finite(&z_new, "--lr");
    double loss_after = bce_loss_logits(d.y.data, z_new.data, n);

    // The two-output examples of 3.8 and 3.9.
    static const double X3[] = {2, -1, 3}, W23[] = {0.1, -0.2, 0.3, -0.4, 0.5, 0.2}, B2[] = {0.1, -0.1},
                        Y2[] = {1, 0};
    static const double WSQ[] = {0.05, -0.03, -0.02, 0.04}, BSQ[] = {0.1, -0.3};
    Dense wide, square;
    Tensor w23 = tensor_alloc(1, 2, 3), wsq = tensor_alloc(1, 2, 2);
    memcpy(w23.data, W23, sizeof W23);
    memcpy(wsq.data, WSQ, sizeof WSQ);
    dense_init(&wide, vector_from(X3, 3), w23, vector_from(B2, 2), vector_from(Y2, 2));
    dense_init(&square, vector_from(EXAMPLE_POOLED, 2), wsq, vector_from(BSQ, 2), vector_from(Y2, 2));
    dense_run(&wide, &opt);
    dense_run(&square, &opt);

    Report r;
    report_init(&r, &opt, spec.title);

    // ---- 3.1 forward
    report_heading(&r, "3.1 The forward pass: z = W x + b, ŷ = σ(z), L = BCE(y, ŷ)");
    if (example)
        report_text(&r, "The running example continues. x is the output of chapter 4's max-pooling, [29 35], "
                        "taken from chapter 1's feature map [23 14 25; 27 29 35]. It is used unscaled: the "
                        "weights are small, so z = 0.5 and the sigmoid is far from flat. One output (n = 1) "
                        "with label y = 1.");
    else
        report_text(&r, "Your layer (--x, --W, --b, --y): n = %d output%s, m = %d input%s.", n, n == 1 ? "" : "s",
                    d.m, d.m == 1 ? "" : "s");
    report_text(&r, "W has one row per output and one column per input: it is n×m = %dx%d, x has m = %d "
                    "entries, and b and y have n = %d each. Index i counts outputs (rows of W), j counts inputs "
                    "(columns of W); both count from 0, as in the check tables.",
                n, d.m, d.m, n);
    report_equation(&r, "z_i = Σ_j W[i,j] x_j + b_i,    i.e.  z = W x + b",
                    "z_i = \\sum_{j} W_{ij}\\, x_j + b_i \\quad\\Longleftrightarrow\\quad z = W x + b");
    report_equation(&r, "ŷ_i = σ(z_i) = 1 / (1 + e^(−z_i))", "\\hat{y}_i = \\sigma(z_i) = \\frac{1}{1 + e^{-z_i}}");
    report_equation(&r, "L = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]",
                    "L = -\\frac{1}{n} \\sum_{i} \\left[ y_i \\log \\hat{y}_i + (1 - y_i) \\log(1 - \\hat{y}_i) "
                    "\\right]");
    report_quantity(&r, "x", "x", &d.x);
    report_matrix_quantity(&r, "W", "W", &d.W);
    report_quantity(&r, "b", "b", &d.b);
    report_quantity(&r, "y", "y", &d.y);
    show_forward(&r, &d, true);
    report_erratum(&r, "the article writes this layer as ŷ_i = x_j·w_ij + b_j. The sum over j is missing, and the "
                       "bias carries j, the input index, though there is one bias per output: b_i. Read w_ij as "
                       "W[i,j], i the output (row) and j the input (column); the article's ∂L/∂b_j is ∂L/∂b_i.");
    report_erratum(&r, "its forward pass applies an activation Φ, but its backward pass uses ŷ = x·w + b with none, "
                       "and feeds that ŷ to BCE, which needs ŷ in (0,1). This chapter keeps the sigmoid; section "
                       "3.7 shows with numbers what leaving it out costs.");

    // ---- 3.2 ∂L/∂z
    report_heading(&r, "3.2 ∂L/∂z: the chain through the sigmoid");
    report_text(&r, "The loss reaches z through ŷ, so the chain rule has two links: the article's eq. (1), and "
                    "the sigmoid's derivative σ′(z) = σ(z)(1 − σ(z)) = ŷ(1 − ŷ).");
    report_equation(&r, "∂L/∂ŷ_i = −(1/n) ( y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i) )      (article eq. 1)",
                    "\\frac{\\partial L}{\\partial \\hat{y}_i} = -\\frac{1}{n} \\left( \\frac{y_i}{\\hat{y}_i} - "
                    "\\frac{1 - y_i}{1 - \\hat{y}_i} \\right) \\qquad \\text{(article eq. 1)}");
    report_equation(&r, "∂L/∂z_i = ∂L/∂ŷ_i · ŷ_i(1 − ŷ_i) = (ŷ_i − y_i)/n",
                    "\\frac{\\partial L}{\\partial z_i} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\, "
                    "\\hat{y}_i (1 - \\hat{y}_i) = \\frac{\\hat{y}_i - y_i}{n}");
    report_text(&r, "The two denominators of eq. (1) cancel against ŷ(1 − ŷ), leaving the simple difference. "
                    "With the numbers:");
    show_output_grad_lines(&r, &d);
    note_bug(&r, &opt, "no-sigmoid-derivative", true);
    note_bug(&r, &opt, "no-mean", n > 1);
    report_quantity(&r, "dL_dz", "∂L/∂z", &d.dz);
    report_text(&r, "Checked against central differences of L as a function of z:");
    check_gradient(&r, "∂L/∂z", &d, NULL, &d.dz, NULL);

    // ---- 3.3 ∂L/∂W
    report_heading(&r, "3.3 ∂L/∂W: an outer product (article eq. 2)");
    report_text(&r, "W[i,j] reaches the loss only through z_i, and ∂z_i/∂W[i,j] = x_j:");
    report_equation(&r, "∂L/∂W[i,j] = ∂L/∂z_i · x_j", "\\frac{\\partial L}{\\partial W_{ij}} = \\frac{\\partial L}{\\partial z_i}\\, x_j");
    show_weight_grad_lines(&r, &d);
    report_text(&r, "As matrices: the column ∂L/∂z (n×1) times the row xᵀ (1×m), an n×m matrix shaped like W.");
    show_weight_grad_product(&r, &d);
    note_bug(&r, &opt, "outer-product-swapped", n > 1 && d.m > 1);
    report_matrix_quantity(&r, "dW", "∂L/∂W", &d.dW);
    Tensor numerical_dW = tensor_alloc_like(&d.dW);
    check_gradient(&r, "∂L/∂W", &d, &d.W, &d.dW, &numerical_dW);

    // ---- 3.4 ∂L/∂x
    report_heading(&r, "3.4 ∂L/∂x: a sum over the outputs (article eq. 3)");
    report_text(&r, "x_j feeds every output z_i (through W[i,j]), so its gradient collects one term per output:");
    report_equation(&r, "∂L/∂x_j = Σ_i ∂L/∂z_i · W[i,j]",
                    "\\frac{\\partial L}{\\partial x_j} = \\sum_{i} \\frac{\\partial L}{\\partial z_i}\\, W_{ij}");
    show_input_grad_lines(&r, &d);
    report_text(&r, "As matrices: the sum runs down column j of W, so it is Wᵀ (m×n) times the column ∂L/∂z "
                    "(n×1), m entries shaped like x.");
    show_input_grad_product(&r, &d);
    note_bug(&r, &opt, "W-not-transposed", n > 1 && d.m > 1);
    report_quantity(&r, "dx", "∂L/∂x", &d.dx);
    check_gradient(&r, "∂L/∂x", &d, &d.x, &d.dx, NULL);
    report_text(&r, "∂L/∂x is what the layer sends back: chapter 4 routes it to the pooled maxima, chapter 5 on "
                    "to the kernel.");

    // ---- 3.5 ∂L/∂b
    report_heading(&r, "3.5 ∂L/∂b: the bias passes the gradient through");
    report_equation(&r, "∂L/∂b_i = ∂L/∂z_i · ∂z_i/∂b_i = ∂L/∂z_i · 1",
                    "\\frac{\\partial L}{\\partial b_i} = \\frac{\\partial L}{\\partial z_i} "
                    "\\frac{\\partial z_i}{\\partial b_i} = \\frac{\\partial L}{\\partial z_i}");
    report_quantity(&r, "db", "∂L/∂b", &d.db);
    check_gradient(&r, "∂L/∂b", &d, &d.b, &d.db, NULL);

    // ---- 3.6 gradient descent
    report_heading(&r, "3.6 One step of gradient descent");
    report_equation(&r, "W[i,j] ← W[i,j] − η ∂L/∂W[i,j],    b_i ← b_i − η ∂L/∂b_i",
                    "W_{ij} \\leftarrow W_{ij} - \\eta \\frac{\\partial L}{\\partial W_{ij}}, \\qquad "
                    "b_i \\leftarrow b_i - \\eta \\frac{\\partial L}{\\partial b_i}");
    if (fits_inline(&d)) {
        Eq e = {0};
        eq_add(&e, "W_new = W − η ∂L/∂W = ", "W_{\\mathrm{new}} = W - \\eta \\frac{\\partial L}{\\partial W} = ");
        eq_tensor(&e, &d.W, false, "--W");
        eq_add(&e, " − ", " - ");
        eq_number(&e, lr, "--lr");
        eq_add(&e, "·", " \\cdot ");
        eq_tensor(&e, &d.dW, false, "∂L/∂W");
        eq_emit(&r, &e);
        eq_add(&e, "b_new = b − η ∂L/∂b = ", "b_{\\mathrm{new}} = b - \\eta \\frac{\\partial L}{\\partial b} = ");
        eq_tensor(&e, &d.b, true, "--b");
        eq_add(&e, " − ", " - ");
        eq_number(&e, lr, "--lr");
        eq_add(&e, "·", " \\cdot ");
        eq_tensor(&e, &d.db, true, "∂L/∂b");
        eq_emit(&r, &e);
    }
    report_matrix_quantity(&r, "W_new", "W_new", &w_new);
    report_quantity(&r, "b_new", "b_new", &b_new);
    report_matrix(&r, "z_new = W_new x + b_new", &z_new);
    report_scalar(&r, "loss_after", "L_after", loss_after);
    double xx = 1.0;
    for (int j = 0; j < d.m; j++) xx += d.x.data[j] * d.x.data[j];
    char xxs[80], lrs[80], dz0[80], move[80];
    format_number(xxs, sizeof xxs, xx, "x·x + 1");
    format_number(lrs, sizeof lrs, lr, "--lr");
    factor(dz0, sizeof dz0, d.dz.data[0], "∂L/∂z");
    format_number(move, sizeof move, z_new.data[0] - d.z.data[0], "the step");
    report_text(&r, "Why z moves as far as it does: row i of ∂L/∂W is ∂L/∂z_i·xᵀ, so the step changes z_i by "
                    "−η ∂L/∂z_i (x·x + 1). For z_0 that is −%s·%s·%s = %s.%s",
                lrs, dz0, xxs, move,
                xx > 100 ? " The unscaled x makes x·x large, so even η = 0.1 is a big step: scaled inputs or a "
                           "smaller --lr move less."
                         : "");
    char detail[256], l0[64], l1[64];
    format_number(l0, sizeof l0, d.loss, "L");
    format_number(l1, sizeof l1, loss_after, "L after the step");
    snprintf(detail, sizeof detail, "L went from %s to %s (η = %s)", l0, l1, lrs);
    report_verdict(&r, "the loss fell", loss_after < d.loss, detail);

    // ---- 3.7 erratum
    report_heading(&r, "3.7 Erratum: the gradient without σ′");
    erratum_linear_output(&r, &d, lr);
    erratum_missing_sigmoid_derivative(&r, &d, &numerical_dW);

    // ---- 3.8 two outputs
    report_heading(&r, "3.8 Two outputs: every shape visible");
    report_text(&r, "With one output, ∂L/∂z is a single number, the outer product is a single row and the sum "
                    "over outputs has one term, so three classic mistakes (a missing 1/n, a swapped outer product, "
                    "W in place of Wᵀ) give the right numbers by accident. Here n = 2 outputs and m = 3 inputs: W "
                    "and ∂L/∂W are 2x3, x and ∂L/∂x have 3 entries, z, b, y and ∂L/∂z have 2.");
    report_matrix(&r, "x", &wide.x);
    report_matrix(&r, "W", &wide.W);
    report_matrix(&r, "b", &wide.b);
    report_matrix(&r, "y", &wide.y);
    show_forward(&r, &wide, false);
    if (opt.bug) report_text(&r, "--bug %s: the gradients below come from the code with that mistake.", opt.bug);
    show_backward_compact(&r, &wide, "n = 2");

    // ---- 3.9 square W
    report_heading(&r, "3.9 Wᵀ, not W: a square W");
    report_text(&r, "With a square W, W ∂L/∂z has exactly the shape of x, so no shape check can catch a missing "
                    "transpose; only the numbers can. The running x = [29 35] with a second output neuron:");
    report_matrix(&r, "W", &square.W);
    report_matrix(&r, "b", &square.b);
    report_matrix(&r, "y", &square.y);
    report_matrix(&r, "z", &square.z);
    report_matrix(&r, "∂L/∂z", &square.dz);
    Tensor wt = tensor_alloc(1, 2, 2), right = tensor_alloc(1, 1, 2), wrong = tensor_alloc(1, 1, 2);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            *tensor_at(&wt, 0, j, i) = *tensor_at(&square.W, 0, i, j);
            right.data[j] += *tensor_at(&square.W, 0, i, j) * square.dz.data[i];
            wrong.data[j] += *tensor_at(&square.W, 0, j, i) * square.dz.data[i];
        }
    report_matrix(&r, "Wᵀ", &wt);
    report_matrix(&r, "Wᵀ ∂L/∂z", &right);
    report_matrix(&r, "W ∂L/∂z", &wrong);
    report_text(&r, "Wᵀ ∂L/∂z is right (entry j sums column j of W); W ∂L/∂z sums rows instead. The code's ∂L/∂x:");
    report_matrix(&r, "∂L/∂x", &square.dx);
    check_gradient(&r, "∂L/∂x (square W)", &square, &square.x, &square.dx, NULL);

    int status = report_finish(&r);
    Tensor *all[] = {&w_new, &b_new, &z_new, &numerical_dW, &wt, &right, &wrong};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
    dense_free(&d);
    dense_free(&wide);
    dense_free(&square);
    options_free(&opt);
    return status;
}
