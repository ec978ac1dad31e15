#include "network.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "arraylen.h"
#include "dense.h"
#include "loss.h"
#include "progress.h"
#include "rng.h"

bool net_shape_init(NetShape *s, int in_h, int in_w, int kernels, int k) {
    if (in_h < 1 || in_w < 1 || kernels < 1 || k < 1 || in_h < k + NET_POOL - 1 || in_w < k + NET_POOL - 1)
        return false;
    long conv_h = in_h - k + 1, conv_w = in_w - k + 1;
    long pool_h = conv_h - NET_POOL + 1, pool_w = conv_w - NET_POOL + 1;
    long flat = (long)kernels * pool_h * pool_w;
    long n_params = (long)kernels * k * k + kernels + flat + 1;
    long conv_size = (long)kernels * conv_h * conv_w;
    if (n_params > INT_MAX / 4 || conv_size > INT_MAX / 4 || (long)in_h * in_w > INT_MAX / 4) return false;
    *s = (NetShape){in_h, in_w, kernels, k, (int)conv_h, (int)conv_w, (int)pool_h, (int)pool_w, (int)flat,
                    (int)n_params, in_h * in_w};
    return true;
}

ConvShape net_conv_shape(const NetShape *s) {
    ConvShape c;
    conv_shape_init(&c, 1, s->in_h, s->in_w, s->kernels, s->k, s->k, 1, 0, 0, 1); // fits: net_shape_init
    return c;
}

PoolShape net_pool_shape(const NetShape *s) {
    PoolShape p;
    pool_shape_init(&p, s->kernels, s->conv_h, s->conv_w, NET_POOL, NET_POOL, 1);
    return p;
}

void net_params_point(NetParams *p, double *block, const NetShape *s) {
    p->kernel = block;
    p->conv_b = p->kernel + (size_t)s->kernels * s->k * s->k;
    p->dense_w = p->conv_b + s->kernels;
    p->dense_b = p->dense_w + s->flat;
}

static size_t conv_size(const NetShape *s) { return (size_t)s->kernels * s->conv_h * s->conv_w; }

size_t net_act_doubles(const NetShape *s) { return 2 * conv_size(s) + 2 * (size_t)s->flat; }
size_t net_act_ints(const NetShape *s) { return (size_t)s->flat; }

void net_acts_point(NetActs *a, double *dblock, int *iblock, const NetShape *s) {
    a->conv = dblock;
    a->d_conv = a->conv + conv_size(s);
    a->pooled = a->d_conv + conv_size(s);
    a->d_pooled = a->pooled + s->flat;
    a->argmax = iblock;
    a->z = a->yhat = a->loss = 0.0;
}

// ---------------------------------------------------------------- forward and backward

double net_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    ConvShape cs = net_conv_shape(s);
    PoolShape ps = net_pool_shape(s);
    conv_forward(a->conv, x, p.kernel, p.conv_b, &cs);                  // A = X ⋆ K + b
    maxpool_forward(a->pooled, a->argmax, a->conv, &ps);                // p = flatten(maxpool(A))
    dense_forward(&a->z, a->pooled, p.dense_w, p.dense_b, 1, s->flat); // z = w·p + d
    a->yhat = sigmoid(a->z);                                            // ŷ = σ(z)
    a->loss = bce_loss_logits(&y, &a->z, 1);                            // L = BCE(y, ŷ)
    return a->loss;
}

void net_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                  const NetShape *s) {
    NetParams p, g;
    net_params_point(&p, (double *)params, s);
    net_params_point(&g, grads, s);
    ConvShape cs = net_conv_shape(s);
    PoolShape ps = net_pool_shape(s);
    double dz;
    bce_grad_logits(&dz, &y, &a->z, 1); // ∂L/∂z = ŷ − y
    memset(a->d_pooled, 0, (size_t)s->flat * sizeof(double));
    dense_backward(a->d_pooled, g.dense_w, g.dense_b, &dz, a->pooled, p.dense_w, 1, s->flat);
    memset(a->d_conv, 0, conv_size(s) * sizeof(double));
    maxpool_backward(a->d_conv, a->d_pooled, a->argmax, &ps);
    conv_backward(dx, g.kernel, g.conv_b, a->d_conv, x, p.kernel, &cs); // dx NULL: no ∂L/∂X made
}

void net_sgd_step(double *params, const double *grads, double lr, const NetShape *s) {
    for (int k = 0; k < s->n_params; k++) params[k] -= lr * grads[k];
}

void net_init_params(double *params, const NetShape *s, uint64_t seed) {
    NetParams p;
    net_params_point(&p, params, s);
    Rng r = rng_make(seed);
    double kernel_scale = 1.0 / s->k, dense_scale = 1.0 / sqrt((double)s->flat);
    for (int k = 0; k < s->kernels * s->k * s->k; k++) p.kernel[k] = rng_range(&r, -kernel_scale, kernel_scale);
    for (int c = 0; c < s->kernels; c++) p.conv_b[c] = 0.0;
    for (int j = 0; j < s->flat; j++) p.dense_w[j] = rng_range(&r, -dense_scale, dense_scale);
    *p.dense_b = 0.0;
}

void net_evaluate(double *loss, double *accuracy, const double *params, NetActs *a, const double *x,
                  const double *y, int n, NetForwardFn forward, const NetShape *s) {
    double sum = 0.0;
    int right = 0;
    for (int t = 0; t < n; t++) {
        sum += forward(a, params, x + (size_t)t * s->n_input, y[t], s);
        right += (a->yhat >= 0.5) == (y[t] == 1.0);
    }
    *loss = sum / n;
    *accuracy = (double)right / n;
}

// ---------------------------------------------------------------- checks

double net_objective_whole(void *problem, double *scale) {
    NetProblem *pr = problem;
    const NetShape *s = pr->s;
    double loss = net_forward(pr->a, pr->params, pr->x, pr->y, s);
    NetParams p;
    net_params_point(&p, pr->params, s);
    double xmax = 0.0, zterms = fabs(*p.dense_b);
    for (int k = 0; k < s->n_input; k++) xmax = fmax(xmax, fabs(pr->x[k]));
    int kk = s->k * s->k, pplane = s->pool_h * s->pool_w;
    for (int c = 0; c < s->kernels; c++) {
        // Σ|terms| of every conv output of channel c is at most |b_c| + max|X|·Σ|K_c|.
        double conv_terms = fabs(p.conv_b[c]);
        for (int e = 0; e < kk; e++) conv_terms += xmax * fabs(p.kernel[c * kk + e]);
        for (int j = c * pplane; j < (c + 1) * pplane; j++) zterms += fabs(p.dense_w[j]) * conv_terms;
    }
    *scale = fabs(loss) + fabs(pr->a->yhat - pr->y) * zterms;
    return loss;
}

// ∂A[c, ci, cj]/∂X[u, v]: K[c, u−ci, v−cj] when the kernel covers (u, v), else 0.
static double conv_input_weight(const double *kern, int k, int ci, int cj, int u, int v) {
    int m = u - ci, n = v - cj;
    return m >= 0 && m < k && n >= 0 && n < k ? kern[m * k + n] : 0.0;
}

// Marks the entries on which the tied cells a and b (flat conv indices of
// channel c) depend differently.
static int mark_tie(bool *skip_params, bool *skip_x, int a, int b, int c, const double *kern, const double *x,
                    const NetShape *s) {
    int plane = s->conv_h * s->conv_w, k = s->k, marked = 0;
    int ai = (a - c * plane) / s->conv_w, aj = (a - c * plane) % s->conv_w;
    int bi = (b - c * plane) / s->conv_w, bj = (b - c * plane) % s->conv_w;
    for (int m = 0; m < k; m++) // ∂A/∂K[c,m,n] = X[i+m, j+n]
        for (int n = 0; n < k; n++) {
            bool *e = &skip_params[(c * k + m) * k + n];
            if (!*e && x[(ai + m) * s->in_w + aj + n] != x[(bi + m) * s->in_w + bj + n]) *e = true, marked++;
        }
    int u0 = ai < bi ? ai : bi, v0 = aj < bj ? aj : bj;
    for (int u = u0; u < u0 + k + 1 && u < s->in_h; u++)
        for (int v = v0; v < v0 + k + 1 && v < s->in_w; v++) {
            bool *e = &skip_x[u * s->in_w + v];
            if (!*e && conv_input_weight(kern, k, ai, aj, u, v) != conv_input_weight(kern, k, bi, bj, u, v))
                *e = true, marked++;
        }
    return marked; // the bias and the dense layer see the same max either way
}

int net_tie_mask(bool *skip_params, bool *skip_x, const NetActs *a, const double *params, const double *x,
                 const NetShape *s) {
    memset(skip_params, 0, (size_t)s->n_params * sizeof(bool));
    memset(skip_x, 0, (size_t)s->n_input * sizeof(bool));
    NetParams p;
    net_params_point(&p, (double *)params, s);
    int pplane = s->pool_h * s->pool_w, marked = 0;
    for (int j = 0; j < s->flat; j++) {
        int c = j / pplane, win = a->argmax[j], pi = (j % pplane) / s->pool_w, pj = (j % pplane) % s->pool_w;
        int base = c * s->conv_h * s->conv_w;
        for (int m = 0; m < NET_POOL; m++)
            for (int n = 0; n < NET_POOL; n++) {
                int cell = base + (pi + m) * s->conv_w + pj + n;
                if (cell != win && a->conv[cell] == a->conv[win])
                    marked += mark_tie(skip_params, skip_x, win, cell, c, p.kernel + (size_t)c * s->k * s->k, x, s);
            }
    }
    return marked;
}

// ---------------------------------------------------------------- training

bool net_history_alloc(NetHistory *h, int epochs) {
    *h = (NetHistory){0};
    double *block = calloc(4 * ((size_t)epochs + 1), sizeof(double));
    if (!block) return false;
    h->train_loss = block, h->train_acc = block + epochs + 1;
    h->test_loss = block + 2 * (epochs + 1), h->test_acc = block + 3 * (epochs + 1);
    return true;
}

void net_history_free(NetHistory *h) {
    free(h->train_loss);
    *h = (NetHistory){0};
}

static bool all_finite(const double *v, int n) {
    for (int k = 0; k < n; k++)
        if (!isfinite(v[k])) return false;
    return true;
}

static void sgd_epoch(double *params, double *grads, NetActs *a, const Dataset *d, const int *order, double lr,
                      NetForwardFn forward, NetBackwardFn backward, void *ctx, const NetShape *s) {
    for (int t = 0; t < d->n; t++) {
        const double *x = d->x + (size_t)order[t] * s->n_input;
        memset(grads, 0, (size_t)s->n_params * sizeof(double));
        forward(a, params, x, d->y[order[t]], s);
        backward(grads, a, params, x, d->y[order[t]], ctx);
        net_sgd_step(params, grads, lr, s);
    }
}

bool net_train(NetHistory *h, double *params, double *grads, NetActs *a, const Dataset *train,
               const Dataset *test, int epochs, double lr, uint64_t seed, NetForwardFn forward,
               NetBackwardFn backward, void *ctx, const NetShape *s, bool progress) {
    int *order = malloc((size_t)train->n * sizeof(int));
    double *saved = malloc((size_t)s->n_params * sizeof(double));
    Progress bar;
    progress_begin(&bar, "training", "epochs", epochs);
    if (!order || !saved) {
        free(order);
        free(saved);
        return false;
    }
    for (int i = 0; i < train->n; i++) order[i] = i;
    Rng rng = rng_make(seed);
    for (int e = 0; e <= epochs; e++) {
        memcpy(saved, params, (size_t)s->n_params * sizeof(double));
        if (e > 0) {
            dataset_shuffle(order, train->n, &rng);
            sgd_epoch(params, grads, a, train, order, lr, forward, backward, ctx, s);
        }
        net_evaluate(&h->train_loss[e], &h->train_acc[e], params, a, train->x, train->y, train->n, forward, s);
        net_evaluate(&h->test_loss[e], &h->test_acc[e], params, a, test->x, test->y, test->n, forward, s);
        if (!isfinite(h->train_loss[e]) || !isfinite(h->test_loss[e]) || !all_finite(params, s->n_params)) {
            memcpy(params, saved, (size_t)s->n_params * sizeof(double));
            h->diverged = true;
            break;
        }
        h->done = e;
        if (progress) progress_update(&bar, e);
    }
    progress_end(&bar);
    free(order);
    free(saved);
    return true;
}
