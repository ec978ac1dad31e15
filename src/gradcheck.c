#include "gradcheck.h"

#include <math.h>
#include <stddef.h>

#include "rng.h"

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
        // Inside the round-off floor the relative error of two near-zero
        // values is noise (it can be 1 for 1e-12 vs 0), so it does not count.
        double rel = abs_err <= GRADCHECK_ABS_FLOOR ? 0.0 : relative_error(analytic[k], numerical[k]);
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

// The direction's entries are uniform in [−1, 1) with 32 random bits each
// (two per generator step), then normalized: far cheaper than a Gaussian's
// log, sqrt and cos, so that the check costs its two loss calls and little
// else. A continuous distribution (unlike random signs) leaves no error
// pattern, such as two swapped entries, that cancels in ∇L·u with a fixed
// probability.
typedef struct {
    Rng rng;
    uint64_t bits;
    bool have_half;
} Direction;

static Direction direction_start(uint64_t seed) { return (Direction){rng_make(seed), 0, false}; }

static double direction_next(Direction *d) {
    if (!d->have_half) d->bits = rng_next(&d->rng);
    uint32_t half = d->have_half ? (uint32_t)(d->bits >> 32) : (uint32_t)d->bits;
    d->have_half = !d->have_half;
    return (double)half * 0x1.0p-31 - 1.0;
}

// Sets every parameter to saved + scale·u, where u is drawn afresh from the
// seed so that the same direction is replayed without storing it.
static void move_along(ParamBlock *blocks, int n_blocks, const double *saved, uint64_t seed,
                       double norm, double scale) {
    Direction d = direction_start(seed);
    size_t at = 0;
    double step = scale / norm;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++, at++)
            blocks[b].param[k] = saved[at] + direction_next(&d) * step;
}

DirectionalResult directional_check(ParamBlock *blocks, int n_blocks, LossFn loss, void *ctx,
                                    double h, uint64_t seed, double tolerance, double *scratch) {
    Direction d = direction_start(seed);
    double norm2 = 0.0, dot = 0.0;
    size_t at = 0;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++) {
            double u = direction_next(&d);
            norm2 += u * u;
            dot += u * blocks[b].grad[k];
            scratch[at++] = blocks[b].param[k];
        }
    double norm = sqrt(norm2);
    DirectionalResult res = {.analytic = dot / norm, .tolerance = tolerance};
    move_along(blocks, n_blocks, scratch, seed, norm, h);
    double up = loss(ctx);
    move_along(blocks, n_blocks, scratch, seed, norm, -h);
    double down = loss(ctx);
    at = 0; // exact restore
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++) blocks[b].param[k] = scratch[at++];
    res.numerical = (up - down) / (2.0 * h);
    res.abs_error = fabs(res.analytic - res.numerical);
    res.rel_error = relative_error(res.analytic, res.numerical);
    res.passed = gradient_entry_passes(res.analytic, res.numerical, tolerance);
    return res;
}
