// Chapter 2: see chapter2_identity.h.
#include "chapter2_identity.h"

#include <math.h>
#include <stdio.h>

void check_chain_identity(Report *r, const Data *d, const Tensor *dyhat, const Tensor *dz) {
    double max_abs = 0.0, max_rel = 0.0;
    int compared = 0;
    for (int i = 0; i < d->n; i++) {
        double p = d->yhat.data[i];
        if (yhat_margin(p) < CHAIN_MARGIN || !isfinite(dyhat->data[i])) continue;
        double a = dyhat->data[i] * p * (1.0 - p), b = dz->data[i], diff = fabs(a - b), y = d->y.data[i];
        // Relative to the terms each side subtracts (y(1 − ŷ) and (1 − y)ŷ;
        // ŷ and y), not to a difference that may be 0: at ŷ = y both sides
        // are rounding noise of 1e-17 around a true 0.
        double terms = fmax(y * (1.0 - p) + (1.0 - y) * p, p + y) / d->n;
        max_abs = fmax(max_abs, diff);
        max_rel = fmax(max_rel, diff > 0 ? diff / fmax(fmax(fabs(a), fabs(b)), terms) : 0.0);
        compared++;
    }
    if (!compared) {
        report_text(r, "No entry has ŷ at least %g from 0 and 1, so the product form is not compared.",
                    CHAIN_MARGIN);
        return;
    }
    char detail[160];
    snprintf(detail, sizeof detail, "entries with ŷ at least %g from 0 and 1, differences relative to the terms",
             CHAIN_MARGIN);
    report_identity(r, "∂L/∂ŷ·ŷ(1 − ŷ) = ∂L/∂z", compared, max_abs, max_rel, CHAIN_REL_TOL, detail);
}
