#include "network_fast.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "dense.h"
#include "loss.h"

static size_t conv_size(const NetShape *s) { return (size_t)s->kernels * s->conv_h * s->conv_w; }

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

// The conv maps and the pooled vector of a forward pass (both forwards).
static void conv_pool(NetActs *a, const NetParams *p, const double *x, const NetShape *s) {
    int plane = s->conv_h * s->conv_w, pooled_plane = s->pool_h * s->pool_w, kk = s->k * s->k;
    for (int c = 0; c < s->kernels; c++) {
        conv_channel(a->conv + (size_t)c * plane, x, p->kernel + (size_t)c * kk, p->conv_b[c], s);
        pool_channel(a->pooled + (size_t)c * pooled_plane, a->argmax + (size_t)c * pooled_plane,
                     a->conv + (size_t)c * plane, c * plane, s);
    }
}

double net_fast_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    conv_pool(a, &p, x, s);
    a->z = dense_sum(p.dense_w, a->pooled, *p.dense_b, s->flat);
    a->yhat = sigmoid(a->z);
    a->loss = loss_of(a->z, y);
    return a->loss;
}

double net_fast_forward_exact(NetActs *a, const double *params, const double *x, double y, const NetShape *s) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    conv_pool(a, &p, x, s);
    dense_forward(&a->z, a->pooled, p.dense_w, p.dense_b, 1, s->flat);
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

void net_fast_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
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

// ---------------------------------------------------------------- checks

double net_fast_loss(void *problem) {
    NetProblem *p = problem;
    return net_fast_forward(p->a, p->params, p->x, p->y, p->s);
}

void net_fast_numerical_plain(double *num_params, double *num_x, NetProblem *p, double h) {
    numerical_gradient(num_params, p->params, p->s->n_params, net_fast_loss, p, h);
    numerical_gradient(num_x, p->x, p->s->n_input, net_fast_loss, p, h);
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

// The losses above as gradcheck.h's LossFn, for central_difference_entry
// (the fixed-step rule of numerical_gradient, so that the cached check
// stays bit-identical to the plain one).
typedef struct {
    Cache *c;
    int at;           // the channel or the dense weight
    const Block *b;   // the input block
} CachedLoss;

static double eval_channel(void *ctx) {
    const CachedLoss *l = ctx;
    return loss_channel(l->c, l->at);
}
static double eval_dense_weight(void *ctx) {
    const CachedLoss *l = ctx;
    return loss_dense_weight(l->c, l->at);
}
static double eval_dense_bias(void *ctx) {
    const CachedLoss *l = ctx;
    return loss_dense_bias(l->c);
}
static double eval_input(void *ctx) {
    const CachedLoss *l = ctx;
    return loss_input(l->c, l->b);
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

void net_fast_numerical_cached(double *num_params, double *num_x, NetProblem *prob, double h, double *dscratch,
                          int *iscratch, bool *kink_params, bool *kink_x) {
    const NetShape *s = prob->s;
    NetActs kept;
    net_acts_point(&kept, dscratch, iscratch, s);
    net_fast_forward(&kept, prob->params, prob->x, prob->y, s);
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
            num_params[ch * kk + e] = central_difference_entry(entry, h, eval_channel, &(CachedLoss){&c, ch, NULL});
            if (kink_params) kink_params[ch * kk + e] = c.kinked;
        }
        c.kinked = false;
        num_params[s->kernels * kk + ch] =
            central_difference_entry(&c.p.conv_b[ch], h, eval_channel, &(CachedLoss){&c, ch, NULL});
        if (kink_params) kink_params[s->kernels * kk + ch] = c.kinked;
        restore_channel(&c, ch);
    }
    double *num_w = num_params + s->kernels * kk + s->kernels;
    for (int j = 0; j < s->flat; j++) {
        num_w[j] = central_difference_entry(&c.p.dense_w[j], h, eval_dense_weight, &(CachedLoss){&c, j, NULL});
        c.blocks2[j / NET_DENSE_BLOCK] = c.blocks[j / NET_DENSE_BLOCK];
    }
    num_w[s->flat] = central_difference_entry(c.p.dense_b, h, eval_dense_bias, &(CachedLoss){&c, 0, NULL});

    double *x = prob->x;
    for (int i = 0; i < s->in_h; i++)
        for (int j = 0; j < s->in_w; j++) {
            Block b = input_block(s, i, j);
            c.kinked = false;
            num_x[i * s->in_w + j] = central_difference_entry(&x[i * s->in_w + j], h, eval_input, &(CachedLoss){&c, 0, &b});
            if (kink_x) kink_x[i * s->in_w + j] = c.kinked;
            restore_input(&c, &b);
        }
}

DirectionalResult net_fast_directional_check(NetProblem *p, const double *grads, const double *dx, uint64_t seed,
                                        double *scratch) {
    ParamBlock blocks[] = {{p->params, grads, p->s->n_params}, {p->x, dx, p->s->n_input}};
    return directional_check(blocks, 2, net_fast_loss, p, GRADCHECK_H, seed, GRADCHECK_REL_TOL, scratch);
}

