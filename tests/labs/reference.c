// The reference "student": every lab function implemented by calling the
// workbook's library. `make labs-selftest` builds each harness with this
// file, where every case must pass. (Students do not see solutions in
// labs/: this wrapper shows only that the library is the reference.)
#include <stdlib.h>

#include "conv.h"
#include "dense.h"
#include "lab.h"
#include "loss.h"
#include "pool.h"
#include "softmax_ce.h"

void lab_bce_backward(double *dz, const double *y, const double *z, int n) {
    double *d = malloc(sizeof(double) * (size_t)(n > 0 ? n : 1));
    if (!d) abort();
    bce_grad_logits(d, y, z, n);
    for (int i = 0; i < n; i++) dz[i] += d[i];
    free(d);
}

void lab_dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                        int n, int m) {
    dense_backward(dx, dW, db, dz, x, W, n, m);
}

void lab_maxpool_backward(double *dx, const double *dy, const double *x, int h, int w, int k, int stride) {
    PoolShape s;
    if (!pool_shape_init(&s, 1, h, w, k, k, stride)) return;
    double out[4096];
    int argmax[4096];
    if (s.out_h * s.out_w > 4096) return;
    maxpool_forward(out, argmax, x, &s);
    maxpool_backward(dx, dy, argmax, &s);
}

void lab_conv_backward(double *dx, double *dk, double *db, const double *dy, const double *x, const double *k,
                       int h, int w, int kh, int kw, int stride, int pad) {
    ConvShape s;
    if (!conv_shape_init(&s, 1, h, w, 1, kh, kw, stride, pad, pad, 1)) return;
    conv_backward(dx, dk, db, dy, x, k, &s);
}

void lab_softmax_ce_backward(double *dz, const double *z, const int *y, int n, int k) {
    double *p = malloc(sizeof(double) * (size_t)(n * k > 0 ? n * k : 1));
    if (!p) abort();
    softmax_ce_forward(p, NULL, z, y, n, k);
    softmax_ce_backward(dz, p, y, n, k);
    free(p);
}
