#include "network.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "parse.h"
#include "rng.h"

// The synthetic images' pixel noise: strokes (1) stay plain to see, and the
// task stays a real one (single noisy pixels can look like a stroke's end).
#define SYNTHETIC_NOISE 0.25
// Terms per block of the dense sum: short enough that re-adding one block is
// cheap, long enough that the running sum over blocks is short.
#define NET_DENSE_BLOCK 32

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

void net_params_point(NetParams *p, double *block, const NetShape *s) {
    p->kernel = block;
    p->conv_b = p->kernel + (size_t)s->kernels * s->k * s->k;
    p->dense_w = p->conv_b + s->kernels;
    p->dense_b = p->dense_w + s->flat;
}

static size_t conv_size(const NetShape *s) { return (size_t)s->kernels * s->conv_h * s->conv_w; }

size_t net_act_doubles(const NetShape *s) { return 2 * conv_size(s) + (size_t)s->flat; }
size_t net_act_ints(const NetShape *s) { return (size_t)s->flat; }

void net_acts_point(NetActs *a, double *dblock, int *iblock, const NetShape *s) {
    a->conv = dblock;
    a->d_conv = a->conv + conv_size(s);
    a->pooled = a->d_conv + conv_size(s);
    a->argmax = iblock;
    a->z = a->yhat = a->loss = 0.0;
}

// ---------------------------------------------------------------- forward
// Every forward value is computed by the functions below, whether in a full
// pass or in the caching check's partial recomputation, and each conv output,
// pooled entry and dense block sum always with the same operations in the
// same order: identical doubles.

// A[c,i,j] = b[c] + Σ_m Σ_n X[i+m, j+n] K[c,m,n], summed in (m, n) order.
static inline double conv_entry(const double *x, const double *kern, double bias, int i, int j,
                                const NetShape *s) {
    double sum = bias;
    for (int m = 0; m < s->k; m++) {
        const double *row = x + (size_t)(i + m) * s->in_w + j;
        const double *krow = kern + m * s->k;
        for (int n = 0; n < s->k; n++) sum += row[n] * krow[n];
    }
    return sum;
}

// Pooled entry (i,j) of one channel's conv map (which starts at flat index
// base of the conv block): the first maximum of the 2×2 window in row-major
// order, as maxpool_forward picks it. Taken as the first maximum of each
// row's pair, then the top row's unless the bottom row's is larger: the same
// cell, with selects instead of branches (the winner is unpredictable).
static inline void pool_entry(double *out, int *argmax, const double *plane, int base, int i, int j, int cw) {
    int a = i * cw + j, c = a + cw;
    double top = plane[a], right = plane[a + 1], bottom = plane[c], corner = plane[c + 1];
    bool r = right > top, k = corner > bottom;
    int t = r ? a + 1 : a, b = k ? c + 1 : c;
    top = r ? right : top;
    bottom = k ? corner : bottom;
    bool lower = bottom > top;
    *out = lower ? bottom : top;
    *argmax = base + (lower ? b : t);
}

// The dense sum in blocks of NET_DENSE_BLOCK terms: each block summed left
// to right from 0, then z = d + S_0 + S_1 + ... left to right. A changed
// weight or pooled value changes one block's S_b, so the caching check
// re-adds that block and the running sum after it, not everything after it.
static inline double dense_block(const double *w, const double *p, int b, int flat) {
    int end = (b + 1) * NET_DENSE_BLOCK < flat ? (b + 1) * NET_DENSE_BLOCK : flat;
    double sum = 0.0;
    for (int j = b * NET_DENSE_BLOCK; j < end; j++) sum += w[j] * p[j];
    return sum;
}

static int dense_blocks(int flat) { return (flat + NET_DENSE_BLOCK - 1) / NET_DENSE_BLOCK; }

static double dense_sum(const double *w, const double *p, double d, int flat) {
    double z = d;
    for (int b = 0; b < dense_blocks(flat); b++) z += dense_block(w, p, b, flat);
    return z;
}

// The whole map: conv_entry's additions in conv_entry's order for every
// output, so the doubles are the same, but eight (then four) outputs of a
// row at a time, each in its own register: independent chains keep the
// floating-point units busy where one chain would wait on every addition.
static void conv_channel(double *plane, const double *x, const double *kern, double bias, const NetShape *s) {
    int cw = s->conv_w, k = s->k;
    for (int i = 0; i < s->conv_h; i++) {
        double *out = plane + (size_t)i * cw;
        int j = 0;
        for (; j + 8 <= cw; j += 8) {
            double s0 = bias, s1 = bias, s2 = bias, s3 = bias, s4 = bias, s5 = bias, s6 = bias, s7 = bias;
            for (int m = 0; m < k; m++) {
                const double *row = x + (size_t)(i + m) * s->in_w + j;
                const double *krow = kern + m * k;
                for (int n = 0; n < k; n++) {
                    double w = krow[n];
                    s0 += row[n] * w;
                    s1 += row[n + 1] * w;
                    s2 += row[n + 2] * w;
                    s3 += row[n + 3] * w;
                    s4 += row[n + 4] * w;
                    s5 += row[n + 5] * w;
                    s6 += row[n + 6] * w;
                    s7 += row[n + 7] * w;
                }
            }
            out[j] = s0, out[j + 1] = s1, out[j + 2] = s2, out[j + 3] = s3;
            out[j + 4] = s4, out[j + 5] = s5, out[j + 6] = s6, out[j + 7] = s7;
        }
        for (; j + 4 <= cw; j += 4) {
            double s0 = bias, s1 = bias, s2 = bias, s3 = bias;
            for (int m = 0; m < k; m++) {
                const double *row = x + (size_t)(i + m) * s->in_w + j;
                const double *krow = kern + m * k;
                for (int n = 0; n < k; n++) {
                    double w = krow[n];
                    s0 += row[n] * w;
                    s1 += row[n + 1] * w;
                    s2 += row[n + 2] * w;
                    s3 += row[n + 3] * w;
                }
            }
            out[j] = s0, out[j + 1] = s1, out[j + 2] = s2, out[j + 3] = s3;
        }
        for (; j < cw; j++) out[j] = conv_entry(x, kern, bias, i, j, s);
    }
}

static void pool_channel(double *pooled, int *argmax, const double *plane, int base, const NetShape *s) {
    int ph = s->pool_h, pw = s->pool_w, cw = s->conv_w; // locals: the stores below cannot change them
    for (int i = 0; i < ph; i++)
        for (int j = 0; j < pw; j++) {
            int k = i * pw + j;
            pool_entry(&pooled[k], &argmax[k], plane, base, i, j, cw);
        }
}

static double loss_of(double z, double y) { return bce_loss_logits(&y, &z, 1); }

double net_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    int plane = s->conv_h * s->conv_w, pooled_plane = s->pool_h * s->pool_w, kk = s->k * s->k;
    for (int c = 0; c < s->kernels; c++) {
        conv_channel(a->conv + (size_t)c * plane, x, p.kernel + (size_t)c * kk, p.conv_b[c], s);
        pool_channel(a->pooled + (size_t)c * pooled_plane, a->argmax + (size_t)c * pooled_plane,
                     a->conv + (size_t)c * plane, c * plane, s);
    }
    a->z = dense_sum(p.dense_w, a->pooled, *p.dense_b, s->flat);
    a->yhat = sigmoid(a->z);
    a->loss = loss_of(a->z, y);
    return a->loss;
}

// ---------------------------------------------------------------- backward

// The loop below for the default 3×3 kernels, with ∂L/∂K summed in nine
// registers instead of in memory, where every cell's update would wait for
// the previous cell's. Returns ∂L/∂b.
static double conv_backward_3x3(double *dkern, double *dx, const double *dplane, const double *x,
                                const double *kern, const NetShape *s) {
    double k0 = 0, k1 = 0, k2 = 0, k3 = 0, k4 = 0, k5 = 0, k6 = 0, k7 = 0, k8 = 0, db = 0.0;
    int w = s->in_w;
    for (int i = 0; i < s->conv_h; i++)
        for (int j = 0; j < s->conv_w; j++) {
            double d = dplane[i * s->conv_w + j];
            if (d == 0.0) continue;
            db += d;
            const double *r0 = x + (size_t)i * w + j, *r1 = r0 + w, *r2 = r1 + w;
            k0 += d * r0[0], k1 += d * r0[1], k2 += d * r0[2];
            k3 += d * r1[0], k4 += d * r1[1], k5 += d * r1[2];
            k6 += d * r2[0], k7 += d * r2[1], k8 += d * r2[2];
            if (dx) {
                double *q0 = dx + (size_t)i * w + j, *q1 = q0 + w, *q2 = q1 + w;
                q0[0] += d * kern[0], q0[1] += d * kern[1], q0[2] += d * kern[2];
                q1[0] += d * kern[3], q1[1] += d * kern[4], q1[2] += d * kern[5];
                q2[0] += d * kern[6], q2[1] += d * kern[7], q2[2] += d * kern[8];
            }
        }
    dkern[0] += k0, dkern[1] += k1, dkern[2] += k2, dkern[3] += k3, dkern[4] += k4;
    dkern[5] += k5, dkern[6] += k6, dkern[7] += k7, dkern[8] += k8;
    return db;
}

void net_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                  const NetShape *s) {
    NetParams p, g;
    net_params_point(&p, (double *)params, s);
    net_params_point(&g, grads, s);
    // bce_grad_logits's (σ(z) − y)/n for n = 1, with the σ(z) forward kept.
    double dz = a->yhat - y;
    *g.dense_b += dz;
    memset(a->d_conv, 0, conv_size(s) * sizeof(double));
    for (int j = 0; j < s->flat; j++) {
        g.dense_w[j] += dz * a->pooled[j];
        a->d_conv[a->argmax[j]] += dz * p.dense_w[j]; // the pooling switch
    }
    // Only the argmax cells carry a gradient; the others would add zeros.
    int plane = s->conv_h * s->conv_w, kk = s->k * s->k;
    for (int c = 0; c < s->kernels; c++) {
        const double *dplane = a->d_conv + (size_t)c * plane;
        const double *kern = p.kernel + (size_t)c * kk;
        double *dkern = g.kernel + (size_t)c * kk;
        if (s->k == 3) {
            g.conv_b[c] += conv_backward_3x3(dkern, dx, dplane, x, kern, s);
            continue;
        }
        double db = 0.0;
        for (int i = 0; i < s->conv_h; i++)
            for (int j = 0; j < s->conv_w; j++) {
                double d = dplane[i * s->conv_w + j];
                if (d == 0.0) continue;
                db += d;
                for (int m = 0; m < s->k; m++) {
                    const double *row = x + (size_t)(i + m) * s->in_w + j;
                    for (int n = 0; n < s->k; n++) dkern[m * s->k + n] += d * row[n];
                    if (dx) {
                        double *drow = dx + (size_t)(i + m) * s->in_w + j;
                        for (int n = 0; n < s->k; n++) drow[n] += d * kern[m * s->k + n];
                    }
                }
            }
        g.conv_b[c] += db;
    }
}

void net_sgd_step(double *params, const double *grads, double lr, const NetShape *s) {
    for (int k = 0; k < s->n_params; k++) params[k] -= lr * grads[k];
}

// ---------------------------------------------------------------- checks

double net_loss(void *problem) {
    NetProblem *p = problem;
    return net_forward(p->a, p->params, p->x, p->y, p->s);
}

void net_numerical_plain(double *num_params, double *num_x, NetProblem *p, double h) {
    numerical_gradient(num_params, p->params, p->s->n_params, net_loss, p, h);
    numerical_gradient(num_x, p->x, p->s->n_input, net_loss, p, h);
}

// The caching check's state: the unperturbed activations (kept), working
// copies that a perturbation overwrites and that are restored from the kept
// ones afterwards, and the dense layer's running sums.
typedef struct {
    const NetShape *s;
    NetParams p;
    const double *x;
    double y;
    const double *conv, *pooled; // kept
    const int *argmax;           // kept
    double *conv2, *pooled2;     // working copies
    int *argmax2;
    bool kinked; // a perturbation moved some pooled maximum to another cell
    const double *blocks; // kept S_b
    double *blocks2;      // working copy
    double *partial;      // partial[b] = d + S_0 + ... + S_{b−1}, b = 0..nb
    int nb;
} Cache;

size_t net_cache_doubles(const NetShape *s) {
    return net_act_doubles(s) + conv_size(s) + (size_t)s->flat + 3 * (size_t)dense_blocks(s->flat) + 1;
}
size_t net_cache_ints(const NetShape *s) { return net_act_ints(s) + (size_t)s->flat; }

// Central difference of one entry with numerical_gradient's step and formula.
#define CENTRAL_DIFFERENCE(out, entry, h, eval)                                                                \
    do {                                                                                                       \
        double saved_ = (entry);                                                                               \
        double step_ = (h) * fmax(1.0, fabs(saved_));                                                          \
        (entry) = saved_ + step_;                                                                              \
        double up_ = (eval);                                                                                   \
        (entry) = saved_ - step_;                                                                              \
        double down_ = (eval);                                                                                 \
        (entry) = saved_;                                                                                      \
        (out) = (up_ - down_) / (2.0 * step_);                                                                 \
    } while (0)

// z from the kept running sum before block `from` and the working block sums
// from there on (each the kept one unless a perturbation rewrote it).
static double loss_from_block(const Cache *c, int from) {
    double z = c->partial[from];
    for (int b = from; b < c->nb; b++) z += c->blocks2[b];
    return loss_of(z, c->y);
}

// Loss when dense weight j changed: its block is re-added from the kept pooled values.
static double loss_dense_weight(Cache *c, int j) {
    int b = j / NET_DENSE_BLOCK;
    c->blocks2[b] = dense_block(c->p.dense_w, c->pooled, b, c->s->flat);
    return loss_from_block(c, b);
}

static double loss_dense_bias(const Cache *c) {
    double z = *c->p.dense_b;
    for (int b = 0; b < c->nb; b++) z += c->blocks[b];
    return loss_of(z, c->y);
}

// Re-adds the blocks that hold pooled entries first..last of the working copy.
static int reblock(Cache *c, int first, int last) {
    int b0 = first / NET_DENSE_BLOCK, b1 = last / NET_DENSE_BLOCK;
    for (int b = b0; b <= b1; b++) c->blocks2[b] = dense_block(c->p.dense_w, c->pooled2, b, c->s->flat);
    return b0;
}

static void unblock(Cache *c, int first, int last) {
    for (int b = first / NET_DENSE_BLOCK; b <= last / NET_DENSE_BLOCK; b++) c->blocks2[b] = c->blocks[b];
}

// Loss after channel ch's kernel or bias changed: that channel's conv and
// pool go to the working copies, the dense sum resumes at its first entry.
static double loss_channel(Cache *c, int ch) {
    const NetShape *s = c->s;
    int plane = s->conv_h * s->conv_w, pplane = s->pool_h * s->pool_w;
    double *conv = c->conv2 + (size_t)ch * plane;
    conv_channel(conv, c->x, c->p.kernel + (size_t)ch * s->k * s->k, c->p.conv_b[ch], s);
    pool_channel(c->pooled2 + (size_t)ch * pplane, c->argmax2 + (size_t)ch * pplane, conv, ch * plane, s);
    for (int k = ch * pplane; k < (ch + 1) * pplane; k++) c->kinked |= c->argmax2[k] != c->argmax[k];
    return loss_from_block(c, reblock(c, ch * pplane, (ch + 1) * pplane - 1));
}

static void restore_channel(Cache *c, int ch) {
    const NetShape *s = c->s;
    size_t plane = (size_t)s->conv_h * s->conv_w, pplane = (size_t)s->pool_h * s->pool_w;
    unblock(c, (int)(ch * pplane), (int)((ch + 1) * pplane - 1));
    memcpy(c->conv2 + ch * plane, c->conv + ch * plane, plane * sizeof(double));
    memcpy(c->pooled2 + ch * pplane, c->pooled + ch * pplane, pplane * sizeof(double));
}

// The conv outputs that read X[i,j]: rows i−K+1..i, columns j−K+1..j.
typedef struct {
    int r0, r1, c0, c1;     // conv block
    int pr0, pr1, pc0, pc1; // pooled block over it
} Block;

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static Block input_block(const NetShape *s, int i, int j) {
    Block b;
    b.r0 = clampi(i - s->k + 1, 0, s->conv_h - 1);
    b.r1 = clampi(i, 0, s->conv_h - 1);
    b.c0 = clampi(j - s->k + 1, 0, s->conv_w - 1);
    b.c1 = clampi(j, 0, s->conv_w - 1);
    b.pr0 = clampi(b.r0 - NET_POOL + 1, 0, s->pool_h - 1);
    b.pr1 = clampi(b.r1, 0, s->pool_h - 1);
    b.pc0 = clampi(b.c0 - NET_POOL + 1, 0, s->pool_w - 1);
    b.pc1 = clampi(b.c1, 0, s->pool_w - 1);
    return b;
}

static double loss_input(Cache *c, const Block *b) {
    const NetShape *s = c->s;
    int plane = s->conv_h * s->conv_w, pplane = s->pool_h * s->pool_w, kk = s->k * s->k;
    for (int ch = 0; ch < s->kernels; ch++) {
        double *conv = c->conv2 + (size_t)ch * plane;
        for (int i = b->r0; i <= b->r1; i++)
            for (int j = b->c0; j <= b->c1; j++)
                conv[i * s->conv_w + j] = conv_entry(c->x, c->p.kernel + (size_t)ch * kk, c->p.conv_b[ch], i, j, s);
        for (int i = b->pr0; i <= b->pr1; i++)
            for (int j = b->pc0; j <= b->pc1; j++) {
                int k = ch * pplane + i * s->pool_w + j;
                pool_entry(&c->pooled2[k], &c->argmax2[k], conv, ch * plane, i, j, s->conv_w);
                c->kinked |= c->argmax2[k] != c->argmax[k];
            }
    }
    int from = c->nb;
    for (int ch = 0; ch < s->kernels; ch++)
        for (int i = b->pr0; i <= b->pr1; i++) {
            int row = ch * pplane + i * s->pool_w;
            int first = reblock(c, row + b->pc0, row + b->pc1);
            from = first < from ? first : from;
        }
    return loss_from_block(c, from);
}

static void restore_input(Cache *c, const Block *b) {
    const NetShape *s = c->s;
    int plane = s->conv_h * s->conv_w, pplane = s->pool_h * s->pool_w;
    for (int ch = 0; ch < s->kernels; ch++) {
        for (int i = b->r0; i <= b->r1; i++) {
            size_t at = (size_t)ch * plane + (size_t)i * s->conv_w + b->c0;
            memcpy(c->conv2 + at, c->conv + at, (size_t)(b->c1 - b->c0 + 1) * sizeof(double));
        }
        for (int i = b->pr0; i <= b->pr1; i++) {
            size_t at = (size_t)ch * pplane + (size_t)i * s->pool_w + b->pc0;
            memcpy(c->pooled2 + at, c->pooled + at, (size_t)(b->pc1 - b->pc0 + 1) * sizeof(double));
            unblock(c, (int)at, (int)at + b->pc1 - b->pc0);
        }
    }
}

void net_numerical_cached(double *num_params, double *num_x, NetProblem *prob, double h, double *dscratch,
                          int *iscratch, bool *kink_params, bool *kink_x) {
    const NetShape *s = prob->s;
    NetActs kept;
    net_acts_point(&kept, dscratch, iscratch, s);
    net_forward(&kept, prob->params, prob->x, prob->y, s);
    Cache c = {.s = s, .x = prob->x, .y = prob->y, .conv = kept.conv, .pooled = kept.pooled, .argmax = kept.argmax};
    if (kink_params) memset(kink_params, 0, (size_t)s->n_params * sizeof(bool)); // dense entries have none
    if (kink_x) memset(kink_x, 0, (size_t)s->n_input * sizeof(bool));
    net_params_point(&c.p, prob->params, s);
    c.conv2 = dscratch + net_act_doubles(s);
    c.pooled2 = c.conv2 + conv_size(s);
    c.nb = dense_blocks(s->flat);
    double *blocks = c.pooled2 + s->flat;
    c.blocks = blocks;
    c.blocks2 = blocks + c.nb;
    c.partial = c.blocks2 + c.nb;
    c.argmax2 = iscratch + net_act_ints(s);
    memcpy(c.conv2, kept.conv, conv_size(s) * sizeof(double));
    memcpy(c.pooled2, kept.pooled, (size_t)s->flat * sizeof(double));
    // The same additions, in the same order, as dense_sum.
    double sum = *c.p.dense_b;
    for (int b = 0; b < c.nb; b++) {
        blocks[b] = c.blocks2[b] = dense_block(c.p.dense_w, c.pooled, b, s->flat);
        c.partial[b] = sum;
        sum += blocks[b];
    }
    c.partial[c.nb] = sum;

    int kk = s->k * s->k;
    for (int ch = 0; ch < s->kernels; ch++) {
        for (int e = 0; e < kk; e++) {
            double *entry = &c.p.kernel[ch * kk + e];
            c.kinked = false;
            CENTRAL_DIFFERENCE(num_params[ch * kk + e], *entry, h, loss_channel(&c, ch));
            if (kink_params) kink_params[ch * kk + e] = c.kinked;
        }
        c.kinked = false;
        CENTRAL_DIFFERENCE(num_params[s->kernels * kk + ch], c.p.conv_b[ch], h, loss_channel(&c, ch));
        if (kink_params) kink_params[s->kernels * kk + ch] = c.kinked;
        restore_channel(&c, ch);
    }
    double *num_w = num_params + s->kernels * kk + s->kernels;
    for (int j = 0; j < s->flat; j++) {
        CENTRAL_DIFFERENCE(num_w[j], c.p.dense_w[j], h, loss_dense_weight(&c, j));
        c.blocks2[j / NET_DENSE_BLOCK] = c.blocks[j / NET_DENSE_BLOCK];
    }
    CENTRAL_DIFFERENCE(num_w[s->flat], *c.p.dense_b, h, loss_dense_bias(&c));

    double *x = prob->x;
    for (int i = 0; i < s->in_h; i++)
        for (int j = 0; j < s->in_w; j++) {
            Block b = input_block(s, i, j);
            c.kinked = false;
            CENTRAL_DIFFERENCE(num_x[i * s->in_w + j], x[i * s->in_w + j], h, loss_input(&c, &b));
            if (kink_x) kink_x[i * s->in_w + j] = c.kinked;
            restore_input(&c, &b);
        }
}

DirectionalResult net_directional_check(NetProblem *p, const double *grads, const double *dx, uint64_t seed,
                                        double *scratch) {
    ParamBlock blocks[] = {{p->params, grads, p->s->n_params}, {p->x, dx, p->s->n_input}};
    return directional_check(blocks, 2, net_loss, p, GRADCHECK_H, seed, GRADCHECK_REL_TOL, scratch);
}

// ---------------------------------------------------------------- data

bool net_data_alloc(NetData *d, int n, int h, int w) {
    *d = (NetData){0};
    if (n < 1 || h < 1 || w < 1 || (long)n * h * w > NET_DATA_MAX_VALUES) return false;
    d->x = calloc((size_t)n * h * w, sizeof(double));
    d->y = calloc((size_t)n, sizeof(double));
    if (!d->x || !d->y) {
        net_data_free(d);
        return false;
    }
    d->n = n, d->h = h, d->w = w;
    return true;
}

void net_data_free(NetData *d) {
    free(d->x);
    free(d->y);
    *d = (NetData){0};
}

static bool is_blank(int c) { return c == ' ' || c == '\t' || c == '\r'; }

// Checks one field of line `line` (field 1 is the label) and stores it.
static bool csv_value(double *out, const char *field, bool too_long, int line, int index, char *err,
                      size_t errlen) {
    char why[160];
    if (!*field) {
        snprintf(err, errlen, "line %d, field %d is empty", line, index);
        return false;
    }
    if (too_long || !parse_number(out, field, why, sizeof why)) {
        if (too_long) snprintf(why, sizeof why, "'%.40s...' is not a finite decimal number", field);
        snprintf(err, errlen, "line %d, field %d: %s", line, index, why);
        return false;
    }
    if (index == 1 && *out != 0.0 && *out != 1.0) {
        snprintf(err, errlen, "line %d: the label is '%.40s', expected 0 or 1", line, field);
        return false;
    }
    if (index > 1 && fabs(*out) > NET_MAX_PIXEL) {
        snprintf(err, errlen, "line %d, field %d: pixel '%.40s' is outside [-%g, %g]", line, index, field,
                 NET_MAX_PIXEL, NET_MAX_PIXEL);
        return false;
    }
    return true;
}

bool net_read_csv(NetData *d, FILE *f, int h, int w, char *err, size_t errlen) {
    *d = (NetData){0};
    int per_line = 1 + h * w, cap = 0, n = 0, line = 1, index = 0;
    double *x = NULL, *y = NULL, *row = malloc((size_t)per_line * sizeof(double));
    char field[NET_CSV_MAX_FIELD + 1];
    size_t len = 0;
    bool too_long = false, line_has_text = false, ok = row != NULL;
    if (!ok) snprintf(err, errlen, "out of memory");
    while (ok) {
        int c = getc(f);
        if (c != ',' && c != '\n' && c != EOF) {
            if (is_blank(c) && len == 0) continue; // leading blanks
            line_has_text = true;
            if (len < NET_CSV_MAX_FIELD)
                field[len++] = (char)c;
            else
                too_long = true;
            continue;
        }
        if (c == ',') line_has_text = true;
        if (line_has_text) {
            while (len > 0 && is_blank((unsigned char)field[len - 1])) len--; // trailing blanks
            field[len] = '\0';
            if (++index > per_line) {
                snprintf(err, errlen, "line %d has more than %d fields (a label and %dx%d pixels)", line, per_line,
                         h, w);
                ok = false;
                break;
            }
            if (!(ok = csv_value(&row[index - 1], field, too_long, line, index, err, errlen))) break;
        }
        len = 0;
        too_long = false;
        if (c == ',') continue;
        if (line_has_text) { // the end of an image's line
            if (index != per_line) {
                snprintf(err, errlen, "line %d has %d field%s, expected %d (a label and %dx%d pixels)", line, index,
                         index == 1 ? "" : "s", per_line, h, w);
                ok = false;
                break;
            }
            if ((long)(n + 1) * h * w > NET_DATA_MAX_VALUES) {
                snprintf(err, errlen, "line %d: more than %ld pixel values in all (the workbook keeps its memory "
                                      "small)",
                         line, NET_DATA_MAX_VALUES);
                ok = false;
                break;
            }
            if (n == cap) {
                int most = (int)(NET_DATA_MAX_VALUES / ((long)h * w)); // ≥ n + 1, checked above
                cap = cap ? (cap > most / 2 ? most : 2 * cap) : (most < 64 ? most : 64);
                double *nx = realloc(x, (size_t)cap * h * w * sizeof(double));
                if (nx) x = nx;
                double *ny = realloc(y, (size_t)cap * sizeof(double));
                if (ny) y = ny;
                if (!nx || !ny) {
                    snprintf(err, errlen, "out of memory");
                    ok = false;
                    break;
                }
            }
            y[n] = row[0];
            memcpy(x + (size_t)n * h * w, row + 1, (size_t)h * w * sizeof(double));
            n++;
        }
        if (c == EOF) break;
        line++;
        index = 0;
        line_has_text = false;
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "read error after line %d", line);
        ok = false;
    }
    if (ok && n == 0) {
        snprintf(err, errlen, "no images (the file has no non-blank line)");
        ok = false;
    }
    free(row);
    if (!ok) {
        free(x);
        free(y);
        return false;
    }
    *d = (NetData){n, h, w, x, y};
    return true;
}

bool net_synthetic(NetData *d, int n, int h, int w, uint64_t seed) {
    if (!net_data_alloc(d, n, h, w)) return false;
    Rng r = rng_make(seed);
    for (int k = 0; k < n; k++) {
        double *img = d->x + (size_t)k * h * w;
        bool vertical = rng_below(&r, 2) == 1;
        d->y[k] = vertical ? 1.0 : 0.0;
        int along = vertical ? h : w, across = vertical ? w : h;
        int length = along / 2 + rng_below(&r, along - along / 2 + 1); // half to all of the side
        int start = rng_below(&r, along - length + 1), at = rng_below(&r, across);
        for (int t = start; t < start + length; t++) {
            int i = vertical ? t : at, j = vertical ? at : t;
            img[i * w + j] = 1.0;
        }
        for (int p = 0; p < h * w; p++) img[p] += SYNTHETIC_NOISE * rng_normal(&r);
    }
    return true;
}

// ---------------------------------------------------------------- training

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

void net_train_epoch(double *params, double *grads, NetActs *a, const NetData *d, const int *order, double lr,
                     const NetShape *s) {
    size_t image = (size_t)d->h * d->w;
    for (int t = 0; t < d->n; t++) {
        const double *x = d->x + (size_t)order[t] * image;
        double y = d->y[order[t]];
        memset(grads, 0, (size_t)s->n_params * sizeof(double));
        net_forward(a, params, x, y, s);
        net_backward(grads, NULL, a, params, x, y, s);
        net_sgd_step(params, grads, lr, s);
    }
}

void net_evaluate(double *loss, double *accuracy, const double *params, NetActs *a, const NetData *d,
                  const NetShape *s) {
    double sum = 0.0;
    int right = 0;
    size_t image = (size_t)d->h * d->w;
    for (int t = 0; t < d->n; t++) {
        sum += net_forward(a, params, d->x + (size_t)t * image, d->y[t], s);
        right += (a->yhat >= 0.5) == (d->y[t] == 1.0);
    }
    *loss = sum / d->n;
    *accuracy = (double)right / d->n;
}
