// Lab 3's cases: the dense layer z = W x + b, checked through
// L = Σ dz∘z for a given dz, so that ∂L/∂x, ∂L/∂W and ∂L/∂b are exactly
// the backward pass for that dz.
#ifdef LAB_STUDENT_PROCESS
// The student's side (runner.c): the call, in the lab function's argument order.
#include "../lab.h"
#include "wire.h"

void lab_call_student(double *const *out, const double *const *in, const int *v) {
    lab_dense_backward(out[0], out[1], out[2], in[0], in[1], in[2], v[0], v[1]);
}

#else
#include <math.h>
#include <string.h>

#include "../lab.h"
#include "arraylen.h"
#include "dense.h"
#include "example.h"
#include "harness.h"
#include "loss.h"
#include "rng.h"

enum { M_OUTER_SWAPPED, M_W_NOT_TRANSPOSED, M_OVERWRITE };

static const Mistake MISTAKES[] = {
    [M_OUTER_SWAPPED] = {"outer-product-swapped", "dL/dW filled with x dL/dz^T instead of dL/dz x^T",
                         "chapter 3 (build/chapter3 --bug outer-product-swapped)"},
    [M_W_NOT_TRANSPOSED] = {"W-not-transposed", "dL/dx computed with W read as an m x n matrix, not W^T",
                            "chapter 3 (build/chapter3 --bug W-not-transposed)"},
    [M_OVERWRITE] = {"overwrite", "dx[j] = instead of +=: each entry keeps only the last output's term",
                     "labs/lab.h (the function adds into its outputs) and chapter 3"},
};

#define MAX_SIDE 6

typedef struct {
    double x[MAX_SIDE], W[MAX_SIDE * MAX_SIDE], b[MAX_SIDE], dz[MAX_SIDE], z[MAX_SIDE];
    int n, m;
} DenseCase;

static double dense_loss(void *ctx, double *scale) {
    DenseCase *c = ctx;
    dense_forward(c->z, c->x, c->W, c->b, c->n, c->m);
    double sum = 0.0, mag = 0.0;
    for (int i = 0; i < c->n; i++) {
        sum += c->dz[i] * c->z[i];
        double row = fabs(c->b[i]);
        for (int j = 0; j < c->m; j++) row += fabs(c->W[i * c->m + j] * c->x[j]);
        mag += fabs(c->dz[i]) * row;
    }
    *scale = mag;
    return sum;
}

static void fill(double *v, int n, Rng *rng) {
    for (int i = 0; i < n; i++) v[i] = round(rng_range(rng, -2.0, 2.0) * 100.0) / 100.0;
}

static const char *choose(DenseCase *c, int k, Rng *rng) {
    memset(c, 0, sizeof *c);
    if (k == 0) { // the article's layer: x = [29 35] pooled, W = [0.05 -0.03], b = 0.1, y = 1
        c->n = 1, c->m = 2;
        memcpy(c->x, EXAMPLE_POOLED, sizeof EXAMPLE_POOLED);
        memcpy(c->W, EXAMPLE_W, sizeof EXAMPLE_W);
        c->b[0] = EXAMPLE_B;
        c->dz[0] = sigmoid(0.5) - EXAMPLE_Y; // ∂L/∂z of the BCE at z = 0.5
        return "article example";
    }
    c->n = k <= 5 ? 1 : 2 + rng_below(rng, MAX_SIDE - 1);
    c->m = k > 15 ? c->n : 1 + rng_below(rng, MAX_SIDE);
    if (k > 5 && k <= 15 && c->m == c->n) c->m = c->n % MAX_SIDE + 1;
    fill(c->x, c->m, rng);
    fill(c->W, c->n * c->m, rng);
    fill(c->b, c->n, rng);
    fill(c->dz, c->n, rng);
    return k <= 5 ? "one output (n = 1)" : k <= 15 ? "several outputs, W not square" : "square W";
}

static void make_case(Case *c, int k, uint64_t seed) {
    Rng rng = rng_make(seed * 1000003u + (uint64_t)k);
    DenseCase d;
    c->group = choose(&d, k, &rng);
    int n = d.n, m = d.m;
    Block *bx = case_block(c, 0, "dx", 1, m, true), *bw = case_block(c, 1, "dW", n, m, true),
          *bb = case_block(c, 2, "db", 1, n, true);
    case_describe(c, "x", d.x, 1, m);
    case_describe(c, "W", d.W, n, m);
    case_describe(c, "b", d.b, 1, n);
    case_describe(c, "dL/dz", d.dz, 1, n);
    case_input(c, "dL/dz", d.dz, n);
    case_input(c, "x", d.x, m);
    case_input(c, "W", d.W, n * m);
    case_int(c, n);
    case_int(c, m);
    dense_backward(bx->reference, bw->reference, bb->reference, d.dz, d.x, d.W, n, m);
    Objective obj = {.whole = dense_loss, .ctx = &d};
    numerical_gradient_bounded(bx->numerical, d.x, m, &obj);
    numerical_gradient_bounded(bw->numerical, d.W, n * m, &obj);
    numerical_gradient_bounded(bb->numerical, d.b, n, &obj);
    double *swapped = block_mistake(bw, M_OUTER_SWAPPED), *untransposed = block_mistake(bx, M_W_NOT_TRANSPOSED),
           *overwritten = block_mistake(bx, M_OVERWRITE);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            swapped[j * n + i] += d.dz[i] * d.x[j];
            untransposed[j] += d.dz[i] * d.W[j * n + i];
            overwritten[j] = d.dz[i] * d.W[i * m + j];
        }
}

int main(int argc, char **argv) {
    const Lab lab = {.lab = "lab3", .function = "lab_dense_backward", .file = "labs/lab3_dense.c", .n_cases = 21,
                     .mistakes = MISTAKES, .n_mistakes = ARRAY_LEN(MISTAKES), .make_case = make_case};
    return lab_main(&lab, argc, argv);
}
#endif
