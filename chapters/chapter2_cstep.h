#ifndef CHAPTER2_CSTEP_H
#define CHAPTER2_CSTEP_H
// Chapter 2's terms (TermLoss, chapter2_bce.h)
// for the complex step (src/check/cstep.h): each entry's term of L at
// ŷ_e + i·h or z_e + i·h, from the generic BCE of dense_generic.inc.
#include "chapter2_bce.h"
#include "cstep.h"
#include "dense_generic.h"

// Entry e's term at ŷ_e + i·h for the complex step (cstep.h).
double yhat_term_complex(void *ctx, int e, double h, double *scale);

// Entry e's term at z_e + i·h for the complex step (cstep.h): Im over h, by
// the one generic definition of the logit form (dense_generic.inc).
double z_term_complex(void *ctx, int e, double h, double *scale);

#endif
