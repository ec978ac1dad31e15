#ifndef CHAPTER0_LOSS_H
#define CHAPTER0_LOSS_H
// Chapter 0's function f placed inside a bigger loss, as the checker
// (gradcheck.h) sees it, and the fixed-floor rules of section 0.6
// (chapter0_loss.c).
#include <stdbool.h>
#include <stddef.h>

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

// L for the checker (an Objective's whole, ctx a Loss), with its scale;
// and L at another point x.
double loss_whole(void *ctx, double *scale);
double loss_value(const Loss *l, double x);

// The fixed-step central difference the old rule used.
double loss_central(const Loss *l, double h);

// The bounded checker on one entry, x; smooth: f has no kink (its step may
// then grow, gradcheck.h).
NumericalDerivative bounded_derivative(Loss *l, bool smooth);

// The second method on the same loss: Im L(x + ih)/h with f in complex
// arithmetic (fc). `rest` is real, so it has no imaginary part to round:
// Im L is Im factor·f(x + ih), and *scale (the size of the only term that
// moves) is |Im L|/h.
typedef struct {
    const Loss *l;
    FdComplexFunction fc;
} ComplexLoss;

// The complex-step derivative of L at l->x, bounded as the checker does.
NumericalDerivative complex_derivative(const Loss *l, FdComplexFunction fc);

// The checker's verdict on one entry: analytic against d.
Verdict bounded_verdict(double analytic, const NumericalDerivative *d);

// The fixed-floor rule of section 0.6: relative error ≤ 1e-6 or |a − n| ≤ 1e-8.
bool old_rule_passes(double a, double n);

// torch.autograd.gradcheck's defaults (PyTorch 1.13): one step eps, and an
// entry passes when |a − n| ≤ atol + rtol·|n|.
#define TORCH_EPS 1e-6
#define TORCH_ATOL 1e-5
#define TORCH_RTOL 1e-3

// PyTorch's rule on analytic a and numerical n; and |a − n| / max(|a|, |n|)
// (0 when both are 0).
bool torch_rule_passes_at(double a, double n);
double rel_error(double a, double n);

// r(h) = 8ε·(s₊ + s₋)/2h, the round-off of one central difference D(h).
double roundoff_of(const Loss *l, double h);

// The largest step the checker grows to, relative to max(1, |x|) (its
// STEP_MAX_REL in gradcheck.c), quoted in section 0.8.
#define CHECKER_STEP_MAX_REL 1e-2

// Section 0.8: what the checker's search did on one entry, into buf.
void describe_attempts(char *buf, size_t size, const Loss *l, const NumericalDerivative *d);

#endif
