#include "conv_steps.h"

#include <stdio.h>

Tensor conv_steps_spread(const Tensor *dy, int s) {
    Tensor out = tensor_alloc(1, s * (dy->h - 1) + 1, s * (dy->w - 1) + 1);
    for (int i = 0; i < dy->h; i++)
        for (int j = 0; j < dy->w; j++) *tensor_at(&out, 0, i * s, j * s) = *tensor_at(dy, 0, i, j);
    return out;
}

Tensor conv_steps_pad(const Tensor *t, int ph, int pw) {
    Tensor out = tensor_alloc(1, t->h + 2 * ph, t->w + 2 * pw);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) *tensor_at(&out, 0, i + ph, j + pw) = *tensor_at(t, 0, i, j);
    return out;
}

Tensor conv_steps_rot180(const Tensor *k) {
    Tensor out = tensor_alloc_like(k);
    tensor_rot180(&out, k);
    return out;
}

void conv_steps_finish(ConvSteps *st, const ConvShape *s) {
    const int d = s->dilation, fh = d * (s->kh - 1), fw = d * (s->kw - 1);
    st->grad_padded = tensor_alloc(1, s->in_h + 2 * s->pad_h, s->in_w + 2 * s->pad_w);
    int off_h = fh - (st->padded.h - st->spread.h) / 2, off_w = fw - (st->padded.w - st->spread.w) / 2;
    ConvShape t;
    if (!conv_shape_init(&t, 1, st->padded.h, st->padded.w, 1, s->kh, s->kw, 1, 0, 0, d)) return;
    st->result = tensor_alloc(1, t.out_h, t.out_w);
    const double no_bias = 0.0;
    conv_forward(st->result.data, st->padded.data, st->rot.data, &no_bias, &t);
    for (int i = 0; i < t.out_h && i + off_h < st->grad_padded.h; i++)
        for (int j = 0; j < t.out_w && j + off_w < st->grad_padded.w; j++)
            *tensor_at(&st->grad_padded, 0, i + off_h, j + off_w) = *tensor_at(&st->result, 0, i, j);
}

void conv_steps_free(ConvSteps *st) {
    Tensor *all[] = {&st->spread, &st->padded, &st->rot, &st->result, &st->grad_padded};
    for (int q = 0; q < 5; q++) tensor_free(all[q]);
}

static const char *plural(int n) { return n == 1 ? "" : "s"; }

// Reports t under prefix + key when prefix is non-NULL, else displays it.
static void show(Report *r, const char *prefix, const char *key, const char *label, const Tensor *t) {
    char k[96];
    if (!prefix) {
        report_matrix(r, label, t);
        return;
    }
    snprintf(k, sizeof k, "%s%s", prefix, key);
    report_quantity(r, k, label, t);
}

static void spread_and_pad(Report *r, const char *prefix, const ConvSteps *st, const ConvShape *s) {
    const int d = s->dilation, fh = d * (s->kh - 1), fw = d * (s->kw - 1), z = s->stride - 1;
    char label[96];
    if (s->stride > 1) {
        report_text(r, "Stride %d: output (i,j) read the input from row %d·i, column %d·j, so going back the "
                       "gradients land %d apart. Insert %d zero%s between the entries:",
                    s->stride, s->stride, s->stride, s->stride, z, plural(z));
        if (!st->spread_done) report_text(r, "(Here the zeros are NOT inserted.)");
        snprintf(label, sizeof label, "∂L/∂Y with %d zero%s between entries", st->spread_done ? z : 0,
                 plural(st->spread_done ? z : 0));
        show(r, prefix, "upstream_dilated", label, &st->spread);
    }
    if (st->padded_done)
        report_text(r, "Zero-pad by %s(kh−1) = %d row%s and %s(kw−1) = %d column%s on each side, so that every "
                       "position where the kernel overlaps ∂L/∂Y at all produces an entry:",
                    d > 1 ? "d·" : "", fh, plural(fh), d > 1 ? "d·" : "", fw, plural(fw));
    else
        report_text(r, "Here ∂L/∂Y is NOT zero-padded, so only windows lying inside it count:");
    show(r, prefix, "upstream_padded", st->padded_done ? "∂L/∂Y zero-padded" : "∂L/∂Y (not padded)",
         &st->padded);
}

void conv_steps_report(Report *r, const char *prefix, const ConvSteps *st, const ConvShape *s) {
    const int fh = s->dilation * (s->kh - 1), fw = s->dilation * (s->kw - 1);
    spread_and_pad(r, prefix, st, s);
    show(r, prefix, "kernel_rot180", st->rotated ? "rot180(K)" : "K (NOT rotated)", &st->rot);
    if (s->dilation > 1)
        report_text(r, "Dilation %d: the taps of rot180(K) are %d apart, as in the forward pass.", s->dilation,
                    s->dilation);
    if (st->result.data)
        show(r, prefix, "full_convolution", st->rotated ? "padded ∂L/∂Y ⋆ rot180(K)" : "padded ∂L/∂Y ⋆ K",
             &st->result);
    int left_h = st->grad_padded.h - (s->stride * (s->out_h - 1) + 1 + fh);
    int left_w = st->grad_padded.w - (s->stride * (s->out_w - 1) + 1 + fw);
    if (left_h > 0 || left_w > 0)
        report_text(r, "%d row%s and %d column%s at the bottom and right of the padded input were read by no "
                       "window: they get zero gradient.",
                    left_h, plural(left_h), left_w, plural(left_w));
    if (left_h > 0 || left_w > 0 || s->pad_h > 0) {
        char label[64];
        snprintf(label, sizeof label, "∂L/∂X_padded (%dx%d)", st->grad_padded.h, st->grad_padded.w);
        show(r, prefix, "dX_padded", label, &st->grad_padded);
    }
    if (s->pad_h > 0)
        report_text(r, "The padding is not a parameter: crop %d row%s and column%s off each side to get ∂L/∂X.",
                    s->pad_h, plural(s->pad_h), plural(s->pad_h));
}
