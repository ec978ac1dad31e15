#include "dropout.h"

#include "rng.h"

void dropout_mask(double *mask, int n, double q, uint64_t seed) {
    Rng r = rng_make(seed);
    double keep = 1.0 / (1.0 - q);
    for (int k = 0; k < n; k++) mask[k] = rng_uniform(&r) < q ? 0.0 : keep;
}

void dropout_forward(double *out, const double *in, const double *mask, int n) {
    for (int k = 0; k < n; k++) out[k] = in[k] * mask[k];
}

void dropout_backward(double *din, const double *dout, const double *mask, int n) {
    for (int k = 0; k < n; k++) din[k] += dout[k] * mask[k];
}
