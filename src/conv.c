#include "conv.h"

bool conv_shape_init(ConvShape *s, int in_c, int in_h, int in_w, int out_c, int kh, int kw, int stride,
                     int pad_h, int pad_w, int dilation) {
    if (in_c < 1 || in_h < 1 || in_w < 1 || out_c < 1 || kh < 1 || kw < 1 || stride < 1 || dilation < 1 ||
        pad_h < 0 || pad_w < 0)
        return false;
    long span_h = (long)dilation * (kh - 1) + 1, span_w = (long)dilation * (kw - 1) + 1;
    long room_h = (long)in_h + 2L * pad_h, room_w = (long)in_w + 2L * pad_w;
    if (span_h > room_h || span_w > room_w) return false;
    *s = (ConvShape){in_c, in_h, in_w, out_c, kh, kw, stride, pad_h, pad_w, dilation,
                     (int)((room_h - span_h) / stride + 1), (int)((room_w - span_w) / stride + 1)};
    return true;
}

void conv_forward(double *out, const double *in, const double *w, const double *b, const ConvShape *s) {
    for (int o = 0; o < s->out_c; o++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double sum = b[o];
                for (int c = 0; c < s->in_c; c++) {
                    const double *plane = in + (long)c * s->in_h * s->in_w;
                    const double *kern = w + ((long)o * s->in_c + c) * s->kh * s->kw;
                    for (int m = 0; m < s->kh; m++) {
                        int y = i * s->stride + m * s->dilation - s->pad_h;
                        if (y < 0 || y >= s->in_h) continue;
                        for (int n = 0; n < s->kw; n++) {
                            int x = j * s->stride + n * s->dilation - s->pad_w;
                            if (x < 0 || x >= s->in_w) continue;
                            sum += plane[y * s->in_w + x] * kern[m * s->kw + n];
                        }
                    }
                }
                out[((long)o * s->out_h + i) * s->out_w + j] = sum;
            }
}

void conv_backward(double *din, double *dw, double *db, const double *dout, const double *in,
                   const double *w, const ConvShape *s) {
    for (int o = 0; o < s->out_c; o++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double g = dout[((long)o * s->out_h + i) * s->out_w + j];
                db[o] += g;
                for (int c = 0; c < s->in_c; c++) {
                    long plane = (long)c * s->in_h * s->in_w;
                    long kern = ((long)o * s->in_c + c) * s->kh * s->kw;
                    for (int m = 0; m < s->kh; m++) {
                        int y = i * s->stride + m * s->dilation - s->pad_h;
                        if (y < 0 || y >= s->in_h) continue;
                        for (int n = 0; n < s->kw; n++) {
                            int x = j * s->stride + n * s->dilation - s->pad_w;
                            if (x < 0 || x >= s->in_w) continue;
                            dw[kern + m * s->kw + n] += g * in[plane + y * s->in_w + x];
                            din[plane + y * s->in_w + x] += g * w[kern + m * s->kw + n];
                        }
                    }
                }
            }
}

void convolve2d(double *out, const double *x, const double *k, int h, int w, int kh, int kw, ConvMode mode) {
    // Output (oi, oj) is full-mode position (oi + off_h, oj + off_w).
    int off_h = mode == CONV_VALID ? kh - 1 : 0, off_w = mode == CONV_VALID ? kw - 1 : 0;
    int oh = mode == CONV_VALID ? h - kh + 1 : h + kh - 1, ow = mode == CONV_VALID ? w - kw + 1 : w + kw - 1;
    for (int oi = 0; oi < oh; oi++)
        for (int oj = 0; oj < ow; oj++) {
            int i = oi + off_h, j = oj + off_w;
            double sum = 0.0;
            for (int m = 0; m < kh; m++)
                for (int n = 0; n < kw; n++) {
                    int y = i - m, xx = j - n;
                    if (y >= 0 && y < h && xx >= 0 && xx < w) sum += x[y * w + xx] * k[m * kw + n];
                }
            out[oi * ow + oj] = sum;
        }
}
