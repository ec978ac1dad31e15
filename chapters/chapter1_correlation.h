#ifndef CHAPTER1_CORRELATION_H
#define CHAPTER1_CORRELATION_H
// What chapter 1's units share (chapter1_correlation.c defines the
// functions): the layer, its two operations, and the kernel gradients as a
// run computes them.
#include "tensor.h"

typedef enum { MODE_VALID, MODE_FULL } Mode;
typedef enum { OP_XCORR, OP_CONV } Op;

// --bug, resolved at parsing (opt.bug_id), in the order of BUGS.
typedef enum { BUG_NONE, BUG_NO_ROT180 } Bug;

// The shared state: input, kernel and upstream gradient (owned by main).
typedef struct {
    Tensor x, k, g;
    Mode mode;
    int out_h, out_w;
} Layer;

// Y = X ⋆ K (conv_forward, no flip) or Y = X * K (the textbook definition,
// the kernel index running backwards). y is out_h × out_w, caller-owned.
void chapter1_forward(Tensor *y, const Tensor *x, const Tensor *k, Mode mode, Op op);

// ∂L/∂K for Y = X ⋆ K: X ⋆ G (dk is K's shape, caller-owned).
void chapter1_kernel_grad_xcorr(Tensor *dk, const Layer *l);

// The convolution's kernel gradient as this run computes it (--bug).
void chapter1_kernel_grad_conv_chosen(Tensor *dk, const Layer *l, int bug_id);

#endif
