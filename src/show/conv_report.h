#ifndef WORKBOOK_CONV_REPORT_H
#define WORKBOOK_CONV_REPORT_H
// Showing a convolution layer in a report (chapter 5): the output-size
// arithmetic, one kernel-gradient entry written out, the three forms of
// ∂L/∂X side by side, and matrices as gnuplot data. Nothing here computes a
// gradient of its own: the forms are src/layers/conv.c's.

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

// Computes ∂L/∂X by the three forms of src/layers/conv.h (the matrix form only when
// C has at most CONV_MATRIX_MAX_ENTRIES entries), prints them when print,
// and records the identity check "scatter = full convolution = Cᵀ·vec(∂L/∂Y)"
// with differences relative to Σ|K|·max|∂L/∂Y|. Returns the verdict.
Verdict conv_report_three_forms(Report *r, const Tensor *k, const Tensor *g, const ConvShape *s, bool print);

// The loss after a step to kernel k and bias b; *scale receives the
// magnitude its rounding is relative to.
typedef double (*StepLossFn)(void *ctx, const double *k, const double *b, double *scale);

// One step K ← K − η·∂L/∂K, b ← b − η·∂L/∂b as a demonstration (never a
// verdict): reports learning_rate, kernel_after_step, bias_after_step,
// loss_before and loss_after, and the change beside the first-order
// prediction −η‖g‖². When L did not fall, η is halved (up to
// CONV_DESCENT_HALVINGS times) until it does, the gradient is exactly 0, or
// the predicted change is below L's rounding; each try is shown.
#define CONV_DESCENT_HALVINGS 60
void conv_report_descent(Report *r, StepLossFn loss, void *ctx, const Tensor *k, const Tensor *b, const Tensor *dk,
                         const Tensor *db, double lr);

// Writes channel 0 of t to DIR/name, one row per line (--plot).
void conv_report_plot_matrix(const char *dir, const char *name, const Tensor *t);

#endif
