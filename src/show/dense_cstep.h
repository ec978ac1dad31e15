#ifndef WORKBOOK_DENSE_CSTEP_H
#define WORKBOOK_DENSE_CSTEP_H
// Chapter 3's loss for the complex step (cstep.h): complex copies of x, W,
// b and z, the forward pass of dense_generic.inc, and
// Im L(θ + i·h·e_k)/h for entry k of the LossCtx's block.

#include <complex.h>
#include <stdbool.h>

#include "dense_case.h"
#include "gradcheck.h"

typedef struct {
    const LossCtx *loss;
    double complex *cx, *cW, *cb, *cz;
} DenseComplex;

bool dense_complex_init(DenseComplex *c, const LossCtx *loss); // false: out of memory
void dense_complex_free(DenseComplex *c);
double dense_complex_at(void *ctx, int k, double h, double *scale);
// complex_step_rescue (cstep.h) for count entries idx[s] of param, the
// LossCtx's block: the entries central differences left undecided get the
// complex step. Returns how many it decided, or −1 when out of memory.
int dense_complex_rescue(NumericalDerivative *num, const double *analytic, const int *idx, int count,
                         const LossCtx *loss, const double *param);

#endif
