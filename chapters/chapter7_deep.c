// Chapter 7: a deeper CNN, checked and trained (beyond the article).
//
// What every course adds after the article's one-channel, one-sample,
// sigmoid-and-BCE network: ReLU, softmax with cross-entropy, multi-channel
// convolution, a second conv layer and mini-batches. Each new derivation is
// worked on small numbers and checked with the error-bounded checker
// (7.1–7.5), the whole network is checked end to end (7.6) and trained on
// all ten UCI digits (7.7). The network and its mistakes are in
// chapter7_net.c; 7.7's training in chapter7_train.c; --formula's tables
// in chapter7_formula.c.
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "dataset.h"
#include "gradcheck.h"
#include "mathfn.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "conv_check.h"
#include "report_block.h"
#include "tensor.h"

#include "chapter7_formula.h"
#include "chapter7_net.h"
#include "chapter7_train.h"

// The bound-aware checks pass within 1e-6 relative plus the bound, as in chapter 6.
#define CHECK_RTOL 1e-6
// Batch gradient vs mean of per-sample gradients: the same sums in another
// order, a few ulps of the largest term apart.
#define SAME_GRADIENT_REL_TOL 1e-12
// The example batch of 7.5 and 7.6.
#define EXAMPLE_BATCH 4

// ---------------------------------------------------------------- 7.1 ReLU

// L = Σ G∘Y(X) for the checker; scale Σ|G·Y|.
typedef struct {
    double *x;
    const double *g;
    int n;
} ReluProblem;

static double relu_loss(void *ctx, double *scale) {
    ReluProblem *p = ctx;
    double y[16], sum = 0.0, mag = 0.0;
    relu_forward(y, p->x, p->n);
    for (int k = 0; k < p->n; k++) sum += p->g[k] * y[k], mag += fabs(p->g[k] * y[k]);
    *scale = mag;
    return sum;
}

static void section_7_1_relu(Report *r, Bug bug) {
    report_heading(r, "7.1 ReLU: the mask and its kink at 0");
    report_equation(r, "Y = max(0, X),   ∂L/∂X = G ∘ [X > 0]",
                    "Y = \\max(0, X), \\quad \\frac{\\partial L}{\\partial X} = G \\odot [X > 0]");
    double xv[] = {1.5, -2, 0, 0.5, -0.25, 3}, gv[] = {0.5, -1, 2, -1.5, 1, 0.25};
    Tensor x = tensor_from_values(xv, 2, 3), g = tensor_from_values(gv, 2, 3), y = tensor_alloc_like(&x);
    Tensor dx = tensor_alloc_like(&x);
    relu_forward(y.data, x.data, 6);
    relu_backward_with(bug, dx.data, g.data, x.data, y.data, 6);
    report_matrix_quantity(r, "relu_x", "X", &x);
    report_matrix_quantity(r, "relu_y", "Y", &y);
    report_matrix_quantity(r, "relu_g", "G = ∂L/∂Y", &g);
    report_matrix_quantity(r, "relu_dx", "∂L/∂X", &dx);
    report_text(r, "The mask is read from the input: [X > 0]. Read from the output as [Y >= 0] it is true "
                   "everywhere (every max(0, x) is >= 0) and masks nothing. At X = 0 ReLU has a kink: slope 0 on "
                   "the left, 1 on the right, and a central difference measures (h − 0)/2h = 1/2 at every step, "
                   "neither of them. PyTorch takes 0 there, as here; the check skips that entry.");
    bool skip[6];
    for (int k = 0; k < 6; k++) skip[k] = xv[k] == 0.0;
    ReluProblem p = {x.data, gv, 6};
    BlockSpec spec = {.param = x.data,
                      .analytic = dx.data,
                      .n = 6,
                      .obj = {.whole = relu_loss, .ctx = &p},
                      .shape = LOSS_WITH_KINKS,
                      .ops_per_eval = 6.0,
                      .skip = skip,
                      .skip_reason = "at X = 0, the kink of max(0, x)",
                      .carry_steps = true,
                      .rtol = CHECK_RTOL};
    check_block(r, "∂L/∂X (ReLU)", &spec, &dx);
    tensor_free(&x), tensor_free(&g), tensor_free(&y), tensor_free(&dx);
}

// ---------------------------------------------------------------- 7.2, 7.3 softmax cross-entropy

// 7.2's inputs are at most CE_MAX entries (--logits).
#define CE_MAX 40

typedef struct {
    double *z;
    const int *y;
    int n, k;
    Bug bug;
} CeProblem;

static double ce_loss(void *ctx, double *scale) {
    CeProblem *p = ctx;
    double prob[CE_MAX];
    return softmax_ce_with(p->bug, prob, scale, p->z, p->y, p->n, p->k);
}

// p, the loss and ∂L/∂z for n samples of k logits, then the bounded check.
// Returns false (after a failed verdict) when the loss is not finite.
static bool ce_worked(Report *r, const char *key, double *z, const int *y, int n, int k, Bug bug) {
    double prob[CE_MAX], dz[CE_MAX] = {0}, onehot[CE_MAX] = {0};
    double loss = softmax_ce_with(bug, prob, NULL, z, y, n, k);
    bool finite = isfinite(loss);
    for (int i = 0; i < k * n; i++) finite = finite && isfinite(prob[i]);
    char name[64];
    snprintf(name, sizeof name, "the softmax of %s is finite", key);
    if (!finite) {
        report_verdict(r, name, false, "exp(z) overflowed to inf for some z above 709.78: p = inf/inf is not a "
                                       "number, and so are L and ∂L/∂z");
        return false;
    }
    for (int b = 0; b < n; b++) onehot[b * k + y[b]] = 1.0;
    ce_backward_with(bug, dz, prob, y, n, k);
    Tensor tz = tensor_view(z, 1, n, k), tp = tensor_view(prob, 1, n, k), to = tensor_view(onehot, 1, n, k);
    Tensor tdz = tensor_view(dz, 1, n, k);
    char k1[48], k2[48], k3[48];
    snprintf(k1, sizeof k1, "%s_p", key), snprintf(k2, sizeof k2, "%s_loss", key), snprintf(k3, sizeof k3, "%s_dz", key);
    report_matrix(r, "z (one sample a row)", &tz);
    report_matrix_quantity(r, k1, "p = softmax(z)", &tp);
    report_matrix(r, "onehot(y)", &to);
    report_scalar(r, k2, "L (batch mean)", loss);
    report_matrix_quantity(r, k3, "∂L/∂z = (p − onehot)/N", &tdz);
    CeProblem pr = {z, y, n, k, bug};
    BlockSpec spec = {.param = z,
                      .analytic = dz,
                      .n = k * n,
                      .obj = {.whole = ce_loss, .ctx = &pr},
                      .shape = LOSS_SMOOTH,
                      .ops_per_eval = (double)k * n,
                      .carry_steps = true,
                      .rtol = CHECK_RTOL};
    check_block(r, "∂L/∂z (softmax-CE)", &spec, &tdz);
    return true;
}

// 7.2's batch: --logits (N x K) and --labels (N entries), validated.
typedef struct {
    double z[CE_MAX];
    int y[CE_MAX], n, k;
} CeInput;

static CeInput ce_input(const char *logits, const char *labels) {
    if (!logits != !labels) usage_error("%s: needs %s too", logits ? "--logits" : "--labels",
                                        logits ? "--labels" : "--logits");
    Tensor z = option_matrix("--logits", logits ? logits : "2 1 0; 0.5 0.5 -1");
    Tensor y = option_vector("--labels", labels ? labels : "0 2");
    CeInput c = {.n = z.h, .k = z.w};
    if (tensor_size(&z) > CE_MAX || z.w < 2)
        usage_error("--logits: at least 2 classes and at most %d entries (this one is %dx%d)", CE_MAX, z.h, z.w);
    if ((int)tensor_size(&y) != z.h)
        usage_error("--labels: %zu labels for %d rows of --logits", tensor_size(&y), z.h);
    for (int b = 0; b < c.n; b++) {
        double v = y.data[b];
        if (v < 0 || v > c.k - 1 || v != floor(v))
            usage_error("--labels: '%g' is not a class 0 to %d", v, c.k - 1);
        c.y[b] = (int)v;
    }
    memcpy(c.z, z.data, tensor_size(&z) * sizeof(double));
    tensor_free(&z), tensor_free(&y);
    return c;
}

static void section_7_2_softmax_ce(Report *r, CeInput *in, Bug bug) {
    report_heading(r, "7.2 Softmax cross-entropy: ∂L/∂z = (p − onehot)/N");
    report_equation(r, "p_k = exp(z_k)/Σ_j exp(z_j),  L = −(1/N) Σ_b log p[b, y_b]",
                    "p_k = \\frac{e^{z_k}}{\\sum_j e^{z_j}}, \\quad L = -\\frac{1}{N}\\sum_b \\log p_{b,y_b}");
    report_text(r, "With L_b = log Σ_j exp(z_j) − z_y, ∂L_b/∂z_k = exp(z_k)/Σ_j exp(z_j) − [k = y] = p_k − "
                   "onehot_k: the softmax's Jacobian and the log's 1/p cancel. The batch mean divides by N:");
    report_equation(r, "∂L/∂z[b,k] = (p[b,k] − [k = y_b]) / N",
                    "\\frac{\\partial L}{\\partial z_{bk}} = \\frac{p_{bk} - [k = y_b]}{N}");
    ce_worked(r, "ce", in->z, in->y, in->n, in->k, bug);
    report_verbatim(r, "Check a formula you derived:\n  build/chapter7 --formula 'dz = (p - Y) / N'");
}

static void section_7_3_shift(Report *r, Bug bug) {
    report_heading(r, "7.3 The log-sum-exp shift");
    report_text(r, "exp(z) exceeds the largest double (%.4g) from z = %.6g on: exp(1000) is inf, and "
                   "inf/inf is not a number. Softmax is unchanged by subtracting any constant from every z, "
                   "so subtract m = max z: every exp(z − m) is in (0, 1], one of them is 1, and the sum "
                   "lies in [1, K].", DBL_MAX, wb_log(DBL_MAX));
    report_equation(r, "log Σ_j exp(z_j) = m + log Σ_j exp(z_j − m),  m = max_j z_j",
                    "\\log\\sum_j e^{z_j} = m + \\log\\sum_j e^{z_j - m}, \\quad m = \\max_j z_j");
    double z[] = {1000, 999, 995};
    const int y[] = {1};
    report_verbatim(r, "z = [1000 999 995], y = 1\n"
                       "unshifted: exp(1000) = inf, exp(999) = inf, exp(995) = inf    p = inf/inf\n"
                       "shifted:   z − m = [0 −1 −5]   exp = [1 %.6g %.6g]   sum = %.6g\n"
                       "L = m + log(sum) − z_y = 1000 + %.6g − 999 = %.6g",
                    wb_exp(-1.0), wb_exp(-5.0), 1 + wb_exp(-1.0) + wb_exp(-5.0), wb_log(1 + wb_exp(-1.0) + wb_exp(-5.0)),
                    1 + wb_log(1 + wb_exp(-1.0) + wb_exp(-5.0)));
    ce_worked(r, "lse", z, y, 1, 3, bug);
}

// ---------------------------------------------------------------- 7.4 multi-channel convolution

static void section_7_4_channels(Report *r, Bug bug) {
    report_heading(r, "7.4 Several channels: the sums in ∂L/∂K and ∂L/∂X");
    report_equation(r, "Y[o] = b[o] + Σ_c X[c] ⋆ K[o,c]",
                    "Y_o = b_o + \\sum_c X_c \\star K_{o,c}");
    report_equation(r, "∂L/∂K[o,c] = X[c] ⋆ G[o]    ∂L/∂X[c] = Σ_o full(G[o]) ⋆ rot180(K[o,c])",
                    "\\frac{\\partial L}{\\partial K_{o,c}} = X_c \\star G_o, \\quad "
                    "\\frac{\\partial L}{\\partial X_c} = \\sum_o \\mathrm{full}(G_o) \\star \\mathrm{rot180}(K_{o,c})");
    report_text(r, "Each kernel K[o,c] touches one input channel c and one output channel o, so its gradient "
                   "sums over positions only. Each input channel feeds every output channel, so its gradient "
                   "is a sum over o: leave it out and only one output's error comes back.");
    ConvShape s;
    conv_shape_init(&s, 2, 3, 3, 2, 2, 2, 1, 0, 0, 1);
    double xv[] = {1, 2, 0, -1, 3, 1, 2, 0, -2, 0, 1, -1, 2, -1, 0, 1, 3, 2};
    double kv[] = {1, 0, -1, 2, 0.5, -1, 1, 0, -2, 1, 0, 1, 1, 1, -1, 0.5};
    double bv[] = {0.1, -0.2}, gv[] = {1, -1, 0.5, 2, -0.5, 1, 1, -2};
    Tensor x = tensor_alloc(2, 3, 3), k = tensor_alloc(4, 2, 2), g = tensor_alloc(2, 2, 2);
    memcpy(x.data, xv, sizeof xv), memcpy(k.data, kv, sizeof kv), memcpy(g.data, gv, sizeof gv);
    Tensor dk = tensor_alloc(4, 2, 2), dx = tensor_alloc(2, 3, 3), db = tensor_alloc(1, 1, 2), part = tensor_alloc(1, 3, 3);
    report_matrix_quantity(r, "mc_x", "X (2 channels)", &x);
    report_matrix_quantity(r, "mc_k", "K[o,c] for (o,c) = (0,0) (0,1) (1,0) (1,1)", &k);
    report_matrix_quantity(r, "mc_g", "G = ∂L/∂Y (2 channels)", &g);
    conv_kernel_grad(dk.data, g.data, x.data, &s);
    for (int o = 0; o < 2; o++)
        for (int t = 0; t < 4; t++) db.data[o] += gv[o * 4 + t];
    conv_input_grad_with(bug, dx.data, g.data, k.data, &s);
    ConvShape one;
    conv_shape_init(&one, 1, 3, 3, 1, 2, 2, 1, 0, 0, 1);
    for (int c = 0; c < 2; c++)
        for (int o = 0; o < 2; o++) {
            tensor_zero(&part);
            conv_input_grad_full(part.data, gv + o * 4, kv + (o * 2 + c) * 4, &one);
            char label[128];
            snprintf(label, sizeof label, "full(G[%d]) ⋆ rot180(K[%d,%d]), a term of ∂L/∂X[%d]", o, o, c, c);
            report_matrix(r, label, &part);
        }
    report_matrix_quantity(r, "mc_dk", "∂L/∂K[o,c] = X[c] ⋆ G[o]", &dk);
    report_matrix_quantity(r, "mc_dx", "∂L/∂X[c] = the sum of its two terms", &dx);
    double bias[2] = {bv[0], bv[1]};
    const struct { const char *name; Tensor *t; double *param; ConvBlock block; } blocks[] = {
        {"∂L/∂X (2 channels)", &dx, x.data, CONV_BLOCK_INPUT},
        {"∂L/∂K (4 kernels)", &dk, k.data, CONV_BLOCK_KERNEL},
        {"∂L/∂b", &db, bias, CONV_BLOCK_BIAS}};
    for (int i = 0; i < 3; i++) {
        ConvObjective co = {&s, x.data, k.data, bias, gv, blocks[i].block, 0};
        BlockSpec spec = {.param = blocks[i].param,
                          .analytic = blocks[i].t->data,
                          .n = (int)tensor_size(blocks[i].t),
                          .obj = conv_objective(&co),
                          .shape = LOSS_SMOOTH,
                          .ops_per_eval = conv_check_eval_cost(&s, blocks[i].block),
                          .carry_steps = true,
                          .rtol = CHECK_RTOL};
        check_block(r, blocks[i].name, &spec, blocks[i].t);
    }
    tensor_free(&x), tensor_free(&k), tensor_free(&g), tensor_free(&dk), tensor_free(&dx), tensor_free(&db);
    tensor_free(&part);
}

// ---------------------------------------------------------------- the example network (7.5, 7.6)

typedef struct {
    Arch a;
    Acts t;
    double *theta, *grads, *scratch, *x;
    int y[EXAMPLE_BATCH], n;
    Bug bug;
} Example;

// Seeded He-initialised parameters and EXAMPLE_BATCH seeded images with
// pixels uniform in [0, 1) (no blank patch: see 7.6), labels 0..9.
static void example_make(Example *e, const Arch *a, Bug bug, uint64_t seed) {
    *e = (Example){.a = *a, .n = EXAMPLE_BATCH, .bug = bug};
    acts_alloc(&e->t, a);
    e->theta = calloc((size_t)a->n_params, sizeof(double)), e->grads = calloc((size_t)a->n_params, sizeof(double));
    e->scratch = calloc(deep_scratch_size(&e->t, MAX_BATCH), sizeof(double));
    e->x = calloc((size_t)EXAMPLE_BATCH * IMAGE_SIDE * IMAGE_SIDE, sizeof(double));
    if (!e->theta || !e->grads || !e->scratch || !e->x) usage_error("out of memory");
    arch_init_params(e->theta, a, seed);
    Rng rng = rng_make(seed ^ 0x9E3779B97F4A7C15ull);
    for (int k = 0; k < EXAMPLE_BATCH * IMAGE_SIDE * IMAGE_SIDE; k++) e->x[k] = rng_uniform(&rng);
    for (int b = 0; b < EXAMPLE_BATCH; b++) e->y[b] = rng_below(&rng, CLASSES);
}

static void example_free(Example *e) {
    acts_free(&e->t);
    free(e->theta), free(e->grads), free(e->scratch), free(e->x);
}

// grads = ∂L/∂theta for images first..first+n−1 of the example batch.
static void example_gradient(Example *e, double *grads, int first, int n) {
    memset(grads, 0, (size_t)e->a.n_params * sizeof *grads);
    const double *x = e->x + first * IMAGE_SIDE * IMAGE_SIDE;
    deep_forward(&e->t, &e->a, e->theta, x, n);
    deep_loss(&e->t, NULL, &e->a, e->theta, e->y + first, n, e->bug);
    deep_backward(grads, e->scratch, &e->t, &e->a, e->theta, x, e->y + first, n, e->bug);
}

static double example_loss(void *ctx, double *scale) {
    Example *e = ctx;
    deep_forward(&e->t, &e->a, e->theta, e->x, e->n);
    return deep_loss(&e->t, scale, &e->a, e->theta, e->y, e->n, e->bug);
}

static void section_7_5_batch(Report *r, Example *e) {
    report_heading(r, "7.5 A batch's gradient is the mean of its samples' gradients");
    if (!r->shown) return; // --section hides it: skip its work (its checks would not count)
    report_equation(r, "L = (1/N) Σ_b L_b   ⇒   ∂L/∂θ = (1/N) Σ_b ∂L_b/∂θ",
                    "L = \\frac{1}{N}\\sum_b L_b \\Rightarrow \\frac{\\partial L}{\\partial\\theta} = "
                    "\\frac{1}{N}\\sum_b \\frac{\\partial L_b}{\\partial\\theta}");
    report_text(r, "The only place N enters the backward pass is ∂L/∂z = (p − onehot)/N; every layer below "
                   "adds its samples' contributions (+=). So the gradient of a batch of %d must equal the mean "
                   "of %d one-sample gradients (each with N = 1), for all %d parameters of the network "
                   "(7.6 lists them):", EXAMPLE_BATCH, EXAMPLE_BATCH, e->a.n_params);
    int n = e->a.n_params;
    double *mean = calloc((size_t)n, sizeof(double)), *one = calloc((size_t)n, sizeof(double));
    if (!mean || !one) usage_error("out of memory");
    example_gradient(e, e->grads, 0, EXAMPLE_BATCH);
    for (int b = 0; b < EXAMPLE_BATCH; b++) {
        example_gradient(e, one, b, 1);
        for (int k = 0; k < n; k++) mean[k] += one[k] / EXAMPLE_BATCH;
    }
    double max_abs = 0.0, max_rel = 0.0;
    for (int k = 0; k < n; k++) {
        double d = fabs(e->grads[k] - mean[k]), ref = fmax(fabs(e->grads[k]), fabs(mean[k]));
        max_abs = fmax(max_abs, d);
        max_rel = fmax(max_rel, ref > 0.0 ? d / ref : 0.0);
    }
    report_identity(r, "batch gradient = mean of per-sample gradients", n, max_abs, max_rel, SAME_GRADIENT_REL_TOL,
                    "every parameter, batch of 4 vs four batches of 1");
    free(mean), free(one);
}

// One block of theta: its name and place.
typedef struct {
    const char *name;
    int at, c, h, w;
} ParamRange;

static int param_ranges(ParamRange *p, const Arch *a) {
    p[0] = (ParamRange){"∂L/∂K1 (conv 1 kernels)", a->k1, a->c1, K1_SIDE, K1_SIDE};
    p[1] = (ParamRange){"∂L/∂b1 (conv 1 biases)", a->b1, 1, 1, a->c1};
    p[2] = (ParamRange){"∂L/∂K2 (conv 2 kernels)", a->k2, a->c2 * a->c1, K2_SIDE, K2_SIDE};
    p[3] = (ParamRange){"∂L/∂b2 (conv 2 biases)", a->b2, 1, 1, a->c2};
    p[4] = (ParamRange){"∂L/∂W (dense weights)", a->w, 1, CLASSES, a->flat};
    p[5] = (ParamRange){"∂L/∂d (dense biases)", a->bd, 1, 1, CLASSES};
    return 6;
}

static void section_7_6_end_to_end(Report *r, Example *e) {
    report_heading(r, "7.6 The whole network, checked end to end");
    if (!r->shown) return; // --section hides it: skip its work (its checks would not count)
    report_verbatim(r, "X (%d, 1, 8, 8) → conv 3x3 (1→%d) → ReLU → max-pool 2x2 → conv 2x2 (%d→%d) → ReLU\n"
                       "  → flatten (%d) → dense (%d→10) → softmax-CE, mean over the batch\n"
                       "  (%d parameters)",
                    EXAMPLE_BATCH, e->a.c1, e->a.c1, e->a.c2, e->a.flat, e->a.flat, e->a.n_params);
    report_text(r, "He initialisation (weights N(0, 2/fan_in)), seeded. The images are seeded noise: a real "
                   "digit has blank patches where every conv 1 output equals its bias exactly, so pooling "
                   "windows tie and the loss has corners there. Every parameter is checked by bounded central "
                   "differences of the whole loss:");
    example_gradient(e, e->grads, 0, EXAMPLE_BATCH);
    ParamRange p[6];
    int blocks = param_ranges(p, &e->a);
    for (int i = 0; i < blocks; i++) {
        int n = p[i].c * p[i].h * p[i].w;
        BlockSpec spec = {.param = e->theta + p[i].at,
                          .analytic = e->grads + p[i].at,
                          .n = n,
                          .obj = {.whole = example_loss, .ctx = e},
                          .shape = LOSS_WITH_KINKS, // ReLU and max pooling
                          .ops_per_eval = e->a.n_params,
                          .carry_steps = true,
                          .rtol = CHECK_RTOL,
                          .check_all = true}; // the chapter's own fixed example: always in full
        BlockCheck check;
        if (!block_check_run(&check, &spec)) usage_error("out of memory");
        Tensor t = tensor_view(e->grads + p[i].at, p[i].c, p[i].h, p[i].w);
        if (n <= CLASSES)
            report_block_entries(r, p[i].name, &check, &t);
        else
            report_gradient_summary(r, p[i].name, check.entries);
        block_check_free(&check);
    }
}


// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    const char *v[8] = {0};
    const ChapterOption options[] = {
        {"--data", "FILE", "the 10-class CSV (default " DEFAULT_DATA ")", &v[0]},
        {"--epochs", "N", "training epochs (default 20)", &v[1]},
        {"--batch", "N", "mini-batch size (default 32, at most 256)", &v[2]},
        {"--lr", "X", "SGD learning rate, momentum 0.9 (default 0.05)", &v[3]},
        {"--channels", "C1xC2", "channels of the two conv layers (default 8x16)", &v[4]},
        {"--images", "N", "use only the first N images of the file (default all)", &v[5]},
        {"--logits", "M", "7.2's logits, N x K (default 2 1 0; 0.5 0.5 -1)", &v[6]},
        {"--labels", "V", "7.2's labels, one per row of --logits (default 0 2)", &v[7]},
    };
    const ChapterSpec spec = {
        .program = "chapter7",
        .title = "Chapter 7: a deeper CNN (ReLU, softmax-CE, channels, batches)",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS),
        .formulas = true,
        .notes = "--formula checks a gradient formula you derived, e.g. --formula \"dz = (p - Y) / N\".\n"
                 "Examples: chapter7 --epochs 3 --channels 4x8\n"
                 "          chapter7 --section 7.3 --format markdown",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    TrainConfig c = config_from(v);
    CeInput ce = ce_input(v[6], v[7]);
    Bug bug = (Bug)opt.bug_id;
    Arch a;
    if (!arch_init(&a, c.c1, c.c2)) usage_error("--channels: no network for %dx%d", c.c1, c.c2);
    FormulaSpec fs = formula_spec();
    Formula f[MAX_FORMULAS];
    formula_parse_options_or_exit(f, &fs, &opt);
    Dataset tr, te;
    load_data(&tr, &te, &c, opt.seed);

    Report r;
    report_init(&r, &opt, spec.title);
    section_7_1_relu(&r, bug);
    section_7_2_softmax_ce(&r, &ce, bug);
    section_7_3_shift(&r, bug);
    section_7_4_channels(&r, bug);
    Example e;
    example_make(&e, &a, bug, opt.seed);
    section_7_5_batch(&r, &e);
    section_7_6_end_to_end(&r, &e);
    example_free(&e);
    section_7_7_training(&r, &a, &tr, &te, &c, &opt, bug);
    bool held = section_7_8_your_formulas(&r, &fs, f, &opt);
    dataset_free(&tr), dataset_free(&te);
    int status = formula_exit_status(report_finish(&r), held);
    formula_free_all(f, opt.n_formulas);
    options_free(&opt);
    return status;
}
