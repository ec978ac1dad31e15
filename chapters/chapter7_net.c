// Chapter 7: see chapter7_net.h.
#include "chapter7_net.h"
#include "mathfn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const BugInfo BUGS[] = {
    {"relu-mask-from-output", "ReLU's mask read from the output, [Y >= 0]: true everywhere, nothing masked"},
    {"softmax-without-shift", "softmax as exp(z)/Σexp(z), no max subtracted: inf/inf at large logits"},
    {"ce-grad-not-divided-by-batch", "∂L/∂z = p − onehot, the 1/N of the batch mean left out"},
    {"channel-sum-missing", "∂L/∂X[c] from output channel 0 alone, not Σ over every output channel o"},
    {"second-conv-not-rotated", "∂L/∂X of the second conv as full(G) ⋆ K, the kernel not rotated 180°"},
};

// Bug relu-mask-from-output: the mask read from Y = max(0, X) as [Y ≥ 0],
// which every output satisfies; the right mask is [X > 0] (relu_backward).
static void relu_backward_mask_from_output(double *din, const double *dout, const double *out, int n) {
    for (int k = 0; k < n; k++)
        if (out[k] >= 0.0) din[k] += dout[k];
}

void relu_backward_with(Bug bug, double *din, const double *dout, const double *in, const double *out,
                        int n) {
    if (bug == BUG_RELU_MASK_FROM_OUTPUT)
        relu_backward_mask_from_output(din, dout, out, n);
    else
        relu_backward(din, dout, in, n);
}

// Bug softmax-without-shift: p = exp(z)/Σ exp(z), L = log Σ exp(z) − z_y
// straight from the definition; exp(z) is inf from z ≈ 709.8 on.
static double softmax_ce_unshifted(double *p, double *scale, const double *z, const int *y, int n, int k) {
    double loss = 0.0, mag = 0.0;
    for (int b = 0; b < n; b++) {
        double sum = 0.0;
        for (int j = 0; j < k; j++) sum += p[b * k + j] = wb_exp(z[b * k + j]);
        for (int j = 0; j < k; j++) p[b * k + j] /= sum;
        loss += wb_log(sum) - z[b * k + y[b]];
        mag += fabs(wb_log(sum)) + fabs(z[b * k + y[b]]);
    }
    if (scale) *scale = mag / n;
    return loss / n;
}

double softmax_ce_with(Bug bug, double *p, double *scale, const double *z, const int *y, int n, int k) {
    if (bug == BUG_SOFTMAX_WITHOUT_SHIFT) return softmax_ce_unshifted(p, scale, z, y, n, k);
    return softmax_ce_forward(p, scale, z, y, n, k);
}

// Bug ce-grad-not-divided-by-batch: dz += p − onehot, N times too large.
static void ce_backward_not_divided(double *dz, const double *p, const int *y, int n, int k) {
    for (int b = 0; b < n; b++)
        for (int j = 0; j < k; j++) dz[b * k + j] += p[b * k + j] - (j == y[b]);
}

void ce_backward_with(Bug bug, double *dz, const double *p, const int *y, int n, int k) {
    if (bug == BUG_CE_NOT_DIVIDED)
        ce_backward_not_divided(dz, p, y, n, k);
    else
        softmax_ce_backward(dz, p, y, n, k);
}

// Bug channel-sum-missing: ∂L/∂X[c] from output channel o = 0 alone. The
// first output channel's kernels w[0,·] and gradient dout[0] come first in
// memory, so it is the same scatter with C_out = 1.
static void conv_input_grad_one_channel(double *din, const double *dout, const double *w, const ConvShape *s) {
    ConvShape first = *s;
    first.out_c = 1;
    conv_input_grad_scatter(din, dout, w, &first);
}

// Bug second-conv-not-rotated: the full convolution of G with K itself.
// conv_input_grad_full rotates what it is given, so it is handed rot180(K).
static void conv_input_grad_not_rotated(double *din, const double *dout, const double *w, const ConvShape *s) {
    int taps = s->kh * s->kw, pairs = s->out_c * s->in_c;
    double *rot = malloc((size_t)taps * pairs * sizeof *rot);
    if (!rot) usage_error("out of memory");
    for (int p = 0; p < pairs; p++)
        for (int t = 0; t < taps; t++) rot[p * taps + t] = w[p * taps + taps - 1 - t];
    conv_input_grad_full(din, dout, rot, s);
    free(rot);
}

void conv_input_grad_with(Bug bug, double *din, const double *dout, const double *w, const ConvShape *s) {
    switch (bug) {
    case BUG_CHANNEL_SUM_MISSING: conv_input_grad_one_channel(din, dout, w, s); break;
    case BUG_SECOND_CONV_NOT_ROTATED: conv_input_grad_not_rotated(din, dout, w, s); break;
    default: conv_input_grad_full(din, dout, w, s); break;
    }
}

bool arch_init(Arch *a, int c1, int c2) {
    *a = (Arch){.c1 = c1, .c2 = c2};
    if (!conv_shape_init(&a->s1, 1, IMAGE_SIDE, IMAGE_SIDE, c1, K1_SIDE, K1_SIDE, 1, 0, 0, 1)) return false;
    if (!pool_shape_init(&a->sp, c1, a->s1.out_h, a->s1.out_w, 2, 2, 2)) return false;
    if (!conv_shape_init(&a->s2, c1, a->sp.out_h, a->sp.out_w, c2, K2_SIDE, K2_SIDE, 1, 0, 0, 1)) return false;
    a->flat = c2 * a->s2.out_h * a->s2.out_w;
    a->k1 = 0, a->b1 = a->k1 + c1 * K1_SIDE * K1_SIDE;
    a->k2 = a->b1 + c1, a->b2 = a->k2 + c2 * c1 * K2_SIDE * K2_SIDE;
    a->w = a->b2 + c2, a->bd = a->w + CLASSES * a->flat;
    a->n_params = a->bd + CLASSES;
    return true;
}

void arch_init_params(double *theta, const Arch *a, uint64_t seed) {
    Rng r = rng_make(seed);
    struct { int at, n, fan_in; } w[] = {{a->k1, a->b1 - a->k1, K1_SIDE * K1_SIDE},
                                         {a->k2, a->b2 - a->k2, a->c1 * K2_SIDE * K2_SIDE},
                                         {a->w, a->bd - a->w, a->flat}};
    for (int l = 0; l < 3; l++)
        for (int k = 0; k < w[l].n; k++) theta[w[l].at + k] = rng_normal(&r) * sqrt(2.0 / w[l].fan_in);
    const int bias[][2] = {{a->b1, a->c1}, {a->b2, a->c2}, {a->bd, CLASSES}};
    for (int l = 0; l < 3; l++)
        for (int k = 0; k < bias[l][1]; k++) theta[bias[l][0] + k] = 0.01 * rng_range(&r, -1.0, 1.0);
}

void acts_alloc(Acts *t, const Arch *a) {
    t->n1 = a->c1 * a->s1.out_h * a->s1.out_w, t->np = a->c1 * a->sp.out_h * a->sp.out_w, t->n2 = a->flat;
    size_t b = MAX_BATCH;
    t->a1 = calloc(b * t->n1, sizeof(double)), t->h1 = calloc(b * t->n1, sizeof(double));
    t->p1 = calloc(b * t->np, sizeof(double)), t->arg = calloc(b * t->np, sizeof(int));
    t->a2 = calloc(b * t->n2, sizeof(double)), t->h2 = calloc(b * t->n2, sizeof(double));
    t->z = calloc(b * CLASSES, sizeof(double)), t->p = calloc(b * CLASSES, sizeof(double));
    if (!t->a1 || !t->h1 || !t->p1 || !t->arg || !t->a2 || !t->h2 || !t->z || !t->p) usage_error("out of memory");
}

void acts_free(Acts *t) {
    free(t->a1), free(t->h1), free(t->p1), free(t->arg), free(t->a2), free(t->h2), free(t->z), free(t->p);
}

void deep_forward(Acts *t, const Arch *a, const double *theta, const double *x, int n) {
    for (int b = 0; b < n; b++) {
        double *a1 = t->a1 + b * t->n1, *h1 = t->h1 + b * t->n1, *p1 = t->p1 + b * t->np;
        double *a2 = t->a2 + b * t->n2, *h2 = t->h2 + b * t->n2;
        conv_forward(a1, x + b * IMAGE_SIDE * IMAGE_SIDE, theta + a->k1, theta + a->b1, &a->s1);
        relu_forward(h1, a1, t->n1);
        maxpool_forward(p1, t->arg + b * t->np, h1, &a->sp);
        conv_forward(a2, p1, theta + a->k2, theta + a->b2, &a->s2);
        relu_forward(h2, a2, t->n2);
        dense_forward(t->z + b * CLASSES, h2, theta + a->w, theta + a->bd, CLASSES, a->flat);
    }
}

double deep_loss(Acts *t, double *scale, const Arch *a, const double *theta, const int *y, int n, Bug bug) {
    double ce_scale, mag = 0.0;
    double loss = softmax_ce_with(bug, t->p, &ce_scale, t->z, y, n, CLASSES);
    for (int b = 0; b < n; b++)
        for (int k = 0; k < CLASSES; k++) {
            mag += fabs(theta[a->bd + k]);
            for (int j = 0; j < a->flat; j++) mag += fabs(theta[a->w + k * a->flat + j] * t->h2[b * a->flat + j]);
        }
    if (scale) *scale = ce_scale + mag / n;
    return loss;
}

void deep_backward(double *grads, double *dscratch, const Acts *t, const Arch *a, const double *theta,
                   const double *x, const int *y, int n, Bug bug) {
    double *dz = dscratch, *dh2 = dz + CLASSES * n, *da2 = dh2 + t->n2, *dp1 = da2 + t->n2, *dh1 = dp1 + t->np;
    double *da1 = dh1 + t->n1;
    memset(dz, 0, (size_t)CLASSES * n * sizeof *dz);
    ce_backward_with(bug, dz, t->p, y, n, CLASSES);
    for (int b = 0; b < n; b++) {
        memset(dh2, 0, (size_t)(2 * t->n2 + t->np + 2 * t->n1) * sizeof *dh2);
        const double *a1 = t->a1 + b * t->n1, *h1 = t->h1 + b * t->n1, *p1 = t->p1 + b * t->np;
        const double *a2 = t->a2 + b * t->n2, *h2 = t->h2 + b * t->n2;
        dense_backward(dh2, grads + a->w, grads + a->bd, dz + b * CLASSES, h2, theta + a->w, CLASSES, a->flat);
        relu_backward_with(bug, da2, dh2, a2, h2, t->n2);
        conv_kernel_grad(grads + a->k2, da2, p1, &a->s2);
        for (int o = 0; o < a->c2; o++)
            for (int k = 0; k < a->s2.out_h * a->s2.out_w; k++)
                grads[a->b2 + o] += da2[o * a->s2.out_h * a->s2.out_w + k];
        conv_input_grad_with(bug, dp1, da2, theta + a->k2, &a->s2);
        maxpool_backward(dh1, dp1, t->arg + b * t->np, &a->sp);
        relu_backward_with(bug, da1, dh1, a1, h1, t->n1);
        conv_kernel_grad(grads + a->k1, da1, x + b * IMAGE_SIDE * IMAGE_SIDE, &a->s1);
        for (int o = 0; o < a->c1; o++)
            for (int k = 0; k < a->s1.out_h * a->s1.out_w; k++)
                grads[a->b1 + o] += da1[o * a->s1.out_h * a->s1.out_w + k];
    }
}

size_t deep_scratch_size(const Acts *t, int n) {
    return (size_t)CLASSES * n + 2 * (size_t)t->n2 + (size_t)t->np + 2 * (size_t)t->n1;
}
