#include "batchnorm.h"

#include <math.h>

void batchnorm_forward_train(double *y, double *xhat, double *mean, double *var, const double *x,
                             const double *gamma, const double *beta, int n, int d, double eps) {
    for (int f = 0; f < d; f++) {
        double mu = 0.0, v = 0.0;
        for (int b = 0; b < n; b++) mu += x[(long)b * d + f];
        mu /= n;
        for (int b = 0; b < n; b++) {
            double c = x[(long)b * d + f] - mu;
            v += c * c;
        }
        v /= n;
        double inv = 1.0 / sqrt(v + eps);
        for (int b = 0; b < n; b++) {
            long i = (long)b * d + f;
            xhat[i] = (x[i] - mu) * inv;
            y[i] = gamma[f] * xhat[i] + beta[f];
        }
        mean[f] = mu, var[f] = v;
    }
}

void batchnorm_backward(double *dx, double *dgamma, double *dbeta, const double *dy, const double *xhat,
                        const double *var, const double *gamma, int n, int d, double eps) {
    for (int f = 0; f < d; f++) {
        double sum_dy = 0.0, sum_dy_xhat = 0.0;
        for (int b = 0; b < n; b++) {
            long i = (long)b * d + f;
            sum_dy += dy[i];
            sum_dy_xhat += dy[i] * xhat[i];
        }
        double k = gamma[f] / sqrt(var[f] + eps) / n;
        for (int b = 0; b < n; b++) {
            long i = (long)b * d + f;
            dx[i] += k * (n * dy[i] - sum_dy - xhat[i] * sum_dy_xhat);
        }
        dgamma[f] += sum_dy_xhat;
        dbeta[f] += sum_dy;
    }
}

void batchnorm_update_running(double *run_mean, double *run_var, const double *mean, const double *var, int n,
                              int d, double momentum) {
    double unbias = n > 1 ? (double)n / (n - 1) : 1.0;
    for (int f = 0; f < d; f++) {
        run_mean[f] = (1.0 - momentum) * run_mean[f] + momentum * mean[f];
        run_var[f] = (1.0 - momentum) * run_var[f] + momentum * var[f] * unbias;
    }
}

void batchnorm_forward_eval(double *y, const double *x, const double *gamma, const double *beta,
                            const double *run_mean, const double *run_var, int n, int d, double eps) {
    for (int f = 0; f < d; f++) {
        double inv = 1.0 / sqrt(run_var[f] + eps);
        for (int b = 0; b < n; b++) {
            long i = (long)b * d + f;
            y[i] = gamma[f] * (x[i] - run_mean[f]) * inv + beta[f];
        }
    }
}
