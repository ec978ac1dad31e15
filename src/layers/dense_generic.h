#ifndef WORKBOOK_DENSE_GENERIC_H
#define WORKBOOK_DENSE_GENERIC_H
// A dense layer and BCE with logits from one generic definition
// (dense_generic.inc), for double and double complex. dense.c and loss.c
// stay the reference; the complex instance runs the complex step
// (cstep.h). Shapes as in dense.h.

#include <complex.h>

void dense_forward_double(double *z, const double *x, const double *W, const double *b, int n, int m);
void dense_forward_complex(double complex *z, const double complex *x, const double complex *W,
                           const double complex *b, int n, int m);
// softplus(z) − y·z without cancellation; *mag: |Im| of its two parts.
double bce_logits_double(double y, double z, double *mag);
double complex bce_logits_complex(double y, double complex z, double *mag);
// −[y·log p + (1 − y)·log(1 − p)], zero-weight terms left out; *mag: |Im| of its parts.
double bce_prob_double(double y, double p, double *mag);
double complex bce_prob_complex(double y, double complex p, double *mag);

#endif
