// Classic mistakes, written as a student would write them, one chosen with
// -DSTUDENT_MISTAKE_<NAME> (the mistake's name in capitals, '-' as '_'). `make
// labs-selftest` builds each lab's harness with each of these: every one
// must fail, and the harness must name it. Without a STUDENT_MISTAKE_ macro for a
// lab, that lab's function is right (loops, no library).
#include <math.h>

#include "lab.h"

// ------------------------------------------------------------ lab 2

void lab_bce_backward(double *dz, const double *y, const double *z, int n) {
    for (int i = 0; i < n; i++) {
        double yhat = 1.0 / (1.0 + exp(-z[i]));
#if defined(STUDENT_MISTAKE_SIGN)
        dz[i] += (y[i] - yhat) / n;
#elif defined(STUDENT_MISTAKE_NO_MEAN)
        dz[i] += yhat - y[i];
#elif defined(STUDENT_MISTAKE_SKIP_SIGMOID)
        dz[i] += -(y[i] / yhat - (1.0 - y[i]) / (1.0 - yhat)) / n;
#else
        dz[i] += (yhat - y[i]) / n;
#endif
    }
}

// ------------------------------------------------------------ lab 3

void lab_dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                        int n, int m) {
    for (int i = 0; i < n; i++) {
        db[i] += dz[i];
        for (int j = 0; j < m; j++) {
#if defined(STUDENT_MISTAKE_OUTER_PRODUCT_SWAPPED)
            dW[j * n + i] += dz[i] * x[j]; // x dzᵀ, laid out as if it were n×m
#else
            dW[i * m + j] += dz[i] * x[j];
#endif
#if defined(STUDENT_MISTAKE_W_NOT_TRANSPOSED)
            dx[j] += dz[i] * W[j * n + i]; // W read as if it were m×n
#elif defined(STUDENT_MISTAKE_OVERWRITE)
            dx[j] = dz[i] * W[i * m + j]; // = where += belongs
#else
            dx[j] += dz[i] * W[i * m + j];
#endif
        }
    }
}

// ------------------------------------------------------------ lab 4

void lab_maxpool_backward(double *dx, const double *dy, const double *x, int h, int w, int k, int stride) {
    int ho = (h - k) / stride + 1, wo = (w - k) / stride + 1;
    for (int i = 0; i < ho; i++)
        for (int j = 0; j < wo; j++) {
            int best = (i * stride) * w + j * stride;
            for (int m = 0; m < k; m++)
                for (int n = 0; n < k; n++) {
                    int at = (i * stride + m) * w + j * stride + n;
                    if (x[at] > x[best]) best = at;
                }
            double g = dy[i * wo + j];
#if defined(STUDENT_MISTAKE_OVERWRITE)
            dx[best] = g;
#elif defined(STUDENT_MISTAKE_ALL_CELLS) || defined(STUDENT_MISTAKE_AVERAGE)
            for (int m = 0; m < k; m++)
                for (int n = 0; n < k; n++) {
#if defined(STUDENT_MISTAKE_ALL_CELLS)
                    dx[(i * stride + m) * w + j * stride + n] += g;
#else
                    dx[(i * stride + m) * w + j * stride + n] += g / (k * k);
#endif
                }
#else
            dx[best] += g;
#endif
        }
}

// ------------------------------------------------------------ lab 5

void lab_conv_backward(double *dx, double *dk, double *db, const double *dy, const double *x, const double *k,
                       int h, int w, int kh, int kw, int stride, int pad) {
    int ho = (h + 2 * pad - kh) / stride + 1, wo = (w + 2 * pad - kw) / stride + 1;
    for (int i = 0; i < ho; i++)
        for (int j = 0; j < wo; j++) {
            double g = dy[i * wo + j];
#if defined(STUDENT_MISTAKE_BIAS_ONE_AXIS)
            if (i == 0) db[0] += g;
#elif defined(STUDENT_MISTAKE_OVERWRITE)
            db[0] = g;
#else
            db[0] += g;
#endif
            for (int m = 0; m < kh; m++)
                for (int n = 0; n < kw; n++) {
#if defined(STUDENT_MISTAKE_PAD_OFF_BY_ONE)
                    int r = i * stride + m - pad + 1, c = j * stride + n - pad + 1;
#else
                    int r = i * stride + m - pad, c = j * stride + n - pad;
#endif
#if defined(STUDENT_MISTAKE_NO_DILATE)
                    int rr = i + m - pad, cc = j + n - pad; // the stride forgotten on the way back
                    if (rr >= 0 && cc >= 0 && rr < h && cc < w) dx[rr * w + cc] += g * k[m * kw + n];
#endif
                    if (r < 0 || c < 0 || r >= h || c >= w) continue;
#if defined(STUDENT_MISTAKE_SIGN)
                    dk[m * kw + n] -= g * x[r * w + c];
#elif defined(STUDENT_MISTAKE_ROT180)
                    dk[(kh - 1 - m) * kw + (kw - 1 - n)] += g * x[r * w + c];
#elif defined(STUDENT_MISTAKE_KERNEL_CONV)
                    dk[m * kw + n] += dy[(ho - 1 - i) * wo + (wo - 1 - j)] * x[r * w + c]; // X * dL/dY
#elif defined(STUDENT_MISTAKE_OVERWRITE)
                    dk[m * kw + n] = g * x[r * w + c];
#else
                    dk[m * kw + n] += g * x[r * w + c];
#endif
#if defined(STUDENT_MISTAKE_NO_ROT180)
                    dx[r * w + c] += g * k[(kh - 1 - m) * kw + (kw - 1 - n)];
#elif defined(STUDENT_MISTAKE_OVERWRITE)
                    dx[r * w + c] = g * k[m * kw + n];
#elif !defined(STUDENT_MISTAKE_NO_DILATE)
                    dx[r * w + c] += g * k[m * kw + n];
#endif
                }
        }
#if defined(STUDENT_MISTAKE_VALID_NOT_FULL)
    for (int r = 0; r < h; r++) // only the cells every window position covers
        for (int c = 0; c < w; c++)
            if (r < kh - 1 || r > h - kh || c < kw - 1 || c > w - kw) dx[r * w + c] = 0.0;
#endif
}

// ------------------------------------------------------------ lab 7

void lab_softmax_ce_backward(double *dz, const double *z, const int *y, int n, int k) {
    for (int b = 0; b < n; b++) {
        const double *row = z + b * k;
        double top = row[0], sum = 0.0;
        for (int j = 1; j < k; j++) top = row[j] > top ? row[j] : top;
        for (int j = 0; j < k; j++) sum += exp(row[j] - top);
        for (int j = 0; j < k; j++) {
            double g = exp(row[j] - top) / sum - (j == y[b] ? 1.0 : 0.0);
#if defined(STUDENT_MISTAKE_CE_GRAD_NOT_DIVIDED_BY_BATCH)
            dz[b * k + j] += g;
#elif defined(STUDENT_MISTAKE_SIGN)
            dz[b * k + j] -= g / n;
#else
            dz[b * k + j] += g / n;
#endif
        }
    }
}
