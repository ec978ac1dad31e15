// Chapter 6: the whole network, gradient-checked end to end and trained.
//
// Follows the article from "Forward Pass in Convolution Layer" to "Updating
// Kernels and Bias using Gradient Descent" in one piece: the running example
// goes forward through conv, max-pool, flatten, dense, sigmoid and BCE, comes
// back layer by layer, and every parameter and input entry is checked
// numerically. Then the same network (with several kernels) is trained on
// images, with the chosen --bug in its backward pass the whole time.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "chapter6_direction.h"
#include "conv.h"
#include "dataset.h"
#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "kernel_votes.h"
#include "net_history.h"
#include "loss.h"
#include "network.h"
#include "network_buffers.h"
#include "network_fast.h"
#include "network_local.h"
#include "network_cstep.h"
#include "mistakes.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "report_block.h"
#include "rng.h"
#include "strbuf.h"
#include "tensor.h"

#define DEFAULT_KERNELS 6
#define DEFAULT_KERNEL_SIZE 3
#define DEFAULT_EPOCHS 15
#define DEFAULT_LR 0.02
#define MAX_KERNELS 64
#define MAX_EPOCHS 10000
#define LR_MAX 100.0
// The built-in task: 8×8 images, enough that the test accuracy is a real
// measurement (one test image is half a percent), trained in milliseconds.
#define SYNTHETIC_SIDE 8
#define SYNTHETIC_TRAIN 1200
#define SYNTHETIC_TEST 200
// A user's CSV is split with this fraction held out for testing.
#define TEST_FRACTION 0.25
// Every seed ends above this with the defaults: below it, training failed.
#define TARGET_ACCURACY 0.9
// Final test accuracy of the defaults over seeds 1..100 (tests/seeds_chapter6.sh).
#define SEEDS_MIN_ACCURACY 0.95
#define SEEDS_MEDIAN_ACCURACY 0.99
#define SEEDS_MAX_ACCURACY 1.0
// The example's step: small enough for the first-order prediction to hold.
#define EXAMPLE_LR 1e-4
// A correct gradient agrees to round-off (the bound); each --bug is off by 1e-2.
#define CHECK_RTOL 1e-6
// The fused backward adds the same products in another order: a few ulps.
#define SAME_GRADIENT_REL_TOL 1e-12

static const BugInfo BUGS[] = {
    {"sigmoid-twice", "∂L/∂z = (ŷ − y)·ŷ(1 − ŷ): σ′ applied again on top of the logit form"},
    {"dense-swap", "the dense layer's ∂L/∂w and ∂L/∂p swapped (∂L/∂z·w for the weights)"},
    {"pool-everywhere", "max-pool backward copies each gradient to all four window cells (no switch)"},
    {"kernel-rot180", "∂L/∂K rotated 180°, as if the layer were a true convolution"},
    {"kernel-conv", "∂L/∂K as the article's X * ∂L/∂A, a true convolution: ∂L/∂A flipped"},
};
typedef enum { BUG_NONE, BUG_SIGMOID_TWICE, BUG_DENSE_SWAP, BUG_POOL_EVERYWHERE, BUG_KERNEL_ROT180, BUG_KERNEL_CONV } Bug;

// ---------------------------------------------------------------- the mistakes, beside the right code

// Bug "sigmoid-twice": the article's ∂L/∂ŷ times σ′ is already ŷ − y; multiplying by σ′ again.
static double dz_sigmoid_twice(double yhat, double y) { return (yhat - y) * yhat * (1.0 - yhat); }

// Bug "dense-swap": each gradient gets the other factor.
static void dense_backward_swapped(double *dp, double *dw, double *dd, double dz, const double *p, const double *w,
                                   int flat) {
    *dd += dz;
    for (int j = 0; j < flat; j++) {
        dw[j] += dz * w[j];
        dp[j] += dz * p[j];
    }
}

// Bug "kernel-rot180": dK += rot180(the correct ∂L/∂K), from the correct one in tmp.
static void add_rotated_kernel_grads(double *dK, const double *tmp, const NetShape *s) {
    int kk = s->k * s->k;
    for (int c = 0; c < s->kernels; c++)
        for (int e = 0; e < kk; e++) dK[c * kk + e] += tmp[c * kk + kk - 1 - e];
}

// Each plane of ∂L/∂A turned by 180 degrees, in place (its own inverse).
static void flip_planes(double *d_conv, const NetShape *s) {
    int plane = s->conv_h * s->conv_w;
    for (int c = 0; c < s->kernels; c++)
        for (int e = 0; e < plane / 2; e++) {
            double *a = d_conv + c * plane + e, *b = d_conv + c * plane + plane - 1 - e, t = *a;
            *a = *b, *b = t;
        }
}

// Bug "kernel-conv": dK += X * ∂L/∂A = X ⋆ rot180(∂L/∂A), the article's
// convolution: the right code given the flipped ∂L/∂A.
static void add_convolved_kernel_grads(double *dK, double *d_conv, const double *x, const NetShape *s) {
    ConvShape cs = net_conv_shape(s);
    flip_planes(d_conv, s);
    conv_kernel_grad(dK, d_conv, x, &cs);
    flip_planes(d_conv, s);
}

// net_backward's composition (network.h), with the --bug's mistake in the
// layer it belongs to. The training below runs this too.
static void network_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                             const NetShape *s, Bug bug, double *scratch) {
    NetParams p, g;
    net_params_point(&p, (double *)params, s);
    net_params_point(&g, grads, s);
    ConvShape cs = net_conv_shape(s);
    PoolShape ps = net_pool_shape(s);
    double dz;
    bce_grad_logits(&dz, &y, &a->z, 1);
    memset(a->d_pooled, 0, (size_t)s->flat * sizeof(double));
    memset(a->d_conv, 0, (size_t)s->kernels * s->conv_h * s->conv_w * sizeof(double));
    double *dK = g.kernel;
    switch (bug) {
    case BUG_NONE: case BUG_DENSE_SWAP: case BUG_POOL_EVERYWHERE: break;
    case BUG_SIGMOID_TWICE: dz = dz_sigmoid_twice(a->yhat, y); break;
    case BUG_KERNEL_ROT180:
    case BUG_KERNEL_CONV: dK = memset(scratch, 0, (size_t)s->kernels * s->k * s->k * sizeof(double)); break;
    }
    if (bug == BUG_DENSE_SWAP)
        dense_backward_swapped(a->d_pooled, g.dense_w, g.dense_b, dz, a->pooled, p.dense_w, s->flat);
    else
        dense_backward(a->d_pooled, g.dense_w, g.dense_b, &dz, a->pooled, p.dense_w, 1, s->flat);
    if (bug == BUG_POOL_EVERYWHERE)
        maxpool_backward_all_cells(a->d_conv, a->d_pooled, &ps); // chapters/mistakes.h
    else
        maxpool_backward(a->d_conv, a->d_pooled, a->argmax, &ps);
    conv_backward(dx, dK, g.conv_b, a->d_conv, x, p.kernel, &cs); // dx NULL in training: no ∂L/∂X
    if (bug == BUG_KERNEL_ROT180) add_rotated_kernel_grads(g.kernel, dK, s);
    if (bug == BUG_KERNEL_CONV) add_convolved_kernel_grads(g.kernel, a->d_conv, x, s);
}

// ---------------------------------------------------------------- shared helpers

// The network at one point (θ, X, y), forward and backward done.
typedef struct {
    NetBuffers b;
    double y;
    Bug bug;
} Net;

static void net_make(Net *n, const NetShape *s, Bug bug) {
    if (!net_buffers_alloc(&n->b, s)) usage_error("out of memory");
    n->y = 0.0, n->bug = bug;
}

// grads and dx from zero, through the (possibly wrong) backward pass.
static void net_gradients(Net *n) {
    const NetShape *s = &n->b.s;
    memset(n->b.grads, 0, (size_t)s->n_params * sizeof(double));
    memset(n->b.dx, 0, (size_t)s->n_input * sizeof(double));
    net_forward(&n->b.a, n->b.params, n->b.x, n->y, s);
    network_backward(n->b.grads, n->b.dx, &n->b.a, n->b.params, n->b.x, n->y, s, n->bug, n->b.scratch);
}

// The checked blocks, in memory order.
typedef struct {
    const char *name;
    double *param, *grad;
    int c, h, w;
} Block;

static void blocks_of(Block *b, Net *n) {
    const NetShape *s = &n->b.s;
    NetParams p, g;
    net_params_point(&p, n->b.params, s);
    net_params_point(&g, n->b.grads, s);
    b[NET_BLOCK_KERNEL] = (Block){"∂L/∂K", p.kernel, g.kernel, s->kernels, s->k, s->k};
    b[NET_BLOCK_CONV_B] = (Block){"∂L/∂b (conv biases)", p.conv_b, g.conv_b, 1, 1, s->kernels};
    b[NET_BLOCK_DENSE_W] = (Block){"∂L/∂w (dense weights)", p.dense_w, g.dense_w, s->kernels, s->pool_h, s->pool_w};
    b[NET_BLOCK_DENSE_B] = (Block){"∂L/∂d (dense bias)", p.dense_b, g.dense_b, 1, 1, 1};
    b[NET_BLOCK_INPUT] = (Block){"∂L/∂X (input)", n->b.x, n->b.dx, 1, s->in_h, s->in_w};
}

// The error-bounded check of every block (check_block: the work budget
// decides all entries or a seeded sample plus a random direction over the
// block), entries at a real tie of the max-pool skipped. Returns how many
// blocks were sampled.
static int full_check(Report *r, Net *n, const CommonOptions *opt) {
    const NetShape *s = &n->b.s;
    NetProblem prob = {s, n->b.params, n->b.x, n->y, &n->b.a2};
    NetLocal local;
    bool *ties = calloc((size_t)net_checked_count(s), sizeof(bool));
    if (!ties || !net_local_init(&local, &prob)) usage_error("out of memory");
    int marked = net_tie_mask(ties, ties + s->n_params, &n->b.a, n->b.params, n->b.x, s), sampled = 0;
    Block blocks[NET_BLOCK_COUNT];
    blocks_of(blocks, n);
    const bool *tie = ties;
    for (int k = 0; k < NET_BLOCK_COUNT; k++) {
        const Block *b = &blocks[k];
        int count;
        double *entries = net_block_entries(&local, (NetBlock)k, &count);
        NetLocalBlock engine = {&local, (NetBlock)k, tie, count};
        NetRecheck recheck = {&prob, entries};
        BlockSpec spec = {.param = entries,
                          .analytic = b->grad,
                          .n = count,
                          .obj = {net_objective_whole, NULL, &prob},
                          .shape = LOSS_WITH_KINKS, // the max-pool
                          .ops_per_eval = s->n_params, // what one entry touches, at most
                          .skip = tie,
                          .skip_reason = "at a tie of the max-pool: no derivative there",
                          .entries = net_local_entries,
                          .entries_ctx = &engine,
                          .second = net_complex_second,
                          .second_ctx = &recheck,
                          .rtol = CHECK_RTOL,
                          .check_all = opt->check_all,
                          .seed = opt->seed + (uint64_t)k};
        Tensor analytic = tensor_view(b->grad, b->c, b->h, b->w);
        BlockCheck check;
        if (!block_check_run(&check, &spec)) usage_error("out of memory");
        sampled += check.plan.sampled;
        report_block_plan(r, b->name, &check);
        report_block_entries(r, b->name, &check, &analytic);
        char label[160];
        snprintf(label, sizeof label, "%s along a random direction", b->name);
        report_block_directions(r, label, &check);
        block_check_free(&check);
        tie += count;
    }
    if (marked)
        report_text(r, "Skipped entries sit at a tie: two cells of a pooling window hold the same maximum and "
                       "depend on the entry differently, so the loss has a corner there and no difference "
                       "quotient is the gradient. Near-ties are checked with a smaller step.");
    net_local_free(&local);
    free(ties);
    return sampled;
}

// ---------------------------------------------------------------- 6.1–6.6 the running example

static void example_make(Net *n, Bug bug) {
    NetShape s;
    net_shape_init(&s, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE);
    net_make(n, &s, bug);
    NetParams p;
    net_params_point(&p, n->b.params, &s);
    memcpy(p.kernel, EXAMPLE_K, sizeof EXAMPLE_K);
    p.conv_b[0] = 0.0;
    memcpy(p.dense_w, EXAMPLE_W, sizeof EXAMPLE_W);
    *p.dense_b = EXAMPLE_B;
    memcpy(n->b.x, EXAMPLE_X, sizeof EXAMPLE_X);
    n->y = EXAMPLE_Y;
    net_gradients(n);
}

static void section_6_1_network(Report *r) {
    report_heading(r, "6.1 The network");
    report_text(r, "Chapters 1 to 5 took the layers one at a time. Here they run as one network, forward "
                   "and back, on the running example: the 3x4 image X, one 2x2 kernel K with bias b = 0, a "
                   "2x2 max-pool with stride 1, the dense layer w = [0.05 −0.03], d = 0.1, and the label y = 1.");
    report_equation(r, "A = X ⋆ K + b  →  P = maxpool(A)  →  p = flatten(P)  →  z = w·p + d",
                    "A = X \\star K + b \\to P = \\mathrm{maxpool}(A) \\to p = \\mathrm{flatten}(P) \\to z = "
                    "w\\cdot p + d");
    report_equation(r, "ŷ = σ(z)  →  L = −[y log ŷ + (1 − y) log(1 − ŷ)]",
                    "\\hat{y} = \\sigma(z) \\to L = -[y\\log\\hat{y} + (1-y)\\log(1-\\hat{y})]");
}

static void section_6_2_forward(Report *r, const Net *n) {
    const NetShape *s = &n->b.s;
    const NetActs *a = &n->b.a;
    report_heading(r, "6.2 Forward, layer by layer");
    Tensor x = tensor_view(n->b.x, 1, s->in_h, s->in_w), k = tensor_view(n->b.params, 1, s->k, s->k);
    Tensor A = tensor_view(a->conv, 1, s->conv_h, s->conv_w), P = tensor_view(a->pooled, 1, 1, s->flat);
    report_quantity(r, "input", "X", &x);
    report_quantity(r, "kernel", "K", &k);
    report_quantity(r, "feature_map", "A = X ⋆ K + b", &A);
    report_quantity(r, "pooled", "p = flatten(maxpool(A))", &P);
    char where[200] = "";
    size_t len = 0;
    for (int j = 0; j < s->flat; j++)
        len += (size_t)snprintf(where + len, sizeof where - len, "%sp[%d] is A(%d,%d)", j ? ", " : "", j,
                                a->argmax[j] / s->conv_w, a->argmax[j] % s->conv_w);
    report_text(r, "The pool remembers where each maximum came from: %s. Backward needs exactly this.", where);
    report_scalar(r, "z", "z = w·p + d", a->z);
    report_scalar(r, "yhat", "ŷ = σ(z)", a->yhat);
    report_scalar(r, "loss", "L", a->loss);
}

// The largest absolute and relative difference between a and b.
static void differences(double *abs_diff, double *rel_diff, const double *a, const double *b, int n) {
    for (int k = 0; k < n; k++) {
        double d = fabs(a[k] - b[k]);
        *abs_diff = fmax(*abs_diff, d);
        *rel_diff = fmax(*rel_diff, d == 0.0 ? 0.0 : d / fmax(fabs(a[k]), fabs(b[k])));
    }
}

// net_fast_backward (the fused loops the bench and the caching check use)
// against the layers composed as this run composes them.
static void fused_identity(Report *r, Net *n) {
    const NetShape *s = &n->b.s;
    double *fused = calloc((size_t)net_checked_count(s), sizeof(double));
    if (!fused) usage_error("out of memory");
    net_fast_forward(&n->b.a2, n->b.params, n->b.x, n->y, s);
    net_fast_backward(fused, fused + s->n_params, &n->b.a2, n->b.params, n->b.x, n->y, s);
    double abs_diff = 0.0, rel_diff = 0.0;
    differences(&abs_diff, &rel_diff, fused, n->b.grads, s->n_params);
    differences(&abs_diff, &rel_diff, fused + s->n_params, n->b.dx, s->n_input);
    report_text(r, "network_fast.c computes the same gradients in one fused loop (for speed: the bench and the "
                   "caching check use it). It must agree with the layers composed:");
    report_identity(r, "net_backward = the layers composed", net_checked_count(s), abs_diff, rel_diff,
                    SAME_GRADIENT_REL_TOL, n->bug ? "fused vs composed with the --bug" : "fused vs composed");
    free(fused);
}

static void section_6_3_backward(Report *r, Net *n) {
    const NetShape *s = &n->b.s;
    NetParams g;
    net_params_point(&g, n->b.grads, s);
    report_heading(r, "6.3 Backward, layer by layer");
    report_text(r, "BCE and the sigmoid together give the simplest gradient in the network (chapter 3)%s",
                n->bug == BUG_SIGMOID_TWICE ? "; --bug sigmoid-twice applies σ′ once more, and so computes:" : ":");
    if (n->bug == BUG_SIGMOID_TWICE)
        report_equation(r, "∂L/∂z = (ŷ − y)·ŷ(1 − ŷ)   (the right one: ŷ − y)",
                        "\\frac{\\partial L}{\\partial z} = (\\hat{y} - y)\\,\\hat{y}(1 - \\hat{y})");
    else
        report_equation(r, "∂L/∂z = ŷ − y", "\\frac{\\partial L}{\\partial z} = \\hat{y} - y");
    report_scalar(r, "dL_dz", "∂L/∂z", *g.dense_b); // ∂L/∂d = ∂L/∂z
    if (n->bug == BUG_DENSE_SWAP)
        report_text(r, "The dense layer should send ∂L/∂z·p to its weights and ∂L/∂z·w back to the pooled "
                       "values; --bug dense-swap sends ∂L/∂z·w to the weights and ∂L/∂z·p back:");
    else
        report_text(r, "The dense layer sends ∂L/∂z·p to its weights and ∂L/∂z·w back to the pooled values:");
    Tensor dw = tensor_view(g.dense_w, 1, 1, s->flat), dd = tensor_view(g.dense_b, 1, 1, 1);
    Tensor dp = tensor_view(n->b.a.d_pooled, 1, 1, s->flat);
    Tensor dA = tensor_view(n->b.a.d_conv, 1, s->conv_h, s->conv_w);
    Tensor dK = tensor_view(g.kernel, 1, s->k, s->k), db = tensor_view(g.conv_b, 1, 1, 1);
    Tensor dX = tensor_view(n->b.dx, 1, s->in_h, s->in_w);
    report_quantity(r, "dL_dw", "∂L/∂w", &dw);
    report_quantity(r, "dL_dd", "∂L/∂d", &dd);
    report_quantity(r, "dL_dp", "∂L/∂p", &dp);
    report_text(r, "Un-flattening is only a reshape; the max-pool routes each gradient to the cell that won its "
                   "window and gives the others zero (chapter 4)%s",
                n->bug == BUG_POOL_EVERYWHERE ? ". --bug pool-everywhere copies it to all four cells instead:" : ":");
    report_quantity(r, "dL_dA", "∂L/∂A", &dA);
    // The kernel gradient the run computes: the right one or a --bug's.
    const char *dk_text = "X ⋆ ∂L/∂A", *dk_tex = "X \\star \\frac{\\partial L}{\\partial A}", *why = ":";
    if (n->bug == BUG_KERNEL_ROT180)
        dk_text = "rot180(X ⋆ ∂L/∂A)", dk_tex = "\\mathrm{rot180}(X \\star \\frac{\\partial L}{\\partial A})",
        why = "; --bug kernel-rot180 rotates the kernel gradient (the right one is X ⋆ ∂L/∂A):";
    if (n->bug == BUG_KERNEL_CONV)
        dk_text = "X * ∂L/∂A", dk_tex = "X * \\frac{\\partial L}{\\partial A}",
        why = "; --bug kernel-conv convolves, X * ∂L/∂A = X ⋆ rot180(∂L/∂A), where the right one is X ⋆ ∂L/∂A:";
    report_text(r, "The convolution layer turns ∂L/∂A into the kernel, bias and input gradients (chapter 5)%s", why);
    char eq[200], tex[400];
    snprintf(eq, sizeof eq, "∂L/∂K = %s,   ∂L/∂b = Σ ∂L/∂A,   ∂L/∂X = pad(∂L/∂A) ⋆ rot180(K)", dk_text);
    snprintf(tex, sizeof tex, "\\frac{\\partial L}{\\partial K} = %s,\\quad \\frac{\\partial L}{\\partial b} = "
             "\\sum \\frac{\\partial L}{\\partial A},\\quad \\frac{\\partial L}{\\partial X} = "
             "\\mathrm{pad}(\\frac{\\partial L}{\\partial A}) \\star \\mathrm{rot180}(K)", dk_tex);
    report_equation(r, eq, tex);
    report_quantity(r, "dL_dK", "∂L/∂K", &dK);
    report_quantity(r, "dL_db", "∂L/∂b", &db);
    report_quantity(r, "dL_dX", "∂L/∂X", &dX);
    fused_identity(r, n);
}

static void section_6_4_full_check(Report *r, Net *n, const CommonOptions *opt) {
    const NetShape *s = &n->b.s;
    report_heading(r, "6.4 The full check: every parameter and every input entry");
    report_text(r, "Each of the P = %d entries (%d input pixels, %d kernel weights, %d bias, %d dense weights, "
                   "1 dense bias) is nudged by ±h and the loss recomputed through the whole network, at two "
                   "steps h and h/2: their difference estimates the truncation error, and with the round-off "
                   "it makes each numerical derivative's error bound. An entry passes when "
                   "|a − n| ≤ %g·max(|a|, |n|) + bound.",
                net_checked_count(s), s->n_input, s->k * s->k, s->kernels, s->flat, CHECK_RTOL);
    full_check(r, n, opt);
    report_text(r, "A perturbed dense weight cannot change the convolution or the pool, and a perturbed kernel "
                   "entry only changes its own channel. The caching check keeps the activations of one forward "
                   "pass and recomputes only what a perturbation can reach, with the same arithmetic, so its "
                   "numerical gradient (fixed step h = %g) must be the plain one bit for bit:", GRADCHECK_H);
    NetProblem prob = {s, n->b.params, n->b.x, n->y, &n->b.a2};
    net_fast_numerical_plain(n->b.num, n->b.num_x, &prob, GRADCHECK_H);
    net_fast_numerical_cached(n->b.num2, n->b.num_x2, &prob, GRADCHECK_H, n->b.cache, n->b.icache, NULL, NULL);
    double abs_diff = 0.0, rel_diff = 0.0;
    differences(&abs_diff, &rel_diff, n->b.num, n->b.num2, s->n_params);
    differences(&abs_diff, &rel_diff, n->b.num_x, n->b.num_x2, s->n_input);
    bool same = memcmp(n->b.num, n->b.num2, (size_t)s->n_params * sizeof(double)) == 0 &&
                memcmp(n->b.num_x, n->b.num_x2, (size_t)s->n_input * sizeof(double)) == 0;
    report_identity(r, "caching check = plain check", net_checked_count(s), abs_diff, same ? 0.0 : fmax(rel_diff, 1.0),
                    0.0, same ? "bit for bit (memcmp)" : "the bits differ");
}

static void section_6_5_directional(Report *r, Net *n, const CommonOptions *opt) {
    report_heading(r, "6.5 The directional check");
    report_text(r, "One seeded random direction v over all P entries at once (each entry uniform in [−1, 1)), by "
                   "the bounded checker: four forward passes, whatever P is, an error bound, and PASS, FAIL or "
                   "INCONCLUSIVE. It cannot say which entry is wrong, but it catches a wrong gradient almost surely.");
    report_equation(r, "(L(θ + h v) − L(θ − h v)) / (2h‖v‖)  ≈  ∇L·v / ‖v‖",
                    "\\frac{L(\\theta + h v) - L(\\theta - h v)}{2h\\|v\\|} \\approx "
                    "\\frac{\\nabla L \\cdot v}{\\|v\\|}");
    chapter6_check_direction(r, "directional derivative", &n->b, n->y, opt->seed);
}

// The descent demonstration: one step of rate lr, the loss before and after
// against the first-order prediction L − η‖g‖² (g the gradient the run uses).
static void descent(Report *r, const char *name, Net *n, double lr) {
    const NetShape *s = &n->b.s;
    double before = net_forward(&n->b.a2, n->b.params, n->b.x, n->y, s), norm2 = 0.0;
    for (int j = 0; j < s->n_params; j++) norm2 += n->b.grads[j] * n->b.grads[j];
    net_sgd_step(n->b.params, n->b.grads, lr, s);
    double after = net_forward(&n->b.a2, n->b.params, n->b.x, n->y, s), predicted = before - lr * norm2;
    report_scalar(r, "step_lr", "η", lr);
    report_scalar(r, "loss_after_step", "L after the step", after);
    report_scalar(r, "loss_predicted", n->bug ? "L − η‖g‖², g the --bug's gradient" : "L − η‖∇L‖²", predicted);
    char detail[240];
    snprintf(detail, sizeof detail, "%.6g before, %.6g after, %.6g predicted to first order; %s", before, after,
             predicted, after < before ? "the loss fell" : "the loss did not fall: the step direction is not "
                                                           "downhill, or η overshoots");
    report_demonstration(r, name, detail);
}

static void section_6_6_sgd_step(Report *r, Net *n) {
    report_heading(r, "6.6 One gradient-descent step");
    report_equation(r, "θ ← θ − η ∂L/∂θ   (K, b, w and d; the input X stays)",
                    "\\theta \\leftarrow \\theta - \\eta\\, \\frac{\\partial L}{\\partial \\theta}");
    report_text(r, "For a small step the loss changes by about −η‖∇L‖², the first-order prediction. A "
                   "demonstration, not a check: a wrong gradient can still point downhill.");
    descent(r, "one gradient-descent step", n, EXAMPLE_LR);
}

// ---------------------------------------------------------------- 6.7–6.10 training

typedef struct {
    const char *data_path;
    int h, w, kernels, k, epochs;
    double lr;
    bool defaults; // the built-in data with the default network and training (any seed)
} TrainConfig;

// The data, split into train and test. Exits 2 on a bad file.
static void load_data(Dataset *train, Dataset *test, const TrainConfig *c, uint64_t seed) {
    if (!c->data_path) {
        if (!dataset_synthetic(train, SYNTHETIC_TRAIN, c->h, c->w, seed) ||
            !dataset_synthetic(test, SYNTHETIC_TEST, c->h, c->w, seed ^ 0x5DEECE66Dull))
            usage_error("out of memory");
        return;
    }
    Dataset all;
    char err[400];
    if (!dataset_load_csv(&all, c->data_path, c->h, c->w, err, sizeof err)) usage_error("--data: %s", err);
    const char *why = dataset_split_loaded(train, test, &all, TEST_FRACTION, seed);
    if (why) usage_error("--data: %s", why);
}

static void section_6_7_data(Report *r, const Dataset *train, const Dataset *test, const TrainConfig *c) {
    report_heading(r, "6.7 Training data");
    if (c->data_path)
        report_text(r, "%d images of %dx%d from %s: %d for training, %d held out for testing (a seeded "
                       "shuffle).", train->n + test->n, c->h, c->w, c->data_path, train->n, test->n);
    else
        report_text(r, "Seeded synthetic %dx%d images: label 1 is a vertical stroke, label 0 a horizontal one, "
                       "each of random length and position, with Gaussian pixel noise. %d for training, %d for "
                       "testing. An easy task: the rule \"brightest column beats brightest row\" is nearly "
                       "always right. --data data/digits-3-8.csv --size 8x8 is a real one.",
                    c->h, c->w, train->n, test->n);
    report_text(r, "The first training image (label %g), rounded to two decimals:", train->y[0]);
    Tensor first = tensor_alloc(1, c->h, c->w);
    for (int k = 0; k < c->h * c->w; k++) first.data[k] = round(100.0 * train->x[k]) / 100.0;
    report_matrix(r, "X_1", &first);
    tensor_free(&first);
    double base = dataset_majority_fraction(test);
    report_scalar(r, "majority_baseline", "test accuracy of always answering the majority class", base);
    report_text(r, "A classifier must beat %.1f%%: that much is right by always answering the test set's most "
                   "common label.", 100.0 * base);
}

static void section_6_8_check_on_image(Report *r, Net *n, const Dataset *train, const CommonOptions *opt) {
    const NetShape *s = &n->b.s;
    report_heading(r, "6.8 The full check on a training image");
    report_text(r, "%d kernels of %dx%d, a %dx%d pooled map per kernel, %d dense weights: P = %d checked entries "
                   "at the initial parameters, on the first training image.",
                s->kernels, s->k, s->k, s->pool_h, s->pool_w, s->flat, net_checked_count(s));
    memcpy(n->b.x, train->x, (size_t)s->n_input * sizeof(double));
    n->y = train->y[0];
    net_gradients(n);
    if (full_check(r, n, opt) > 0) {
        chapter6_check_direction(r, "directional derivative on training image 1", &n->b, n->y, opt->seed);
    }
}

// The run's backward pass (with its --bug) as training calls it.
static void training_backward(double *grads, NetActs *a, const double *params, const double *x, double y,
                              void *ctx) {
    Net *n = ctx;
    network_backward(grads, NULL, a, params, x, y, &n->b.s, n->bug, n->b.scratch);
}

static void train(NetHistory *h, Net *n, const Dataset *tr, const Dataset *te, const TrainConfig *c,
                  uint64_t seed) {
    if (!net_history_alloc(h, c->epochs) ||
        !net_train(h, n->b.params, n->b.grads, &n->b.a, tr, te, c->epochs, c->lr, seed, net_fast_forward_exact,
                   training_backward, n, &n->b.s, isatty(STDERR_FILENO)))
        usage_error("out of memory");
}

// The same training with the correct backward pass, for comparison under a
// --bug. True when that run's loss rose or diverged too.
static bool compare_with_correct(Report *r, const Net *buggy, const NetHistory *bh, const Dataset *tr,
                                 const Dataset *te, const TrainConfig *c, uint64_t seed) {
    Net n;
    net_make(&n, &buggy->b.s, BUG_NONE);
    net_init_params(n.b.params, &n.b.s, seed);
    NetHistory h;
    train(&h, &n, tr, te, c, seed);
    char bl[40], cl[40];
    report_text(r, "With --bug %s in the backward pass the whole time, training ends at %.1f%% test accuracy "
                   "(train loss %s); the same run with the correct gradient ends at %.1f%% (train loss %s).",
                BUGS[buggy->bug - 1].name, 100.0 * bh->test_acc[bh->done],
                history_magnitude(bl, sizeof bl, bh->train_loss[bh->done]), 100.0 * h.test_acc[h.done],
                history_magnitude(cl, sizeof cl, h.train_loss[h.done]));
    report_scalar(r, "test_accuracy_correct_gradient", "test accuracy with the correct gradient", h.test_acc[h.done]);
    bool rose = h.diverged || h.train_loss[h.done] > h.train_loss[0];
    net_history_free(&h);
    net_buffers_free(&n.b);
    return rose;
}

static void section_6_9_training(Report *r, Net *n, NetHistory *h, const Dataset *tr, const Dataset *te,
                                 const TrainConfig *c, const CommonOptions *opt) {
    report_heading(r, "6.9 Training with SGD");
    report_text(r, "One image at a time, in a fresh seeded order each epoch: forward, backward, θ ← θ − η ∂L/∂θ "
                   "with η = %g. Epoch 0 is before any step.", c->lr);
    train(h, n, tr, te, c, opt->seed);
    history_table(r, h);
    history_chart(r, h);
    history_json(r, h);
    int e = h->done;
    report_scalar(r, "train_accuracy", "final train accuracy", h->train_acc[e]);
    report_scalar(r, "test_accuracy", "final test accuracy", h->test_acc[e]);
    char detail[240], l0[40], le[40];
    snprintf(detail, sizeof detail, "%s before training, %s after %d epoch%s%s",
             history_magnitude(l0, sizeof l0, h->train_loss[0]), history_magnitude(le, sizeof le, h->train_loss[e]), e,
             e == 1 ? "" : "s", h->diverged ? " (then diverged)" : "");
    report_demonstration(r, h->train_loss[e] < h->train_loss[0] ? "the training loss fell"
                                                                 : "the training loss did not fall", detail);
    if (h->diverged)
        report_text(r, "Training diverged: in epoch %d the loss or a parameter overflowed, so the table stops "
                       "at epoch %d and the parameters below are from then.", e + 1, e);
    bool rose = h->diverged || h->train_loss[e] > h->train_loss[0];
    bool correct_rose = n->bug != BUG_NONE && compare_with_correct(r, n, h, tr, te, c, opt->seed);
    if (rose && (n->bug == BUG_NONE || correct_rose))
        report_text(r, "η = %g is too large for this loss: a step longer than the curvature allows overshoots "
                       "the minimum along the steepest directions and lands higher (for a quadratic, once η "
                       "exceeds 2/λ_max), so the steps grow. Try a smaller --lr.", c->lr);
    else if (rose)
        report_text(r, "The step size is not the cause: the same η = %g trains with the correct gradient. The "
                       "--bug's gradient is wrong, so its steps are not descent steps of this loss, and the "
                       "loss rises.", c->lr);
    if (!c->defaults) return;
    snprintf(detail, sizeof detail, "%.1f%% on %d test images (target %.0f%%)", 100.0 * h->test_acc[e], te->n,
             100.0 * TARGET_ACCURACY);
    report_verdict_measured(r, "test accuracy", h->test_acc[e], TARGET_ACCURACY, h->test_acc[e] >= TARGET_ACCURACY,
                            detail);
    report_text(r, "With these defaults, over seeds 1 to 100 the final test accuracy ranges from %.1f%% to %.1f%% "
                   "(median %.1f%%); the target is met for every one of them.",
                100.0 * SEEDS_MIN_ACCURACY, 100.0 * SEEDS_MAX_ACCURACY, 100.0 * SEEDS_MEDIAN_ACCURACY);
}

static void section_6_10_kernels(Report *r, Net *n, const Dataset *te, const TrainConfig *c) {
    const NetShape *s = &n->b.s;
    NetParams p;
    net_params_point(&p, n->b.params, s);
    report_heading(r, "6.10 What the kernels learned");
    Tensor kernels = tensor_view(p.kernel, s->kernels, s->k, s->k), biases = tensor_view(p.conv_b, 1, 1, s->kernels);
    Tensor dense = tensor_view(p.dense_w, s->kernels, s->pool_h, s->pool_w);
    report_quantity(r, "kernels", "K", &kernels);
    report_quantity(r, "conv_biases", "b", &biases);
    report_text(r, "Each kernel's pooled map meets its own %dx%d block of dense weights:", s->pool_h, s->pool_w);
    report_quantity(r, "dense_weights", "w", &dense);
    report_kernel_votes(r, &n->b.a, n->b.params, te, s); // src/show/kernel_votes.h
    report_text(r, "Read each kernel as a small picture%s; make plots draws them as heatmaps.",
                c->data_path ? "" : ": a column (or row) of large weights against smaller ones detects a "
                                    "vertical (or horizontal) stroke");
}

// ---------------------------------------------------------------- main

// The chapter's options, converted and validated (exits 2 on bad input).
static TrainConfig config_from(const char *const *v, NetShape *s) {
    TrainConfig c = {.data_path = v[4], .h = SYNTHETIC_SIDE, .w = SYNTHETIC_SIDE};
    c.kernels = v[0] ? option_int("--kernels", v[0], 1, MAX_KERNELS) : DEFAULT_KERNELS;
    c.k = v[1] ? option_int("--kernel-size", v[1], 1, TENSOR_MAX_SIDE) : DEFAULT_KERNEL_SIZE;
    c.epochs = v[2] ? option_int("--epochs", v[2], 1, MAX_EPOCHS) : DEFAULT_EPOCHS;
    c.lr = v[3] ? option_number("--lr", v[3]) : DEFAULT_LR;
    if (!(c.lr > 0.0) || c.lr > LR_MAX) usage_error("--lr: '%s' must be above 0 and at most %g", v[3], LR_MAX);
    if (v[5] && !v[4]) usage_error("--size: only used with --data (the built-in images are 8x8)");
    if (v[4] && !v[5]) usage_error("--data: needs --size HxW (the image size)");
    if (v[4] && !*v[4]) usage_error("--data: empty file name");
    if (v[5]) option_size("--size", v[5], &c.h, &c.w);
    c.defaults = !v[4] && c.kernels == DEFAULT_KERNELS && c.k == DEFAULT_KERNEL_SIZE &&
                 c.epochs == DEFAULT_EPOCHS && c.lr == DEFAULT_LR;
    int side = c.h < c.w ? c.h : c.w;
    if (!net_shape_init(s, c.h, c.w, c.kernels, c.k))
        usage_error("--kernel-size: a %dx%d kernel leaves no room for the 2x2 pool on %dx%d images (at most "
                    "%dx%d)", c.k, c.k, c.h, c.w, side - 1, side - 1);
    if ((long)net_checked_count(s) > NET_MAX_CHECKED)
        usage_error("%s: %dx%d images with %d kernels of %dx%d make %d checked entries, above this workbook's "
                    "%d (it keeps its memory small)", v[5] ? "--size" : "--kernels", c.h, c.w, c.kernels, c.k,
                    c.k, net_checked_count(s), NET_MAX_CHECKED);
    return c;
}

int main(int argc, char **argv) {
    const char *v[6] = {0};
    const ChapterOption options[] = {
        {"--kernels", "N", "number of kernels in the trained network (default 6)", &v[0]},
        {"--kernel-size", "K", "each kernel is KxK (default 3)", &v[1]},
        {"--epochs", "N", "training epochs (default 15)", &v[2]},
        {"--lr", "X", "SGD learning rate (default 0.02)", &v[3]},
        {"--data", "FILE", "a CSV to train on: label 0/1, pixels (needs --size)", &v[4]},
        {"--size", "HxW", "the image size of --data", &v[5]},
    };
    const ChapterSpec spec = {
        .program = "chapter6",
        .title = "Chapter 6: the whole network, checked end to end and trained",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS),
        .notes = "Examples: chapter6 --kernels 2 --epochs 5 --lr 0.05\n"
                 "          chapter6 --kernels 2 --epochs 5 --lr 0.1   # diverges: 6.9 shows why\n"
                 "          chapter6 --data data/digits-3-8.csv --size 8x8   # handwritten 3 vs 8",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    NetShape shape;
    TrainConfig c = config_from(v, &shape);
    Bug bug = (Bug)opt.bug_id; // 0 the correct code, k + 1 BUGS[k]
    Dataset tr, te;
    load_data(&tr, &te, &c, opt.seed);

    Report r;
    report_init(&r, &opt, spec.title);
    Net ex, n;
    example_make(&ex, bug);
    section_6_1_network(&r);
    section_6_2_forward(&r, &ex);
    section_6_3_backward(&r, &ex);
    section_6_4_full_check(&r, &ex, &opt);
    section_6_5_directional(&r, &ex, &opt);
    section_6_6_sgd_step(&r, &ex);
    net_buffers_free(&ex.b);

    net_make(&n, &shape, bug);
    net_init_params(n.b.params, &shape, opt.seed);
    NetHistory h = {0};
    section_6_7_data(&r, &tr, &te, &c);
    section_6_8_check_on_image(&r, &n, &tr, &opt);
    section_6_9_training(&r, &n, &h, &tr, &te, &c, &opt);
    section_6_10_kernels(&r, &n, &te, &c);
    if (opt.plot_dir) history_write_plots(opt.plot_dir, &h, n.b.params, &shape);
    net_history_free(&h);
    net_buffers_free(&n.b);
    dataset_free(&tr);
    dataset_free(&te);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}
