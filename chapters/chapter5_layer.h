#ifndef CHAPTER5_LAYER_H
#define CHAPTER5_LAYER_H
// Chapter 5's layer under study and its backward pass, with each --bug
// mistake beside the right code where the layer runs (chapter5_layer.c).
#include "conv.h"
#include "options.h"
#include "conv_steps.h"
#include "tensor.h"

// In CHAPTER5_BUGS order, the correct code at 0 (opt.bug_id).
typedef enum { BUG_NONE, BUG_NO_ROT180, BUG_VALID_NOT_FULL, BUG_NO_DILATE, BUG_BIAS_ONE_AXIS, BUG_KERNEL_CONV } Bug;

// The --bug list, in the order of Bug (bug k + 1 is CHAPTER5_BUGS[k]; a
// definition of another length does not compile); chapter5_formula.c
// describes each for a formula in the same order.
#define CHAPTER5_N_BUGS 5
extern const BugInfo CHAPTER5_BUGS[CHAPTER5_N_BUGS];

// The layer under study and the upstream gradient G = ∂L/∂Y it receives.
typedef struct {
    ConvShape s;
    Tensor x, k, b, y, g;
} Layer;

typedef struct {
    Tensor dx, dk, db;
} Grads;

// ∂L/∂b[o] = Σ_i Σ_j ∂L/∂Y[o,i,j]: b is added to every output entry.
double bias_grad(const double *g, int h, int w);

// Steps 1–4 for ∂L/∂Y[o] (dy) and K[o,c] (k); grad_padded is (H+2p, W+2p).
ConvSteps steps_run(const double *dy, const double *k, const ConvShape *s, Bug bug);

// ∂L/∂X of the whole layer: the library's full-convolution form, or the
// step-by-step form with one step wrong.
void input_gradient(double *dx, const double *g, const double *k, const ConvShape *s, Bug bug);

// ∂L/∂Y with each output channel's plane turned by 180 degrees (owned).
Tensor upstream_rot180(const double *g, const ConvShape *s);

// All three gradients of the layer, with the bug where its layer runs
// (a ConvBackwardFn, so that 5.9's sweep runs it too; ctx is the Bug).
void backward_with_bug(double *dx, double *dk, double *db, const double *g, const double *x,
                       const double *k, const ConvShape *s, void *ctx);

// The gradients of l under bug (owned: grads_free); layer_free frees l.
Grads layer_backward(const Layer *l, Bug bug);
void grads_free(Grads *d);
void layer_free(Layer *l);

// A zeroed layer of shape s (b is one number per output channel).
Layer layer_new(const ConvShape *s);

#endif
