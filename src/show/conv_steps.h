#ifndef WORKBOOK_CONV_STEPS_H
#define WORKBOOK_CONV_STEPS_H
// The full-convolution form of ∂L/∂X step by step, as tensors a reader can
// look at (chapter 5), for one (output, input) channel pair:
//   1. spread ∂L/∂Y: s−1 zeros between its entries (stride s)
//   2. zero-pad it by d(kh−1), d(kw−1)
//   3. cross-correlate with rot180(K), its taps d apart (dilation d)
//   4. place the result in the padded input's gradient (the leftover rows
//      and columns no window reached stay zero); cropping p gives ∂L/∂X.
// conv_input_grad_full (src/layers/conv.h) computes the same without the tensors.
// Each function allocates what it returns; conv_steps_free frees a ConvSteps.

#include <stdbool.h>

#include "conv.h"
#include "report.h"
#include "tensor.h"

Tensor conv_steps_spread(const Tensor *dy, int stride); // (s(h−1)+1) × (s(w−1)+1)
Tensor conv_steps_pad(const Tensor *t, int ph, int pw); // (h+2ph) × (w+2pw), zeros around
Tensor conv_steps_rot180(const Tensor *k);

// The steps of the full-convolution form of ∂L/∂X for one (output, input)
// channel pair, as a chapter computed them (it owns the tensors):
//   spread       ∂L/∂Y with s−1 zeros between entries (spread_done), or as is
//   padded       spread zero-padded by d(kh−1), d(kw−1) (padded_done), or as is
//   rot          rot180(K) (rotated), or K
//   result       padded ⋆ rot with taps d apart; data NULL when rot does not fit
//   grad_padded  the padded input's gradient, (H+2p) × (W+2p)
typedef struct {
    Tensor spread, padded, rot, result, grad_padded;
    bool spread_done, padded_done, rotated;
} ConvSteps;

// Shows the steps with what each one does; reports the tensors under
// key_prefix + "upstream_dilated", "upstream_padded", "kernel_rot180",
// "full_convolution", "dX_padded" when key_prefix is non-NULL.
void conv_steps_report(Report *r, const char *key_prefix, const ConvSteps *st, const ConvShape *s);

// Step 3 and 4 from st->padded and st->rot: fills st->result (when rot fits
// padded) and st->grad_padded. padded[0,0] is placed at padded-input
// position d(kh−1) − (padded.h − spread.h)/2 (0 when padded as in step 2).
void conv_steps_finish(ConvSteps *st, const ConvShape *s);
void conv_steps_free(ConvSteps *st);

#endif
