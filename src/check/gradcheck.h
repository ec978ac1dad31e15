#ifndef WORKBOOK_GRADCHECK_H
#define WORKBOOK_GRADCHECK_H
// Checking an analytic gradient against finite differences.
//
// Every verdict the chapters give comes from the bounded checker in the
// second half of this file: each numerical derivative carries a bound on
// its own error, and a check says PASS, FAIL or INCONCLUSIVE (where central
// differences cannot decide, cstep.h's complex step is the second method).
//
// A layer whose output Y is a matrix is checked through the scalar
// L = Σ G∘Y for a fixed upstream gradient G (the vector-Jacobian trick):
// ∂L/∂θ is then exactly what the layer's backward pass returns for dY = G.
//
// The loss callback reads the parameters the checker perturbs in place; the
// checker restores every entry exactly before it returns. Buffers are the
// caller's.
//
// The first half is the OLD fixed-step rule, no longer behind any verdict
// in chapters 0–5: a fixed step h_k = h·max(1, |θ_k|), and an entry passes
// when |a − n| / (|a| + |n|) ≤ tolerance or |a − n| ≤ GRADCHECK_ABS_FLOOR.
// What still uses it: chapter 6's §6.4 (the cached and the plain fixed-step
// gradients of network_fast.c must agree bit for bit: an identity, not a
// verdict on a gradient), report_check (only the report-format tests call
// it, for its verdict-line layout),
// make bench's lines labelled as the old rule, and the tests that show what
// it gets wrong.
#include <stdbool.h>
#include <stdint.h>

// The old rule's constants.
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

// (L(θ + s) − L(θ − s)) / 2s for one entry, s = h·max(1, |θ|), the entry
// restored exactly: the old rule's one central difference, which
// numerical_gradient and network_fast.c's cached check share.
double central_difference_entry(double *entry, double h, LossFn loss, void *ctx);

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

// ---------------------------------------------------------------------------
// Error-bounded numerical derivatives and three-way verdicts.
//
// Every numerical derivative carries a bound on its own error:
//   truncation  estimated by Richardson: two central differences D(h) and
//               D(h/2) differ by about 3/4 of D(h)'s O(h²) error; the value
//               is their extrapolation, and |D(h) − D(h/2)| its bound;
//   round-off   ε times the magnitude of the terms actually summed into the
//               two loss values, divided by the step.
// An entry passes when |a − n| ≤ rtol·max(|a|, |n|) + bound, and fails
// otherwise. When the bound is too large to tell a right gradient from a
// wrong one, the entry is INCONCLUSIVE, never PASS.

// The loss as the checker sees it. The checker perturbs entries of the
// block it checks in place and restores them exactly.
//   whole(ctx, &scale)     L at the current parameters; *scale receives
//                          Σ|t| over the terms t summed to form L (≥ |L|),
//                          which sets L's round-off: about ε·scale. A term
//                          built from an inner sum that cancels (t = g·Y,
//                          Y = Σ x·k) counts the parts' magnitudes times the
//                          term's sensitivity to them (|g|·Σ|x·k|): that is
//                          how far the inner rounding can move L.
//   local(ctx, k, &scale)  NULL, or only the terms of L that entry k of the
//                          checked block can change. In exact arithmetic its
//                          differences equal whole's; it costs O(what k
//                          touches) instead of O(everything) and cancels less.
typedef struct {
    double (*whole)(void *ctx, double *scale);
    double (*local)(void *ctx, int k, double *scale);
    void *ctx;
} Objective;

// First step, relative to max(|θ_k|, the block's mean |θ|), or 1 for a block
// of zeros: ∛ε balances an O(h²) truncation error against an O(ε/h)
// round-off error for a loss and derivatives of order one; relative to the
// values, so that inputs of 1e-9 and of 1e6 are stepped alike.
#define GRADCHECK_FIRST_STEP 6e-6
// Rounding in a loss that sums many products is a few ε per term; 8ε
// covers the dot products, exp, log1p and sums every chapter's loss is made of.
#define GRADCHECK_ROUNDOFF_SAFETY 8.0
// A sum of m terms rounds by about √m·ε·Σ|t| (each addition by up to ε of
// its partial sum, in directions that are as good as random), which
// GRADCHECK_ROUNDOFF_SAFETY covers for m up to 64. An objective whose L is
// built from longer sums multiplies the magnitude it reports by this
// factor, max(1, √m / GRADCHECK_ROUNDOFF_SAFETY): a 999x999 kernel's outputs
// are sums of 998,001 products, which round 125 times more than 8ε.
double gradcheck_sum_rounding(double m);
// A bound below this fraction of the derivative's reference size needs no
// better step: a mistake of 1e-3 relative is then 100 bounds away.
#define GRADCHECK_GOOD_FRACTION 1e-5
// A bound above this fraction of the reference size is too large to tell a
// right gradient from a wrong one: INCONCLUSIVE. Mistakes of 1e-3 relative
// (and every real slip: a sign, a factor, an index) stay 10 bounds away.
#define GRADCHECK_RESOLVE_FRACTION 1e-4
// The skip reasons compare_bounded reports for entries it skipped itself.
#define GRADCHECK_KINK_REASON "not differentiable: a kink inside every step tried (no tie was marked)"
#define GRADCHECK_KINK_AND_MARKED_REASON "ties marked by the chapter, and kinks inside every step tried"

// One numerical derivative and what is known about its error.
typedef struct {
    double value; // the estimate of ∂L/∂θ_k (Richardson: D(h/2) + (D(h/2) − D(h))/3)
    double bound; // |value − true derivative| ≤ bound (truncation + round-off)
    double step;  // the step h it was finally computed with (pairs at h and h/2)
    bool kink;    // no step small enough avoided a kink: not differentiable here
    double lever; // |Δscale|/Δθ: how fast the terms' magnitudes move with θ_k,
                  // the size of the terms that make up ∂L/∂θ_k, and so of the
                  // error a mistake in it would produce (the reference the
                  // bound is compared with when the derivative itself is ~0)
    int evaluations; // loss evaluations spent on this entry (4 per attempt)
    bool complex_step; // value and bound from the complex step (cstep.h), not central differences
    bool lever_is_terms; // lever is exactly the size of the terms summed into ∂L/∂θ_k (the
                         // complex step; central differences of a loss linear in θ_k), so a
                         // derivative that is zero within its bound is judged against it
    const char *why;   // static text, or NULL: which method was tried and why it could not
                       // decide (shown when the entry ends INCONCLUSIVE)
} NumericalDerivative;

typedef enum { VERDICT_PASS, VERDICT_FAIL, VERDICT_INCONCLUSIVE, VERDICT_NOTHING_COMPARED } Verdict;

// "pass", "fail", "inconclusive", "nothing compared" (the JSON spelling).
const char *verdict_name(Verdict v);

// What a check compared and what it found.
typedef struct {
    int n;            // entries in the block
    int compared;     // entries whose verdict was decided (pass or fail)
    int failed;
    int inconclusive; // entries whose bound was too large to decide
    int skipped;      // entries not compared (skip mask or kink), see why
    const char *skip_reason; // static text: why entries were skipped; NULL if none
    double max_abs_error, max_rel_error; // over compared entries
    double tolerance; // rtol
    double bound;     // the largest bound among compared entries
    int worst;        // compared entry with the largest |a − n| − allowance (-1: none)
    Verdict verdict;  // FAIL if any failed; else INCONCLUSIVE if any was; else
                      // NOTHING_COMPARED if none compared; else PASS
    bool passed;      // verdict == VERDICT_PASS
    int skipped_marked; // of skipped: marked in the caller's skip mask (real ties)
    int skipped_kink;   // of skipped: the checker's own kink flag (no step avoided one)
    const char *undecided_reason; // static text: why the inconclusive entries stayed
                                  // undecided (the first one's NumericalDerivative.why)
    double worst_bound_ratio; // largest bound / reference size among the
                              // inconclusive entries (0 if none): how far
                              // from GRADCHECK_RESOLVE_FRACTION they were
} BoundedSummary;

// out[k] for every k < n: central differences on param[k] with a step
// chosen per entry, Richardson's truncation estimate and the round-off
// bound; a step that crosses a kink is shrunk until it does not; a step
// whose round-off cannot resolve the derivative grows. Costs 4 loss
// evaluations per entry; more only where the first pair's bound is poor,
// and a block pays that about once (each entry starts from the step its
// predecessor ended with). Restores every entry bit for bit.
void numerical_gradient_bounded(NumericalDerivative *out, double *param, int n, const Objective *obj);
// The same for a loss that is smooth in every checked entry (no max, ReLU
// or |·| inside: a dense layer, a convolution, BCE): a step may also grow
// past its first one when round-off hides the derivative. The plain version
// only shrinks steps (and grows a carried one back to the first), because a
// larger step could cross a kink that neither of its two differences shows.
void numerical_gradient_bounded_smooth(NumericalDerivative *out, double *param, int n, const Objective *obj);
// The same for a loss linear in every checked entry (a convolution in X, K
// or b; L = Σ G∘Y): every step is exact but for round-off, so a step grows
// without limit while round-off hides the derivative (the Richardson bound
// still measures what curvature there is).
void numerical_gradient_bounded_linear(NumericalDerivative *out, double *param, int n, const Objective *obj);

// Compares n entries: entry k fails when |a − n| > rtol·max(|a|, |n|) +
// bound; it is INCONCLUSIVE (neither compared nor failed) when it did not
// fail but its bound exceeds GRADCHECK_RESOLVE_FRACTION times the reference
// size max(the block's largest |a| or |n|, lever_k) — a mistake could then
// hide inside the bound; otherwise it passes. An exactly-zero derivative
// (a = n = 0, nothing moved) passes. skip[k] (skip may be NULL) marks
// entries not compared for skip_reason (e.g. "a tie: not differentiable");
// entries the checker flagged as kinks are skipped with
// GRADCHECK_KINK_REASON (the summary says which case it was). A tie, or two
// values closer than the checker's smallest step (64 ulps), looks smooth to
// any difference quotient (max at a tie measures 1/2 at every step): only
// the caller knows it is one, and must mark it.
BoundedSummary compare_bounded(const double *analytic, const NumericalDerivative *num, const bool *skip,
                               const char *skip_reason, int n, double rtol);
// Each entry's own verdict by the same rule, for a per-entry table: PASS,
// FAIL, INCONCLUSIVE (its bound too large), or NOTHING_COMPARED (skipped or
// a kink). out holds n (caller-owned).
void compare_bounded_entries(Verdict *out, const double *analytic, const NumericalDerivative *num, const bool *skip,
                             int n, double rtol);

// The work budget: when checking all n entries would take too long, a
// chapter checks a seeded random sample of `keep` of them (plus a
// directional check over all) and says so. Marks every entry not in the
// sample in skip (caller-owned, n entries); the same seed gives the same
// sample. keep ≥ n marks nothing.
void gradcheck_sample(bool *skip, int n, int keep, uint64_t seed);

// The directional check with a bound: the derivative along the seeded unit
// direction u = v/‖v‖ (v as in directional_check) by the same adaptive
// Richardson scheme (4 whole-loss evaluations, more only if the first pair's
// bound is poor), against ∇L·u. Passes, fails or is inconclusive by the rule
// of compare_bounded, with the reference max(|∇L·u|, |numerical|, lever).
// Its step never grows past the first (a network's max pooling has kinks).
// scratch (caller-owned) holds as many doubles as all blocks together; every
// entry is restored bit for bit.
typedef struct {
    double numerical; // the derivative along u, by finite differences
    double analytic;  // ∇L · u
    double bound;     // numerical's error bound, plus the rounding of ∇L·u
                      // and of placing θ + t·u entry by entry
    double abs_error, rel_error, tolerance;
    double step;      // the step along u it was computed with
    int evaluations;  // loss evaluations spent
    Verdict verdict;  // NOTHING_COMPARED when the blocks hold no entry
    bool passed;      // verdict == VERDICT_PASS
} DirectionalBounded;

DirectionalBounded directional_check_bounded(ParamBlock *blocks, int n_blocks, const Objective *obj,
                                             uint64_t seed, double rtol, double *scratch);

// d/dt L(θ + t·v) at t = 0 along the caller's direction v (dir: as many
// doubles as all blocks together), by the same scheme and bound as
// directional_check_bounded (it is ‖v‖ times the derivative along v/‖v‖),
// the bound including the rounding of ∇L·v and of placing θ + t·v. For a
// table of directions compared by compare_bounded; blocks[b].grad is the
// analytic gradient the bound's rounding terms need. scratch as above;
// every entry is restored bit for bit. A zero v gives value and bound 0.
NumericalDerivative directional_derivative_along(ParamBlock *blocks, int n_blocks, const double *dir,
                                                 const Objective *obj, double *scratch);
// The same for a loss linear along v (a convolution in X, K or b): the
// step grows while round-off hides the derivative, as in
// numerical_gradient_bounded_linear. With the first-step rule alone, a
// 1000x1000 input under a 999x999 kernel (L ~ 1e7, each entry moved by
// 1e-8) left the derivative inside its round-off: INCONCLUSIVE.
NumericalDerivative directional_derivative_along_linear(ParamBlock *blocks, int n_blocks, const double *dir,
                                                        const Objective *obj, double *scratch);

#endif
