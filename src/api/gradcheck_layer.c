// gc_check_layer: a layer with matrix output Y checked through the scalar
// L = Σ_i G_i·Y_i (the vector-Jacobian trick): ∂L/∂θ is exactly what the
// layer's backward pass returns for dY = G.
#include "../../include/gradcheck.h"

#include "gradcheck_api_internal.h"

#include <math.h>
#include <string.h>

typedef struct {
    gc_forward_fn forward;
    void *ctx;
    const double *upstream; // G, m entries
    double *y, *y_scale;    // the workspace's m + m doubles
    int m;
} LayerLoss;

// L = Σ G_i·Y_i; its terms' size Σ |G_i|·max(|Y_i|, Σ|parts of Y_i|) is
// how far the rounding of Y's inner sums can move L.
static double layer_loss(void *p, double *scale) {
    LayerLoss *l = p;
    memset(l->y, 0, (size_t)l->m * sizeof *l->y);
    memset(l->y_scale, 0, (size_t)l->m * sizeof *l->y_scale);
    l->forward(l->ctx, l->y, l->y_scale);
    double sum = 0.0, terms = 0.0;
    for (int i = 0; i < l->m; i++) {
        sum += l->upstream[i] * l->y[i];
        terms += fabs(l->upstream[i]) * fmax(fabs(l->y[i]), l->y_scale[i]);
    }
    *scale = terms;
    return sum;
}

gc_status gc_check_layer(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                         gc_forward_fn forward, void *ctx, const double *upstream, int m,
                         const gc_options *opt, void *work) {
    if (!res) return GC_ERR_NULL;
    if (n <= 0 || m <= 0) return gc_fail(res, GC_ERR_SIZE, "n and m must be positive, not %d and %d", n, m);
    if (!forward || !upstream || !work)
        return gc_fail(res, GC_ERR_NULL, "%s is NULL", !forward ? "the forward callback" : !upstream ? "upstream" : "work");
    for (int i = 0; i < m; i++)
        if (!isfinite(upstream[i]))
            return gc_fail(res, GC_ERR_NONFINITE_INPUT, "upstream[%d] is %g", i, upstream[i]);
    double *y = (double *)(void *)((char *)work + gc_workspace_size(n));
    LayerLoss l = {forward, ctx, upstream, y, y + m, m};
    Watched w = {.loss = layer_loss, .ctx = &l, .entry = -1};
    return gc_check_watched(res, entries, theta, grad, n, &w, opt, work);
}
