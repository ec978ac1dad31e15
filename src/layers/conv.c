#include "conv.h"

#include <math.h>
#include <stdlib.h>

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

// The same sums visiting only the non-zero entries of dout (behind a max
// pool, three in four are zero), in the same order: a skipped term is
// 0·x = ±0, and a sum that starts at +0 never becomes −0, so skipping one
// changes no bit as long as every x is finite. nz holds out_h·out_w terms.
typedef struct {
    int y0, x0; // the input position the output's window starts at
    double g;   // its upstream gradient
} LiveTerm;

static void kernel_grad_sparse(double *dw, const double *dout, const double *in, const ConvShape *s, LiveTerm *nz) {
    for (int o = 0; o < s->out_c; o++) {
        const double *g = dout + (long)o * s->out_h * s->out_w;
        int count = 0;
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++)
                if (g[i * s->out_w + j] != 0.0)
                    nz[count++] = (LiveTerm){i * s->stride - s->pad_h, j * s->stride - s->pad_w, g[i * s->out_w + j]};
        for (int c = 0; c < s->in_c; c++) {
            const double *plane = in + (long)c * s->in_h * s->in_w;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    double sum = 0.0;
                    for (int t = 0; t < count; t++) {
                        int y = nz[t].y0 + m * s->dilation, x = nz[t].x0 + n * s->dilation;
                        if (y >= 0 && y < s->in_h && x >= 0 && x < s->in_w) sum += nz[t].g * plane[(long)y * s->in_w + x];
                    }
                    dw[(((long)o * s->in_c + c) * s->kh + m) * s->kw + n] += sum;
                }
        }
    }
}

static bool all_finite(const double *v, long n);

void conv_kernel_grad(double *dw, const double *dout, const double *in, const ConvShape *s) {
    LiveTerm *nz = all_finite(in, (long)s->in_c * s->in_h * s->in_w)
                       ? malloc(sizeof *nz * (size_t)s->out_h * s->out_w)
                       : NULL;
    if (nz) {
        kernel_grad_sparse(dw, dout, in, s, nz);
        free(nz);
        return;
    }
    for (int o = 0; o < s->out_c; o++)
        for (int c = 0; c < s->in_c; c++)
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    double sum = 0.0;
                    for (int i = 0; i < s->out_h; i++) {
                        int y = i * s->stride + m * s->dilation - s->pad_h;
                        if (y < 0 || y >= s->in_h) continue;
                        const double *g = dout + ((long)o * s->out_h + i) * s->out_w;
                        const double *row = in + ((long)c * s->in_h + y) * s->in_w;
                        for (int j = 0; j < s->out_w; j++) {
                            int x = j * s->stride + n * s->dilation - s->pad_w;
                            if (x >= 0 && x < s->in_w) sum += g[j] * row[x];
                        }
                    }
                    dw[(((long)o * s->in_c + c) * s->kh + m) * s->kw + n] += sum;
                }
}

// db gathers, dw by conv_kernel_grad, din scatters (conv_input_grad_scatter).
void conv_backward(double *din, double *dw, double *db, const double *dout, const double *in,
                   const double *w, const ConvShape *s) {
    for (int o = 0; o < s->out_c; o++)
        for (long q = 0; q < (long)s->out_h * s->out_w; q++) db[o] += dout[(long)o * s->out_h * s->out_w + q];
    conv_kernel_grad(dw, dout, in, s);
    if (din) conv_input_grad_scatter(din, dout, w, s);
}

// A zero upstream entry (most of them, behind a max pool) adds only zeros,
// and is skipped when that changes no bit: every weight finite (0·∞ would
// be NaN) and no entry of din −0 (−0 + 0 is +0). Sums that start at +0 never
// become −0, and x + ±0 = x for every other x.
static bool all_finite(const double *v, long n) {
    for (long k = 0; k < n; k++)
        if (!isfinite(v[k])) return false;
    return true;
}

static bool no_negative_zero(const double *v, long n) {
    for (long k = 0; k < n; k++)
        if (v[k] == 0.0 && signbit(v[k])) return false;
    return true;
}

void conv_input_grad_scatter(double *din, const double *dout, const double *w, const ConvShape *s) {
    bool skip_zeros = all_finite(w, (long)s->out_c * s->in_c * s->kh * s->kw) &&
                      no_negative_zero(din, (long)s->in_c * s->in_h * s->in_w);
    for (int o = 0; o < s->out_c; o++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double g = dout[((long)o * s->out_h + i) * s->out_w + j];
                if (g == 0.0 && skip_zeros) continue;
                for (int c = 0; c < s->in_c; c++) {
                    long plane = (long)c * s->in_h * s->in_w;
                    long kern = ((long)o * s->in_c + c) * s->kh * s->kw;
                    for (int m = 0; m < s->kh; m++) {
                        int y = i * s->stride + m * s->dilation - s->pad_h;
                        if (y < 0 || y >= s->in_h) continue;
                        for (int n = 0; n < s->kw; n++) {
                            int x = j * s->stride + n * s->dilation - s->pad_w;
                            if (x < 0 || x >= s->in_w) continue;
                            din[plane + y * s->in_w + x] += g * w[kern + m * s->kw + n];
                        }
                    }
                }
            }
}

// The entry of the spread upstream gradient S at (p, q), 0 in the inserted
// zeros and outside.
static double spread_at(const double *dout_o, const ConvShape *s, long p, long q) {
    if (p < 0 || q < 0 || p % s->stride || q % s->stride) return 0.0;
    p /= s->stride;
    q /= s->stride;
    return p < s->out_h && q < s->out_w ? dout_o[p * s->out_w + q] : 0.0;
}

// The taps m in [*lo, *hi) whose position base + m·dilation falls inside
// the spread gradient's rows 0..extent-1: outside it every term is 0, so
// skipping them changes no bit of the sum (the order of the rest is kept)
// and a 999x999 kernel over a 2x2 output costs 4 taps, not 998,001.
static void taps_inside(int *lo, int *hi, long base, int taps, int dilation, long extent) {
    long first = base >= 0 ? 0 : (-base + dilation - 1) / dilation;
    long last = base >= extent ? -1 : (extent - 1 - base) / dilation;
    *lo = (int)(first < taps ? first : taps);
    *hi = (int)(last + 1 < *lo ? *lo : last + 1 > taps ? taps : last + 1);
}

void conv_input_grad_full(double *din, const double *dout, const double *w, const ConvShape *s) {
    const long fh = (long)s->dilation * (s->kh - 1), fw = (long)s->dilation * (s->kw - 1);
    const long spread_h = (long)(s->out_h - 1) * s->stride + 1, spread_w = (long)(s->out_w - 1) * s->stride + 1;
    for (int c = 0; c < s->in_c; c++)
        for (int a = 0; a < s->in_h; a++)
            for (int b = 0; b < s->in_w; b++) {
                double sum = 0.0;
                int m0, m1, n0, n1;
                taps_inside(&m0, &m1, a + s->pad_h - fh, s->kh, s->dilation, spread_h);
                taps_inside(&n0, &n1, b + s->pad_w - fw, s->kw, s->dilation, spread_w);
                for (int o = 0; o < s->out_c; o++) {
                    const double *dout_o = dout + (long)o * s->out_h * s->out_w;
                    const double *kern = w + ((long)o * s->in_c + c) * s->kh * s->kw;
                    for (int m = m0; m < m1; m++)
                        for (int n = n0; n < n1; n++) {
                            long p = a + s->pad_h + (long)m * s->dilation - fh;
                            long q = b + s->pad_w + (long)n * s->dilation - fw;
                            double u = spread_at(dout_o, s, p, q);
                            if (u != 0.0) sum += u * kern[(s->kh - 1 - m) * s->kw + (s->kw - 1 - n)];
                        }
                }
                din[((long)c * s->in_h + a) * s->in_w + b] += sum;
            }
}

long conv_matrix_rows(const ConvShape *s) { return (long)s->out_c * s->out_h * s->out_w; }
long conv_matrix_cols(const ConvShape *s) { return (long)s->in_c * s->in_h * s->in_w; }

void conv_matrix(double *cm, const double *w, const ConvShape *s) {
    long cols = conv_matrix_cols(s);
    for (long q = 0; q < conv_matrix_rows(s) * cols; q++) cm[q] = 0.0;
    for (int o = 0; o < s->out_c; o++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++) {
                double *row = cm + (((long)o * s->out_h + i) * s->out_w + j) * cols;
                for (int c = 0; c < s->in_c; c++)
                    for (int m = 0; m < s->kh; m++) {
                        int y = i * s->stride + m * s->dilation - s->pad_h;
                        if (y < 0 || y >= s->in_h) continue;
                        for (int n = 0; n < s->kw; n++) {
                            int x = j * s->stride + n * s->dilation - s->pad_w;
                            if (x < 0 || x >= s->in_w) continue;
                            row[((long)c * s->in_h + y) * s->in_w + x] += w[(((long)o * s->in_c + c) * s->kh + m) * s->kw + n];
                        }
                    }
            }
}

void conv_input_grad_matrix(double *din, const double *dout, const double *cm, const ConvShape *s) {
    long rows = conv_matrix_rows(s), cols = conv_matrix_cols(s);
    for (long q = 0; q < cols; q++) {
        double sum = 0.0;
        for (long r = 0; r < rows; r++) sum += cm[r * cols + q] * dout[r];
        din[q] += sum;
    }
}

// ---------------------------------------------------------------- the checked loss

ConvRegion conv_region_all(const ConvShape *s) { return (ConvRegion){0, s->out_c, 0, s->out_h, 0, s->out_w}; }

double conv_loss_region(double *scale, const double *g, const double *in, const double *w, const double *b,
                        const ConvShape *s, ConvRegion r) {
    double loss = 0.0, mag = 0.0;
    // Each output sums up to in_c·kh·kw products and b; L sums the region's
    // outputs: both sums round in proportion to √(their length).
    double inner = gradcheck_sum_rounding((double)s->in_c * s->kh * s->kw + 1.0);
    double outer = gradcheck_sum_rounding((double)(r.o1 - r.o0) * (r.i1 - r.i0) * (r.j1 - r.j0));
    for (int o = r.o0; o < r.o1; o++)
        for (int i = r.i0; i < r.i1; i++)
            for (int j = r.j0; j < r.j1; j++) {
                double y = b[o], ay = fabs(b[o]);
                for (int c = 0; c < s->in_c; c++) {
                    const double *plane = in + (long)c * s->in_h * s->in_w;
                    const double *kern = w + ((long)o * s->in_c + c) * s->kh * s->kw;
                    for (int m = 0; m < s->kh; m++) {
                        int yy = i * s->stride + m * s->dilation - s->pad_h;
                        if (yy < 0 || yy >= s->in_h) continue;
                        for (int n = 0; n < s->kw; n++) {
                            int xx = j * s->stride + n * s->dilation - s->pad_w;
                            if (xx < 0 || xx >= s->in_w) continue;
                            double t = plane[(long)yy * s->in_w + xx] * kern[m * s->kw + n];
                            y += t;
                            ay += fabs(t);
                        }
                    }
                }
                double gv = g[((long)o * s->out_h + i) * s->out_w + j];
                loss += gv * y;
                mag += fabs(gv) * ay;
            }
    *scale = mag * inner * outer;
    return loss;
}

static double objective_whole(void *ctx, double *scale) {
    const ConvObjective *p = ctx;
    return conv_loss_region(scale, p->g, p->in, p->w, p->b, p->s, conv_region_all(p->s));
}

// The terms G[o,i,j]·in[c,y,x]·w[o,c,m,n] of L that hold input pixel
// (c, y, x): for each tap (m, n), the output that reads it there, if any.
static double input_terms(double *scale, const ConvObjective *p, long e) {
    const ConvShape *s = p->s;
    int c = (int)(e / ((long)s->in_h * s->in_w)), y = (int)(e / s->in_w % s->in_h), x = (int)(e % s->in_w);
    double sum = 0.0, mag = 0.0, v = p->in[e];
    for (int o = 0; o < s->out_c; o++)
        for (int m = 0; m < s->kh; m++) {
            long ti = (long)y + s->pad_h - (long)m * s->dilation;
            if (ti < 0 || ti % s->stride || ti / s->stride >= s->out_h) continue;
            for (int n = 0; n < s->kw; n++) {
                long tj = (long)x + s->pad_w - (long)n * s->dilation;
                if (tj < 0 || tj % s->stride || tj / s->stride >= s->out_w) continue;
                double t = p->g[((long)o * s->out_h + ti / s->stride) * s->out_w + tj / s->stride] * v *
                           p->w[(((long)o * s->in_c + c) * s->kh + m) * s->kw + n];
                sum += t;
                mag += fabs(t);
            }
        }
    *scale = mag * gradcheck_sum_rounding((double)s->out_c * s->kh * s->kw);
    return sum;
}

// The terms G[o,i,j]·in[c, i·s + m·d − ph, j·s + n·d − pw]·w[o,c,m,n] over (i,j).
static double kernel_terms(double *scale, const ConvObjective *p, long e) {
    const ConvShape *s = p->s;
    int n = (int)(e % s->kw), m = (int)(e / s->kw % s->kh), c = (int)(e / ((long)s->kh * s->kw) % s->in_c);
    int o = (int)(e / ((long)s->kh * s->kw * s->in_c));
    double sum = 0.0, mag = 0.0, v = p->w[e];
    for (int i = 0; i < s->out_h; i++) {
        int y = i * s->stride + m * s->dilation - s->pad_h;
        if (y < 0 || y >= s->in_h) continue;
        const double *g = p->g + ((long)o * s->out_h + i) * s->out_w, *row = p->in + ((long)c * s->in_h + y) * s->in_w;
        for (int j = 0; j < s->out_w; j++) {
            int x = j * s->stride + n * s->dilation - s->pad_w;
            if (x < 0 || x >= s->in_w) continue;
            double t = g[j] * row[x] * v;
            sum += t;
            mag += fabs(t);
        }
    }
    *scale = mag * gradcheck_sum_rounding((double)s->out_h * s->out_w);
    return sum;
}

// The terms G[o,i,j]·b[o] over (i,j).
static double bias_terms(double *scale, const ConvObjective *p, long o) {
    const ConvShape *s = p->s;
    double sum = 0.0, mag = 0.0;
    for (long q = 0; q < (long)s->out_h * s->out_w; q++) {
        double t = p->g[o * s->out_h * s->out_w + q] * p->b[o];
        sum += t;
        mag += fabs(t);
    }
    *scale = mag * gradcheck_sum_rounding((double)s->out_h * s->out_w);
    return sum;
}

// The terms of L that entry offset + k of the block can change: those that
// hold it as a factor (L is a sum of products, one factor from each block).
static double objective_local(void *ctx, int k, double *scale) {
    const ConvObjective *p = ctx;
    long e = (long)p->offset + k;
    switch (p->block) {
    case CONV_BLOCK_INPUT: return input_terms(scale, p, e);
    case CONV_BLOCK_KERNEL: return kernel_terms(scale, p, e);
    case CONV_BLOCK_BIAS: return bias_terms(scale, p, e);
    }
    return 0.0;
}

Objective conv_objective(ConvObjective *ctx) { return (Objective){objective_whole, objective_local, ctx}; }

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
