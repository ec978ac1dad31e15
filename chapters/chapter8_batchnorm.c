// Chapter 8: batch normalisation and dropout (beyond the article).
//
// BatchNorm's backward is the derivation students get wrong most often: the
// batch mean and variance depend on every sample, so every output depends on
// every input. 8.1 runs the forward pass in training mode, 8.2 the backward
// node by node through the computational graph, 8.3 the compact closed form,
// checked against the graph and against finite differences, with ∂L/∂γ and
// ∂L/∂β; 8.4 the running averages used at test time; 8.5 inverted dropout
// with a seeded mask, and why a check must hold the mask fixed.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "batchnorm.h"
#include "dropout.h"
#include "gradcheck.h"
#include "options.h"
#include "report.h"
#include "report_block.h"
#include "tensor.h"

enum { N = 4, D = 2, DROP_N = 8 };
// ε inside √(σ² + ε), PyTorch's default.
#define EPS 1e-5
// PyTorch's default momentum for the running averages.
#define MOMENTUM 0.1
#define DEFAULT_DROP 0.5
// The bounded checks pass within 1e-6 relative plus the bound.
#define CHECK_RTOL 1e-6
// The graph and the closed form sum the same terms in another order.
#define SAME_GRADIENT_REL_TOL 1e-12

typedef enum { RIGHT, BUG_MEAN_TERMS_DROPPED, BUG_DGAMMA_WITHOUT_XHAT, BUG_DROPOUT_NO_SCALE, BUG_MASK_REDRAWN,
              BUG_DROPOUT_NO_MASK } Bug;

static const BugInfo BUGS[] = {
    {"bn-mean-terms-dropped", "dx = γ/σ·dy: μ and σ treated as constants, the batch-mean terms dropped"},
    {"bn-dgamma-without-xhat", "∂L/∂γ = Σ dy, the factor x̂ left out (as for β)"},
    {"dropout-no-scale", "dropout backward through the 0/1 mask, the 1/(1 − q) scale left out"},
    {"dropout-mask-redrawn", "the check's loss draws a new dropout mask at every evaluation"},
    {"dropout-no-mask", "dropout backward passes dy everywhere, as if no entry had been dropped"},
};

// The example batch: 4 samples of 2 features, γ, β and an upstream gradient.
static const double X[N * D] = {1, -1, 2, 0.5, 3, 2, 6, -0.5};
static const double GAMMA[D] = {2, 0.5}, BETA[D] = {1, -1};
static const double DY[N * D] = {1, 0.5, 0, -1, 0.5, 2, -1, 0.25};

typedef struct {
    double x[N * D], gamma[D], beta[D], y[N * D], xhat[N * D], mean[D], var[D];
} Bn;

static void bn_forward(Bn *b) { batchnorm_forward_train(b->y, b->xhat, b->mean, b->var, b->x, b->gamma, b->beta, N, D, EPS); }

// ---------------------------------------------------------------- the mistakes, beside the right code

// Bug bn-mean-terms-dropped: dx = γ/σ·dy, right only if μ and σ² did not depend on x.
static void bn_dx_without_mean_terms(double *dx, const double *dy, const double *var, const double *gamma) {
    for (int k = 0; k < N * D; k++) dx[k] += gamma[k % D] / sqrt(var[k % D] + EPS) * dy[k];
}

static void bn_backward_with(Bug bug, double *dx, double *dgamma, double *dbeta, const Bn *b, const double *dy) {
    double dx_right[N * D] = {0}, dg_right[D] = {0};
    batchnorm_backward(dx_right, dg_right, dbeta, dy, b->xhat, b->var, b->gamma, N, D, EPS);
    if (bug == BUG_MEAN_TERMS_DROPPED)
        bn_dx_without_mean_terms(dx, dy, b->var, b->gamma);
    else
        for (int k = 0; k < N * D; k++) dx[k] += dx_right[k];
    for (int f = 0; f < D; f++) {
        double sum_dy = 0.0;
        for (int s = 0; s < N; s++) sum_dy += dy[s * D + f];
        dgamma[f] += bug == BUG_DGAMMA_WITHOUT_XHAT ? sum_dy : dg_right[f];
    }
}

// ---------------------------------------------------------------- 8.1 forward

static void show(Report *r, const char *key, const char *label, const double *v, int rows, int cols) {
    Tensor t = tensor_view((double *)v, 1, rows, cols);
    report_matrix_quantity(r, key, label, &t);
}

static void section_8_1_forward(Report *r, Bn *b) {
    report_heading(r, "8.1 BatchNorm forward, training mode");
    report_equation(r,
                    "μ = (1/N) Σ_b x_b   σ² = (1/N) Σ_b (x_b − μ)²   x̂ = (x − μ)/√(σ² + ε)   y = γ x̂ + β",
                    "\\mu = \\tfrac{1}{N}\\sum_b x_b, \\ \\sigma^2 = \\tfrac{1}{N}\\sum_b (x_b-\\mu)^2, \\ "
                    "\\hat x = \\frac{x-\\mu}{\\sqrt{\\sigma^2+\\epsilon}}, \\ y = \\gamma\\hat x + \\beta");
    report_text(r, "A batch of N = %d samples (rows) of D = %d features (columns), each feature normalised over "
                   "the batch with ε = %g; the variance is the biased one (divided by N).", N, D, EPS);
    bn_forward(b);
    show(r, "bn_x", "x", b->x, N, D);
    show(r, "bn_mean", "μ", b->mean, 1, D);
    show(r, "bn_var", "σ²", b->var, 1, D);
    show(r, "bn_xhat", "x̂", b->xhat, N, D);
    show(r, "bn_y", "y = γ x̂ + β, γ = [2 0.5], β = [1 −1]", b->y, N, D);
}

// ---------------------------------------------------------------- 8.2 the graph, node by node

// dx by the chain rule through μ → c = x − μ → v = mean c² → s = √(v + ε)
// → i = 1/s → x̂ = c·i → y = γx̂ + β, printing each node's gradient.
static void bn_backward_graph(Report *r, double *dx, const Bn *b, const double *dy) {
    double c[N * D], dxhat[N * D], dc[N * D], di[D] = {0}, ds[D], dv[D], dmu[D] = {0};
    for (int k = 0; k < N * D; k++) c[k] = b->x[k] - b->mean[k % D], dxhat[k] = dy[k] * b->gamma[k % D];
    for (int k = 0; k < N * D; k++) di[k % D] += dxhat[k] * c[k];
    for (int f = 0; f < D; f++) {
        double s = sqrt(b->var[f] + EPS);
        ds[f] = -di[f] / (s * s);
        dv[f] = ds[f] * 0.5 / s;
    }
    for (int k = 0; k < N * D; k++) {
        int f = k % D;
        dc[k] = dxhat[k] / sqrt(b->var[f] + EPS) + 2.0 / N * c[k] * dv[f];
        dmu[f] -= dc[k];
    }
    for (int k = 0; k < N * D; k++) dx[k] = dc[k] + dmu[k % D] / N;
    show(r, "graph_dxhat", "∂L/∂x̂ = γ·dy", dxhat, N, D);
    show(r, "graph_di", "∂L/∂i = Σ_b ∂L/∂x̂·c   (i = 1/s)", di, 1, D);
    show(r, "graph_dv", "∂L/∂v = −∂L/∂i / (2s³)   (v = σ², s = √(v + ε))", dv, 1, D);
    show(r, "graph_dc", "∂L/∂c = ∂L/∂x̂·i + (2/N)·c·∂L/∂v", dc, N, D);
    show(r, "graph_dmu", "∂L/∂μ = −Σ_b ∂L/∂c", dmu, 1, D);
    show(r, "graph_dx", "∂L/∂x = ∂L/∂c + ∂L/∂μ / N", dx, N, D);
}

static void section_8_2_graph(Report *r, const Bn *b, double *dx_graph) {
    report_heading(r, "8.2 Backward through the graph, node by node");
    report_text(r, "x reaches the loss three ways: directly through c = x − μ, through μ, and through σ² (which "
                   "reads c); i = 1/s, s = √(σ² + ε). Each node's gradient is the sum over the paths out of it, "
                   "computed right to left "
                   "for dy =");
    show(r, "bn_dy", "dy = ∂L/∂y", DY, N, D);
    bn_backward_graph(r, dx_graph, b, DY);
}

// ---------------------------------------------------------------- 8.3 the closed form, checked

typedef struct {
    Bn *b;
    double *param; // the block the checker perturbs (x, γ or β)
} BnProblem;

// L = Σ dy∘y for the checker; scale Σ|dy·γ x̂| + Σ|dy·β|.
static double bn_loss(void *ctx, double *scale) {
    BnProblem *p = ctx;
    bn_forward(p->b);
    double sum = 0.0, mag = 0.0;
    for (int k = 0; k < N * D; k++) {
        sum += DY[k] * p->b->y[k];
        mag += fabs(DY[k] * p->b->gamma[k % D] * p->b->xhat[k]) + fabs(DY[k] * p->b->beta[k % D]);
    }
    *scale = mag;
    return sum;
}

static void bounded_check(Report *r, const char *name, Bn *b, double *param, const double *grad, int rows,
                          int cols) {
    BnProblem p = {b, param};
    BlockSpec spec = {.param = param,
                      .analytic = grad,
                      .n = rows * cols,
                      .obj = {.whole = bn_loss, .ctx = &p},
                      .shape = LOSS_SMOOTH,
                      .ops_per_eval = (double)N * D,
                      .carry_steps = true,
                      .rtol = CHECK_RTOL};
    BlockCheck check;
    if (!block_check_run(&check, &spec)) usage_error("out of memory checking %s", name);
    bn_forward(b); // the checker restored param; the cached x̂ and σ² follow it
    Tensor t = tensor_view((double *)grad, 1, rows, cols);
    report_block_entries(r, name, &check, &t);
    block_check_free(&check);
}

static void section_8_3_closed_form(Report *r, Bn *b, const double *dx_graph, Bug bug) {
    report_heading(r, "8.3 The closed form, checked against the graph and finite differences");
    report_equation(r, "∂L/∂x = (1/N)·(γ/σ)·(N·dy − Σ_b dy − x̂·Σ_b (dy·x̂)),  σ = √(σ² + ε)",
                    "\\frac{\\partial L}{\\partial x} = \\frac{1}{N}\\frac{\\gamma}{\\sigma}\\left(N\\,dy - "
                    "\\sum_b dy - \\hat x \\sum_b dy\\,\\hat x\\right)");
    report_equation(r, "∂L/∂γ = Σ_b dy·x̂    ∂L/∂β = Σ_b dy",
                    "\\frac{\\partial L}{\\partial\\gamma} = \\sum_b dy\\,\\hat x, \\quad "
                    "\\frac{\\partial L}{\\partial\\beta} = \\sum_b dy");
    report_text(r, "Collecting 8.2's paths: the direct one gives N·dy, the one through μ gives −Σdy, the one "
                   "through σ² gives −x̂·Σ(dy·x̂). Drop the last two (treat μ and σ as constants) and the "
                   "result is γ/σ·dy, which is wrong whenever Σdy ≠ 0 or Σdy·x̂ ≠ 0.");
    double dx[N * D] = {0}, dgamma[D] = {0}, dbeta[D] = {0};
    bn_backward_with(bug, dx, dgamma, dbeta, b, DY);
    show(r, "bn_dx", "∂L/∂x (closed form)", dx, N, D);
    show(r, "bn_dgamma", "∂L/∂γ", dgamma, 1, D);
    show(r, "bn_dbeta", "∂L/∂β", dbeta, 1, D);
    double max_abs = 0.0, max_rel = 0.0;
    for (int k = 0; k < N * D; k++) {
        double d = fabs(dx[k] - dx_graph[k]), ref = fmax(fabs(dx[k]), fabs(dx_graph[k]));
        max_abs = fmax(max_abs, d), max_rel = fmax(max_rel, ref > 0 ? d / ref : 0.0);
    }
    report_identity(r, "closed form = graph (∂L/∂x)", N * D, max_abs, max_rel, SAME_GRADIENT_REL_TOL,
                    "every entry of ∂L/∂x, 8.2's graph against the closed form");
    bounded_check(r, "∂L/∂x (BatchNorm)", b, b->x, dx, N, D);
    bounded_check(r, "∂L/∂γ", b, b->gamma, dgamma, 1, D);
    bounded_check(r, "∂L/∂β", b, b->beta, dbeta, 1, D);
}

// ---------------------------------------------------------------- 8.4 test time

static void section_8_4_running(Report *r, const Bn *b) {
    report_heading(r, "8.4 Running averages at test time");
    report_equation(r, "μ_run ← (1 − m) μ_run + m μ    σ²_run ← (1 − m) σ²_run + m σ²·N/(N − 1)",
                    "\\mu_{run} \\leftarrow (1-m)\\mu_{run} + m\\mu, \\quad \\sigma^2_{run} \\leftarrow "
                    "(1-m)\\sigma^2_{run} + m\\sigma^2\\tfrac{N}{N-1}");
    report_text(r, "A test image comes alone: no batch to take statistics from. Training keeps running "
                   "averages instead (momentum m = %g and the unbiased variance, as PyTorch does), and test "
                   "mode normalises with them: a fixed affine map, so there ∂L/∂x = γ/√(σ²_run + ε)·dy with "
                   "no batch-mean terms. Starting from μ_run = 0, σ²_run = 1, after this one batch:", MOMENTUM);
    double rm[D] = {0, 0}, rv[D] = {1, 1}, y[N * D];
    batchnorm_update_running(rm, rv, b->mean, b->var, N, D, MOMENTUM);
    show(r, "run_mean", "μ_run", rm, 1, D);
    show(r, "run_var", "σ²_run", rv, 1, D);
    batchnorm_forward_eval(y, b->x, b->gamma, b->beta, rm, rv, N, D, EPS);
    show(r, "bn_y_eval", "y in test mode (the same x)", y, N, D);
    report_text(r, "The outputs differ from 8.1's: after one batch the averages are still close to their "
                   "start. They converge to the data's statistics over many batches.");
}

// ---------------------------------------------------------------- 8.5 dropout

typedef struct {
    double *x;
    const double *g, *mask;
    double q;
    uint64_t seed;
    bool redraw;
} DropProblem;

// L = Σ g∘(x·mask); with redraw (the bug), every evaluation draws its own mask.
static double drop_loss(void *ctx, double *scale) {
    DropProblem *p = ctx;
    double y[DROP_N], fresh[DROP_N], sum = 0.0, mag = 0.0;
    const double *mask = p->mask;
    if (p->redraw) dropout_mask(fresh, DROP_N, p->q, ++p->seed), mask = fresh;
    dropout_forward(y, p->x, mask, DROP_N);
    for (int k = 0; k < DROP_N; k++) sum += p->g[k] * y[k], mag += fabs(p->g[k] * y[k]);
    *scale = mag;
    return sum;
}

static void section_8_5_dropout(Report *r, double q, uint64_t seed, Bug bug) {
    report_heading(r, "8.5 Dropout: a seeded mask, and a check that holds it fixed");
    report_equation(r, "m_k = 0 with probability q, else 1/(1 − q);   y = x∘m;   ∂L/∂x = dy∘m",
                    "m_k \\in \\{0, \\tfrac{1}{1-q}\\}, \\quad y = x \\odot m, \\quad "
                    "\\frac{\\partial L}{\\partial x} = dy \\odot m");
    report_text(r, "Inverted dropout scales the kept entries by 1/(1 − q) = %g at training time, so that "
                   "E[y] = x and the test-time layer is the identity. The backward pass goes through the same "
                   "mask and the same scale. The mask is random, so a finite-difference check must draw it once "
                   "(seeded) and keep it for every loss evaluation: with a fresh mask per evaluation, "
                   "L(x + h) − L(x − h) measures two different networks (--bug dropout-mask-redrawn: the bounds "
                   "blow up: most entries look like kinks, and the ones compared fail).", 1.0 / (1.0 - q));
    double x[DROP_N] = {1, -2, 0.5, 3, -1, 2, -0.5, 1.5}, g[DROP_N] = {0.5, 1, -1, 2, 1, -0.5, 0.25, -2};
    double mask[DROP_N], y[DROP_N], dx[DROP_N] = {0};
    dropout_mask(mask, DROP_N, q, seed);
    dropout_forward(y, x, mask, DROP_N);
    if (bug == BUG_DROPOUT_NO_SCALE)
        for (int k = 0; k < DROP_N; k++) dx[k] += mask[k] != 0.0 ? g[k] : 0.0;
    else if (bug == BUG_DROPOUT_NO_MASK)
        for (int k = 0; k < DROP_N; k++) dx[k] += g[k];
    else
        dropout_backward(dx, g, mask, DROP_N);
    show(r, "drop_x", "x", x, 1, DROP_N);
    show(r, "drop_mask", "m (seeded)", mask, 1, DROP_N);
    show(r, "drop_y", "y = x∘m", y, 1, DROP_N);
    show(r, "drop_dx", "∂L/∂x = dy∘m", dx, 1, DROP_N);
    DropProblem p = {x, g, mask, q, seed, bug == BUG_MASK_REDRAWN};
    BlockSpec spec = {.param = x,
                      .analytic = dx,
                      .n = DROP_N,
                      .obj = {.whole = drop_loss, .ctx = &p},
                      .shape = LOSS_SMOOTH,
                      .ops_per_eval = DROP_N,
                      .carry_steps = true,
                      .rtol = CHECK_RTOL};
    Tensor t = tensor_view(dx, 1, 1, DROP_N);
    check_block(r, "∂L/∂x (dropout, mask fixed)", &spec, &t);
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    const char *drop = NULL;
    const ChapterOption options[] = {{"--drop", "Q", "dropout probability, 0 <= Q < 1 (default 0.5)", &drop}};
    const ChapterSpec spec = {.program = "chapter8",
                              .title = "Chapter 8: batch normalisation and dropout",
                              .options = options,
                              .n_options = ARRAY_LEN(options),
                              .bugs = BUGS,
                              .n_bugs = ARRAY_LEN(BUGS),
                              .notes = "Examples: chapter8 --section 8.3 --format markdown\n"
                                       "          chapter8 --drop 0.25 --seed 3 --section 8.5"};
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    double q = drop ? option_number("--drop", drop) : DEFAULT_DROP;
    if (!(q >= 0.0 && q < 1.0)) usage_error("--drop: '%s' must be at least 0 and below 1", drop);
    Bug bug = (Bug)opt.bug_id;
    Bn b;
    memcpy(b.x, X, sizeof X), memcpy(b.gamma, GAMMA, sizeof GAMMA), memcpy(b.beta, BETA, sizeof BETA);
    double dx_graph[N * D];

    Report r;
    report_init(&r, &opt, spec.title);
    section_8_1_forward(&r, &b);
    section_8_2_graph(&r, &b, dx_graph);
    section_8_3_closed_form(&r, &b, dx_graph, bug);
    section_8_4_running(&r, &b);
    section_8_5_dropout(&r, q, opt.seed, bug);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}
