#ifndef WORKBOOK_RELU_H
#define WORKBOOK_RELU_H
// The rectified linear unit, entry by entry.
//   out[k] = max(0, in[k])                 in and out hold n entries
//   din[k] += dout[k] · [in[k] > 0]        the mask is read from the input
// At in[k] = 0 the function has a kink (left slope 0, right slope 1); the
// convention here, as in PyTorch, is slope 0 there. Buffers are the
// caller's; backward accumulates with +=.
void relu_forward(double *out, const double *in, int n);
void relu_backward(double *din, const double *dout, const double *in, int n);
#endif
