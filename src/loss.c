#include "loss.h"

#include <math.h>

double sigmoid(double z) {
    // Two branches so that exp() never overflows.
    if (z >= 0) return 1.0 / (1.0 + exp(-z));
    double e = exp(z);
    return e / (1.0 + e);
}

double softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }

double bce_loss(const double *y, const double *yhat, int n) {
    double sum = 0.0;
    for (int i = 0; i < n; i++) sum += y[i] * log(yhat[i]) + (1.0 - y[i]) * log(1.0 - yhat[i]);
    return -sum / n;
}

double bce_loss_logits(const double *y, const double *z, int n) {
    double sum = 0.0;
    // softplus(z) − y z rearranged as max(z,0) − y z + log1p(e^−|z|): no
    // overflow and no cancellation between two large terms.
    for (int i = 0; i < n; i++) sum += fmax(z[i], 0.0) - y[i] * z[i] + log1p(exp(-fabs(z[i])));
    return sum / n;
}

void bce_grad_yhat(double *d, const double *y, const double *yhat, int n) {
    for (int i = 0; i < n; i++) d[i] = -(y[i] / yhat[i] - (1.0 - y[i]) / (1.0 - yhat[i])) / n;
}

void bce_grad_logits(double *d, const double *y, const double *z, int n) {
    for (int i = 0; i < n; i++) d[i] = (sigmoid(z[i]) - y[i]) / n;
}
