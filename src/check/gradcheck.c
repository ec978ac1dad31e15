#include "gradcheck.h"
#include "mathfn.h"

#include <math.h>
#include <stddef.h>


// The workbook's one relative error, |a − n| / max(|a|, |n|) (a sign flip
// scores 2, a lost factor 2 scores 0.5), for checks and --answer alike.
double relative_error(double analytic, double numerical) {
    return fabs(analytic - numerical) / fmax(fmax(fabs(analytic), fabs(numerical)), GRADCHECK_TINY);
}

bool gradient_entry_passes(double analytic, double numerical, double tolerance) {
    return relative_error(analytic, numerical) <= tolerance ||
           fabs(analytic - numerical) <= GRADCHECK_ABS_FLOOR;
}

double central_difference_entry(double *entry, double h, LossFn loss, void *ctx) {
    double saved = *entry;
    double step = h * fmax(1.0, fabs(saved));
    *entry = saved + step;
    double up = loss(ctx);
    *entry = saved - step;
    double down = loss(ctx);
    *entry = saved;
    return (up - down) / (2.0 * step);
}

void numerical_gradient(double *grad_out, double *param, int n, LossFn loss, void *ctx, double h) {
    for (int k = 0; k < n; k++) grad_out[k] = central_difference_entry(&param[k], h, loss, ctx);
}

CheckSummary compare_gradients(const double *analytic, const double *numerical, const bool *skip,
                               int n, double tolerance) {
    CheckSummary s = {.worst = -1, .n = n, .tolerance = tolerance};
    for (int k = 0; k < n; k++) {
        if (skip && skip[k]) {
            s.skipped++;
            continue;
        }
        double abs_err = fabs(analytic[k] - numerical[k]);
        // When both values are zero to within round-off, their relative error
        // is noise (1e-12 vs 0 gives 1), so it does not count as the worst.
        bool both_zero = fabs(analytic[k]) <= GRADCHECK_ABS_FLOOR && fabs(numerical[k]) <= GRADCHECK_ABS_FLOOR;
        double rel = both_zero ? 0.0 : relative_error(analytic[k], numerical[k]);
        if (abs_err > s.max_abs_error) s.max_abs_error = abs_err;
        if (s.worst < 0 || rel > s.max_rel_error) {
            s.max_rel_error = rel;
            s.worst = k;
        }
        if (!gradient_entry_passes(analytic[k], numerical[k], tolerance)) s.failed++;
    }
    s.passed = s.failed == 0;
    return s;
}

// The direction's entries are uniform in [−1, 1): far cheaper than a
// Gaussian's log, sqrt and cos, so that the check costs its two loss calls
// and little else. A continuous distribution (unlike random signs) leaves no
// error pattern, such as two swapped entries, that cancels in ∇L·v with a
// fixed probability.
// Entry k is 2·rng_uniform − 1 of the (k+1)-th number of rng_make(seed)'s
// splitmix64 stream, computed directly from k so that no entry waits for the
// one before it.
static double direction_at(uint64_t seed, size_t k) {
    uint64_t z = seed + (uint64_t)(k + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return (double)(int64_t)(z >> 11) * 0x1.0p-52 - 1.0; // signed: one conversion instruction
}

DirectionalResult directional_check(ParamBlock *blocks, int n_blocks, LossFn loss, void *ctx,
                                    double h, uint64_t seed, double tolerance, double *scratch) {
    // One pass draws v, accumulates ∇L·v and ‖v‖², keeps θ and steps to θ + h v.
    double norm2 = 0.0, dot = 0.0;
    size_t at = 0;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++, at++) {
            double v = direction_at(seed, at);
            norm2 += v * v;
            dot += v * blocks[b].grad[k];
            scratch[at] = blocks[b].param[k];
            blocks[b].param[k] = scratch[at] + h * v;
        }
    double up = loss(ctx);
    // 2θ − (θ + h v): the mirror image of the point just used, so the two
    // points sit symmetrically about θ, and v need not be drawn again.
    at = 0;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++, at++) blocks[b].param[k] = 2.0 * scratch[at] - blocks[b].param[k];
    double down = loss(ctx);
    at = 0; // exact restore
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++) blocks[b].param[k] = scratch[at++];
    double norm = sqrt(norm2);
    DirectionalResult res = {.analytic = dot / norm, .tolerance = tolerance};
    res.numerical = (up - down) / (2.0 * h * norm);
    res.abs_error = fabs(res.analytic - res.numerical);
    res.rel_error = relative_error(res.analytic, res.numerical);
    res.passed = gradient_entry_passes(res.analytic, res.numerical, tolerance);
    return res;
}

// ---------------------------------------------------------------------------
// Error-bounded numerical derivatives.
//
// The scheme follows numdifftools' adaptive steps (central differences on a
// sequence of steps, Richardson extrapolation, an error estimate for each
// derivative, the step with the smallest estimate kept), cut down to what a
// per-entry check of thousands of parameters can afford: one Richardson
// pair (4 loss evaluations) per entry, and more only where that pair says
// its step was wrong for this entry.
//
// One attempt at step h:
//   D1 = D(h), D2 = D(h/2)      two central differences (realised steps)
//   value      R = D2 + (D2 − D1)/3     Richardson: the h² term cancels
//   truncation |D1 − D2|  (3× the usual estimate of D2's error, and far
//              above R's O(h⁴) error; it also absorbs noise the loss's own
//              scale understates)
//   round-off  ROUNDOFF_SAFETY·ε·(s₊ + s₋)/(2h) for each D (s: the terms'
//              magnitudes the loss reports), combined as R combines them
//   lever      |s₊ − s₋|/(2h): how fast the magnitudes of the terms move
//              with the entry — the size of the terms that make up ∂L/∂θ,
//              and so of the error a mistake in it would produce
// The step then adapts: while truncation dominates (a strongly curved loss,
// a kink inside the step) it shrinks by ∛(round-off/truncation), where the
// two would balance; while round-off dominates and the bound cannot resolve
// the derivative, it grows, but past the first step only for a smooth loss
// (numerical_gradient_bounded_smooth): a kink at distance δ ≪ h inside both steps moves
// D(h) and D(h/2) alike, by half the jump in slope, and Richardson's
// |D(h) − D(h/2)| = jump·δ/2h does not see it. The entry before's final step (relative to its
// first) is where the next entry starts: entries of one block are moved by
// the same inputs, so a block pays the adaptation about once.

#include <float.h>

// Attempts per entry (4 evaluations each); only entries whose first bound
// is poor use more than one.
#define MAX_ATTEMPTS 6
// One shrink divides the step by at most 1000 (a kink may sit anywhere
// inside it) and at least 4 (else it would hardly change the estimate).
#define SHRINK_MIN 1e-3
#define SHRINK_MAX 0.25
// One growth multiplies the step by at most 1e4 (aiming where round-off
// falls to GOOD_FRACTION of the derivative; truncation then ends the search).
#define GROW_MAX 1e4
// For a loss linear in the entry (numerical_gradient_bounded_linear) any
// step is exact but for round-off, so one growth may go 1e12 at once and
// the step has no upper limit but the doubles' range.
#define GROW_MAX_LINEAR 1e12
#define STEP_MAX_LINEAR 1e290
// Each loss value is off by at least a few of the smallest subnormals once
// its terms underflow (ε·Σ|t| is then 0): the round-off bound's floor.
#define SUBNORMAL_ULPS 4.0
// An exactly-zero entry's first step, as a fraction of the block's.
#define ZERO_ENTRY_FRACTION 1e-3
// The step stays above 64 ulps of θ (below that the realised step is
// mostly rounding) and below 1e-2·max(1, |θ|) (beyond that it is no longer
// a derivative at θ).
#define STEP_MIN_ULPS 64.0
#define STEP_MAX_REL 1e-2
#define BOUNDED_FIRST_STEP GRADCHECK_FIRST_STEP
#define ROUNDOFF_SAFETY GRADCHECK_ROUNDOFF_SAFETY
#define GOOD_FRACTION GRADCHECK_GOOD_FRACTION
#define RESOLVE_FRACTION GRADCHECK_RESOLVE_FRACTION

const char *verdict_name(Verdict v) {
    switch (v) {
    case VERDICT_PASS: return "pass";
    case VERDICT_FAIL: return "fail";
    case VERDICT_INCONCLUSIVE: return "inconclusive";
    case VERDICT_NOTHING_COMPARED: return "nothing compared";
    }
    return "?";
}

// How far a step may grow past its first: not at all (a kink could hide
// inside a larger step), to STEP_MAX_REL (a smooth loss), or without limit
// (a loss linear in the entry: every step is exact but for round-off).
typedef enum { GROW_TO_FIRST, GROW_TO_CAP, GROW_LINEAR } Growth;

// L at θ + t·d for a line through θ: *at receives the realised t, *scale the
// magnitude of the terms. A line is one entry or one direction.
typedef double (*LineEval)(void *line, double t, double *at, double *scale);

typedef struct {
    double value, truncation, roundoff, lever, step;
} Attempt;

// One central difference; *sum receives s₊ + s₋, *lever |s₊ − s₋|/width.
static double central_on(LineEval f, void *line, double h, double *roundoff, double *lever, double *sum) {
    double at_up, at_down, s_up, s_down;
    double up = f(line, h, &at_up, &s_up);
    double down = f(line, -h, &at_down, &s_down);
    double width = at_up - at_down;
    *sum = s_up + s_down;
    *roundoff = ROUNDOFF_SAFETY * (DBL_EPSILON * *sum + SUBNORMAL_ULPS * DBL_TRUE_MIN) / width;
    *lever = fabs(s_up - s_down) / width;
    return (up - down) / width;
}

static Attempt attempt_at(LineEval f, void *line, double h) {
    double r1, r2, v1, v2, sum1, sum2;
    double d1 = central_on(f, line, h, &r1, &v1, &sum1);
    double d2 = central_on(f, line, h / 2.0, &r2, &v2, &sum2);
    Attempt a = {.value = d2 + (d2 - d1) / 3.0, .truncation = fabs(d1 - d2), .step = h};
    a.roundoff = (4.0 * r2 + r1) / 3.0;
    // A term c·θ with θ = 0 changes |t| symmetrically (|±c·h|): the odd part
    // above sees nothing, the even part (s₊ₕ + s₋ₕ) − (s₊ₕ/₂ + s₋ₕ/₂) = |c|·h.
    a.lever = fmax(fmax(v1, v2), fabs(sum1 - sum2) / h);
    // L undefined or infinite at a point (a log's domain, an overflow): no
    // bound, and the next attempt shrinks as far as it may.
    if (!isfinite(a.value) || !isfinite(a.truncation) || !isfinite(a.roundoff) || !isfinite(a.lever))
        a = (Attempt){.value = 0.0, .truncation = INFINITY, .roundoff = 0.0, .lever = 0.0, .step = h};
    return a;
}

static double bound_of(const Attempt *a) { return a->truncation + a->roundoff; }

// The next step after attempt a, or 0 when there is none worth trying.
// Shrinking and growing never alternate (grown: a truncation-dominated
// attempt ends the search; shrunk: a round-off-dominated one does). A step
// below the first one (carried from the entry before) grows straight back.
static double next_step(const Attempt *a, double ref, double base, double h_min, double h_max, Growth may_grow,
                        int *direction) {
    double h;
    if (a->truncation > a->roundoff) {
        if (*direction > 0) return 0.0;
        *direction = -1;
        h = a->step * fmin(fmax(wb_cbrt(a->roundoff / a->truncation), SHRINK_MIN), SHRINK_MAX);
        if (h < h_min && a->step > h_min) h = h_min;
    } else {
        if (*direction < 0 || (may_grow == GROW_TO_FIRST && a->step >= base)) return 0.0;
        *direction = 1;
        double want = a->roundoff / fmax(GOOD_FRACTION * ref, DBL_MIN); // round-off falls as 1/h
        double most = may_grow == GROW_LINEAR ? GROW_MAX_LINEAR : GROW_MAX;
        h = a->step < base ? base : a->step * fmin(fmax(want, 2.0), most);
        if (h > h_max && a->step < h_max) h = h_max;
    }
    return h < h_min || h > h_max ? 0.0 : h;
}

// The adaptive search from step h; the best attempt becomes the result.
// h_unit: the first step of an entry of size one (where a step that moved
// nothing jumps).
static NumericalDerivative adapt(LineEval f, void *line, double h, double base, double h_unit, double h_min,
                                 double h_max, Growth may_grow) {
    Attempt best = {.truncation = INFINITY, .roundoff = INFINITY, .step = h};
    int evaluations = 0, direction = 0;
    for (int tries = 0; tries < MAX_ATTEMPTS && h > 0.0; tries++) {
        Attempt a = attempt_at(f, line, h);
        evaluations += 4;
        // Two attempts whose values differ by more than both bounds: one
        // bound is wrong. A larger step can be fooled (a kink, or a loss
        // that saturates inside both of its differences, looks straight);
        // a smaller one's bound covers its own round-off. Keep the smaller.
        bool contradicts = tries > 0 && isfinite(bound_of(&best)) && isfinite(bound_of(&a)) &&
                           fabs(a.value - best.value) > bound_of(&a) + bound_of(&best);
        if (contradicts && a.step > best.step) break;
        if (contradicts || bound_of(&a) < bound_of(&best)) best = a;
        // What the bound must resolve: the derivative itself, or, when it is
        // zero within the bound, the size of the terms that make it up.
        double ref = fabs(a.value) > bound_of(&a) ? fabs(a.value) : a.lever;
        // L did not move at either step: either the step was too small to
        // register (a first step in proportion to an entry of 1e-300; the
        // terms' sizes may still wobble by their rounding), or the entry does
        // not reach the loss. The step jumps to the one of an entry of size
        // one (or by GROW_MAX) and the search starts afresh there; at the
        // cap, nothing moving means the entry does not reach L.
        // Only where steps may grow: for a loss with kinks a larger step may
        // cross one that neither difference shows.
        if (a.value == 0.0 && a.truncation == 0.0 && may_grow == GROW_TO_FIRST) break;
        if (a.value == 0.0 && a.truncation == 0.0) {
            double cap = fmin(h_max, h_unit * (STEP_MAX_REL / BOUNDED_FIRST_STEP));
            if (!(h < cap)) break;
            h = base = fmin(fmax(h_unit, h * GROW_MAX), cap);
            direction = 0;
            continue;
        }
        // Zero within the bound: a small derivative may hide under round-off,
        // so a round-off-dominated step grows (once per block, as the next
        // entry starts from it) before the bound is taken against the lever.
        bool hidden = !(fabs(a.value) > bound_of(&a)) && a.roundoff >= a.truncation && h < h_max && tries == 0 &&
                      (may_grow != GROW_TO_FIRST ? h <= base : h < base);
        if (bound_of(&a) <= GOOD_FRACTION * ref && !hidden) break;
        h = next_step(&a, ref, base, h_min, h_max, may_grow, &direction);
    }
    double ref = fabs(best.value) > bound_of(&best) ? fabs(best.value) : best.lever;
    NumericalDerivative d = {.value = best.value, .bound = bound_of(&best), .step = best.step};
    // Still dominated by truncation at the best step, unresolved, and the
    // search shrank (or stopped at once): a kink or a jump inside every step
    // tried. A step that grew until truncation caught up is a smooth loss at
    // its balance, not a kink; an L that was never finite is no kink either,
    // just unbounded (compare_bounded calls it inconclusive).
    d.kink = direction <= 0 && isfinite(d.bound) && best.truncation > best.roundoff &&
             d.bound > RESOLVE_FRACTION * ref;
    d.lever = best.lever;
    d.evaluations = evaluations;
    d.why = !isfinite(d.bound) ? "central differences: L not finite at the steps tried"
            : best.roundoff < SUBNORMAL_ULPS * 4.0 * DBL_TRUE_MIN / best.step * ROUNDOFF_SAFETY
                ? "central differences: L moves by a few subnormals only (underflow)"
            : best.roundoff >= best.truncation
                ? "central differences: round-off above 1e-4 of the derivative at every step tried"
                : "central differences: truncation above 1e-4 of the derivative at every step tried";
    return d;
}

// ---- one entry of one block

typedef struct {
    double *param;
    int k;
    double saved;
    const Objective *obj;
} EntryLine;

static double entry_eval(void *line, double t, double *at, double *scale) {
    EntryLine *e = line;
    e->param[e->k] = e->saved + t;
    *at = e->param[e->k];
    *scale = 0.0;
    double v = e->obj->local ? e->obj->local(e->obj->ctx, e->k, scale) : e->obj->whole(e->obj->ctx, scale);
    if (!(*scale >= fabs(v))) *scale = fabs(v); // also a NaN scale
    e->param[e->k] = e->saved;                  // restored bit for bit
    return v;
}

// The first step: GRADCHECK_FIRST_STEP times the entry's size, or the
// block's typical size (mean |θ|) when that is larger, or 1 for a block of
// zeros. Relative to the values, so that inputs of 1e-9 and of 1e6 are
// stepped alike; the block's size keeps a zero entry's step in proportion.
static double first_step(double theta, double typical) { return BOUNDED_FIRST_STEP * fmax(fabs(theta), typical); }

static void gradient_bounded(NumericalDerivative *out, double *param, int n, const Objective *obj, Growth may_grow) {
    double typical = 0.0;
    for (int k = 0; k < n; k++) typical += fabs(param[k]) / n;
    if (!(typical > 0.0) || !isfinite(typical)) typical = 1.0;
    double carried = 1.0; // the entry before's final step over its first
    for (int k = 0; k < n; k++) {
        EntryLine e = {param, k, param[k], obj};
        double base = first_step(e.saved, typical);
        // An exact zero has no size of its own to step by: where the step
        // may grow, start it well below the block's, so that an entry with a
        // huge lever (0 beside a weight of 1e8) starts where L is still
        // curved; one growth brings an ordinary entry back.
        if (e.saved == 0.0 && may_grow != GROW_TO_FIRST) base *= ZERO_ENTRY_FRACTION;
        double h_min = fmax(STEP_MIN_ULPS * DBL_EPSILON * fabs(e.saved), 8.0 * DBL_MIN);
        double unit = fmax(1.0, fabs(e.saved));
        double h_max = (may_grow == GROW_LINEAR ? STEP_MAX_LINEAR : STEP_MAX_REL) * unit;
        double h = fmin(fmax(base * carried, h_min), h_max);
        out[k] = adapt(entry_eval, &e, h, base, BOUNDED_FIRST_STEP * unit, h_min, h_max, may_grow);
        // L linear in θ_k: its terms' sizes move exactly with the terms of
        // ∂L/∂θ_k (no term is curved, none cancels against another's size).
        out[k].lever_is_terms = may_grow == GROW_LINEAR;
        // A kink's shrink says nothing about the next entry's loss, and an
        // entry that does not reach the loss says nothing at all.
        if (!out[k].kink && out[k].lever > 0.0) carried = out[k].step / base;
    }
}

void numerical_gradient_bounded(NumericalDerivative *out, double *param, int n, const Objective *obj) {
    gradient_bounded(out, param, n, obj, GROW_TO_FIRST);
}

void numerical_gradient_bounded_smooth(NumericalDerivative *out, double *param, int n, const Objective *obj) {
    gradient_bounded(out, param, n, obj, GROW_TO_CAP);
}

void numerical_gradient_bounded_linear(NumericalDerivative *out, double *param, int n, const Objective *obj) {
    gradient_bounded(out, param, n, obj, GROW_LINEAR);
}

// The size a mistake in entry k would produce, which the bound must be
// small against. Relative mistakes (a factor, a sign, 1e-3 off) produce
// errors in proportion to the block's largest derivative; when the analytic
// block is zero within its bounds they produce none, and what remains are structural
// mistakes (a wrong index, a missing term) of the size of the terms that
// make up the derivative: lever_k.
static double block_reference(const double *analytic, const NumericalDerivative *num, const bool *skip, int n,
                              bool *all_zero) {
    double ref = 0.0;
    *all_zero = true;
    for (int k = 0; k < n; k++) {
        if ((skip && skip[k]) || num[k].kink) continue;
        ref = fmax(ref, fmax(fabs(analytic[k]), fabs(num[k].value)));
        // An exact 0, or (from the complex step or a linear loss, whose
        // lever is the size of the parts actually summed) rounding noise of 1e-17 within the
        // bound: what a mistake would produce is then measured by the terms
        // (lever_k), not by the noise. A central difference's lever also
        // counts terms that cancel exactly, so there only an exact 0 counts.
        bool zero = analytic[k] == 0.0 ||
                    (num[k].lever_is_terms && fmax(fabs(analytic[k]), fabs(num[k].value)) <= num[k].bound);
        if (!zero) *all_zero = false;
    }
    return ref;
}

// Entry k's verdict against the block's reference (block_reference);
// NOTHING_COMPARED for a skipped or kinked entry; *ratio receives bound/ref.
static Verdict entry_verdict(double a, const NumericalDerivative *d, bool skipped, double block_ref, bool all_zero,
                             double rtol, double *ratio) {
    if (skipped) return VERDICT_NOTHING_COMPARED;
    // An infinite or NaN analytic value would make the allowance infinite
    // (inf ≤ inf): it is never a gradient, even where the loss has a kink.
    if (!isfinite(a)) return VERDICT_FAIL;
    if (d->kink) return VERDICT_NOTHING_COMPARED;
    double err = fabs(a - d->value), allowance = rtol * fmax(fabs(a), fabs(d->value)) + d->bound;
    double ref = all_zero ? fmax(d->lever, block_ref) : block_ref;
    *ratio = ref > 0.0 ? d->bound / ref : d->bound > 0.0 ? INFINITY : 0.0;
    bool exact_zero = a == 0.0 && d->value == 0.0 && ref == 0.0; // nothing moved, nothing claimed
    if (!(err <= allowance)) return VERDICT_FAIL;
    if (!exact_zero && !(d->bound <= RESOLVE_FRACTION * ref)) return VERDICT_INCONCLUSIVE;
    return VERDICT_PASS;
}

void compare_bounded_entries(Verdict *out, const double *analytic, const NumericalDerivative *num, const bool *skip,
                             int n, double rtol) {
    bool all_zero;
    double block_ref = block_reference(analytic, num, skip, n, &all_zero), ratio;
    for (int k = 0; k < n; k++)
        out[k] = entry_verdict(analytic[k], &num[k], skip && skip[k], block_ref, all_zero, rtol, &ratio);
}

BoundedSummary compare_bounded(const double *analytic, const NumericalDerivative *num, const bool *skip,
                               const char *skip_reason, int n, double rtol) {
    BoundedSummary s = {.n = n, .tolerance = rtol, .worst = -1};
    bool all_zero;
    double block_ref = block_reference(analytic, num, skip, n, &all_zero);
    double worst_excess = -INFINITY;
    for (int k = 0; k < n; k++) {
        double ratio = 0.0, a = analytic[k], v = num[k].value, err = fabs(a - v);
        Verdict e = entry_verdict(a, &num[k], skip && skip[k], block_ref, all_zero, rtol, &ratio);
        if (e == VERDICT_NOTHING_COMPARED) {
            s.skipped++;
            (skip && skip[k]) ? s.skipped_marked++ : s.skipped_kink++;
            continue;
        }
        if (e == VERDICT_INCONCLUSIVE) {
            s.inconclusive++;
            s.bound = fmax(s.bound, num[k].bound); // what kept it undecided, in the JSON too
            if (!s.undecided_reason) s.undecided_reason = num[k].why;
            s.worst_bound_ratio = fmax(s.worst_bound_ratio, ratio);
            continue;
        }
        s.failed += e == VERDICT_FAIL;
        s.compared++;
        s.max_abs_error = fmax(s.max_abs_error, err);
        s.max_rel_error = fmax(s.max_rel_error, err / fmax(fmax(fabs(a), fabs(v)), GRADCHECK_TINY));
        s.bound = fmax(s.bound, num[k].bound);
        double excess = isfinite(a) ? err - (rtol * fmax(fabs(a), fabs(v)) + num[k].bound) : INFINITY;
        if (excess > worst_excess) worst_excess = excess, s.worst = k;
    }
    s.skip_reason = s.skipped_marked && s.skipped_kink ? GRADCHECK_KINK_AND_MARKED_REASON
                    : s.skipped_kink                  ? GRADCHECK_KINK_REASON
                    : s.skipped_marked                ? skip_reason
                                                      : NULL;
    s.verdict = s.failed ? VERDICT_FAIL
                : s.inconclusive ? VERDICT_INCONCLUSIVE
                : s.compared == 0 ? VERDICT_NOTHING_COMPARED
                : VERDICT_PASS;
    s.passed = s.verdict == VERDICT_PASS;
    return s;
}

double gradcheck_sum_rounding(double m) { return fmax(1.0, sqrt(m) / GRADCHECK_ROUNDOFF_SAFETY); }

// ---- a random direction over several blocks

typedef struct {
    ParamBlock *blocks;
    int n_blocks;
    const double *theta; // the saved parameters, all blocks in order
    uint64_t seed;
    const double *given; // the caller's direction v, or NULL for the seeded one
    double inv_norm;     // 1/‖v‖: steps are along the unit vector u = v/‖v‖
    const Objective *obj;
    double place; // Σ|g_k θ_k|: placing θ + t·u rounds L by up to ε times this
} DirectionLine;

static double direction_v(const DirectionLine *d, size_t at) {
    return d->given ? d->given[at] : direction_at(d->seed, at);
}

static void direction_place(const DirectionLine *d, double t) {
    size_t at = 0;
    for (int b = 0; b < d->n_blocks; b++)
        for (int k = 0; k < d->blocks[b].n; k++, at++)
            d->blocks[b].param[k] = t == 0.0 ? d->theta[at] : d->theta[at] + t * direction_v(d, at) * d->inv_norm;
}

static double direction_eval(void *line, double t, double *at, double *scale) {
    DirectionLine *d = line;
    direction_place(d, t);
    *at = t;
    *scale = 0.0;
    double v = d->obj->whole(d->obj->ctx, scale);
    if (!(*scale >= fabs(v))) *scale = fabs(v);
    // A loss measured from a baseline (L − L₀) has a small scale, but θ + t·u
    // rounded entry by entry still moves it: that rounding is part of the
    // noise, so it counts in the round-off the step is chosen by.
    *scale += d->place;
    direction_place(d, 0.0); // restored bit for bit
    return v;
}

// The derivative along u = v/‖v‖ (line->given, or the seeded v) with its
// bound: the adaptive Richardson scheme on the single number t, plus the
// rounding of ∇L·u (a dot product, ≲ n·ε·Σ|v g|/‖v‖); the rounding of
// placing θ + t·u entry by entry (each entry by up to ε|θ_k|) is part of each
// evaluation's round-off (direction_eval). *analytic gets ∇L·u.
static NumericalDerivative along_unit(DirectionLine *line, double *scratch, double *analytic, double *norm_out,
                                      Growth may_grow) {
    // v is taken over its largest entry when that exceeds 1, so that ‖v‖²
    // cannot overflow (a direction X·(1 + t) has entries as large as X).
    double vmax = 1.0;
    size_t at = 0;
    for (int b = 0; b < line->n_blocks; b++)
        for (int k = 0; k < line->blocks[b].n; k++, at++) vmax = fmax(vmax, fabs(direction_v(line, at)));
    double norm2 = 0.0, dot = 0.0, dot_abs = 0.0, theta_max = 0.0, place = 0.0;
    at = 0;
    for (int b = 0; b < line->n_blocks; b++)
        for (int k = 0; k < line->blocks[b].n; k++, at++) {
            double v = direction_v(line, at) / vmax;
            double g = line->blocks[b].grad[k], p = line->blocks[b].param[k];
            norm2 += v * v, dot += v * g, dot_abs += fabs(v * g);
            scratch[at] = p;
            theta_max = fmax(theta_max, fabs(p));
            place += fabs(g) * fabs(p);
        }
    double norm = sqrt(norm2); // of v/vmax
    *norm_out = vmax * norm;
    *analytic = 0.0;
    NumericalDerivative d = {.value = 0.0};
    if (at == 0 || norm2 == 0.0) return d;
    line->theta = scratch;
    line->inv_norm = 1.0 / (vmax * norm);
    line->place = place;
    double h = first_step(theta_max, 1.0);
    double h_max = (may_grow == GROW_LINEAR ? STEP_MAX_LINEAR : STEP_MAX_REL) * fmax(1.0, theta_max);
    d = adapt(direction_eval, line, h, h, h, STEP_MIN_ULPS * DBL_EPSILON * h / BOUNDED_FIRST_STEP, h_max, may_grow);
    d.lever_is_terms = may_grow == GROW_LINEAR;
    *analytic = dot / norm;
    d.bound += DBL_EPSILON * (double)at * dot_abs / norm;
    return d;
}

DirectionalBounded directional_check_bounded(ParamBlock *blocks, int n_blocks, const Objective *obj,
                                             uint64_t seed, double rtol, double *scratch) {
    DirectionLine line = {blocks, n_blocks, scratch, seed, NULL, 1.0, obj, 0.0};
    double analytic, norm;
    NumericalDerivative d = along_unit(&line, scratch, &analytic, &norm, GROW_TO_FIRST);
    DirectionalBounded res = {.tolerance = rtol, .verdict = VERDICT_NOTHING_COMPARED};
    if (norm == 0.0) return res;
    res.analytic = analytic;
    res.numerical = d.value;
    res.bound = d.bound;
    res.step = d.step;
    res.evaluations = d.evaluations;
    res.abs_error = fabs(res.analytic - res.numerical);
    res.rel_error = res.abs_error / fmax(fmax(fabs(res.analytic), fabs(res.numerical)), GRADCHECK_TINY);
    double ref = fmax(fmax(fabs(res.analytic), fabs(res.numerical)), d.lever);
    res.verdict = !(res.abs_error <= rtol * fmax(fabs(res.analytic), fabs(res.numerical)) + res.bound)
                      ? VERDICT_FAIL
                  : d.kink || !(res.bound <= RESOLVE_FRACTION * ref) ? VERDICT_INCONCLUSIVE
                                                                      : VERDICT_PASS;
    res.passed = res.verdict == VERDICT_PASS;
    return res;
}

static NumericalDerivative derivative_along(ParamBlock *blocks, int n_blocks, const double *dir, const Objective *obj,
                                            double *scratch, Growth may_grow) {
    DirectionLine line = {blocks, n_blocks, scratch, 0, dir, 1.0, obj, 0.0};
    double analytic, norm;
    NumericalDerivative d = along_unit(&line, scratch, &analytic, &norm, may_grow);
    // d/dt L(θ + t·v) = ‖v‖ · d/ds L(θ + s·u): value, bound, step and lever scale.
    d.value *= norm, d.bound *= norm, d.lever *= norm;
    if (norm > 0.0) d.step /= norm;
    return d;
}

NumericalDerivative directional_derivative_along(ParamBlock *blocks, int n_blocks, const double *dir,
                                                 const Objective *obj, double *scratch) {
    return derivative_along(blocks, n_blocks, dir, obj, scratch, GROW_TO_FIRST);
}

NumericalDerivative directional_derivative_along_linear(ParamBlock *blocks, int n_blocks, const double *dir,
                                                        const Objective *obj, double *scratch) {
    return derivative_along(blocks, n_blocks, dir, obj, scratch, GROW_LINEAR);
}

void gradcheck_sample(bool *skip, int n, int keep, uint64_t seed) {
    for (int k = 0; k < n; k++) skip[k] = keep < n;
    if (keep >= n) return;
    // Floyd's algorithm: keep distinct entries, each subset equally likely.
    for (int j = n - keep; j < n; j++) {
        int t = (int)(direction_at(seed, (size_t)j) * 0.5 * (j + 1) + 0.5 * (j + 1));
        if (t > j) t = j;
        if (t < 0) t = 0;
        if (!skip[t]) t = j;
        skip[t] = false;
    }
}
