// conv_generic.inc twice: for double and for double complex.
#include <complex.h>

#include "conv.h"

void conv_forward_double(double *out, const double *in, const double *w, const double *b, const ConvShape *s);
void conv_forward_complex(double complex *out, const double complex *in, const double complex *w,
                          const double complex *b, const ConvShape *s);

#define REAL double
#define FN(name) name##_double
#include "conv_generic.inc"
#undef REAL
#undef FN

#define REAL double complex
#define FN(name) name##_complex
#include "conv_generic.inc"
