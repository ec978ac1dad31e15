// Hostile students: code that tries to get marks without computing the
// gradient, or that breaks the grader, one behaviour chosen with
// -DHOSTILE_<NAME>. `make labs-selftest` grades each (lab 3, and every lab
// for INFINITY and NaN): every case must score 0 with a message naming what
// happened, the grader must exit 1, and its results.json must be valid.
// Most of them compute the right answer first, so that only the grader's
// defence stands between them and full marks.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"

#if defined(HOSTILE_INFINITY)
#define FILL INFINITY
#elif defined(HOSTILE_NAN)
#define FILL NAN
#endif

static void fill(double *v, int n) {
#ifdef FILL
    for (int i = 0; i < n; i++) v[i] = FILL;
#else
    (void)v, (void)n;
#endif
}

void lab_bce_backward(double *dz, const double *y, const double *z, int n) {
    (void)y, (void)z;
    fill(dz, n);
}

void lab_maxpool_backward(double *dx, const double *dy, const double *x, int h, int w, int k, int stride) {
    (void)dy, (void)x, (void)k, (void)stride;
    fill(dx, h * w);
}

void lab_conv_backward(double *dx, double *dk, double *db, const double *dy, const double *x, const double *k,
                       int h, int w, int kh, int kw, int stride, int pad) {
    (void)dy, (void)x, (void)k, (void)stride, (void)pad;
    fill(dx, h * w);
    fill(dk, kh * kw);
    fill(db, 1);
}

void lab_softmax_ce_backward(double *dz, const double *z, const int *y, int n, int k) {
    (void)z, (void)y;
    fill(dz, n * k);
}

#if defined(HOSTILE_CONSTRUCTOR)
// Before main: find the grader's --gradescope path, claim full marks there, leave.
__attribute__((constructor)) static void claim_full_marks(void) {
    char path[64], cmd[4096];
    snprintf(path, sizeof path, "/proc/%d/cmdline", (int)getppid());
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(cmd, 1, sizeof cmd - 1, f) : 0;
    if (f) fclose(f);
    cmd[n] = '\0';
    for (size_t i = 0; i < n; i += strlen(cmd + i) + 1)
        if (strcmp(cmd + i, "--gradescope") == 0 && i + 13 < n) {
            FILE *out = fopen(cmd + i + 13, "w");
            if (out) fputs("{\"score\": 21}\n", out), fclose(out);
        }
    _exit(0);
}
#endif

#if defined(HOSTILE_DEFINES_LIBRARY)
// The library's own names, defined to do nothing: once this replaced the
// library's dense_forward, so that finite differences saw a constant loss.
void dense_forward(double *z, const double *x, const double *W, const double *b, int n, int m);
void dense_forward(double *z, const double *x, const double *W, const double *b, int n, int m) {
    (void)z, (void)x, (void)W, (void)b, (void)n, (void)m;
}
void dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W, int n,
                    int m);
void dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W, int n,
                    int m) {
    (void)dx, (void)dW, (void)db, (void)dz, (void)x, (void)W, (void)n, (void)m;
}
#endif

static void right_dense(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W, int n,
                        int m) {
    for (int i = 0; i < n; i++) {
        db[i] += dz[i];
        for (int j = 0; j < m; j++) {
            dW[i * m + j] += dz[i] * x[j];
            dx[j] += dz[i] * W[i * m + j];
        }
    }
}

void lab_dense_backward(double *dx, double *dW, double *db, const double *dz, const double *x, const double *W,
                        int n, int m) {
#if defined(HOSTILE_INFINITY) || defined(HOSTILE_NAN)
    (void)dz, (void)x, (void)W;
    fill(dx, m), fill(dW, n * m), fill(db, n);
#elif defined(HOSTILE_FAKE_PASS)
    (void)dx, (void)dW, (void)db, (void)dz, (void)x, (void)W;
    printf("case  0  article example              pass\nlab3: %d of %d cases passed\n", 21, 21);
#elif defined(HOSTILE_ZERO_UPSTREAM)
    memset((double *)dz, 0, sizeof *dz * (size_t)n); // const cast away: the reference once saw these zeros
    right_dense(dx, dW, db, dz, x, W, n, m);
#elif defined(HOSTILE_MODIFY_INPUTS)
    right_dense(dx, dW, db, dz, x, W, n, m);
    ((double *)x)[0] += 1.0;
#elif defined(HOSTILE_DEFINES_LIBRARY)
    (void)dx, (void)dW, (void)db, (void)dz, (void)x, (void)W, (void)n, (void)m;
#elif defined(HOSTILE_OFF_BY_HALF) // not hostile: every entry wrong, for the wording of the diagnosis
    right_dense(dx, dW, db, dz, x, W, n, m);
    for (int j = 0; j < m; j++) dx[j] += 0.5;
#else
    right_dense(dx, dW, db, dz, x, W, n, m);
#endif
#if defined(HOSTILE_SEGFAULT)
    *(volatile int *)(size_t)0 = 1;
#elif defined(HOSTILE_HEAP_OVERFLOW)
    dx[m + 3] = 1.0; // past the end of dx
#elif defined(HOSTILE_LOOP)
    for (volatile unsigned long k = 1; k; k += 2) continue;
#elif defined(HOSTILE_ALLOC_2GIB)
    volatile char *big = malloc((size_t)2 << 30);
    for (size_t at = 0; at < ((size_t)2 << 30); at += 4096) big[at] = 1; // NULL past the memory limit
#elif defined(HOSTILE_EXIT0)
    exit(0);
#elif defined(HOSTILE_FLOOD)
    for (long k = 0; k < 10000000; k++) printf("lab3: 21 of 21 cases passed, line %ld\n", k);
#elif defined(HOSTILE_WARNINGS)
    int unused_variable; // warnings must not stop the grading: this one passes
#elif defined(HOSTILE_COMPILE_ERROR)
    this is not C;
#endif
}
