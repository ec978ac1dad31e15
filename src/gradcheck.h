#ifndef WORKBOOK_GRADCHECK_H
#define WORKBOOK_GRADCHECK_H
// Checking an analytic gradient against finite differences.
//
// Central difference, entry k:  n_k = (L(θ + h_k e_k) − L(θ − h_k e_k)) / (2 h_k)
// with h_k = h · max(1, |θ_k|), so the step stays meaningful for huge entries.
// Relative error:               |a − n| / max(|a| + |n|, GRADCHECK_TINY)
// An entry passes when its relative error is at most the tolerance, or when
// both values sit inside the round-off floor (|a − n| ≤ GRADCHECK_ABS_FLOOR).
//
// A layer whose output Y is a matrix is checked through the scalar
// L = Σ G∘Y for a fixed upstream gradient G (the vector-Jacobian trick):
// ∂L/∂θ is then exactly what the layer's backward pass returns for dY = G.
//
// The loss callback reads the parameters the checker perturbs in place; the
// checker restores every entry exactly before it returns. Buffers are the
// caller's.

#include <stdbool.h>
#include <stdint.h>

// The default step: central-difference truncation error is O(h²) ≈ 1e-12 and
// round-off ε·|L|/h ≈ 1e-10 for an O(1) loss, both far below the tolerance.
#define GRADCHECK_H 1e-6
// A correct gradient measures 1e-8 or better with h = 1e-6; a real mistake
// (a missing factor, a transposed index) measures 1e-2 or worse.
#define GRADCHECK_REL_TOL 1e-6
// Round-off in a central difference of a loss up to ~100 with h = 1e-6 is
// ε·|L|/h ≲ 2e-8: below this absolute error two values cannot be told apart.
#define GRADCHECK_ABS_FLOOR 1e-8
// Keeps the relative error defined (0) when both values are exactly zero.
#define GRADCHECK_TINY 1e-300

typedef double (*LossFn)(void *ctx);

typedef struct {
    double max_abs_error;
    double max_rel_error; // over compared entries; two values both within the floor of 0 count 0
    int worst;            // entry with the largest relative error (-1 if none)
    int n, failed, skipped;
    double tolerance;
    bool passed;
} CheckSummary;

double relative_error(double analytic, double numerical);
bool gradient_entry_passes(double analytic, double numerical, double tolerance);

// grad_out[k] for every k < n, by central differences on param[k].
void numerical_gradient(double *grad_out, double *param, int n, LossFn loss, void *ctx, double h);

// Compares n entries. skip[k] (when skip is non-NULL) marks entries where
// finite differences are not valid (a kink): they count as skipped, never as
// failures.
CheckSummary compare_gradients(const double *analytic, const double *numerical, const bool *skip,
                               int n, double tolerance);

// One block of parameters for the directional check.
typedef struct {
    double *param;
    const double *grad; // analytic ∂L/∂param
    int n;
} ParamBlock;

typedef struct {
    double numerical; // (L(θ + h v) − L(θ − h v)) / (2h‖v‖)
    double analytic;  // ∇L · u,  u = v/‖v‖
    double abs_error, rel_error, tolerance;
    bool passed;
} DirectionalResult;

// Draws one seeded random direction v over all blocks together (entries
// uniform in [−1, 1), so each entry moves by at most h) and compares the
// directional derivative along u = v/‖v‖ with ∇L·u. Cost: two loss calls
// and one pass of random numbers. scratch (caller-owned) holds as many
// doubles as all blocks together; it keeps θ so that every entry is restored
// exactly.
DirectionalResult directional_check(ParamBlock *blocks, int n_blocks, LossFn loss, void *ctx,
                                    double h, uint64_t seed, double tolerance, double *scratch);

#endif
