#include "loss.h"
#include "mathfn.h"

#include <math.h>

double sigmoid(double z) {
    // Two branches so that exp() never overflows.
    if (z >= 0) return 1.0 / (1.0 + wb_exp(-z));
    double e = wb_exp(z);
    return e / (1.0 + e);
}

double softplus(double z) { return z > 0 ? z + wb_log1p(wb_exp(-z)) : wb_log1p(wb_exp(z)); }

// A term whose weight is 0 is left out rather than computed as 0·log 0 =
// NaN: its limit is 0, so y = 1, ŷ = 1 has loss 0, not NaN.
double bce_term(double y, double yhat, double *scale) {
    double t1 = y != 0.0 ? y * wb_log(yhat) : 0.0, t0 = y != 1.0 ? (1.0 - y) * wb_log(1.0 - yhat) : 0.0;
    *scale = fabs(t1) + fabs(t0);
    return -(t1 + t0);
}

// softplus(z) − y z rearranged as max(z,0) − y z + log1p(e^−|z|): no
// overflow and no cancellation between two large terms.
double bce_logits_term(double y, double z, double *scale) {
    double a = fmax(z, 0.0), b = y * z, c = wb_log1p(wb_exp(-fabs(z)));
    // What rounds: y·z (not at all when it is exact, as for y = 0 or 1),
    // a − b, and c. At y = 1, z = 40 a and b cancel exactly, and L's
    // round-off is that of c ≈ 4e-18, not of 40.
    *scale = fabs(a - b) + (fma(y, z, -b) == 0.0 ? 0.0 : fabs(b)) + fabs(c);
    return a - b + c;
}

double bce_loss(const double *y, const double *yhat, int n) {
    double sum = 0.0, scale;
    for (int i = 0; i < n; i++) sum += bce_term(y[i], yhat[i], &scale);
    return sum / n;
}

double bce_loss_logits(const double *y, const double *z, int n) {
    double sum = 0.0, scale;
    for (int i = 0; i < n; i++) sum += bce_logits_term(y[i], z[i], &scale);
    return sum / n;
}

double bce_term_clamped(double y, double yhat) {
    return -(y * fmax(wb_log(yhat), BCE_TORCH_LOG_CLAMP) + (1 - y) * fmax(wb_log(1.0 - yhat), BCE_TORCH_LOG_CLAMP));
}

float sigmoid_float32(float z) { return 1.0f / (1.0f + expf(-z)); }

float bce_term_clamped_float32(float y, float z) {
    float p = sigmoid_float32(z), clamp = (float)BCE_TORCH_LOG_CLAMP;
    return -(y * fmaxf(logf(p), clamp) + (1.0f - y) * fmaxf(logf(1.0f - p), clamp));
}

// As in bce_loss, a zero-weight term is 0, not 0/0.
void bce_grad_yhat(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++) {
        double pos = y[i] != 0.0 ? y[i] / yhat[i] : 0.0;
        double neg = y[i] != 1.0 ? (1.0 - y[i]) / (1.0 - yhat[i]) : 0.0;
        d[i] = -(pos - neg) / n;
    }
}

// σ(z) − y written as (1 − y)·σ(z) − y·σ(−z): the same number, but for
// y = 1 and large z it is −σ(−z) to full relative precision instead of
// 1 − 1 = 0 after σ(z) has rounded to 1.
void bce_grad_logits(double *d, const double *y, const double *z, int n) {
    for (int i = 0; i < n; i++) d[i] = ((1.0 - y[i]) * sigmoid(z[i]) - y[i] * sigmoid(-z[i])) / n;
}
