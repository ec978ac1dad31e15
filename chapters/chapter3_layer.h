#ifndef CHAPTER3_LAYER_H
#define CHAPTER3_LAYER_H
// Chapter 3's --bug mistakes beside the right code: ∂L/∂z and the dense
// layer's backward pass as a run computes them. chapter3_dense.c runs them,
// chapter3_formula.c fills --formula's cases with them, and
// tests/check_formula.c tests that unit against them.
#include "options.h"

typedef enum { BUG_NONE, BUG_NO_SIGMOID_DERIVATIVE, BUG_NO_MEAN, BUG_W_NOT_TRANSPOSED, BUG_OUTER_PRODUCT_SWAPPED } Bug;

// The --bug list, in the order of Bug (bug k + 1 is CHAPTER3_BUGS[k]); a
// definition of another length does not compile.
#define CHAPTER3_N_BUGS 4
extern const BugInfo CHAPTER3_BUGS[CHAPTER3_N_BUGS];

// ∂L/∂z of the mean BCE for logits z and labels y (n entries), under bug.
void chapter3_output_grad_with(Bug bug, double *dz, const double *y, const double *z, int n);

// The layer's backward pass (dx, dW, db +=, shapes as in dense.h) under bug;
// the right one is src/layers/dense.c's.
void chapter3_layer_backward_with(Bug bug, double *dx, double *dW, double *db, const double *dz, const double *x,
                                  const double *W, int n, int m);

#endif
