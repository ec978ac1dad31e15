// Lab 5: the gradients of a convolution layer, with stride and padding.
// Read first: chapter 5 (make chapter5), sections 5.2-5.4 (the three
// gradients) and 5.7 (stride and padding).
//
// The forward pass, a cross-correlation (no kernel flip) as CNN libraries compute it:
//   Y[i][j] = b + Σ_m Σ_n Xp[i*stride + m][j*stride + n] · K[m][n]
// where Xp is X with `pad` rows and columns of zeros added on every side.
// Shapes (row-major):
//   x   (h, w)       the input X
//   k   (kh, kw)     the kernel K
//   dy  (ho, wo)     ∂L/∂Y, given; ho = (h + 2·pad − kh)/stride + 1 and
//                    wo = (w + 2·pad − kw)/stride + 1 (integer division)
//   dx  (h, w)       ∂L/∂X (output)
//   dk  (kh, kw)     ∂L/∂K (output)
//   db  (1)          ∂L/∂b (output)
//
// Compute: dx += ∂L/∂X, dk += ∂L/∂K, db[0] += ∂L/∂b. The outputs arrive zeroed.
//
// Check it: make lab5   (the article's example, then 20 seeded random cases)
#include "lab.h"

void lab_conv_backward(double *dx, double *dk, double *db, const double *dy, const double *x, const double *k,
                       int h, int w, int kh, int kw, int stride, int pad) {
    // TODO: your code here. Until you write it, dx, dk and db stay zero.
    (void)dx;
    (void)dk;
    (void)db;
    (void)dy;
    (void)x;
    (void)k;
    (void)h;
    (void)w;
    (void)kh;
    (void)kw;
    (void)stride;
    (void)pad;
}
