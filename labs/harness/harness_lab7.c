// Lab 7's cases: softmax cross-entropy over a batch, L = (1/N) Σ_b
// (log Σ_j exp(z[b,j]) − z[b,y_b]), whose gradient is ∂L/∂z = (p − onehot)/N.
// Case 0 is chapter 7's section 7.2; some random cases have logits near
// 1000, where exp() without the log-sum-exp shift overflows.
#ifdef LAB_STUDENT_PROCESS
// The student's side (runner.c): the call, in the lab function's argument
// order; the ints are n, k and then the n labels.
#include "../lab.h"
#include "wire.h"

void lab_call_student(double *const *out, const double *const *in, const int *v) {
    lab_softmax_ce_backward(out[0], in[0], v + 2, v[0], v[1]);
}

#else
#include <math.h>
#include <string.h>

#include "../lab.h"
#include "arraylen.h"
#include "harness.h"
#include "rng.h"
#include "softmax_ce.h"

enum { M_NOT_DIVIDED, M_SIGN };

static const Mistake MISTAKES[] = {
    [M_NOT_DIVIDED] = {"ce-grad-not-divided-by-batch", "dL/dz = p - onehot, the 1/N of the batch mean left out",
                       "chapter 7, section 7.2 (build/chapter7 --bug ce-grad-not-divided-by-batch)"},
    [M_SIGN] = {"sign", "dL/dz = (onehot - p)/N: the gradient of -L", "chapter 7, section 7.2"},
};

#define MAX_N 5
#define MAX_K 6

typedef struct {
    double z[MAX_N * MAX_K], p[MAX_N * MAX_K];
    int y[MAX_N], n, k;
} CeCase;

static double ce_loss(void *ctx, double *scale) {
    CeCase *c = ctx;
    return softmax_ce_forward(c->p, scale, c->z, c->y, c->n, c->k);
}

static const char *choose(CeCase *c, int index, Rng *rng) {
    memset(c, 0, sizeof *c);
    if (index == 0) { // chapter 7's section 7.2
        const double z[] = {2, 1, 0, 0.5, 0.5, -1};
        c->n = 2, c->k = 3, c->y[0] = 0, c->y[1] = 2;
        memcpy(c->z, z, sizeof z);
        return "chapter 7 example";
    }
    c->n = 1 + rng_below(rng, MAX_N), c->k = 2 + rng_below(rng, MAX_K - 1);
    double offset = index > 15 ? 1000.0 : 0.0; // exp(1000) is inf: only the shifted softmax survives
    for (int i = 0; i < c->n * c->k; i++) c->z[i] = offset + round(rng_range(rng, -3.0, 3.0) * 100.0) / 100.0;
    for (int b = 0; b < c->n; b++) c->y[b] = rng_below(rng, c->k);
    return index <= 5 ? "small batches" : index <= 15 ? "random batches" : "large logits (about 1000)";
}

static void make_case(Case *c, int index, uint64_t seed) {
    Rng rng = rng_make(seed * 1000003u + (uint64_t)index);
    CeCase d;
    c->group = choose(&d, index, &rng);
    int n = d.n, k = d.k;
    Block *bz = case_block(c, 0, "dz", n, k, true);
    case_describe(c, "z", d.z, n, k);
    double labels[MAX_N];
    for (int b = 0; b < n; b++) labels[b] = d.y[b];
    case_describe(c, "y", labels, 1, n);
    case_input(c, "z", d.z, n * k);
    case_int(c, n);
    case_int(c, k);
    for (int b = 0; b < n; b++) case_int(c, d.y[b]);
    softmax_ce_forward(d.p, NULL, d.z, d.y, n, k);
    softmax_ce_backward(bz->reference, d.p, d.y, n, k);
    Objective obj = {.whole = ce_loss, .ctx = &d};
    numerical_gradient_bounded_smooth(bz->numerical, d.z, n * k, &obj);
    double *not_divided = block_mistake(bz, M_NOT_DIVIDED), *sign = block_mistake(bz, M_SIGN);
    for (int i = 0; i < n * k; i++) {
        not_divided[i] = bz->reference[i] * n;
        sign[i] = -bz->reference[i];
    }
}

int main(int argc, char **argv) {
    const Lab lab = {.lab = "lab7", .function = "lab_softmax_ce_backward", .file = "labs/lab7_softmax_ce.c",
                     .n_cases = 21, .mistakes = MISTAKES, .n_mistakes = ARRAY_LEN(MISTAKES), .make_case = make_case};
    return lab_main(&lab, argc, argv);
}
#endif
