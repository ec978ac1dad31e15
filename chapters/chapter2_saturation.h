#ifndef CHAPTER2_SATURATION_H
#define CHAPTER2_SATURATION_H
// Chapter 2 near ŷ = 0 and 1: why eq. (1) is not finite, where σ(z) rounds
// to 1, and what PyTorch's Sigmoid → BCELoss chain does to ∂L/∂z there
// (chapter2_saturation.c).
#include <stdbool.h>
#include <stddef.h>

#include "arraylen.h"
#include "loss.h"
#include "report.h"

// Why eq. (1) has no finite value for label y at ŷ: a division by zero once
// ŷ has rounded to 0 or 1 (0/0 when y sits at that end too), or an overflow
// of 1/ŷ or 1/(1 − ŷ) just inside.
const char *not_finite_why(double y, double yhat);

// The first z (in steps of 0.01) from which σ(z) rounds to exactly 1.
double first_z_rounding_to_one(bool float32);

// v as "%.6g" into buf, or `otherwise` when v is not finite.
void fmt_or(char *buf, size_t len, double v, const char *otherwise);

// BCELoss's backward in PyTorch 1.13 divides by max(ŷ(1 − ŷ), 1e-12)
// (its EPSILON), to keep eq. (1) finite at ŷ = 0 or 1.
#define TORCH_BCE_EPSILON 1e-12

// Section 2.4's closing text: the logit form stays finite, and a Sigmoid
// followed by PyTorch's BCELoss fails silently near ŷ = 0 and 1.
void torch_pitfall(Report *r);

#endif
