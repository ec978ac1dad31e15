// Chapter 2: see chapter2_cstep.h.
#include "chapter2_cstep.h"

#include <complex.h>

double yhat_term_complex(void *ctx, int e, double h, double *scale) {
    const TermLoss *t = ctx;
    double complex v = bce_prob_complex(t->y[t->idx ? t->idx[e] : e], cstep_point(t->v[e], h), scale);
    *scale /= h * t->n;
    return cimag(v) / (h * t->n);
}

double z_term_complex(void *ctx, int e, double h, double *scale) {
    const TermLoss *t = ctx;
    double complex v = bce_logits_complex(t->y[t->idx ? t->idx[e] : e], cstep_point(t->v[e], h), scale);
    *scale /= h * t->n;
    return cimag(v) / (h * t->n);
}
