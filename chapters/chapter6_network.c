// Chapter 6: the whole network, gradient-checked end to end and trained.
//
// Follows the article from "Forward Pass in Convolution Layer" to "Updating
// Kernels and Bias using Gradient Descent" in one piece: the running example
// goes forward through conv, max-pool, flatten, dense, sigmoid and BCE, comes
// back layer by layer, and every parameter and input entry is checked
// numerically. Then the same network (with several kernels) learns to tell
// vertical from horizontal strokes, and its kernels become stroke detectors.
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conv.h"
#include "dense.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "network.h"
#include "options.h"
#include "plotfile.h"
#include "pool.h"
#include "report.h"
#include "rng.h"
#include "strbuf.h"
#include "tensor.h"

#define DEFAULT_KERNELS 4
#define DEFAULT_KERNEL_SIZE 3
#define DEFAULT_EPOCHS 15
#define DEFAULT_LR 0.01
#define MAX_KERNELS 64
#define MAX_EPOCHS 10000
// The built-in task: 8×8 images, enough of them that the test accuracy is a
// real measurement (one test image is half a percent) yet training takes
// milliseconds.
#define SYNTHETIC_SIDE 8
#define SYNTHETIC_TRAIN 1200
#define SYNTHETIC_TEST 200
// A user's CSV is split with this fraction held out for testing.
#define TEST_FRACTION 0.25
// The built-in task is easy for this network; below this the training (or
// a bug in it) has failed.
#define TARGET_ACCURACY 0.9
// The step of the end-to-end example: small enough that the first-order
// prediction L − η‖∇L‖² of the new loss is close, large enough to see.
#define EXAMPLE_LR 1e-4
// The network's fused backward pass adds the same products as the layers
// composed, in another order: a few ulps of the largest term apart.
#define SAME_GRADIENT_REL_TOL 1e-12
#define LR_MAX 100.0

static const BugInfo BUGS[] = {
    {"sigmoid-twice", "∂L/∂z = (ŷ − y)·ŷ(1 − ŷ): σ′ applied again on top of the logit form"},
    {"dense-swap", "the dense layer's ∂L/∂w and ∂L/∂p swapped (∂L/∂z·w for the weights)"},
    {"pool-everywhere", "max-pool backward copies each gradient to all four window cells (no switch)"},
    {"kernel-rot180", "∂L/∂K rotated 180°, as if the layer were a true convolution"},
};

// ---------------------------------------------------------------- the example, layer by layer

// One backward pass through the library's layers, in the article's order.
typedef struct {
    double dz;
    Tensor dw, dd, dp, dA, dK, db, dX;
} LayerGrads;

static LayerGrads layer_grads_alloc(const NetShape *s) {
    return (LayerGrads){0.0,
                        tensor_alloc(1, 1, s->flat),
                        tensor_alloc(1, 1, 1),
                        tensor_alloc(1, 1, s->flat),
                        tensor_alloc(s->kernels, s->conv_h, s->conv_w),
                        tensor_alloc(s->kernels, s->k, s->k),
                        tensor_alloc(1, 1, s->kernels),
                        tensor_alloc(1, s->in_h, s->in_w)};
}

static void layer_grads_free(LayerGrads *g) {
    Tensor *all[] = {&g->dw, &g->dd, &g->dp, &g->dA, &g->dK, &g->db, &g->dX};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

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

// Bug "pool-everywhere": the switch δ forgotten; every window cell gets the gradient.
static void maxpool_backward_everywhere(double *dA, const double *dp, const PoolShape *s) {
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++)
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++)
                        dA[(c * s->h + i * s->stride + m) * s->w + j * s->stride + n] +=
                            dp[(c * s->out_h + i) * s->out_w + j];
}

// Bug "kernel-rot180": the correct kernel gradient, rotated.
static void rotate_kernel_grad(Tensor *dK) {
    Tensor rotated = tensor_alloc_like(dK);
    tensor_rot180(&rotated, dK);
    tensor_copy(dK, &rotated);
    tensor_free(&rotated);
}

static void layer_backward(LayerGrads *g, const NetActs *a, const double *params, const double *x, double y,
                           const NetShape *s, const CommonOptions *opt) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    if (bug_is(opt, "sigmoid-twice"))
        g->dz = dz_sigmoid_twice(a->yhat, y);
    else
        bce_grad_logits(&g->dz, &y, &a->z, 1);
    if (bug_is(opt, "dense-swap"))
        dense_backward_swapped(g->dp.data, g->dw.data, g->dd.data, g->dz, a->pooled, p.dense_w, s->flat);
    else
        dense_backward(g->dp.data, g->dw.data, g->dd.data, &g->dz, a->pooled, p.dense_w, 1, s->flat);
    PoolShape ps;
    pool_shape_init(&ps, s->kernels, s->conv_h, s->conv_w, NET_POOL, NET_POOL, 1);
    if (bug_is(opt, "pool-everywhere"))
        maxpool_backward_everywhere(g->dA.data, g->dp.data, &ps);
    else
        maxpool_backward(g->dA.data, g->dp.data, a->argmax, &ps);
    ConvShape cs;
    conv_shape_init(&cs, 1, s->in_h, s->in_w, s->kernels, s->k, s->k, 1, 0, 0, 1);
    conv_backward(g->dX.data, g->dK.data, g->db.data, g->dA.data, x, p.kernel, &cs);
    if (bug_is(opt, "kernel-rot180")) rotate_kernel_grad(&g->dK);
}

// The gradient block in net_params order, from the layer gradients.
static void pack_grads(double *grads, const LayerGrads *g, const NetShape *s) {
    NetParams p;
    net_params_point(&p, grads, s);
    memcpy(p.kernel, g->dK.data, tensor_size(&g->dK) * sizeof(double));
    memcpy(p.conv_b, g->db.data, tensor_size(&g->db) * sizeof(double));
    memcpy(p.dense_w, g->dw.data, tensor_size(&g->dw) * sizeof(double));
    *p.dense_b = g->dd.data[0];
}

static double max_rel_difference(const double *a, const double *b, int n) {
    double worst = 0.0;
    for (int k = 0; k < n; k++) worst = fmax(worst, relative_error(a[k], b[k]));
    return worst;
}

// The checked blocks, as tensors for the per-entry tables.
typedef struct {
    const char *name;
    Tensor analytic, numerical;
} Block;

enum { B_KERNEL, B_CONV_B, B_DENSE_W, B_DENSE_B, B_INPUT, N_BLOCKS };

static void blocks_view(Block *b, double *grads, double *dx, double *num, double *num_x, const NetShape *s) {
    NetParams g, n;
    net_params_point(&g, grads, s);
    net_params_point(&n, num, s);
    b[B_KERNEL] = (Block){"∂L/∂K", tensor_view(g.kernel, s->kernels, s->k, s->k),
                          tensor_view(n.kernel, s->kernels, s->k, s->k)};
    b[B_CONV_B] = (Block){"∂L/∂b (conv biases)", tensor_view(g.conv_b, 1, 1, s->kernels),
                          tensor_view(n.conv_b, 1, 1, s->kernels)};
    b[B_DENSE_W] = (Block){"∂L/∂w (dense weights)", tensor_view(g.dense_w, 1, 1, s->flat),
                           tensor_view(n.dense_w, 1, 1, s->flat)};
    b[B_DENSE_B] = (Block){"∂L/∂d (dense bias)", tensor_view(g.dense_b, 1, 1, 1), tensor_view(n.dense_b, 1, 1, 1)};
    b[B_INPUT] = (Block){"∂L/∂X (input)", tensor_view(dx, 1, s->in_h, s->in_w), tensor_view(num_x, 1, s->in_h, s->in_w)};
}

// Buffers for one network.
typedef struct {
    NetShape s;
    double *params, *grads, *num, *num2, *x, *dx, *num_x, *num_x2, *acts, *cache, *scratch;
    int *iacts, *icache;
    NetActs a;
} Net;

static double *alloc_doubles(size_t n) {
    double *p = calloc(n ? n : 1, sizeof(double));
    if (!p) usage_error("out of memory");
    return p;
}

static void net_alloc(Net *n, const NetShape *s) {
    n->s = *s;
    size_t P = (size_t)s->n_params, X = (size_t)s->n_input;
    n->params = alloc_doubles(P);
    n->grads = alloc_doubles(P);
    n->num = alloc_doubles(P);
    n->num2 = alloc_doubles(P);
    n->x = alloc_doubles(X);
    n->dx = alloc_doubles(X);
    n->num_x = alloc_doubles(X);
    n->num_x2 = alloc_doubles(X);
    n->acts = alloc_doubles(net_act_doubles(s));
    n->cache = alloc_doubles(net_cache_doubles(s));
    n->scratch = alloc_doubles(P + X);
    n->iacts = calloc(net_act_ints(s), sizeof(int));
    n->icache = calloc(net_cache_ints(s), sizeof(int));
    if (!n->iacts || !n->icache) usage_error("out of memory");
    net_acts_point(&n->a, n->acts, n->iacts, &n->s);
}

static void net_free(Net *n) {
    double *all[] = {n->params, n->grads, n->num, n->num2, n->x, n->dx, n->num_x, n->num_x2, n->acts, n->cache,
                     n->scratch};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) free(all[i]);
    free(n->iacts);
    free(n->icache);
}

// Section 6.1–6.6: the running example. Returns nothing; checks go to r.
static void end_to_end(Report *r, const CommonOptions *opt) {
    NetShape s;
    net_shape_init(&s, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE);
    Net n;
    net_alloc(&n, &s);
    NetParams p;
    net_params_point(&p, n.params, &s);
    memcpy(p.kernel, EXAMPLE_K, sizeof EXAMPLE_K);
    p.conv_b[0] = 0.0;
    memcpy(p.dense_w, EXAMPLE_W, sizeof EXAMPLE_W);
    *p.dense_b = EXAMPLE_B;
    memcpy(n.x, EXAMPLE_X, sizeof EXAMPLE_X);
    double y = EXAMPLE_Y;

    report_heading(r, "6.1 The network");
    report_text(r, "Chapters 1 to 5 took the layers one at a time. Here they run as one network, forward "
                   "and back, on the running example: the 3x4 image X, one 2x2 kernel K with bias b = 0, a "
                   "2x2 max-pool with stride 1, the dense layer w = [0.05 −0.03], d = 0.1, and the label y = 1.");
    report_equation(r, "A = X ⋆ K + b  →  P = maxpool(A)  →  p = flatten(P)  →  z = w·p + d  →  ŷ = σ(z)  →  "
                       "L = −[y log ŷ + (1 − y) log(1 − ŷ)]",
                    "A = X \\star K + b \\to P = \\mathrm{maxpool}(A) \\to p = \\mathrm{flatten}(P) \\to z = "
                    "w\\cdot p + d \\to \\hat{y} = \\sigma(z) \\to L = -[y\\log\\hat{y} + (1-y)\\log(1-\\hat{y})]");

    // ---- forward
    report_heading(r, "6.2 Forward, layer by layer");
    net_forward(&n.a, n.params, n.x, y, &s);
    Tensor x = tensor_view(n.x, 1, s.in_h, s.in_w), k = tensor_view(p.kernel, 1, s.k, s.k);
    Tensor A = tensor_view(n.a.conv, 1, s.conv_h, s.conv_w), P = tensor_view(n.a.pooled, 1, 1, s.flat);
    report_quantity(r, "input", "X", &x);
    report_quantity(r, "kernel", "K", &k);
    report_quantity(r, "feature_map", "A = X ⋆ K + b", &A);
    report_quantity(r, "pooled", "p = flatten(maxpool(A))", &P);
    char where[200] = "";
    size_t len = 0;
    for (int j = 0; j < s.flat; j++)
        len += (size_t)snprintf(where + len, sizeof where - len, "%sp[%d] is A(%d,%d)", j ? ", " : "", j,
                                n.a.argmax[j] / s.conv_w, n.a.argmax[j] % s.conv_w);
    report_text(r, "The pool remembers where each maximum came from: %s. Backward needs exactly this.", where);
    report_scalar(r, "z", "z = w·p + d", n.a.z);
    report_scalar(r, "yhat", "ŷ = σ(z)", n.a.yhat);
    report_scalar(r, "loss", "L", n.a.loss);

    // ---- backward, with the library's layers
    report_heading(r, "6.3 Backward, layer by layer");
    LayerGrads g = layer_grads_alloc(&s);
    layer_backward(&g, &n.a, n.params, n.x, y, &s, opt);
    report_text(r, "BCE and the sigmoid together give the simplest gradient in the network (chapter 3):");
    report_equation(r, "∂L/∂z = ŷ − y", "\\frac{\\partial L}{\\partial z} = \\hat{y} - y");
    report_scalar(r, "dL_dz", "∂L/∂z", g.dz);
    report_text(r, "The dense layer sends ∂L/∂z·p to its weights and ∂L/∂z·w back to the pooled values:");
    report_quantity(r, "dL_dw", "∂L/∂w", &g.dw);
    report_quantity(r, "dL_dd", "∂L/∂d", &g.dd);
    report_quantity(r, "dL_dp", "∂L/∂p", &g.dp);
    report_text(r, "Un-flattening is only a reshape; the max-pool routes each gradient to the cell that won its "
                   "window and gives the others zero (chapter 4):");
    report_quantity(r, "dL_dA", "∂L/∂A", &g.dA);
    report_text(r, "The convolution layer turns ∂L/∂A into the kernel, bias and input gradients (chapter 5):");
    report_equation(r, "∂L/∂K = X ⋆ ∂L/∂A,   ∂L/∂b = Σ ∂L/∂A,   ∂L/∂X = pad(∂L/∂A) ⋆ rot180(K)",
                    "\\frac{\\partial L}{\\partial K} = X \\star \\frac{\\partial L}{\\partial A},\\quad "
                    "\\frac{\\partial L}{\\partial b} = \\sum \\frac{\\partial L}{\\partial A},\\quad "
                    "\\frac{\\partial L}{\\partial X} = \\mathrm{pad}\\left(\\frac{\\partial L}{\\partial A}\\right) "
                    "\\star \\mathrm{rot180}(K)");
    report_quantity(r, "dL_dK", "∂L/∂K", &g.dK);
    report_quantity(r, "dL_db", "∂L/∂b", &g.db);
    report_quantity(r, "dL_dX", "∂L/∂X", &g.dX);
    if (opt->bug) report_text(r, "--bug %s is active in the backward pass above. Watch the checks below.", opt->bug);

    // The fused backward pass used for training must agree with the layers.
    pack_grads(n.grads, &g, &s);
    memcpy(n.dx, g.dX.data, tensor_size(&g.dX) * sizeof(double));
    {
        double *fused = alloc_doubles((size_t)s.n_params), *fused_dx = alloc_doubles((size_t)s.n_input);
        LayerGrads clean = layer_grads_alloc(&s);
        CommonOptions no_bug = *opt;
        no_bug.bug = NULL;
        layer_backward(&clean, &n.a, n.params, n.x, y, &s, &no_bug);
        double *clean_block = alloc_doubles((size_t)s.n_params);
        pack_grads(clean_block, &clean, &s);
        net_backward(fused, fused_dx, &n.a, n.params, n.x, y, &s);
        double diff = fmax(max_rel_difference(fused, clean_block, s.n_params),
                           max_rel_difference(fused_dx, clean.dX.data, s.n_input));
        char detail[160];
        snprintf(detail, sizeof detail, "largest relative difference %.1e (tolerance %g)", diff,
                 SAME_GRADIENT_REL_TOL);
        report_text(r, "Training uses net_backward, one fused loop over the same formulas. It must give the same "
                       "numbers as the layers composed (without any --bug):");
        report_verdict(r, "net_backward = the layers composed", diff <= SAME_GRADIENT_REL_TOL, detail);
        free(fused);
        free(fused_dx);
        free(clean_block);
        layer_grads_free(&clean);
    }

    // ---- the full check
    report_heading(r, "6.4 The full check: every parameter and every input entry");
    report_text(r, "Each of the P = %d entries (%d input pixels, %d kernel weights, %d bias, %d dense weights, "
                   "1 dense bias) is nudged by ±h and the loss recomputed through the whole network: 2P = %d "
                   "forward passes.",
                net_checked_count(&s), s.n_input, s.k * s.k, s.kernels, s.flat, 2 * net_checked_count(&s));
    NetProblem prob = {&s, n.params, n.x, y, &n.a};
    net_numerical_plain(n.num, n.num_x, &prob, GRADCHECK_H);
    Block blocks[N_BLOCKS];
    blocks_view(blocks, n.grads, n.dx, n.num, n.num_x, &s);
    for (int b = 0; b < N_BLOCKS; b++) {
        CheckSummary cs = compare_gradients(blocks[b].analytic.data, blocks[b].numerical.data, NULL,
                                            (int)tensor_size(&blocks[b].analytic), GRADCHECK_REL_TOL);
        report_check(r, blocks[b].name, &blocks[b].analytic, &blocks[b].numerical, NULL, cs);
    }
    report_text(r, "A perturbed dense weight cannot change the convolution or the pool, and a perturbed kernel "
                   "entry only changes its own channel. The caching check keeps the activations of one forward "
                   "pass and recomputes only what a perturbation can reach, with the same arithmetic, so its "
                   "numerical gradient must be the plain one bit for bit:");
    net_numerical_cached(n.num2, n.num_x2, &prob, GRADCHECK_H, n.cache, n.icache, NULL, NULL);
    bool same = memcmp(n.num, n.num2, (size_t)s.n_params * sizeof(double)) == 0 &&
                memcmp(n.num_x, n.num_x2, (size_t)s.n_input * sizeof(double)) == 0;
    report_verdict(r, "caching check = plain check", same,
                   same ? "all entries bit-for-bit identical" : "the numerical gradients differ");

    // ---- directional
    report_heading(r, "6.5 The directional check");
    report_text(r, "One seeded random direction v over all P entries at once (each entry uniform in [−1, 1)): "
                   "two forward passes, whatever P is. It cannot say which entry is wrong, but it catches a "
                   "wrong gradient almost surely.");
    report_equation(r, "(L(θ + h v) − L(θ − h v)) / (2h‖v‖)  ≈  ∇L·v / ‖v‖",
                    "\\frac{L(\\theta + h v) - L(\\theta - h v)}{2h\\|v\\|} \\approx "
                    "\\frac{\\nabla L \\cdot v}{\\|v\\|}");
    DirectionalResult dr = net_directional_check(&prob, n.grads, n.dx, opt->seed, n.scratch);
    report_check_scalar(r, "directional derivative", dr.analytic, dr.numerical, dr.tolerance);

    // ---- one SGD step
    report_heading(r, "6.6 One gradient-descent step");
    report_equation(r, "θ ← θ − η ∂L/∂θ   (K, b, w and d; the input X stays)",
                    "\\theta \\leftarrow \\theta - \\eta\\, \\frac{\\partial L}{\\partial \\theta}");
    double before = net_forward(&n.a, n.params, n.x, y, &s), norm2 = 0.0;
    for (int j = 0; j < s.n_params; j++) norm2 += n.grads[j] * n.grads[j];
    net_sgd_step(n.params, n.grads, EXAMPLE_LR, &s);
    double after = net_forward(&n.a, n.params, n.x, y, &s);
    report_scalar(r, "step_lr", "η", EXAMPLE_LR);
    report_scalar(r, "loss_after_step", "L after the step", after);
    report_text(r, "First-order prediction: L − η‖∇L‖² = %.6g − %.6g = %.6g.", before, EXAMPLE_LR * norm2,
                before - EXAMPLE_LR * norm2);
    char detail[160];
    snprintf(detail, sizeof detail, "%.6g before, %.6g after", before, after);
    report_verdict(r, "the loss fell", after < before, detail);
    layer_grads_free(&g);
    net_free(&n);
}

// ---------------------------------------------------------------- training

typedef struct {
    const char *data_path;
    int h, w, kernels, k, epochs;
    double lr;
    bool defaults; // the built-in data with the default network and training
} TrainConfig;

static void shuffle(int *order, int n, Rng *rng) {
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(rng, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

// The data, split into train and test. Exits 2 on a bad file.
static void load_data(NetData *train, NetData *test, const TrainConfig *c, uint64_t seed) {
    if (!c->data_path) {
        if (!net_synthetic(train, SYNTHETIC_TRAIN, c->h, c->w, seed) ||
            !net_synthetic(test, SYNTHETIC_TEST, c->h, c->w, seed ^ 0x5DEECE66Dull))
            usage_error("out of memory");
        return;
    }
    FILE *f = fopen(c->data_path, "r");
    if (!f) usage_error("--data: cannot open '%.200s': %s", c->data_path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        usage_error("--data: '%.200s' is a directory", c->data_path);
    }
    NetData all;
    char err[300];
    bool ok = net_read_csv(&all, f, c->h, c->w, err, sizeof err);
    fclose(f);
    if (!ok) usage_error("--data: %s", err);
    if (all.n < 2) {
        net_data_free(&all);
        usage_error("--data: only 1 image; a train/test split needs at least 2");
    }
    int n_test = (int)(all.n * TEST_FRACTION);
    if (n_test < 1) n_test = 1;
    int *order = malloc((size_t)all.n * sizeof(int));
    if (!order || !net_data_alloc(train, all.n - n_test, c->h, c->w) || !net_data_alloc(test, n_test, c->h, c->w))
        usage_error("out of memory");
    for (int i = 0; i < all.n; i++) order[i] = i;
    Rng rng = rng_make(seed);
    shuffle(order, all.n, &rng);
    size_t image = (size_t)c->h * c->w;
    for (int i = 0; i < all.n; i++) {
        NetData *d = i < train->n ? train : test;
        int at = i < train->n ? i : i - train->n;
        memcpy(d->x + at * image, all.x + (size_t)order[i] * image, image * sizeof(double));
        d->y[at] = all.y[order[i]];
    }
    free(order);
    net_data_free(&all);
}

static void write_plots(const char *dir, const double *train_loss, const double *test_loss, const double *test_acc,
                        int epochs, const double *kernel, const NetShape *s) {
    FILE *f = plot_file_open(dir, "chapter6_losses.dat");
    fprintf(f, "# epoch train_loss test_loss test_accuracy\n");
    for (int e = 0; e <= epochs; e++) fprintf(f, "%d %.17g %.17g %.17g\n", e, train_loss[e], test_loss[e], test_acc[e]);
    plot_file_close(f, dir, "chapter6_losses.dat");
    f = plot_file_open(dir, "chapter6_kernels.dat");
    fprintf(f, "# the learned kernels, one matrix block per kernel (gnuplot index 0..%d)\n", s->kernels - 1);
    for (int c = 0; c < s->kernels; c++) {
        if (c) fprintf(f, "\n\n");
        for (int i = 0; i < s->k; i++)
            for (int j = 0; j < s->k; j++)
                fprintf(f, "%.17g%s", kernel[(c * s->k + i) * s->k + j], j + 1 < s->k ? " " : "\n");
    }
    plot_file_close(f, dir, "chapter6_kernels.dat");
    f = plot_file_open(dir, "chapter6_kernels.gp");
    fprintf(f, "kernels = %d\nksize = %d\n", s->kernels, s->k);
    plot_file_close(f, dir, "chapter6_kernels.gp");
}

static void append_vector(StrBuf *b, const double *v, int n, const char *what) {
    Tensor t = tensor_view((double *)v, 1, 1, n);
    json_append_tensor(b, &t, what);
}

static void training(Report *r, const CommonOptions *opt, const TrainConfig *c) {
    NetData train, test;
    load_data(&train, &test, c, opt->seed);
    NetShape s;
    net_shape_init(&s, c->h, c->w, c->kernels, c->k);
    Net n;
    net_alloc(&n, &s);
    net_init_params(n.params, &s, opt->seed);

    report_heading(r, "6.7 Training data");
    if (c->data_path)
        report_text(r, "%d images of %dx%d from %s: %d for training, %d held out for testing.", train.n + test.n,
                    c->h, c->w, c->data_path, train.n, test.n);
    else
        report_text(r, "Seeded synthetic %dx%d images: label 1 is a vertical stroke, label 0 a horizontal one, "
                       "each of random length and position, with Gaussian pixel noise. %d for training, %d for "
                       "testing. The first training image (label %g):",
                    c->h, c->w, train.n, test.n, train.y[0]);
    Tensor first = tensor_view(train.x, 1, c->h, c->w);
    report_matrix(r, "X_1", &first);

    // ---- the full check on a real sample, before training
    report_heading(r, "6.8 The full check on a training image");
    report_text(r, "%d kernels of %dx%d, a %dx%d pooled map per kernel, %d dense weights: P = %d checked entries "
                   "at the initial parameters, on the first training image.",
                s.kernels, s.k, s.k, s.pool_h, s.pool_w, s.flat, net_checked_count(&s));
    memcpy(n.x, train.x, (size_t)s.n_input * sizeof(double));
    double y = train.y[0];
    net_forward(&n.a, n.params, n.x, y, &s);
    net_backward(n.grads, n.dx, &n.a, n.params, n.x, y, &s);
    NetProblem prob = {&s, n.params, n.x, y, &n.a};
    bool *kinks = calloc((size_t)net_checked_count(&s), sizeof(bool));
    if (!kinks) usage_error("out of memory");
    net_numerical_cached(n.num, n.num_x, &prob, GRADCHECK_H, n.cache, n.icache, kinks, kinks + s.n_params);
    Block blocks[N_BLOCKS];
    blocks_view(blocks, n.grads, n.dx, n.num, n.num_x, &s);
    const char *headers[] = {"block", "entries", "kinks skipped", "max abs error", "max rel error", ""};
    report_table_begin(r, 6, headers);
    bool all_passed = true;
    double worst_rel = 0.0;
    int total = 0, skipped = 0;
    for (int b = 0; b < N_BLOCKS; b++) {
        int count = (int)tensor_size(&blocks[b].analytic);
        // Blocks are contiguous in the kink mask in the same order as in memory.
        const bool *skip = b == B_INPUT ? kinks + s.n_params : kinks + (blocks[b].numerical.data - n.num);
        CheckSummary cs = compare_gradients(blocks[b].analytic.data, blocks[b].numerical.data, skip, count,
                                            GRADCHECK_REL_TOL);
        char e[20], sk[20], ae[40], re[40];
        snprintf(e, sizeof e, "%d", count);
        snprintf(sk, sizeof sk, "%d", cs.skipped);
        snprintf(ae, sizeof ae, "%.1e", cs.max_abs_error);
        snprintf(re, sizeof re, "%.1e", cs.max_rel_error);
        const char *row[] = {blocks[b].name, e, sk, ae, re, cs.passed ? "ok" : "FAIL"};
        report_table_row(r, row);
        all_passed = all_passed && cs.passed;
        worst_rel = fmax(worst_rel, cs.max_rel_error);
        total += count;
        skipped += cs.skipped;
    }
    report_table_end(r);
    free(kinks);
    if (skipped)
        report_text(r, "%d entr%s skipped: nudging them by ±h moved a pooled maximum to another cell of its "
                       "window (a tie in the image), where the max has no derivative and a difference quotient "
                       "measures the jump, not the gradient.",
                    skipped, skipped == 1 ? "y was" : "ies were");
    char detail[200];
    snprintf(detail, sizeof detail, "%d entries (%d skipped), max relative error %.1e (tolerance %g)", total,
             skipped, worst_rel, GRADCHECK_REL_TOL);
    report_verdict(r, "full check on training image 1", all_passed, detail);

    // ---- training
    report_heading(r, "6.9 Training with SGD");
    report_text(r, "One image at a time, in a fresh seeded order each epoch: forward, backward, θ ← θ − η ∂L/∂θ "
                   "with η = %g. Epoch 0 is before any step.",
                c->lr);
    double *train_loss = alloc_doubles((size_t)c->epochs + 1), *test_loss = alloc_doubles((size_t)c->epochs + 1);
    double *test_acc = alloc_doubles((size_t)c->epochs + 1), train_acc;
    int *order = malloc((size_t)train.n * sizeof(int));
    if (!order) usage_error("out of memory");
    for (int i = 0; i < train.n; i++) order[i] = i;
    Rng rng = rng_make(opt->seed);
    const char *th[] = {"epoch", "train loss", "test loss", "test accuracy"};
    report_table_begin(r, 4, th);
    for (int e = 0; e <= c->epochs; e++) {
        if (e > 0) {
            shuffle(order, train.n, &rng);
            net_train_epoch(n.params, n.grads, &n.a, &train, order, c->lr, &s);
        }
        net_evaluate(&train_loss[e], &train_acc, n.params, &n.a, &train, &s);
        net_evaluate(&test_loss[e], &test_acc[e], n.params, &n.a, &test, &s);
        if (!isfinite(train_loss[e]) || !isfinite(test_loss[e]))
            usage_error("--lr: training diverged at epoch %d (the loss overflowed); use a smaller rate", e);
        char es[20], tl[40], sl[40], ta[40];
        snprintf(es, sizeof es, "%d", e);
        snprintf(tl, sizeof tl, "%.6f", train_loss[e]);
        snprintf(sl, sizeof sl, "%.6f", test_loss[e]);
        snprintf(ta, sizeof ta, "%.1f%%", 100.0 * test_acc[e]);
        const char *row[] = {es, tl, sl, ta};
        report_table_row(r, row);
    }
    report_table_end(r);
    for (int j = 0; j < s.n_params; j++)
        if (!isfinite(n.params[j])) usage_error("--lr: training diverged (a parameter overflowed); use a smaller rate");
    StrBuf json = {0};
    append_vector(&json, train_loss + 1, c->epochs, "losses");
    report_json_raw(r, "losses", sb_str(&json));
    sb_clear(&json);
    append_vector(&json, test_loss + 1, c->epochs, "test losses");
    report_json_raw(r, "test_losses", sb_str(&json));
    sb_free(&json);
    report_scalar(r, "test_accuracy", "final test accuracy", test_acc[c->epochs]);
    snprintf(detail, sizeof detail, "%.6f before training, %.6f after %d epoch%s", train_loss[0],
             train_loss[c->epochs], c->epochs, c->epochs == 1 ? "" : "s");
    report_verdict(r, "the training loss fell", train_loss[c->epochs] < train_loss[0], detail);
    if (c->defaults) {
        snprintf(detail, sizeof detail, "%.1f%% on %d test images (target %.0f%%)", 100.0 * test_acc[c->epochs],
                 test.n, 100.0 * TARGET_ACCURACY);
        report_verdict(r, "test accuracy", test_acc[c->epochs] >= TARGET_ACCURACY, detail);
    } else if (!c->data_path) {
        report_text(r, "The %.0f%% accuracy target is checked only with the defaults (network, training "
                       "options and seed).",
                    100.0 * TARGET_ACCURACY);
    }

    // ---- the kernels
    report_heading(r, "6.10 What the kernels learned");
    NetParams p;
    net_params_point(&p, n.params, &s);
    Tensor kernels = tensor_view(p.kernel, s.kernels, s.k, s.k);
    Tensor biases = tensor_view(p.conv_b, 1, 1, s.kernels);
    report_quantity(r, "kernels", "K", &kernels);
    report_quantity(r, "conv_biases", "b", &biases);
    if (!c->data_path)
        report_text(r, "Read each kernel as a small picture: a column (or row) of large weights against smaller "
                       "ones is a detector for a vertical (or horizontal) stroke, and the sign of its dense weights "
                       "decides which class it votes for. make plots draws them as heatmaps.");
    if (opt->plot_dir) write_plots(opt->plot_dir, train_loss, test_loss, test_acc, c->epochs, p.kernel, &s);
    free(train_loss);
    free(test_loss);
    free(test_acc);
    free(order);
    net_free(&n);
    net_data_free(&train);
    net_data_free(&test);
}

int main(int argc, char **argv) {
    const char *kernels_text = NULL, *ksize_text = NULL, *epochs_text = NULL, *lr_text = NULL, *data_text = NULL,
               *size_text = NULL;
    const ChapterOption options[] = {
        {"--kernels", "N", "number of kernels in the trained network (default 4)", &kernels_text},
        {"--kernel-size", "K", "each kernel is KxK (default 3)", &ksize_text},
        {"--epochs", "N", "training epochs (default 15)", &epochs_text},
        {"--lr", "X", "SGD learning rate (default 0.01)", &lr_text},
        {"--data", "FILE", "train on a CSV: per line the label 0/1, then the pixels (needs --size)", &data_text},
        {"--size", "HxW", "the image size of --data", &size_text},
    };
    const ChapterSpec spec = {
        .program = "chapter6",
        .title = "Chapter 6: the whole network, checked end to end and trained",
        .options = options,
        .n_options = 6,
        .bugs = BUGS,
        .n_bugs = (int)(sizeof BUGS / sizeof *BUGS),
        .notes = "Example: chapter6 --kernels 2 --epochs 5 --lr 0.1\n"
                 "         chapter6 --data images.csv --size 8x8",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    TrainConfig c = {.data_path = data_text, .h = SYNTHETIC_SIDE, .w = SYNTHETIC_SIDE};
    c.kernels = kernels_text ? option_int("--kernels", kernels_text, 1, MAX_KERNELS) : DEFAULT_KERNELS;
    c.k = ksize_text ? option_int("--kernel-size", ksize_text, 1, TENSOR_MAX_SIDE) : DEFAULT_KERNEL_SIZE;
    c.epochs = epochs_text ? option_int("--epochs", epochs_text, 1, MAX_EPOCHS) : DEFAULT_EPOCHS;
    c.lr = lr_text ? option_number("--lr", lr_text) : DEFAULT_LR;
    if (!(c.lr > 0.0) || c.lr > LR_MAX) usage_error("--lr: '%s' must be above 0 and at most %g", lr_text, LR_MAX);
    if (size_text && !data_text) usage_error("--size: only used with --data (the built-in images are 8x8)");
    if (data_text && !size_text) usage_error("--data: needs --size HxW (the image size)");
    if (data_text && !*data_text) usage_error("--data: empty file name");
    if (size_text) option_size("--size", size_text, &c.h, &c.w);
    c.defaults = !data_text && c.kernels == DEFAULT_KERNELS && c.k == DEFAULT_KERNEL_SIZE &&
                 c.epochs == DEFAULT_EPOCHS && c.lr == DEFAULT_LR && opt.seed == DEFAULT_SEED;
    NetShape check;
    if (!net_shape_init(&check, c.h, c.w, c.kernels, c.k))
        usage_error("--kernel-size: a %dx%d kernel leaves no room for the 2x2 pool on %dx%d images (at most %dx%d)",
                    c.k, c.k, c.h, c.w, (c.h < c.w ? c.h : c.w) - 1, (c.h < c.w ? c.h : c.w) - 1);
    if ((long)check.n_input + check.n_params > NET_MAX_CHECKED)
        usage_error("%s: %dx%d images with %d kernels of %dx%d make %ld checked entries, above this workbook's "
                    "%d (it keeps its memory small)",
                    size_text ? "--size" : "--kernels", c.h, c.w, c.kernels, c.k, c.k,
                    (long)check.n_input + check.n_params, NET_MAX_CHECKED);

    Report r;
    report_init(&r, &opt, spec.title);
    end_to_end(&r, &opt);
    training(&r, &opt, &c);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}
