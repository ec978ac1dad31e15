#ifndef WORKBOOK_BUDGET_H
#define WORKBOOK_BUDGET_H
// The work budget of a gradient check, and the two checks it falls back on.
//
// A full per-entry check costs n × (loss evaluations per entry) × (work per
// evaluation). When that exceeds CHECK_BUDGET_OPS, a chapter checks a seeded
// random sample of the entries plus one directional derivative over all of
// them, and says so in one line; --check-all forces every entry.
//
// Buffers are the caller's.

#include <stdbool.h>
#include <stdint.h>

#include "gradcheck.h"

// About a second of simple floating-point work on a laptop core: beyond
// this a full check would keep a student waiting.
#define CHECK_BUDGET_OPS 1e9
// Loss evaluations per entry of numerical_gradient_bounded (two central
// differences), doubled for the step shrinks near a kink or a curved loss.
#define CHECK_EVALS_PER_ENTRY 8.0
// Entries in a sampled check: enough that any systematic mistake in a
// backward pass shows in many of them, few enough to print.
#define CHECK_SAMPLE_ENTRIES 200

typedef struct {
    int n;            // entries in the block
    int keep;         // entries to check (n when not sampled)
    double full_ops;  // estimated work of a full check
    bool sampled;     // keep < n: a sample plus a directional check
} CheckPlan;

// The one decision: check all n entries, or a sample. ops_per_eval is the
// work of one loss evaluation for one entry (with a local objective, what
// that entry touches). check_all (--check-all) forces every entry.
CheckPlan check_plan(int n, double ops_per_eval, bool check_all);

// The entries a plan checks, in increasing order: all of them, or the
// seeded sample of gradcheck_sample. idx holds plan->n ints; returns keep.
int check_plan_entries(int *idx, const CheckPlan *plan, uint64_t seed);

// out[s] for entry idx[s] of param, s < count: numerical_gradient_bounded
// one entry at a time (obj->local, when set, is asked about entry idx[s]).
void numerical_gradient_at(NumericalDerivative *out, double *param, const int *idx, int count,
                           const Objective *obj);
// The same with numerical_gradient_bounded_smooth, for a loss with no kink
// in these entries (a dense layer, a convolution, BCE): steps may grow.
void numerical_gradient_at_smooth(NumericalDerivative *out, double *param, const int *idx, int count,
                                  const Objective *obj);
// And with numerical_gradient_bounded_linear, for a loss linear in these
// entries (a convolution in X, K or b): steps grow while round-off hides
// the derivative.
void numerical_gradient_at_linear(NumericalDerivative *out, double *param, const int *idx, int count,
                                  const Objective *obj);

#endif
