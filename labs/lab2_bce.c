// Lab 2: the derivative of binary cross-entropy through the sigmoid.
// Read first: chapter 2 (make chapter2), sections 2.1-2.3.
//
// Shapes: y, z and dz hold n numbers each.
//   y[i]   the label of output i, in [0, 1]
//   z[i]   the logit of output i; the prediction is ŷ_i = σ(z_i) = 1/(1 + e^(−z_i))
//   L      = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]   (the mean over the n outputs)
//
// Compute: dz[i] += ∂L/∂z_i for every i. dz arrives zeroed.
//
// Check it: make lab2   (the article's example, then 20 seeded random cases)
#include <math.h>

#include "lab.h"

void lab_bce_backward(double *dz, const double *y, const double *z, int n) {
    // TODO: your code here. Until you write it, dz stays zero.
    (void)dz;
    (void)y;
    (void)z;
    (void)n;
}
