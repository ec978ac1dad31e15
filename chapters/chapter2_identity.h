#ifndef CHAPTER2_IDENTITY_H
#define CHAPTER2_IDENTITY_H
// Section 2.3's identity check, ∂L/∂ŷ·ŷ(1 − ŷ) = ∂L/∂z, with differences
// relative to the terms each side subtracts.
#include "chapter2_bce.h"
#include "report.h"
#include "tensor.h"

// The chain product ∂L/∂ŷ·ŷ(1 − ŷ) against the closed form ∂L/∂z, where
// 1 − ŷ is not dominated by rounding; says so when no entry qualifies.
void check_chain_identity(Report *r, const Data *d, const Tensor *dyhat, const Tensor *dz);

#endif
