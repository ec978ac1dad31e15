#ifndef WORKBOOK_POOL_H
#define WORKBOOK_POOL_H
// Max pooling with a KH×KW window and stride s, no padding.
//   out[c,i,j] = max_{m<KH, n<KW} in[c, i·s + m, j·s + n]
// in is (C,H,W), out and argmax are (C,HO,WO), HO = ⌊(H − KH)/s⌋ + 1.
// Forward keeps, per output, the flat index into in of the window's first
// maximum in row-major order (PyTorch's tie rule) for backward to use.
// Buffers are the caller's; backward accumulates with +=.

#include <stdbool.h>

typedef struct {
    int c, h, w, kh, kw, stride;
    int out_h, out_w;
} PoolShape;

// Returns false when the window does not fit or a size is below 1.
bool pool_shape_init(PoolShape *s, int c, int h, int w, int kh, int kw, int stride);

void maxpool_forward(double *out, int *argmax, const double *in, const PoolShape *s);

// din[argmax[k]] += dout[k]. When windows overlap (s < K) one cell can be the
// maximum of several windows; it then receives the sum of their gradients.
void maxpool_backward(double *din, const double *dout, const int *argmax, const PoolShape *s);

// Average pooling with the same windows: out[c,i,j] = mean of the window.
void avgpool_forward(double *out, const double *in, const PoolShape *s);
// din[cell] += dout[k] / (KH·KW) for every cell of window k: each cell
// moves the mean by 1/(KH·KW) of its own change.
void avgpool_backward(double *din, const double *dout, const PoolShape *s);

#endif
