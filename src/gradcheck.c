#include "gradcheck.h"

#include <math.h>
#include <stddef.h>


double relative_error(double analytic, double numerical) {
    return fabs(analytic - numerical) / fmax(fabs(analytic) + fabs(numerical), GRADCHECK_TINY);
}

bool gradient_entry_passes(double analytic, double numerical, double tolerance) {
    return relative_error(analytic, numerical) <= tolerance ||
           fabs(analytic - numerical) <= GRADCHECK_ABS_FLOOR;
}

void numerical_gradient(double *grad_out, double *param, int n, LossFn loss, void *ctx, double h) {
    for (int k = 0; k < n; k++) {
        double saved = param[k];
        double step = h * fmax(1.0, fabs(saved));
        param[k] = saved + step;
        double up = loss(ctx);
        param[k] = saved - step;
        double down = loss(ctx);
        param[k] = saved;
        grad_out[k] = (up - down) / (2.0 * step);
    }
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

#include <float.h>

// First step: the cube root of ε balances an O(h²) truncation error against
// an O(ε/h) round-off error for a loss and derivatives of order one.
#define BOUNDED_FIRST_STEP 6e-6
// Rounding in a loss that sums many products is a few ε per term; 8ε
// covers the dot products and sums every chapter's loss is made of.
#define ROUNDOFF_SAFETY 8.0
// Steps tried when Richardson's truncation estimate dominates (a kink or a
// strongly curved loss): each a tenth of the one before.
#define MAX_STEP_SHRINKS 6
// A bound above this fraction of the block's largest derivative is too
// large to tell a right gradient from a wrong one: INCONCLUSIVE.
#define RESOLVE_FRACTION 1e-2

const char *verdict_name(Verdict v) {
    switch (v) {
    case VERDICT_PASS: return "pass";
    case VERDICT_FAIL: return "fail";
    case VERDICT_INCONCLUSIVE: return "inconclusive";
    case VERDICT_NOTHING_COMPARED: return "nothing compared";
    }
    return "?";
}

static double evaluate(const Objective *o, int k, double *scale) {
    *scale = 0.0;
    double v = o->local ? o->local(o->ctx, k, scale) : o->whole(o->ctx, scale);
    if (*scale < fabs(v)) *scale = fabs(v);
    return v;
}

// D(h) = (L(θ+h) − L(θ−h)) / (θ+h − (θ−h)), with the realised step, and
// the round-off in it.
static double central(double *param, int k, double h, const Objective *o, double *roundoff) {
    double saved = param[k], s_up, s_down;
    param[k] = saved + h;
    double hi = param[k];
    double up = evaluate(o, k, &s_up);
    param[k] = saved - h;
    double lo = param[k];
    double down = evaluate(o, k, &s_down);
    param[k] = saved;
    *roundoff = ROUNDOFF_SAFETY * DBL_EPSILON * (s_up + s_down) / (hi - lo);
    return (up - down) / (hi - lo);
}

void numerical_gradient_bounded(NumericalDerivative *out, double *param, int n, const Objective *obj) {
    for (int k = 0; k < n; k++) {
        double h = BOUNDED_FIRST_STEP * fmax(1.0, fabs(param[k]));
        NumericalDerivative best = {.value = 0.0, .bound = INFINITY, .step = h};
        for (int tries = 0; tries <= MAX_STEP_SHRINKS; tries++, h /= 10.0) {
            double r1, r2;
            double d1 = central(param, k, h, obj, &r1);
            double d2 = central(param, k, h / 2.0, obj, &r2);
            double truncation = fabs(d1 - d2) / 3.0;
            double bound = truncation + r2;
            if (bound < best.bound) best = (NumericalDerivative){.value = d2, .bound = bound, .step = h / 2.0};
            if (truncation <= r2) break; // round-off dominates: a smaller step only adds noise
        }
        best.kink = best.bound > RESOLVE_FRACTION * fabs(best.value) && best.bound > 1.0;
        out[k] = best;
    }
}

BoundedSummary compare_bounded(const double *analytic, const NumericalDerivative *num, const bool *skip,
                               const char *skip_reason, int n, double rtol) {
    BoundedSummary s = {.n = n, .tolerance = rtol, .worst = -1};
    double scale = 0.0;
    for (int k = 0; k < n; k++)
        if (!(skip && skip[k]) && !num[k].kink) scale = fmax(scale, fmax(fabs(analytic[k]), fabs(num[k].value)));
    double worst_excess = -INFINITY;
    for (int k = 0; k < n; k++) {
        if (skip && skip[k]) {
            s.skipped++;
            s.skip_reason = skip_reason;
            continue;
        }
        if (num[k].kink) {
            s.skipped++;
            if (!s.skip_reason) s.skip_reason = "not differentiable here (a kink within every step)";
            continue;
        }
        double a = analytic[k], v = num[k].value, err = fabs(a - v);
        double allowance = rtol * fmax(fabs(a), fabs(v)) + num[k].bound;
        if (err > allowance) {
            s.failed++;
        } else if (num[k].bound > RESOLVE_FRACTION * scale) {
            s.inconclusive++;
            continue;
        }
        s.compared++;
        s.max_abs_error = fmax(s.max_abs_error, err);
        s.max_rel_error = fmax(s.max_rel_error, err / fmax(fmax(fabs(a), fabs(v)), GRADCHECK_TINY));
        s.bound = fmax(s.bound, num[k].bound);
        if (err - allowance > worst_excess) {
            worst_excess = err - allowance;
            s.worst = k;
        }
    }
    s.verdict = s.failed ? VERDICT_FAIL
                : s.inconclusive ? VERDICT_INCONCLUSIVE
                : s.compared == 0 ? VERDICT_NOTHING_COMPARED
                : VERDICT_PASS;
    s.passed = s.verdict == VERDICT_PASS;
    return s;
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
