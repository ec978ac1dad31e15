// Chapter 6's kernel votes, measured on images (kernel_votes.h).
#include "kernel_votes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "options.h"

// "7.17"; in scientific notation when two decimals would need more than 5
// digits before the point ("1.23e+148") or show nothing ("4.2e-03").
static void signed_magnitude(char *out, size_t n, double v) {
    double a = fabs(v);
    snprintf(out, n, a >= 1e5 ? "%.2e" : (a >= 0.01 || a == 0.0) ? "%.2f" : "%.1e", v);
}

void net_kernel_contributions(double *mean, int count[2], NetActs *a, const double *params, const Dataset *d,
                              const NetShape *s) {
    NetParams p;
    net_params_point(&p, (double *)params, s);
    int plane = s->pool_h * s->pool_w;
    count[0] = count[1] = 0;
    for (int k = 0; k < 2 * s->kernels; k++) mean[k] = 0.0;
    for (int i = 0; i < d->n; i++) {
        int label = d->y[i] > 0.5;
        net_forward(a, params, d->x + (size_t)i * s->n_input, d->y[i], s);
        count[label]++;
        for (int k = 0; k < s->kernels; k++) {
            double c = 0.0;
            for (int j = 0; j < plane; j++) c += p.dense_w[k * plane + j] * a->pooled[k * plane + j];
            mean[2 * k + label] += c;
        }
    }
    for (int k = 0; k < s->kernels; k++)
        for (int l = 0; l < 2; l++)
            if (count[l]) mean[2 * k + l] /= count[l];
}

void report_kernel_votes(Report *r, NetActs *a, const double *params, const Dataset *d, const NetShape *s) {
    double *mean = calloc((size_t)2 * s->kernels, sizeof(double));
    if (!mean) usage_error("out of memory");
    int count[2];
    net_kernel_contributions(mean, count, a, params, d, s);
    const char *th[] = {"kernel", "mean c_k, label 0", "mean c_k, label 1", "favours"};
    report_table_begin_keyed(r, "kernel_contributions", 4, th);
    for (int k = 0; k < s->kernels; k++) {
        char ks[16], m0[32], m1[32], vote[48];
        double diff = mean[2 * k + 1] - mean[2 * k];
        snprintf(ks, sizeof ks, "%d", k);
        signed_magnitude(m0, sizeof m0, mean[2 * k]);
        signed_magnitude(m1, sizeof m1, mean[2 * k + 1]);
        char by[32];
        signed_magnitude(by, sizeof by, fabs(diff));
        if (diff == 0.0 || !isfinite(diff))
            snprintf(vote, sizeof vote, "neither");
        else
            snprintf(vote, sizeof vote, "label %d by %s", diff > 0.0, by);
        const char *row[] = {ks, m0, m1, vote};
        report_table_row(r, row);
    }
    report_table_end(r);
    report_text(r, "c_k = Σ_j w_kj·p_kj is what kernel k adds to z (its dense weights times its own pooled "
                   "responses), averaged over the %d test images of label 0 and the %d of label 1. A kernel "
                   "favours the label on which it adds more, by the difference shown: the sign of its weights "
                   "alone is not its vote, since its responses can be negative.",
                count[0], count[1]);
    free(mean);
}
