#include "dense.h"

void dense_forward(double *z, const double *x, const double *W, const double *b, int n, int m) {
    for (int i = 0; i < n; i++) {
        double sum = b[i];
        for (int j = 0; j < m; j++) sum += W[i * m + j] * x[j];
        z[i] = sum;
    }
}

void dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                    int n, int m) {
    for (int i = 0; i < n; i++) {
        db[i] += dz[i];
        for (int j = 0; j < m; j++) {
            dW[i * m + j] += dz[i] * x[j];
            dx[j] += W[i * m + j] * dz[i];
        }
    }
}
