// Lab 7: the gradient of softmax cross-entropy over a mini-batch.
// Read first: chapter 7 (make chapter7), sections 7.2 and 7.3.
//
// The loss: p[b,j] = exp(z[b,j]) / Σ_i exp(z[b,i]),  L = −(1/N) Σ_b log p[b, y_b].
// Shapes:
//   z   (n, k)   the logits, row-major: z[b*k + j] is sample b's logit for class j
//   y   (n)      the labels, each in 0..k−1
//   dz  (n, k)   ∂L/∂z      (output)
//
// Compute: dz += ∂L/∂z. The output arrives zeroed. Some cases have logits
// near 1000: exp(1000) is inf in double, so compute p with the log-sum-exp
// shift (subtract each row's largest logit first).
//
// Check it: make lab7   (chapter 7's example, then 20 seeded random cases)
#include "lab.h"

void lab_softmax_ce_backward(double *dz, const double *z, const int *y, int n, int k) {
    // TODO: your code here. Until you write it, dz stays zero.
    (void)dz;
    (void)z;
    (void)y;
    (void)n;
    (void)k;
}
