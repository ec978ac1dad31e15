#include "dense_cstep.h"

#include <math.h>
#include <stdlib.h>

#include "cstep.h"
#include "dense_generic.h"

static double complex *complex_copy(const double *v, int n) {
    double complex *c = malloc((size_t)(n > 0 ? n : 1) * sizeof *c);
    for (int k = 0; c && k < n; k++) c[k] = v[k];
    return c;
}

bool dense_complex_init(DenseComplex *c, const LossCtx *loss) {
    const DenseCase *d = loss->d;
    c->loss = loss;
    c->cx = complex_copy(d->x.data, d->m);
    c->cW = complex_copy(d->W.data, d->n * d->m);
    c->cb = complex_copy(d->b.data, d->n);
    c->cz = complex_copy(loss->z ? loss->z : d->z.data, d->n);
    if (c->cx && c->cW && c->cb && c->cz) return true;
    dense_complex_free(c);
    return false;
}

void dense_complex_free(DenseComplex *c) {
    free(c->cx), free(c->cW), free(c->cb), free(c->cz);
    c->cx = c->cW = c->cb = c->cz = NULL;
}

static double complex *block_array(DenseComplex *c) {
    switch (c->loss->block) {
    case BLOCK_Z: return c->cz;
    case BLOCK_W: return c->cW;
    case BLOCK_X: return c->cx;
    case BLOCK_B: return c->cb;
    }
    return c->cz;
}

// L = (1/n) Σ_i bce_logits(y_i, z_i) with entry k moved by i·h; the
// forward pass z = W x + b runs in complex arithmetic (not for block z).
double dense_complex_at(void *ctx, int k, double h, double *scale) {
    DenseComplex *c = ctx;
    const DenseCase *d = c->loss->d;
    double complex *v = block_array(c), saved = v[k];
    v[k] = cstep_point(creal(saved), h);
    if (c->loss->block != BLOCK_Z) dense_forward_complex(c->cz, c->cx, c->cW, c->cb, d->n, d->m);
    double im = 0.0, mag = 0.0, m;
    for (int i = 0; i < d->n; i++) {
        im += cimag(bce_logits_complex(d->y.data[i], c->cz[i], &m));
        mag += m;
    }
    v[k] = saved;
    *scale = mag / (h * d->n);
    return im / (h * d->n);
}

int dense_complex_rescue(NumericalDerivative *num, const double *analytic, const int *idx, int count,
                         const LossCtx *loss, const double *param) {
    DenseComplex dc;
    if (!dense_complex_init(&dc, loss)) return -1;
    ComplexObjective c = {dense_complex_at, &dc};
    int decided = complex_step_rescue(num, analytic, NULL, idx, count, param, &c, false, GRADCHECK_REL_TOL);
    dense_complex_free(&dc);
    return decided;
}
