#include "fdiff.h"
#include "mathfn.h"

#include <math.h>

double fd_forward(FdFunction f, const void *ctx, double x, double h) { return (f(x + h, ctx) - f(x, ctx)) / h; }

double fd_central(FdFunction f, const void *ctx, double x, double h) {
    return (f(x + h, ctx) - f(x - h, ctx)) / (2.0 * h);
}

double fd_five_point(FdFunction f, const void *ctx, double x, double h) {
    return (f(x - 2.0 * h, ctx) - 8.0 * f(x - h, ctx) + 8.0 * f(x + h, ctx) - f(x + 2.0 * h, ctx)) / (12.0 * h);
}

// x + ih built by storing both parts (a complex number is laid out as an
// array of its real and imaginary parts, C11 6.2.5): no arithmetic touches
// h. CMPLX would do the same but clang 14 with glibc does not define it.
static double complex make_complex(double re, double im) {
    double complex z;
    ((double *)&z)[0] = re;
    ((double *)&z)[1] = im;
    return z;
}

static float complex make_complex_float(float re, float im) {
    float complex z;
    ((float *)&z)[0] = re;
    ((float *)&z)[1] = im;
    return z;
}

double fd_complex_step(FdComplexFunction f, const void *ctx, double x, double h) {
    return cimag(f(make_complex(x, h), ctx)) / h;
}

float fd_forward_float(FdFloatFunction f, const void *ctx, float x, float h) { return (f(x + h, ctx) - f(x, ctx)) / h; }

float fd_central_float(FdFloatFunction f, const void *ctx, float x, float h) {
    return (f(x + h, ctx) - f(x - h, ctx)) / (2.0f * h);
}

float fd_five_point_float(FdFloatFunction f, const void *ctx, float x, float h) {
    return (f(x - 2.0f * h, ctx) - 8.0f * f(x - h, ctx) + 8.0f * f(x + h, ctx) - f(x + 2.0f * h, ctx)) / (12.0f * h);
}

float fd_complex_step_float(FdFloatComplexFunction f, const void *ctx, float x, float h) {
    return cimagf(f(make_complex_float(x, h), ctx)) / h;
}

const char *fd_method_key(FdMethod m) {
    switch (m) {
    case FD_FORWARD: return "forward";
    case FD_CENTRAL: return "central";
    case FD_FIVE_POINT: return "five_point";
    case FD_COMPLEX_STEP: return "complex_step";
    }
    return "?";
}

int fd_order(FdMethod m) { return m == FD_FORWARD ? 1 : m == FD_FIVE_POINT ? 4 : 2; }

int fd_reach(FdMethod m) { return m == FD_FIVE_POINT ? 2 : m == FD_COMPLEX_STEP ? 0 : 1; }

int fd_truncation_derivative(FdMethod m) { return fd_order(m) + 1; }

double fd_textbook_h(FdMethod m, double u) {
    if (m == FD_COMPLEX_STEP)
        return sqrt(u);
    return wb_pow(u, 1.0 / (fd_order(m) + 1));
}

double fd_textbook_error(FdMethod m, double u) {
    if (m == FD_COMPLEX_STEP)
        return u;
    int p = fd_order(m);
    return wb_pow(u, (double)p / (p + 1));
}

double fd_error_bound(FdMethod m, double h, double x, double f_max, double d1_max, double dt_max, double u) {
    double hp = wb_pow(h, fd_order(m));
    if (m == FD_COMPLEX_STEP)
        return hp * dt_max / 6.0 + 2.0 * u * d1_max;
    static const double T[] = {1.0 / 2.0, 1.0 / 6.0, 1.0 / 30.0}, R[] = {2.0, 1.0, 1.5};
    double s = f_max + (fabs(x) + fd_reach(m) * h) * d1_max;
    return T[m] * hp * dt_max + R[m] * u * s / h;
}
