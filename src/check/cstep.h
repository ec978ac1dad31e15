#ifndef WORKBOOK_CSTEP_H
#define WORKBOOK_CSTEP_H
// The second method: the complex-step derivative
//   ∂L/∂θ_k ≈ Im L(θ + i·h·e_k) / h
// It subtracts nothing, so it has no cancellation: where a central
// difference loses every digit (σ′(40) = 4e-18 beside L ≈ 1, an entry of
// 1e-300 in an O(1) loss), it is exact to a few ε of the terms that make
// up the derivative. It needs L's forward pass in complex arithmetic
// (src/layers/*_generic.inc: one definition, instantiated for double and
// double complex) and L analytic along the step: max pooling compares real
// parts, so it holds away from an exact tie, however near (1 ulp); at a tie
// the callback returns NaN and the entry keeps its central difference.
//
// Two steps h and h/2 give a Richardson pair, as for central differences:
// the value D(h/2) + (D(h/2) − D(h))/3, truncation |D(h) − D(h/2)|, and
// round-off GRADCHECK_ROUNDOFF_SAFETY·ε·(Σ|Im t|/h) plus a subnormal floor.
// Cost: two complex evaluations of what entry k touches, paid only for the
// entries central differences could not decide (or, for a loss with kinks,
// every entry: a difference straddling a near-tie looks smooth).

#include <complex.h>
#include <stdbool.h>

#include "gradcheck.h"

typedef struct {
    // Im L(θ + i·h·e_k)/h over the terms entry k can change; *scale gets
    // Σ|Im t|/h over the terms t summed (the size of the terms making up
    // ∂L/∂θ_k). NaN when the forward pass meets a tie (equal real parts
    // at a max): there is no derivative to take.
    double (*at)(void *ctx, int k, double h, double *scale);
    void *ctx;
} ComplexObjective;

// re + i·im built by storing both parts (a complex number is laid out as an
// array of its real and imaginary parts, C11 6.2.5), as fdiff.c does: no
// arithmetic touches im. CMPLX would do the same, but clang 14 with glibc
// does not define it.
static inline double complex cstep_point(double re, double im) {
    double complex z;
    ((double *)&z)[0] = re;
    ((double *)&z)[1] = im;
    return z;
}

// The first complex step, relative to max(|θ_k|, the block's mean |θ|):
// its truncation, (h²/6)·L‴, is then ~1e-20 of the value's scale, and the
// imaginary parts stay far from underflow for every input above 1e-280.
#define CSTEP_REL 1e-10
#define CSTEP_TIE_REASON "a tie: two real parts equal at a max, so not even the complex step has a derivative"

// The complex-step derivative of entry k with θ_k = theta; typical is the
// block's mean |θ| (1 when that is 0).
NumericalDerivative complex_step_entry(const ComplexObjective *c, int k, double theta, double typical);

// For s < count, entry idx[s] of param (idx NULL: entry s), compared with
// analytic[s]: where central differences left it undecided (INCONCLUSIVE or
// a kink) — or always, when every is set — num[s] becomes the complex
// step's derivative (num[s].complex_step), unless that is undefined there
// (a tie: num[s] is kept and num[s].why says so). skip[s] entries are left
// alone. Returns how many entries the complex step decided.
int complex_step_rescue(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                        int count, const double *param, const ComplexObjective *c, bool every, double rtol);

// complex_step_rescue as check_block's second method (check_block.h's
// SecondMethodFn): ctx is a ComplexRescue, param the block's entries.
typedef struct {
    ComplexObjective objective;
    const double *param;
    bool every;  // every entry (a loss with kinks), or only the undecided ones
    double rtol;
} ComplexRescue;

int complex_step_second(void *ctx, NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                        int count);

// The same for a loss with kinks where the complex step is too dear to run
// on every entry: the entries central differences FAILED or left undecided
// get it (a difference straddling a near-tie fails a right gradient), the
// others keep their central difference. Entry s is param[idx[s]] (idx
// NULL: param[s]), as in complex_step_rescue.
int complex_step_recheck(NumericalDerivative *num, const double *analytic, const bool *skip, const int *idx,
                         int count, const double *param, const ComplexObjective *c, double rtol);

#endif
