#include "check_block.h"

#include <stdlib.h>
#include <string.h>

#include "rng.h"

void block_check_free(BlockCheck *c) {
    free(c->idx);
    free(c->analytic);
    free(c->skip);
    free(c->num);
    free(c->dir_analytic);
    free(c->dir_num);
    *c = (BlockCheck){0};
}

// Each checked entry on its own: its first step from its own size, the
// local objective (when there is one) asked about that entry alone.
static void entry_differences(BlockCheck *c, const BlockSpec *spec) {
    if (spec->entries) {
        spec->entries(spec->entries_ctx, c->num, spec->param, c->idx, c->count, &spec->obj);
        return;
    }
    if (spec->carry_steps && c->count == spec->n) {
        switch (spec->shape) {
        case LOSS_WITH_KINKS: numerical_gradient_bounded(c->num, spec->param, spec->n, &spec->obj); return;
        case LOSS_SMOOTH: numerical_gradient_bounded_smooth(c->num, spec->param, spec->n, &spec->obj); return;
        case LOSS_LINEAR: numerical_gradient_bounded_linear(c->num, spec->param, spec->n, &spec->obj); return;
        }
    }
    switch (spec->shape) {
    case LOSS_WITH_KINKS: numerical_gradient_at(c->num, spec->param, c->idx, c->count, &spec->obj); return;
    case LOSS_SMOOTH: numerical_gradient_at_smooth(c->num, spec->param, c->idx, c->count, &spec->obj); return;
    case LOSS_LINEAR: numerical_gradient_at_linear(c->num, spec->param, c->idx, c->count, &spec->obj); return;
    }
}

// The seeded random direction: entries uniform in [−1, 1), so that each
// entry moves by at most the step. The seed is mixed so that the
// direction does not repeat the sample's random stream.
#define DIRECTION_SEED_MIX 0xD1ECULL

static void seeded_direction(double *v, int n, uint64_t seed) {
    Rng rng = rng_make(seed ^ DIRECTION_SEED_MIX);
    for (int k = 0; k < n; k++) v[k] = rng_range(&rng, -1.0, 1.0);
}

// ∇L·v and d/dt L(θ + t·v) for each direction, over every entry.
static bool check_directions(BlockCheck *c, const BlockSpec *spec) {
    int nd = spec->directions ? spec->n_directions : 1;
    double *scratch = malloc(sizeof *scratch * (size_t)spec->n), *own = NULL;
    c->dir_analytic = calloc((size_t)nd, sizeof *c->dir_analytic);
    c->dir_num = calloc((size_t)nd, sizeof *c->dir_num);
    if (!spec->directions) own = malloc(sizeof *own * (size_t)spec->n);
    if (!scratch || !c->dir_analytic || !c->dir_num || (!spec->directions && !own)) {
        free(scratch), free(own);
        return false;
    }
    if (own) seeded_direction(own, spec->n, spec->seed);
    ParamBlock block = {spec->param, spec->analytic, spec->n};
    for (int d = 0; d < nd; d++) {
        const double *v = own ? own : spec->directions[d];
        for (int k = 0; k < spec->n; k++) c->dir_analytic[d] += spec->analytic[k] * v[k];
        c->dir_num[d] = spec->shape == LOSS_LINEAR
                            ? directional_derivative_along_linear(&block, 1, v, &spec->obj, scratch)
                            : directional_derivative_along(&block, 1, v, &spec->obj, scratch);
    }
    c->n_directions = nd;
    c->directions = compare_bounded(c->dir_analytic, c->dir_num, NULL, NULL, nd, spec->rtol);
    free(scratch), free(own);
    return true;
}

bool block_check_run(BlockCheck *out, const BlockSpec *spec) {
    BlockCheck c = {.plan = check_plan(spec->n, spec->ops_per_eval, spec->check_all)};
    size_t n = spec->n > 0 ? (size_t)spec->n : 1, keep = c.plan.keep > 0 ? (size_t)c.plan.keep : 1;
    c.idx = malloc(sizeof *c.idx * n);
    c.analytic = malloc(sizeof *c.analytic * keep);
    c.skip = calloc(keep, sizeof *c.skip);
    c.num = calloc(keep, sizeof *c.num);
    if (!c.idx || !c.analytic || !c.skip || !c.num) {
        block_check_free(&c);
        return false;
    }
    c.count = check_plan_entries(c.idx, &c.plan, spec->seed);
    for (int s = 0; s < c.count; s++) {
        c.analytic[s] = spec->analytic[c.idx[s]];
        c.skip[s] = spec->skip && spec->skip[c.idx[s]];
    }
    entry_differences(&c, spec);
    if (spec->second) {
        c.by_second = spec->second(spec->second_ctx, c.num, c.analytic, c.skip, c.idx, c.count);
        if (c.by_second < 0) {
            block_check_free(&c);
            return false;
        }
    }
    c.entries = compare_bounded(c.analytic, c.num, c.skip, spec->skip_reason, c.count, spec->rtol);
    if ((c.plan.sampled || spec->directions_always) && !check_directions(&c, spec)) {
        block_check_free(&c);
        return false;
    }
    *out = c;
    return true;
}
