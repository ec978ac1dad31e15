#ifndef WORKBOOK_SHEET_DISCRIMINATE_H
#define WORKBOOK_SHEET_DISCRIMINATE_H
// Does a drawn problem tell the right answer from each classic mistake? A
// problem whose numbers make a chapter's --bug give the right answer too
// (∂L/∂b when ∂L/∂Y's first row sums to its total, ∂L/∂X when K's rotation
// changes nothing, overlapping pools where no cell wins two windows) cannot
// catch that mistake, so the generators draw again. Each function computes
// the mistakes as the chapter's --bug does and returns true when every one
// of them changes at least one asked entry.

#include <stdbool.h>

#include "conv.h"
#include "pool.h"
#include "tensor.h"

// Chapter 1: the cross-correlation and the convolution differ (an answer
// with the two swapped is caught).
bool outputs_discriminate(const Tensor *xcorr, const Tensor *conv);

// Chapter 3, z = 0 (ŷ = 1/2), n outputs, m inputs: no-sigmoid-derivative
// and no-mean change dz, W-not-transposed dx, outer-product-swapped dW.
bool dense_discriminates(const Tensor *x, const Tensor *W, const Tensor *y, const Tensor *dz, const Tensor *dW,
                         const Tensor *dx);

// Chapter 4: overwrite (=, not +=; only with overlapping windows), all-cells
// and average change dX.
bool maxpool_discriminates(const Tensor *g, const int *argmax, const PoolShape *s, const Tensor *dx);

// Chapter 5 (one channel): no-rot180, valid-not-full and (stride > 1)
// no-dilate change dX, kernel-conv dK, bias-one-axis db; and no answer is
// all zeros (the slip "sign" would give it too).
bool conv_discriminates(const Tensor *x, const Tensor *k, const Tensor *g, const ConvShape *s, const Tensor *dx,
                        const Tensor *dk, double db);

#endif
