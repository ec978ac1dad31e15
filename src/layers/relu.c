#include "relu.h"

void relu_forward(double *out, const double *in, int n) {
    for (int k = 0; k < n; k++) out[k] = in[k] > 0.0 ? in[k] : 0.0;
}

void relu_backward(double *din, const double *dout, const double *in, int n) {
    for (int k = 0; k < n; k++)
        if (in[k] > 0.0) din[k] += dout[k];
}
