#ifndef WORKBOOK_NETWORK_CSTEP_H
#define WORKBOOK_NETWORK_CSTEP_H
// Chapter 6's network (network.h) for the complex step (cstep.h): complex
// copies of the parameters and the image, and the forward pass from the
// generic layers (conv_generic.inc, pool_generic.inc, dense_generic.inc);
// net_forward in network.c stays the reference. Max pooling compares real
// parts, so a near-tie 1e-13 apart keeps its winner; at an exact tie the
// entry has no derivative (NaN).

#include <complex.h>
#include <stdbool.h>

#include "gradcheck.h"
#include "network.h"

typedef struct {
    const NetShape *s;
    double y;
    double complex *params, *x; // copies of the problem's
    double complex *conv, *pooled;
    double complex *target;     // the block being checked: inside params or x
    double complex *block_mem;
} NetComplex;

// False when out of memory.
bool net_complex_init(NetComplex *c, const NetProblem *pr);
void net_complex_free(NetComplex *c);
// The block checked next: entry k is target[k] (entries = the problem's
// array for the block, inside params or x).
void net_complex_block(NetComplex *c, const NetProblem *pr, const double *entries);
// ComplexObjective.at: Im L with target[k] moved by i·h, over h.
double net_complex_at(void *ctx, int k, double h, double *scale);

// cstep.h's complex_step_recheck on entries idx[0..count) of one block
// (idx NULL: all count of them): entries is the problem's array for the
// block (inside params or x).
// Returns how many entries the complex step decided, or −1 when out of memory.
int net_complex_recheck(NumericalDerivative *out, const double *grad, const bool *skip, const int *idx, int count,
                        const NetProblem *pr, const double *entries);

// net_complex_recheck as check_block's second method (check_block.h's
// SecondMethodFn): a difference straddling a near-tie fails a right
// gradient, so the complex step rechecks what did not pass.
typedef struct {
    const NetProblem *prob;
    const double *entries; // the block's, inside params or x
} NetRecheck;

int net_complex_second(void *ctx, NumericalDerivative *num, const double *a, const bool *skip, const int *idx,
                       int count);

#endif
