#ifndef WORKBOOK_CONV_CHECK_H
#define WORKBOOK_CONV_CHECK_H
// Checking a convolution layer's gradients within a work budget.
//
// Every entry of a block (X, K or b) is compared with an error-bounded
// central difference of L = Σ G∘Y (conv_objective: local, so one entry of X
// costs O(kh·kw) whatever the size of X), through check_block: the work
// budget, the sample and the directional check are the ones every chapter
// uses.

#include <stdbool.h>
#include <stdint.h>

#include "check_block.h"
#include "conv.h"
#include "report.h"
#include "tensor.h"

typedef struct {
    bool check_all; // every entry, whatever the cost (--check-all)
    uint64_t seed;  // the sample and the direction when over budget
} ConvCheckPlan;

// The plan for a run: wire --check-all and --seed here.
ConvCheckPlan conv_check_plan(bool check_all, uint64_t seed);

// Multiply-adds of one local loss evaluation for one entry of the block.
double conv_check_eval_cost(const ConvShape *s, ConvBlock block);

// The block check (src/check/check_block.h) of one block of a convolution:
// its local objective, linear in every entry, the work of one evaluation.
BlockSpec conv_block_spec(ConvObjective *ctx, double *param, const Tensor *analytic, const ConvCheckPlan *p);

// check_block (src/report/report_block.h) of that spec: the per-entry
// table, the sample and the directional check when over the budget.
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
