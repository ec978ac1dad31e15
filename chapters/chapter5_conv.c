// Chapter 5: the gradients of the convolution layer.
//
// Follows the article's "Backpropagation Through the Convolution Layer": the
// kernel, input and bias gradients of Y = X ⋆ K + b on the running example,
// with the upstream gradient ∂L/∂Y that chapters 3 and 4 send back. Then the
// three equal forms of ∂L/∂X (why the kernel is rotated), and what the
// article leaves out: stride, padding, dilation and several channels, with
// every combination checked against finite differences.
//
// Shapes: X is (C_in,H,W), K is (C_out,C_in,kh,kw) stored as a Tensor of
// C_out·C_in channels, b is (C_out), Y and ∂L/∂Y are (C_out,H_out,W_out).
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "pool.h"
#include "report.h"
#include "rng.h"
#include "tensor.h"

// The three forms of ∂L/∂X add the same products K·∂L/∂Y in different
// orders; each entry sums at most kh·kw·C_out of them, so they agree to a
// few hundred ulps of the largest sum of magnitudes, far below this.
#define FORMS_REL_TOL 1e-12
// The gradient-descent step. The chain's loss falls for any small step; 0.1
// moves K by a few hundredths, visible in the printed loss yet far from
// moving a pooling window's maximum.
#define LEARNING_RATE 0.1
// The convolution matrix C has H_out·W_out·H·W entries: printed up to this
// many columns, built at all up to CONV_MATRIX_MAX_ENTRIES (256 MB of doubles
// would be absurd for a teaching aid; 4M entries is 32 MB).
#define CONV_MATRIX_PRINT_COLS 24
#define CONV_MATRIX_MAX_ENTRIES 4000000L
// Terms written out in one entry's sum before the rest is elided.
#define MAX_WRITTEN_TERMS 8

static const BugInfo BUGS[] = {
    {"no-rot180", "∂L/∂X: the padded ∂L/∂Y cross-correlated with K itself, not rot180(K)"},
    {"valid-not-full", "∂L/∂X: ∂L/∂Y not zero-padded, so only the interior of ∂L/∂X is filled"},
    {"no-dilate", "∂L/∂X: with stride > 1, no zeros inserted between the entries of ∂L/∂Y"},
    {"bias-one-axis", "∂L/∂b: the sum over j only (the first row of ∂L/∂Y), as the article writes"},
};

typedef enum { BUG_NONE, BUG_NO_ROT180, BUG_VALID_NOT_FULL, BUG_NO_DILATE, BUG_BIAS_ONE_AXIS } Bug;
static Bug active_bug = BUG_NONE;

// ---------------------------------------------------------------- small tensor helpers

static Tensor slice(const Tensor *t, int c) { return tensor_view(t->data + (size_t)c * t->h * t->w, 1, t->h, t->w); }

static Tensor pad_tensor(const Tensor *t, int ph, int pw) {
    Tensor out = tensor_alloc(1, t->h + 2 * ph, t->w + 2 * pw);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) *tensor_at(&out, 0, i + ph, j + pw) = *tensor_at(t, 0, i, j);
    return out;
}

static double max_abs(const Tensor *t) {
    double m = 0.0;
    for (size_t i = 0; i < tensor_size(t); i++) m = fmax(m, fabs(t->data[i]));
    return m;
}

static double sum_abs(const Tensor *t) {
    double m = 0.0;
    for (size_t i = 0; i < tensor_size(t); i++) m += fabs(t->data[i]);
    return m;
}

static double max_abs_difference(const Tensor *a, const Tensor *b) {
    double m = 0.0;
    for (size_t i = 0; i < tensor_size(a); i++) m = fmax(m, fabs(a->data[i] - b->data[i]));
    return m;
}

static const char *plural(int n) { return n == 1 ? "" : "s"; }

// ---------------------------------------------------------------- the gradients, with the bugs beside them

// ∂L/∂b = Σ_i Σ_j ∂L/∂Y[i,j]: b is added to every output entry.
static double bias_grad(const Tensor *dy) {
    double sum = 0.0;
    for (size_t i = 0; i < tensor_size(dy); i++) sum += dy->data[i];
    return sum;
}

// Bug "bias-one-axis": the article's Σ_j alone, which leaves i free; the
// gradient is taken from the first row.
static double bias_grad_one_axis(const Tensor *dy) {
    double sum = 0.0;
    for (int j = 0; j < dy->w; j++) sum += *tensor_at(dy, 0, 0, j);
    return sum;
}

static double bias_gradient(const Tensor *dy) {
    return active_bug == BUG_BIAS_ONE_AXIS ? bias_grad_one_axis(dy) : bias_grad(dy);
}

// For stride s, output (i,j) read input s·i: walking back, the gradient lands
// on every s-th position, so s−1 zeros go between the entries of ∂L/∂Y.
static Tensor upstream_dilated(const Tensor *dy, int s) {
    Tensor out = tensor_alloc(1, s * (dy->h - 1) + 1, s * (dy->w - 1) + 1);
    for (int i = 0; i < dy->h; i++)
        for (int j = 0; j < dy->w; j++) *tensor_at(&out, 0, i * s, j * s) = *tensor_at(dy, 0, i, j);
    return out;
}

// Bug "no-dilate": ∂L/∂Y used as it is, as if the stride were 1.
static Tensor upstream_not_dilated(const Tensor *dy) { return tensor_clone(dy); }

static Tensor upstream_spread(const Tensor *dy, int s) {
    return active_bug == BUG_NO_DILATE ? upstream_not_dilated(dy) : upstream_dilated(dy, s);
}

// Full convolution: every position where the kernel overlaps ∂L/∂Y at all,
// so ∂L/∂Y gets the kernel's (dilated) span minus one of zeros on each side.
static Tensor upstream_padded(const Tensor *d, int ph, int pw) { return pad_tensor(d, ph, pw); }

// Bug "valid-not-full": no zero border, so the windows that hang over the
// edge of ∂L/∂Y, which feed X's border, are lost.
static Tensor upstream_unpadded(const Tensor *d) { return tensor_clone(d); }

static Tensor upstream_for_full(const Tensor *d, int ph, int pw) {
    return active_bug == BUG_VALID_NOT_FULL ? upstream_unpadded(d) : upstream_padded(d, ph, pw);
}

static Tensor kernel_rotated(const Tensor *k) {
    Tensor out = tensor_alloc_like(k);
    tensor_rot180(&out, k);
    return out;
}

// Bug "no-rot180": K itself where rot180(K) belongs.
static Tensor kernel_not_rotated(const Tensor *k) { return tensor_clone(k); }

static Tensor kernel_for_full(const Tensor *k) {
    return active_bug == BUG_NO_ROT180 ? kernel_not_rotated(k) : kernel_rotated(k);
}

// Printing of the steps of input_grad_full, for the sections that show them.
typedef struct {
    Report *r;
    const char *key_prefix; // NULL: the steps are displayed only
} Show;

static void show_tensor(const Show *sh, const char *key, const char *label, const Tensor *t) {
    if (!sh || !sh->r) return;
    if (sh->key_prefix) {
        char k[96];
        snprintf(k, sizeof k, "%s%s", sh->key_prefix, key);
        report_quantity(sh->r, k, label, t);
    } else {
        report_matrix(sh->r, label, t);
    }
}

// dx += ∂L/∂X of one input channel from one output channel, as a full
// convolution:
//   1. insert s−1 zeros between the entries of ∂L/∂Y (stride s)
//   2. zero-pad by d(kh−1), d(kw−1)
//   3. cross-correlate with rot180(K), its taps d apart (dilation d)
//   4. the result is the gradient of the padded input, short of the leftover
//      rows/columns no window reached (they get zero)
//   5. crop the padding p back off
// dy is (H_out,W_out), k is (kh,kw), dx is (H,W).
static void input_grad_full(double *dx, const double *dy, const double *k, const ConvShape *s, const Show *sh) {
    const int d = s->dilation, fh = d * (s->kh - 1), fw = d * (s->kw - 1);
    Tensor dyv = tensor_view((double *)dy, 1, s->out_h, s->out_w), kv = tensor_view((double *)k, 1, s->kh, s->kw);
    Tensor spread = upstream_spread(&dyv, s->stride);
    Tensor padded = upstream_for_full(&spread, fh, fw);
    Tensor rot = kernel_for_full(&kv);
    // Where padded[0,0] sits in the full result's coordinates: 0 when padded
    // by (fh, fw) as it should be.
    int off_h = fh - (padded.h - spread.h) / 2, off_w = fw - (padded.w - spread.w) / 2;
    int ph = s->in_h + 2 * s->pad_h, pw = s->in_w + 2 * s->pad_w;
    int reached_h = s->stride * (s->out_h - 1) + 1 + fh, reached_w = s->stride * (s->out_w - 1) + 1 + fw;
    Tensor grad_padded = tensor_alloc(1, ph, pw);
    Tensor result = {0};
    ConvShape t;
    if (conv_shape_init(&t, 1, padded.h, padded.w, 1, s->kh, s->kw, 1, 0, 0, d)) {
        result = tensor_alloc(1, t.out_h, t.out_w);
        const double no_bias = 0.0;
        conv_forward(result.data, padded.data, rot.data, &no_bias, &t);
        for (int i = 0; i < result.h && i + off_h < ph; i++)
            for (int j = 0; j < result.w && j + off_w < pw; j++)
                *tensor_at(&grad_padded, 0, i + off_h, j + off_w) = *tensor_at(&result, 0, i, j);
    }
    for (int i = 0; i < s->in_h; i++)
        for (int j = 0; j < s->in_w; j++) dx[i * s->in_w + j] += *tensor_at(&grad_padded, 0, i + s->pad_h, j + s->pad_w);

    if (sh && sh->r) {
        char label[160];
        if (s->stride > 1) {
            snprintf(label, sizeof label, "∂L/∂Y with %d zero%s between entries", s->stride - 1, plural(s->stride - 1));
            report_text(sh->r, "Stride %d: output (i,j) read the input from row %d·i, column %d·j, so going back, the "
                               "gradients land %d apart. Insert %d zero%s between the entries:",
                        s->stride, s->stride, s->stride, s->stride, s->stride - 1, plural(s->stride - 1));
            if (active_bug == BUG_NO_DILATE)
                report_text(sh->r, "--bug no-dilate: the zeros are left out, so the gradients land s times too close "
                                   "together.");
            show_tensor(sh, "upstream_dilated", label, &spread);
        }
        if (padded.h == spread.h)
            report_text(sh->r, "--bug valid-not-full: ∂L/∂Y is NOT zero-padded, so only windows lying inside it "
                               "count:");
        else
            report_text(sh->r, "Zero-pad by %s(kh−1) = %d row%s and %s(kw−1) = %d column%s on each side, so that every "
                               "position where the kernel overlaps ∂L/∂Y at all produces an entry:",
                        d > 1 ? "d·" : "", fh, plural(fh), d > 1 ? "d·" : "", fw, plural(fw));
        snprintf(label, sizeof label, "∂L/∂Y %s", padded.h == spread.h ? "(not padded)" : "zero-padded");
        show_tensor(sh, "upstream_padded", label, &padded);
        show_tensor(sh, "kernel_rot180", active_bug == BUG_NO_ROT180 ? "K (--bug no-rot180: not rotated)" : "rot180(K)",
                    &rot);
        if (d > 1)
            report_text(sh->r, "Dilation %d: the taps of rot180(K) are %d apart, as they were in the forward pass.", d, d);
        if (result.data) {
            snprintf(label, sizeof label, "padded ∂L/∂Y ⋆ %s", active_bug == BUG_NO_ROT180 ? "K" : "rot180(K)");
            show_tensor(sh, "full_convolution", label, &result);
        }
        int left_h = ph - reached_h, left_w = pw - reached_w;
        if (left_h > 0 || left_w > 0 || s->pad_h > 0 || s->pad_w > 0) {
            if (left_h > 0 || left_w > 0)
                report_text(sh->r, "(H + 2p − d(kh−1) − 1) = %d and (W + 2p − d(kw−1) − 1) = %d leave %d row%s and %d "
                                   "column%s over at the bottom and right that no window reached: they get zero "
                                   "gradient.",
                            ph - 1 - fh, pw - 1 - fw, left_h, plural(left_h), left_w, plural(left_w));
            snprintf(label, sizeof label, "∂L/∂X_padded (%dx%d)", ph, pw);
            show_tensor(sh, "dX_padded", label, &grad_padded);
            if (s->pad_h > 0 || s->pad_w > 0)
                report_text(sh->r, "That is the gradient of the padded input. The padding is not a parameter: crop %d "
                                   "row%s and %d column%s off each side to get ∂L/∂X.",
                            s->pad_h, plural(s->pad_h), s->pad_w, plural(s->pad_w));
        }
    }
    tensor_free(&spread);
    tensor_free(&padded);
    tensor_free(&rot);
    tensor_free(&result);
    tensor_free(&grad_padded);
}

// dk += ∂L/∂K for one (output, input) channel pair:
//   ∂L/∂K[m,n] = Σ_i Σ_j ∂L/∂Y[i,j] · X_padded[i·s + m·d, j·s + n·d],
// a cross-correlation of X with ∂L/∂Y in which stride and dilation trade
// places: ∂L/∂Y's entries are s apart on X, the result's entries d apart.
// A leftover row makes that correlation one entry longer per d; K's part is
// the first kh×kw.
static void kernel_grad(double *dk, const double *x, const double *dy, const ConvShape *s) {
    ConvShape t;
    conv_shape_init(&t, 1, s->in_h, s->in_w, 1, s->out_h, s->out_w, s->dilation, s->pad_h, s->pad_w, s->stride);
    Tensor full = tensor_alloc(1, t.out_h, t.out_w);
    const double no_bias = 0.0;
    conv_forward(full.data, x, dy, &no_bias, &t);
    for (int m = 0; m < s->kh; m++)
        for (int n = 0; n < s->kw; n++) dk[m * s->kw + n] += *tensor_at(&full, 0, m, n);
    tensor_free(&full);
}

// All three gradients of a multi-channel layer (dx, dk, db zeroed by the caller).
static void layer_grads(Tensor *dx, Tensor *dk, Tensor *db, const Tensor *x, const Tensor *k, const Tensor *dy,
                        const ConvShape *s) {
    for (int o = 0; o < s->out_c; o++) {
        Tensor g = slice(dy, o);
        db->data[o] += bias_gradient(&g);
        for (int c = 0; c < s->in_c; c++) {
            Tensor xc = slice(x, c), kc = slice(k, o * s->in_c + c), dkc = slice(dk, o * s->in_c + c),
                   dxc = slice(dx, c);
            kernel_grad(dkc.data, xc.data, g.data, s);
            input_grad_full(dxc.data, g.data, kc.data, s, NULL);
        }
    }
}

// ---------------------------------------------------------------- the other two forms of ∂L/∂X

// C, (H_out·W_out) × (H·W), with Y = C·vec(X) + b: column q is the layer's
// (bias-free) response to the q-th unit input, so C is built from the
// forward pass alone.
static Tensor conv_matrix(const Tensor *k, const ConvShape *s) {
    int rows = s->out_h * s->out_w, cols = s->in_h * s->in_w;
    Tensor c = tensor_alloc(1, rows, cols), unit = tensor_alloc(1, s->in_h, s->in_w), out = tensor_alloc(1, s->out_h, s->out_w);
    const double no_bias = 0.0;
    for (int q = 0; q < cols; q++) {
        unit.data[q] = 1.0;
        conv_forward(out.data, unit.data, k->data, &no_bias, s);
        unit.data[q] = 0.0;
        for (int row = 0; row < rows; row++) *tensor_at(&c, 0, row, q) = out.data[row];
    }
    tensor_free(&unit);
    tensor_free(&out);
    return c;
}

// dx = Cᵀ·vec(∂L/∂Y).
static void transpose_times(Tensor *dx, const Tensor *c, const Tensor *dy) {
    for (int q = 0; q < c->w; q++) {
        double sum = 0.0;
        for (int row = 0; row < c->h; row++) sum += *tensor_at(c, 0, row, q) * dy->data[row];
        dx->data[q] = sum;
    }
}

// ---------------------------------------------------------------- numerical checks

// L = Σ G∘Y(X, K, b) for a fixed G: its gradient is what the layer's
// backward pass must return for ∂L/∂Y = G.
typedef struct {
    const ConvShape *s;
    Tensor *x, *k, *b;
    const Tensor *g;
    Tensor *y; // scratch, shape of g
} LayerProblem;

static double layer_loss(void *ctx) {
    LayerProblem *p = ctx;
    conv_forward(p->y->data, p->x->data, p->k->data, p->b->data, p->s);
    double sum = 0.0;
    for (size_t i = 0; i < tensor_size(p->g); i++) sum += p->g->data[i] * p->y->data[i];
    return sum;
}

typedef struct {
    Tensor dx, dk, db;
} Grads;

static Grads numerical_grads(LayerProblem *p) {
    Grads n = {tensor_alloc_like(p->x), tensor_alloc_like(p->k), tensor_alloc_like(p->b)};
    numerical_gradient(n.dx.data, p->x->data, (int)tensor_size(p->x), layer_loss, p, GRADCHECK_H);
    numerical_gradient(n.dk.data, p->k->data, (int)tensor_size(p->k), layer_loss, p, GRADCHECK_H);
    numerical_gradient(n.db.data, p->b->data, (int)tensor_size(p->b), layer_loss, p, GRADCHECK_H);
    return n;
}

static void grads_free(Grads *g) {
    tensor_free(&g->dx);
    tensor_free(&g->dk);
    tensor_free(&g->db);
}

static bool check_one(Report *r, const char *name, const Tensor *analytic, const Tensor *numerical) {
    CheckSummary s = compare_gradients(analytic->data, numerical->data, NULL, (int)tensor_size(analytic),
                                       GRADCHECK_REL_TOL);
    return report_check(r, name, analytic, numerical, NULL, s);
}

// ---------------------------------------------------------------- the chain of chapters 3 and 4

// Y (2x3) → 2x2 max-pool, stride 1 → p (2) → z = W·p + b_d → L = BCE(y, σ(z)).
typedef struct {
    double pooled[2];
    int argmax[2];
    double z, yhat, loss;
    double dz, dp[2];
} Chain;

static bool chain_fits(const ConvShape *s) { return s->out_c == 1 && s->out_h == 2 && s->out_w == 3; }

static double chain_forward(Chain *ch, const Tensor *y) {
    PoolShape ps;
    pool_shape_init(&ps, 1, y->h, y->w, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_STRIDE);
    maxpool_forward(ch->pooled, ch->argmax, y->data, &ps);
    double db = EXAMPLE_B;
    dense_forward(&ch->z, ch->pooled, EXAMPLE_W, &db, 1, 2);
    ch->yhat = sigmoid(ch->z);
    ch->loss = bce_loss_logits(&EXAMPLE_Y, &ch->z, 1);
    return ch->loss;
}

// dy += ∂L/∂Y of the chain, after chain_forward.
static void chain_backward(Chain *ch, Tensor *dy) {
    PoolShape ps;
    pool_shape_init(&ps, 1, dy->h, dy->w, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_STRIDE);
    bce_grad_logits(&ch->dz, &EXAMPLE_Y, &ch->z, 1);
    double dW[2] = {0, 0}, db = 0;
    ch->dp[0] = ch->dp[1] = 0;
    dense_backward(ch->dp, dW, &db, &ch->dz, ch->pooled, EXAMPLE_W, 1, 2);
    maxpool_backward(dy->data, ch->dp, ch->argmax, &ps);
}

static double chain_loss(const Tensor *x, const Tensor *k, const Tensor *b, const ConvShape *s) {
    Tensor y = tensor_alloc(1, s->out_h, s->out_w);
    conv_forward(y.data, x->data, k->data, b->data, s);
    Chain ch;
    double l = chain_forward(&ch, &y);
    tensor_free(&y);
    return l;
}

static double linear_loss(const Tensor *x, const Tensor *k, const Tensor *b, const Tensor *g, const ConvShape *s) {
    Tensor y = tensor_alloc_like(g);
    LayerProblem p = {s, (Tensor *)x, (Tensor *)k, (Tensor *)b, g, &y};
    double l = layer_loss(&p);
    tensor_free(&y);
    return l;
}

// ---------------------------------------------------------------- printing helpers

static void num(char *buf, size_t len, double v) { format_number(buf, len, v, "a gradient"); }

// "∂L/∂K[0,0] = Σ_i Σ_j ∂L/∂Y[i,j]·X[i·s, j·s] = 0·8 + … = v"
static void write_kernel_entry(Report *r, const Tensor *x, const Tensor *dy, const ConvShape *s, double value) {
    char buf[1024];
    size_t len = (size_t)snprintf(buf, sizeof buf, "∂L/∂K[0,0] =");
    int terms = 0;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            if (terms == MAX_WRITTEN_TERMS) {
                len += (size_t)snprintf(buf + len, sizeof buf - len, " + …");
                terms++;
            }
            if (terms > MAX_WRITTEN_TERMS) continue;
            int yy = i * s->stride - s->pad_h, xx = j * s->stride - s->pad_w;
            double xv = (yy >= 0 && yy < s->in_h && xx >= 0 && xx < s->in_w) ? *tensor_at(x, 0, yy, xx) : 0.0;
            double g = *tensor_at(dy, 0, i, j);
            char gs[40], xs[40];
            num(gs, sizeof gs, g);
            num(xs, sizeof xs, xv);
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s%s%s·%s%s%s", terms++ ? " +" : "", g < 0 ? "(" : "",
                                    gs, g < 0 ? ")" : "", xv < 0 ? "(" : "", xs, xv < 0 ? ")" : "");
        }
    char vs[40];
    num(vs, sizeof vs, value);
    snprintf(buf + len, sizeof buf - len, " = %s", vs);
    report_verbatim(r, "%s", buf);
}

static void output_size_lines(Report *r, const ConvShape *s) {
    int nh = s->in_h + 2 * s->pad_h - s->dilation * (s->kh - 1) - 1;
    int nw = s->in_w + 2 * s->pad_w - s->dilation * (s->kw - 1) - 1;
    report_equation(r, "H_out = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1", "H_{\\mathrm{out}} = \\left\\lfloor \\frac{H + 2p - d(k_h-1) - 1}{s} \\right\\rfloor + 1");
    report_verbatim(r,
                    "H_out = ⌊(%d + 2·%d − %d·(%d−1) − 1)/%d⌋ + 1 = ⌊%d/%d⌋ + 1 = %d\n"
                    "W_out = ⌊(%d + 2·%d − %d·(%d−1) − 1)/%d⌋ + 1 = ⌊%d/%d⌋ + 1 = %d",
                    s->in_h, s->pad_h, s->dilation, s->kh, s->stride, nh, s->stride, s->out_h, s->in_w, s->pad_w,
                    s->dilation, s->kw, s->stride, nw, s->stride, s->out_w);
}

// ---------------------------------------------------------------- plot data

static void write_data_file(const char *dir, const char *name, const Tensor *t) {
    FILE *f = plot_file_open(dir, name);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) fprintf(f, "%.17g%s", *tensor_at(t, 0, i, j), j + 1 < t->w ? " " : "\n");
    plot_file_close(f, dir, name);
}

static void write_plot_data(const char *dir, const Tensor *x, const Tensor *k, const Tensor *dx, const Tensor *dk,
                            const Tensor *touch) {
    write_data_file(dir, "chapter5_x.dat", x);
    write_data_file(dir, "chapter5_k.dat", k);
    write_data_file(dir, "chapter5_dx.dat", dx);
    write_data_file(dir, "chapter5_dk.dat", dk);
    write_data_file(dir, "chapter5_touch.dat", touch);
}

// ---------------------------------------------------------------- sections beyond the command-line example

// Stride 2 and padding 1 on the running example, step by step.
static void stride_section(Report *r, uint64_t seed) {
    report_heading(r, "5.7 Stride, padding and dilation");
    report_text(r, "The article's layer has stride 1 and no padding. Take the running X and K again, now with "
                   "stride s = 2 and zero padding p = 1:");
    if (active_bug == BUG_NO_DILATE)
        report_text(r, "--bug no-dilate only changes anything when s > 1: this section uses stride 2.");
    Tensor x = tensor_alloc(1, EXAMPLE_X_H, EXAMPLE_X_W), k = tensor_alloc(1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE);
    memcpy(x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    memcpy(k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    ConvShape s;
    conv_shape_init(&s, 1, x.h, x.w, 1, k.h, k.w, 2, 1, 1, 1);
    output_size_lines(r, &s);
    Tensor b = tensor_alloc(1, 1, 1), y = tensor_alloc(1, s.out_h, s.out_w), g = tensor_alloc(1, s.out_h, s.out_w);
    conv_forward(y.data, x.data, k.data, b.data, &s);
    report_matrix(r, "Y = X_padded ⋆ K, stride 2", &y);
    // Non-zero integers, so that every inserted zero stands out.
    Rng rng = rng_make(seed ^ 0x5151);
    for (size_t i = 0; i < tensor_size(&g); i++) {
        int v = rng_below(&rng, 6) - 3;
        g.data[i] = v >= 0 ? v + 1 : v;
    }
    report_text(r, "With a seeded upstream gradient G (L = Σ G∘Y):");
    report_quantity(r, "stride_example_upstream", "∂L/∂Y", &g);
    Tensor dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k), db = tensor_alloc(1, 1, 1);
    Show sh = {r, "stride_example_"};
    input_grad_full(dx.data, g.data, k.data, &s, &sh);
    kernel_grad(dk.data, x.data, g.data, &s);
    db.data[0] = bias_gradient(&g);
    report_quantity(r, "stride_example_dX", "∂L/∂X", &dx);
    report_text(r, "The kernel gradient is a cross-correlation of the padded X with ∂L/∂Y in which stride and "
                   "dilation trade places: the entries of ∂L/∂Y sit s apart on X, the entries of the result d apart.");
    report_equation(r, "∂L/∂K[m,n] = Σ_i Σ_j ∂L/∂Y[i,j] · X_padded[i·s + m·d, j·s + n·d]",
                    "\\frac{\\partial L}{\\partial K_{mn}} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}\\, "
                    "X^{\\mathrm{pad}}_{is+md,\\; js+nd}");
    report_quantity(r, "stride_example_dK", "∂L/∂K", &dk);
    report_quantity(r, "stride_example_db", "∂L/∂b", &db);
    Tensor scratch = tensor_alloc_like(&g);
    LayerProblem p = {&s, &x, &k, &b, &g, &scratch};
    Grads n = numerical_grads(&p);
    check_one(r, "∂L/∂X, stride 2, padding 1", &dx, &n.dx);
    check_one(r, "∂L/∂K, stride 2, padding 1", &dk, &n.dk);
    check_one(r, "∂L/∂b, stride 2, padding 1", &db, &n.db);
    grads_free(&n);

    // Leftovers that reach X itself: stride 2 without padding.
    ConvShape s0;
    conv_shape_init(&s0, 1, x.h, x.w, 1, k.h, k.w, 2, 0, 0, 1);
    Tensor g0 = tensor_alloc(1, s0.out_h, s0.out_w), dx0 = tensor_alloc_like(&x);
    for (size_t i = 0; i < tensor_size(&g0); i++) g0.data[i] = 1.0;
    input_grad_full(dx0.data, g0.data, k.data, &s0, NULL);
    report_text(r, "Without padding the leftover reaches X itself: stride 2, p = 0 gives a %dx%d output, (3 − 1 − 1) "
                   "= 1 is not a multiple of 2, and X's last row is never read. With ∂L/∂Y all ones:",
                s0.out_h, s0.out_w);
    report_matrix(r, "∂L/∂X (s = 2, p = 0)", &dx0);
    double last_row = 0.0;
    for (int j = 0; j < x.w; j++) last_row += fabs(*tensor_at(&dx0, 0, x.h - 1, j));
    report_verdict(r, "X's unread last row gets zero gradient", last_row == 0.0,
                   last_row == 0.0 ? "its four entries are exactly 0" : "it received a gradient");
    Tensor *all[] = {&x, &k, &b, &y, &g, &dx, &dk, &db, &scratch, &g0, &dx0};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

static void channels_section(Report *r, uint64_t seed) {
    report_heading(r, "5.8 Several input and output channels");
    report_text(r, "A real layer has C_in input channels and C_out kernels, each kernel (C_in, kh, kw): K is (C_out, "
                   "C_in, kh, kw), with one bias per output channel. Here C_in = 2 (the running X and a second "
                   "channel) and C_out = 2.");
    report_equation(r, "Y[o] = b[o] + Σ_c X[c] ⋆ K[o,c]      ∂L/∂K[o,c] = X[c] ⋆ ∂L/∂Y[o]      ∂L/∂b[o] = Σ_i Σ_j "
                       "∂L/∂Y[o,i,j]      ∂L/∂X[c] = Σ_o full(∂L/∂Y[o]) ⋆ rot180(K[o,c])",
                    "Y_o = b_o + \\sum_c X_c \\star K_{oc},\\quad \\frac{\\partial L}{\\partial K_{oc}} = X_c \\star "
                    "\\frac{\\partial L}{\\partial Y_o},\\quad \\frac{\\partial L}{\\partial b_o} = \\sum_{i,j} "
                    "\\frac{\\partial L}{\\partial Y_{oij}},\\quad \\frac{\\partial L}{\\partial X_c} = \\sum_o "
                    "\\mathrm{full}\\left(\\frac{\\partial L}{\\partial Y_o}\\right) \\star \\mathrm{rot180}(K_{oc})");
    static const double second[EXAMPLE_X_H * EXAMPLE_X_W] = {1, 0, 2, 1, 3, 1, 0, 2, 0, 2, 1, 1};
    static const double kernels[2 * 2 * 4] = {1, 1, 1, 2, 0, 1, -1, 0, 2, 0, 0, -1, 1, -1, 1, 1};
    ConvShape s;
    conv_shape_init(&s, 2, EXAMPLE_X_H, EXAMPLE_X_W, 2, 2, 2, 1, 0, 0, 1);
    Tensor x = tensor_alloc(2, EXAMPLE_X_H, EXAMPLE_X_W), k = tensor_alloc(4, 2, 2), b = tensor_alloc(1, 1, 2);
    memcpy(x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    memcpy(x.data + EXAMPLE_X_H * EXAMPLE_X_W, second, sizeof second);
    memcpy(k.data, kernels, sizeof kernels);
    b.data[1] = 0.5;
    Tensor y = tensor_alloc(2, s.out_h, s.out_w), g = tensor_alloc(2, s.out_h, s.out_w);
    conv_forward(y.data, x.data, k.data, b.data, &s);
    Rng rng = rng_make(seed ^ 0xC4A7);
    for (size_t i = 0; i < tensor_size(&g); i++) g.data[i] = rng_below(&rng, 7) - 3;
    report_matrix(r, "X", &x);
    for (int o = 0; o < 2; o++) {
        Tensor ko = tensor_view(k.data + o * 8, 2, 2, 2);
        char label[32];
        snprintf(label, sizeof label, "K[%d]", o);
        report_matrix(r, label, &ko);
    }
    report_matrix(r, "b", &b);
    report_matrix(r, "Y", &y);
    report_quantity(r, "channels_upstream", "∂L/∂Y", &g);

    Tensor dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k), db = tensor_alloc_like(&b);
    layer_grads(&dx, &dk, &db, &x, &k, &g, &s);
    report_text(r, "Each input channel feeds every output channel, so its gradient is a sum over the output "
                   "channels. The two contributions:");
    for (int o = 0; o < 2; o++) {
        Tensor part = tensor_alloc_like(&x);
        Tensor go = slice(&g, o);
        for (int c = 0; c < 2; c++) {
            Tensor kc = slice(&k, o * 2 + c), pc = slice(&part, c);
            input_grad_full(pc.data, go.data, kc.data, &s, NULL);
        }
        char label[64];
        snprintf(label, sizeof label, "∂L/∂X from Y[%d]", o);
        report_matrix(r, label, &part);
        tensor_free(&part);
    }
    report_quantity(r, "channels_dX", "∂L/∂X (their sum)", &dx);
    for (int o = 0; o < 2; o++) {
        Tensor dko = tensor_view(dk.data + o * 8, 2, 2, 2);
        char key[32], label[32];
        snprintf(key, sizeof key, "channels_dK%d", o);
        snprintf(label, sizeof label, "∂L/∂K[%d]", o);
        report_quantity(r, key, label, &dko);
    }
    report_quantity(r, "channels_db", "∂L/∂b (one per output channel)", &db);
    Tensor scratch = tensor_alloc_like(&g);
    LayerProblem p = {&s, &x, &k, &b, &g, &scratch};
    Grads n = numerical_grads(&p);
    check_one(r, "∂L/∂X, 2 → 2 channels", &dx, &n.dx);
    check_one(r, "∂L/∂K, 2 → 2 channels", &dk, &n.dk);
    check_one(r, "∂L/∂b, 2 → 2 channels", &db, &n.db);
    grads_free(&n);
    Tensor *all[] = {&x, &k, &b, &y, &g, &dx, &dk, &db, &scratch};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

// One seeded configuration: random sizes that fit, random values, all three
// gradients against central differences, and the scatter form against the
// full-convolution form. Returns the verdict.
static bool sweep_one(Report *r, Rng *rng, int stride, int pad, int dil, int cin, int cout) {
    int kh = 1 + rng_below(rng, 3), kw = 1 + rng_below(rng, 3);
    // The dilated kernel fits even before padding (less p, so that some
    // windows hang into the padding), plus up to two strides so that
    // leftovers occur.
    int span_h = dil * (kh - 1) + 1, span_w = dil * (kw - 1) + 1;
    int h = (span_h - pad > 1 ? span_h - pad : 1) + rng_below(rng, 2 * stride + 1);
    int w = (span_w - pad > 1 ? span_w - pad : 1) + rng_below(rng, 2 * stride + 1);
    ConvShape s;
    conv_shape_init(&s, cin, h, w, cout, kh, kw, stride, pad, pad, dil);
    Tensor x = tensor_alloc(cin, h, w), k = tensor_alloc(cout * cin, kh, kw), b = tensor_alloc(1, 1, cout);
    Tensor g = tensor_alloc(cout, s.out_h, s.out_w), y = tensor_alloc_like(&g);
    Tensor *params[] = {&x, &k, &b, &g};
    for (int t = 0; t < 4; t++)
        for (size_t i = 0; i < tensor_size(params[t]); i++) params[t]->data[i] = rng_range(rng, -2, 2);
    Tensor dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k), db = tensor_alloc_like(&b);
    layer_grads(&dx, &dk, &db, &x, &k, &g, &s);
    LayerProblem p = {&s, &x, &k, &b, &g, &y};
    Grads n = numerical_grads(&p);
    CheckSummary cx = compare_gradients(dx.data, n.dx.data, NULL, (int)tensor_size(&dx), GRADCHECK_REL_TOL);
    CheckSummary ck = compare_gradients(dk.data, n.dk.data, NULL, (int)tensor_size(&dk), GRADCHECK_REL_TOL);
    CheckSummary cb = compare_gradients(db.data, n.db.data, NULL, (int)tensor_size(&db), GRADCHECK_REL_TOL);
    Tensor sx = tensor_alloc_like(&x), sk = tensor_alloc_like(&k), sb = tensor_alloc_like(&b);
    conv_backward(sx.data, sk.data, sb.data, g.data, x.data, k.data, &s);
    double scale = sum_abs(&k) * max_abs(&g);
    bool forms = max_abs_difference(&sx, &dx) <= FORMS_REL_TOL * fmax(scale, 1.0);
    double worst = fmax(cx.max_rel_error, fmax(ck.max_rel_error, cb.max_rel_error));
    char name[160], detail[200];
    snprintf(name, sizeof name, "s=%d p=%d d=%d C_in=%d C_out=%d X %dx%d K %dx%d → Y %dx%d", stride, pad, dil, cin, cout,
             h, w, kh, kw, s.out_h, s.out_w);
    snprintf(detail, sizeof detail, "max rel error %.1e over %d entries%s", worst, cx.n + ck.n + cb.n,
             forms ? "" : "; scatter and full-convolution ∂L/∂X DIFFER");
    bool passed = report_verdict(r, name, cx.passed && ck.passed && cb.passed && forms, detail);
    grads_free(&n);
    Tensor *all[] = {&x, &k, &b, &g, &y, &dx, &dk, &db, &sx, &sk, &sb};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
    return passed;
}

static void sweep_section(Report *r, uint64_t seed) {
    report_heading(r, "5.9 Every combination, gradient-checked");
    report_text(r, "A seeded sweep over stride s ∈ {1,2,3}, padding p ∈ {0,1,2}, dilation d ∈ {1,2}, C_in ∈ {1,3} "
                   "and C_out ∈ {1,2}: random kernel sizes from 1x1 to 3x3, input sizes that leave leftovers, "
                   "random values in [−2, 2). Each line checks ∂L/∂X, ∂L/∂K and ∂L/∂b against central differences "
                   "(tolerance %g) and the scatter loop against the full convolution.",
                GRADCHECK_REL_TOL);
    Rng rng = rng_make(seed ^ 0x5EE9);
    static const int channels_in[] = {1, 3}, channels_out[] = {1, 2};
    int passed = 0, total = 0;
    for (int stride = 1; stride <= 3; stride++)
        for (int pad = 0; pad <= 2; pad++)
            for (int dil = 1; dil <= 2; dil++)
                for (int ci = 0; ci < 2; ci++)
                    for (int co = 0; co < 2; co++) {
                        passed += sweep_one(r, &rng, stride, pad, dil, channels_in[ci], channels_out[co]);
                        total++;
                    }
    report_text(r, "%d of %d configurations passed.", passed, total);
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    const char *input_text = NULL, *kernel_text = NULL, *bias_text = NULL, *upstream_text = NULL;
    const char *stride_text = NULL, *padding_text = NULL, *dilation_text = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the input X (default: the running example, 3x4)", &input_text},
        {"--kernel", "M", "the kernel K (default: [1 1; 1 2])", &kernel_text},
        {"--bias", "B", "the bias b, one number (default: 0)", &bias_text},
        {"--upstream", "M", "dL/dY, shaped like Y; then L = sum(G*Y) (default: see below)", &upstream_text},
        {"--stride", "S", "the stride s >= 1 (default: 1)", &stride_text},
        {"--padding", "P", "zero padding p >= 0 on every side (default: 0)", &padding_text},
        {"--dilation", "D", "the dilation d >= 1 (default: 1)", &dilation_text},
    };
    const ChapterSpec spec = {
        .program = "chapter5",
        .title = "Chapter 5: the gradients of the convolution layer",
        .options = options,
        .n_options = 7,
        .bugs = BUGS,
        .n_bugs = 4,
        .notes = "Without --upstream, dL/dY is the gradient of the running example's chain (2x2 max-pool, dense "
                 "layer, BCE; chapters 4 and 3) when Y is 2x3, and seeded integers otherwise.\n"
                 "Example: chapter5 --input \"1 2 3; 4 5 6; 7 8 9\" --kernel \"1 0; 0 -1\" --stride 2 --padding 1",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    if (bug_is(&opt, "no-rot180")) active_bug = BUG_NO_ROT180;
    if (bug_is(&opt, "valid-not-full")) active_bug = BUG_VALID_NOT_FULL;
    if (bug_is(&opt, "no-dilate")) active_bug = BUG_NO_DILATE;
    if (bug_is(&opt, "bias-one-axis")) active_bug = BUG_BIAS_ONE_AXIS;

    // ---- input, all validated before anything is printed
    Tensor x = input_text ? option_matrix("--input", input_text) : tensor_alloc(1, EXAMPLE_X_H, EXAMPLE_X_W);
    Tensor k = kernel_text ? option_matrix("--kernel", kernel_text) : tensor_alloc(1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE);
    if (!input_text) memcpy(x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    if (!kernel_text) memcpy(k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    Tensor b = tensor_alloc(1, 1, 1);
    if (bias_text) {
        Tensor parsed = option_matrix("--bias", bias_text);
        if (tensor_size(&parsed) != 1)
            usage_error("--bias: expected a single number (the layer has one output channel), got a %dx%d matrix",
                        parsed.h, parsed.w);
        b.data[0] = parsed.data[0];
        tensor_free(&parsed);
    }
    int stride = stride_text ? option_int("--stride", stride_text, 1, TENSOR_MAX_SIDE) : 1;
    int pad = padding_text ? option_int("--padding", padding_text, 0, TENSOR_MAX_SIDE) : 0;
    int dil = dilation_text ? option_int("--dilation", dilation_text, 1, TENSOR_MAX_SIDE) : 1;
    ConvShape s;
    if (!conv_shape_init(&s, 1, x.h, x.w, 1, k.h, k.w, stride, pad, pad, dil))
        usage_error("--kernel: the %dx%d kernel with dilation %d spans %ldx%ld, which does not fit the %dx%d input "
                    "padded by %d (%dx%d)",
                    k.h, k.w, dil, (long)dil * (k.h - 1) + 1, (long)dil * (k.w - 1) + 1, x.h, x.w, pad, x.h + 2 * pad,
                    x.w + 2 * pad);
    Tensor y = tensor_alloc(1, s.out_h, s.out_w);
    conv_forward(y.data, x.data, k.data, b.data, &s);
    require_finite(&y, "--input/--kernel/--bias");
    bool use_chain = !upstream_text && chain_fits(&s);
    Tensor g = tensor_alloc_like(&y);
    Chain chain = {0};
    if (upstream_text) {
        Tensor parsed = option_matrix("--upstream", upstream_text);
        if (parsed.h != s.out_h || parsed.w != s.out_w)
            usage_error("--upstream: shape %dx%d does not match the output Y, which is %dx%d (expected %dx%d)",
                        parsed.h, parsed.w, s.out_h, s.out_w, s.out_h, s.out_w);
        tensor_copy(&g, &parsed);
        tensor_free(&parsed);
    } else if (use_chain) {
        chain_forward(&chain, &y);
        chain_backward(&chain, &g);
    } else {
        // Small integers keep every gradient readable by hand.
        Rng rng = rng_make(opt.seed);
        for (size_t i = 0; i < tensor_size(&g); i++) g.data[i] = rng_below(&rng, 7) - 3;
    }

    Tensor dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k), db = tensor_alloc(1, 1, 1);
    kernel_grad(dk.data, x.data, g.data, &s);
    db.data[0] = bias_gradient(&g);
    require_finite(&dk, "--input/--upstream");

    Report r;
    report_init(&r, &opt, spec.title);

    // ---- 5.1
    report_heading(&r, "5.1 The layer and the gradient arriving at it");
    report_text(&r, "The layer computes Y = X ⋆ K + b (a cross-correlation, chapter 1). Backpropagation hands it "
                    "∂L/∂Y and asks for three gradients: ∂L/∂K and ∂L/∂b to update the layer, ∂L/∂X to pass on to "
                    "the layer before.");
    report_matrix_quantity(&r, "input", "X", &x);
    report_matrix_quantity(&r, "kernel", "K", &k);
    report_quantity(&r, "bias", "b", &b);
    report_scalar(&r, "stride", "stride s", stride);
    report_scalar(&r, "padding", "padding p", pad);
    report_scalar(&r, "dilation", "dilation d", dil);
    output_size_lines(&r, &s);
    report_matrix_quantity(&r, "output", "Y = X ⋆ K + b", &y);
    if (use_chain) {
        report_text(&r, "Where ∂L/∂Y comes from: the running example's chain. Chapter 4 max-pools Y (2x2 windows, "
                        "stride 1), chapter 3 feeds the pooled vector p to a dense layer z = W·p + b_d with W = [0.05 "
                        "−0.03], b_d = 0.1, then ŷ = σ(z) and the BCE loss with label y = 1.");
        char p0[40], p1[40], z[40], yh[40], l[40], dz[40], dp0[40], dp1[40];
        num(p0, sizeof p0, chain.pooled[0]);
        num(p1, sizeof p1, chain.pooled[1]);
        num(z, sizeof z, chain.z);
        num(yh, sizeof yh, chain.yhat);
        num(l, sizeof l, chain.loss);
        num(dz, sizeof dz, chain.dz);
        num(dp0, sizeof dp0, chain.dp[0]);
        num(dp1, sizeof dp1, chain.dp[1]);
        report_verbatim(&r,
                        "forward:  p = maxpool(Y) = [%s %s]   (maxima at Y[%d,%d] and Y[%d,%d])\n"
                        "          z = W·p + b_d = %s,  ŷ = σ(z) = %s,  L = %s\n"
                        "backward: ∂L/∂z = ŷ − y = %s\n"
                        "          ∂L/∂p = ∂L/∂z · W = [%s %s]\n"
                        "          ∂L/∂Y: each ∂L/∂p goes to its window's maximum, the rest get 0",
                        p0, p1, chain.argmax[0] / s.out_w, chain.argmax[0] % s.out_w, chain.argmax[1] / s.out_w,
                        chain.argmax[1] % s.out_w, z, yh, l, dz, dp0, dp1);
    } else if (upstream_text) {
        report_text(&r, "∂L/∂Y is the one given with --upstream; the loss is L = Σ ∂L/∂Y ∘ Y.");
    } else {
        report_text(&r, "Y is not 2x3, so the running example's pooling and dense layer do not fit it; ∂L/∂Y is "
                        "seeded integers and the loss is L = Σ ∂L/∂Y ∘ Y.");
    }
    report_matrix_quantity(&r, "upstream", "∂L/∂Y", &g);
    report_text(&r, "Every check below compares with central differences of L' = Σ G∘Y(X, K, b) for the fixed G = "
                    "∂L/∂Y: its gradient is exactly what the layer must return.");
    Tensor scratch = tensor_alloc_like(&g);
    LayerProblem prob = {&s, &x, &k, &b, &g, &scratch};
    Grads numer = numerical_grads(&prob);

    // ---- 5.2 kernel
    report_heading(&r, "5.2 The kernel gradient: ∂L/∂K = X ⋆ ∂L/∂Y");
    report_text(&r, "K[m,n] multiplies X[i·s + m·d, j·s + n·d] in output (i,j), so it collects ∂L/∂Y[i,j] times that "
                    "input from every output:");
    report_equation(&r, "∂L/∂K[m,n] = Σ_i Σ_j ∂L/∂Y[i,j] · X[i+m, j+n],   i.e.   ∂L/∂K = X ⋆ ∂L/∂Y   (s = d = 1)",
                    "\\frac{\\partial L}{\\partial K_{mn}} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}\\, "
                    "X_{i+m,\\,j+n} \\;\\Rightarrow\\; \\frac{\\partial L}{\\partial K} = X \\star \\frac{\\partial "
                    "L}{\\partial Y}");
    write_kernel_entry(&r, &x, &g, &s, dk.data[0]);
    report_matrix_quantity(&r, "dK", "∂L/∂K", &dk);
    if (stride == 1 && dil == 1) {
        // The article's reading: a true convolution of the same two matrices.
        Tensor xp = pad_tensor(&x, pad, pad), wrong = tensor_alloc_like(&k);
        convolve2d(wrong.data, xp.data, g.data, xp.h, xp.w, g.h, g.w, CONV_VALID);
        char a[40], c[40];
        num(a, sizeof a, wrong.data[0]);
        num(c, sizeof c, dk.data[0]);
        report_erratum(&r, "the article writes ∂L/∂K = ∂L/∂ŷ * x, a convolution, and says the kernel gradient comes "
                           "from \"convolving\" the output gradient with the input. A convolution flips one operand: "
                           "X * ∂L/∂Y = X ⋆ rot180(∂L/∂Y), which gives %s for entry [0,0] where the gradient is %s. "
                           "The kernel gradient is the cross-correlation X ⋆ ∂L/∂Y (no flip), because the forward "
                           "pass is one.",
                       a, c);
        report_matrix(&r, "X * ∂L/∂Y (the article's formula)", &wrong);
        tensor_free(&xp);
        tensor_free(&wrong);
    } else {
        report_erratum(&r, "the article writes ∂L/∂K = ∂L/∂ŷ * x, a convolution. With s = d = 1 it is the "
                           "cross-correlation X ⋆ ∂L/∂Y (no flip); with stride %d and dilation %d, ∂L/∂Y's entries "
                           "sit %d apart on X and the result's %d apart (section 5.7).",
                       stride, dil, stride, dil);
    }
    check_one(&r, "∂L/∂K", &dk, &numer.dk);

    // ---- 5.3 input
    report_heading(&r, "5.3 The input gradient: ∂L/∂X = full convolution of ∂L/∂Y with K");
    report_text(&r, "X[a,b] is read by every output window that covers it, each time multiplied by a different "
                    "entry of K. Summing those paths is a full convolution: pad ∂L/∂Y with kh−1, kw−1 zeros and "
                    "cross-correlate with rot180(K).");
    report_equation(&r, "∂L/∂X = ∂L/∂Y * K (full) = pad(∂L/∂Y, kh−1, kw−1) ⋆ rot180(K)",
                    "\\frac{\\partial L}{\\partial X} = \\frac{\\partial L}{\\partial Y} "
                    "\\mathbin{*_{\\mathrm{full}}} K = \\mathrm{pad}\\!\\left(\\frac{\\partial L}{\\partial Y}, "
                    "k_h-1, k_w-1\\right) \\star \\mathrm{rot180}(K)");
    Show main_show = {&r, NULL};
    input_grad_full(dx.data, g.data, k.data, &s, &main_show);
    require_finite(&dx, "--kernel/--upstream");
    report_matrix_quantity(&r, "dX", "∂L/∂X", &dx);
    {
        Tensor rot = kernel_rotated(&k), literal = tensor_alloc_like(&k);
        double total = bias_grad(&g);
        for (size_t i = 0; i < tensor_size(&rot); i++) literal.data[i] = total * rot.data[i];
        report_erratum(&r, "the article writes ∂L/∂x_ij = Σ_i Σ_j ∂L/∂ŷ_ij ⋆ rot180(K), \"a double sum of "
                           "cross-correlations\". Read as written, each ∂L/∂ŷ_ij is a number, so the double sum is "
                           "(Σ ∂L/∂Y)·rot180(K), a %dx%d matrix, where ∂L/∂X is %dx%d:",
                       k.h, k.w, x.h, x.w);
        report_matrix(&r, "Σ_i Σ_j ∂L/∂Y[i,j] · rot180(K) (the article's formula)", &literal);
        if (stride == 1 && dil == 1 && g.h >= k.h && g.w >= k.w) {
            ConvShape t;
            conv_shape_init(&t, 1, g.h, g.w, 1, k.h, k.w, 1, 0, 0, 1);
            Tensor valid = tensor_alloc(1, t.out_h, t.out_w);
            const double no_bias = 0.0;
            conv_forward(valid.data, g.data, rot.data, &no_bias, &t);
            report_text(&r, "Read as one cross-correlation ∂L/∂Y ⋆ rot180(K) without padding, it gives a %dx%d "
                            "matrix, the interior only:",
                        t.out_h, t.out_w);
            report_matrix(&r, "∂L/∂Y ⋆ rot180(K) (no padding)", &valid);
            tensor_free(&valid);
        }
        report_text(&r, "The correct statement is one full convolution (no sum in front): ∂L/∂Y zero-padded by "
                        "kh−1, kw−1, cross-correlated with rot180(K), as computed above.");
        tensor_free(&rot);
        tensor_free(&literal);
    }
    check_one(&r, "∂L/∂X", &dx, &numer.dx);

    // ---- 5.4 bias
    report_heading(&r, "5.4 The bias gradient: ∂L/∂b = Σ_i Σ_j ∂L/∂Y[i,j]");
    report_text(&r, "b is added to every entry of Y, so every entry's gradient reaches it with factor 1.");
    report_equation(&r, "∂L/∂b = Σ_i Σ_j ∂L/∂Y[i,j]",
                    "\\frac{\\partial L}{\\partial b} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}");
    report_quantity(&r, "db", "∂L/∂b", &db);
    {
        Tensor rows = tensor_alloc(1, g.h, 1);
        for (int i = 0; i < g.h; i++)
            for (int j = 0; j < g.w; j++) rows.data[i] += *tensor_at(&g, 0, i, j);
        char right[40];
        num(right, sizeof right, bias_grad(&g));
        report_erratum(&r, "the article writes ∂L/∂b_j = Σ_j ∂L/∂ŷ_ij, a sum over one index (and over the index "
                           "it also names the bias by). Σ_j alone leaves one number per row i, shown below; the "
                           "gradient is their total, Σ_i Σ_j ∂L/∂Y[i,j] = %s.",
                       right);
        report_matrix(&r, "Σ_j ∂L/∂Y[i,j] for each row i (the article's formula)", &rows);
        tensor_free(&rows);
    }
    check_one(&r, "∂L/∂b", &db, &numer.db);

    // ---- 5.5 three forms
    report_heading(&r, "5.5 Three forms of ∂L/∂X, one answer");
    report_text(&r, "1. The scatter loop: every output gradient flows back along the products that made it, "
                    "dX[i·s + m·d, j·s + n·d] += K[m,n]·∂L/∂Y[i,j] (conv_backward).");
    Tensor form1 = tensor_alloc_like(&x), unused_dk = tensor_alloc_like(&k), unused_db = tensor_alloc(1, 1, 1);
    conv_backward(form1.data, unused_dk.data, unused_db.data, g.data, x.data, k.data, &s);
    report_matrix(&r, "∂L/∂X (scatter)", &form1);
    report_text(&r, "2. The full convolution of section 5.3, with rot180(K):");
    report_matrix(&r, "∂L/∂X (full convolution)", &dx);
    long c_entries = (long)s.out_h * s.out_w * (long)x.h * x.w;
    double scale = fmax(sum_abs(&k) * max_abs(&g), 1.0);
    double diff12 = max_abs_difference(&form1, &dx);
    char detail[200];
    if (c_entries <= CONV_MATRIX_MAX_ENTRIES) {
        report_text(&r, "3. The layer is linear in X: Y = C·vec(X) + b for a %dx%d matrix C whose row (i,j) holds "
                        "K's entries at the columns of the pixels window (i,j) reads. Then ∂L/∂vec(X) = Cᵀ·vec(∂L/∂Y): "
                        "column q of C lists which outputs pixel q feeds, and with which weight.",
                    s.out_h * s.out_w, x.h * x.w);
        Tensor c = conv_matrix(&k, &s), form3 = tensor_alloc_like(&x);
        if (c.w <= CONV_MATRIX_PRINT_COLS)
            report_matrix(&r, "C", &c);
        else
            report_text(&r, "(C has %d columns; it is printed for inputs of at most %d pixels.)", c.w,
                        CONV_MATRIX_PRINT_COLS);
        transpose_times(&form3, &c, &g);
        report_matrix(&r, "∂L/∂X = Cᵀ·vec(∂L/∂Y), reshaped", &form3);
        double diff13 = max_abs_difference(&form3, &dx);
        snprintf(detail, sizeof detail, "largest differences %.1e (scatter) and %.1e (Cᵀ) against the full "
                 "convolution, tolerance %.0e·%g", diff12, diff13, FORMS_REL_TOL, scale);
        report_verdict(&r, "scatter = full convolution = Cᵀ·vec(∂L/∂Y)",
                       diff12 <= FORMS_REL_TOL * scale && diff13 <= FORMS_REL_TOL * scale, detail);
        report_text(&r, "Why the rotation: column q of C holds K's entries in reverse order as you move down the "
                        "windows that cover pixel q; the first window reads it with K's last entry. Reading a column "
                        "of C is reading K backwards, which is what rot180 does.");
        tensor_free(&c);
        tensor_free(&form3);
    } else {
        report_text(&r, "3. (C would have %ld entries, too many to build here; the scatter loop and the full "
                        "convolution are compared.)", c_entries);
        snprintf(detail, sizeof detail, "largest difference %.1e, tolerance %.0e·%g", diff12, FORMS_REL_TOL, scale);
        report_verdict(&r, "scatter = full convolution", diff12 <= FORMS_REL_TOL * scale, detail);
    }

    // ---- 5.6 one step
    report_heading(&r, "5.6 One step of gradient descent on K and b");
    report_equation(&r, "K ← K − η·∂L/∂K      b ← b − η·∂L/∂b",
                    "K \\leftarrow K - \\eta\\,\\frac{\\partial L}{\\partial K},\\qquad b \\leftarrow b - "
                    "\\eta\\,\\frac{\\partial L}{\\partial b}");
    report_scalar(&r, "learning_rate", "η", LEARNING_RATE);
    Tensor k_new = tensor_clone(&k), b_new = tensor_clone(&b);
    for (size_t i = 0; i < tensor_size(&k); i++) k_new.data[i] -= LEARNING_RATE * dk.data[i];
    b_new.data[0] -= LEARNING_RATE * db.data[0];
    report_quantity(&r, "kernel_after_step", "K after the step", &k_new);
    report_quantity(&r, "bias_after_step", "b after the step", &b_new);
    double squared = LEARNING_RATE * db.data[0] * db.data[0];
    for (size_t i = 0; i < tensor_size(&dk); i++) squared += LEARNING_RATE * dk.data[i] * dk.data[i];
    if (use_chain) {
        double before = chain_loss(&x, &k, &b, &s), after = chain_loss(&x, &k_new, &b_new, &s);
        report_text(&r, "The chain's loss (pool, dense, BCE) before and after:");
        report_scalar(&r, "loss_before", "L before", before);
        report_scalar(&r, "loss_after", "L after", after);
        char bs[40], as[40], ps[40];
        num(bs, sizeof bs, before);
        num(as, sizeof as, after);
        num(ps, sizeof ps, -squared);
        snprintf(detail, sizeof detail, "%s → %s (first-order prediction of the change: −η‖∇‖² = %s)", bs, as, ps);
        report_verdict(&r, "the loss fell", after < before, detail);
    } else {
        double before = linear_loss(&x, &k, &b, &g, &s), after = linear_loss(&x, &k_new, &b_new, &g, &s);
        report_text(&r, "L = Σ G∘Y is linear in K and b, so the step changes it by exactly −η(‖∂L/∂K‖² + (∂L/∂b)²):");
        report_scalar(&r, "loss_before", "L before", before);
        report_scalar(&r, "loss_after", "L after", after);
        report_check_scalar(&r, "change of L = −η(‖∂L/∂K‖² + (∂L/∂b)²)", -squared, after - before, GRADCHECK_REL_TOL);
    }

    // ---- beyond the article
    stride_section(&r, opt.seed);
    channels_section(&r, opt.seed);
    sweep_section(&r, opt.seed);

    // ---- touch counts
    report_heading(&r, "5.10 Why border pixels get smaller gradients");
    report_text(&r, "∂L/∂X[a,b] sums one term per output window that covers X[a,b]. Counting those windows (the "
                    "scatter loop with K = 1 and ∂L/∂Y = 1):");
    Tensor touch = tensor_alloc_like(&x), ones_k = tensor_alloc_like(&k), ones_g = tensor_alloc_like(&g);
    for (size_t i = 0; i < tensor_size(&ones_k); i++) ones_k.data[i] = 1.0;
    for (size_t i = 0; i < tensor_size(&ones_g); i++) ones_g.data[i] = 1.0;
    Tensor unused_k2 = tensor_alloc_like(&k), unused_b2 = tensor_alloc(1, 1, 1);
    conv_backward(touch.data, unused_k2.data, unused_b2.data, ones_g.data, x.data, ones_k.data, &s);
    report_quantity(&r, "touch_count", "windows covering each pixel", &touch);
    report_text(&r, "Corner pixels are read by one window, interior ones by up to kh·kw: a border pixel's gradient "
                    "has fewer terms, so it is usually smaller, and padding exists partly to even this out.");
    if (opt.plot_dir) write_plot_data(opt.plot_dir, &x, &k, &dx, &dk, &touch);

    int status = report_finish(&r);
    grads_free(&numer);
    Tensor *all[] = {&x, &k, &b, &y, &g, &dx, &dk, &db, &scratch, &form1, &unused_dk, &unused_db, &k_new, &b_new,
                     &touch, &ones_k, &ones_g, &unused_k2, &unused_b2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
    options_free(&opt);
    return status;
}
