#ifndef WORKBOOK_POOL_CASE_H
#define WORKBOOK_POOL_CASE_H
// Max pooling as chapter 4 checks it: one channel, L = Σ G∘maxpool(X) for
// a fixed upstream G, so ∂L/∂X is exactly the backward pass for dY = G.
// Buffers are the caller's.

#include <complex.h>
#include <stdbool.h>

#include "gradcheck.h"
#include "pool.h"
#include "tensor.h"

// Flat index into X of cell (m, n) of output window (i, j).
int window_cell(const PoolShape *s, int i, int j, int m, int n);
double window_max(const Tensor *x, const PoolShape *s, int i, int j);

// The loss as the checker sees it. scratch_out/argmax: one per output.
typedef struct {
    Tensor *x;
    const Tensor *g;
    const PoolShape *s;
    const Tensor *base; // Y at the unperturbed X, or NULL
} PoolLoss;
// L − L(X₀) = Σ_k G_k·(max(window k) − base_k) when base is set (the same
// derivative, without the cancellation of two large sums: a window the
// step does not change contributes exactly 0), else L = Σ_k G_k·max_k;
// scale Σ of the magnitudes of those terms.
double pool_loss_whole(void *ctx, double *scale);
// Only the windows containing cell k: perturbing X[k] changes no other term.
double pool_loss_local(void *ctx, int k, double *scale);
// L = Σ_k G_k·mean(window k) for average pooling (base is not used).
double avgpool_loss(void *ctx, double *scale);
// Work of one local evaluation: windows per cell × cells per window.
double pool_local_ops(const PoolShape *s);

// The same loss for the complex step (cstep.h): a complex copy of X, and
// the windows over cell k from pool_generic.inc. Returns NaN at a tie.
typedef struct {
    const PoolLoss *loss;
    double complex *cx;
} PoolComplex;
bool pool_complex_init(PoolComplex *c, const PoolLoss *loss); // false: out of memory
void pool_complex_free(PoolComplex *c);
double pool_complex_at(void *ctx, int k, double h, double *scale);

// Marks in tie every cell that shares its window's maximum with another
// cell (an exact tie: L has a kink there and no derivative). Returns the
// number of windows with a tie.
int pool_find_ties(bool *tie, const Tensor *x, const PoolShape *s);

// The valid tie rules: the first maximum (maxpool_backward, PyTorch), or
// the tied maxima sharing G_k equally. Both add into dx.
void route_first(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s);
void route_split(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s);

#endif
