// Lab 3: the gradients of a dense (fully connected) layer.
// Read first: chapter 3 (make chapter3), sections 3.2-3.5.
//
// The layer: z = W x + b.
// Shapes:
//   x   (m)      the layer's input
//   W   (n, m)   the weights, row-major: W[i*m + j] connects input j to output i
//   dz  (n)      ∂L/∂z, given (the gradient arriving from above)
//   dx  (m)      ∂L/∂x      (output)
//   dW  (n, m)   ∂L/∂W      (output, row-major like W)
//   db  (n)      ∂L/∂b      (output)
//
// Compute: dx += ∂L/∂x, dW += ∂L/∂W, db += ∂L/∂b. The outputs arrive zeroed.
//
// Check it: make lab3   (the article's example, then 20 seeded random cases)
#include "lab.h"

void lab_dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                        int n, int m) {
    // TODO: your code here. Until you write it, dx, dW and db stay zero.
    (void)dx;
    (void)dW;
    (void)db;
    (void)dz;
    (void)x;
    (void)W;
    (void)n;
    (void)m;
}
