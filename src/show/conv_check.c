#include "conv_check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "rng.h"
#include "budget.h"
#include "report_block.h"

ConvCheckPlan conv_check_plan(bool check_all, uint64_t seed) { return (ConvCheckPlan){check_all, seed}; }

double conv_check_eval_cost(const ConvShape *s, ConvBlock block) {
    // Each term is a product and its magnitude: about 2 multiply-adds.
    double terms = (double)s->out_h * s->out_w;
    switch (block) {
    case CONV_BLOCK_INPUT: terms = (double)s->out_c * s->kh * s->kw; break;
    case CONV_BLOCK_KERNEL:
    case CONV_BLOCK_BIAS: break;
    }
    return 2.0 * terms;
}

BlockSpec conv_block_spec(ConvObjective *ctx, double *param, const Tensor *analytic, const ConvCheckPlan *p) {
    return (BlockSpec){.param = param,
                       .analytic = analytic->data,
                       .n = (int)tensor_size(analytic),
                       .obj = conv_objective(ctx),
                       .shape = LOSS_LINEAR, // L = Σ G∘Y is linear in X, in K and in b
                       .ops_per_eval = conv_check_eval_cost(ctx->s, ctx->block),
                       .rtol = GRADCHECK_REL_TOL,
                       .check_all = p->check_all,
                       .seed = p->seed};
}

Verdict conv_check_block(Report *r, const char *name, ConvObjective *ctx, double *param, const Tensor *analytic,
                         const ConvCheckPlan *p) {
    if (!report_check_wanted(r)) return VERDICT_NOTHING_COMPARED;
    BlockSpec spec = conv_block_spec(ctx, param, analytic, p);
    return check_block(r, name, &spec, analytic);
}

BoundedSummary conv_check_all_entries(ConvObjective *ctx, double *param, const double *analytic, int n) {
    int *idx = malloc(sizeof *idx * (size_t)(n > 0 ? n : 1));
    NumericalDerivative *num = malloc(sizeof *num * (size_t)(n > 0 ? n : 1));
    if (!idx || !num) usage_error("out of memory checking %d entries", n);
    for (int q = 0; q < n; q++) idx[q] = q;
    Objective obj = conv_objective(ctx);
    numerical_gradient_at_linear(num, param, idx, n, &obj); // linear in every entry
    BoundedSummary s = compare_bounded(analytic, num, NULL, NULL, n, GRADCHECK_REL_TOL);
    free(idx);
    free(num);
    return s;
}

// into accumulates s: counts add, maxima stay maxima, the verdict follows.
static void merge(BoundedSummary *into, BoundedSummary s) {
    into->n += s.n;
    into->compared += s.compared;
    into->failed += s.failed;
    into->inconclusive += s.inconclusive;
    into->skipped += s.skipped;
    if (s.skip_reason) into->skip_reason = s.skip_reason;
    into->max_abs_error = fmax(into->max_abs_error, s.max_abs_error);
    into->max_rel_error = fmax(into->max_rel_error, s.max_rel_error);
    into->bound = fmax(into->bound, s.bound);
    into->verdict = into->failed ? VERDICT_FAIL
                    : into->inconclusive ? VERDICT_INCONCLUSIVE
                    : into->compared == 0 ? VERDICT_NOTHING_COMPARED
                    : VERDICT_PASS;
    into->passed = into->verdict == VERDICT_PASS;
}

typedef struct {
    ConvShape s;
    Tensor x, k, b, g, dx, dk, db;
} SweepCase;

// Case (stride, pad, dil, cin, cout) with seeded sizes and values.
static SweepCase sweep_case(Rng *rng, int stride, int pad, int dil, int cin, int cout) {
    int kh = 1 + rng_below(rng, 3), kw = 1 + rng_below(rng, 3);
    // The dilated kernel fits even before padding (less p, so that some
    // windows hang into the padding), plus up to two strides of leftovers.
    int span_h = dil * (kh - 1) + 1, span_w = dil * (kw - 1) + 1;
    int h = (span_h - pad > 1 ? span_h - pad : 1) + rng_below(rng, 2 * stride + 1);
    int w = (span_w - pad > 1 ? span_w - pad : 1) + rng_below(rng, 2 * stride + 1);
    SweepCase c;
    conv_shape_init(&c.s, cin, h, w, cout, kh, kw, stride, pad, pad, dil);
    c.x = tensor_alloc(cin, h, w);
    c.k = tensor_alloc(cout * cin, kh, kw);
    c.b = tensor_alloc(1, 1, cout);
    c.g = tensor_alloc(cout, c.s.out_h, c.s.out_w);
    Tensor *fill[] = {&c.x, &c.k, &c.b, &c.g};
    for (int t = 0; t < 4; t++)
        for (size_t q = 0; q < tensor_size(fill[t]); q++) fill[t]->data[q] = rng_range(rng, -2, 2);
    c.dx = tensor_alloc_like(&c.x);
    c.dk = tensor_alloc_like(&c.k);
    c.db = tensor_alloc_like(&c.b);
    return c;
}

static void sweep_case_free(SweepCase *c) {
    Tensor *all[] = {&c->x, &c->k, &c->b, &c->g, &c->dx, &c->dk, &c->db};
    for (int q = 0; q < 7; q++) tensor_free(all[q]);
}

// One row: the case, its three blocks checked; *forms the largest
// difference of scatter and full convolution relative to their scale.
static BoundedSummary sweep_row(Report *r, SweepCase *c, ConvBackwardFn backward, void *bctx, double *forms) {
    backward(c->dx.data, c->dk.data, c->db.data, c->g.data, c->x.data, c->k.data, &c->s, bctx);
    BoundedSummary all = {.tolerance = GRADCHECK_REL_TOL, .worst = -1};
    Tensor *param[] = {&c->x, &c->k, &c->b}, *grad[] = {&c->dx, &c->dk, &c->db};
    const ConvBlock blocks[] = {CONV_BLOCK_INPUT, CONV_BLOCK_KERNEL, CONV_BLOCK_BIAS};
    for (int t = 0; t < 3; t++) {
        ConvObjective ctx = {&c->s, c->x.data, c->k.data, c->b.data, c->g.data, blocks[t], 0};
        BoundedSummary bs = conv_check_all_entries(&ctx, param[t]->data, grad[t]->data, (int)tensor_size(param[t]));
        merge(&all, bs);
    }
    Tensor scatter = tensor_alloc_like(&c->x), full = tensor_alloc_like(&c->x);
    conv_input_grad_scatter(scatter.data, c->g.data, c->k.data, &c->s);
    conv_input_grad_full(full.data, c->g.data, c->k.data, &c->s);
    double ks = 0.0, diff = 0.0;
    for (size_t q = 0; q < tensor_size(&c->k); q++) ks += fabs(c->k.data[q]);
    for (size_t q = 0; q < tensor_size(&scatter); q++) diff = fmax(diff, fabs(scatter.data[q] - full.data[q]));
    *forms = fmax(*forms, diff / fmax(2.0 * ks, 1e-300)); // |G| < 2
    tensor_free(&scatter);
    tensor_free(&full);
    const ConvShape *s = &c->s;
    char cfg[32], io[16], x[24], k[16], y[24], n[16], rel[16], bound[16];
    snprintf(cfg, sizeof cfg, "%d %d %d", s->stride, s->pad_h, s->dilation);
    snprintf(io, sizeof io, "%d→%d", s->in_c, s->out_c);
    snprintf(x, sizeof x, "%dx%d", s->in_h, s->in_w);
    snprintf(k, sizeof k, "%dx%d", s->kh, s->kw);
    snprintf(y, sizeof y, "%dx%d", s->out_h, s->out_w);
    snprintf(n, sizeof n, "%d", all.compared);
    snprintf(rel, sizeof rel, "%.1e", all.max_rel_error);
    snprintf(bound, sizeof bound, "%.1e", all.bound);
    const char *row[] = {cfg, io, x, k, y, n, rel, bound, verdict_name(all.verdict)};
    report_table_row(r, row);
    return all;
}

Verdict conv_check_sweep(Report *r, uint64_t seed, ConvBackwardFn backward, void *ctx) {
    static const char *const headers[] = {"s p d", "C", "X", "K", "Y", "compared", "max rel", "bound", "verdict"};
    static const int channels_in[] = {1, 3}, channels_out[] = {1, 2};
    Rng rng = rng_make(seed ^ 0x5EE9);
    BoundedSummary all = {.tolerance = GRADCHECK_REL_TOL, .worst = -1};
    double forms = 0.0;
    int cases = 0;
    report_table_begin(r, 9, headers);
    for (int stride = 1; stride <= 3; stride++)
        for (int pad = 0; pad <= 2; pad++)
            for (int dil = 1; dil <= 2; dil++)
                for (int ci = 0; ci < 2; ci++)
                    for (int co = 0; co < 2; co++, cases++) {
                        SweepCase c = sweep_case(&rng, stride, pad, dil, channels_in[ci], channels_out[co]);
                        merge(&all, sweep_row(r, &c, backward, ctx, &forms));
                        sweep_case_free(&c);
                    }
    report_table_end(r);
    char name[80];
    snprintf(name, sizeof name, "∂L/∂X, ∂L/∂K, ∂L/∂b in all %d configurations", cases);
    Verdict v = report_gradient_summary(r, name, all);
    report_identity(r, "scatter = full convolution in all configurations", cases, forms, forms, CONV_FORMS_REL_TOL,
                    "largest difference relative to Σ|K|·max|G|");
    return v;
}
