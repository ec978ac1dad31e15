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

// One output's term, unaveraged: bce_term is −[y log ŷ + (1 − y) log(1 − ŷ)]
// (a log whose weight is 0 left out), bce_logits_term max(z,0) − y z +
// log1p(e^−|z|). *scale receives the magnitudes of the parts summed, which
// set the term's round-off (a gradient check's bound needs them).
double bce_term(double y, double yhat, double *scale);
double bce_logits_term(double y, double z, double *scale);

// PyTorch's BCELoss of one output: the article's term with each log clamped
// at BCE_TORCH_LOG_CLAMP, in float64; and as PyTorch computes it by default,
// in float32 from the logit (σ, the logs and the clamp rounded to float).
#define BCE_TORCH_LOG_CLAMP -100.0
double bce_term_clamped(double y, double yhat);
float sigmoid_float32(float z);
float bce_term_clamped_float32(float y, float z);

// ∂L/∂ŷ_i = −(1/n) (y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i))     (article eq. 1)
void bce_grad_yhat(double *d, const double *y, const double *yhat, int n);
// ∂L/∂z_i = (σ(z_i) − y_i) / n                         (eq. 1 times σ′(z) = ŷ(1 − ŷ))
void bce_grad_logits(double *d, const double *y, const double *z, int n);

#endif
