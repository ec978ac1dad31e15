#ifndef WORKBOOK_NETWORK_FAST_H
#define WORKBOOK_NETWORK_FAST_H
// The same network as network.h, computed fast: fused and unrolled loops for
// one input channel, valid, stride 1 and 2×2/1 pooling, plus the caching
// check. tests/check_network_fast.c checks every function here against the
// reference (network.h) on many shapes; make bench times them.
//
// The forward pass sums the dense layer in blocks of NET_DENSE_BLOCK terms
// (z = d + S_0 + S_1 + ..., each S_b summed on its own), so its z may differ
// from net_forward's in the last bits; everything else is the same arithmetic
// in the same order.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gradcheck.h"
#include "network.h"

// Terms per block of the dense sum: short enough that re-adding one block is
// cheap, long enough that the running sum over blocks is short.
#define NET_DENSE_BLOCK 32

// net_forward and net_backward, fused (same contracts).
double net_fast_forward(NetActs *a, const double *params, const double *x, double y, const NetShape *s);
void net_fast_backward(double *grads, double *dx, NetActs *a, const double *params, const double *x, double y,
                       const NetShape *s);

// net_forward exactly, bit for bit: the fused conv and pooling loops (the
// same operations in the same order as the layers), then the dense sum left
// to right as dense_forward adds it. Training and evaluation use it
// (net_train): chapter 6's default run is about three times faster, with the
// same output.
double net_fast_forward_exact(NetActs *a, const double *params, const double *x, double y, const NetShape *s);

// gradcheck.h's LossFn for a NetProblem: one net_fast_forward.
double net_fast_loss(void *problem);

// The plain full check's numerical gradient, by central differences
// (numerical_gradient) over every parameter and then every input entry:
// 2P full forward passes. num_params is (n_params), num_x is (H,W).
void net_fast_numerical_plain(double *num_params, double *num_x, NetProblem *p, double h);

// Scratch for the caching check, caller-allocated: net_cache_doubles(s) and
// net_cache_ints(s) entries.
size_t net_cache_doubles(const NetShape *s);
size_t net_cache_ints(const NetShape *s);

// The same numbers as net_fast_numerical_plain, bit for bit, without
// recomputing what a perturbed entry cannot change. The check runs one
// forward pass, keeps the activations, the dense block sums S_b and the
// running sums d + S_0 + ... + S_{b−1}, and then
//   dense w_j:  re-adds w_j's block and the running sum after it;
//   kernel / conv bias of channel c: recomputes channel c's conv and pool only;
//   input X[i,j]: recomputes the K×K block of conv outputs that read it and
//                 the pooled entries over them, in every channel;
// and re-adds only the blocks whose pooled values it recomputed.
// kink_params/kink_x (may be NULL) mark the entries whose ±h moved a pooled
// maximum to another cell.
void net_fast_numerical_cached(double *num_params, double *num_x, NetProblem *p, double h, double *dscratch,
                               int *iscratch, bool *kink_params, bool *kink_x);

// The directional check over all P entries (parameters and input), via
// gradcheck.h's directional_check with net_fast_loss. grads and dx are the
// analytic gradient; scratch holds P doubles.
DirectionalResult net_fast_directional_check(NetProblem *p, const double *grads, const double *dx, uint64_t seed,
                                             double *scratch);

#endif
