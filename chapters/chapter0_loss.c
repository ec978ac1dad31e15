// Chapter 0: see chapter0_loss.h.
#include "chapter0_loss.h"

#include <math.h>
#include <float.h>
#include <stdbool.h>
#include <stdio.h>

double loss_whole(void *ctx, double *scale) {
    const Loss *l = ctx;
    double v = l->f(l->x, l->fctx);
    *scale = fabs(l->factor * v) + fabs(l->rest); // f's rounding is ε·|f| (chapter0_functions.h)
    return l->factor * v + l->rest;
}

double loss_value(const Loss *l, double x) { return l->factor * l->f(x, l->fctx) + l->rest; }

double loss_central(const Loss *l, double h) {
    return (loss_value(l, l->x + h) - loss_value(l, l->x - h)) / (2.0 * h);
}

NumericalDerivative bounded_derivative(Loss *l, bool smooth) {
    Objective obj = {loss_whole, NULL, l};
    NumericalDerivative d;
    (smooth ? numerical_gradient_bounded_smooth : numerical_gradient_bounded)(&d, &l->x, 1, &obj);
    return d;
}

static double loss_complex_at(void *ctx, int k, double h, double *scale) {
    const ComplexLoss *c = ctx;
    (void)k;
    double im = cimag(c->l->factor * c->fc(cstep_point(c->l->x, h), c->l->fctx) + c->l->rest);
    *scale = fabs(im) / h;
    return im / h;
}

NumericalDerivative complex_derivative(const Loss *l, FdComplexFunction fc) {
    ComplexLoss c = {l, fc};
    ComplexObjective obj = {loss_complex_at, &c};
    return complex_step_entry(&obj, 0, l->x, 1.0);
}

Verdict bounded_verdict(double analytic, const NumericalDerivative *d) {
    return compare_bounded(&analytic, d, NULL, NULL, 1, GRADCHECK_REL_TOL).verdict;
}

bool old_rule_passes(double a, double n) {
    return fabs(a - n) <= OLD_REL_TOL * fmax(fabs(a), fabs(n)) || fabs(a - n) <= OLD_ABS_FLOOR;
}

bool torch_rule_passes_at(double a, double n) { return fabs(a - n) <= TORCH_ATOL + TORCH_RTOL * fabs(n); }

double rel_error(double a, double n) {
    double d = fmax(fabs(a), fabs(n));
    return d > 0.0 ? fabs(a - n) / d : 0.0;
}

double roundoff_of(const Loss *l, double h) {
    double s_up = fabs(l->factor * l->f(l->x + h, l->fctx)) + fabs(l->rest);
    double s_down = fabs(l->factor * l->f(l->x - h, l->fctx)) + fabs(l->rest);
    return GRADCHECK_ROUNDOFF_SAFETY * DBL_EPSILON * (s_up + s_down) / (2.0 * h);
}

void describe_attempts(char *buf, size_t size, const Loss *l, const NumericalDerivative *d) {
    int attempts = d->evaluations / 4;
    if (attempts <= 1 && loss_value(l, l->x + d->step) == loss_value(l, l->x - d->step))
        snprintf(buf, size, "here L(x + h) and L(x − h) were the same double at h = %.1e, and the checker "
                 "stopped after that one attempt", d->step);
    else
        snprintf(buf, size, "here it made %d attempts and kept h = %.1e", attempts, d->step);
}
