// The classic mistakes of chapters 1, 3, 4 and 5 at a drawn problem's
// numbers, each computed as the chapter's --bug computes it (see the
// chapters' mistake functions), compared with the right answer.
#include "sheet_discriminate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "conv_steps.h"

// Answers are small integers or short decimals: a mistake that changes an
// entry changes it by far more than this.
#define SAME_TOL 1e-9

static bool differ(const double *a, const double *b, long n) {
    for (long k = 0; k < n; k++)
        if (fabs(a[k] - b[k]) > SAME_TOL * fmax(1.0, fabs(b[k]))) return true;
    return false;
}

// Not all zero: an all-zero answer is also the right one with its sign flipped.
static bool nonzero(const double *a, long n) {
    for (long k = 0; k < n; k++)
        if (a[k] != 0.0) return true;
    return false;
}

bool outputs_discriminate(const Tensor *xcorr, const Tensor *conv) {
    return differ(xcorr->data, conv->data, (long)tensor_size(xcorr));
}

bool dense_discriminates(const Tensor *x, const Tensor *W, const Tensor *y, const Tensor *dz, const Tensor *dW,
                         const Tensor *dx) {
    int n = W->h, m = W->w;
    double wrong_dz[8] = {0}, wrong_dx[8] = {0}, wrong_dW[64] = {0};
    if (n > 8 || m > 8) abort(); // the sheet's dense layers are at most 2x3
    bool all = true;
    // no-sigmoid-derivative: eq. (1) at ŷ = 1/2, −(1/n)(y/½ − (1 − y)/½).
    for (int i = 0; i < n; i++) wrong_dz[i] = -(2.0 * y->data[i] - 2.0 * (1.0 - y->data[i])) / n;
    all = all && differ(wrong_dz, dz->data, n);
    // no-mean: ŷ − y.
    for (int i = 0; i < n; i++) wrong_dz[i] = 0.5 - y->data[i];
    all = all && differ(wrong_dz, dz->data, n);
    // W-not-transposed: dx_j = Σ_i W.data[j·n + i]·dz_i.
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) wrong_dx[j] += W->data[j * n + i] * dz->data[i];
    all = all && differ(wrong_dx, dx->data, m);
    // outer-product-swapped: dz_i·x_j at [j·n + i].
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) wrong_dW[j * n + i] = dz->data[i] * x->data[j];
    return all && differ(wrong_dW, dW->data, (long)n * m);
}

bool maxpool_discriminates(const Tensor *g, const int *argmax, const PoolShape *s, const Tensor *dx) {
    long n = (long)tensor_size(dx), windows = (long)s->out_h * s->out_w;
    double *wrong = calloc((size_t)(3 * n), sizeof *wrong);
    if (!wrong) abort();
    double *over = wrong, *all_cells = wrong + n, *average = wrong + 2 * n;
    for (long k = 0; k < windows; k++) {
        over[argmax[k]] = g->data[k]; // overwrite: =, not +=
        int i = (int)(k / s->out_w) * s->stride, j = (int)(k % s->out_w) * s->stride;
        for (int a = 0; a < s->kh; a++)
            for (int b = 0; b < s->kw; b++) {
                all_cells[(i + a) * dx->w + j + b] += g->data[k];
                average[(i + a) * dx->w + j + b] += g->data[k] / (s->kh * s->kw);
            }
    }
    bool overlap = s->stride < s->kh || s->stride < s->kw;
    bool ok = (!overlap || differ(over, dx->data, n)) && differ(all_cells, dx->data, n) &&
              differ(average, dx->data, n);
    free(wrong);
    return ok;
}

// ∂L/∂X by chapter 5's steps with one step left out (spread, pad, rotate).
static void dx_by_steps(double *dx, const Tensor *g, const Tensor *k, const ConvShape *s, bool spread, bool pad,
                        bool rotate) {
    ConvSteps st = {0};
    st.spread = spread ? conv_steps_spread(g, s->stride) : tensor_clone(g);
    st.padded = pad ? conv_steps_pad(&st.spread, s->dilation * (s->kh - 1), s->dilation * (s->kw - 1))
                    : tensor_clone(&st.spread);
    st.rot = rotate ? conv_steps_rot180(k) : tensor_clone(k);
    st.spread_done = spread, st.padded_done = pad, st.rotated = rotate;
    conv_steps_finish(&st, s);
    for (int i = 0; i < s->in_h; i++)
        for (int j = 0; j < s->in_w; j++)
            dx[i * s->in_w + j] = *tensor_at(&st.grad_padded, 0, i + s->pad_h, j + s->pad_w);
    conv_steps_free(&st);
}

bool conv_discriminates(const Tensor *x, const Tensor *k, const Tensor *g, const ConvShape *s, const Tensor *dx,
                        const Tensor *dk, double db) {
    long nx = (long)tensor_size(x), nk = (long)tensor_size(k), ng = (long)tensor_size(g);
    double *wrong = calloc((size_t)(nx + nk + ng), sizeof *wrong);
    if (!wrong) abort();
    double *wdx = wrong, *wdk = wrong + nx, *flipped = wdk + nk;
    bool ok = nonzero(dx->data, nx) && nonzero(dk->data, nk) && db != 0.0; // the slip "sign"
    dx_by_steps(wdx, g, k, s, true, true, false); // no-rot180
    ok = ok && differ(wdx, dx->data, nx);
    dx_by_steps(wdx, g, k, s, true, false, true); // valid-not-full
    ok = ok && differ(wdx, dx->data, nx);
    if (s->stride > 1) { // no-dilate (the same as the right code at stride 1)
        dx_by_steps(wdx, g, k, s, false, true, true);
        ok = ok && differ(wdx, dx->data, nx);
    }
    for (long e = 0; e < ng; e++) flipped[e] = g->data[ng - 1 - e]; // kernel-conv: X * G = X ⋆ rot180(G)
    conv_kernel_grad(wdk, flipped, x->data, s);
    ok = ok && differ(wdk, dk->data, nk);
    double first_row = 0.0; // bias-one-axis: Σ_j G[0,j]
    for (int j = 0; j < g->w; j++) first_row += g->data[j];
    ok = ok && differ(&first_row, &db, 1);
    free(wrong);
    return ok;
}
