// Chapter 5's convolution layer with its --bug mistakes beside the right
// code (chapter5_layer.h).
#include "chapter5_layer.h"

#include <math.h>

#include "arraylen.h"
#include "conv.h"
#include "conv_steps.h"
#include "tensor.h"

const BugInfo CHAPTER5_BUGS[] = {
    {"no-rot180", "∂L/∂X: the padded ∂L/∂Y ⋆ K itself, not rot180(K)"},
    {"valid-not-full", "∂L/∂X: ∂L/∂Y not zero-padded: only the interior is filled"},
    {"no-dilate", "∂L/∂X: stride > 1 but no zeros between ∂L/∂Y's entries"},
    {"bias-one-axis", "∂L/∂b: the sum over j only (∂L/∂Y's first row), as the article"},
    {"kernel-conv", "∂L/∂K: the article's X * ∂L/∂Y, a true convolution: ∂L/∂Y flipped"},
};

// ---------------------------------------------------------------- the layer, with the mistakes beside it

// ∂L/∂b[o] = Σ_i Σ_j ∂L/∂Y[o,i,j]: b is added to every output entry.
double bias_grad(const double *g, int h, int w) {
    double sum = 0.0;
    for (long q = 0; q < (long)h * w; q++) sum += g[q];
    return sum;
}

// Bug "bias-one-axis": the article's Σ_j alone, which leaves i free; the
// gradient is taken from the first row.
static double bias_grad_one_axis(const double *g, int h, int w) {
    (void)h;
    return bias_grad(g, 1, w);
}

// ∂L/∂X step by step for one (output, input) channel pair, as 5.3 shows it:
//   1. insert s−1 zeros between the entries of ∂L/∂Y (stride s)
//   2. zero-pad by d(kh−1), d(kw−1)
//   3. cross-correlate with rot180(K), its taps d apart (dilation d)
//   4. that is the gradient of the padded input, short of the leftover
//      rows/columns no window reached (they get zero); crop the padding p.
// Each step has its classic mistake beside it, chosen by the bug.

// Bug "no-dilate": ∂L/∂Y used as it is, as if the stride were 1.
static Tensor upstream_not_dilated(const Tensor *dy) { return tensor_clone(dy); }

// Bug "valid-not-full": no zero border, so the windows that hang over the
// edge of ∂L/∂Y, which feed X's border, are lost.
static Tensor upstream_unpadded(const Tensor *d) { return tensor_clone(d); }

// Bug "no-rot180": K itself where rot180(K) belongs.
static Tensor kernel_not_rotated(const Tensor *k) { return tensor_clone(k); }

// The right step (src/show/conv_steps.h) or its mistake.
static Tensor step_spread(const Tensor *dy, int stride, Bug bug) {
    return bug == BUG_NO_DILATE ? upstream_not_dilated(dy) : conv_steps_spread(dy, stride);
}

static Tensor step_pad(const Tensor *d, int fh, int fw, Bug bug) {
    return bug == BUG_VALID_NOT_FULL ? upstream_unpadded(d) : conv_steps_pad(d, fh, fw);
}

static Tensor step_rotate(const Tensor *k, Bug bug) {
    return bug == BUG_NO_ROT180 ? kernel_not_rotated(k) : conv_steps_rot180(k);
}

// A side of the steps' padded ∂L/∂Y (up to about 3·4096).
static long steps_side(int out, int k, const ConvShape *s, Bug bug) {
    long spread = bug == BUG_NO_DILATE ? out : s->stride * (out - 1L) + 1;
    return spread + (bug == BUG_VALID_NOT_FULL ? 0 : 2L * s->dilation * (k - 1));
}

// Steps 1–4 for ∂L/∂Y[o] (dy) and K[o,c] (k); grad_padded is (H+2p, W+2p).
ConvSteps steps_run(const double *dy, const double *k, const ConvShape *s, Bug bug) {
    const int d = s->dilation, fh = d * (s->kh - 1), fw = d * (s->kw - 1);
    Tensor dyv = tensor_view((double *)dy, 1, s->out_h, s->out_w), kv = tensor_view((double *)k, 1, s->kh, s->kw);
    ConvSteps st = {0};
    long side = fmax(steps_side(s->out_h, s->kh, s, bug), steps_side(s->out_w, s->kw, s, bug));
    if (side > TENSOR_MAX_SIDE)
        usage_error("--dilation: the steps of --bug %s pad dL/dY to %ld columns; the limit is %d", CHAPTER5_BUGS[bug - 1].name,
                    side, TENSOR_MAX_SIDE);
    st.spread = step_spread(&dyv, s->stride, bug);
    st.padded = step_pad(&st.spread, fh, fw, bug);
    st.rot = step_rotate(&kv, bug);
    st.spread_done = bug != BUG_NO_DILATE;
    st.padded_done = bug != BUG_VALID_NOT_FULL;
    st.rotated = bug != BUG_NO_ROT180;
    conv_steps_finish(&st, s);
    return st;
}

// dx += the crop of the steps' padded-input gradient, every channel pair.
static void input_grad_by_steps(double *dx, const double *g, const double *k, const ConvShape *s, Bug bug) {
    for (int o = 0; o < s->out_c; o++)
        for (int c = 0; c < s->in_c; c++) {
            ConvSteps st = steps_run(g + (long)o * s->out_h * s->out_w, k + ((long)o * s->in_c + c) * s->kh * s->kw, s,
                                 bug);
            for (int i = 0; i < s->in_h; i++)
                for (int j = 0; j < s->in_w; j++)
                    dx[((long)c * s->in_h + i) * s->in_w + j] +=
                        *tensor_at(&st.grad_padded, 0, i + s->pad_h, j + s->pad_w);
            conv_steps_free(&st);
        }
}

// ∂L/∂X of the whole layer: the library's full-convolution form, or the
// step-by-step form with one step wrong.
void input_gradient(double *dx, const double *g, const double *k, const ConvShape *s, Bug bug) {
    switch (bug) {
    case BUG_NONE:
    case BUG_BIAS_ONE_AXIS:
    case BUG_KERNEL_CONV: conv_input_grad_full(dx, g, k, s); return;
    case BUG_NO_ROT180:
    case BUG_VALID_NOT_FULL:
    case BUG_NO_DILATE: input_grad_by_steps(dx, g, k, s, bug); return;
    }
}

static double bias_gradient(const double *g, int h, int w, Bug bug) {
    switch (bug) {
    case BUG_NONE:
    case BUG_NO_ROT180:
    case BUG_VALID_NOT_FULL:
    case BUG_NO_DILATE:
    case BUG_KERNEL_CONV: return bias_grad(g, h, w);
    case BUG_BIAS_ONE_AXIS: return bias_grad_one_axis(g, h, w);
    }
    return bias_grad(g, h, w);
}

// ∂L/∂Y with each output channel's plane turned by 180 degrees (owned).
Tensor upstream_rot180(const double *g, const ConvShape *s) {
    Tensor rot = tensor_alloc(s->out_c, s->out_h, s->out_w);
    long plane = (long)s->out_h * s->out_w;
    for (long o = 0; o < s->out_c; o++)
        for (long e = 0; e < plane; e++) rot.data[o * plane + e] = g[o * plane + plane - 1 - e];
    return rot;
}

// dK += ∂L/∂K, or under "kernel-conv" the article's convolution X * ∂L/∂Y
// = X ⋆ rot180(∂L/∂Y): the right code given the flipped ∂L/∂Y.
static void kernel_gradient(double *dk, const double *g, const double *x, const ConvShape *s, Bug bug) {
    if (bug != BUG_KERNEL_CONV) {
        conv_kernel_grad(dk, g, x, s);
        return;
    }
    Tensor rot = upstream_rot180(g, s);
    conv_kernel_grad(dk, rot.data, x, s);
    tensor_free(&rot);
}

// All three gradients of the layer, with the bug where its layer runs
// (a ConvBackwardFn, so that 5.9's sweep runs it too; ctx is the Bug).
void backward_with_bug(double *dx, double *dk, double *db, const double *g, const double *x,
                       const double *k, const ConvShape *s, void *ctx) {
    Bug bug = *(const Bug *)ctx;
    for (int o = 0; o < s->out_c; o++)
        db[o] = bias_gradient(g + (long)o * s->out_h * s->out_w, s->out_h, s->out_w, bug);
    kernel_gradient(dk, g, x, s, bug);
    input_gradient(dx, g, k, s, bug);
}

Grads layer_backward(const Layer *l, Bug bug) {
    Grads d = {tensor_alloc_like(&l->x), tensor_alloc_like(&l->k), tensor_alloc_like(&l->b)};
    backward_with_bug(d.dx.data, d.dk.data, d.db.data, l->g.data, l->x.data, l->k.data, &l->s, &bug);
    return d;
}

void grads_free(Grads *d) {
    Tensor *all[] = {&d->dx, &d->dk, &d->db};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
}

void layer_free(Layer *l) {
    Tensor *all[] = {&l->x, &l->k, &l->b, &l->y, &l->g};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
}

#include "chapter5_formula.h" // --formula's tables and cases, by the code above

// A zeroed layer of shape s (b is one number per output channel).
Layer layer_new(const ConvShape *s) {
    return (Layer){*s,
                   tensor_alloc(s->in_c, s->in_h, s->in_w),
                   tensor_alloc(s->out_c * s->in_c, s->kh, s->kw),
                   tensor_alloc(1, 1, s->out_c),
                   tensor_alloc(s->out_c, s->out_h, s->out_w),
                   tensor_alloc(s->out_c, s->out_h, s->out_w)};
}
