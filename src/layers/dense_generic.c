// dense_generic.inc twice: for double and for double complex.
#include "dense_generic.h"

#include <math.h>

#include "mathfn.h"

// log1p of a complex number: clog(1 + w). Its real part loses digits for
// tiny w, its imaginary part atan2(Im w, 1 + Re w) does not, and the
// complex step reads only the imaginary part.
static double complex clog1p(double complex w) { return wb_clog(1.0 + w); }

#define REAL double
#define RE(v) (v)
#define IM(v) 0.0
#define FN(name) name##_double
#define EXP wb_exp
#define LOG1P wb_log1p
#define LOG wb_log
#include "dense_generic.inc"
#undef REAL
#undef RE
#undef IM
#undef FN
#undef EXP
#undef LOG1P
#undef LOG

#define REAL double complex
#define RE(v) creal(v)
#define IM(v) cimag(v)
#define FN(name) name##_complex
#define EXP wb_cexp
#define LOG1P clog1p
#define LOG wb_clog
#include "dense_generic.inc"
