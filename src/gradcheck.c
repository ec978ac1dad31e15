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
