#include "budget.h"
#include "progress.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

CheckPlan check_plan(int n, double ops_per_eval, bool check_all) {
    CheckPlan p = {.n = n, .keep = n, .full_ops = (double)n * CHECK_EVALS_PER_ENTRY * ops_per_eval};
    if (check_all || p.full_ops <= CHECK_BUDGET_OPS) return p;
    double affordable = floor(CHECK_BUDGET_OPS / (CHECK_EVALS_PER_ENTRY * ops_per_eval));
    p.keep = affordable < CHECK_SAMPLE_ENTRIES ? (int)affordable : CHECK_SAMPLE_ENTRIES;
    if (p.keep < 1) p.keep = 1;
    if (p.keep > n) p.keep = n;
    p.sampled = p.keep < n;
    return p;
}

int check_plan_entries(int *idx, const CheckPlan *plan, uint64_t seed) {
    int count = 0;
    if (!plan->sampled) {
        for (int k = 0; k < plan->n; k++) idx[count++] = k;
        return count;
    }
    bool *skip = malloc((size_t)plan->n * sizeof *skip);
    if (!skip) {
        fprintf(stderr, "error: out of memory choosing %d of %d entries to check\n", plan->keep, plan->n);
        exit(2);
    }
    gradcheck_sample(skip, plan->n, plan->keep, seed);
    for (int k = 0; k < plan->n; k++)
        if (!skip[k]) idx[count++] = k;
    free(skip);
    return count;
}

// The objective seen by the one-entry call: entry 0 is entry `at` of the block.
typedef struct {
    const Objective *obj;
    int at;
} OneEntry;

static double one_whole(void *ctx, double *scale) {
    OneEntry *e = ctx;
    return e->obj->whole(e->obj->ctx, scale);
}

static double one_local(void *ctx, int k, double *scale) {
    (void)k;
    OneEntry *e = ctx;
    return e->obj->local(e->obj->ctx, e->at, scale);
}

typedef void (*BoundedFn)(NumericalDerivative *out, double *param, int n, const Objective *obj);

static void gradient_at_with(BoundedFn fn, NumericalDerivative *out, double *param, const int *idx, int count,
                             const Objective *obj) {
    Progress bar;
    progress_begin(&bar, "checking", "entries", count);
    for (int s = 0; s < count; s++) {
        progress_update(&bar, s);
        OneEntry e = {obj, idx[s]};
        Objective one = {one_whole, obj->local ? one_local : NULL, &e};
        fn(&out[s], &param[idx[s]], 1, &one);
    }
    progress_end(&bar);
}

void numerical_gradient_at(NumericalDerivative *out, double *param, const int *idx, int count,
                           const Objective *obj) {
    gradient_at_with(numerical_gradient_bounded, out, param, idx, count, obj);
}

void numerical_gradient_at_smooth(NumericalDerivative *out, double *param, const int *idx, int count,
                                  const Objective *obj) {
    gradient_at_with(numerical_gradient_bounded_smooth, out, param, idx, count, obj);
}

void numerical_gradient_at_linear(NumericalDerivative *out, double *param, const int *idx, int count,
                                  const Objective *obj) {
    gradient_at_with(numerical_gradient_bounded_linear, out, param, idx, count, obj);
}
