#ifndef WORKBOOK_POOL_GENERIC_H
#define WORKBOOK_POOL_GENERIC_H
// Max pooling from one generic definition (pool_generic.inc), instantiated
// for double and double complex. pool.c's maxpool_forward stays the
// reference; the double instance computes the same numbers (tested), the
// complex one runs the complex step (cstep.h). Shapes as in pool.h.

#include <complex.h>
#include <stdbool.h>

#include "pool.h"

// Return whether some window had a tie that matters: equal real parts at
// its maximum, different imaginary parts (never for double).
bool maxpool_forward_double(double *out, const double *in, const PoolShape *s);
bool maxpool_forward_complex(double complex *out, const double complex *in, const PoolShape *s);
// Σ G[i,j]·max(window (i,j)) over i0 ≤ i ≤ i1, j0 ≤ j ≤ j1 of channel 0;
// *mag: Σ|Im term| (0 for double); *tie: some window had a tie.
double maxpool_terms_double(const double *in, const double *g, const PoolShape *s, int i0, int i1, int j0, int j1,
                            double *mag, bool *tie);
double complex maxpool_terms_complex(const double complex *in, const double *g, const PoolShape *s, int i0, int i1,
                                     int j0, int j1, double *mag, bool *tie);

#endif
