#include "loss.h"

#include <math.h>

double sigmoid(double z) {
    // Two branches so that exp() never overflows.
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

// A term whose weight is 0 is left out rather than computed as 0·log 0 =
// NaN: its limit is 0, so y = 1, ŷ = 1 has loss 0, not NaN.
double bce_loss(const double *y, const double *yhat, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        if (y[i] != 0.0) sum += y[i] * log(yhat[i]);
        if (y[i] != 1.0) sum += (1.0 - y[i]) * log(1.0 - yhat[i]);
    }
    return -sum / n;
}

double bce_loss_logits(const double *y, const double *z, int n) {
    double sum = 0.0;
    // softplus(z) − y z rearranged as max(z,0) − y z + log1p(e^−|z|): no
    // overflow and no cancellation between two large terms.
    for (int i = 0; i < n; i++) sum += fmax(z[i], 0.0) - y[i] * z[i] + log1p(exp(-fabs(z[i])));
    return sum / n;
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
