// Chapter 4: the max-pooling mask, flatten and reshape.
//
// Follows the article's "Forward Pass in Pooling Layer", "Forward Pass in
// Flattening", "The Reshape Layer" and "Backpropagation Through MaxPooling
// Layer": the pooled values of the running example, the flatten that feeds
// the dense layer and the reshape that undoes it, and the mask δ that routes
// the upstream gradient to each window's maximum. Then what the article
// leaves out: overlapping windows (a cell collects a SUM), ties (which
// maximum gets the gradient) and kinks (where finite differences lie).
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dense.h"
#include "example.h"
#include "arraylen.h"
#include "check_block.h"
#include "cstep.h"
#include "gradcheck.h"
#include "loss.h"
#include "mistakes.h"
#include "options.h"
#include "plotfile.h"
#include "pool.h"
#include "pool_case.h"
#include "pool_show.h"
#include "report.h"
#include "report_block.h"
#include "rng.h"
#include "tensor.h"

// One-sided quotients of 4.6: L is piecewise linear there, so any small step is exact.
#define ONE_SIDED_STEP 1e-6

typedef enum { TIES_FIRST, TIES_ALL, TIES_SPLIT } TieRule;

// Adds the pooling layer's input gradient for upstream g to dx.
// --bug, in the order of BUGS[] (0 = the correct code).
typedef enum { BUG_NONE, BUG_OVERWRITE, BUG_ALL_CELLS, BUG_AVERAGE } Bug;

// Cells that ask for more than this much work in a full check are refused:
// the chapter prints and checks every cell.
#define MAX_CELLS (1 << 20)
// One pass of max pooling (windows × cells per window) above this takes
// about 0.3 s, and the chapter makes a few dozen (the forward, the ties, the
// check's directions): a 1024x1024 map under a 512x512 window at stride 1
// (6.9e10 per pass) would run for half an hour.
#define FORWARD_MAX_OPS 1e8

// ---------------------------------------------------------------- the routing rules

// Every cell equal to the maximum gets the full gradient (Theano's old
// x == max mask): over-counts whenever a window has a tie.
static void route_all(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double top = window_max(x, s, i, j), gk = *tensor_at(g, 0, i, j);
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    int at = window_cell(s, i, j, m, n);
                    if (x->data[at] == top) dx->data[at] += gk;
                }
        }
}

// Bug "overwrite": dx[argmax] = g instead of +=, so when windows overlap the
// last window that picks a cell wins and the others' gradients are lost.
static void route_overwrite(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    int *argmax = malloc(tensor_size(g) * sizeof *argmax);
    Tensor pooled = tensor_alloc_like(g);
    if (!argmax) usage_error("--input: out of memory");
    maxpool_forward(pooled.data, argmax, x->data, s);
    for (size_t k = 0; k < tensor_size(g); k++) dx->data[argmax[k]] = g->data[k];
    tensor_free(&pooled);
    free(argmax);
}

// Bug "average": average pooling's backward pass (right for average
// pooling, see 4.8) used for max pooling: G/(KH·KW) to every cell.
static void route_average(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    (void)x;
    avgpool_backward(dx->data, g->data, s);
}

static const BugInfo BUGS[] = {
    {"overwrite", "dX[argmax] = G, not +=: a cell two windows pick keeps one gradient"},
    {"all-cells", "the gradient sent to every cell of the window, not just its maximum"},
    {"average", "the gradient divided among the window's cells as in average pooling"},
};

// The tie rule chosen with --ties (no bug).
static void route_rule(TieRule ties, Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    switch (ties) {
    case TIES_FIRST: route_first(dx, x, g, s); return;
    case TIES_ALL: route_all(dx, x, g, s); return;
    case TIES_SPLIT: route_split(dx, x, g, s); return;
    }
}

// How this run routes: the --ties rule, or the --bug where the layer runs.
typedef struct {
    Bug bug;
    TieRule ties;
} Routing;

static void route_with(const Routing *rt, Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    switch (rt->bug) {
    case BUG_OVERWRITE: route_overwrite(dx, x, g, s); return;
    case BUG_ALL_CELLS: maxpool_backward_all_cells(dx->data, g->data, s); return; // chapters/mistakes.h
    case BUG_AVERAGE: route_average(dx, x, g, s); return;
    case BUG_NONE: route_rule(rt->ties, dx, x, g, s); return;
    }
}

// ---------------------------------------------------------------- checking

static Tensor pool_of(const Tensor *x, const PoolShape *s);

// Compares dx (the analytic backward pass for upstream g) cell by cell with
// local central differences of L(X) = Σ G∘maxpool(X) (check_block). Cells
// at an exact tie are skipped (no derivative exists); near-ties are
// compared, the checker shrinking its step below the gap. Beyond the work
// budget a seeded sample of cells is compared. Max pooling has kinks: a
// difference straddling a near-tie (1 ulp apart) looks smooth and wrong, so
// every cell not at a tie is decided by the complex step (the second
// method), which compares real parts and so keeps each window's winner.
// When something was skipped
// or sampled, two directions check every cell at once: X + t·1 raises
// every window's maximum by t (dL/dt = Σ G), and X·(1 + t) scales it
// (dL/dt = Σ G∘Y); L stays differentiable along both even at a tie, and
// any valid routing gives Σ ∂L/∂X and Σ ∂L/∂X∘X for them.
static bool check_routing(Report *r, const char *name, Tensor *x, const Tensor *g, const PoolShape *s,
                          const Tensor *dx, const CommonOptions *opt) {
    int n = (int)tensor_size(x);
    bool *tie = malloc((size_t)n * sizeof *tie);
    Tensor ones = tensor_alloc_like(x), xdir = tensor_clone(x);
    if (!tie) usage_error("--input: out of memory for the check of %d cells", n);
    for (int k = 0; k < n; k++) ones.data[k] = 1.0;
    int ties = pool_find_ties(tie, x, s);
    Tensor base = pool_of(x, s);
    PoolLoss p = {x, g, s, &base};
    PoolComplex pc;
    if (!pool_complex_init(&pc, &p)) usage_error("--input: out of memory for the check of %d cells", n);
    ComplexRescue rescue = {{pool_complex_at, &pc}, x->data, true, GRADCHECK_REL_TOL};
    const double *directions[] = {ones.data, xdir.data};
    BlockSpec spec = {.param = x->data,
                      .analytic = dx->data,
                      .n = n,
                      .obj = {pool_loss_whole, pool_loss_local, &p},
                      .shape = LOSS_WITH_KINKS,
                      .ops_per_eval = pool_local_ops(s),
                      .skip = tie,
                      .skip_reason = "not differentiable here (a tie)",
                      .second = complex_step_second,
                      .second_ctx = &rescue,
                      .directions = directions,
                      .n_directions = 2,
                      .directions_always = ties > 0,
                      .rtol = GRADCHECK_REL_TOL,
                      .check_all = opt->check_all,
                      .seed = opt->seed};
    BlockCheck check;
    if (!block_check_run(&check, &spec)) usage_error("--input: out of memory for the check of %d cells", n);
    pool_complex_free(&pc);
    report_block_plan(r, name, &check);
    if (check.by_second)
        report_text(r, "%d of %d cells by the complex step Im L(X + ih·e)/h (2 complex window evaluations each; a "
                       "tie has no derivative and is skipped).", check.by_second, check.count);
    Verdict v = report_block_entries(r, name, &check, dx);
    if (check.n_directions) {
        char label[160];
        snprintf(label, sizeof label, "%s along X + t and X·(1 + t)", name);
        report_text(r, "Along X + t every window's maximum rises by t, and along X·(1 + t) it scales with X: L is "
                       "differentiable in both directions, ties or not. [0] is Σ ∂L/∂X, [1] is Σ ∂L/∂X∘X:");
        v = verdict_worse(v, report_block_directions(r, label, &check));
    }
    block_check_free(&check);
    Tensor *all[] = {&ones, &xdir, &base};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
    free(tie);
    return v == VERDICT_PASS;
}

// "%.10g" without a negative zero, for values that must show all their digits.
static void number(char *buf, size_t len, double v) { snprintf(buf, len, "%.10g", v + 0.0); }

static Tensor pool_of(const Tensor *x, const PoolShape *s) {
    Tensor out = tensor_alloc(1, s->out_h, s->out_w);
    int *argmax = malloc(tensor_size(&out) * sizeof *argmax);
    if (!argmax) usage_error("--input: out of memory");
    maxpool_forward(out.data, argmax, x->data, s);
    free(argmax);
    return out;
}

static PoolShape shape_of(const Tensor *x, int kh, int kw, int stride) {
    PoolShape s;
    if (!pool_shape_init(&s, 1, x->h, x->w, kh, kw, stride))
        usage_error("--window: a %dx%d window does not fit the %dx%d input", kh, kw, x->h, x->w);
    double ops = (double)s.out_h * s.out_w * kh * kw;
    if (ops > FORWARD_MAX_OPS)
        usage_error("--window: a %dx%d window at stride %d over a %dx%d map is %.1e comparisons per pass, above "
                    "this chapter's limit of %.0e; use a smaller window or a larger --stride",
                    kh, kw, stride, x->h, x->w, ops, FORWARD_MAX_OPS);
    return s;
}

// ---------------------------------------------------------------- the named examples

// Overlap: the 9 is the maximum of both 2x2 windows (stride 1), so it must
// receive 3 + 5 = 8.
static const double OVERLAP_X[] = {1, 2, 1, 1, 9, 1};
// The same 9 and upstream, but stride 2 on a 2x4 input: no cell is in two windows.
static const double DISJOINT_X[] = {1, 2, 1, 1, 1, 9, 1, 4};
static const double NAMED_UPSTREAM[] = {3, 5};
// Ties: window (0,0) holds two 4s; window (0,1) has the 4 at X[0,1] alone.
static const double TIE_X[] = {4, 4, 1, 2, 0, 3};
// Kink: the article's feature map in thousandths, with the 35 replaced by a
// value 5e-7 above the 29 next to it, well inside 2h = 2e-6.
static const double KINK_X[] = {0.023, 0.014, 0.025, 0.027, 0.029, 0.0290005};

static void section_4_5_overlap(Report *r, const Routing *rt, const CommonOptions *opt, Tensor *ox, const Tensor *odx) {
    report_heading(r, "4.5 Overlapping windows: a cell collects a sum");
    report_text(r, "With stride < window size (as in the article's own example) windows overlap, and one cell "
                   "can be the maximum of several of them. Its gradient is then the SUM over those windows: "
                   "the backward pass must add (+=), not assign.");
    Tensor g = tensor_from_values(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(ox, 2, 2, 1);
    Tensor pooled = pool_of(ox, &s);
    report_quantity(r, "overlap_input", "X", ox);
    list_windows(r, ox, &s);
    report_quantity(r, "overlap_pooled", "maxpool(X), 2x2, stride 1", &pooled);
    report_quantity(r, "overlap_upstream", "G", &g);
    report_text(r, "The 9 at X[1,1] is the maximum of both windows: ∂L/∂X[1,1] = 3 + 5 = 8.");
    report_quantity(r, "overlap_dX", "∂L/∂X", odx);
    if (rt->bug == BUG_OVERWRITE)
        report_text(r, "--bug overwrite: the second window's = replaced the first window's 3, so X[1,1] holds "
                       "only 5. Watch the check:");
    check_routing(r, "∂L/∂X with overlapping windows", ox, &g, &s, odx, opt);

    report_text(r, "The same 9 and the same upstream [3 5], now with stride 2 on a 2x4 input: the windows no "
                   "longer share a cell, so each cell receives at most one gradient and = and += do the same "
                   "thing.");
    Tensor x2 = tensor_from_values(DISJOINT_X, 2, 4), dx2 = tensor_alloc_like(&x2);
    PoolShape s2 = shape_of(&x2, 2, 2, 2);
    route_with(rt, &dx2, &x2, &g, &s2);
    report_quantity(r, "disjoint_input", "X", &x2);
    list_windows(r, &x2, &s2);
    report_quantity(r, "disjoint_dX", "∂L/∂X (2x2, stride 2)", &dx2);
    check_routing(r, "∂L/∂X with non-overlapping windows", &x2, &g, &s2, &dx2, opt);
    report_text(r, "That is why weak tests miss the overwrite bug: with stride = window size (the usual "
                   "default) it passes%s. Only a test with overlapping windows whose maxima coincide can catch "
                   "it.",
                rt->bug == BUG_OVERWRITE ? ", as it just did" : "");
    Tensor *all[] = {&g, &pooled, &x2, &dx2};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// One-sided difference quotients of L at x[at]: (L(x + h e) − L(x)) / h and
// (L(x) − L(x − h e)) / h.
static void one_sided(PoolLoss *p, int at, double *right, double *left) {
    double h = ONE_SIDED_STEP * fmax(1.0, fabs(p->x->data[at])), saved = p->x->data[at], scale;
    double base = pool_loss_whole(p, &scale);
    p->x->data[at] = saved + h;
    double up = pool_loss_whole(p, &scale);
    p->x->data[at] = saved - h;
    double down = pool_loss_whole(p, &scale);
    p->x->data[at] = saved;
    *right = (up - base) / h;
    *left = (base - down) / h;
}

// Each rule's routing next to the one-sided and central quotients, cell by cell.
static void show_tie_table(Report *r, Tensor *x0, const Tensor *g, const PoolShape *s) {
    Tensor by_rule[3];
    for (int k = 0; k < 3; k++) {
        by_rule[k] = tensor_alloc_like(x0);
        route_rule((TieRule)k, &by_rule[k], x0, g, s);
    }
    PoolLoss p = {x0, g, s, NULL};
    const char *headers[] = {"cell", "x", "first", "all", "split", "right deriv.", "left deriv.", "central"};
    report_table_begin(r, 8, headers);
    for (int k = 0; k < (int)tensor_size(x0); k++) {
        char cell[32], xv[40], f[40], a[40], sp[40], rd[40], ld[40], cd[40];
        double right, left;
        one_sided(&p, k, &right, &left);
        snprintf(cell, sizeof cell, "X[%d,%d]", k / x0->w, k % x0->w);
        number(xv, sizeof xv, x0->data[k]);
        number(f, sizeof f, by_rule[TIES_FIRST].data[k]);
        number(a, sizeof a, by_rule[TIES_ALL].data[k]);
        number(sp, sizeof sp, by_rule[TIES_SPLIT].data[k]);
        // Quotients of a piecewise-linear L are exact up to round-off: 6 digits say it.
        snprintf(rd, sizeof rd, "%.6g", right + 0.0);
        snprintf(ld, sizeof ld, "%.6g", left + 0.0);
        snprintf(cd, sizeof cd, "%.6g", (right + left) / 2 + 0.0);
        const char *row[] = {cell, xv, f, a, sp, rd, ld, cd};
        report_table_row(r, row);
    }
    report_table_end(r);
    for (int k = 0; k < 3; k++) tensor_free(&by_rule[k]);
}

static void section_4_6_ties(Report *r, const Routing *rt, const char *rule_name, const CommonOptions *opt) {
    report_heading(r, "4.6 Ties: which maximum gets the gradient");
    report_text(r, "When a window holds its maximum twice, the mask δ has to choose. This workbook (like "
                   "PyTorch) uses the FIRST maximum in row-major order: the strict > in maxpool_forward keeps "
                   "the earlier cell. --ties first|all|split shows the alternatives other libraries have used. "
                   "This run: --ties %s.",
                rule_name);
    Tensor x = tensor_from_values(TIE_X, 2, 3), g = tensor_from_values(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(&x, 2, 2, 1);
    Tensor pooled = pool_of(&x, &s);
    report_quantity(r, "tie_input", "X", &x);
    list_windows(r, &x, &s);
    report_quantity(r, "tie_upstream", "G", &g);

    report_text(r, "Window (0,0) has 4 at X[0,0] and at X[0,1]; window (0,1) picks X[0,1] alone. What each rule "
                   "sends back, next to what difference quotients of L = Σ G∘maxpool(X) measure at each cell:");
    show_tie_table(r, &x, &g, &s);
    PoolLoss p = {&x, &g, &s, NULL};
    report_text(r, "At a tie L has a kink: raising X[0,0] makes it the sole maximum (right derivative 3), "
                   "lowering it hands the maximum to X[0,1] (left derivative 0). The one-sided derivatives "
                   "differ, so there is no gradient, and a central difference reports their average (1.5). "
                   "For a two-way tie that average happens to equal split's share; for a three-way tie it "
                   "would still be half the gradient, not a third.");
    report_text(r, "A valid subgradient at a tie is a convex combination of the tied cells' one-sided "
                   "gradients: weights ≥ 0 that sum to 1 within each window. first (1, 0) and split (0.5, 0.5) "
                   "are valid. all gives (1, 1): it sends the full gradient to every tied cell and over-counts, "
                   "so it is NOT a subgradient when ties exist.");
    report_text(r, "\"Subgradient\" is exact only when G_k ≥ 0: then G_k·max is convex in the tied cells. When "
                   "G_k < 0 it is concave, has no subgradient at the tie, and the right notion is Clarke's "
                   "generalized gradient, the convex hull of the gradients on either side of the kink: the "
                   "same set of convex combinations, so first and split remain valid.");
    report_text(r, "--answer tie_dX is compared with this run's rule (--ties %s). split's [1.5 6.5 0; 0 0 0] "
                   "is just as valid: check it with --ties split. One rule per run, because the JSON records "
                   "one routing.",
                rule_name);
    report_text(r, "A check that stays valid at the tie: raise the two tied cells together by t. Window (0,0) "
                   "then rises by t and window (0,1) too, so dL/dt = 3 + 5 = 8 exactly, a smooth direction. "
                   "The routed gradient must give the same: ∂L/∂X[0,0] + ∂L/∂X[0,1].");
    Tensor dx = tensor_alloc_like(&x), dir = tensor_alloc_like(&x), saved = tensor_alloc_like(&x);
    Tensor a = tensor_alloc(1, 1, 1);
    route_with(rt, &dx, &x, &g, &s);
    report_quantity(r, "tie_dX", "∂L/∂X (this run's rule)", &dx);
    dir.data[0] = dir.data[1] = 1.0;
    a.data[0] = dx.data[0] + dx.data[1];
    ParamBlock both = {x.data, dx.data, (int)tensor_size(&x)};
    Objective obj = {pool_loss_whole, NULL, &p};
    NumericalDerivative num = directional_derivative_along(&both, 1, dir.data, &obj, saved.data);
    report_gradient_check(r, "dL/dt, both tied cells raised together", &a, &num, NULL,
                          compare_bounded(a.data, &num, NULL, NULL, 1, GRADCHECK_REL_TOL));
    if (rt->bug == BUG_NONE && rt->ties == TIES_ALL)
        report_text(r, "--ties all: X[0,0] and X[0,1] both received window (0,0)'s 3, so the shift predicts "
                       "3 + 3 + 5 = 11 where L really changes at rate 8.");
    report_text(r, "Cell by cell, the tied cells are skipped (no gradient exists there to compare with); the "
                   "other cells are checked as usual:");
    check_routing(r, "∂L/∂X at a tie", &x, &g, &s, &dx, opt);
    Tensor *all[] = {&x, &g, &pooled, &dx, &dir, &saved, &a};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// The quotient (L(x + h) − L(x − h))/(2h) of cell `at` with step h.
static double quotient(PoolLoss *p, int at, double h) {
    double saved = p->x->data[at], scale;
    p->x->data[at] = saved + h;
    double up = pool_loss_whole(p, &scale);
    p->x->data[at] = saved - h;
    double down = pool_loss_whole(p, &scale);
    p->x->data[at] = saved;
    return (up - down) / (2 * h);
}

static void section_4_7_near_ties(Report *r, const Routing *rt, const CommonOptions *opt) {
    report_heading(r, "4.7 Near-ties: differentiable, but only with a small step");
    report_text(r, "A near-tie is not a kink. The article's feature map in thousandths, with its 35 replaced by "
                   "a value 5e-7 above the 29: every window has a unique maximum, so L is differentiable at "
                   "every cell. But a central difference that steps wider than the gap hands the maximum to the "
                   "other cell, and its quotient mixes two slopes.");
    Tensor x = tensor_from_values(KINK_X, 2, 3), g = tensor_from_values(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(&x, 2, 2, 1);
    report_quantity(r, "kink_input", "X", &x);
    list_windows(r, &x, &s);
    report_quantity(r, "kink_upstream", "G", &g);
    Tensor dx = tensor_alloc_like(&x);
    route_with(rt, &dx, &x, &g, &s);
    PoolLoss p = {&x, &g, &s, NULL};
    char a[40], wide[40], narrow[40];
    number(a, sizeof a, dx.data[5]);
    snprintf(wide, sizeof wide, "%.6g", quotient(&p, 5, 1e-6));
    snprintf(narrow, sizeof narrow, "%.6g", quotient(&p, 5, 1e-7));
    report_text(r, "For X[1,2] (analytic %s), the quotient with h = 1e-6 is %s: lowering X[1,2] by h makes the "
                   "0.029 next to it the maximum. With h = 1e-7, below the gap, it is %s. The checker sees the "
                   "two step sizes disagree and shrinks its step until they do not, so near-ties are compared "
                   "like any other cell, and only exact ties are skipped.",
                a, wide, narrow);
    check_routing(r, "∂L/∂X next to a near-tie", &x, &g, &s, &dx, opt);
    Tensor *all[] = {&x, &g, &dx};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

static void section_4_8_average(Report *r, const CommonOptions *opt) {
    report_heading(r, "4.8 Average pooling: the other backward pass");
    report_text(r, "Average pooling outputs each window's mean, so every cell moves it by 1/(KH·KW) of its own "
                   "change: its backward pass spreads G_k evenly over the window (with overlap, a cell adds the "
                   "shares of every window it is in). No ties, no kinks: L is smooth. On the overlap example "
                   "of 4.5:");
    report_equation(r, "∂L/∂X[p,q] = Σ_{windows k ∋ (p,q)} G_k / (KH·KW)",
                    "\\frac{\\partial L}{\\partial X_{pq}} = \\sum_{k \\ni (p,q)} \\frac{G_k}{K_H K_W}");
    Tensor x = tensor_from_values(OVERLAP_X, 2, 3), g = tensor_from_values(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(&x, 2, 2, 1);
    Tensor dx = tensor_alloc_like(&x);
    avgpool_backward(dx.data, g.data, &s);
    report_quantity(r, "average_dX", "∂L/∂X, average pooling", &dx);
    PoolLoss p = {&x, &g, &s, NULL};
    BlockSpec spec = {.param = x.data,
                      .analytic = dx.data,
                      .n = (int)tensor_size(&x),
                      .obj = {avgpool_loss, NULL, &p},
                      .shape = LOSS_WITH_KINKS, // as the max-pooling checks: steps only shrink
                      .ops_per_eval = (double)s.out_h * s.out_w * s.kh * s.kw,
                      .carry_steps = true,
                      .rtol = GRADCHECK_REL_TOL,
                      .check_all = true}; // the 2x3 overlap example
    check_block(r, "∂L/∂X of average pooling", &spec, &dx);
    report_text(r, "--bug average uses exactly this rule for max pooling%s.",
                opt->bug_id == BUG_AVERAGE ? ", as this run does: right for one layer, wrong for the other" : "");
    Tensor *all[] = {&x, &g, &dx};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- 4.1 to 4.4: this run's layer

// The layer of 4.1–4.4 and everything computed from it; owns its tensors.
typedef struct {
    Tensor x, pooled, g, mask, dx, dflat;
    PoolShape s;
    double z, dz;
    bool from_dense, upstream_given, article;
} Layer;

static void layer_free(Layer *l) {
    Tensor *all[] = {&l->x, &l->pooled, &l->g, &l->mask, &l->dx, &l->dflat};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

static void section_4_1_forward(Report *r, const Layer *l) {
    const PoolShape *s = &l->s;
    report_heading(r, "4.1 Max pooling: the forward pass");
    report_text(r, "A %dx%d window slides over X with stride %d; each output is the largest value under it:", s->kh,
                s->kw, s->stride);
    report_equation(r, "Y[i,j] = max_{m<KH, n<KW} X[i·s + m, j·s + n]",
                    "Y_{ij} = \\max_{m<K_H,\\; n<K_W} X_{i s + m,\\; j s + n}");
    report_matrix_quantity(r, "input", "X", &l->x);
    char window_json[64];
    snprintf(window_json, sizeof window_json, "[%d, %d]", s->kh, s->kw);
    report_json_raw(r, "window", window_json);
    report_scalar(r, "stride", "stride s", s->stride);
    list_windows(r, &l->x, s);
    report_quantity(r, "pooled", "Y = maxpool(X)", &l->pooled);
    int used_h = (s->out_h - 1) * s->stride + s->kh, used_w = (s->out_w - 1) * s->stride + s->kw;
    if (used_h < s->h || used_w < s->w)
        report_text(r, "The windows cover only the first %d row(s) and %d column(s) of X: the rest is in no "
                       "window, never reaches Y, and gets gradient 0.",
                    used_h, used_w);
    if (!l->article) return;
    PoolShape s2 = shape_of(&l->x, 2, 2, 2);
    Tensor p2 = pool_of(&l->x, &s2);
    report_erratum(r, "the article says \"max-pooling of shape 2x2\" and gets [29 35], which needs stride 1: "
                      "its two windows overlap (they share 14 and 29). It never says so. The usual default "
                      "(PyTorch's MaxPool2d, Keras's MaxPooling2D) is stride = window size, which on this 2x3 map "
                      "fits one window only and gives [%g]. Overlap matters in the backward pass: see 4.5.",
                   p2.data[0]);
    tensor_free(&p2);
}

static void section_4_2_flatten(Report *r, const Layer *l) {
    report_heading(r, "4.2 Flatten, and the reshape that undoes it");
    report_text(r, "The dense layer takes a vector, so the pooled matrix is flattened row by row: entry (i,j) "
                   "of an H×W matrix goes to position i·W + j. The article's 3x3 example:");
    const double article_m[] = {1, 3, 5, -4, 0, -3, 5, 7, -9};
    Tensor m3 = tensor_from_values(article_m, 3, 3), f3 = flatten(&m3), back = reshape(&f3, 3, 3);
    report_quantity(r, "flatten_example_input", "M", &m3);
    report_quantity(r, "flatten_example", "F = flatten(M)", &f3);
    report_text(r, "In the backward pass the reshape layer runs the other way: position k of the gradient "
                   "vector goes back to (⌊k/W⌋, k mod W). Applied to F it gives M back:");
    report_matrix(r, "reshape(F, 3x3)", &back);
    int differ = 0;
    for (int k = 0; k < 9; k++) differ += back.data[k] != m3.data[k];
    report_identity(r, "reshape(flatten(M)) = M", 9, 0.0, differ ? 1.0 : 0.0, 0.0, "entry for entry, bit for bit");
    report_text(r, "With C channels the order is a convention: PyTorch's flatten of a (C,H,W) tensor is "
                   "channel-major, (c,i,j) → c·H·W + i·W + j; Keras keeps channels last, (i,j,c) → (i·W + j)·C + "
                   "c. Chapter 6 flattens channel-major, as PyTorch does. Weights trained with one order are "
                   "scrambled when loaded with the other.");
    report_text(r, "Flatten only moves numbers, so its backward pass only moves them back: ∂L/∂M = "
                   "reshape(∂L/∂F). The pooled output of 4.1, flattened for the dense layer:");
    if (tensor_size(&l->pooled) <= TENSOR_MAX_SIDE) {
        Tensor flat = flatten(&l->pooled);
        report_quantity(r, "flattened", "F = flatten(Y)", &flat);
        tensor_free(&flat);
    } else {
        report_text(r, "(F = Y read row by row: %d entries, longer than one vector here, %d; not shown.)",
                    (int)tensor_size(&l->pooled), TENSOR_MAX_SIDE);
    }
    Tensor *all[] = {&m3, &f3, &back};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

static void section_4_3_upstream(Report *r, const Layer *l, const CommonOptions *opt) {
    report_heading(r, "4.3 The gradient arriving from the dense layer");
    if (l->from_dense) {
        report_text(r, "F feeds chapter 3's dense layer: z = W·F + b with W = [0.05 -0.03], b = 0.1, the label "
                       "y = 1 and the loss BCE(σ(z), y) (the running example when F = [29 35]). Its backward "
                       "pass, computed here with the library's bce_grad_logits and dense_backward:");
        report_scalar(r, "z", "z = W·F + b", l->z);
        report_scalar(r, "dL_dz", "∂L/∂z = σ(z) − y", l->dz);
        report_quantity(r, "dL_dF", "∂L/∂F = Wᵀ·∂L/∂z", &l->dflat);
        report_text(r, "The reshape layer turns this vector back into the pooled shape %dx%d: that is the "
                       "upstream gradient G = ∂L/∂Y of the pooling layer.",
                    l->s.out_h, l->s.out_w);
    } else if (l->upstream_given) {
        report_text(r, "The upstream gradient G = ∂L/∂Y given with --upstream, in the pooled shape %dx%d:",
                    l->s.out_h, l->s.out_w);
    } else {
        report_text(r, "Chapter 3's dense layer takes 2 inputs and this pooled output has %d, so G is seeded "
                       "small nonzero integers (--seed %llu), in the pooled shape %dx%d:",
                    (int)tensor_size(&l->pooled), (unsigned long long)opt->seed, l->s.out_h, l->s.out_w);
    }
    report_quantity(r, "upstream", "G = ∂L/∂Y", &l->g);
}

static void section_4_4_mask(Report *r, Layer *l, const Routing *rt, const char *rule_name,
                             const CommonOptions *opt) {
    report_heading(r, "4.4 The backward pass: the mask δ");
    report_text(r, "Max pooling has no weights; its backward pass only routes. Window k's gradient G_k goes to "
                   "the cell that won the forward pass (δ_k = 1 there, 0 elsewhere), and a cell adds up what "
                   "every window sends it:");
    report_equation(r, "∂L/∂X[p,q] = Σ_k G_k · δ_k[p,q],   δ_k[p,q] = 1 at k's maximum, else 0",
                    "\\frac{\\partial L}{\\partial X_{pq}} = \\sum_k G_k\\, \\delta^{(k)}_{pq}, \\qquad "
                    "\\delta^{(k)}_{pq} = \\begin{cases} 1 & (p,q) = \\arg\\max \\text{ of window } k \\\\ 0 & "
                    "\\text{otherwise} \\end{cases}");
    report_erratum(r, "the article writes ∂L/∂x_ij = ∂L/∂ŷ_ij · δ_ij, indexing the upstream gradient by the "
                      "INPUT position (i,j). But ∂L/∂ŷ has the pooled shape (%dx%d here) and X is %dx%d, and "
                      "with overlapping windows one cell can win several windows: the formula needs the sum "
                      "over windows above. In the overlap example of 4.5 it would give the 9 one gradient (3 "
                      "or 5) instead of 8.",
                   l->s.out_h, l->s.out_w, l->x.h, l->x.w);
    report_text(r, "The mask summed over windows: how many windows pick each cell (--ties %s%s).", rule_name,
                rt->ties == TIES_SPLIT ? "; a maximum shared by n cells counts 1/n for each" : "");
    report_matrix_quantity(r, "mask", "Σ_k δ_k", &l->mask);
    if (rt->bug == BUG_ALL_CELLS) report_text(r, "--bug all-cells: the mask is ignored and every cell of a window "
                                                 "gets G_k:");
    if (rt->bug == BUG_AVERAGE)
        report_text(r, "--bug average: every cell of a window gets G_k/(KH·KW) = G_k/%d, average pooling's rule:",
                    l->s.kh * l->s.kw);
    report_matrix_quantity(r, "dX", "∂L/∂X", &l->dx);
    check_routing(r, "∂L/∂X of max pooling", &l->x, &l->g, &l->s, &l->dx, opt);
}

// ---------------------------------------------------------------- input

// G from --upstream (pooled shape or flat), from chapter 3's dense layer
// (when Y has 2 entries), or seeded small nonzero integers.
static void read_upstream(Layer *l, const char *text, uint64_t seed) {
    const PoolShape *s = &l->s;
    l->dflat = tensor_alloc(1, 1, 2);
    if (text) {
        Tensor given = option_matrix("--upstream", text);
        if (!(given.h == s->out_h && given.w == s->out_w) && !(given.h == 1 && given.w == s->out_h * s->out_w)) {
            char alt[64] = "";
            if (s->out_h > 1) snprintf(alt, sizeof alt, " (or a flat 1x%d vector)", s->out_h * s->out_w);
            usage_error("--upstream: shape %dx%d does not match the pooled output, which is %dx%d%s: a %dx%d "
                        "input with a %dx%d window and stride %d",
                        given.h, given.w, s->out_h, s->out_w, alt, s->h, s->w, s->kh, s->kw, s->stride);
        }
        l->g = reshape(&given, s->out_h, s->out_w);
        tensor_free(&given);
    } else if (l->from_dense) {
        // Chapter 3's dense layer on F = the 2 pooled values, then back: dL/dF = Wᵀ (σ(z) − y).
        double dW[2] = {0, 0}, db = 0, b = EXAMPLE_B;
        dense_forward(&l->z, l->pooled.data, EXAMPLE_W, &b, 1, 2);
        bce_grad_logits(&l->dz, &EXAMPLE_Y, &l->z, 1);
        dense_backward(l->dflat.data, dW, &db, &l->dz, l->pooled.data, EXAMPLE_W, 1, 2);
        require_finite(&l->dflat, "--input");
        l->g = reshape(&l->dflat, s->out_h, s->out_w);
    } else {
        l->g = tensor_alloc(1, s->out_h, s->out_w);
        Rng rng = rng_make(seed);
        for (size_t k = 0; k < tensor_size(&l->g); k++) {
            int v = rng_below(&rng, 6) - 3;
            l->g.data[k] = v >= 0 ? v + 1 : v;
        }
    }
}

static void read_layer(Layer *l, const char *input, const char *window, const char *stride_text,
                       const char *upstream, const Routing *rt, uint64_t seed) {
    *l = (Layer){.x = input ? option_matrix("--input", input) : tensor_from_values(EXAMPLE_FEATURE_MAP, 2, 3)};
    if (tensor_size(&l->x) > MAX_CELLS)
        usage_error("--input: %dx%d is %zu cells; chapter 4 prints and checks every cell, up to %d (1024x1024)",
                    l->x.h, l->x.w, tensor_size(&l->x), MAX_CELLS);
    int kh = EXAMPLE_POOL_SIZE, kw = EXAMPLE_POOL_SIZE;
    if (window) option_size("--window", window, &kh, &kw);
    // One stride serves both axes: the larger side keeps a KHxKW window from overlapping.
    int stride = stride_text ? option_int("--stride", stride_text, 1, TENSOR_MAX_SIDE)
                 : input     ? (kh > kw ? kh : kw)
                             : EXAMPLE_POOL_STRIDE;
    l->s = shape_of(&l->x, kh, kw, stride);
    l->article = !input && !window && !stride_text;
    l->pooled = pool_of(&l->x, &l->s);
    l->from_dense = !upstream && tensor_size(&l->pooled) == 2;
    l->upstream_given = upstream != NULL;
    read_upstream(l, upstream, seed);
    Tensor ones = tensor_alloc_like(&l->g);
    for (size_t k = 0; k < tensor_size(&ones); k++) ones.data[k] = 1.0;
    l->mask = tensor_alloc_like(&l->x);
    l->dx = tensor_alloc_like(&l->x);
    route_rule(rt->ties, &l->mask, &l->x, &ones, &l->s);
    route_with(rt, &l->dx, &l->x, &l->g, &l->s);
    require_finite(&l->dx, "--input/--upstream");
    tensor_free(&ones);
}

int main(int argc, char **argv) {
    const char *input = NULL, *window = NULL, *stride = NULL, *upstream = NULL, *ties = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the feature map X (default: [23 14 25; 27 29 35])", &input},
        {"--window", "K", "window size K or KHxKW (default: 2)", &window},
        {"--stride", "S", "stride (default: 1 on the article's map, else K)", &stride},
        {"--upstream", "G", "dL/dY, pooled shape or flat (default: see below)",
         &upstream},
        {"--ties", "RULE", "first (default, as PyTorch), all or split", &ties},
    };
    const ChapterSpec spec = {
        .program = "chapter4",
        .title = "Chapter 4: the max-pooling mask, flatten and reshape",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = BUGS,
        .n_bugs = ARRAY_LEN(BUGS),
        .notes = "--stride defaults to the window size when --input is given without --stride\n"
                 "(the usual non-overlapping pooling), and to 1 on the article's example, whose\n"
                 "windows overlap. --ties: who gets a tied window's gradient.\n"
                 "Default --upstream: when the pooled output has 2 entries, the gradient chapter\n"
                 "3's dense layer sends back (W = [0.05 -0.03], b = 0.1, y = 1); otherwise\n"
                 "seeded nonzero integers.\n"
                 "Example: chapter4 --input \"1 2 1; 1 9 1\" --window 2 --stride 1 --upstream \"3 5\"",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    const char *rule_names[] = {"first", "all", "split"};
    Routing rt = {(Bug)opt.bug_id, ties ? (TieRule)option_choice("--ties", ties, "first|all|split") : TIES_FIRST};
    Layer l;
    read_layer(&l, input, window, stride, upstream, &rt, opt.seed);
    // The overlap example of 4.5 is computed here, so --plot can draw it.
    Tensor ox = tensor_from_values(OVERLAP_X, 2, 3), odx = tensor_alloc_like(&ox), omask = tensor_alloc_like(&ox);
    Tensor og = tensor_from_values(NAMED_UPSTREAM, 1, 2), oones = tensor_from_values((const double[]){1, 1}, 1, 2);
    PoolShape os = shape_of(&ox, 2, 2, 1);
    route_rule(rt.ties, &omask, &ox, &oones, &os);
    route_with(&rt, &odx, &ox, &og, &os);
    if (opt.plot_dir) {
        write_plot_data(opt.plot_dir, &l.x, &l.mask, &l.dx, &ox, &omask, &odx);
        write_plot_windows(opt.plot_dir, "chapter4_main_windows.dat", &l.s, &l.g);
        write_plot_windows(opt.plot_dir, "chapter4_overlap_windows.dat", &os, &og);
    }

    Report r;
    report_init(&r, &opt, spec.title);
    report_json_string(&r, "ties", rule_names[rt.ties]);
    section_4_1_forward(&r, &l);
    section_4_2_flatten(&r, &l);
    section_4_3_upstream(&r, &l, &opt);
    section_4_4_mask(&r, &l, &rt, rule_names[rt.ties], &opt);
    section_4_5_overlap(&r, &rt, &opt, &ox, &odx);
    section_4_6_ties(&r, &rt, rule_names[rt.ties], &opt);
    section_4_7_near_ties(&r, &rt, &opt);
    section_4_8_average(&r, &opt);
    int status = report_finish(&r);
    Tensor *all[] = {&ox, &odx, &omask, &og, &oones};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
    layer_free(&l);
    options_free(&opt);
    return status;
}
