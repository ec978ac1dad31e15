#ifndef WORKBOOK_CONV_CHECK_H
#define WORKBOOK_CONV_CHECK_H
// Checking a convolution layer's gradients within a work budget.
//
// Every entry of a block (X, K or b) is compared with an error-bounded
// central difference of L = Σ G∘Y (conv_objective: local, so one entry of X
// costs O(kh·kw) whatever the size of X). Before checking, the cost is
// estimated; when all entries would take longer than the budget, a seeded
// sample is checked plus the derivative along one seeded random direction
// over the whole block, and the report says so in one line.

#include <stdbool.h>
#include <stdint.h>

#include "conv.h"
#include "report.h"
#include "tensor.h"

// About 2 s of local differences at ~1e9 multiply-adds per second; progress
// is shown (stderr on a terminal) for checks estimated above 1 s.
#define CONV_CHECK_MACS_PER_SECOND 1e9
#define CONV_CHECK_BUDGET_MACS 2e9
#define CONV_CHECK_PROGRESS_MACS 1e9
// The per-entry table is printed up to this many entries; above, the
// verdict line alone says what was compared.
#define CONV_CHECK_TABLE_MAX 48

typedef struct {
    bool check_all;     // every entry, whatever the cost (--check-all)
    uint64_t seed;      // the sample drawn when the budget is exceeded
    bool progress;      // stderr is a terminal: show progress on long checks
    double budget_macs; // the work budget (CONV_CHECK_BUDGET_MACS)
} ConvCheckPlan;

// The plan for a run: check_all from --check-all (wire opt.check_all here),
// progress when stderr is a terminal, the default budget.
ConvCheckPlan conv_check_plan(bool check_all, uint64_t seed);

// Multiply-adds of one entry's four local loss evaluations (two steps).
double conv_check_entry_cost(const ConvShape *s, ConvBlock block);
// How many of n entries are checked: n when they fit the budget or
// check_all, else as many as the budget allows (at least 1).
int conv_check_entries(int n, double per_entry, const ConvCheckPlan *p);

// out[t] for the entries idx[0..keep) of param (the block ctx names; param
// is that block's data, perturbed in place and restored).
void conv_check_differences(NumericalDerivative *out, const int *idx, int keep, double *param,
                            ConvObjective *ctx, bool show_progress, const char *name);

// Checks analytic (shaped like the block) and reports it: the per-entry
// table for small blocks, the verdict line otherwise, the sample and the
// directional check when over budget. Returns the verdict (of the sample).
Verdict conv_check_block(Report *r, const char *name, ConvObjective *ctx, double *param, const Tensor *analytic,
                         const ConvCheckPlan *p);

// Every entry of a small block, no report: the summary alone.
BoundedSummary conv_check_all_entries(ConvObjective *ctx, double *param, const double *analytic, int n);

// The backward pass a sweep checks: fills (zeroed) dx, dk, db for upstream g.
typedef void (*ConvBackwardFn)(double *dx, double *dk, double *db, const double *g, const double *x,
                               const double *k, const ConvShape *s, void *ctx);

// A seeded sweep over stride s ∈ {1,2,3}, padding p ∈ {0,1,2}, dilation
// d ∈ {1,2}, C_in ∈ {1,3} and C_out ∈ {1,2}: random kernels from 1x1 to 3x3,
// inputs that leave leftovers, values in [−2, 2). Each of the 72 cases
// checks backward's ∂L/∂X, ∂L/∂K and ∂L/∂b against error-bounded local
// differences; one table row per case, then one check over all of them and
// the identity scatter = full convolution over all of them. Returns the
// verdict of the gradient check.
Verdict conv_check_sweep(Report *r, uint64_t seed, ConvBackwardFn backward, void *ctx);

#endif
