// Lab 2's cases: ∂L/∂z of the mean BCE of ŷ = σ(z), checked against finite
// differences of the loss in its logit form (finite for every z).
#ifdef LAB_STUDENT_PROCESS
// The student's side (runner.c): the call, in the lab function's argument order.
#include "../lab.h"
#include "wire.h"

void lab_call_student(double *const *out, const double *const *in, const int *v) {
    lab_bce_backward(out[0], in[0], in[1], v[0]);
}

#else
#include <math.h>
#include <string.h>

#include "../lab.h"
#include "arraylen.h"
#include "harness.h"
#include "loss.h"
#include "rng.h"

enum { M_SIGN, M_NO_MEAN, M_SKIP_SIGMOID };

static const Mistake MISTAKES[] = {
    [M_SIGN] = {"sign", "eq. (1) with its leading minus dropped", "chapter 2 (build/chapter2 --bug sign)"},
    [M_NO_MEAN] = {"no-mean", "the 1/n forgotten in the gradient (the loss is still the mean)",
                   "chapter 2 (build/chapter2 --bug no-mean)"},
    [M_SKIP_SIGMOID] = {"skip-sigmoid", "dL/dyhat (eq. 1) used where dL/dz is needed, without sigmoid'(z)",
                        "chapter 2 (build/chapter2 --bug skip-sigmoid)"},
};

#define MAX_N 8

typedef struct {
    double y[MAX_N], z[MAX_N];
    int n;
} BceCase;

// L = (1/n) Σ softplus(z) − y z; scale: the same sum of magnitudes.
static double mean_bce_of_logits(void *ctx, double *scale) {
    BceCase *c = ctx;
    double mag = 0.0;
    for (int i = 0; i < c->n; i++) mag += softplus(c->z[i]) + fabs(c->y[i] * c->z[i]);
    *scale = mag / c->n;
    return bce_loss_logits(c->y, c->z, c->n);
}

static const char *choose(BceCase *c, int k, Rng *rng) {
    if (k == 0) {
        *c = (BceCase){.y = {1, 0}, .z = {0.5, 1}, .n = 2};
        return "article example";
    }
    c->n = k <= 4 ? 1 : 2 + rng_below(rng, MAX_N - 1);
    for (int i = 0; i < c->n; i++) {
        c->z[i] = round(rng_range(rng, -4.0, 4.0) * 100.0) / 100.0;
        c->y[i] = k > 14 ? round(rng_uniform(rng) * 100.0) / 100.0 : rng_below(rng, 2);
    }
    return k <= 4 ? "one output (n = 1)" : k <= 14 ? "n = 2 to 8, labels 0 or 1" : "soft labels in [0, 1]";
}

static void make_case(Case *c, int k, uint64_t seed) {
    Rng rng = rng_make(seed * 1000003u + (uint64_t)k);
    BceCase bc;
    c->group = choose(&bc, k, &rng);
    int n = bc.n;
    Block *b = case_block(c, 0, "dz", 1, n, true);
    case_describe(c, "y", bc.y, 1, n);
    case_describe(c, "z", bc.z, 1, n);
    case_input(c, "y", bc.y, n);
    case_input(c, "z", bc.z, n);
    case_int(c, n);
    bce_grad_logits(b->reference, bc.y, bc.z, n);
    Objective obj = {.whole = mean_bce_of_logits, .ctx = &bc};
    numerical_gradient_bounded(b->numerical, bc.z, n, &obj);
    double *sign = block_mistake(b, M_SIGN), *sum = block_mistake(b, M_NO_MEAN),
           *skip = block_mistake(b, M_SKIP_SIGMOID);
    for (int i = 0; i < n; i++) {
        double yhat = sigmoid(bc.z[i]);
        sign[i] = -b->reference[i];
        sum[i] = b->reference[i] * n;
        skip[i] = -(bc.y[i] / yhat - (1.0 - bc.y[i]) / (1.0 - yhat)) / n;
    }
}

int main(int argc, char **argv) {
    const Lab lab = {.lab = "lab2", .function = "lab_bce_backward", .file = "labs/lab2_bce.c", .n_cases = 21,
                     .mistakes = MISTAKES, .n_mistakes = ARRAY_LEN(MISTAKES), .make_case = make_case};
    return lab_main(&lab, argc, argv);
}
#endif
