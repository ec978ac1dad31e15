#include "dense_case.h"

#include <math.h>
#include <stdio.h>

#include "arraylen.h"
#include "dense.h"
#include "loss.h"
#include "mathfn.h"
#include "options.h"
#include "plotfile.h"

// Beyond this many entries in W, the equations with numbers get too wide.
#define INLINE_MAX_ENTRIES 6
// Written-out entries ("∂L/∂W[0,1] = ... = ...") beyond this are summarised.
#define MAX_WRITTEN_ENTRIES 6
// Terms of a written-out sum; the rest is "+ …".
#define MAX_WRITTEN_TERMS 6
// Points on the line L(θ − η g) in the --plot data, log-spaced in η.
#define PLOT_POINTS 241


// Takes ownership of x, W, b and y.
void dense_case_init(DenseCase *d, Tensor x, Tensor W, Tensor b, Tensor y) {
    *d = (DenseCase){.n = W.h, .m = W.w, .x = x, .W = W, .b = b, .y = y};
    d->z = tensor_alloc(1, 1, d->n);
    d->yhat = tensor_alloc(1, 1, d->n);
    d->dz = tensor_alloc(1, 1, d->n);
    d->dW = tensor_alloc(1, d->n, d->m);
    d->dx = tensor_alloc(1, 1, d->m);
    d->db = tensor_alloc(1, 1, d->n);
}

void dense_case_free(DenseCase *d) {
    Tensor *all[] = {&d->x, &d->W, &d->b, &d->y, &d->z, &d->yhat, &d->dz, &d->dW, &d->dx, &d->db};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}


// ---------------------------------------------------------------- the loss as the checker sees it



// Output i's term of L = (1/n) Σ_i [softplus(z_i) − y_i z_i], and its
// round-off scale: the magnitudes summed into it, plus those summed into
// z_i (a rounding of z_i moves the term by |σ(z_i) − y_i| per unit).
static double output_term(const LossCtx *c, int i, double *scale) {
    const DenseCase *d = c->d;
    double z = 0.0, zmag = 0.0;
    if (c->block == BLOCK_Z) {
        z = c->z[i];
    } else {
        z = d->b.data[i];
        zmag = fabs(z);
        for (int j = 0; j < d->m; j++) {
            double t = d->W.data[i * d->m + j] * d->x.data[j];
            z += t;
            zmag += fabs(t);
        }
    }
    double y = d->y.data[i], sp = softplus(z), base = 0.0;
    if (c->z0) {
        // The same z_i gives the same term bit for bit, so only z_i's own
        // rounding (which may have absorbed a tiny change) is uncertain.
        if (z == c->z0[i]) {
            *scale += fabs(sigmoid(z) - y) * zmag / d->n;
            return 0.0;
        }
        base = softplus(c->z0[i]) - y * c->z0[i]; // computed alike every time: its rounding cancels
    }
    *scale += (fabs(sp) + fabs(y * z) + fabs(sigmoid(z) - y) * zmag) / d->n;
    return ((sp - y * z) - base) / d->n;
}

double dense_loss_whole(void *ctx, double *scale) {
    LossCtx *c = ctx;
    double sum = 0.0;
    *scale = 0.0;
    for (int i = 0; i < c->d->n; i++) sum += output_term(c, i, scale);
    return sum;
}

// Entry k of W, b or z reaches one output only; an entry of x reaches all.
double dense_loss_local(void *ctx, int k, double *scale) {
    LossCtx *c = ctx;
    *scale = 0.0;
    switch (c->block) {
    case BLOCK_W: return output_term(c, k / c->d->m, scale);
    case BLOCK_B:
    case BLOCK_Z: return output_term(c, k, scale);
    case BLOCK_X: return dense_loss_whole(ctx, scale);
    }
    return 0.0;
}

double *dense_block_param(DenseCase *d, Block block, double *z) {
    switch (block) {
    case BLOCK_Z: return z;
    case BLOCK_W: return d->W.data;
    case BLOCK_X: return d->x.data;
    case BLOCK_B: return d->b.data;
    }
    return z;
}


// ---------------------------------------------------------------- worked lines

static bool fits_inline(const DenseCase *d) { return d->n * d->m <= INLINE_MAX_ENTRIES; }

static int shown_count(int total) { return total < MAX_WRITTEN_ENTRIES ? total : MAX_WRITTEN_ENTRIES; }

// "(and N more entries)" after the written-out lines, when some were left out.
static void more_entries(Lines *l, int shown, int total) {
    if (total > shown) {
        lines_addf(l, "(and %d more entries)", total - shown);
        lines_end(l);
    }
}

// z_i = Σ_j W[i,j]·x_j + b_i with the numbers, one output per line.
void dense_show_forward_lines(Report *r, const DenseCase *d) {
    Lines l = {.indent = 4};
    int terms = d->m < MAX_WRITTEN_TERMS ? d->m : MAX_WRITTEN_TERMS;
    for (int i = 0; i < shown_count(d->n); i++) {
        lines_addf(&l, "z_%d =", i);
        for (int j = 0; j < terms; j++) lines_addf(&l, "%s W[%d,%d]·x_%d", j ? " +" : "", i, j, j);
        lines_addf(&l, "%s + b_%d", d->m > terms ? " + …" : "", i);
        lines_end(&l);
        lines_add(&l, "    =");
        for (int j = 0; j < terms; j++) {
            char w[80], x[80];
            eq_factor(w, sizeof w, *tensor_at(&d->W, 0, i, j), "--W");
            eq_factor(x, sizeof x, d->x.data[j], "--x");
            lines_addf(&l, "%s %s·%s", j ? " +" : "", w, x);
        }
        char b[80], z[80];
        eq_factor(b, sizeof b, d->b.data[i], "--b");
        format_number(z, sizeof z, d->z.data[i], "z");
        lines_addf(&l, "%s + %s", d->m > terms ? " + …" : "", b);
        lines_addf(&l, " = %s", z);
        lines_end(&l);
    }
    more_entries(&l, shown_count(d->n), d->n);
    lines_emit(r, &l);
}

// Equal up to the last digits of a double: the worked lines only say "="
// where it holds.
static bool same_value(double a, double b) { return fabs(a - b) <= 1e-12 * fmax(fabs(a), fabs(b)); }

// ∂L/∂z_i written out: the article's ∂L/∂ŷ_i times σ′(z_i).
void dense_show_output_grad_lines(Report *r, const DenseCase *d) {
    Lines l = {.indent = 4};
    Tensor dyhat = tensor_alloc(1, 1, d->n);
    bce_grad_yhat(dyhat.data, d->y.data, d->yhat.data, d->n);
    for (int i = 0; i < shown_count(d->n); i++) {
        char dy[80], sp[80], yh[80], y[80], dz[80];
        double yhat = d->yhat.data[i];
        eq_factor(dy, sizeof dy, dyhat.data[i], "∂L/∂ŷ");
        eq_factor(sp, sizeof sp, yhat * (1 - yhat), "σ′(z)");
        format_number(yh, sizeof yh, yhat, "ŷ");
        format_number(y, sizeof y, d->y.data[i], "--y");
        format_number(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
        double right = (yhat - d->y.data[i]) / d->n, used = d->dz.data[i];
        char rs[80];
        format_number(rs, sizeof rs, right, "∂L/∂z");
        lines_addf(&l, "∂L/∂z_%d = ∂L/∂ŷ_%d · σ′(z_%d) = %s·%s", i, i, i, dy, sp);
        lines_addf(&l, " = (%s − %s)/%d", yh, y, d->n);
        lines_addf(&l, " = %s", rs);
        lines_end(&l);
        // A --bug run: say what the code used instead, never a false "=".
        if (!same_value(used, right)) {
            if (same_value(used, dyhat.data[i]))
                lines_addf(&l, "  the code uses ∂L/∂ŷ_%d = %s instead, without σ′(z_%d)", i, dz, i);
            else if (same_value(used, yhat - d->y.data[i]))
                lines_addf(&l, "  the code uses ŷ_%d − y_%d = %s instead, without the 1/%d", i, i, dz, d->n);
            else
                lines_addf(&l, "  the code uses %s instead", dz);
            lines_end(&l);
        }
    }
    more_entries(&l, shown_count(d->n), d->n);
    lines_emit(r, &l);
    tensor_free(&dyhat);
}

void dense_show_weight_grad_lines(Report *r, const DenseCase *d) {
    Lines l = {.indent = 4};
    int total = d->n * d->m;
    for (int k = 0; k < shown_count(total); k++) {
        int i = k / d->m, j = k % d->m;
        char dz[80], x[80], g[80];
        eq_factor(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
        eq_factor(x, sizeof x, d->x.data[j], "--x");
        format_number(g, sizeof g, d->dW.data[k], "∂L/∂W");
        lines_addf(&l, "∂L/∂W[%d,%d] = ∂L/∂z_%d · x_%d = %s·%s", i, j, i, j, dz, x);
        lines_addf(&l, " = %s", g);
        lines_end(&l);
    }
    more_entries(&l, shown_count(total), total);
    lines_emit(r, &l);
}

void dense_show_input_grad_lines(Report *r, const DenseCase *d) {
    Lines l = {.indent = 4};
    int terms = d->n < MAX_WRITTEN_TERMS ? d->n : MAX_WRITTEN_TERMS;
    for (int j = 0; j < shown_count(d->m); j++) {
        lines_addf(&l, "∂L/∂x_%d =", j);
        for (int i = 0; i < terms; i++) lines_addf(&l, "%s ∂L/∂z_%d·W[%d,%d]", i ? " +" : "", i, i, j);
        if (d->n > terms) lines_add(&l, " + …");
        lines_add(&l, " =");
        for (int i = 0; i < terms; i++) {
            char dz[80], w[80];
            eq_factor(dz, sizeof dz, d->dz.data[i], "∂L/∂z");
            eq_factor(w, sizeof w, *tensor_at(&d->W, 0, i, j), "--W");
            lines_addf(&l, "%s %s·%s", i ? " +" : "", dz, w);
        }
        char g[80];
        format_number(g, sizeof g, d->dx.data[j], "∂L/∂x");
        if (d->n > terms) lines_add(&l, " + …");
        lines_addf(&l, " = %s", g);
        lines_end(&l);
    }
    more_entries(&l, shown_count(d->m), d->m);
    lines_emit(r, &l);
}

// "∂L/∂W = ∂L/∂z · xᵀ = [..]·[..]" with the numbers, when they fit.
void dense_show_weight_grad_product(Report *r, const DenseCase *d) {
    Eq e;
    eq_begin(&e, "∂L/∂W = ∂L/∂z · xᵀ",
             "\\frac{\\partial L}{\\partial W} = \\frac{\\partial L}{\\partial z}\\, x^{\\mathsf{T}}");
    if (fits_inline(d)) {
        eq_add(&e, " = ", " = ");
        eq_tensor(&e, &d->dz, true, "∂L/∂z");
        eq_add(&e, "·", "");
        eq_tensor(&e, &d->x, false, "--x");
    }
    eq_emit(r, &e);
}

void dense_show_input_grad_product(Report *r, const DenseCase *d) {
    Eq e;
    eq_begin(&e, "∂L/∂x = Wᵀ ∂L/∂z",
             "\\frac{\\partial L}{\\partial x} = W^{\\mathsf{T}} \\frac{\\partial L}{\\partial z}");
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


// ---------------------------------------------------------------- gradient descent

// W − η ∂L/∂W and b − η ∂L/∂b into W_new and b_new (caller-allocated, or
// NULL for scratch), z at the new parameters into z_new; returns L there.
double dense_loss_after_step(const DenseCase *d, double eta, Tensor *W_new, Tensor *b_new, Tensor *z_new) {
    Tensor w = tensor_alloc_like(&d->W), b = tensor_alloc_like(&d->b), z = tensor_alloc_like(&d->z);
    for (size_t k = 0; k < tensor_size(&w); k++) w.data[k] = d->W.data[k] - eta * d->dW.data[k];
    for (int i = 0; i < d->n; i++) b.data[i] = d->b.data[i] - eta * d->db.data[i];
    require_finite(&w, "--lr");
    dense_forward(z.data, d->x.data, w.data, b.data, d->n, d->m);
    require_finite(&z, "--lr");
    double loss = bce_loss_logits(d->y.data, z.data, d->n);
    if (W_new) tensor_copy(W_new, &w);
    if (b_new) tensor_copy(b_new, &b);
    if (z_new) tensor_copy(z_new, &z);
    tensor_free(&w);
    tensor_free(&b);
    tensor_free(&z);
    return loss;
}

// ‖g‖² over (W, b), and M = (‖x‖² + 1)/(4n): the Hessian of L in (W_i, b_i)
// is (σ′(z_i)/n)·[x;1][x;1]ᵀ with σ′ ≤ 1/4, so M bounds L's curvature along
// any direction, and a step η ≤ 1/M lowers L by at least η‖g‖²/2.
double dense_grad_norm2(const DenseCase *d) {
    double s = 0.0;
    for (size_t k = 0; k < tensor_size(&d->dW); k++) s += d->dW.data[k] * d->dW.data[k];
    for (int i = 0; i < d->n; i++) s += d->db.data[i] * d->db.data[i];
    return s;
}

double dense_curvature_bound(const DenseCase *d) {
    double xx = 1.0;
    for (int j = 0; j < d->m; j++) xx += d->x.data[j] * d->x.data[j];
    return xx / (4.0 * d->n);
}

// --plot: L along −g against η (log-spaced), with the first-order line and
// the guaranteed bound; a last column holds L where it rose above L(0).
void dense_write_descent_plot(const char *dir, const DenseCase *d, double lr) {
    double g2 = dense_grad_norm2(d), M = dense_curvature_bound(d);
    double lo = fmin(lr, 1.0 / M) / 100.0, hi = fmax(lr, 1.0 / M) * 100.0;
    FILE *f = plot_file_open(dir, "chapter3_descent.dat");
    fprintf(f, "# eta L(theta-eta*g) first_order guaranteed_bound L_if_above_L0   (L0 = %.17g, eta = %.17g, "
               "1/M = %.17g)\n",
            d->loss, lr, 1.0 / M);
    for (int k = 0; k < PLOT_POINTS; k++) {
        double eta = lo * wb_pow(hi / lo, k / (PLOT_POINTS - 1.0));
        double l = dense_loss_after_step(d, eta, NULL, NULL, NULL);
        fprintf(f, "%.17g %.17g %.17g %.17g ", eta, l, d->loss - eta * g2, d->loss - eta * g2 + M * eta * eta * g2 / 2);
        if (l > d->loss) fprintf(f, "%.17g\n", l);
        else fprintf(f, "-\n");
    }
    plot_file_close(f, dir, "chapter3_descent.dat");
    f = plot_file_open(dir, "chapter3_marks.dat");
    fprintf(f, "# eta L label (first row: eta = 0, the loss before the step)\n0 %.17g \"L(0)\"\n", d->loss);
    fprintf(f, "%.17g %.17g \"1/M\"\n%.17g %.17g \"--lr\"\n", 1.0 / M,
            dense_loss_after_step(d, 1.0 / M, NULL, NULL, NULL), lr, dense_loss_after_step(d, lr, NULL, NULL, NULL));
    plot_file_close(f, dir, "chapter3_marks.dat");
}

// The same curve drawn inline by --format html: L along −g against η (log
// axis) beside its first-order prediction L − η‖g‖², as long as that is
// not negative.
#define CHART_POINTS 61
void dense_descent_chart(Report *r, const DenseCase *d, double lr) {
    double g2 = dense_grad_norm2(d), M = dense_curvature_bound(d);
    double lo = fmin(lr, 1.0 / M) / 100.0, hi = fmax(lr, 1.0 / M) * 100.0;
    double eta[CHART_POINTS], loss[CHART_POINTS], first[CHART_POINTS];
    int n_first = 0;
    for (int k = 0; k < CHART_POINTS; k++) {
        eta[k] = lo * wb_pow(hi / lo, k / (CHART_POINTS - 1.0));
        loss[k] = dense_loss_after_step(d, eta[k], NULL, NULL, NULL);
        first[k] = d->loss - eta[k] * g2;
        if (first[k] >= 0.0) n_first = k + 1; // below 0 the prediction says nothing more
    }
    SvgSeries s[] = {{"L(θ − η g)", eta, loss, CHART_POINTS}, {"L − η‖g‖² (first order)", eta, first, n_first}};
    SvgAxes axes = {"The loss along −g against the step η", "step η (log scale)", "loss L", true, false};
    report_curves(r, &axes, s, 2);
}

// ---------------------------------------------------------------- a batch, and two layers

double dense_batch_loss(void *ctx, double *scale) {
    const DenseBatch *c = ctx;
    double sum = 0.0;
    *scale = 0.0;
    for (int e = 0; e < c->B; e++)
        for (int i = 0; i < c->n; i++) {
            double z = c->b[i], zmag = fabs(z);
            for (int j = 0; j < c->m; j++) {
                z += c->W[i * c->m + j] * c->X[e * c->m + j];
                zmag += fabs(c->W[i * c->m + j] * c->X[e * c->m + j]);
            }
            double y = c->Y[e * c->n + i], sp = softplus(z), w = 1.0 / ((double)c->B * c->n);
            sum += w * (sp - y * z);
            *scale += w * (fabs(sp) + fabs(y * z) + fabs(sigmoid(z) - y) * zmag);
        }
    return sum;
}

double dense_two_layer_loss(void *ctx, double *scale) {
    const TwoLayer *c = ctx;
    double z2 = c->b2, mag = fabs(z2);
    for (int k = 0; k < c->h; k++) {
        double z1 = c->b1[k], mag1 = fabs(z1);
        for (int j = 0; j < c->m; j++) {
            z1 += c->W1[k * c->m + j] * c->x[j];
            mag1 += fabs(c->W1[k * c->m + j] * c->x[j]);
        }
        double hk = sigmoid(z1);
        z2 += c->W2[k] * hk;
        mag += fabs(c->W2[k]) * (hk + 0.25 * mag1); // σ′ ≤ 1/4 carries z1's rounding on
    }
    double sp = softplus(z2);
    *scale = fabs(sp) + fabs(c->y * z2) + fabs(sigmoid(z2) - c->y) * mag;
    return sp - c->y * z2;
}

// ---------------------------------------------------------------- statements computed from the numbers

// What the step with η did, in words computed from the numbers.
void dense_describe_step(Report *r, const DenseCase *d, double lr, double after, const Tensor *z_new,
                          bool gradients_passed) {
    double g2 = dense_grad_norm2(d), M = dense_curvature_bound(d), predicted = d->loss - lr * g2;
    char l0[64], l1[64], lrs[64], pr[64], ratio[64], safe[64];
    format_number(l0, sizeof l0, d->loss, "L");
    format_number(l1, sizeof l1, after, "L after the step");
    format_number(lrs, sizeof lrs, lr, "--lr");
    format_number(pr, sizeof pr, predicted, "the first-order prediction");
    format_number(ratio, sizeof ratio, lr * M, "η·M");
    format_number(safe, sizeof safe, 1.0 / M, "1/M");
    if (after > d->loss) {
        report_text(r, "η = %s overshoots: L rose from %s to %s; %s. The step is %s times 1/M = %s.", lrs, l0, l1,
                    gradients_passed ? "the gradients passed their checks above"
                                     : "the gradient checks above failed as well",
                    ratio, safe);
        return;
    }
    if (lr * M <= 1.0) {
        report_text(r, "η = %s is within 1/M = %s, so this step is guaranteed to lower L; the first-order "
                       "prediction was %s, and L went from %s to %s.",
                    lrs, safe, pr, l0, l1);
        return;
    }
    int far = 0;
    for (int i = 1; i < d->n; i++)
        if (fabs(z_new->data[i]) > fabs(z_new->data[far])) far = i;
    double s = sigmoid(z_new->data[far]) * sigmoid(-z_new->data[far]); // σ′ without 1 − 1 = 0
    char zo[64], zn[64], sp[64];
    format_number(zo, sizeof zo, d->z.data[far], "z");
    format_number(zn, sizeof zn, z_new->data[far], "z after the step");
    format_number(sp, sizeof sp, s, "σ′(z)");
    report_text(r, "η = %s is %s times 1/M = %s, beyond the step guaranteed to lower L, yet this one lowered it: "
                   "L went from %s to %s. The first-order prediction, %s, %s: this far out the linear model of "
                   "L says little. L fell because z_%d moved from %s to %s, where σ′(z_%d) = %s%s.",
                lrs, ratio, safe, l0, l1, pr, predicted < 0 ? "is not even a possible loss" : "is far off", far, zo,
                zn, far, sp, s < 1e-3 ? ": the neuron saturates, and its next gradient all but vanishes" : "");
}

