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

// din += ∂L/∂in, dw += ∂L/∂w, db += ∂L/∂b for dout = ∂L/∂out (the scatter
// form: every output gradient flows back along the products that made it).
void conv_backward(double *din, double *dw, double *db, const double *dout, const double *in,
                   const double *w, const ConvShape *s);

typedef enum { CONV_VALID, CONV_FULL } ConvMode;

// True convolution of one channel, straight from the textbook definition
// (the kernel index runs backwards, no rot180 buffer):
//   full:  out[i,j] = Σ_m Σ_n x[i−m, j−n] · k[m,n],  out is (H+KH−1, W+KW−1)
//   valid: the part of full where the kernel lies inside x, (H−KH+1, W−KW+1)
// x is (H,W), k is (KH,KW); the caller checks that k fits for valid.
void convolve2d(double *out, const double *x, const double *k, int h, int w, int kh, int kw, ConvMode mode);

#endif
