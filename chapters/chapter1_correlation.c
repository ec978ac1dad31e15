// Chapter 1: cross-correlation vs convolution.
//
// Follows the article's "Forward Pass in Convolution Layer" and "Difference
// between Convolution and Cross-Correlation": what a CNN layer computes (a
// cross-correlation, ⋆), how a true convolution (*) differs (the kernel is
// rotated 180°), and the kernel gradient of each, checked numerically with
// error-bounded local finite differences.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "chapter1_correlation.h"
#include "chapter1_formula.h"
#include "conv.h"
#include "example.h"
#include "gradcheck.h"
#include "options.h"
#include "progress.h"
#include "plotfile.h"
#include "report.h"
#include "report_block.h"
#include "rng.h"
#include "strbuf.h"
#include "tensor.h"

// conv(X,K) and xcorr(X, rot180 K) add the same products in another order:
// they differ by a few ulps of the sum of |products|, never more.
#define IDENTITY_REL_TOL 1e-12
// A gradient entry passes when |a − n| ≤ rtol·max(|a|,|n|) + its bound; the
// bound carries the round-off, so rtol only absorbs the last digits.
#define CHECK_RTOL 1e-9
// One pass of the forward (output positions × kernel entries) above this
// takes about 0.4 s; the chapter makes about ten.
#define FORWARD_MAX_MADDS 4e8
// A full check above this many multiply-adds (about a second each, two
// checks) checks a seeded sample plus one directional derivative instead.
#define CHECK_BUDGET_MADDS 1e9
// Loss evaluations per checked entry: two central differences (a linear
// loss seldom needs a second step).
#define EVALS_PER_ENTRY 4
// Products written out in "Y[0,0] = …" before the rest are counted.
#define MAX_WRITTEN_TERMS 12
// Heatmaps with more cells than a slide has pixels tell nothing.
#define MAX_PLOT_SIDE 512

static const BugInfo BUGS[] = {
    {"no-rot180", "the convolution's kernel gradient computed as X ⋆ G, without rotating it 180°"},
};

// ---------------------------------------------------------------- forward

static ConvShape shape_for(const Tensor *x, const Tensor *k, Mode mode) {
    ConvShape s;
    int ph = mode == MODE_FULL ? k->h - 1 : 0, pw = mode == MODE_FULL ? k->w - 1 : 0;
    conv_shape_init(&s, 1, x->h, x->w, 1, k->h, k->w, 1, ph, pw, 1);
    return s;
}

// Y = X ⋆ K (conv_forward, no flip) or Y = X * K (the textbook definition,
// the kernel index running backwards). y is out_h × out_w, caller-owned.
void chapter1_forward(Tensor *y, const Tensor *x, const Tensor *k, Mode mode, Op op) {
    if (op == OP_CONV) {
        convolve2d(y->data, x->data, k->data, x->h, x->w, k->h, k->w, mode == MODE_FULL ? CONV_FULL : CONV_VALID);
        return;
    }
    ConvShape s = shape_for(x, k, mode);
    const double no_bias = 0.0;
    conv_forward(y->data, x->data, k->data, &no_bias, &s);
}

// The input index that output index i reads with kernel index m (kernel
// side kn): i+m for ⋆, i+kn−1−m for *, shifted by kn−1 in full mode.
static int input_index(Op op, Mode mode, int i, int m, int kn) {
    int pad = mode == MODE_FULL ? kn - 1 : 0;
    return (op == OP_XCORR ? i + m : i + kn - 1 - m) - pad;
}

static double input_at(const Tensor *x, int row, int col) {
    return row >= 0 && row < x->h && col >= 0 && col < x->w ? *tensor_at(x, 0, row, col) : 0.0;
}

// Σ_m Σ_n |X[·]·K[m,n]| of every output (i,j), the magnitude that sets its
// round-off: the same forward pass on |X| and |K|. out is caller-owned.
static void abs_forward(Tensor *out, const Tensor *x, const Tensor *k, Mode mode, Op op) {
    Tensor ax = tensor_alloc_like(x), ak = tensor_alloc_like(k);
    for (size_t e = 0; e < tensor_size(x); e++) ax.data[e] = fabs(x->data[e]);
    for (size_t e = 0; e < tensor_size(k); e++) ak.data[e] = fabs(k->data[e]);
    chapter1_forward(out, &ax, &ak, mode, op);
    tensor_free(&ax), tensor_free(&ak);
}

// ---------------------------------------------------------------- gradients

// ∂L/∂K for Y = X ⋆ K is X ⋆ G: K[m,n] multiplies X[i+m, j+n] in every
// output (i,j), so it collects G[i,j]·X[i+m, j+n]. In full mode X is padded.
void chapter1_kernel_grad_xcorr(Tensor *dk, const Layer *l) {
    ConvShape s;
    int ph = l->mode == MODE_FULL ? dk->h - 1 : 0, pw = l->mode == MODE_FULL ? dk->w - 1 : 0;
    conv_shape_init(&s, 1, l->x.h, l->x.w, 1, l->g.h, l->g.w, 1, ph, pw, 1);
    const double no_bias = 0.0;
    conv_forward(dk->data, l->x.data, l->g.data, &no_bias, &s);
}

// ∂L/∂K for Y = X * K = X ⋆ rot180(K): the cross-correlation's gradient
// rotated back, rot180(X ⋆ G).
static void kernel_grad_conv(Tensor *dk, const Layer *l) {
    Tensor unrotated = tensor_alloc_like(dk);
    chapter1_kernel_grad_xcorr(&unrotated, l);
    tensor_rot180(dk, &unrotated);
    tensor_free(&unrotated);
}

// Bug "no-rot180": the convolution's kernel gradient taken as X ⋆ G, as if
// it were a cross-correlation; the rotation is forgotten.
static void kernel_grad_conv_no_rot180(Tensor *dk, const Layer *l) { chapter1_kernel_grad_xcorr(dk, l); }

// The convolution's kernel gradient as this run computes it (--bug).
void chapter1_kernel_grad_conv_chosen(Tensor *dk, const Layer *l, int bug_id) {
    switch ((Bug)bug_id) {
    case BUG_NONE: kernel_grad_conv(dk, l); return;
    case BUG_NO_ROT180: kernel_grad_conv_no_rot180(dk, l); return;
    }
}

// ---------------------------------------------------------------- the loss

// The outputs (i,j) that kernel entry (m,n) reaches inside X: rows
// [*i0, *i1) and columns [*j0, *j1); output i reads input row i + *di.
typedef struct {
    int i0, i1, j0, j1, di, dj;
} Reach;

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static Reach reach_of(const Layer *l, Op op, int m, int n) {
    Reach q = {.di = input_index(op, l->mode, 0, m, l->k.h), .dj = input_index(op, l->mode, 0, n, l->k.w)};
    q.i0 = clamp(-q.di, 0, l->out_h), q.i1 = clamp(l->x.h - q.di, q.i0, l->out_h);
    q.j0 = clamp(-q.dj, 0, l->out_w), q.j1 = clamp(l->x.w - q.dj, q.j0, l->out_w);
    return q;
}

// Σ_ij G[i,j]·(X[·]·kv) over the outputs entry (m,n) reaches; *mag gets
// Σ_ij |G[i,j]·X[·]·kv| (kv = 1: the entry's lever, Σ|G·X|).
static double entry_products(const Layer *l, Op op, int m, int n, double kv, double *mag) {
    Reach q = reach_of(l, op, m, n);
    double sum = 0.0, abs_sum = 0.0;
    for (int i = q.i0; i < q.i1; i++) {
        const double *g = tensor_at(&l->g, 0, i, 0), *x = tensor_at(&l->x, 0, i + q.di, q.dj);
        for (int j = q.j0; j < q.j1; j++) {
            double t = g[j] * (x[j] * kv);
            sum += t;
            abs_sum += fabs(t);
        }
    }
    *mag = abs_sum;
    return sum;
}

// L(K) = Σ G∘Y(K) for the fixed upstream G, as the checker sees it. The
// block it perturbs holds the checked kernel entries' values, in one array,
// so that one call of the checker sees them all (and sizes its steps by
// them); block entry e is kernel entry entry[e].
typedef struct {
    const Layer *l;
    Tensor *k;            // a copy of l->k: the block's values are put into it
    Op op;
    Tensor *y;            // scratch output, out_h × out_w
    const double *lever;  // per kernel entry, Σ_ij |G[i,j]·X[·]|
    double *block;        // the values the checker perturbs
    const int *entry;     // their kernel entries
    int m;                // how many
    const char *name;     // the check's, for its progress line
} KernelLoss;

// L at p->k through the real forward pass. Its scale Σ_ij |G| Σ_mn |X·K|,
// reordered, is Σ_mn |K[m,n]|·lever[m,n]: O(kernel), not O(forward).
static double loss_of_kernel(KernelLoss *p, double *scale) {
    const Layer *l = p->l;
    chapter1_forward(p->y, &l->x, p->k, l->mode, p->op);
    double sum = 0.0;
    for (size_t e = 0; e < tensor_size(p->y); e++) sum += l->g.data[e] * p->y->data[e];
    *scale = 0.0;
    for (size_t e = 0; e < tensor_size(p->k); e++) *scale += fabs(p->k->data[e]) * p->lever[e];
    return sum;
}

// The whole loss at the block's current values.
static double loss_whole(void *ctx, double *scale) {
    KernelLoss *p = ctx;
    for (int e = 0; e < p->m; e++) p->k->data[p->entry[e]] = p->block[e];
    return loss_of_kernel(p, scale);
}

// Local finite differences: K[m,n] enters L only through the products
// G[i,j]·X[·]·K[m,n], one per output. Their sum is all of L that K[m,n] can
// change, at O(outputs) per evaluation instead of O(outputs × kernel).
static double loss_local(void *ctx, int e, double *scale) {
    KernelLoss *p = ctx;
    int k = p->entry[e];
    return entry_products(p->l, p->op, k / p->k->w, k % p->k->w, p->block[e], scale);
}

// ---------------------------------------------------------------- the check

// n zeroed entries of size bytes, or exit 2 naming the kernel whose check
// needed them (an allocation is never left unchecked).
static void *calloc_for_kernel(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) usage_error("--kernel: out of memory for checking %zu kernel entries", n);
    return p;
}

// Checks ∂L/∂K of one operation entry by entry against local central
// differences; over the budget, a seeded sample plus a directional check.
// The checked entries' differences, a chunk at a time so that a long check
// can say how far it is (src/core/progress.h); p's block and entry are restored.
static void differences_with_progress(NumericalDerivative *found, KernelLoss *p, const Objective *obj,
                                      const char *name) {
    enum { CHUNK = 64 };
    double *block = p->block;
    const int *entry = p->entry;
    int m = p->m;
    Progress bar;
    progress_begin(&bar, name, "kernel entries", m);
    for (int start = 0; start < m; start += CHUNK) {
        progress_update(&bar, start);
        p->block = block + start, p->entry = entry + start, p->m = m - start < CHUNK ? m - start : CHUNK;
        numerical_gradient_bounded_linear(found + start, p->block, p->m, obj);
    }
    progress_end(&bar);
    p->block = block, p->entry = entry, p->m = m;
}

// check_block's per-entry engine here: the checked entries' values in one
// block (so that the checker sizes each step by the block's and carries
// it from entry to entry), with progress.
static void kernel_entries(void *ctx, NumericalDerivative *out, double *param, const int *idx, int count,
                           const Objective *obj) {
    (void)obj; // the block's own objective below
    KernelLoss *p = ctx;
    double *block = calloc_for_kernel((size_t)count, sizeof *block);
    for (int s = 0; s < count; s++) block[s] = param[idx[s]];
    p->block = block, p->entry = idx, p->m = count;
    Objective own = {loss_whole, loss_local, p};
    differences_with_progress(out, p, &own, p->name);
    for (int s = 0; s < count; s++) param[idx[s]] = p->l->k.data[idx[s]]; // exact restore
    p->block = NULL, p->entry = NULL, p->m = 0;
    free(block);
}

// L at the kernel copy's current values (the directional check perturbs it).
static double kernel_whole(void *ctx, double *scale) { return loss_of_kernel(ctx, scale); }

static void check_kernel_gradient(Report *r, const char *name, const Layer *l, Op op, const Tensor *analytic,
                                  const CommonOptions *opt) {
    int n = (int)tensor_size(&l->k);
    Tensor k = tensor_clone(&l->k), y = tensor_alloc(1, l->out_h, l->out_w);
    double *lever = calloc_for_kernel((size_t)n, sizeof *lever);
    for (int e = 0; e < n; e++) entry_products(l, op, e / l->k.w, e % l->k.w, 1.0, &lever[e]);
    KernelLoss p = {l, &k, op, &y, lever, NULL, NULL, 0, name};
    BlockSpec spec = {.param = k.data,
                      .analytic = analytic->data,
                      .n = n,
                      .obj = {kernel_whole, NULL, &p},
                      .shape = LOSS_LINEAR,
                      .ops_per_eval = (double)l->out_h * l->out_w, // local: one product per output
                      .entries = kernel_entries,
                      .entries_ctx = &p,
                      .rtol = CHECK_RTOL,
                      .check_all = opt->check_all,
                      .seed = opt->seed};
    check_block(r, name, &spec, analytic);
    free(lever);
    tensor_free(&k), tensor_free(&y);
}

// ---------------------------------------------------------------- printing

// Display columns of UTF-8 text (every byte but continuation bytes).
static size_t columns(const char *s) {
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

// "Y[0,0] = 8·1 + 9·1 + 0·1 + 3·2 = 23": output (0,0) as its sum of
// products, wrapped under the "=" to fit 80 columns; after
// MAX_WRITTEN_TERMS products the rest are counted, not written.
static void write_out_entry(Report *r, const Layer *l, const Tensor *y) {
    StrBuf b = {0};
    sb_puts(&b, "Y[0,0] =");
    size_t line_start = 0, terms = tensor_size(&l->k), written = 0;
    for (int m = 0; m < l->k.h && written < MAX_WRITTEN_TERMS; m++)
        for (int n = 0; n < l->k.w && written < MAX_WRITTEN_TERMS; n++, written++) {
            double xv = input_at(&l->x, input_index(OP_XCORR, l->mode, 0, m, l->k.h),
                                 input_index(OP_XCORR, l->mode, 0, n, l->k.w));
            double kv = *tensor_at(&l->k, 0, m, n);
            char xs[40], ks[40], term[100];
            format_number(xs, sizeof xs, xv, "--input");
            format_number(ks, sizeof ks, kv, "--kernel");
            // Negative factors in parentheses: "3·(-1)" never reads as a subtraction.
            snprintf(term, sizeof term, "%s %s%s%s·%s%s%s", written ? " +" : "", xv < 0 ? "(" : "", xs,
                     xv < 0 ? ")" : "", kv < 0 ? "(" : "", ks, kv < 0 ? ")" : "");
            if (columns(sb_str(&b) + line_start) + columns(term) > 78) {
                sb_puts(&b, "\n       ");
                line_start = b.len - 7;
            }
            sb_puts(&b, term);
        }
    char ys[40], tail[120];
    format_number(ys, sizeof ys, y->data[0], "the cross-correlation");
    if (written < terms)
        snprintf(tail, sizeof tail, " + … (%zu more products) = %s", terms - written, ys);
    else
        snprintf(tail, sizeof tail, " = %s", ys);
    if (columns(sb_str(&b) + line_start) + columns(tail) > 78) sb_puts(&b, "\n       ");
    sb_puts(&b, tail);
    report_verbatim(r, "%s", sb_str(&b));
    sb_free(&b);
}

static bool is_own_rotation(const Tensor *k) {
    for (int i = 0; i < k->h; i++)
        for (int j = 0; j < k->w; j++)
            if (*tensor_at(k, 0, i, j) != *tensor_at(k, 0, k->h - 1 - i, k->w - 1 - j)) return false;
    return true;
}

// The one relative measure of this chapter's prose: |a − b| / max(|a|, |b|).
static double relative_difference(double a, double b) {
    double m = fmax(fabs(a), fabs(b));
    return m > 0 ? fabs(a - b) / m : 0.0;
}

// ---------------------------------------------------------------- sections

static void section_1_1_forward_formula(Report *r, const Layer *l) {
    report_heading(r, "1.1 The forward pass of a convolution layer");
    report_text(r, "The article writes the layer's forward pass as");
    report_equation(r, "(I * K)(i,j) = Σ_{i=1..m} Σ_{j=1..n} (I_(i+m-1)(j+n-1) ⋆ rot180(K_ij)) + b_i",
                    "(I * K)(i,j) = \\sum_{i=1}^{m}\\sum_{j=1}^{n} \\left(I_{(i+m-1)(j+n-1)} \\star "
                    "\\mathrm{rot180}(K_{ij})\\right) + b_i");
    report_erratum(r, "four faults. (a) The sums run over i and j, the output position's own indices, while m "
                      "and n, the kernel's height and width, stand where the kernel offsets belong. Read as "
                      "written, Σ_{i=1}^m Σ_{j=1}^n I_(i+m-1)(j+n-1)·K_ij is one number, the same for every "
                      "output: the kernel against the single window at offset (m-1, n-1), 29 = Y[1,1] on the "
                      "running example. The offsets have to be the summation indices, running over the kernel, "
                      "and the output position has to stay free; and between two single entries ⋆ can only be a "
                      "product, and rot180 of one entry is that entry. (b) Taken as it is named, "
                      "I * K with the kernel rotated, the layer is a true convolution, [28 23 19; 19 23 26] on the "
                      "running example, not the cross-correlation that PyTorch's Conv2d and Keras's Conv2D "
                      "compute, [23 14 25; 27 29 35]. (c) The bias b_i is indexed by position; a layer adds one "
                      "bias per kernel, the same at every position. (d) The text says the outer sum \"iterates "
                      "over i from 0 to m-1\" beside Σ_{i=1}^m, which runs from 1 to m. With the output position (i,j) and the kernel "
                      "offset (m,n) kept apart, indices from 0, a CNN layer computes:");
    if (l->mode == MODE_VALID)
        report_equation(r, "Y[i,j] = b + Σ_m Σ_n X[i+m, j+n] · K[m,n]        (cross-correlation, X ⋆ K)",
                        "Y_{ij} = b + \\sum_{m}\\sum_{n} X_{i+m,\\,j+n}\\, K_{mn} \\qquad (X \\star K)");
    else
        report_equation(r, "Y[i,j] = b + Σ_m Σ_n X[i+m-(kh-1), j+n-(kw-1)] · K[m,n]   (X ⋆ K, full)",
                        "Y_{ij} = b + \\sum_{m}\\sum_{n} X_{i+m-(k_h-1),\\,j+n-(k_w-1)}\\, K_{mn} \\qquad "
                        "(X \\star K)");
    report_text(r, "A true convolution runs the kernel index backwards, which is the same as cross-correlating "
                   "with the kernel rotated by 180°. For a kh × kw kernel, in %s mode:",
                l->mode == MODE_VALID ? "valid" : "full");
    if (l->mode == MODE_VALID)
        report_equation(r, "(X * K)[i,j] = Σ_m Σ_n X[i+kh-1-m, j+kw-1-n] · K[m,n]\n"
                           "                 = (X ⋆ rot180(K))[i,j]",
                        "(X * K)_{ij} = \\sum_{m}\\sum_{n} X_{i+k_h-1-m,\\,j+k_w-1-n}\\, K_{mn} = (X \\star "
                        "\\mathrm{rot180}(K))_{ij}");
    else
        report_equation(r, "(X * K)[i,j] = Σ_m Σ_n X[i-m, j-n] · K[m,n] = (X ⋆ rot180(K))[i,j]",
                        "(X * K)_{ij} = \\sum_{m}\\sum_{n} X_{i-m,\\,j-n}\\, K_{mn} = (X \\star "
                        "\\mathrm{rot180}(K))_{ij}");
    report_text(r, "%s X is zero outside its borders. Output sizes for an H × W input: valid (the kernel "
                   "inside X) (H-kh+1) × (W-kw+1); full (every overlap, X zero-padded by kh-1 rows and kw-1 "
                   "columns on each side) (H+kh-1) × (W+kw-1). The bias b is left at 0 here; it and ∂L/∂X "
                   "come in chapter 5.",
                l->mode == MODE_VALID ? "The textbook form Σ X[i-m, j-n]·K[m,n] is the full mode's: in valid "
                                        "mode it would read X[-1,·] at output (0,0)."
                                      : "In full mode the textbook form Σ X[i-m, j-n]·K[m,n] holds as written.");
}

static void section_1_2_worked_example(Report *r, const Layer *l, bool is_default) {
    report_heading(r, "1.2 The worked example");
    if (is_default)
        report_text(r, "The running example of this workbook: a 3x4 input X and a 2x2 kernel K whose "
                       "cross-correlation (bias b = 0) is exactly the feature map the article max-pools "
                       "later, [23 14 25; 27 29 35]. Chapter 4 pools it, chapter 3 feeds the result to a "
                       "dense layer, and chapter 5 sends the gradient back here.");
    report_matrix_quantity(r, "input", "X", &l->x);
    report_matrix_quantity(r, "kernel", "K", &l->k);
    Tensor k_rot = tensor_alloc_like(&l->k);
    tensor_rot180(&k_rot, &l->k);
    report_matrix_quantity(r, "kernel_rot180", "rot180(K)", &k_rot);
    tensor_free(&k_rot);
    report_text(r, "X is %dx%d and K is %dx%d, so the %s-mode output is %dx%d.", l->x.h, l->x.w, l->k.h, l->k.w,
                l->mode == MODE_VALID ? "valid" : "full", l->out_h, l->out_w);
    if (l->mode == MODE_FULL)
        report_text(r, "Mode full: X is zero-padded by %d row(s) and %d column(s) on each side, so every "
                       "position where the kernel overlaps X at all gives an output.",
                    l->k.h - 1, l->k.w - 1);
}

static void section_1_3_cross_correlation(Report *r, const Layer *l) {
    report_heading(r, "1.3 Cross-correlation Y = X ⋆ K (what CNN layers compute)");
    report_text(r, "Slide K over X without flipping it; each output is the sum of the element-wise products "
                   "of K with the patch of X under it. The first entry, written out:");
    Tensor y = tensor_alloc(1, l->out_h, l->out_w);
    chapter1_forward(&y, &l->x, &l->k, l->mode, OP_XCORR);
    require_finite(&y, "--input/--kernel");
    write_out_entry(r, l, &y);
    report_matrix_quantity(r, "cross_correlation", "X ⋆ K", &y);
    tensor_free(&y);
}

// X * K against X ⋆ rot180(K), each entry's difference relative to the sum
// of |products| it adds (so that cancellation cannot make it look large).
static void check_rotation_identity(Report *r, const Layer *l, const Tensor *conv, const Tensor *via_rot) {
    Tensor mag = tensor_alloc_like(conv);
    abs_forward(&mag, &l->x, &l->k, l->mode, OP_CONV);
    double max_abs = 0.0, max_rel = 0.0;
    for (size_t e = 0; e < tensor_size(conv); e++) {
        double d = fabs(conv->data[e] - via_rot->data[e]);
        max_abs = fmax(max_abs, d);
        max_rel = fmax(max_rel, mag.data[e] > 0 ? d / mag.data[e] : 0.0);
    }
    tensor_free(&mag);
    report_identity(r, "X * K = X ⋆ rot180(K)", (int)tensor_size(conv), max_abs, max_rel, IDENTITY_REL_TOL,
                    "relative to each entry's Σ|products|");
}

// Where X * K and X ⋆ K differ most, in the chapter's relative measure.
static void say_how_far_apart(Report *r, const Layer *l, const Tensor *conv) {
    Tensor xc = tensor_alloc(1, l->out_h, l->out_w);
    chapter1_forward(&xc, &l->x, &l->k, l->mode, OP_XCORR);
    size_t worst = 0;
    for (size_t e = 1; e < tensor_size(&xc); e++)
        if (relative_difference(conv->data[e], xc.data[e]) > relative_difference(conv->data[worst], xc.data[worst]))
            worst = e;
    char a[40], b[40];
    format_number(a, sizeof a, conv->data[worst], "the convolution");
    format_number(b, sizeof b, xc.data[worst], "the cross-correlation");
    report_text(r, "K is not symmetric under rotation, so the two operations differ. They differ most at "
                   "(%d,%d): X * K = %s, X ⋆ K = %s, a relative difference |a - b|/max(|a|, |b|) of %.0f%%. "
                   "Libraries call their layer \"convolution\" but compute X ⋆ K; since the kernel is learned, "
                   "the network simply learns the rotated kernel and nothing is lost.",
                (int)worst / l->out_w, (int)worst % l->out_w, a, b,
                100 * relative_difference(conv->data[worst], xc.data[worst]));
    tensor_free(&xc);
}

static void section_1_4_convolution(Report *r, const Layer *l) {
    report_heading(r, "1.4 Convolution Y = X * K (the kernel rotated 180°)");
    report_text(r, "Computed straight from the definition, with the kernel index running backwards:");
    Tensor conv = tensor_alloc(1, l->out_h, l->out_w), via_rot = tensor_alloc(1, l->out_h, l->out_w);
    Tensor k_rot = tensor_alloc_like(&l->k);
    chapter1_forward(&conv, &l->x, &l->k, l->mode, OP_CONV);
    require_finite(&conv, "--input/--kernel");
    report_matrix_quantity(r, "convolution", "X * K", &conv);
    report_text(r, "And as a cross-correlation with the rotated kernel:");
    tensor_rot180(&k_rot, &l->k);
    chapter1_forward(&via_rot, &l->x, &k_rot, l->mode, OP_XCORR);
    report_matrix(r, "X ⋆ rot180(K)", &via_rot);
    check_rotation_identity(r, l, &conv, &via_rot);
    tensor_free(&via_rot), tensor_free(&k_rot); // big inputs: at most two outputs alive
    if (is_own_rotation(&l->k))
        report_text(r, "This kernel equals its own 180° rotation, so here convolution and cross-correlation "
                       "give the same matrix. Try an asymmetric kernel to see them differ.");
    else
        say_how_far_apart(r, l, &conv);
    tensor_free(&conv);
}

// The article's "∂L/∂K = ∂L/∂ŷ * x" (a convolution, valid mode: X * G)
// against the cross-correlation layer's true gradient X ⋆ G.
static void say_article_kernel_gradient(Report *r, const Layer *l, const Tensor *dk_xcorr) {
    if (l->mode != MODE_VALID) return;
    Tensor xg = tensor_alloc_like(&l->k);
    convolve2d(xg.data, l->x.data, l->g.data, l->x.h, l->x.w, l->g.h, l->g.w, CONV_VALID);
    double apart = 0.0;
    for (size_t e = 0; e < tensor_size(&xg); e++)
        apart = fmax(apart, relative_difference(xg.data[e], dk_xcorr->data[e]));
    report_text(r, "The article later writes the kernel gradient as ∂L/∂K = ∂L/∂ŷ * x, a convolution of G "
                   "with X. For this cross-correlation layer that is wrong: X * G (valid) %s.",
                apart > 0 ? "differs from X ⋆ G above" : "happens to equal X ⋆ G here, but not in general");
    if (apart > 0) report_matrix(r, "X * G (the article's form)", &xg);
    tensor_free(&xg);
}

static void section_1_5_kernel_gradient(Report *r, const Layer *l, const CommonOptions *opt) {
    report_heading(r, "1.5 The kernel gradient, checked numerically");
    report_text(r, "To check a layer whose output is a matrix, take the scalar L = Σ G∘Y for a fixed upstream "
                   "gradient G; then ∂L/∂K is exactly what backpropagation sends to the kernel when ∂L/∂Y = G. "
                   "Each entry is checked by central differences of L with a bound on their error; K[m,n] "
                   "enters L only through one product per output, so only those products are re-evaluated.");
    report_matrix_quantity(r, "upstream", "G", &l->g);
    bool full = l->mode == MODE_FULL;
    if (full)
        report_equation(r, "Y = X ⋆ K (full), P = pad(X, kh−1, kw−1):\n"
                           "    ∂L/∂K[m,n] = Σ_i Σ_j G[i,j] · P[i+m, j+n] = (pad(X, kh−1, kw−1) ⋆ G)[m,n]",
                        "Y = X \\star K\\ (\\text{full}):\\quad \\frac{\\partial L}{\\partial K} = "
                        "\\mathrm{pad}(X, k_h-1, k_w-1) \\star G");
    else
        report_equation(r, "Y = X ⋆ K:  ∂L/∂K[m,n] = Σ_i Σ_j G[i,j] · X[i+m, j+n] = (X ⋆ G)[m,n]",
                        "Y = X \\star K:\\quad \\frac{\\partial L}{\\partial K_{mn}} = \\sum_{i}\\sum_{j} G_{ij}\\, "
                        "X_{i+m,\\,j+n} \\;\\Rightarrow\\; \\frac{\\partial L}{\\partial K} = X \\star G");
    Tensor dk_xcorr = tensor_alloc_like(&l->k), dk_conv = tensor_alloc_like(&l->k);
    chapter1_kernel_grad_xcorr(&dk_xcorr, l);
    require_finite(&dk_xcorr, "--input/--upstream");
    Layer abs_l = *l; // |X| ⋆ |G|: the magnitudes summed into each entry, for --answer
    abs_l.x = tensor_clone(&l->x), abs_l.g = tensor_clone(&l->g);
    for (size_t e = 0; e < tensor_size(&abs_l.x); e++) abs_l.x.data[e] = fabs(abs_l.x.data[e]);
    for (size_t e = 0; e < tensor_size(&abs_l.g); e++) abs_l.g.data[e] = fabs(abs_l.g.data[e]);
    Tensor dk_mag = tensor_alloc_like(&l->k);
    chapter1_kernel_grad_xcorr(&dk_mag, &abs_l);
    report_answer_rounding(r, &dk_mag);
    report_matrix_quantity(r, "dL_dK_xcorr", "∂L/∂K (cross-correlation)", &dk_xcorr);
    check_kernel_gradient(r, "∂L/∂K for X ⋆ K", l, OP_XCORR, &dk_xcorr, opt);
    say_article_kernel_gradient(r, l, &dk_xcorr);
    if (full) {
        report_verbatim(r, "Check a formula you derived:\n  build/chapter1 --mode full --formula \\\n"
                           "    'dL_dK_xcorr = xcorr(pad(X, kh - 1, kw - 1), G)'");
        report_equation(r, "Y = X * K = X ⋆ rot180(K):  ∂L/∂K = rot180(pad(X, kh−1, kw−1) ⋆ G)",
                        "Y = X * K:\\quad \\frac{\\partial L}{\\partial K} = "
                        "\\mathrm{rot180}(\\mathrm{pad}(X, k_h-1, k_w-1) \\star G)");
    } else {
        report_verbatim(r, "Check a formula you derived:\n  build/chapter1 --formula 'dL_dK_xcorr = xcorr(X, G)'");
        report_equation(r, "Y = X * K = X ⋆ rot180(K):  ∂L/∂K = rot180(X ⋆ G)",
                        "Y = X * K = X \\star \\mathrm{rot180}(K):\\quad \\frac{\\partial L}{\\partial K} = "
                        "\\mathrm{rot180}(X \\star G)");
    }
    chapter1_kernel_grad_conv_chosen(&dk_conv, l, opt->bug_id);
    Tensor conv_mag = tensor_alloc_like(&l->k); // rot180 of the magnitudes above
    for (size_t e = 0; e < tensor_size(&dk_mag); e++) conv_mag.data[e] = dk_mag.data[tensor_size(&dk_mag) - 1 - e];
    report_answer_rounding(r, &conv_mag);
    report_matrix_quantity(r, "dL_dK_conv", "∂L/∂K (convolution)", &dk_conv);
    if (opt->bug_id == BUG_NO_ROT180)
        report_text(r, "--bug no-rot180: the gradient above is X ⋆ G, not rotated back. Watch the check:");
    check_kernel_gradient(r, "∂L/∂K for X * K", l, OP_CONV, &dk_conv, opt);
    tensor_free(&dk_xcorr), tensor_free(&dk_conv), tensor_free(&dk_mag), tensor_free(&conv_mag);
    tensor_free(&abs_l.x), tensor_free(&abs_l.g);
}

// ---------------------------------------------------------------- plots

static void write_matrix_file(const char *dir, const char *name, const Tensor *t) {
    FILE *f = plot_file_open(dir, name);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) fprintf(f, "%.17g%c", *tensor_at(t, 0, i, j), j + 1 < t->w ? ' ' : '\n');
    plot_file_close(f, dir, name);
}

// X, K, X ⋆ K and X * K as matrices, and where the kernel sits for output
// (0,0): the window's centre and half-sizes on X, in cell coordinates.
static void write_plot_data(const char *dir, const Layer *l) {
    Tensor y = tensor_alloc(1, l->out_h, l->out_w);
    write_matrix_file(dir, "chapter1_x.dat", &l->x);
    write_matrix_file(dir, "chapter1_k.dat", &l->k);
    chapter1_forward(&y, &l->x, &l->k, l->mode, OP_XCORR);
    write_matrix_file(dir, "chapter1_xcorr.dat", &y);
    chapter1_forward(&y, &l->x, &l->k, l->mode, OP_CONV);
    write_matrix_file(dir, "chapter1_conv.dat", &y);
    tensor_free(&y);
    FILE *f = plot_file_open(dir, "chapter1_window.dat");
    int top = input_index(OP_XCORR, l->mode, 0, 0, l->k.h), left = input_index(OP_XCORR, l->mode, 0, 0, l->k.w);
    fprintf(f, "# column_centre row_centre half_width half_height (the window of output (0,0) on X)\n");
    fprintf(f, "%g %g %g %g\n", left + (l->k.w - 1) / 2.0, top + (l->k.h - 1) / 2.0, l->k.w / 2.0, l->k.h / 2.0);
    plot_file_close(f, dir, "chapter1_window.dat");
}

// ---------------------------------------------------------------- input

// X, K and G from the options, all validated before anything is printed.
static Layer layer_from_options(const char *input, const char *kernel, const char *mode, const char *upstream,
                                const CommonOptions *opt) {
    Layer l = {.mode = mode ? (Mode)option_choice("--mode", mode, "valid|full") : MODE_VALID};
    l.x = input ? option_matrix("--input", input) : tensor_alloc(1, EXAMPLE_X_H, EXAMPLE_X_W);
    l.k = kernel ? option_matrix("--kernel", kernel) : tensor_alloc(1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE);
    if (!input) memcpy(l.x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    if (!kernel) memcpy(l.k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    if (l.mode == MODE_VALID && (l.k.h > l.x.h || l.k.w > l.x.w))
        usage_error("--kernel: a %dx%d kernel does not fit the %dx%d input in valid mode (use a kernel at most "
                    "%dx%d, or --mode full)",
                    l.k.h, l.k.w, l.x.h, l.x.w, l.x.h, l.x.w);
    l.out_h = l.mode == MODE_VALID ? l.x.h - l.k.h + 1 : l.x.h + l.k.h - 1;
    l.out_w = l.mode == MODE_VALID ? l.x.w - l.k.w + 1 : l.x.w + l.k.w - 1;
    if (l.out_h > TENSOR_MAX_SIDE || l.out_w > TENSOR_MAX_SIDE)
        usage_error("--kernel: the full-mode output would be %dx%d, above the %d limit", l.out_h, l.out_w,
                    TENSOR_MAX_SIDE);
    double madds = (double)l.out_h * l.out_w * l.k.h * l.k.w;
    if (madds > FORWARD_MAX_MADDS)
        usage_error("--kernel: a %dx%d kernel over a %dx%d input is %.1e multiply-adds per pass, above this "
                    "chapter's limit of %.0e; use a smaller kernel or input",
                    l.k.h, l.k.w, l.x.h, l.x.w, madds, FORWARD_MAX_MADDS);
    if (opt->plot_dir && (l.out_h > MAX_PLOT_SIDE || l.out_w > MAX_PLOT_SIDE || l.x.h > MAX_PLOT_SIDE ||
                          l.x.w > MAX_PLOT_SIDE))
        usage_error("--plot: heatmaps take inputs and outputs up to %dx%d; this one has more cells than a plot "
                    "has pixels",
                    MAX_PLOT_SIDE, MAX_PLOT_SIDE);
    if (upstream) {
        l.g = option_matrix("--upstream", upstream);
        if (l.g.h != l.out_h || l.g.w != l.out_w)
            usage_error("--upstream: shape %dx%d does not match the output, which is %dx%d", l.g.h, l.g.w,
                        l.out_h, l.out_w);
    } else {
        // Small integers keep every gradient readable by hand; none is 0, so
        // every output reaches L and no mistake hides behind a zero of G.
        l.g = tensor_alloc(1, l.out_h, l.out_w);
        Rng rng = rng_make(opt->seed);
        for (size_t i = 0; i < tensor_size(&l.g); i++) {
            int v = rng_below(&rng, 6); // 0..5 → −3, −2, −1, 1, 2, 3
            l.g.data[i] = v < 3 ? v - 3 : v - 2;
        }
    }
    return l;
}

int main(int argc, char **argv) {
    const char *input = NULL, *kernel = NULL, *mode = NULL, *upstream = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the input X (default: the running example, 3x4)", &input},
        {"--kernel", "M", "the kernel K (default: [1 1; 1 2])", &kernel},
        {"--mode", "MODE", "valid (default): K inside X; full: every overlap", &mode},
        {"--upstream", "M", "upstream gradient G, L = sum(G*Y) (default: seeded)", &upstream},
    };
    const ChapterSpec spec = {
        .program = "chapter1",
        .title = "Chapter 1: cross-correlation vs convolution",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS),
        .formulas = true,
        .notes = "--formula checks a kernel gradient you derived, e.g. --formula \"dL_dK_xcorr = xcorr(X, G)\".\n"
                 "Example: chapter1 --input \"1 2 3; 4 5 6; 7 8 9\" --kernel \"1 0; 0 -1\" --mode full\n"
                 "         chapter1 --plot plots/out/data   # data for plots/chapter1.gp",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    Layer l = layer_from_options(input, kernel, mode, upstream, &opt);
    FormulaSpec fs = chapter1_formula_spec(&l, BUGS, (int)ARRAY_LEN(BUGS));
    Formula f[MAX_FORMULAS];
    formula_parse_options_or_exit(f, &fs, &opt);

    Report r;
    report_init(&r, &opt, spec.title);
    report_json_string(&r, "mode", l.mode == MODE_VALID ? "valid" : "full");
    section_1_1_forward_formula(&r, &l);
    section_1_2_worked_example(&r, &l, !input && !kernel);
    section_1_3_cross_correlation(&r, &l);
    section_1_4_convolution(&r, &l);
    section_1_5_kernel_gradient(&r, &l, &opt);
    bool held = section_1_6_your_formulas(&r, &fs, f, &opt);
    if (opt.plot_dir) write_plot_data(opt.plot_dir, &l);
    int status = formula_exit_status(report_finish(&r), held);
    formula_free_all(f, opt.n_formulas);
    tensor_free(&l.x), tensor_free(&l.k), tensor_free(&l.g);
    options_free(&opt);
    return status;
}
