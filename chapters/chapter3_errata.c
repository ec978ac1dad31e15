// Chapter 3's errata computed from the numbers (chapter3_errata.h).
#include "chapter3_errata.h"

#include <math.h>
#include <stdio.h>

#include "loss.h"
#include "mathfn.h"
#include "options.h"
#include "tensor.h"

// The article's eq. (3), ∂L/∂ŷ weighted by W: eq. (1) where ∂L/∂z belongs.
void dense_erratum_eq3(Report *r, const DenseCase *d) {
    Tensor dyhat = tensor_alloc(1, 1, d->n), eq3 = tensor_alloc(1, 1, d->m);
    bce_grad_yhat(dyhat.data, d->y.data, d->yhat.data, d->n);
    for (int i = 0; i < d->n; i++)
        for (int j = 0; j < d->m; j++) eq3.data[j] += dyhat.data[i] * *tensor_at(&d->W, 0, i, j);
    char a[64], c[64];
    format_number(a, sizeof a, eq3.data[0], "eq. (3)");
    format_number(c, sizeof c, d->dx.data[0], "∂L/∂x");
    report_erratum(r, "the article's eq. (3) is −(1/n) Σ_i (y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i))·w_ij: ∂L/∂ŷ_i where "
                      "∂L/∂z_i belongs, so it lacks σ′(z_i) like eq. (2). It gives ∂L/∂x_0 = %s; the full chain "
                      "gives %s.",
                   a, c);
    tensor_free(&dyhat);
    tensor_free(&eq3);
}

// The article's model without the activation, ŷ = z, and one step of its own
// update: ŷ leaves (0,1), where BCE is no longer defined.
void dense_erratum_linear_output(Report *r, const DenseCase *d, double lr) {
    int n = d->n, outside = -1;
    double xx = 1.0 + 4.0 * n * dense_curvature_bound(d) - 1.0; // ‖x‖² + 1: one step moves z_i by −η g_i (‖x‖² + 1)
    for (int i = n - 1; i >= 0; i--)
        if (!(d->z.data[i] > 0 && d->z.data[i] < 1)) outside = i;
    char z0[64];
    format_number(z0, sizeof z0, d->z.data[outside < 0 ? 0 : outside], "z");
    if (outside >= 0) {
        report_erratum(r, "without the sigmoid the article's ŷ is z itself, and here z_%d = %s lies outside (0,1): "
                          "%s is undefined and the article's loss cannot even be evaluated.",
                       outside, z0, d->z.data[outside] <= 0 ? "log ŷ" : "log(1 − ŷ)");
        return;
    }
    double worst = d->z.data[0];
    int worst_i = 0;
    for (int i = 0; i < n; i++) {
        double zi = d->z.data[i], yi = d->y.data[i];
        double z_new = zi + lr * (yi / zi - (1 - yi) / (1 - zi)) / n * xx;
        if (i == 0 || fabs(z_new - 0.5) > fabs(worst - 0.5)) worst = z_new, worst_i = i;
    }
    char zs[64], lrs[64], neg[256] = "";
    format_number(zs, sizeof zs, worst, "the article's update");
    format_number(lrs, sizeof lrs, lr, "--lr");
    if (worst > 0 && worst < 1) {
        report_erratum(r, "without the sigmoid the article's ŷ is z itself. Here z = %s lies in (0,1) and one step "
                          "of its update (η = %s) keeps it there (ŷ_%d = %s), but nothing in the model keeps "
                          "ŷ a probability: BCE is undefined as soon as it leaves (0,1).",
                       z0, lrs, worst_i, zs);
        return;
    }
    if (worst > 1 && d->y.data[worst_i] == 1) {
        char lv[64];
        format_number(lv, sizeof lv, -wb_log(worst), "the article's loss");
        snprintf(neg, sizeof neg, ", and the y = 1 term alone gives L = −log %s = %s < 0, a negative cross-entropy", zs,
                 lv);
    }
    report_erratum(r, "without the sigmoid the article's ŷ is z itself. Here z_0 = %s happens to lie in (0,1), but "
                      "one step of the article's own update (η = %s) moves ŷ_%d to %s: %s is undefined%s.",
                   z0, lrs, worst_i, zs, worst > 1 ? "log(1 − ŷ)" : "log ŷ", neg);
}
