#ifndef WORKBOOK_LOSS_H
#define WORKBOOK_LOSS_H
// The sigmoid and the binary cross-entropy (BCE) loss, averaged over n outputs:
//   σ(z) = 1 / (1 + e^−z)
//   L(y, ŷ) = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]     (the article's form)
//   L(y, z) = (1/n) Σ_i [ softplus(z_i) − y_i z_i ],  ŷ = σ(z)         (the logit form)
// The logit form is the same function, but stays finite and accurate for any
// z, where the article's form loses ŷ to rounding once ŷ is within 1e-16 of
// 0 or 1. Gradients are written (=), not accumulated: they start a backward pass.

double sigmoid(double z);
// log(1 + e^z) without overflow.
double softplus(double z);

double bce_loss(const double *y, const double *yhat, int n);
double bce_loss_logits(const double *y, const double *z, int n);

// ∂L/∂ŷ_i = −(1/n) (y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i))     (article eq. 1)
void bce_grad_yhat(double *d, const double *y, const double *yhat, int n);
// ∂L/∂z_i = (σ(z_i) − y_i) / n                         (eq. 1 times σ′(z) = ŷ(1 − ŷ))
void bce_grad_logits(double *d, const double *y, const double *z, int n);

#endif
