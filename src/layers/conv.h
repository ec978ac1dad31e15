#ifndef WORKBOOK_CONV_H
#define WORKBOOK_CONV_H
// The convolution layer as CNN libraries compute it: a cross-correlation
// (no kernel flip), with stride s, zero padding (ph, pw) and dilation d.
//
//   out[o,i,j] = b[o] + Σ_c Σ_m Σ_n in[c, i·s + m·d − ph, j·s + n·d − pw] · w[o,c,m,n]
//
// in is (C,H,W), w is (OC,C,KH,KW), b is (OC), out is (OC,HO,WO), with
//   HO = ⌊(H + 2ph − d(KH−1) − 1)/s⌋ + 1   (and likewise WO).
// Reads outside the input are zero (the padding). Buffers are the caller's;
// backward accumulates with +=, so zero the gradients first.

#include <stdbool.h>

#include "gradcheck.h"

typedef struct {
    int in_c, in_h, in_w;
    int out_c, kh, kw;
    int stride, pad_h, pad_w, dilation;
    int out_h, out_w;
} ConvShape;

// Fills s and returns true when the dilated kernel fits the padded input and
// every size is positive (padding non-negative); returns false otherwise.
bool conv_shape_init(ConvShape *s, int in_c, int in_h, int in_w, int out_c, int kh, int kw, int stride,
                     int pad_h, int pad_w, int dilation);

void conv_forward(double *out, const double *in, const double *w, const double *b, const ConvShape *s);

// dw += ∂L/∂w alone: ∂L/∂w[o,c,m,n] = Σ_i Σ_j dout[o,i,j]·in[c, i·s + m·d − ph, j·s + n·d − pw],
// a cross-correlation of the padded input with dout in which stride and
// dilation trade places.
void conv_kernel_grad(double *dw, const double *dout, const double *in, const ConvShape *s);

// din += ∂L/∂in, dw += ∂L/∂w, db += ∂L/∂b for dout = ∂L/∂out (the scatter
// form: every output gradient flows back along the products that made it).
// din NULL: ∂L/∂in is not wanted (a first layer in training) and not made.
void conv_backward(double *din, double *dw, double *db, const double *dout, const double *in,
                   const double *w, const ConvShape *s);

// ---------------------------------------------------------------- ∂L/∂X three ways
// The same gradient in three textbook forms; each accumulates din += ∂L/∂in
// over every input and output channel. din is (C,H,W), dout (OC,HO,WO).

// The three forms agree to a few hundred ulps of the largest sum of
// magnitudes Σ|w|·max|dout| (each entry sums at most kh·kw·C_out products
// in another order): far below this.
#define CONV_FORMS_REL_TOL 1e-12

// 1. Scatter: each output gradient flows back along the products that made it,
//      din[c, i·s + m·d − ph, j·s + n·d − pw] += w[o,c,m,n] · dout[o,i,j].
void conv_input_grad_scatter(double *din, const double *dout, const double *w, const ConvShape *s);

// 2. Full convolution (gather): spread dout by s (s−1 zeros between entries),
//    zero-pad it by d(kh−1), d(kw−1), cross-correlate with rot180(w) whose
//    taps are d apart, and crop the input padding off:
//      din[c,a,b] += Σ_o Σ_m Σ_n S_o[a + ph + m·d − d(kh−1), b + pw + n·d − d(kw−1)]
//                                · w[o, c, kh−1−m, kw−1−n]
//    with S_o[p,q] = dout[o, p/s, q/s] when s divides p and q, else 0. It is
//    the transposed convolution (PyTorch's conv_transpose2d). Rows of the
//    padded input that no window reached get 0.
void conv_input_grad_full(double *din, const double *dout, const double *w, const ConvShape *s);

// 3. Matrix: the layer is linear in the input, Y = C·vec(in) + b, with C of
//    conv_matrix_rows(s) × conv_matrix_cols(s) entries (caller-allocated):
//      C[(o,i,j), (c, i·s + m·d − ph, j·s + n·d − pw)] = w[o,c,m,n].
//    Then din += reshape(Cᵀ·vec(dout)).
long conv_matrix_rows(const ConvShape *s); // OC·HO·WO
long conv_matrix_cols(const ConvShape *s); // C·H·W
void conv_matrix(double *cm, const double *w, const ConvShape *s);
void conv_input_grad_matrix(double *din, const double *dout, const double *cm, const ConvShape *s);

// ---------------------------------------------------------------- the checked loss
// A layer is checked through L = Σ G∘Y for a fixed upstream gradient G: its
// gradient is what conv_backward returns for dout = G. conv_loss_region sums
// G∘Y over a box of outputs without storing Y, and *scale receives
// Σ|G|·(|b| + Σ|in·w|) over it: the magnitudes summed, which set L's rounding.
typedef struct {
    int o0, o1, i0, i1, j0, j1; // output channels [o0,o1), rows [i0,i1), columns [j0,j1)
} ConvRegion;

ConvRegion conv_region_all(const ConvShape *s);
double conv_loss_region(double *scale, const double *g, const double *in, const double *w, const double *b,
                        const ConvShape *s, ConvRegion r);

typedef enum { CONV_BLOCK_INPUT, CONV_BLOCK_KERNEL, CONV_BLOCK_BIAS } ConvBlock;

// The Objective (gradcheck.h) of L = Σ G∘Y for one block of parameters. The
// checker perturbs the block's entries in place through its own pointer;
// entry k of the block it is handed is entry offset + k of the whole block
// (so a chapter can check a block in pieces). L is a sum of products
// G·in·w and G·b; local sums only the products that hold the entry, so an
// input entry costs O(C_out·kh·kw) instead of O(Y), and cancels less.
typedef struct {
    const ConvShape *s;
    const double *in, *w, *b, *g;
    ConvBlock block;
    int offset;
} ConvObjective;

Objective conv_objective(ConvObjective *ctx);

// ---------------------------------------------------------------- the textbook convolution

typedef enum { CONV_VALID, CONV_FULL } ConvMode;

// True convolution of one channel, straight from the textbook definition
// (the kernel index runs backwards, no rot180 buffer):
//   full:  out[i,j] = Σ_m Σ_n x[i−m, j−n] · k[m,n],  out is (H+KH−1, W+KW−1)
//   valid: the part of full where the kernel lies inside x, (H−KH+1, W−KW+1)
// x is (H,W), k is (KH,KW); the caller checks that k fits for valid.
void convolve2d(double *out, const double *x, const double *k, int h, int w, int kh, int kw, ConvMode mode);

#endif
