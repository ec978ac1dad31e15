// pool_generic.inc twice: for double and for double complex.
#include "pool_generic.h"

#include <math.h>

#define REAL double
#define RE(v) (v)
#define IM(v) 0.0
#define FN(name) name##_double
#include "pool_generic.inc"
#undef REAL
#undef RE
#undef IM
#undef FN

#define REAL double complex
#define RE(v) creal(v)
#define IM(v) cimag(v)
#define FN(name) name##_complex
#include "pool_generic.inc"
