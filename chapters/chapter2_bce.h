#ifndef CHAPTER2_BCE_H
#define CHAPTER2_BCE_H
// What chapter 2's units share (chapter2_bce.c defines the functions): the
// --bug list, the data, the loss entry by entry, and the gradients as a run
// computes them.
#include <stdbool.h>

#include "tensor.h"

// ∂L/∂ŷ·ŷ(1 − ŷ) and (ŷ − y)/n differ by rounding in 1 − ŷ, at most
// ε/margin ≈ 2e-10 relative for entries at least CHAIN_MARGIN from 0 and 1.
#define CHAIN_MARGIN 1e-6
#define CHAIN_REL_TOL 1e-9

// --bug, resolved at parsing (opt.bug_id), in the order of BUGS.
typedef enum { BUG_NONE, BUG_SIGN, BUG_NO_MEAN, BUG_SKIP_SIGMOID } Bug;
typedef struct {
    int n;
    bool from_z; // the user gave logits (ŷ = σ(z)) rather than ŷ (z = logit ŷ)
    Tensor y, z, yhat;
} Data;

// The loss as the checker sees it, entry by entry: v holds the m values it
// perturbs (ŷ or z), v[e] being entry idx[e] (idx NULL: entry e). Only an
// entry's own term can change with it, so a saturated entry elsewhere (an
// infinite term) never enters its difference: the Objective's `local`.
typedef struct {
    const double *y;
    const double *v;
    const int *idx;
    int m, n;
} TermLoss;

// ∂L/∂ŷ as this run computes it (--bug).
void grad_yhat_chosen(double *d, const double *y, const double *yhat, int n, int bug_id);

// ∂L/∂z as this run computes it (--bug); dl_dyhat is this run's ∂L/∂ŷ.
void grad_z_chosen(double *d, const double *y, const double *z, const double *dl_dyhat, int n, int bug_id);

// The distance of ŷ to the nearer of 0 and 1.
double yhat_margin(double yhat);

#endif
