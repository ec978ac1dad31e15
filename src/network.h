#ifndef WORKBOOK_NETWORK_H
#define WORKBOOK_NETWORK_H
// Chapter 6's whole network, for one image and one label y ∈ {0, 1}:
//
//   A[c]  = b[c] + X ⋆ K[c]            conv: C kernels K×K, valid, stride 1   (C, H−K+1, W−K+1)
//   P[c]  = maxpool_2x2,stride1(A[c])  max-pool, first maximum wins ties     (C, H−K, W−K)
//   p     = flatten(P)                 channel-major, row-major              (F = C·(H−K)·(W−K))
//   z     = w·p + d                    dense to one output (summed in blocks, see below)
//   ŷ     = σ(z),  L = BCE(y, ŷ)       computed as softplus(z) − y z (loss.h's logit form)
//
// Memory, llm.c style: the caller allocates one block of net_param_count()
// doubles for the parameters (and one of the same size for their gradients),
// laid out [K (C,K,K) | b (C) | w (F) | d (1)]; NetParams points into it.
// The activations live in caller-allocated blocks too (net_act_doubles and
// net_act_ints entries); nothing here allocates.
//
// The network has its own loops rather than calling conv_forward & co.: the
// case is fixed (one input channel, valid, stride 1, 2×2/1 pooling), and the
// caching check below must recompute single entries with exactly the same
// arithmetic as the forward pass. tests/check_network.c checks them against
// the general layers of conv.h, pool.h, dense.h and loss.h.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gradcheck.h"

#define NET_POOL 2 // the pooling window's side; its stride is 1

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

typedef struct {
    double *kernel; // (C,K,K)
    double *conv_b; // (C)
    double *dense_w; // (F)
    double *dense_b; // (1)
} NetParams;

void net_params_point(NetParams *p, double *block, const NetShape *s);

typedef struct {
    double *conv;   // A, (C, conv_h, conv_w)
    double *pooled; // P = p, (F)
    int *argmax;    // per pooled entry, its flat index into conv
    double *d_conv; // backward scratch, same shape as conv
    double z, yhat, loss;
} NetActs;

size_t net_act_doubles(const NetShape *s);
size_t net_act_ints(const NetShape *s);
void net_acts_point(NetActs *a, double *dblock, int *iblock, const NetShape *s);

// Forward pass for image x (H,W) and label y; keeps what backward needs in a
// and returns the loss.
double net_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s);

// After net_forward with the same arguments: grads += ∂L/∂params and, when dx
// is not NULL, dx += ∂L/∂x. Uses a->d_conv as scratch.
//   ∂L/∂z = ŷ − y;  ∂L/∂w = ∂L/∂z · p;  ∂L/∂d = ∂L/∂z;  ∂L/∂p = ∂L/∂z · w
//   ∂L/∂A: each pooled entry's gradient goes to its argmax (summed when shared)
//   ∂L/∂K[c] = X ⋆ ∂L/∂A[c];  ∂L/∂b[c] = Σ ∂L/∂A[c];  ∂L/∂X = Σ_c ∂L/∂A[c] (full) ⋆ rot180(K[c])
void net_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                  const NetShape *s);

// params −= lr · grads.
void net_sgd_step(double *params, const double *grads, double lr, const NetShape *s);

// ---------------------------------------------------------------- checks
// Everything the loss callback needs: L(x, params) by a full forward pass.
typedef struct {
    const NetShape *s;
    double *params, *x;
    double y;
    NetActs *a;
} NetProblem;

// gradcheck.h's LossFn: one full forward pass.
double net_loss(void *problem);

// The plain full check's numerical gradient, by central differences
// (numerical_gradient) over every parameter and then every input entry:
// 2P full forward passes. num_params is (n_params), num_x is (H,W).
void net_numerical_plain(double *num_params, double *num_x, NetProblem *p, double h);

// Scratch for the caching check, caller-allocated: net_cache_doubles(s) and
// net_cache_ints(s) entries.
size_t net_cache_doubles(const NetShape *s);
size_t net_cache_ints(const NetShape *s);

// The same numbers as net_numerical_plain, bit for bit, without recomputing
// what a perturbed entry cannot change. The forward pass adds the dense sum
// in blocks of 32 terms (z = d + S_0 + S_1 + ..., each S_b summed on its own).
// The check runs one forward pass, keeps the activations, the block sums S_b
// and the running sums d + S_0 + ... + S_{b−1}, and then
//   dense w_j:  re-adds w_j's block and the running sum after it;
//   kernel / conv bias of channel c: recomputes channel c's conv and pool only;
//   input X[i,j]: recomputes the K×K block of conv outputs that read it and
//                 the pooled entries over them, in every channel;
// and re-adds only the blocks whose pooled values it recomputed.
// Each recomputed entry runs the forward pass's own code on the same numbers,
// so every loss value, and hence every difference quotient, is identical.
// kink_params/kink_x (may be NULL) mark the entries whose ±h moved a pooled
// maximum to another cell (a tie, as in images with flat regions): the max is
// not differentiable there and their difference quotients mean nothing.
void net_numerical_cached(double *num_params, double *num_x, NetProblem *p, double h, double *dscratch,
                          int *iscratch, bool *kink_params, bool *kink_x);

// The directional check over all P entries (parameters and input), via
// gradcheck.h's directional_check. grads and dx are the analytic gradient;
// scratch holds P doubles.
DirectionalResult net_directional_check(NetProblem *p, const double *grads, const double *dx, uint64_t seed,
                                        double *scratch);

// ---------------------------------------------------------------- data
// A data set of n single-channel h×w images with labels 0/1, owned by the
// struct (malloc'd by the functions below, freed by net_data_free).
typedef struct {
    int n, h, w;
    double *x; // (n, h, w)
    double *y; // (n)
} NetData;

// Bounds the memory a data set may take (2 MiB of doubles) and the size of a
// network (P entries; its buffers take about 20P doubles, 2.5 MiB), so that
// every run stays below 8 MiB of resident memory whatever it is given.
#define NET_DATA_MAX_VALUES (1L << 18)
#define NET_MAX_CHECKED (1 << 14)
// Pixels are intensities; larger magnitudes make SGD at any sensible rate
// overflow, so the reader refuses them.
#define NET_MAX_PIXEL 1e3
// Longest CSV field kept; a longer one cannot be a sensible number.
#define NET_CSV_MAX_FIELD 64

bool net_data_alloc(NetData *d, int n, int h, int w); // false when over NET_DATA_MAX_VALUES
void net_data_free(NetData *d);

// Reads one image per line: the label (0 or 1), then h·w pixels row by row,
// separated by commas (spaces around a field are allowed, blank lines are
// skipped). Numbers follow parse.h's rules. On failure returns false with
// "line L: problem" in err and d left empty.
bool net_read_csv(NetData *d, FILE *f, int h, int w, char *err, size_t errlen);

// n seeded h×w images: label 1 a vertical stroke, label 0 a horizontal one,
// each of random length and position, plus Gaussian pixel noise.
bool net_synthetic(NetData *d, int n, int h, int w, uint64_t seed);

// ---------------------------------------------------------------- training
// Small seeded initial values: kernels and dense weights uniform in ±1/√fan_in,
// biases 0.
void net_init_params(double *params, const NetShape *s, uint64_t seed);
// One epoch of per-sample SGD in the given order (indices into d).
void net_train_epoch(double *params, double *grads, NetActs *a, const NetData *d, const int *order, double lr,
                     const NetShape *s);
// Mean loss and the fraction classified right (ŷ ≥ 0.5 means class 1).
void net_evaluate(double *loss, double *accuracy, const double *params, NetActs *a, const NetData *d,
                  const NetShape *s);

#endif
