#include "pool_case.h"
#include "cstep.h"
#include "pool_generic.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int window_cell(const PoolShape *s, int i, int j, int m, int n) {
    return (i * s->stride + m) * s->w + j * s->stride + n;
}

double window_max(const Tensor *x, const PoolShape *s, int i, int j) {
    double best = x->data[window_cell(s, i, j, 0, 0)];
    for (int m = 0; m < s->kh; m++)
        for (int n = 0; n < s->kw; n++) best = fmax(best, x->data[window_cell(s, i, j, m, n)]);
    return best;
}

static double window_term(const PoolLoss *p, int i, int j, double *scale) {
    double m = window_max(p->x, p->s, i, j);
    if (p->base) m -= *tensor_at(p->base, 0, i, j);
    double t = *tensor_at(p->g, 0, i, j) * m;
    *scale += fabs(t);
    return t;
}

double pool_loss_whole(void *ctx, double *scale) {
    const PoolLoss *p = ctx;
    double sum = 0.0;
    *scale = 0.0;
    for (int i = 0; i < p->s->out_h; i++)
        for (int j = 0; j < p->s->out_w; j++) sum += window_term(p, i, j, scale);
    return sum;
}

// Windows i with i·s ≤ p < i·s + K, clipped to the output: [*lo, *hi].
static void windows_over(int p, int k, int stride, int out, int *lo, int *hi) {
    *lo = p - k + 1 <= 0 ? 0 : (p - k + 1 + stride - 1) / stride;
    *hi = p / stride < out - 1 ? p / stride : out - 1;
}

double pool_loss_local(void *ctx, int k, double *scale) {
    const PoolLoss *p = ctx;
    int i0, i1, j0, j1;
    windows_over(k / p->s->w, p->s->kh, p->s->stride, p->s->out_h, &i0, &i1);
    windows_over(k % p->s->w, p->s->kw, p->s->stride, p->s->out_w, &j0, &j1);
    double sum = 0.0;
    *scale = 0.0;
    for (int i = i0; i <= i1; i++)
        for (int j = j0; j <= j1; j++) sum += window_term(p, i, j, scale);
    return sum;
}

double avgpool_loss(void *ctx, double *scale) {
    const PoolLoss *p = ctx;
    Tensor out = tensor_alloc_like(p->g);
    avgpool_forward(out.data, p->x->data, p->s);
    double sum = 0.0;
    *scale = 0.0;
    for (size_t k = 0; k < tensor_size(&out); k++) {
        sum += p->g->data[k] * out.data[k];
        *scale += fabs(p->g->data[k] * out.data[k]);
    }
    tensor_free(&out);
    return sum;
}

double pool_local_ops(const PoolShape *s) {
    double per_row = ceil((double)s->kh / s->stride), per_col = ceil((double)s->kw / s->stride);
    return per_row * per_col * s->kh * s->kw;
}

int pool_find_ties(bool *tie, const Tensor *x, const PoolShape *s) {
    int found = 0;
    for (size_t k = 0; k < tensor_size(x); k++) tie[k] = false;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double top = window_max(x, s, i, j);
            int count = 0;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) count += x->data[window_cell(s, i, j, m, n)] == top;
            if (count < 2) continue;
            found++;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++)
                    if (x->data[window_cell(s, i, j, m, n)] == top) tie[window_cell(s, i, j, m, n)] = true;
        }
    return found;
}

void route_first(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    int *argmax = malloc(tensor_size(g) * sizeof *argmax);
    Tensor pooled = tensor_alloc_like(g);
    if (!argmax) {
        fprintf(stderr, "error: out of memory routing the pooling gradient\n");
        exit(2);
    }
    maxpool_forward(pooled.data, argmax, x->data, s);
    maxpool_backward(dx->data, g->data, argmax, s);
    tensor_free(&pooled);
    free(argmax);
}

void route_split(Tensor *dx, const Tensor *x, const Tensor *g, const PoolShape *s) {
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double top = window_max(x, s, i, j);
            int count = 0;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) count += x->data[window_cell(s, i, j, m, n)] == top;
            double share = *tensor_at(g, 0, i, j) / count;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++)
                    if (x->data[window_cell(s, i, j, m, n)] == top) dx->data[window_cell(s, i, j, m, n)] += share;
        }
}

double pool_complex_at(void *ctx, int k, double h, double *scale) {
    PoolComplex *c = ctx;
    const PoolShape *s = c->loss->s;
    int i0, i1, j0, j1;
    windows_over(k / s->w, s->kh, s->stride, s->out_h, &i0, &i1);
    windows_over(k % s->w, s->kw, s->stride, s->out_w, &j0, &j1);
    double x = c->loss->x->data[k];
    c->cx[k] = cstep_point(x, h);
    bool tie;
    double mag;
    double complex sum = maxpool_terms_complex(c->cx, c->loss->g->data, s, i0, i1, j0, j1, &mag, &tie);
    c->cx[k] = x;
    *scale = mag / h;
    return tie ? NAN : cimag(sum) / h;
}

bool pool_complex_init(PoolComplex *c, const PoolLoss *loss) {
    size_t n = tensor_size(loss->x);
    c->loss = loss;
    c->cx = malloc(n * sizeof *c->cx);
    if (!c->cx) return false;
    for (size_t k = 0; k < n; k++) c->cx[k] = loss->x->data[k];
    return true;
}

void pool_complex_free(PoolComplex *c) { free(c->cx); }
