#include "network_local.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"
#include "mathfn.h"

bool net_local_init(NetLocal *l, NetProblem *pr) {
    const NetShape *s = pr->s;
    size_t conv = (size_t)s->kernels * s->conv_h * s->conv_w;
    memset(l, 0, sizeof *l);
    l->block_mem = malloc(((size_t)s->n_input + (size_t)s->n_params + conv + (size_t)s->flat) * sizeof(double));
    if (!l->block_mem) return false;
    l->pr = pr;
    l->x0 = l->block_mem;
    l->params0 = l->x0 + s->n_input;
    l->conv0 = l->params0 + s->n_params;
    l->pooled0 = l->conv0 + conv;
    memcpy(l->x0, pr->x, (size_t)s->n_input * sizeof(double));
    memcpy(l->params0, pr->params, (size_t)s->n_params * sizeof(double));
    net_forward(pr->a, pr->params, pr->x, pr->y, s);
    memcpy(l->conv0, pr->a->conv, conv * sizeof(double));
    memcpy(l->pooled0, pr->a->pooled, (size_t)s->flat * sizeof(double));
    l->z0 = pr->a->z;
    return true;
}

void net_local_free(NetLocal *l) {
    free(l->block_mem);
    memset(l, 0, sizeof *l);
}

// Where block b starts in the parameter block [K | b | w | d] (the input: -1).
static int param_offset(const NetShape *s, NetBlock b) {
    int kernel = s->kernels * s->k * s->k;
    switch (b) {
    case NET_BLOCK_KERNEL: return 0;
    case NET_BLOCK_CONV_B: return kernel;
    case NET_BLOCK_DENSE_W: return kernel + s->kernels;
    case NET_BLOCK_DENSE_B: return kernel + s->kernels + s->flat;
    case NET_BLOCK_INPUT: return -1;
    }
    return -1;
}

double *net_block_entries(const NetLocal *l, NetBlock b, int *count) {
    const NetShape *s = l->pr->s;
    int off = param_offset(s, b);
    *count = b == NET_BLOCK_INPUT ? s->n_input
                                  : (b == NET_BLOCK_DENSE_B ? s->n_params : param_offset(s, (NetBlock)(b + 1))) - off;
    return off < 0 ? l->pr->x : l->pr->params + off;
}

// The pooled windows (channels [c0, c1), rows i0..i1, columns j0..j1) an entry can change.
typedef struct {
    int c0, c1, i0, i1, j0, j1;
} WindowRange;

static int clampi(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

// Input X[u,v] feeds conv rows u−K+1..u, which sit in pooled rows one above them to the last.
static WindowRange input_windows(const NetShape *s, int u, int v) {
    return (WindowRange){0, s->kernels, clampi(u - s->k, 0, s->pool_h - 1), clampi(u, 0, s->pool_h - 1),
                         clampi(v - s->k, 0, s->pool_w - 1), clampi(v, 0, s->pool_w - 1)};
}

// Δa at conv cell (c, ci, cj) when entry idx of block b moved by δ (0 where it does not reach).
static double cell_delta(const NetLocal *l, NetBlock b, int idx, int c, int ci, int cj, double delta) {
    const NetShape *s = l->pr->s;
    int k = s->k, kk = k * k;
    switch (b) {
    case NET_BLOCK_INPUT: { // ∂A[c,ci,cj]/∂X[u,v] = K[c, u−ci, v−cj] inside the kernel
        int m = idx / s->in_w - ci, n = idx % s->in_w - cj;
        return m >= 0 && m < k && n >= 0 && n < k ? l->params0[c * kk + m * k + n] * delta : 0.0;
    }
    case NET_BLOCK_KERNEL: // ∂A[c,ci,cj]/∂K[c,m,n] = X[ci+m, cj+n]
        return idx / kk == c ? l->x0[(ci + idx % kk / k) * s->in_w + cj + idx % k] * delta : 0.0;
    case NET_BLOCK_CONV_B: return idx == c ? delta : 0.0;
    case NET_BLOCK_DENSE_W: case NET_BLOCK_DENSE_B: return 0.0;
    }
    return 0.0;
}

// Δz = Σ_j w_j·Δp_j over the windows in r, Δp_j = max over window j of
// (a₀ − p₀_j) + Δa; *terms += Σ |w_j|·(|a₀ − p₀_j| + |Δa|) of each winner.
static double pooled_delta_z(const NetLocal *l, NetBlock b, int idx, double delta, WindowRange r, double *terms) {
    const NetShape *s = l->pr->s;
    const double *w = l->params0 + param_offset(s, NET_BLOCK_DENSE_W);
    double dz = 0.0;
    for (int c = r.c0; c < r.c1; c++)
        for (int pi = r.i0; pi <= r.i1; pi++)
            for (int pj = r.j0; pj <= r.j1; pj++) {
                int j = (c * s->pool_h + pi) * s->pool_w + pj;
                double best = -INFINITY, mag = 0.0;
                for (int m = 0; m < NET_POOL; m++)
                    for (int n = 0; n < NET_POOL; n++) {
                        double gap = l->conv0[(c * s->conv_h + pi + m) * s->conv_w + pj + n] - l->pooled0[j];
                        double da = cell_delta(l, b, idx, c, pi + m, pj + n, delta), t = gap + da;
                        if (t > best) best = t, mag = fabs(gap) + fabs(da);
                    }
                dz += w[j] * best;
                *terms += fabs(w[j]) * mag;
            }
    return dz;
}

// softplus(z₀+Δz) − softplus(z₀) = log1p(σ(z₀)·expm1(Δz)): small for a small
// Δz, never a difference of two O(1) values (the direct form when it overflows).
static double softplus_step(double z0, double dz) {
    double v = wb_log1p(sigmoid(z0) * wb_expm1(dz));
    return isfinite(v) ? v : softplus(z0 + dz) - softplus(z0);
}

double net_local_delta(const NetLocal *l, NetBlock b, int idx, double *scale) {
    const NetShape *s = l->pr->s;
    int off = param_offset(s, b);
    double delta = off < 0 ? l->pr->x[idx] - l->x0[idx] : l->pr->params[off + idx] - l->params0[off + idx];
    double dz = 0.0, terms = 0.0, y = l->pr->y;
    switch (b) {
    case NET_BLOCK_DENSE_B: dz = delta; break;
    case NET_BLOCK_DENSE_W: dz = l->pooled0[idx] * delta, terms = fabs(dz); break;
    case NET_BLOCK_INPUT:
        dz = pooled_delta_z(l, b, idx, delta, input_windows(s, idx / s->in_w, idx % s->in_w), &terms);
        break;
    case NET_BLOCK_KERNEL: case NET_BLOCK_CONV_B: {
        int c = b == NET_BLOCK_KERNEL ? idx / (s->k * s->k) : idx;
        dz = pooled_delta_z(l, b, idx, delta, (WindowRange){c, c + 1, 0, s->pool_h - 1, 0, s->pool_w - 1}, &terms);
        break;
    }
    }
    // ΔL = (1−y)·[softplus(z₀+Δz) − softplus(z₀)] + y·[softplus(−z₀−Δz) − softplus(−z₀)]
    // (softplus(z) − z = softplus(−z)): neither part cancels for y = 0 or 1.
    double part0 = y != 1.0 ? (1.0 - y) * softplus_step(l->z0, dz) : 0.0;
    double part1 = y != 0.0 ? y * softplus_step(-l->z0, -dz) : 0.0;
    // An error e in Δz moves ΔL by at most (|σ(z₀) − y| + |Δz|/4)·e (σ′ ≤ 1/4).
    *scale = fabs(part0) + fabs(part1) + (fabs(sigmoid(l->z0) - y) + fabs(dz) / 4.0) * terms;
    return part0 + part1;
}

static double local_objective(void *ctx, int k, double *scale) {
    NetLocal *l = ctx;
    return net_local_delta(l, l->block, l->first + k, scale);
}

static double whole_objective(void *ctx, double *scale) {
    NetLocal *l = ctx;
    return net_objective_whole(l->pr, scale);
}

void net_local_gradient(NumericalDerivative *out, NetLocal *l, NetBlock b, const bool *skip) {
    int count;
    double *entries = net_block_entries(l, b, &count);
    Objective obj = {whole_objective, local_objective, l};
    l->block = b;
    for (int e = 0; e < count; e++) {
        if (skip && skip[e]) continue;
        l->first = e; // the checker sees one entry, its k = 0
        numerical_gradient_bounded(&out[e], entries + e, 1, &obj);
    }
}

void net_local_entries(void *ctx, NumericalDerivative *out, double *param, const int *idx, int count,
                       const Objective *obj) {
    (void)param, (void)obj; // the block's entries and objective are the local's
    const NetLocalBlock *e = ctx;
    bool *skip = malloc((size_t)e->count * sizeof *skip);
    NumericalDerivative *all = calloc((size_t)e->count, sizeof *all);
    if (!skip || !all) {
        fprintf(stderr, "error: out of memory checking %d entries\n", e->count);
        exit(2);
    }
    for (int k = 0; k < e->count; k++) skip[k] = true;
    for (int t = 0; t < count; t++) skip[idx[t]] = e->ties[idx[t]];
    net_local_gradient(all, e->local, e->block, skip);
    for (int t = 0; t < count; t++) out[t] = all[idx[t]];
    free(skip), free(all);
}
