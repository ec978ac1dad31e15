#include "pool.h"

bool pool_shape_init(PoolShape *s, int c, int h, int w, int kh, int kw, int stride) {
    if (c < 1 || h < 1 || w < 1 || kh < 1 || kw < 1 || stride < 1 || kh > h || kw > w) return false;
    *s = (PoolShape){c, h, w, kh, kw, stride, (h - kh) / stride + 1, (w - kw) / stride + 1};
    return true;
}

void maxpool_forward(double *out, int *argmax, const double *in, const PoolShape *s) {
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                int best = (c * s->h + i * s->stride) * s->w + j * s->stride;
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++) {
                        int at = (c * s->h + i * s->stride + m) * s->w + j * s->stride + n;
                        if (in[at] > in[best]) best = at; // strict: the first maximum wins ties
                    }
                int k = (c * s->out_h + i) * s->out_w + j;
                out[k] = in[best];
                argmax[k] = best;
            }
}

void maxpool_backward(double *din, const double *dout, const int *argmax, const PoolShape *s) {
    int n = s->c * s->out_h * s->out_w;
    for (int k = 0; k < n; k++) din[argmax[k]] += dout[k];
}

void avgpool_forward(double *out, const double *in, const PoolShape *s) {
    double area = (double)s->kh * s->kw;
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double sum = 0.0;
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++) sum += in[(c * s->h + i * s->stride + m) * s->w + j * s->stride + n];
                out[(c * s->out_h + i) * s->out_w + j] = sum / area;
            }
}

void avgpool_backward(double *din, const double *dout, const PoolShape *s) {
    double area = (double)s->kh * s->kw;
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double share = dout[(c * s->out_h + i) * s->out_w + j] / area;
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++) din[(c * s->h + i * s->stride + m) * s->w + j * s->stride + n] += share;
            }
}
