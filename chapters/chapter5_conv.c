// Chapter 5: the gradients of the convolution layer.
//
// The article's "Backpropagation Through the Convolution Layer": ∂L/∂K, ∂L/∂X
// and ∂L/∂b of Y = X ⋆ K + b on the running example, the three forms of ∂L/∂X
// (src/layers/conv.c), then stride, padding, dilation and channels, all checked.
// X is (C_in,H,W), K (C_out,C_in,kh,kw) as C_out·C_in channels, b (C_out),
// Y and ∂L/∂Y (C_out,H_out,W_out). Sections free what they make; main owns
// the layer.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "chapter5_formula.h"
#include "chapter5_input.h"
#include "chapter5_layer.h"
#include "conv.h"
#include "conv_check.h"
#include "conv_report.h"
#include "conv_steps.h"
#include "example.h"
#include "example_chain.h"
#include "gradcheck.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "tensor.h"

// The default step: it moves K by a few hundredths, visible in the printed
// loss yet far from moving a pooling window's maximum.
#define DEFAULT_LR 0.1


// ---------------------------------------------------------------- checks

// One gradient of the layer within the work budget (src/show/conv_check.h).
static void check_one(Report *r, const char *name, Layer *l, ConvBlock block, const Tensor *analytic,
                      const ConvCheckPlan *p) {
    ConvObjective ctx = {&l->s, l->x.data, l->k.data, l->b.data, l->g.data, block, 0};
    conv_check_block(r, name, &ctx, block == CONV_BLOCK_INPUT ? l->x.data : block == CONV_BLOCK_KERNEL ? l->k.data
                                                                                               : l->b.data,
                     analytic, p);
}

static void check_layer(Report *r, const char *suffix, Layer *l, const Grads *d, const ConvCheckPlan *p) {
    const ConvBlock blocks[] = {CONV_BLOCK_INPUT, CONV_BLOCK_KERNEL, CONV_BLOCK_BIAS};
    const Tensor *grads[] = {&d->dx, &d->dk, &d->db};
    const char *names[] = {"∂L/∂X", "∂L/∂K", "∂L/∂b"};
    for (int q = 0; q < 3; q++) {
        char name[96];
        snprintf(name, sizeof name, "%s%s", names[q], suffix);
        check_one(r, name, l, blocks[q], grads[q], p);
    }
}

// The loss the step of 5.6 lowers: the chain's when Y feeds it, else the
// linear L = Σ G∘Y. *scale: the magnitude its rounding is relative to.
static double step_loss(const Layer *l, const double *k, const double *b, bool chain, double *scale) {
    Tensor y = tensor_alloc_like(&l->y);
    conv_forward(y.data, l->x.data, k, b, &l->s);
    double loss;
    if (chain) {
        ExampleChain ch;
        loss = example_chain_forward(&ch, y.data);
        *scale = fabs(loss) + fabs(ch.z);
    } else {
        loss = conv_loss_region(scale, l->g.data, l->x.data, k, b, &l->s, conv_region_all(&l->s));
    }
    tensor_free(&y);
    return loss;
}

// ---------------------------------------------------------------- printing helpers

static void num(char *buf, size_t len, double v) { format_number(buf, len, v, "a gradient"); }

static const char *plural(int n) { return n == 1 ? "" : "s"; }

// The steps of ∂L/∂X for the layer's first channel pair (5.3, 5.7).
static void show_steps(Report *r, const char *prefix, const Layer *l, Bug bug) {
    ConvSteps st = steps_run(l->g.data, l->k.data, &l->s, bug);
    conv_steps_report(r, prefix, &st, &l->s);
    conv_steps_free(&st);
}

// ---------------------------------------------------------------- the sections


static void section_5_1_layer(Report *r, const Layer *l, const ExampleChain *ch, Upstream up) {
    report_heading(r, "5.1 The layer and the gradient arriving at it");
    report_text(r, "The layer computes Y = X ⋆ K + b (a cross-correlation, chapter 1). Backpropagation hands it "
                   "∂L/∂Y and asks for three gradients: ∂L/∂K and ∂L/∂b to update the layer, ∂L/∂X to pass on to "
                   "the layer before.");
    report_matrix_quantity(r, "input", "X", &l->x);
    report_matrix_quantity(r, "kernel", "K", &l->k);
    report_quantity(r, "bias", "b", &l->b);
    report_scalar(r, "stride", "stride s", l->s.stride);
    report_scalar(r, "padding", "padding p", l->s.pad_h);
    report_scalar(r, "dilation", "dilation d", l->s.dilation);
    conv_report_output_size(r, &l->s);
    report_matrix_quantity(r, "output", "Y = X ⋆ K + b", &l->y);
    switch (up) {
    case UPSTREAM_CHAIN: example_chain_report(r, ch); break;
    case UPSTREAM_GIVEN: report_text(r, "∂L/∂Y is the one given with --upstream; the loss is L = Σ ∂L/∂Y ∘ Y."); break;
    case UPSTREAM_SEEDED:
        report_text(r, "Y is not 2x3, so the running example's pooling and dense layer do not fit it; ∂L/∂Y is "
                       "seeded integers and the loss is L = Σ ∂L/∂Y ∘ Y.");
        break;
    }
    report_matrix_quantity(r, "upstream", "∂L/∂Y", &l->g);
    report_text(r, "Every check below compares with central differences of L' = Σ G∘Y(X, K, b) for the fixed G = "
                   "∂L/∂Y: its gradient is exactly what the layer must return. Perturbing one entry changes only "
                   "the outputs it touches, so only those are re-evaluated (local differences). Each difference "
                   "carries an error bound; an entry passes when |a − n| ≤ rtol·max(|a|,|n|) + bound.");
}

static void section_5_2_kernel_gradient(Report *r, Layer *l, const Grads *d, const ConvCheckPlan *p, Bug bug) {
    const ConvShape *s = &l->s;
    const char *xname = s->pad_h ? "X_padded" : "X";
    report_heading(r, "5.2 The kernel gradient: ∂L/∂K = X ⋆ ∂L/∂Y");
    report_text(r, "K[m,n] multiplies %s[i·s + m·d, j·s + n·d] in output (i,j), so it collects ∂L/∂Y[i,j] times "
                   "that input from every output%s:",
                xname, s->pad_h ? " (X_padded is X with p zeros around it; the zeros are the padding)" : "");
    report_equation(r, "∂L/∂K[m,n] = Σ_i Σ_j ∂L/∂Y[i,j] · X[i+m, j+n]   (s = d = 1)",
                    "\\frac{\\partial L}{\\partial K_{mn}} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}"
                    "\\, X_{i+m,\\,j+n}");
    report_equation(r, "∂L/∂K = X ⋆ ∂L/∂Y",
                    "\\frac{\\partial L}{\\partial K} = X \\star \\frac{\\partial L}{\\partial Y}");
    Tensor used = bug == BUG_KERNEL_CONV ? upstream_rot180(l->g.data, s) : tensor_view(l->g.data, 1, l->g.h, l->g.w);
    if (bug == BUG_KERNEL_CONV) {
        report_text(r, "--bug kernel-conv computes the article's convolution instead, ∂L/∂Y flipped:");
        report_equation(r, "∂L/∂K = X * ∂L/∂Y = X ⋆ rot180(∂L/∂Y)",
                        "\\frac{\\partial L}{\\partial K} = X * \\frac{\\partial L}{\\partial Y} = X \\star "
                        "\\mathrm{rot180}(\\frac{\\partial L}{\\partial Y})");
    }
    conv_report_kernel_entry(r, &l->x, &used, &l->s, d->dk.data[0]);
    if (bug == BUG_KERNEL_CONV) tensor_free(&used);
    report_matrix_quantity(r, "dK", "∂L/∂K", &d->dk);
    report_verbatim(r, "Check a formula you derived:\n  build/chapter5 --formula 'dK = xcorr(X, G)'");
    if (s->stride == 1 && s->dilation == 1) {
        Tensor xp = conv_steps_pad(&l->x, s->pad_h, s->pad_w), wrong = tensor_alloc_like(&l->k);
        convolve2d(wrong.data, xp.data, l->g.data, xp.h, xp.w, l->g.h, l->g.w, CONV_VALID);
        Tensor right = tensor_alloc_like(&l->k); // d->dk is the --bug's under kernel-conv
        conv_kernel_grad(right.data, l->g.data, l->x.data, s);
        char a[40], c[40];
        num(a, sizeof a, wrong.data[0]);
        num(c, sizeof c, right.data[0]);
        tensor_free(&right);
        report_erratum(r, "the article writes ∂L/∂K = ∂L/∂ŷ * x, a convolution, and says the kernel gradients are "
                          "\"produced by convolving the output feature map and the input matrix\". A convolution "
                          "flips one operand: X * ∂L/∂Y = X ⋆ rot180(∂L/∂Y), which gives %s for entry [0,0] where "
                          "the gradient is %s. The kernel gradient is the cross-correlation X ⋆ ∂L/∂Y (no flip), "
                          "because the forward pass is one.",
                       a, c);
        report_matrix(r, "X * ∂L/∂Y (the article's formula)", &wrong);
        tensor_free(&xp);
        tensor_free(&wrong);
    } else {
        report_erratum(r, "the article writes ∂L/∂K = ∂L/∂ŷ * x, a convolution. With s = d = 1 it is the "
                          "cross-correlation X ⋆ ∂L/∂Y (no flip); with stride %d and dilation %d, ∂L/∂Y's entries "
                          "sit %d apart on X and the result's %d apart (section 5.7).",
                       s->stride, s->dilation, s->stride, s->dilation);
    }
    check_one(r, "∂L/∂K", l, CONV_BLOCK_KERNEL, &d->dk, p);
}

// Small enough to show every step and every matrix of a form.
static bool small_layer(const Layer *l) { return tensor_size(&l->x) <= 64 && tensor_size(&l->k) <= 16; }

static void input_gradient_erratum(Report *r, const Layer *l) {
    const ConvShape *s = &l->s;
    Tensor rot = conv_steps_rot180(&l->k), literal = tensor_alloc_like(&l->k);
    double total = bias_grad(l->g.data, l->g.h, l->g.w);
    for (size_t q = 0; q < tensor_size(&rot); q++) literal.data[q] = total * rot.data[q];
    report_erratum(r, "the article writes ∂L/∂x_ij = Σ_i Σ_j ∂L/∂ŷ_ij ⋆ rot180(K) and calls it \"the double "
                      "summation of the change in loss w.r.t output produced after cross-correlation and the "
                      "180-degree rotated kernel\". Read as written, each ∂L/∂ŷ_ij is a number, so the double sum "
                      "is (Σ ∂L/∂Y)·rot180(K), a %dx%d matrix, where ∂L/∂X is %dx%d:",
                   l->k.h, l->k.w, l->x.h, l->x.w);
    report_matrix(r, "Σ_i Σ_j ∂L/∂Y[i,j] · rot180(K) (the article)", &literal);
    char spread[80] = "";
    if (s->stride > 1)
        snprintf(spread, sizeof spread, " with %d zero%s inserted between its entries,", s->stride - 1,
                 plural(s->stride - 1));
    int fh = s->dilation * (s->kh - 1), fw = s->dilation * (s->kw - 1);
    report_text(r, "The correct statement is one full convolution (no sum in front): ∂L/∂Y,%s zero-padded by "
                   "d(kh−1) = %d row%s and d(kw−1) = %d column%s, cross-correlated with rot180(K)%s.",
                spread, fh, plural(fh), fw, plural(fw), s->dilation > 1 ? " with its taps d apart" : "");
    tensor_free(&rot);
    tensor_free(&literal);
}

static void section_5_3_input_gradient(Report *r, Layer *l, const Grads *d, const ConvCheckPlan *p, Bug bug) {
    report_heading(r, "5.3 The input gradient: ∂L/∂X = full convolution of ∂L/∂Y with K");
    report_text(r, "X[a,b] is read by every output window that covers it, each time multiplied by a different "
                   "entry of K. Summing those paths is a full convolution: pad ∂L/∂Y with kh−1, kw−1 zeros and "
                   "cross-correlate with rot180(K).");
    report_equation(r, "∂L/∂X = ∂L/∂Y *_full K = pad(∂L/∂Y, kh−1, kw−1) ⋆ rot180(K)",
                    "\\frac{\\partial L}{\\partial X} = \\frac{\\partial L}{\\partial Y} "
                    "\\mathbin{*_{\\mathrm{full}}} K = \\mathrm{pad}\\!\\left(\\frac{\\partial L}{\\partial Y}, "
                    "k_h-1, k_w-1\\right) \\star \\mathrm{rot180}(K)");
    if (small_layer(l))
        show_steps(r, NULL, l, bug);
    else
        report_text(r, "(The steps are shown for inputs of at most 64 entries and kernels of at most 16.)");
    report_matrix_quantity(r, "dX", "∂L/∂X", &d->dx);
    report_text(r, "This is the transposed convolution (PyTorch's conv_transpose2d of ∂L/∂Y with K): the same "
                   "weights, read from the outputs back to the inputs.");
    input_gradient_erratum(r, l);
    check_one(r, "∂L/∂X", l, CONV_BLOCK_INPUT, &d->dx, p);
}

static void section_5_4_bias_gradient(Report *r, Layer *l, const Grads *d, const ConvCheckPlan *p) {
    report_heading(r, "5.4 The bias gradient: ∂L/∂b = Σ_i Σ_j ∂L/∂Y[i,j]");
    report_text(r, "b is added to every entry of Y, so every entry's gradient reaches it with factor 1.");
    report_equation(r, "∂L/∂b = Σ_i Σ_j ∂L/∂Y[i,j]",
                    "\\frac{\\partial L}{\\partial b} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}");
    report_quantity(r, "db", "∂L/∂b", &d->db);
    char right[40];
    num(right, sizeof right, bias_grad(l->g.data, l->g.h, l->g.w));
    report_erratum(r, "the article writes ∂L/∂b_j = Σ_{j=1}^m ∂L/∂ŷ_ij, a sum over one index (the index it also "
                      "names the bias by). Σ_j alone leaves one number per row i; the gradient is their total, "
                      "Σ_i Σ_j ∂L/∂Y[i,j] = %s.",
                   right);
    if (l->g.h <= 16) {
        Tensor rows = tensor_alloc(1, l->g.h, 1);
        for (int i = 0; i < l->g.h; i++) rows.data[i] = bias_grad(l->g.data + (long)i * l->g.w, 1, l->g.w);
        report_matrix(r, "Σ_j ∂L/∂Y[i,j] for each row i (the article)", &rows);
        tensor_free(&rows);
    }
    check_one(r, "∂L/∂b", l, CONV_BLOCK_BIAS, &d->db, p);
}

// Under a --bug of ∂L/∂X, 5.3 printed the bug's matrix while 5.5's forms are
// the library's correct code: say so, with how many entries differ.
static void three_forms_under_bug(Report *r, const Layer *l, const Grads *d, Bug bug) {
    if (bug == BUG_NONE || bug == BUG_BIAS_ONE_AXIS) return;
    Tensor full = tensor_alloc_like(&l->x);
    conv_input_grad_full(full.data, l->g.data, l->k.data, &l->s);
    int n = (int)tensor_size(&full), differ = 0;
    for (int k = 0; k < n; k++) differ += relative_error(full.data[k], d->dx.data[k]) > GRADCHECK_REL_TOL;
    tensor_free(&full);
    if (differ == 0) {
        report_text(r, "--bug %s (%s) changes nothing at this layer's shape: 5.3's ∂L/∂X is these forms' "
                       "value.", CHAPTER5_BUGS[bug - 1].name, CHAPTER5_BUGS[bug - 1].description);
        return;
    }
    report_text(r, "With --bug %s (%s) only 5.3's step-by-step ∂L/∂X runs the mistake. These three forms are "
                   "the library's correct code, so they agree with each other and not with the ∂L/∂X 5.3 "
                   "printed: %d of its %d entries differ, which 5.3's check against finite differences "
                   "reports.", CHAPTER5_BUGS[bug - 1].name, CHAPTER5_BUGS[bug - 1].description, differ, n);
}

static void section_5_5_three_forms(Report *r, const Layer *l, const Grads *d, Bug bug) {
    report_heading(r, "5.5 Three forms of ∂L/∂X, one answer");
    report_text(r, "1. Scatter: every output gradient flows back along the products that made it, "
                   "dX[i·s + m·d, j·s + n·d] += K[m,n]·∂L/∂Y[i,j] (conv_input_grad_scatter). 2. The full "
                   "convolution 5.3 derives (conv_input_grad_full). 3. The layer is linear in X: Y = C·vec(X) + b, "
                   "where row (i,j) of C holds K's entries at the columns of the pixels that window (i,j) reads; then "
                   "∂L/∂vec(X) = Cᵀ·vec(∂L/∂Y) (conv_input_grad_matrix).");
    conv_report_three_forms(r, &l->k, &l->g, &l->s, small_layer(l));
    three_forms_under_bug(r, l, d, bug);
    report_text(r, "Why the rotation: column q of C lists the outputs pixel q feeds. Moving down the windows that "
                   "cover it, the pixel meets K's entries in reverse order: for a pixel at least kh−1 rows and kw−1 "
                   "columns from the top-left border, the first window reads it with K's last entry. Reading a "
                   "column of C is reading K backwards, which is what rot180 does.");
}

// The loss of 5.6 for the layer with kernel k and bias b.
typedef struct {
    const Layer *l;
    bool chain;
} StepLoss;

static double step_loss_fn(void *ctx, const double *k, const double *b, double *scale) {
    const StepLoss *p = ctx;
    return step_loss(p->l, k, b, p->chain, scale);
}

static void section_5_6_descent_step(Report *r, const Layer *l, const Grads *d, double lr, bool chain) {
    report_heading(r, "5.6 One step of gradient descent on K and b");
    report_equation(r, "K ← K − η·∂L/∂K      b ← b − η·∂L/∂b",
                    "K \\leftarrow K - \\eta\\,\\frac{\\partial L}{\\partial K},\\qquad b \\leftarrow b - "
                    "\\eta\\,\\frac{\\partial L}{\\partial b}");
    StepLoss ctx = {l, chain};
    conv_report_descent(r, step_loss_fn, &ctx, &l->k, &l->b, &d->dk, &d->db, lr);
    report_text(r, "%s", chain ? "The chain's loss (pool, dense, BCE) is smooth near here, so a small enough step "
                                 "lowers it by about η‖g‖²; a step that overshoots is information, not a failure."
                               : "L = Σ G∘Y is linear in K and b, so the step changes it by exactly −η‖g‖², "
                                 "up to rounding.");
}

// Without padding the leftover reaches X itself: stride 2 on the 3x4
// example leaves the last row unread, so its gradient is exactly 0.
static void leftover_rows(Report *r, Bug bug) {
    ConvShape s;
    conv_shape_init(&s, 1, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE, 2, 0, 0, 1);
    double g[2] = {1, 1}, dxd[EXAMPLE_X_H * EXAMPLE_X_W] = {0}; // Y is 1x2
    Tensor dx = tensor_view(dxd, 1, s.in_h, s.in_w);
    input_gradient(dx.data, g, EXAMPLE_K, &s, bug);
    report_text(r, "Without padding the leftover reaches X itself: stride 2, p = 0 gives a %dx%d output, (3 − 1 − "
                   "1) = 1 is not a multiple of 2, and X's last row is never read. With ∂L/∂Y all ones:",
                s.out_h, s.out_w);
    report_matrix(r, "∂L/∂X (s = 2, p = 0)", &dx);
    double last = 0.0;
    for (int j = 0; j < s.in_w; j++) last = fmax(last, fabs(*tensor_at(&dx, 0, s.in_h - 1, j)));
    report_identity(r, "X's unread last row gets zero gradient", s.in_w, last, last, 0.0,
                    "its entries against exact 0");
    report_text(r, "This is the output_padding of a transposed convolution: inputs of 2 and 3 rows both give 1 "
                   "output row here, so conv_transpose2d cannot tell from ∂L/∂Y alone how many rows to return; "
                   "output_padding says how many leftover rows (with zero gradient) to add.");
}

static void section_5_7_stride_padding(Report *r, Bug bug, const ConvCheckPlan *p) {
    report_heading(r, "5.7 Stride, padding and dilation");
    report_text(r, "The article's layer has stride 1 and no padding. Take the running X and K again, now with "
                   "stride s = 2 and zero padding p = 1:");
    if (bug == BUG_NO_DILATE) report_text(r, "--bug no-dilate acts only when s > 1: this section uses stride 2.");
    ConvShape s;
    conv_shape_init(&s, 1, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE, 2, 1, 1, 1);
    Layer l = layer_new(&s);
    memcpy(l.x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    memcpy(l.k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    conv_report_output_size(r, &s);
    conv_forward(l.y.data, l.x.data, l.k.data, l.b.data, &s);
    report_matrix(r, "Y = X_padded ⋆ K, stride 2", &l.y);
    Rng rng = rng_make(p->seed ^ 0x5151);
    for (size_t q = 0; q < tensor_size(&l.g); q++) { // non-zero, so that every inserted zero stands out
        int v = rng_below(&rng, 6) - 3;
        l.g.data[q] = v >= 0 ? v + 1 : v;
    }
    report_text(r, "With a seeded upstream gradient G (L = Σ G∘Y):");
    report_quantity(r, "stride_example_upstream", "∂L/∂Y", &l.g);
    show_steps(r, "stride_example_", &l, bug);
    Grads d = layer_backward(&l, bug);
    report_quantity(r, "stride_example_dX", "∂L/∂X", &d.dx);
    report_text(r, "The kernel gradient is a cross-correlation of the padded X with ∂L/∂Y in which stride and "
                   "dilation trade places: the entries of ∂L/∂Y sit s apart on X, the entries of the result d "
                   "apart.");
    report_equation(r, "∂L/∂K[m,n] = Σ_i Σ_j ∂L/∂Y[i,j] · X_padded[i·s + m·d, j·s + n·d]",
                    "\\frac{\\partial L}{\\partial K_{mn}} = \\sum_i\\sum_j \\frac{\\partial L}{\\partial Y_{ij}}\\, "
                    "X^{\\mathrm{pad}}_{is+md,\\; js+nd}");
    report_quantity(r, "stride_example_dK", "∂L/∂K", &d.dk);
    report_quantity(r, "stride_example_db", "∂L/∂b", &d.db);
    check_layer(r, ", s=2, p=1", &l, &d, p);
    leftover_rows(r, bug);
    report_text(r, "\"Same\" padding: with stride 1, p = d(k−1)/2 on each side keeps H_out = H when d(k−1) is "
                   "even; when it is odd one side needs one row more (PyTorch's padding='same' puts it at the "
                   "bottom and right).");
    grads_free(&d);
    layer_free(&l);
}

static void channels_contributions(Report *r, const Layer *l) {
    report_text(r, "Each input channel c feeds every output channel o, so ∂L/∂X[c] sums one contribution per o: "
                   "full(∂L/∂Y[o]) ⋆ rot180(K[o,c]). The four contributions:");
    ConvShape one;
    conv_shape_init(&one, 1, l->s.in_h, l->s.in_w, 1, l->s.kh, l->s.kw, 1, 0, 0, 1);
    for (int o = 0; o < l->s.out_c; o++)
        for (int c = 0; c < l->s.in_c; c++) {
            Tensor part = tensor_alloc(1, l->s.in_h, l->s.in_w);
            conv_input_grad_full(part.data, l->g.data + (long)o * l->s.out_h * l->s.out_w,
                                 l->k.data + ((long)o * l->s.in_c + c) * l->s.kh * l->s.kw, &one);
            char label[96];
            snprintf(label, sizeof label, "output channel %d's contribution to ∂L/∂X[%d]", o, c);
            report_matrix(r, label, &part);
            tensor_free(&part);
        }
}

static void section_5_8_channels(Report *r, Bug bug, const ConvCheckPlan *p) {
    report_heading(r, "5.8 Several input and output channels");
    report_text(r, "A real layer has C_in input channels and C_out kernels, each kernel (C_in, kh, kw): K is "
                   "(C_out, C_in, kh, kw), with one bias per output channel. Here C_in = 2 (the running X and a "
                   "second channel) and C_out = 2.");
    report_equation(r, "Y[o] = b[o] + Σ_c X[c] ⋆ K[o,c]", "Y_o = b_o + \\sum_c X_c \\star K_{oc}");
    report_equation(r, "∂L/∂K[o,c] = X[c] ⋆ ∂L/∂Y[o]    ∂L/∂b[o] = Σ_i Σ_j ∂L/∂Y[o,i,j]",
                    "\\frac{\\partial L}{\\partial K_{oc}} = X_c \\star \\frac{\\partial L}{\\partial Y_o},\\quad "
                    "\\frac{\\partial L}{\\partial b_o} = \\sum_{i,j} \\frac{\\partial L}{\\partial Y_{oij}}");
    report_equation(r, "∂L/∂X[c] = Σ_o full(∂L/∂Y[o]) ⋆ rot180(K[o,c])",
                    "\\frac{\\partial L}{\\partial X_c} = \\sum_o \\mathrm{full}\\left(\\frac{\\partial L}{\\partial "
                    "Y_o}\\right) \\star \\mathrm{rot180}(K_{oc})");
    static const double second[EXAMPLE_X_H * EXAMPLE_X_W] = {1, 0, 2, 1, 3, 1, 0, 2, 0, 2, 1, 1};
    static const double kernels[2 * 2 * 4] = {1, 1, 1, 2, 0, 1, -1, 0, 2, 0, 0, -1, 1, -1, 1, 1};
    ConvShape s;
    conv_shape_init(&s, 2, EXAMPLE_X_H, EXAMPLE_X_W, 2, 2, 2, 1, 0, 0, 1);
    Layer l = layer_new(&s);
    memcpy(l.x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    memcpy(l.x.data + EXAMPLE_X_H * EXAMPLE_X_W, second, sizeof second);
    memcpy(l.k.data, kernels, sizeof kernels);
    l.b.data[1] = 0.5;
    conv_forward(l.y.data, l.x.data, l.k.data, l.b.data, &s);
    Rng rng = rng_make(p->seed ^ 0xC4A7);
    for (size_t q = 0; q < tensor_size(&l.g); q++) l.g.data[q] = rng_below(&rng, 7) - 3;
    report_matrix(r, "X", &l.x);
    for (int o = 0; o < 2; o++) {
        Tensor ko = tensor_view(l.k.data + o * 8, 2, 2, 2);
        char label[32];
        snprintf(label, sizeof label, "K[%d]", o);
        report_matrix(r, label, &ko);
    }
    report_matrix(r, "b", &l.b);
    report_matrix(r, "Y", &l.y);
    report_quantity(r, "channels_upstream", "∂L/∂Y", &l.g);
    Grads d = layer_backward(&l, bug);
    channels_contributions(r, &l);
    report_quantity(r, "channels_dX", "∂L/∂X (their sums)", &d.dx);
    for (int o = 0; o < 2; o++) {
        Tensor dko = tensor_view(d.dk.data + o * 8, 2, 2, 2);
        char key[32], label[32];
        snprintf(key, sizeof key, "channels_dK%d", o);
        snprintf(label, sizeof label, "∂L/∂K[%d]", o);
        report_quantity(r, key, label, &dko);
    }
    report_quantity(r, "channels_db", "∂L/∂b (one per output channel)", &d.db);
    check_layer(r, ", 2 → 2 channels", &l, &d, p);
    grads_free(&d);
    layer_free(&l);
}

static void section_5_9_sweep(Report *r, Bug bug, uint64_t seed) {
    report_heading(r, "5.9 Every combination, gradient-checked");
    report_text(r, "A seeded sweep over stride s ∈ {1,2,3}, padding p ∈ {0,1,2}, dilation d ∈ {1,2}, C_in ∈ {1,3} "
                   "and C_out ∈ {1,2}: random kernel sizes from 1x1 to 3x3, input sizes that leave leftovers, "
                   "random values in [−2, 2). Each row checks every entry of ∂L/∂X, ∂L/∂K and ∂L/∂b against "
                   "error-bounded local differences (tolerance %g plus each bound); C is C_in→C_out.",
                GRADCHECK_REL_TOL);
    conv_check_sweep(r, seed, backward_with_bug, &bug);
}

static void section_5_10_border(Report *r, const Layer *l, const Grads *d, const char *plot_dir) {
    report_heading(r, "5.10 Why border pixels get smaller gradients");
    report_text(r, "∂L/∂X[a,b] sums one term per output window that covers X[a,b]. Counting those windows (the "
                   "scatter loop with K = 1 and ∂L/∂Y = 1):");
    Tensor touch = tensor_alloc_like(&l->x), ones_k = tensor_alloc_like(&l->k), ones_g = tensor_alloc_like(&l->g);
    for (size_t q = 0; q < tensor_size(&ones_k); q++) ones_k.data[q] = 1.0;
    for (size_t q = 0; q < tensor_size(&ones_g); q++) ones_g.data[q] = 1.0;
    conv_input_grad_scatter(touch.data, ones_g.data, ones_k.data, &l->s);
    report_quantity(r, "touch_count", "windows covering each pixel", &touch);
    report_text(r, "Corner pixels are read by one window, interior ones by up to kh·kw: a border pixel's gradient "
                   "has fewer terms, so it is usually smaller, and padding exists partly to even this out.");
    if (plot_dir) {
        const Tensor *t[] = {&l->x, &l->k, &d->dx, &d->dk, &touch};
        const char *names[] = {"chapter5_x.dat", "chapter5_k.dat", "chapter5_dx.dat", "chapter5_dk.dat",
                               "chapter5_touch.dat"};
        for (int q = 0; q < ARRAY_LEN(t); q++) conv_report_plot_matrix(plot_dir, names[q], t[q]);
    }
    Tensor *all[] = {&touch, &ones_k, &ones_g};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    Texts t = {0};
    const ChapterOption options[] = {
        {"--input", "M", "the input X (default: the running example, 3x4)", &t.input},
        {"--kernel", "M", "the kernel K (default: [1 1; 1 2])", &t.kernel},
        {"--bias", "B", "the bias b, one number (default: 0)", &t.bias},
        {"--upstream", "M", "dL/dY, shaped like Y; L = sum(G*Y) (default: below)", &t.upstream},
        {"--stride", "S", "the stride s >= 1 (default: 1)", &t.stride},
        {"--padding", "P", "zero padding p >= 0 on every side (default: 0)", &t.padding},
        {"--dilation", "D", "the dilation d >= 1 (default: 1)", &t.dilation},
        {"--lr", "ETA", "the learning rate of 5.6's step, > 0 (default: 0.1)", &t.lr},
    };
    const ChapterSpec spec = {
        .program = "chapter5",
        .title = "Chapter 5: the gradients of the convolution layer",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = CHAPTER5_BUGS,
        .n_bugs = ARRAY_LEN(CHAPTER5_BUGS),
        .formulas = true,
        .notes = "--formula checks a gradient formula you derived, e.g. --formula \"dK = xcorr(X, G)\".\n"
                 "Without --upstream, dL/dY is the gradient of the running example's chain\n"
                 "(2x2 max-pool, dense layer, BCE; chapters 4 and 3) when Y is 2x3, and\n"
                 "seeded integers otherwise.\n"
                 "Example: chapter5 --input \"1 2 3; 4 5 6; 7 8 9\" --stride 2 --padding 1",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    const Bug bug = (Bug)opt.bug_id;
    double lr = t.lr ? option_number("--lr", t.lr) : DEFAULT_LR;
    if (!(lr > 0)) usage_error("--lr: must be > 0, got %s", t.lr);
    Layer l = layer_from_options(&t); // validated before anything prints
    ExampleChain chain = {0};
    Upstream up = upstream_init(&l, &chain, t.upstream, opt.seed);
    Grads d = layer_backward(&l, bug);
    require_finite(&d.dk, "--input/--upstream");
    require_finite(&d.dx, "--kernel/--upstream");
    FormulaSpec fs = chapter5_formula_spec(&l);
    Formula f[MAX_FORMULAS];
    formula_parse_options_or_exit(f, &fs, &opt);
    ConvCheckPlan plan = conv_check_plan(opt.check_all, opt.seed);
    Report r;
    report_init(&r, &opt, spec.title);
    section_5_1_layer(&r, &l, &chain, up);
    section_5_2_kernel_gradient(&r, &l, &d, &plan, bug);
    section_5_3_input_gradient(&r, &l, &d, &plan, bug);
    section_5_4_bias_gradient(&r, &l, &d, &plan);
    section_5_5_three_forms(&r, &l, &d, bug);
    section_5_6_descent_step(&r, &l, &d, lr, up == UPSTREAM_CHAIN);
    section_5_7_stride_padding(&r, bug, &plan);
    section_5_8_channels(&r, bug, &plan);
    section_5_9_sweep(&r, bug, opt.seed);
    section_5_10_border(&r, &l, &d, opt.plot_dir);
    bool held = section_5_11_your_formulas(&r, &fs, f, &opt);
    int status = formula_exit_status(report_finish(&r), held);
    formula_free_all(f, opt.n_formulas);
    grads_free(&d);
    layer_free(&l);
    options_free(&opt);
    return status;
}
