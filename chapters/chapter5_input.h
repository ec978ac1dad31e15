#ifndef CHAPTER5_INPUT_H
#define CHAPTER5_INPUT_H
// Chapter 5's input: the layer and the upstream gradient from the options,
// validated before anything is printed.
#include "chapter5_layer.h"
#include "conv.h"
#include "example.h"
#include "example_chain.h"
#include "options.h"
#include "rng.h"
#include "tensor.h"

// Where G = ∂L/∂Y came from.
typedef enum { UPSTREAM_CHAIN, UPSTREAM_GIVEN, UPSTREAM_SEEDED } Upstream;

// The options that describe the layer, as given (NULL: not given).
typedef struct {
    const char *input, *kernel, *bias, *upstream, *stride, *padding, *dilation, *lr;
} Texts;

// X, K, b and the shape from the options, validated before anything prints.
Layer layer_from_options(const Texts *t);

// G = ∂L/∂Y: given, from the running example's chain, or seeded integers.
Upstream upstream_init(Layer *l, ExampleChain *ch, const char *text, uint64_t seed);

#endif
