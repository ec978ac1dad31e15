// Chapter 9 (a skeleton): the ReLU layer Y = max(0, X).
//
// The smallest complete chapter, for docs/adding-a-chapter.md: copy it to
// chapters/chapter9_relu.c (9: the next free number) and the Makefile builds
// build/chapter9 (tests/check_skeleton.c compiles and runs this very file).
// It shows the shape every chapter has: main parses, validates, computes the
// shared state and calls one function per section; each section prints
// heading, equation, numbers and its check; the classic mistake is a small
// function beside the right one, chosen from opt.bug_id where the layer runs.
#include <math.h>
#include <stdbool.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "options.h"
#include "report.h"
#include "report_block.h"
#include "tensor.h"

// The chapter's bugs, in the order of BUGS[]: 0 is the right code.
typedef enum { RIGHT, BUG_NO_MASK } Bug;

static const BugInfo BUGS[] = {
    {"no-mask", "dX = G everywhere: the gradient passed through where X < 0 too"},
};

// ReLU forward: y = max(0, x), entry by entry. y and x hold n entries.
static void relu_forward(double *y, const double *x, int n) {
    for (int k = 0; k < n; k++) y[k] = x[k] > 0.0 ? x[k] : 0.0;
}

// ReLU backward: dx += g where x > 0 (the mask), nothing elsewhere.
static void relu_backward(double *dx, const double *g, const double *x, int n) {
    for (int k = 0; k < n; k++) dx[k] += x[k] > 0.0 ? g[k] : 0.0;
}

// Bug "no-mask": the gradient passes everywhere, as if ReLU were the identity.
static void relu_backward_no_mask(double *dx, const double *g, const double *x, int n) {
    (void)x;
    for (int k = 0; k < n; k++) dx[k] += g[k];
}

static void relu_backward_with(Bug bug, double *dx, const double *g, const double *x, int n) {
    switch (bug) {
    case RIGHT: relu_backward(dx, g, x, n); break;
    case BUG_NO_MASK: relu_backward_no_mask(dx, g, x, n); break;
    }
}

// L = Σ G∘Y(X) as the checker sees it; scale: Σ|G·Y|, what L sums.
typedef struct {
    Tensor *x;
    const Tensor *g;
    Tensor *y;
} Problem;

static double loss(void *ctx, double *scale) {
    Problem *p = ctx;
    int n = (int)tensor_size(p->x);
    relu_forward(p->y->data, p->x->data, n);
    double sum = 0.0, mag = 0.0;
    for (int k = 0; k < n; k++) {
        sum += p->g->data[k] * p->y->data[k];
        mag += fabs(p->g->data[k] * p->y->data[k]);
    }
    *scale = mag;
    return sum;
}

static void section_9_1_forward(Report *r, const Tensor *x) {
    report_heading(r, "9.1 The forward pass");
    report_equation(r, "Y[i,j] = max(0, X[i,j])", "Y_{ij} = \\max(0, X_{ij})");
    Tensor y = tensor_alloc_like(x);
    relu_forward(y.data, x->data, (int)tensor_size(x));
    report_matrix_quantity(r, "input", "X", x);
    report_matrix_quantity(r, "output", "Y", &y);
    tensor_free(&y);
}

static void section_9_2_gradient(Report *r, Tensor *x, const Tensor *g, Bug bug) {
    report_heading(r, "9.2 The gradient, checked numerically");
    report_equation(r, "∂L/∂X = G where X > 0, else 0", "\\frac{\\partial L}{\\partial X} = G \\odot [X > 0]");
    int n = (int)tensor_size(x);
    Tensor dx = tensor_alloc_like(x), y = tensor_alloc_like(x);
    relu_backward_with(bug, dx.data, g->data, x->data, n);
    report_matrix_quantity(r, "dX", "∂L/∂X", &dx);
    // ReLU has a kink at 0: no derivative there, so those entries are skipped.
    bool skip[16] = {false};
    for (int k = 0; k < n; k++) skip[k] = x->data[k] == 0.0;
    Problem p = {x, g, &y};
    // check_block (src/report/report_block.h): the work budget, a bounded
    // central difference per entry, the verdict line; over the budget a
    // seeded sample plus a random direction. Here it always checks all 16.
    BlockSpec spec = {.param = x->data,
                      .analytic = dx.data,
                      .n = n,
                      .obj = {.whole = loss, .ctx = &p},
                      .shape = LOSS_WITH_KINKS, // max(0, x): a step only shrinks
                      .ops_per_eval = n,        // one pass over the entries
                      .skip = skip,
                      .skip_reason = "at 0, the kink of max(0, x)",
                      .rtol = GRADCHECK_REL_TOL};
    check_block(r, "∂L/∂X", &spec, &dx);
    tensor_free(&dx), tensor_free(&y);
}

int main(int argc, char **argv) {
    const char *input = NULL;
    const ChapterOption options[] = {{"--input", "M", "the input X, at most 16 entries", &input}};
    const ChapterSpec spec = {.program = "chapter9", .title = "Chapter 9: the ReLU layer", .options = options,
                              .n_options = ARRAY_LEN(options), .bugs = BUGS, .n_bugs = ARRAY_LEN(BUGS)};
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    Tensor x = option_matrix("--input", input ? input : "1 -2; 0.5 -0.25");
    if (tensor_size(&x) > 16) usage_error("--input: at most 16 entries (this one has %zu)", tensor_size(&x));
    Tensor g = tensor_alloc_like(&x);
    for (size_t k = 0; k < tensor_size(&g); k++) g.data[k] = (double)(k % 3) - 1.5; // a fixed upstream gradient

    Report r;
    report_init(&r, &opt, spec.title);
    section_9_1_forward(&r, &x);
    section_9_2_gradient(&r, &x, &g, (Bug)opt.bug_id);
    int status = report_finish(&r);
    tensor_free(&x), tensor_free(&g);
    options_free(&opt);
    return status;
}
