#ifndef WORKBOOK_NETWORK_H
#define WORKBOOK_NETWORK_H
// Chapter 6's whole network, for one image and one label y ∈ {0, 1}, as the
// plain composition of the library's layers (the reference; the fused and
// caching version for speed is network_fast.h, tested against this one):
//
//   A  = conv_forward(X, K, b)       C kernels K×K, valid, stride 1        (C, H−K+1, W−K+1)
//   P  = maxpool_forward(A)          2×2 window, stride 1, first max wins  (C, H−K, W−K)
//   p  = flatten(P)                  channel-major, row-major              (F = C·(H−K)·(W−K))
//   z  = dense_forward(p, w, d)      one output
//   ŷ  = σ(z),  L = BCE(y, ŷ)        computed as softplus(z) − y z (loss.h's logit form)
//
// Memory, llm.c style: the caller allocates one block of net_param_count()
// doubles for the parameters (and one of the same size for their gradients),
// laid out [K (C,K,K) | b (C) | w (F) | d (1)]; NetParams points into it.
// The activations live in caller-allocated blocks too (net_act_doubles and
// net_act_ints entries); net_buffers_alloc (network_buffers.h) makes all of
// them at once.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conv.h"
#include "dataset.h"
#include "pool.h"

#define NET_POOL 2 // the pooling window's side; its stride is 1
// Bounds the size of a network (P checked entries; its buffers take about
// 20P doubles, 2.5 MiB), so every run stays below 8 MiB of resident memory.
#define NET_MAX_CHECKED (1 << 14)

typedef struct {
    int in_h, in_w, kernels, k;
    int conv_h, conv_w; // H−K+1, W−K+1
    int pool_h, pool_w; // conv − 1
    int flat;           // F
    int n_params;       // C·K·K + C + F + 1
    int n_input;        // H·W
} NetShape;

// Fills s and returns true when the kernel fits and the pooled map is at
// least 1×1 (H, W ≥ K+1); sizes must also keep every count within int.
bool net_shape_init(NetShape *s, int in_h, int in_w, int kernels, int k);
static inline int net_param_count(const NetShape *s) { return s->n_params; }
// P: every entry a full check perturbs (the input and all parameters).
static inline int net_checked_count(const NetShape *s) { return s->n_input + s->n_params; }
// The layers' own shapes for this network.
ConvShape net_conv_shape(const NetShape *s);
PoolShape net_pool_shape(const NetShape *s);

typedef struct {
    double *kernel;  // (C,K,K)
    double *conv_b;  // (C)
    double *dense_w; // (F)
    double *dense_b; // (1)
} NetParams;

void net_params_point(NetParams *p, double *block, const NetShape *s);

typedef struct {
    double *conv;     // A, (C, conv_h, conv_w)
    double *pooled;   // P = p, (F)
    int *argmax;      // per pooled entry, its flat index into conv
    double *d_conv;   // backward scratch, same shape as conv
    double *d_pooled; // backward scratch, (F)
    double z, yhat, loss;
} NetActs;

size_t net_act_doubles(const NetShape *s);
size_t net_act_ints(const NetShape *s);
void net_acts_point(NetActs *a, double *dblock, int *iblock, const NetShape *s);

// Forward pass for image x (H,W) and label y; keeps what backward needs in a
// and returns the loss.
double net_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s);

// After net_forward with the same arguments: grads += ∂L/∂params and, when dx
// is not NULL, dx += ∂L/∂x. The layers' backward passes in reverse order:
//   ∂L/∂z = ŷ − y                                       bce_grad_logits
//   ∂L/∂w = ∂L/∂z · p,  ∂L/∂d = ∂L/∂z,  ∂L/∂p = ∂L/∂z · w  dense_backward
//   ∂L/∂A: each pooled gradient to its argmax cell        maxpool_backward
//   ∂L/∂K = X ⋆ ∂L/∂A,  ∂L/∂b = Σ ∂L/∂A,  ∂L/∂X          conv_backward
void net_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                  const NetShape *s);

// params −= lr · grads.
void net_sgd_step(double *params, const double *grads, double lr, const NetShape *s);

// Small seeded initial values: kernels and dense weights uniform in ±1/√fan_in,
// biases 0.
void net_init_params(double *params, const NetShape *s, uint64_t seed);

// ---------------------------------------------------------------- checks
// Everything a loss callback needs: L(x, params) by a full forward pass.
typedef struct {
    const NetShape *s;
    double *params, *x;
    double y;
    NetActs *a;
} NetProblem;

// gradcheck.h's Objective.whole for a NetProblem: the loss by net_forward,
// and in *scale the magnitude its round-off scales with: |L| plus |ŷ − y|
// times a bound on Σ|terms| of z (dense products and, through them, every
// conv product), since an error δ in z moves L by (ŷ − y)·δ.
double net_objective_whole(void *problem, double *scale);

// Marks the entries at a real tie of the max-pool: a window whose maximum is
// shared by cells that depend on the entry differently, so L has a kink
// there (the one-sided derivatives differ) and no difference quotient is the
// gradient. Near-ties are not ties. skip_params is (n_params), skip_x (H,W).
// Returns how many entries it marked. Needs a from net_forward.
int net_tie_mask(bool *skip_params, bool *skip_x, const NetActs *a, const double *params, const double *x,
                 const NetShape *s);

// ---------------------------------------------------------------- training
// The forward pass training and evaluation run: net_forward, or a variant
// that returns its doubles bit for bit (network_fast.h's
// net_fast_forward_exact, three times faster).
typedef double (*NetForwardFn)(NetActs *a, const double *params, const double *x, double y, const NetShape *s);
// One backward pass as training runs it: grads += ∂L/∂θ for image x, label
// y, after the forward pass. net_backward fits (ctx unused); a chapter
// passes its own to train with a deliberate mistake.
typedef void (*NetBackwardFn)(double *grads, NetActs *a, const double *params, const double *x, double y,
                              void *ctx);

// What training produced, per epoch 0..epochs (0 is before any step); owned,
// freed by net_history_free.
typedef struct {
    double *train_loss, *train_acc, *test_loss, *test_acc;
    int done;      // the last epoch with finite numbers
    bool diverged; // epoch done + 1 overflowed; the parameters are those after epoch done
} NetHistory;

bool net_history_alloc(NetHistory *h, int epochs); // false when out of memory
void net_history_free(NetHistory *h);

// Per-sample SGD, params −= lr·grads, for `epochs` epochs over train in a
// fresh seeded order each, evaluating train and test after every epoch.
// Stops at the first epoch whose loss or parameters overflow and restores
// the parameters of the epoch before. With progress, writes "epoch e of N"
// to stderr once training has run a second. False when out of memory.
bool net_train(NetHistory *h, double *params, double *grads, NetActs *a, const Dataset *train,
               const Dataset *test, int epochs, double lr, uint64_t seed, NetForwardFn forward,
               NetBackwardFn backward, void *ctx, const NetShape *s, bool progress);

// Mean loss and the fraction classified right (ŷ ≥ 0.5 means class 1) over
// n images (h·w each, one after another in x) with labels y.
void net_evaluate(double *loss, double *accuracy, const double *params, NetActs *a, const double *x,
                  const double *y, int n, NetForwardFn forward, const NetShape *s);

#endif
