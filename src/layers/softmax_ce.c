#include "softmax_ce.h"
#include "mathfn.h"

#include <math.h>

double softmax_ce_forward(double *p, double *scale, const double *z, const int *y, int n, int k) {
    double loss = 0.0, mag = 0.0;
    for (int b = 0; b < n; b++) {
        const double *zb = z + (long)b * k;
        double *pb = p + (long)b * k;
        double m = zb[0];
        for (int j = 1; j < k; j++) m = zb[j] > m ? zb[j] : m;
        double sum = 0.0;
        for (int j = 0; j < k; j++) sum += pb[j] = wb_exp(zb[j] - m);
        for (int j = 0; j < k; j++) pb[j] /= sum;
        double lse = wb_log(sum);
        loss += m + lse - zb[y[b]];
        mag += fabs(m) + lse + fabs(zb[y[b]]);
    }
    if (scale) *scale = mag / n;
    return loss / n;
}

void softmax_ce_backward(double *dz, const double *p, const int *y, int n, int k) {
    for (int b = 0; b < n; b++)
        for (int j = 0; j < k; j++) dz[(long)b * k + j] += (p[(long)b * k + j] - (j == y[b])) / n;
}
