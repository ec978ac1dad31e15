#ifndef TESTS_GRADCHECK_PROBLEMS_H
#define TESTS_GRADCHECK_PROBLEMS_H
// Small problems with hand-derived exact gradients, written here
// independently of src/ (no conv.c, pool.c, dense.c or loss.c), for the
// checker's unit tests (check_gradcheck.c) and the randomized corpus
// (check_corpus.c). Each loss reports `scale`, the magnitudes of what it
// sums, counting the parts of an inner sum (Y = Σ x·k counts Σ|x·k|),
// because that is what its rounding is proportional to.
//
//   xcorr   L = Σ G∘Y,  Y = X ⋆ K (valid cross-correlation) or X * K
//           (true convolution: X ⋆ rot180(K)).
//           ∂L/∂K[m,n] = Σ_ij G[i,j]·X[i+m, j+n]      (cross-correlation)
//           ∂L/∂K      = rot180(that)                 (convolution)
//           ∂L/∂X[i+m, j+n] += G[i,j]·K[m,n]          (K rotated for convolution)
//   dense   L = (1/M) Σ_i softplus(z_i) − y_i z_i,  z = W x + b
//           (BCE of σ(z) against y, the logit form), with
//           δ_i = ((1 − y_i)·σ(z_i) − y_i·σ(−z_i)) / M = (σ(z_i) − y_i)/M
//           written so that it keeps its digits when σ saturates;
//           ∂L/∂W = δ xᵀ, ∂L/∂x = Wᵀ δ, ∂L/∂b = δ.
//   pool    L = Σ G∘maxpool(X) (window × window, stride), every window with a
//           unique maximum: ∂L/∂X[argmax of window w] += G[w].
// Shapes are at most GP_MAX entries per array; the caller fills them.
#include <math.h>
#include <stdbool.h>

#define GP_MAX 64

typedef struct {
    int h, w, kh, kw;
    bool convolution;
    double x[GP_MAX], k[GP_MAX], g[GP_MAX];
    int calls; // loss evaluations so far
} XcorrProblem;

static inline int xc_oh(const XcorrProblem *p) { return p->h - p->kh + 1; }
static inline int xc_ow(const XcorrProblem *p) { return p->w - p->kw + 1; }
// The kernel entry that multiplies X[i+m, j+n].
static inline double xc_kernel(const XcorrProblem *p, int m, int n) {
    return p->convolution ? p->k[(p->kh - 1 - m) * p->kw + (p->kw - 1 - n)] : p->k[m * p->kw + n];
}

static inline double xcorr_loss(void *ctx, double *scale) {
    XcorrProblem *p = ctx;
    p->calls++;
    double sum = 0.0, mag = 0.0;
    for (int i = 0; i < xc_oh(p); i++)
        for (int j = 0; j < xc_ow(p); j++) {
            double y = 0.0, ymag = 0.0;
            for (int m = 0; m < p->kh; m++)
                for (int n = 0; n < p->kw; n++) {
                    double t = p->x[(i + m) * p->w + j + n] * xc_kernel(p, m, n);
                    y += t, ymag += fabs(t);
                }
            double gij = p->g[i * xc_ow(p) + j];
            sum += gij * y;
            mag += fabs(gij) * ymag;
        }
    *scale = mag;
    return sum;
}

// dk[kh·kw], dx[h·w]: the exact gradients.
static inline void xcorr_grads(const XcorrProblem *p, double *dk, double *dx) {
    for (int e = 0; e < p->kh * p->kw; e++) dk[e] = 0.0;
    for (int e = 0; e < p->h * p->w; e++) dx[e] = 0.0;
    for (int m = 0; m < p->kh; m++)
        for (int n = 0; n < p->kw; n++) {
            int km = p->convolution ? p->kh - 1 - m : m, kn = p->convolution ? p->kw - 1 - n : n;
            for (int i = 0; i < xc_oh(p); i++)
                for (int j = 0; j < xc_ow(p); j++) {
                    double gij = p->g[i * xc_ow(p) + j];
                    dk[km * p->kw + kn] += gij * p->x[(i + m) * p->w + j + n];
                    dx[(i + m) * p->w + j + n] += gij * xc_kernel(p, m, n);
                }
        }
}

typedef struct {
    int m, n; // W is m×n, x has n entries, b and y m
    double W[GP_MAX], x[GP_MAX], b[GP_MAX], y[GP_MAX];
    int calls;
} DenseProblem;

static inline double gp_softplus(double z) { return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z)); }
static inline double gp_sigmoid(double z) { return z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z)); }

static inline double dense_z(const DenseProblem *p, int i, double *mag) {
    double z = p->b[i];
    *mag = fabs(p->b[i]);
    for (int j = 0; j < p->n; j++) z += p->W[i * p->n + j] * p->x[j], *mag += fabs(p->W[i * p->n + j] * p->x[j]);
    return z;
}

static inline double dense_loss(void *ctx, double *scale) {
    DenseProblem *p = ctx;
    p->calls++;
    double sum = 0.0, mag = 0.0;
    for (int i = 0; i < p->m; i++) {
        double zmag, z = dense_z(p, i, &zmag), sp = gp_softplus(z);
        sum += sp - p->y[i] * z;
        // z's rounding (ε·zmag) moves this term by |∂/∂z| = |σ(z) − y| per
        // unit: the terms and that propagated magnitude
        mag += fabs(sp) + fabs(p->y[i] * z) + fabs(gp_sigmoid(z) - p->y[i]) * zmag;
    }
    *scale = mag / p->m;
    return sum / p->m;
}

// dW[m·n], dx[n], db[m]: the exact gradients.
static inline void dense_grads(const DenseProblem *p, double *dW, double *dx, double *db) {
    for (int j = 0; j < p->n; j++) dx[j] = 0.0;
    for (int i = 0; i < p->m; i++) {
        double mag, z = dense_z(p, i, &mag);
        double d = ((1.0 - p->y[i]) * gp_sigmoid(z) - p->y[i] * gp_sigmoid(-z)) / p->m;
        db[i] = d;
        for (int j = 0; j < p->n; j++) {
            dW[i * p->n + j] = d * p->x[j];
            dx[j] += p->W[i * p->n + j] * d;
        }
    }
}

typedef struct {
    int h, w, win, stride;
    double x[GP_MAX], g[GP_MAX];
    int calls;
} PoolProblem;

static inline int pool_oh(const PoolProblem *p) { return (p->h - p->win) / p->stride + 1; }
static inline int pool_ow(const PoolProblem *p) { return (p->w - p->win) / p->stride + 1; }

// The flat index of window (i, j)'s maximum (the first on a tie).
static inline int pool_argmax(const PoolProblem *p, int i, int j) {
    int best = i * p->stride * p->w + j * p->stride;
    for (int m = 0; m < p->win; m++)
        for (int n = 0; n < p->win; n++) {
            int at = (i * p->stride + m) * p->w + j * p->stride + n;
            if (p->x[at] > p->x[best]) best = at;
        }
    return best;
}

static inline double pool_loss(void *ctx, double *scale) {
    PoolProblem *p = ctx;
    p->calls++;
    double sum = 0.0, mag = 0.0;
    for (int i = 0; i < pool_oh(p); i++)
        for (int j = 0; j < pool_ow(p); j++) {
            double t = p->g[i * pool_ow(p) + j] * p->x[pool_argmax(p, i, j)];
            sum += t, mag += fabs(t);
        }
    *scale = mag;
    return sum;
}

static inline void pool_grad(const PoolProblem *p, double *dx) {
    for (int e = 0; e < p->h * p->w; e++) dx[e] = 0.0;
    for (int i = 0; i < pool_oh(p); i++)
        for (int j = 0; j < pool_ow(p); j++) dx[pool_argmax(p, i, j)] += p->g[i * pool_ow(p) + j];
}

#endif
