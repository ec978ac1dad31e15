#ifndef WORKBOOK_EXAMPLE_CHAIN_H
#define WORKBOOK_EXAMPLE_CHAIN_H
// The running example after its convolution layer (chapters 4 and 3):
//   Y (2x3) → 2x2 max-pool, stride 1 → p (2) → z = W·p + b_d → L = BCE(y, σ(z))
// with W, b_d and y from example.h. Chapter 5 takes ∂L/∂Y from it.

#include <stdbool.h>

#include "report.h"

typedef struct {
    double pooled[2];
    int argmax[2]; // flat index into Y of each window's maximum
    double z, yhat, loss;
    double dz, dp[2]; // filled by example_chain_backward
} ExampleChain;

// The chain needs Y to be one channel of 2x3.
bool example_chain_fits(int channels, int h, int w);
// Fills ch from y (2x3) and returns L.
double example_chain_forward(ExampleChain *ch, const double *y);
// dy (2x3) += ∂L/∂Y, after example_chain_forward: each ∂L/∂p to its
// window's maximum.
void example_chain_backward(ExampleChain *ch, double *dy);

// Explains where ∂L/∂Y comes from: the chain's forward and backward
// numbers, after example_chain_backward.
void example_chain_report(Report *r, const ExampleChain *ch);

#endif
