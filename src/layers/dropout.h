#ifndef WORKBOOK_DROPOUT_H
#define WORKBOOK_DROPOUT_H
// Inverted dropout with drop probability q, 0 ≤ q < 1.
//   mask[k] = 0 with probability q, else 1/(1 − q)   (seeded: same seed, same mask)
//   out[k] = in[k] · mask[k]        din[k] += dout[k] · mask[k]
// The scale 1/(1 − q) at training time keeps E[out] = in, so the test-time
// layer is the identity. in, out, mask hold n entries; buffers are the
// caller's; backward accumulates with +=.
#include <stdint.h>

void dropout_mask(double *mask, int n, double q, uint64_t seed);
void dropout_forward(double *out, const double *in, const double *mask, int n);
void dropout_backward(double *din, const double *dout, const double *mask, int n);
#endif
