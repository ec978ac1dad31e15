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
        double rel = relative_error(analytic[k], numerical[k]);
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

// Sets every parameter to saved + scale·u, where u is drawn afresh from the
// seed so that the same direction is replayed without storing it.
static void move_along(ParamBlock *blocks, int n_blocks, const double *saved, uint64_t seed,
                       double norm, double scale) {
    Rng r = rng_make(seed);
    size_t at = 0;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++, at++)
            blocks[b].param[k] = saved[at] + scale * (rng_normal(&r) / norm);
}

DirectionalResult directional_check(ParamBlock *blocks, int n_blocks, LossFn loss, void *ctx,
                                    double h, uint64_t seed, double tolerance, double *scratch) {
    Rng r = rng_make(seed);
    double norm2 = 0.0, dot = 0.0;
    size_t at = 0;
    for (int b = 0; b < n_blocks; b++)
        for (int k = 0; k < blocks[b].n; k++) {
            double u = rng_normal(&r);
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
    move_along(blocks, n_blocks, scratch, seed, norm, 0.0); // exact restore: saved + 0
    res.numerical = (up - down) / (2.0 * h);
    res.abs_error = fabs(res.analytic - res.numerical);
    res.rel_error = relative_error(res.analytic, res.numerical);
    res.passed = gradient_entry_passes(res.analytic, res.numerical, tolerance);
    return res;
}
