#ifndef CHAPTER7_NET_H
#define CHAPTER7_NET_H
// Chapter 7's network and its mistakes, composed from the library's layers:
//   X (1,8,8) → conv 3x3 (1→C1) → ReLU → max-pool 2x2/2 → conv 2x2 (C1→C2)
//   → ReLU → flatten → dense (C2·2·2 → 10) → softmax cross-entropy
// over a mini-batch, the loss the batch mean. Every parameter lives in one
// array theta (and its gradient in one array of the same layout), so that
// SGD and the checker see one vector. The mistakes are small functions
// beside the right code, chosen by one switch where the layer runs
// (chapter7_net.c; bench/bench_deep.c times it).
#include <stddef.h>

#include "conv.h"
#include "options.h"
#include "dense.h"
#include "pool.h"
#include "relu.h"
#include "rng.h"
#include "softmax_ce.h"

#define CLASSES 10
#define IMAGE_SIDE 8
#define K1_SIDE 3
#define K2_SIDE 2

// The largest mini-batch (the activations of a batch are kept for backward).
#define MAX_BATCH 256

// The chapter's bugs, in the order of BUGS[] (0 is the right code).
typedef enum {
    RIGHT,
    BUG_RELU_MASK_FROM_OUTPUT,
    BUG_SOFTMAX_WITHOUT_SHIFT,
    BUG_CE_NOT_DIVIDED,
    BUG_CHANNEL_SUM_MISSING,
    BUG_SECOND_CONV_NOT_ROTATED,
} Bug;

// The --bug list, in the order of Bug (bug k + 1 is BUGS[k]; a definition
// of another length does not compile).
#define N_BUGS 5
extern const BugInfo BUGS[N_BUGS];

// The layers' backward passes and the loss as a run computes them (--bug):
// ReLU (din +=), softmax cross-entropy (p and the batch-mean loss, *scale
// as gradcheck.h asks; scale may be NULL) and its ∂L/∂z (dz =).
void relu_backward_with(Bug bug, double *din, const double *dout, const double *in, const double *out,
                        int n);

double softmax_ce_with(Bug bug, double *p, double *scale, const double *z, const int *y, int n, int k);
void ce_backward_with(Bug bug, double *dz, const double *p, const int *y, int n, int k);

// din += ∂L/∂X[c] = Σ_o full(G[o]) ⋆ rot180(K[o,c]) (conv_input_grad_full).
void conv_input_grad_with(Bug bug, double *din, const double *dout, const double *w, const ConvShape *s);

typedef struct {
    ConvShape s1, s2;
    PoolShape sp;
    int c1, c2, flat, n_params;
    int k1, b1, k2, b2, w, bd; // offsets of each block in theta
} Arch;

// Returns false when the channel counts make no network (never for 1..64).
bool arch_init(Arch *a, int c1, int c2);

// He initialisation: weights N(0, 2/fan_in) (ReLU halves the variance a
// layer passes on), biases small and seeded (nonzero, so that no ReLU input
// sits exactly at its kink on a blank patch).
void arch_init_params(double *theta, const Arch *a, uint64_t seed);

// One batch's activations, kept for backward (sized for MAX_BATCH).
typedef struct {
    double *a1, *h1, *p1, *a2, *h2, *z, *p;
    int *arg;
    int n1, np, n2; // entries per sample of a1, p1, a2
} Acts;

// Allocates t for MAX_BATCH samples of a (exits 2 when out of memory);
// acts_free frees it.
void acts_alloc(Acts *t, const Arch *a);
void acts_free(Acts *t);

// Logits z (n, CLASSES) of n ≤ MAX_BATCH images x (n, 8·8); every
// activation kept in t.
void deep_forward(Acts *t, const Arch *a, const double *theta, const double *x, int n);

// The batch-mean loss after deep_forward; *scale as gradcheck.h asks: the
// loss's own terms plus, per sample, 1/N times the magnitudes summed into
// its logits (a logit's rounding moves L by at most that much, |∂L/∂z| ≤ 1/N).
double deep_loss(Acts *t, double *scale, const Arch *a, const double *theta, const int *y, int n, Bug bug);

// grads += ∂L/∂theta for the batch held in t (after deep_forward and
// deep_loss). dscratch holds deep_scratch_size(t, n) doubles.
void deep_backward(double *grads, double *dscratch, const Acts *t, const Arch *a, const double *theta,
                   const double *x, const int *y, int n, Bug bug);

// dz (CLASSES·n), then one sample's dh2, da2, dp1, dh1, da1.
size_t deep_scratch_size(const Acts *t, int n);

#endif
