// Lab 4: routing the gradient back through max pooling.
// Read first: chapter 4 (make chapter4), sections 4.3-4.6.
//
// The forward pass: Y[i][j] = max over the k×k window of X whose top-left
// cell is X[i*stride][j*stride]; windows overlap when stride < k.
// Shapes:
//   x   (h, w)     the pooled input X, row-major
//   dy  (ho, wo)   ∂L/∂Y, given; ho = (h − k)/stride + 1 and wo = (w − k)/stride + 1
//                  (integer division)
//   dx  (h, w)     ∂L/∂X (output)
//
// Compute: dx += ∂L/∂X. dx arrives zeroed. When a window's maximum is tied,
// the first maximum in row-major order gets the gradient (PyTorch's rule).
//
// Check it: make lab4   (the article's example, then 20 seeded random cases)
#include "lab.h"

void lab_maxpool_backward(double *dx, const double *dy, const double *x, int h, int w, int k, int stride) {
    // TODO: your code here. Until you write it, dx stays zero.
    (void)dx;
    (void)dy;
    (void)x;
    (void)h;
    (void)w;
    (void)k;
    (void)stride;
}
