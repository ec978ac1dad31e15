#include "network_cstep.h"

#include <math.h>
#include <stdlib.h>

#include "conv.h"
#include "cstep.h"
#include "dense_generic.h"
#include "pool_generic.h"

void conv_forward_complex(double complex *out, const double complex *in, const double complex *w,
                          const double complex *b, const ConvShape *s);

bool net_complex_init(NetComplex *c, const NetProblem *pr) {
    const NetShape *s = pr->s;
    size_t conv = (size_t)s->kernels * s->conv_h * s->conv_w;
    size_t total = (size_t)s->n_params + (size_t)s->n_input + conv + (size_t)s->flat;
    *c = (NetComplex){.s = s, .y = pr->y, .block_mem = malloc(total * sizeof(double complex))};
    if (!c->block_mem) return false;
    c->params = c->block_mem, c->x = c->params + s->n_params, c->conv = c->x + s->n_input, c->pooled = c->conv + conv;
    for (int k = 0; k < s->n_params; k++) c->params[k] = pr->params[k];
    for (int k = 0; k < s->n_input; k++) c->x[k] = pr->x[k];
    c->target = c->params;
    return true;
}

void net_complex_free(NetComplex *c) {
    free(c->block_mem);
    c->block_mem = NULL;
}

void net_complex_block(NetComplex *c, const NetProblem *pr, const double *entries) {
    bool in_params = entries >= pr->params && entries < pr->params + pr->s->n_params;
    c->target = in_params ? c->params + (entries - pr->params) : c->x + (entries - pr->x);
}

// z = w·flatten(maxpool(X ⋆ K + b)) + d, L = BCE(y, σ(z)), as net_forward.
double net_complex_at(void *ctx, int k, double h, double *scale) {
    NetComplex *c = ctx;
    const NetShape *s = c->s;
    double complex saved = c->target[k];
    c->target[k] = cstep_point(creal(saved), h);
    ConvShape cs = net_conv_shape(s);
    PoolShape ps = net_pool_shape(s);
    double complex *kernel = c->params, *conv_b = kernel + (size_t)s->kernels * s->k * s->k;
    double complex *dense_w = conv_b + s->kernels, *dense_b = dense_w + s->flat, z;
    conv_forward_complex(c->conv, c->x, kernel, conv_b, &cs);
    bool tie = maxpool_forward_complex(c->pooled, c->conv, &ps);
    dense_forward_complex(&z, c->pooled, dense_w, dense_b, 1, s->flat);
    double mag;
    double im = cimag(bce_logits_complex(c->y, z, &mag));
    c->target[k] = saved;
    *scale = mag / h;
    return tie ? NAN : im / h;
}

int net_complex_recheck(NumericalDerivative *out, const double *grad, const bool *skip, const int *idx, int count,
                        const NetProblem *pr, const double *entries) {
    NetComplex c;
    if (!net_complex_init(&c, pr)) return -1;
    net_complex_block(&c, pr, entries);
    ComplexObjective obj = {net_complex_at, &c};
    int decided = complex_step_recheck(out, grad, skip, idx, count, entries, &obj, GRADCHECK_REL_TOL);
    net_complex_free(&c);
    return decided;
}

int net_complex_second(void *ctx, NumericalDerivative *num, const double *a, const bool *skip, const int *idx,
                       int count) {
    const NetRecheck *c = ctx;
    return net_complex_recheck(num, a, skip, idx, count, c->prob, c->entries);
}
