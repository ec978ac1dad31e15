#ifndef WORKBOOK_CHECK_BLOCK_H
#define WORKBOOK_CHECK_BLOCK_H
// Checking one block of a gradient, the way every chapter does it:
//
//   1. budget     check_plan (budget.h): every entry, or a seeded sample
//                 when a full check would exceed CHECK_BUDGET_OPS
//                 (check_all, from --check-all: every entry);
//   2. entries    an error-bounded central difference for each checked
//                 entry (gradcheck.h), the step rule set by the loss's shape;
//   3. second     optionally a second method (the complex step, cstep.h)
//                 for the entries central differences could not decide;
//   4. compare    compare_bounded: PASS, FAIL or INCONCLUSIVE;
//   5. direction  when entries were sampled: the derivative along one
//                 seeded random direction over ALL entries, or along the
//                 caller's own directions (a loss with kinks has some that
//                 stay smooth).
// src/report/report_block.h prints the result (check_block there runs
// and prints in one call). The spec's buffers are the caller's; the
// result's belong to the result (block_check_free).

#include <stdbool.h>
#include <stdint.h>

#include "budget.h"
#include "gradcheck.h"

// How the loss depends on the block's entries: the step rule of its
// central differences (gradcheck.h) and of its directional check.
typedef enum {
    LOSS_WITH_KINKS, // max, ReLU, |·| inside: a step only shrinks
    LOSS_SMOOTH,     // a step may grow to a cap when round-off hides the derivative
    LOSS_LINEAR,     // linear in every entry (L = Σ G∘Y of a convolution): steps grow freely
} LossShape;

// A second method: may replace num[s] (entry idx[s] of the block, analytic
// a[s], skip[s] marked by the caller) by a better derivative; returns how
// many it replaced, or -1 when out of memory.
typedef int (*SecondMethodFn)(void *ctx, NumericalDerivative *num, const double *a, const bool *skip,
                              const int *idx, int count);

// A per-entry engine of the caller's: out[s] for entry idx[s] of param
// (count entries, increasing), restoring param bit for bit. NULL in the
// spec: each entry on its own by the shape's rule (budget.h's
// numerical_gradient_at*).
typedef void (*EntriesFn)(void *ctx, NumericalDerivative *out, double *param, const int *idx, int count,
                          const Objective *obj);

typedef struct {
    double *param;          // the block: perturbed in place, restored bit for bit
    const double *analytic; // ∂L/∂param (n entries)
    int n;
    Objective obj;          // obj.local, when set, is asked about entry k of the block
    LossShape shape;
    double ops_per_eval;    // work of one loss evaluation for one entry (local when set)
    const bool *skip;       // entries with no derivative (a tie), or NULL
    const char *skip_reason;
    bool carry_steps;       // a full check runs the block as one (gradcheck.h's
                            // numerical_gradient_bounded*: each entry's step starts
                            // from the one before and is sized by the block's mean);
                            // false, or a sample: every entry on its own
    EntriesFn entries;      // or NULL
    void *entries_ctx;
    SecondMethodFn second;  // or NULL
    void *second_ctx;
    const double *const *directions; // n_directions directions over all n entries, or NULL:
    int n_directions;                // one seeded random direction (entries in [−1, 1))
    bool directions_always; // the directions also when every entry is checked (some were skipped)
    double rtol;            // compare_bounded's relative tolerance
    bool check_all;
    uint64_t seed;          // the sample and the random direction
} BlockSpec;

typedef struct {
    CheckPlan plan;
    int count;                 // entries checked (plan.keep)
    int *idx;                  // their positions in the block, increasing
    double *analytic;          // their analytic values
    bool *skip;                // their skip marks (all false when spec->skip is NULL)
    NumericalDerivative *num;  // their numerical derivatives
    int by_second;             // how many the second method decided
    BoundedSummary entries;    // over the checked entries
    int n_directions;          // directions checked (0 when every entry was)
    double *dir_analytic;      // ∇L·v for each direction
    NumericalDerivative *dir_num;
    BoundedSummary directions; // over the directions
} BlockCheck;

// Runs the check of spec into *out. Returns false, with *out freed, when
// out of memory.
bool block_check_run(BlockCheck *out, const BlockSpec *spec);
void block_check_free(BlockCheck *c);

#endif
