#ifndef WORKBOOK_CONV_REPORT_H
#define WORKBOOK_CONV_REPORT_H
// Showing a convolution layer in a report (chapter 5): the output-size
// arithmetic, one kernel-gradient entry written out, the three forms of
// ∂L/∂X side by side, and matrices as gnuplot data. Nothing here computes a
// gradient of its own: the forms are src/conv.c's.

#include <stdbool.h>

#include "conv.h"
#include "report.h"
#include "tensor.h"

// C is built up to this many doubles (32 MB) and printed up to this many
// columns (an 80-column line).
#define CONV_MATRIX_MAX_ENTRIES 4000000L
#define CONV_MATRIX_PRINT_COLS 12

// "H_out = ⌊(H + 2p − d(kh−1) − 1)/s⌋ + 1" with the layer's numbers.
void conv_report_output_size(Report *r, const ConvShape *s);

// "∂L/∂K[0,0] = Σ ∂L/∂Y[i,j]·X[i·s, j·s] = g·x + … = value" for channel 0,
// wrapped to fit 80 columns, at most 8 terms written.
void conv_report_kernel_entry(Report *r, const Tensor *x, const Tensor *g, const ConvShape *s, double value);

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
void conv_report_steps(Report *r, const char *key_prefix, const ConvSteps *st, const ConvShape *s);

// Computes ∂L/∂X by the three forms of src/conv.h (the matrix form only when
// C has at most CONV_MATRIX_MAX_ENTRIES entries), prints them when print,
// and records the identity check "scatter = full convolution = Cᵀ·vec(∂L/∂Y)"
// with differences relative to Σ|K|·max|∂L/∂Y|. Returns the verdict.
Verdict conv_report_three_forms(Report *r, const Tensor *k, const Tensor *g, const ConvShape *s, bool print);

// Writes channel 0 of t to DIR/name, one row per line (--plot).
void conv_report_plot_matrix(const char *dir, const char *name, const Tensor *t);

#endif
