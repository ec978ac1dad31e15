// Chapter 5: see chapter5_input.h.
#include "chapter5_input.h"

#include <string.h>

Layer layer_from_options(const Texts *t) {
    Tensor x = t->input ? option_matrix("--input", t->input) : tensor_alloc(1, EXAMPLE_X_H, EXAMPLE_X_W);
    Tensor k = t->kernel ? option_matrix("--kernel", t->kernel) : tensor_alloc(1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE);
    if (!t->input) memcpy(x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    if (!t->kernel) memcpy(k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    Tensor b = t->bias ? option_matrix("--bias", t->bias) : tensor_alloc(1, 1, 1);
    if (tensor_size(&b) != 1)
        usage_error("--bias: expected a single number (the layer has one output channel), got a %dx%d matrix", b.h,
                    b.w);
    int stride = t->stride ? option_int("--stride", t->stride, 1, TENSOR_MAX_SIDE) : 1;
    int pad = t->padding ? option_int("--padding", t->padding, 0, TENSOR_MAX_SIDE) : 0;
    int dil = t->dilation ? option_int("--dilation", t->dilation, 1, TENSOR_MAX_SIDE) : 1;
    if (x.h + 2L * pad > TENSOR_MAX_SIDE || x.w + 2L * pad > TENSOR_MAX_SIDE)
        usage_error("--padding: the %dx%d input padded by %d is %ldx%ld; the limit is %d per side", x.h, x.w, pad,
                    x.h + 2L * pad, x.w + 2L * pad, TENSOR_MAX_SIDE);
    ConvShape s;
    if (!conv_shape_init(&s, 1, x.h, x.w, 1, k.h, k.w, stride, pad, pad, dil))
        usage_error("--kernel: the %dx%d kernel with dilation %d spans %ldx%ld, which does not fit the %dx%d input "
                    "padded by %d (%dx%d)",
                    k.h, k.w, dil, (long)dil * (k.h - 1) + 1, (long)dil * (k.w - 1) + 1, x.h, x.w, pad, x.h + 2 * pad,
                    x.w + 2 * pad);
    Layer l = layer_new(&s);
    tensor_copy(&l.x, &x);
    tensor_copy(&l.k, &k);
    l.b.data[0] = b.data[0];
    tensor_free(&b);
    tensor_free(&x);
    tensor_free(&k);
    conv_forward(l.y.data, l.x.data, l.k.data, l.b.data, &s);
    require_finite(&l.y, "--input/--kernel/--bias");
    return l;
}

Upstream upstream_init(Layer *l, ExampleChain *ch, const char *text, uint64_t seed) {
    if (text) {
        Tensor parsed = option_matrix("--upstream", text);
        if (parsed.h != l->s.out_h || parsed.w != l->s.out_w)
            usage_error("--upstream: shape %dx%d does not match the output Y, which is %dx%d (expected %dx%d)",
                        parsed.h, parsed.w, l->s.out_h, l->s.out_w, l->s.out_h, l->s.out_w);
        tensor_copy(&l->g, &parsed);
        tensor_free(&parsed);
        return UPSTREAM_GIVEN;
    }
    if (example_chain_fits(l->s.out_c, l->s.out_h, l->s.out_w)) {
        example_chain_forward(ch, l->y.data);
        example_chain_backward(ch, l->g.data);
        return UPSTREAM_CHAIN;
    }
    Rng rng = rng_make(seed); // small integers keep every gradient readable by hand
    for (size_t q = 0; q < tensor_size(&l->g); q++) l->g.data[q] = rng_below(&rng, 7) - 3;
    return UPSTREAM_SEEDED;
}
