#include "cstep.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

// Imaginary parts below DBL_MIN lose digits: each evaluation is off by at
// least this many of the smallest subnormals, divided by h.
#define CSTEP_SUBNORMAL_ULPS 64.0

NumericalDerivative complex_step_entry(const ComplexObjective *c, int k, double theta, double typical) {
    double h = CSTEP_REL * fmax(fabs(theta), typical > 0.0 ? typical : 1.0), s1 = 0.0, s2 = 0.0;
    double d1 = c->at(c->ctx, k, h, &s1), d2 = c->at(c->ctx, k, h / 2.0, &s2);
    NumericalDerivative d = {.step = h / 2.0, .evaluations = 2, .complex_step = true, .lever_is_terms = true};
    if (!isfinite(d1) || !isfinite(d2)) {
        d.bound = INFINITY;
        d.why = CSTEP_TIE_REASON;
        return d;
    }
    double scale = fmax(fmax(s1, s2), fmax(fabs(d1), fabs(d2)));
    d.value = d2 + (d2 - d1) / 3.0;
    d.bound = fabs(d1 - d2) + GRADCHECK_ROUNDOFF_SAFETY * DBL_EPSILON * scale +
              CSTEP_SUBNORMAL_ULPS * DBL_TRUE_MIN / (h / 2.0);
    d.lever = scale;
    d.why = "central differences, then the complex step: its bound too is above 1e-4 of the derivative";
    return d;
}

// Which entries get the complex step: all, the undecided, or the undecided and the failed.
typedef enum { RESCUE_EVERY, RESCUE_UNDECIDED, RESCUE_NOT_PASSED } Rescue;

static int rescue(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx, int count,
                  const double *param, const ComplexObjective *c, Rescue which, double rtol);

int complex_step_rescue(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                        int count, const double *param, const ComplexObjective *c, bool every, double rtol) {
    return rescue(num, analytic, skip, idx, count, param, c, every ? RESCUE_EVERY : RESCUE_UNDECIDED, rtol);
}

int complex_step_second(void *ctx, NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                        int count) {
    const ComplexRescue *r = ctx;
    return complex_step_rescue(num, analytic, skip, idx, count, r->param, &r->objective, r->every, r->rtol);
}

int complex_step_recheck(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                         int count, const double *param, const ComplexObjective *c, double rtol) {
    return rescue(num, analytic, skip, idx, count, param, c, RESCUE_NOT_PASSED, rtol);
}

static int rescue(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx, int count,
                  const double *param, const ComplexObjective *c, Rescue which, double rtol) {
    if (count <= 0) return 0;
    Verdict *v = malloc((size_t)count * sizeof *v);
    if (!v) return 0; // the central differences stand; nothing is claimed for them
    compare_bounded_entries(v, analytic, num, skip, count, rtol);
    double typical = 0.0;
    for (int s = 0; s < count; s++) typical += fabs(param[idx ? idx[s] : s]) / count;
    if (!(typical > 0.0) || !isfinite(typical)) typical = 1.0;
    int decided = 0;
    for (int s = 0; s < count; s++) {
        if (skip && skip[s]) continue;
        bool undecided = v[s] == VERDICT_INCONCLUSIVE || (v[s] == VERDICT_NOTHING_COMPARED && num[s].kink);
        if (which == RESCUE_UNDECIDED && !undecided) continue;
        if (which == RESCUE_NOT_PASSED && !undecided && v[s] != VERDICT_FAIL) continue;
        int k = idx ? idx[s] : s;
        NumericalDerivative d = complex_step_entry(c, k, param[k], typical);
        if (fabs(analytic[s]) < DBL_MIN && fabs(d.value) < DBL_MIN && analytic[s] != 0.0)
            d.why = "central differences and the complex step: the derivative is subnormal (below 2.2e-308), too "
                    "few digits for either";
        if (isfinite(d.bound)) {
            d.evaluations += num[s].evaluations;
            num[s] = d;
            decided++;
        } else {
            num[s].why = d.why;
        }
    }
    free(v);
    return decided;
}
