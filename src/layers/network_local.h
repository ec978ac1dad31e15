#ifndef WORKBOOK_NETWORK_LOCAL_H
#define WORKBOOK_NETWORK_LOCAL_H
// Local finite differences for chapter 6's network (network.h): moving one
// entry θ_k by δ changes only what it touches, so the change in the loss is
// computed from those parts alone, relative to the base point θ₀:
//
//   input X[u,v]        Δa = K[c, u−i, v−j]·δ on the ≤ C·K² conv cells it feeds
//   kernel K[c,m,n]     Δa = X[i+m, j+n]·δ on channel c's cells
//   conv bias b_c       Δa = δ on channel c's cells
//   pooled window j     Δp_j = max over its cells of (a₀ − p₀_j) + Δa
//                       (nearby values subtract exactly: a near-tie's gap is exact)
//   dense weight w_j    Δz = p₀_j·δ;  dense bias d: Δz = δ;  else Δz = Σ_j w_j·Δp_j
//   loss                ΔL = softplus(z₀ + Δz) − softplus(z₀) − y·Δz
//                          = (1−y)·log1p(σ(z₀)·expm1(Δz)) + y·log1p(σ(−z₀)·expm1(−Δz))
//
// In exact arithmetic ΔL(θ₀+δ) − ΔL(θ₀−δ) is L(θ₀+δ) − L(θ₀−δ); in floating
// point every term is of the size of the change, so the round-off of a
// difference quotient is a few ε of the derivative, whatever the step (the
// whole-network loss rounds at ε·|L|, which a tiny step near a max-pool
// near-tie divides by h). Each entry costs O(what it touches).

#include <stdbool.h>

#include "gradcheck.h"
#include "network.h"

// The checked blocks, in memory order (the parameters, then the input).
typedef enum { NET_BLOCK_KERNEL, NET_BLOCK_CONV_B, NET_BLOCK_DENSE_W, NET_BLOCK_DENSE_B, NET_BLOCK_INPUT } NetBlock;
#define NET_BLOCK_COUNT 5

// The base point and what the differences are taken against. One
// allocation (block), owned; the problem is the caller's, and its x and
// params are what the checker perturbs.
typedef struct {
    NetProblem *pr;
    double *x0, *params0; // copies of the base point: δ = current − saved
    double *conv0;        // a₀ (C, conv_h, conv_w)
    double *pooled0;      // p₀ (F)
    double z0;
    NetBlock block; // the block being checked (net_local_gradient sets it)
    int first;      // the block index of the entry the checker's k = 0 is
    double *block_mem;
} NetLocal;

// Saves the base point of pr and runs one forward pass (into pr->a).
// False when out of memory.
bool net_local_init(NetLocal *l, NetProblem *pr);
void net_local_free(NetLocal *l);

// The block's entries in the problem's buffers, and how many there are.
double *net_block_entries(const NetLocal *l, NetBlock b, int *count);

// L(θ) − L(θ₀) when only entry idx of block b differs from the base point;
// *scale receives the magnitudes rounded in forming it (|ΔL|'s parts plus
// |∂L/∂z| times Σ|w_j|·|Δp_j's parts|).
double net_local_delta(const NetLocal *l, NetBlock b, int idx, double *scale);

// out[e] for every entry e of block b not marked in skip (skip may be
// NULL): numerical_gradient_bounded on entry e alone with the local
// objective above. out holds the block's count (caller-owned).
void net_local_gradient(NumericalDerivative *out, NetLocal *l, NetBlock b, const bool *skip);

// check_block's per-entry engine (src/check/check_block.h's EntriesFn) for
// one block: net_local_gradient on the entries idx[0..count) alone (the
// block's ties are not computed either); param and obj are the local's.
typedef struct {
    NetLocal *local;
    NetBlock block;
    const bool *ties; // the block's: entries with no derivative
    int count;        // the block's entries
} NetLocalBlock;

void net_local_entries(void *ctx, NumericalDerivative *out, double *param, const int *idx, int count,
                       const Objective *obj);

#endif
