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
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "pool.h"
#include "report.h"
#include "rng.h"
#include "tensor.h"

// Windows listed one per line in 4.1; a large --input lists this many.
#define MAX_LISTED_WINDOWS 12

typedef enum { TIES_FIRST, TIES_ALL, TIES_SPLIT } TieRule;

// Adds the pooling layer's input gradient for upstream g to dx.
typedef void (*RouteFn)(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s);

// Flat index into x of cell (m, n) of output window (i, j), one channel.
static int window_cell(const PoolShape *s, int i, int j, int m, int n) {
    return (i * s->stride + m) * s->w + j * s->stride + n;
}

static double window_max(const Tensor *x, const PoolShape *s, int i, int j) {
    double best = x->data[window_cell(s, i, j, 0, 0)];
    for (int m = 0; m < s->kh; m++)
        for (int n = 0; n < s->kw; n++) best = fmax(best, x->data[window_cell(s, i, j, m, n)]);
    return best;
}

static int window_count_equal(const Tensor *x, const PoolShape *s, int i, int j, double v) {
    int count = 0;
    for (int m = 0; m < s->kh; m++)
        for (int n = 0; n < s->kw; n++) count += x->data[window_cell(s, i, j, m, n)] == v;
    return count;
}

// ---------------------------------------------------------------- the routing rules

// The library's rule: the first maximum in row-major order gets the window's
// whole gradient (PyTorch's choice); maxpool_backward adds with +=.
static void route_first(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    int *argmax = malloc(tensor_size(g) * sizeof *argmax);
    Tensor pooled = tensor_alloc_like(g);
    if (!argmax) usage_error("--input: out of memory");
    maxpool_forward(pooled.data, argmax, x->data, s);
    maxpool_backward(dx->data, g->data, argmax, s);
    tensor_free(&pooled);
    free(argmax);
}

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

// The tied maxima share the gradient equally: a convex combination, like first.
static void route_split(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double top = window_max(x, s, i, j);
            double share = *tensor_at(g, 0, i, j) / window_count_equal(x, s, i, j, top);
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    int at = window_cell(s, i, j, m, n);
                    if (x->data[at] == top) dx->data[at] += share;
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

// Bug "all-cells": the mask forgotten, every cell of the window gets g.
static void route_all_cells(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    (void)x;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++)
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) dx->data[window_cell(s, i, j, m, n)] += *tensor_at(g, 0, i, j);
}

// Bug "average": average pooling's backward pass, g/(KH·KW) to every cell.
static void route_average(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    (void)x;
    double area = (double)s->kh * s->kw;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++)
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++)
                    dx->data[window_cell(s, i, j, m, n)] += *tensor_at(g, 0, i, j) / area;
}

static const BugInfo BUGS[] = {
    {"overwrite", "dX[argmax] = G instead of +=: a cell picked by two overlapping windows keeps one gradient"},
    {"all-cells", "the gradient sent to every cell of the window, not only to its maximum"},
    {"average", "the gradient divided among the window's cells as in average pooling"},
};

static RouteFn rule_route(TieRule ties) {
    return ties == TIES_ALL ? route_all : ties == TIES_SPLIT ? route_split : route_first;
}

// The backward pass this run uses: the chosen tie rule, or the --bug.
static RouteFn chosen_route(const CommonOptions *opt, TieRule ties) {
    if (bug_is(opt, "overwrite")) return route_overwrite;
    if (bug_is(opt, "all-cells")) return route_all_cells;
    if (bug_is(opt, "average")) return route_average;
    return rule_route(ties);
}

// ---------------------------------------------------------------- checking

// L(X) = Σ G∘maxpool(X): its gradient is exactly the backward pass for upstream G.
typedef struct {
    Tensor *x;
    const Tensor *g;
    const PoolShape *s;
    Tensor *pooled; // scratch, shape of g
    int *argmax;    // scratch, one per output
} Problem;

static double pool_loss(void *ctx) {
    Problem *p = ctx;
    maxpool_forward(p->pooled->data, p->argmax, p->x->data, p->s);
    double sum = 0.0;
    for (size_t k = 0; k < tensor_size(p->g); k++) sum += p->g->data[k] * p->pooled->data[k];
    return sum;
}

// The central-difference step the checker takes at value v.
static double step_at(double v) { return GRADCHECK_H * fmax(1.0, fabs(v)); }

typedef struct {
    int i, j;             // the window
    double top, second;   // its two largest values (second = top for a tie)
    double gap, twice_h;  // top − second, and 2h at these values
} Kink;

// Finds the windows whose two largest values are within 2h: there a step of
// ±h can hand the maximum to another cell, so a central difference measures
// a mixture of two slopes. Every cell within 2h of such a window's maximum is
// marked in skip. Returns the number of kink windows; the first max_list are
// stored in list.
static int find_kinks(const Tensor *x, const PoolShape *s, bool *skip, Kink *list, int max_list) {
    int found = 0;
    for (size_t k = 0; k < tensor_size(x); k++) skip[k] = false;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double top = window_max(x, s, i, j), second = -INFINITY;
            bool top_seen = false;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    double v = x->data[window_cell(s, i, j, m, n)];
                    if (v == top && !top_seen)
                        top_seen = true;
                    else
                        second = fmax(second, v);
                }
            if (s->kh * s->kw < 2) continue;
            double twice_h = 2.0 * fmax(step_at(top), step_at(second));
            if (top - second > twice_h) continue;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    int at = window_cell(s, i, j, m, n);
                    if (top - x->data[at] <= twice_h) skip[at] = true;
                }
            if (found < max_list) list[found] = (Kink){i, j, top, second, top - second, twice_h};
            found++;
        }
    return found;
}

static void report_kinks(Report *r, const Kink *list, int n_listed, int n_found) {
    for (int k = 0; k < n_listed; k++)
        report_verbatim(r, "window (%d,%d): top two values %.10g and %.10g differ by %.1e <= 2h = %.1e:\n"
                           "  not differentiable here; skipped",
                        list[k].i, list[k].j, list[k].top, list[k].second, list[k].gap, list[k].twice_h);
    if (n_found > n_listed) report_text(r, "... and %d more such windows.", n_found - n_listed);
}

// Compares dx (the analytic backward pass for upstream g) with central
// differences of L(X) = Σ G∘maxpool(X), skipping the cells at kinks.
static bool check_routing(Report *r, const char *name, Tensor *x, const Tensor *g, const PoolShape *s,
                          const Tensor *dx, bool list_kinks) {
    Tensor numerical = tensor_alloc_like(x), pooled = tensor_alloc_like(g);
    int *argmax = malloc(tensor_size(g) * sizeof *argmax);
    bool *skip = malloc(tensor_size(x) * sizeof *skip);
    Kink kinks[MAX_LISTED_WINDOWS];
    if (!argmax || !skip) usage_error("--input: out of memory");
    Problem p = {x, g, s, &pooled, argmax};
    numerical_gradient(numerical.data, x->data, (int)tensor_size(x), pool_loss, &p, GRADCHECK_H);
    int n_kinks = find_kinks(x, s, skip, kinks, MAX_LISTED_WINDOWS);
    if (n_kinks && list_kinks) {
        report_text(r, "Before comparing: %d window(s) have their two largest values within 2h of each other "
                       "(h = GRADCHECK_H·max(1,|x|), the checker's step), where a step can change which cell "
                       "is the maximum:",
                    n_kinks);
        report_kinks(r, kinks, n_kinks < MAX_LISTED_WINDOWS ? n_kinks : MAX_LISTED_WINDOWS, n_kinks);
    }
    CheckSummary sum = compare_gradients(dx->data, numerical.data, skip, (int)tensor_size(x), GRADCHECK_REL_TOL);
    bool passed = report_check(r, name, dx, &numerical, skip, sum);
    tensor_free(&numerical);
    tensor_free(&pooled);
    free(argmax);
    free(skip);
    return passed;
}

// ---------------------------------------------------------------- printing helpers

// "%.10g" without a negative zero, for values that must show all their digits.
static void number(char *buf, size_t len, double v) { snprintf(buf, len, "%.10g", v + 0.0); }

// "window (0,1): max(14, 25, 29, 35) = 35 at X[1,2]" for the first windows.
static void list_windows(Report *r, const Tensor *x, const PoolShape *s) {
    int *argmax = malloc((size_t)s->out_h * (size_t)s->out_w * sizeof *argmax);
    Tensor pooled = tensor_alloc(1, s->out_h, s->out_w);
    if (!argmax) usage_error("--input: out of memory");
    maxpool_forward(pooled.data, argmax, x->data, s);
    StrBuf b = {0};
    int listed = 0;
    for (int i = 0; i < s->out_h && listed < MAX_LISTED_WINDOWS; i++)
        for (int j = 0; j < s->out_w && listed < MAX_LISTED_WINDOWS; j++, listed++) {
            sb_printf(&b, "window (%d,%d): max(", i, j);
            int shown = 0;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    char v[40];
                    if (shown == 8) sb_puts(&b, ", ...");
                    if (shown++ >= 8) continue;
                    number(v, sizeof v, x->data[window_cell(s, i, j, m, n)]);
                    sb_printf(&b, "%s%s", shown > 1 ? ", " : "", v);
                }
            int k = i * s->out_w + j, at = argmax[k];
            char v[40];
            number(v, sizeof v, pooled.data[k]);
            sb_printf(&b, ") = %s at X[%d,%d]\n", v, at / s->w, at % s->w);
        }
    int total = s->out_h * s->out_w;
    if (total > listed) sb_printf(&b, "... and %d more windows\n", total - listed);
    report_verbatim(r, "%s", sb_str(&b));
    sb_free(&b);
    tensor_free(&pooled);
    free(argmax);
}

static Tensor pool_of(const Tensor *x, const PoolShape *s) {
    Tensor out = tensor_alloc(1, s->out_h, s->out_w);
    int *argmax = malloc(tensor_size(&out) * sizeof *argmax);
    if (!argmax) usage_error("--input: out of memory");
    maxpool_forward(out.data, argmax, x->data, s);
    free(argmax);
    return out;
}

// Row-major flatten: entry (i,j) of an H×W matrix goes to position i·W + j.
static Tensor flatten(const Tensor *m) {
    Tensor f = tensor_alloc(1, 1, (int)tensor_size(m));
    memcpy(f.data, m->data, tensor_size(m) * sizeof *f.data);
    return f;
}

// The reshape layer: position k of a vector goes back to (k / W, k mod W).
static Tensor reshape(const Tensor *v, int h, int w) {
    Tensor m = tensor_alloc(1, h, w);
    for (int k = 0; k < h * w; k++) *tensor_at(&m, 0, k / w, k % w) = v->data[k];
    return m;
}

static Tensor tensor_from(const double *values, int h, int w) {
    Tensor t = tensor_alloc(1, h, w);
    memcpy(t.data, values, tensor_size(&t) * sizeof *values);
    return t;
}

static PoolShape shape_of(const Tensor *x, int kh, int kw, int stride) {
    PoolShape s;
    if (!pool_shape_init(&s, 1, x->h, x->w, kh, kw, stride))
        usage_error("--window: a %dx%d window does not fit the %dx%d input", kh, kw, x->h, x->w);
    return s;
}

// ---------------------------------------------------------------- plot data

// One line per cell: column, row, x, windows picking it, routed gradient.
static void write_cells(const char *dir, const char *name, const Tensor *x, const Tensor *mask, const Tensor *dx) {
    FILE *f = plot_file_open(dir, name);
    fprintf(f, "# column row x windows_picking dL/dX\n");
    for (int i = 0; i < x->h; i++) {
        for (int j = 0; j < x->w; j++)
            fprintf(f, "%d %d %.17g %.17g %.17g\n", j, i, *tensor_at(x, 0, i, j) + 0.0,
                    *tensor_at(mask, 0, i, j) + 0.0, *tensor_at(dx, 0, i, j) + 0.0);
        fputc('\n', f);
    }
    plot_file_close(f, dir, name);
}

// One line per pooling window, so the plot can draw it: the cells it covers
// (first and last column and row) and the upstream gradient it receives.
static void write_windows(const char *dir, const char *name, const PoolShape *s, const Tensor *g) {
    FILE *f = plot_file_open(dir, name);
    fprintf(f, "# first_column first_row last_column last_row dL/dY\n");
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++)
            fprintf(f, "%d %d %d %d %.17g\n", j * s->stride, i * s->stride, j * s->stride + s->kw - 1,
                    i * s->stride + s->kh - 1, g->data[i * s->out_w + j] + 0.0);
    plot_file_close(f, dir, name);
}

static void write_plot_data(const char *dir, const Tensor *x, const Tensor *mask, const Tensor *dx,
                            const Tensor *ox, const Tensor *omask, const Tensor *odx) {
    write_cells(dir, "chapter4_main.dat", x, mask, dx);
    write_cells(dir, "chapter4_overlap.dat", ox, omask, odx);
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

static void overlap_section(Report *r, RouteFn route, const CommonOptions *opt, Tensor *ox, const Tensor *odx) {
    report_heading(r, "4.5 Overlapping windows: a cell collects a sum");
    report_text(r, "With stride < window size (as in the article's own example) windows overlap, and one cell "
                   "can be the maximum of several of them. Its gradient is then the SUM over those windows: "
                   "the backward pass must add (+=), not assign.");
    Tensor g = tensor_from(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(ox, 2, 2, 1);
    Tensor pooled = pool_of(ox, &s);
    report_quantity(r, "overlap_input", "X", ox);
    list_windows(r, ox, &s);
    report_quantity(r, "overlap_pooled", "maxpool(X), 2x2, stride 1", &pooled);
    report_quantity(r, "overlap_upstream", "G", &g);
    report_text(r, "The 9 at X[1,1] is the maximum of both windows: ∂L/∂X[1,1] = 3 + 5 = 8.");
    report_quantity(r, "overlap_dX", "∂L/∂X", odx);
    if (bug_is(opt, "overwrite"))
        report_text(r, "--bug overwrite: the second window's = replaced the first window's 3, so X[1,1] holds "
                       "only 5. Watch the check:");
    check_routing(r, "∂L/∂X with overlapping windows", ox, &g, &s, odx, true);

    report_text(r, "The same 9 and the same upstream [3 5], now with stride 2 on a 2x4 input: the windows no "
                   "longer share a cell, so each cell receives at most one gradient and = and += do the same "
                   "thing.");
    Tensor x2 = tensor_from(DISJOINT_X, 2, 4), dx2 = tensor_alloc_like(&x2);
    PoolShape s2 = shape_of(&x2, 2, 2, 2);
    route(&dx2, &x2, &g, &s2);
    report_quantity(r, "disjoint_input", "X", &x2);
    list_windows(r, &x2, &s2);
    report_quantity(r, "disjoint_dX", "∂L/∂X (2x2, stride 2)", &dx2);
    check_routing(r, "∂L/∂X with non-overlapping windows", &x2, &g, &s2, &dx2, true);
    report_text(r, "That is why weak tests miss the overwrite bug: with stride = window size (the usual "
                   "default) it passes%s. Only a test with overlapping windows whose maxima coincide can catch "
                   "it.",
                bug_is(opt, "overwrite") ? ", as it just did" : "");
    Tensor *all[] = {&g, &pooled, &x2, &dx2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

// One-sided difference quotients of L at x[at]: (L(x + h e) − L(x)) / h and
// (L(x) − L(x − h e)) / h.
static void one_sided(Problem *p, int at, double *right, double *left) {
    double h = step_at(p->x->data[at]), saved = p->x->data[at];
    double base = pool_loss(p);
    p->x->data[at] = saved + h;
    double up = pool_loss(p);
    p->x->data[at] = saved - h;
    double down = pool_loss(p);
    p->x->data[at] = saved;
    *right = (up - base) / h;
    *left = (base - down) / h;
}

static void tie_section(Report *r, RouteFn route, TieRule ties, const char *rule_name) {
    report_heading(r, "4.6 Ties: which maximum gets the gradient");
    report_text(r, "When a window holds its maximum twice, the mask δ has to choose. This workbook (like "
                   "PyTorch) uses the FIRST maximum in row-major order: the strict > in maxpool_forward keeps "
                   "the earlier cell. --ties first|all|split shows the alternatives other libraries have used. "
                   "This run: --ties %s.",
                rule_name);
    Tensor x = tensor_from(TIE_X, 2, 3), g = tensor_from(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(&x, 2, 2, 1);
    Tensor pooled = pool_of(&x, &s);
    report_quantity(r, "tie_input", "X", &x);
    list_windows(r, &x, &s);
    report_quantity(r, "tie_upstream", "G", &g);

    Tensor by_rule[3];
    for (int k = 0; k < 3; k++) {
        by_rule[k] = tensor_alloc_like(&x);
        rule_route((TieRule)k)(&by_rule[k], &x, &g, &s);
    }
    report_text(r, "Window (0,0) has 4 at X[0,0] and at X[0,1]; window (0,1) picks X[0,1] alone. What each rule "
                   "sends back, next to what difference quotients of L = Σ G∘maxpool(X) measure at each cell:");
    Tensor pooled_scratch = tensor_alloc_like(&g);
    int argmax[2];
    Problem p = {&x, &g, &s, &pooled_scratch, argmax};
    const char *headers[] = {"cell", "x", "first", "all", "split", "right deriv.", "left deriv.", "central"};
    report_table_begin(r, 8, headers);
    for (int k = 0; k < (int)tensor_size(&x); k++) {
        char cell[32], xv[40], f[40], a[40], sp[40], rd[40], ld[40], cd[40];
        double right, left;
        one_sided(&p, k, &right, &left);
        snprintf(cell, sizeof cell, "X[%d,%d]", k / x.w, k % x.w);
        number(xv, sizeof xv, x.data[k]);
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
    report_text(r, "At a tie L has a kink: raising X[0,0] makes it the sole maximum (right derivative 3), "
                   "lowering it hands the maximum to X[0,1] (left derivative 0). The one-sided derivatives "
                   "differ, so there is no gradient, and a central difference reports their average (1.5). "
                   "For a two-way tie that average happens to equal split's share; for a three-way tie it "
                   "would still be half the gradient, not a third.");
    report_text(r, "A valid subgradient at a tie is a convex combination of the tied cells' one-sided "
                   "gradients: weights ≥ 0 that sum to 1 within each window. first (1, 0) and split (0.5, 0.5) "
                   "are valid. all gives (1, 1): it sends the full gradient to every tied cell and over-counts, "
                   "so it is NOT a subgradient when ties exist.");
    report_text(r, "A check that stays valid at the tie: raise the two tied cells together by t. Window (0,0) "
                   "then rises by t and window (0,1) too, so dL/dt = 3 + 5 = 8 exactly, a smooth direction. "
                   "The routed gradient must give the same: ∂L/∂X[0,0] + ∂L/∂X[0,1].");
    Tensor dx = tensor_alloc_like(&x);
    route(&dx, &x, &g, &s);
    report_quantity(r, "tie_dX", "∂L/∂X (this run's rule)", &dx);
    double h = step_at(4.0);
    x.data[0] += h;
    x.data[1] += h;
    double up = pool_loss(&p);
    x.data[0] -= 2 * h;
    x.data[1] -= 2 * h;
    double down = pool_loss(&p);
    x.data[0] = TIE_X[0];
    x.data[1] = TIE_X[1];
    report_check_scalar(r, "dL/dt, both tied cells raised together", dx.data[0] + dx.data[1], (up - down) / (2 * h),
                        GRADCHECK_REL_TOL);
    if (ties == TIES_ALL)
        report_text(r, "--ties all: X[0,0] and X[0,1] both received window (0,0)'s 3, so the shift predicts "
                       "3 + 3 + 5 = 11 where L really changes at rate 8.");
    report_text(r, "Cell by cell, the tied cells are skipped (no gradient exists there to compare with); the "
                   "other cells are checked as usual:");
    check_routing(r, "∂L/∂X at a tie", &x, &g, &s, &dx, true);
    Tensor *all[] = {&x, &g, &pooled, &by_rule[0], &by_rule[1], &by_rule[2], &pooled_scratch, &dx};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

static void kink_section(Report *r, RouteFn route) {
    report_heading(r, "4.7 Kinks: where finite differences cannot be trusted");
    report_text(r, "A central difference steps each cell by ±h (h = GRADCHECK_H·max(1,|x|) = 1e-6 here). If a "
                   "window's two largest values are within 2h, that step can hand the maximum to the other "
                   "cell, and the quotient mixes two slopes: it is neither one. Such cells are reported as "
                   "\"not differentiable here; skipped\", never as a failure. Example: the article's feature map "
                   "in thousandths, with its 35 replaced by a value 5e-7 above the 29.");
    Tensor x = tensor_from(KINK_X, 2, 3), g = tensor_from(NAMED_UPSTREAM, 1, 2);
    PoolShape s = shape_of(&x, 2, 2, 1);
    report_quantity(r, "kink_input", "X", &x);
    list_windows(r, &x, &s);
    report_quantity(r, "kink_upstream", "G", &g);
    Tensor dx = tensor_alloc_like(&x), numerical = tensor_alloc_like(&x), pooled = tensor_alloc_like(&g);
    route(&dx, &x, &g, &s);
    int argmax[2];
    Problem p = {&x, &g, &s, &pooled, argmax};
    numerical_gradient(numerical.data, x.data, (int)tensor_size(&x), pool_loss, &p, GRADCHECK_H);
    char a[40], n[40];
    number(a, sizeof a, dx.data[5]);
    snprintf(n, sizeof n, "%.6g", numerical.data[5]);
    report_text(r, "Without the skip, X[1,2] would compare analytic %s with numerical %s: lowering it by h "
                   "makes the 0.029 next to it the maximum, so the quotient is neither slope, and a correct "
                   "backward pass would fail the check.",
                a, n);
    check_routing(r, "∂L/∂X next to a kink", &x, &g, &s, &dx, true);
    Tensor *all[] = {&x, &g, &dx, &numerical, &pooled};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- main

int main(int argc, char **argv) {
    const char *input_text = NULL, *window_text = NULL, *stride_text = NULL, *upstream_text = NULL,
               *ties_text = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the feature map X to pool (default: the article's [23 14 25; 27 29 35])", &input_text},
        {"--window", "K", "window size K or KHxKW (default: 2)", &window_text},
        {"--stride", "S", "stride (default: 1 for the article's example, the window size with --input)",
         &stride_text},
        {"--upstream", "G", "upstream gradient dL/dY, pooled shape or a flat vector (default: see below)",
         &upstream_text},
        {"--ties", "RULE", "first (default, as PyTorch), all or split: who gets a tied window's gradient",
         &ties_text},
    };
    const ChapterSpec spec = {
        .program = "chapter4",
        .title = "Chapter 4: the max-pooling mask, flatten and reshape",
        .options = options,
        .n_options = 5,
        .bugs = BUGS,
        .n_bugs = 3,
        .notes = "--stride defaults to the window size when --input is given without --stride (the usual "
                 "non-overlapping pooling), and to 1 on the article's example, whose windows overlap.\n"
                 "Default --upstream: when the pooled output has 2 entries, the gradient chapter 3's dense "
                 "layer sends back (W = [0.05 -0.03], b = 0.1, y = 1); otherwise seeded nonzero integers.\n"
                 "Example: chapter4 --input \"1 2 1; 1 9 1\" --window 2 --stride 1 --upstream \"3 5\"",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    // ---- input, all validated before anything is printed
    Tensor x = input_text ? option_matrix("--input", input_text)
                          : tensor_from(EXAMPLE_FEATURE_MAP, 2, 3);
    int kh = EXAMPLE_POOL_SIZE, kw = EXAMPLE_POOL_SIZE;
    if (window_text) option_size("--window", window_text, &kh, &kw);
    int stride = stride_text ? option_int("--stride", stride_text, 1, TENSOR_MAX_SIDE)
                 // One stride serves both axes: the larger side keeps a KHxKW window from overlapping.
                 : input_text ? (kh > kw ? kh : kw)
                              : EXAMPLE_POOL_STRIDE;
    PoolShape s = shape_of(&x, kh, kw, stride);
    TieRule ties = ties_text ? (TieRule)option_choice("--ties", ties_text, "first|all|split") : TIES_FIRST;
    const char *rule_names[] = {"first", "all", "split"};

    Tensor pooled = pool_of(&x, &s);
    Tensor flat = flatten(&pooled);
    bool from_dense = !upstream_text && tensor_size(&pooled) == 2;
    double z = 0.0, dz = 0.0;
    Tensor dflat = tensor_alloc_like(&flat), g;
    if (upstream_text) {
        Tensor given = option_matrix("--upstream", upstream_text);
        bool as_matrix = given.h == s.out_h && given.w == s.out_w;
        bool as_vector = given.h == 1 && given.w == s.out_h * s.out_w;
        if (!as_matrix && !as_vector) {
            char alt[64] = "";
            if (s.out_h > 1) snprintf(alt, sizeof alt, " (or a flat 1x%d vector)", s.out_h * s.out_w);
            usage_error("--upstream: shape %dx%d does not match the pooled output, which is %dx%d%s: a %dx%d "
                        "input with a %dx%d window and stride %d",
                        given.h, given.w, s.out_h, s.out_w, alt, x.h, x.w, kh, kw, stride);
        }
        g = reshape(&given, s.out_h, s.out_w);
        tensor_free(&given);
    } else if (from_dense) {
        // Chapter 3's dense layer on the flattened pooled values, then back:
        // dL/dz = σ(z) − y, dL/dF = Wᵀ dL/dz, reshaped to the pooled shape.
        double dW[2] = {0, 0}, db = 0, b = EXAMPLE_B;
        dense_forward(&z, flat.data, EXAMPLE_W, &b, 1, 2);
        bce_grad_logits(&dz, &EXAMPLE_Y, &z, 1);
        dense_backward(dflat.data, dW, &db, &dz, flat.data, EXAMPLE_W, 1, 2);
        require_finite(&dflat, "--input");
        g = reshape(&dflat, s.out_h, s.out_w);
    } else {
        // Small nonzero integers: every window sends something back, readable by hand.
        g = tensor_alloc(1, s.out_h, s.out_w);
        Rng rng = rng_make(opt.seed);
        for (size_t k = 0; k < tensor_size(&g); k++) {
            int v = rng_below(&rng, 6) - 3;
            g.data[k] = v >= 0 ? v + 1 : v;
        }
    }

    RouteFn route = chosen_route(&opt, ties);
    Tensor ones = tensor_alloc_like(&g), mask = tensor_alloc_like(&x), dx = tensor_alloc_like(&x);
    for (size_t k = 0; k < tensor_size(&ones); k++) ones.data[k] = 1.0;
    rule_route(ties)(&mask, &x, &ones, &s);
    route(&dx, &x, &g, &s);
    require_finite(&dx, "--input/--upstream");

    // The overlap example of 4.5 is computed here, so --plot can draw it.
    Tensor ox = tensor_from(OVERLAP_X, 2, 3), odx = tensor_alloc_like(&ox), omask = tensor_alloc_like(&ox);
    Tensor og = tensor_from(NAMED_UPSTREAM, 1, 2), oones = tensor_alloc_like(&og);
    PoolShape os = shape_of(&ox, 2, 2, 1);
    for (size_t k = 0; k < tensor_size(&oones); k++) oones.data[k] = 1.0;
    rule_route(ties)(&omask, &ox, &oones, &os);
    route(&odx, &ox, &og, &os);
    if (opt.plot_dir) {
        write_plot_data(opt.plot_dir, &x, &mask, &dx, &ox, &omask, &odx);
        write_windows(opt.plot_dir, "chapter4_main_windows.dat", &s, &g);
        write_windows(opt.plot_dir, "chapter4_overlap_windows.dat", &os, &og);
    }

    Report r;
    report_init(&r, &opt, spec.title);
    report_json_string(&r, "ties", rule_names[ties]);

    // ---- 4.1 forward
    report_heading(&r, "4.1 Max pooling: the forward pass");
    report_text(&r, "A %dx%d window slides over X with stride %d; each output is the largest value under it:",
                kh, kw, stride);
    report_equation(&r, "Y[i,j] = max_{m<KH, n<KW} X[i·s + m, j·s + n]",
                    "Y_{ij} = \\max_{m<K_H,\\; n<K_W} X_{i s + m,\\; j s + n}");
    report_matrix_quantity(&r, "input", "X", &x);
    char window_json[64];
    snprintf(window_json, sizeof window_json, "[%d, %d]", kh, kw);
    report_json_raw(&r, "window", window_json);
    report_scalar(&r, "stride", "stride s", stride);
    list_windows(&r, &x, &s);
    report_quantity(&r, "pooled", "Y = maxpool(X)", &pooled);
    int used_h = (s.out_h - 1) * stride + kh, used_w = (s.out_w - 1) * stride + kw;
    if (used_h < x.h || used_w < x.w)
        report_text(&r, "The windows cover only the first %d row(s) and %d column(s) of X: the rest is in no "
                        "window, never reaches Y, and gets gradient 0.",
                    used_h, used_w);
    if (!input_text && !window_text && !stride_text) {
        PoolShape s2 = shape_of(&x, 2, 2, 2);
        Tensor p2 = pool_of(&x, &s2);
        report_erratum(&r, "the article says \"max-pooling of shape 2x2\" and gets [29 35], which needs stride 1: "
                           "its two windows overlap (they share 14 and 29). It never says so. The usual default "
                           "(PyTorch's MaxPool2d, Keras's MaxPooling2D) is stride = window size, which on this "
                           "2x3 map fits one window only and gives [%g]. Overlap matters in the backward pass: "
                           "see 4.5.",
                       p2.data[0]);
        tensor_free(&p2);
    }

    // ---- 4.2 flatten and reshape
    report_heading(&r, "4.2 Flatten, and the reshape that undoes it");
    report_text(&r, "The dense layer takes a vector, so the pooled matrix is flattened row by row: entry (i,j) "
                    "of an H×W matrix goes to position i·W + j. The article's 3x3 example:");
    const double article_m[] = {1, 3, 5, -4, 0, -3, 5, 7, -9};
    Tensor m3 = tensor_from(article_m, 3, 3);
    Tensor f3 = flatten(&m3);
    report_quantity(&r, "flatten_example_input", "M", &m3);
    report_quantity(&r, "flatten_example", "F = flatten(M)", &f3);
    report_text(&r, "In the backward pass the reshape layer runs the other way: position k of the gradient "
                    "vector goes back to (⌊k/W⌋, k mod W). Applied to F it gives M back:");
    Tensor back = reshape(&f3, 3, 3);
    report_matrix(&r, "reshape(F, 3x3)", &back);
    report_verdict(&r, "reshape(flatten(M)) = M", memcmp(back.data, m3.data, sizeof article_m) == 0,
                   "entry for entry, exactly");
    report_text(&r, "Flatten only moves numbers, so its backward pass only moves them back: ∂L/∂M = "
                    "reshape(∂L/∂F). The pooled output of 4.1, flattened for the dense layer:");
    report_quantity(&r, "flattened", "F = flatten(Y)", &flat);

    // ---- 4.3 the upstream gradient
    report_heading(&r, "4.3 The gradient arriving from the dense layer");
    if (from_dense) {
        report_text(&r, "F feeds chapter 3's dense layer: z = W·F + b with W = [0.05 -0.03], b = 0.1, the label "
                        "y = 1 and the loss BCE(σ(z), y) (the running example when F = [29 35]). Its backward "
                        "pass, computed here with the library's bce_grad_logits and dense_backward:");
        report_scalar(&r, "z", "z = W·F + b", z);
        report_scalar(&r, "dL_dz", "∂L/∂z = σ(z) − y", dz);
        report_quantity(&r, "dL_dF", "∂L/∂F = Wᵀ·∂L/∂z", &dflat);
        report_text(&r, "The reshape layer turns this vector back into the pooled shape %dx%d: that is the "
                        "upstream gradient G = ∂L/∂Y of the pooling layer.",
                    s.out_h, s.out_w);
    } else if (upstream_text) {
        report_text(&r, "The upstream gradient G = ∂L/∂Y given with --upstream, in the pooled shape %dx%d:",
                    s.out_h, s.out_w);
    } else {
        report_text(&r, "Chapter 3's dense layer takes 2 inputs and this pooled output has %d, so G is seeded "
                        "small nonzero integers (--seed %llu), in the pooled shape %dx%d:",
                    (int)tensor_size(&pooled), (unsigned long long)opt.seed, s.out_h, s.out_w);
    }
    report_quantity(&r, "upstream", "G = ∂L/∂Y", &g);

    // ---- 4.4 the mask
    report_heading(&r, "4.4 The backward pass: the mask δ");
    report_text(&r, "Max pooling has no weights; its backward pass only routes. Window k's gradient G_k goes to "
                    "the cell that won the forward pass (δ_k = 1 there, 0 elsewhere), and a cell adds up what "
                    "every window sends it:");
    report_equation(&r, "∂L/∂X[p,q] = Σ_k G_k · δ_k[p,q],   δ_k[p,q] = 1 if (p,q) is window k's maximum, else 0",
                    "\\frac{\\partial L}{\\partial X_{pq}} = \\sum_k G_k\\, \\delta^{(k)}_{pq}, \\qquad "
                    "\\delta^{(k)}_{pq} = \\begin{cases} 1 & (p,q) = \\arg\\max \\text{ of window } k \\\\ 0 & "
                    "\\text{otherwise} \\end{cases}");
    report_erratum(&r, "the article writes ∂L/∂x_ij = ∂L/∂ŷ_ij · δ_ij, indexing the upstream gradient by the "
                       "INPUT position (i,j). But ∂L/∂ŷ has the pooled shape (%dx%d here) and X is %dx%d, and "
                       "with overlapping windows one cell can win several windows: the formula needs the sum "
                       "over windows above. In the overlap example of 4.5 it would give the 9 one gradient (3 "
                       "or 5) instead of 8.",
                   s.out_h, s.out_w, x.h, x.w);
    report_text(&r, "The mask summed over windows: how many windows pick each cell (--ties %s%s).",
                rule_names[ties], ties == TIES_SPLIT ? "; a maximum shared by n cells counts 1/n for each" : "");
    report_matrix_quantity(&r, "mask", "Σ_k δ_k", &mask);
    if (bug_is(&opt, "all-cells"))
        report_text(&r, "--bug all-cells: the mask is ignored and every cell of a window gets G_k:");
    if (bug_is(&opt, "average"))
        report_text(&r, "--bug average: every cell of a window gets G_k/(KH·KW) = G_k/%d, average pooling's rule:",
                    kh * kw);
    report_matrix_quantity(&r, "dX", "∂L/∂X", &dx);
    check_routing(&r, "∂L/∂X of max pooling", &x, &g, &s, &dx, true);

    // ---- 4.5 to 4.7 the named examples
    overlap_section(&r, route, &opt, &ox, &odx);
    tie_section(&r, route, ties, rule_names[ties]);
    kink_section(&r, route);

    int status = report_finish(&r);
    Tensor *all[] = {&x, &pooled, &flat, &dflat, &g, &ones, &mask, &dx, &ox, &odx, &omask, &og, &oones, &m3, &f3, &back};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
    options_free(&opt);
    return status;
}
