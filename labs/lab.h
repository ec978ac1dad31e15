#ifndef WORKBOOK_LAB_H
#define WORKBOOK_LAB_H
// The four backward passes a student implements, one per lab file. Each lab
// file (labs/labN_*.c) defines one of these; `make labN` builds it against
// the grading harness, which checks it on the article's example and on
// seeded random cases against finite differences.
//
// Conventions, as in the workbook's library (src/): outputs come first;
// matrices are row-major arrays of doubles; the caller allocates every
// buffer and zeroes the outputs, and the function adds into them (+=).

// Lab 2: ∂L/∂z of the mean binary cross-entropy of ŷ = σ(z).
void lab_bce_backward(double *dz, const double *y, const double *z, int n);

// Lab 3: the dense layer z = W x + b, given ∂L/∂z.
void lab_dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                        int n, int m);

// Lab 4: max pooling with a k×k window and stride s, given ∂L/∂Y.
void lab_maxpool_backward(double *dx, const double *dy, const double *x, int h, int w, int k, int stride);

// Lab 5: the convolution layer Y = X ⋆ K + b (a cross-correlation) with
// stride and zero padding, given ∂L/∂Y.
void lab_conv_backward(double *dx, double *dk, double *db, const double *dy, const double *x, const double *k,
                       int h, int w, int kh, int kw, int stride, int pad);

// Lab 7 (labs/lab7_softmax_ce.c): dz += ∂L/∂z of the batch-mean softmax
// cross-entropy, for logits z (n, k) row-major and labels y (n, each < k).
void lab_softmax_ce_backward(double *dz, const double *z, const int *y, int n, int k);

#endif
