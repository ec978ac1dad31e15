#ifndef CHAPTER0_LOSS_H
#define CHAPTER0_LOSS_H
// Chapter 0's function f placed inside a bigger loss, as the checker
// (gradcheck.h) sees it, and the fixed-floor rules of section 0.6
// (chapters/chapter0_numerical.c is the only includer).
#include <math.h>
#include <float.h>
#include <stdbool.h>
#include <stdio.h>

#include "cstep.h"
#include "fdiff.h"
#include "gradcheck.h"

// The step and the tolerances of a common fixed-floor rule (section 0.6
// shows how it fails).
#define OLD_STEP 1e-6
#define OLD_REL_TOL 1e-6
#define OLD_ABS_FLOOR 1e-8

// L(x) = factor·f(x) + rest: f inside a bigger loss. `rest` stands for the
// terms x does not touch (the other examples of a batch), `factor` for a
// loss of another scale. The checker perturbs x.
typedef struct {
    FdFunction f;
    const void *fctx;
    double x, factor, rest;
} Loss;

static double loss_whole(void *ctx, double *scale) {
    const Loss *l = ctx;
    double v = l->f(l->x, l->fctx);
    *scale = fabs(l->factor * v) + fabs(l->rest); // f's rounding is ε·|f| (chapter0_functions.h)
    return l->factor * v + l->rest;
}

static double loss_value(const Loss *l, double x) { return l->factor * l->f(x, l->fctx) + l->rest; }

// The fixed-step central difference the old rule used.
static double loss_central(const Loss *l, double h) {
    return (loss_value(l, l->x + h) - loss_value(l, l->x - h)) / (2.0 * h);
}


// The bounded checker on one entry, x; smooth: f has no kink (its step may
// then grow, gradcheck.h).
static NumericalDerivative bounded_derivative(Loss *l, bool smooth) {
    Objective obj = {loss_whole, NULL, l};
    NumericalDerivative d;
    (smooth ? numerical_gradient_bounded_smooth : numerical_gradient_bounded)(&d, &l->x, 1, &obj);
    return d;
}

// The second method on the same loss: Im L(x + ih)/h with f in complex
// arithmetic (fc). `rest` is real, so it has no imaginary part to round:
// Im L is Im factor·f(x + ih), and *scale (the size of the only term that
// moves) is |Im L|/h.
typedef struct {
    const Loss *l;
    FdComplexFunction fc;
} ComplexLoss;

static double loss_complex_at(void *ctx, int k, double h, double *scale) {
    const ComplexLoss *c = ctx;
    (void)k;
    double im = cimag(c->l->factor * c->fc(cstep_point(c->l->x, h), c->l->fctx) + c->l->rest);
    *scale = fabs(im) / h;
    return im / h;
}

static NumericalDerivative complex_derivative(const Loss *l, FdComplexFunction fc) {
    ComplexLoss c = {l, fc};
    ComplexObjective obj = {loss_complex_at, &c};
    return complex_step_entry(&obj, 0, l->x, 1.0);
}

static Verdict bounded_verdict(double analytic, const NumericalDerivative *d) {
    return compare_bounded(&analytic, d, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict;
}

// The fixed-floor rule of section 0.6: relative error ≤ 1e-6 or |a − n| ≤ 1e-8.
static bool old_rule_passes(double a, double n) {
    return fabs(a - n) <= OLD_REL_TOL * fmax(fabs(a), fabs(n)) || fabs(a - n) <= OLD_ABS_FLOOR;
}

// torch.autograd.gradcheck's defaults (PyTorch 1.13): one step eps, and an
// entry passes when |a − n| ≤ atol + rtol·|n|.
#define TORCH_EPS 1e-6
#define TORCH_ATOL 1e-5
#define TORCH_RTOL 1e-3

static bool torch_rule_passes_at(double a, double n) { return fabs(a - n) <= TORCH_ATOL + TORCH_RTOL * fabs(n); }

static double rel_error(double a, double n) {
    double d = fmax(fabs(a), fabs(n));
    return d > 0.0 ? fabs(a - n) / d : 0.0;
}

// r(h) = 8ε·(s₊ + s₋)/2h, the round-off of one central difference D(h).
static double roundoff_of(const Loss *l, double h) {
    double s_up = fabs(l->factor * l->f(l->x + h, l->fctx)) + fabs(l->rest);
    double s_down = fabs(l->factor * l->f(l->x - h, l->fctx)) + fabs(l->rest);
    return GRADCHECK_ROUNDOFF_SAFETY * DBL_EPSILON * (s_up + s_down) / (2.0 * h);
}

// The largest step the checker grows to, relative to max(1, |x|) (its
// STEP_MAX_REL in gradcheck.c), quoted in section 0.8.
#define CHECKER_STEP_MAX_REL 1e-2

// Section 0.8: what the checker's search did on one entry, into buf.
static void describe_attempts(char *buf, size_t size, const Loss *l, const NumericalDerivative *d) {
    int attempts = d->evaluations / 4;
    if (attempts <= 1 && loss_value(l, l->x + d->step) == loss_value(l, l->x - d->step))
        snprintf(buf, size, "here L(x + h) and L(x − h) were the same double at h = %.1e, and the checker "
                 "stopped after that one attempt", d->step);
    else
        snprintf(buf, size, "here it made %d attempts and kept h = %.1e", attempts, d->step);
}
#endif
