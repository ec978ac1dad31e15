// Chapter 2: see chapter2_saturation.h.
#include "chapter2_saturation.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>

const char *not_finite_why(double y, double yhat) {
    if (yhat == 1.0) return y == 1.0 ? "0/0 (ŷ = 1)" : "1/0 (ŷ = 1)";
    if (yhat == 0.0) return y == 0.0 ? "0/0 (ŷ = 0)" : "1/0 (ŷ = 0)";
    return "overflow";
}

double first_z_rounding_to_one(bool float32) {
    for (int k = 0;; k++)
        if (float32 ? sigmoid_float32(k / 100.0f) == 1.0f : sigmoid(k / 100.0) == 1.0) return k / 100.0;
}

void fmt_or(char *buf, size_t len, double v, const char *otherwise) {
    if (isfinite(v))
        snprintf(buf, len, "%.6g", v == 0.0 ? 0.0 : v);
    else
        snprintf(buf, len, "%s", otherwise);
}

// ∂L/∂z through Sigmoid then BCELoss, n = 1: BCELoss's backward
// (ŷ − y)/max(ŷ(1 − ŷ), ε), times the Sigmoid's ŷ(1 − ŷ).
static double torch_sigmoid_bceloss_dz(double y, double z) {
    double p = sigmoid(z), s = (1.0 - p) * p;
    return (p - y) / fmax(s, TORCH_BCE_EPSILON) * s;
}

// The same in float32, PyTorch's default dtype.
static float torch_sigmoid_bceloss_dz_float32(float y, float z) {
    float p = sigmoid_float32(z), s = (1.0f - p) * p;
    return (p - y) / fmaxf(s, (float)TORCH_BCE_EPSILON) * s;
}

// The |z| (in steps of 0.01) from which ŷ(1 − ŷ) < ε: there the clamp wins.
static double first_z_clamped(void) {
    for (int k = 0;; k++) {
        double p = sigmoid(-k / 100.0);
        if ((1.0 - p) * p < TORCH_BCE_EPSILON) return k / 100.0;
    }
}

static const struct {
    double y, z;
} TORCH_ROWS[] = {{1, -20}, {1, -27}, {1, -28}, {1, -30}, {1, -40}, {0, 16}, {0, 17}, {0, 28}, {0, 30}};

static void torch_table(Report *r) {
    const char *h[] = {"y", "z", "ŷ(1 − ŷ)", "Sigmoid→BCELoss", "same, float32", "σ(z) − y"};
    report_table_begin(r, 6, h);
    for (int k = 0; k < ARRAY_LEN(TORCH_ROWS); k++) {
        double y = TORCH_ROWS[k].y, z = TORCH_ROWS[k].z, p = sigmoid(z), dz;
        bce_grad_logits(&dz, &y, &z, 1);
        char c[6][40];
        snprintf(c[0], sizeof c[0], "%g", y), snprintf(c[1], sizeof c[1], "%g", z);
        snprintf(c[2], sizeof c[2], "%.3g", (1.0 - p) * p);
        fmt_or(c[3], sizeof c[3], torch_sigmoid_bceloss_dz(y, z), "?");
        fmt_or(c[4], sizeof c[4], (double)torch_sigmoid_bceloss_dz_float32((float)y, (float)z), "?");
        fmt_or(c[5], sizeof c[5], dz, "?");
        const char *row[] = {c[0], c[1], c[2], c[3], c[4], c[5]};
        report_table_row(r, row);
    }
    report_table_end(r);
}

void torch_pitfall(Report *r) {
    double one = 1.0, z30 = -30.0, z40 = -40.0, exact30;
    bce_grad_logits(&exact30, &one, &z30, 1);
    report_text(r, "The logit form L = softplus(z) − y·z, computed as max(z,0) − y·z + log1p(e^−|z|), stays "
                   "finite and accurate for every z, and so does ∂L/∂z = σ(z) − y. PyTorch has both: "
                   "BCEWithLogitsLoss fuses the sigmoid into the loss and returns ∂L/∂z = σ(z) − y directly.");
    double p1 = sigmoid(1.0);
    report_text(r, "A Sigmoid layer followed by BCELoss overflows nowhere; it fails silently. BCELoss takes ŷ, "
                   "and its backward (PyTorch 1.13) returns eq. (1) with a clamped denominator, (ŷ − y)/max(ŷ(1 − "
                   "ŷ), %g) (at ŷ = %.6g, y = 0: 1/(1 − ŷ) = %.5g), and autograd multiplies it by σ′(z) = ŷ(1 − "
                   "ŷ). While ŷ(1 − ŷ) ≥ %g the two cancel to ŷ − y. From |z| ≈ %.2f on the clamp "
                   "wins, and the product is (ŷ − y)·ŷ(1 − ŷ)·1e12: the gradient decays like e^−|z| although the "
                   "prediction is as wrong as it can be. At y = 1, z = −30 it is %.6g instead of %g; at z = "
                   "−40, %.2g. The loss (30, 40) is still right, so nothing looks wrong: a confidently wrong "
                   "output just stops learning. In float32 with y = 0 the gradient is exactly 0 once ŷ rounds "
                   "to 1 (from z ≈ %.2f). Measured with torch 1.13 on the CPU; the table computes the same "
                   "formula:",
                TORCH_BCE_EPSILON, p1, 1.0 / (1.0 - p1), TORCH_BCE_EPSILON, first_z_clamped(), torch_sigmoid_bceloss_dz(1.0, z30),
                exact30, torch_sigmoid_bceloss_dz(1.0, z40), first_z_rounding_to_one(true));
    torch_table(r);
    report_text(r, "BCELoss also clamps each log at −100, as its documentation says, so its loss saturates at "
                   "100 per output: a prediction that is 800 wrong (z = −800 for y = 1) reads as 100. Whenever "
                   "a network ends in a sigmoid, use BCEWithLogitsLoss, or the logit form above.");
}
