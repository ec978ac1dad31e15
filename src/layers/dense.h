#ifndef WORKBOOK_DENSE_H
#define WORKBOOK_DENSE_H
// The fully connected layer  z = W x + b.
// x is (M), W is (N,M) row-major, b is (N), z is (N).
// Buffers are the caller's; backward accumulates with +=.

void dense_forward(double *z, const double *x, const double *W, const double *b, int n, int m);

// dx += Wᵀ dz   (∂L/∂x_j = Σ_i ∂L/∂z_i · W[i,j], a sum over outputs)
// dW += dz xᵀ   (∂L/∂W[i,j] = ∂L/∂z_i · x_j, an outer product)
// db += dz
void dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                    int n, int m);

#endif
