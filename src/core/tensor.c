#include "tensor.h"
#include "mathfn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

Tensor tensor_alloc(int c, int h, int w) {
    if (c < 1 || h < 1 || w < 1 || c > TENSOR_MAX_SIDE || h > TENSOR_MAX_SIDE || w > TENSOR_MAX_SIDE) {
        fprintf(stderr, "error: internal: tensor shape %dx%dx%d is out of range\n", c, h, w);
        exit(2);
    }
    Tensor t = {c, h, w, calloc((size_t)c * (size_t)h * (size_t)w, sizeof(double))};
    if (!t.data) {
        fprintf(stderr, "error: out of memory allocating a %dx%dx%d tensor\n", c, h, w);
        exit(2);
    }
    return t;
}

Tensor tensor_alloc_like(const Tensor *t) { return tensor_alloc(t->c, t->h, t->w); }

Tensor tensor_clone(const Tensor *src) {
    Tensor t = tensor_alloc_like(src);
    tensor_copy(&t, src);
    return t;
}

Tensor tensor_view(double *data, int c, int h, int w) { return (Tensor){c, h, w, data}; }

void tensor_free(Tensor *t) {
    free(t->data);
    t->data = NULL;
    t->c = t->h = t->w = 0;
}

void tensor_zero(Tensor *t) { memset(t->data, 0, tensor_size(t) * sizeof(double)); }

void tensor_copy(Tensor *dst, const Tensor *src) {
    memcpy(dst->data, src->data, tensor_size(src) * sizeof(double));
}

bool tensor_same_shape(const Tensor *a, const Tensor *b) {
    return a->c == b->c && a->h == b->h && a->w == b->w;
}

bool tensor_all_finite(const Tensor *t) {
    size_t n = tensor_size(t);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(t->data[k])) return false;
    return true;
}

void tensor_rot180(Tensor *dst, const Tensor *src) {
    for (int c = 0; c < src->c; c++)
        for (int i = 0; i < src->h; i++)
            for (int j = 0; j < src->w; j++)
                *tensor_at(dst, c, src->h - 1 - i, src->w - 1 - j) = *tensor_at(src, c, i, j);
}

void tensor_shape_str(char *buf, size_t len, const Tensor *t) {
    if (t->c == 1)
        snprintf(buf, len, "%dx%d", t->h, t->w);
    else
        snprintf(buf, len, "%dx%dx%d", t->c, t->h, t->w);
}

Tensor tensor_from_values(const double *values, int h, int w) {
    Tensor t = tensor_alloc(1, h, w);
    memcpy(t.data, values, tensor_size(&t) * sizeof *values);
    return t;
}

int significant_digits_agreeing(double typed, double exact) {
    if (typed == exact) return 17;
    if (exact == 0.0 || !isfinite(typed) || !isfinite(exact)) return 0;
    double digits = floor(-wb_log10(fabs(typed - exact) / fabs(exact)));
    return digits < 0 ? 0 : digits > 17 ? 17 : (int)digits;
}
