#ifndef CHAPTER2_CSTEP_H
#define CHAPTER2_CSTEP_H
// Chapter 2's terms (TermLoss, chapters/chapter2_bce.c, the only includer)
// for the complex step (src/check/cstep.h): each entry's term of L at
// ŷ_e + i·h or z_e + i·h, from the generic BCE of dense_generic.inc.
#include <complex.h>

#include "cstep.h"
#include "dense_generic.h"

// Entry e's term at ŷ_e + i·h for the complex step (cstep.h).
static double yhat_term_complex(void *ctx, int e, double h, double *scale) {
    const TermLoss *t = ctx;
    double complex v = bce_prob_complex(t->y[t->idx ? t->idx[e] : e], cstep_point(t->v[e], h), scale);
    *scale /= h * t->n;
    return cimag(v) / (h * t->n);
}

// Entry e's term at z_e + i·h for the complex step (cstep.h): Im over h, by
// the one generic definition of the logit form (dense_generic.inc).
static double z_term_complex(void *ctx, int e, double h, double *scale) {
    const TermLoss *t = ctx;
    double complex v = bce_logits_complex(t->y[t->idx ? t->idx[e] : e], cstep_point(t->v[e], h), scale);
    *scale /= h * t->n;
    return cimag(v) / (h * t->n);
}

#endif
