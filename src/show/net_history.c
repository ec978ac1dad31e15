// Chapter 6's training history as tables, JSON and a chart (net_history.h).
#include "net_history.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "arraylen.h"
#include "options.h"
#include "plotfile.h"
#include "strbuf.h"
#include "svg.h"
#include "tensor.h"

const char *history_magnitude(char *out, size_t n, double v) {
    snprintf(out, n, fabs(v) < 1e5 ? "%.6f" : "%.3e", v);
    return out;
}

void history_table(Report *r, const NetHistory *h) {
    const char *th[] = {"epoch", "train loss", "train acc", "test loss", "test acc"};
    report_table_begin(r, ARRAY_LEN(th), th);
    for (int e = 0; e <= h->done; e++) {
        char es[20], tl[40], ta[40], sl[40], sa[40];
        snprintf(es, sizeof es, "%d", e);
        history_magnitude(tl, sizeof tl, h->train_loss[e]);
        snprintf(ta, sizeof ta, "%.1f%%", 100.0 * h->train_acc[e]);
        history_magnitude(sl, sizeof sl, h->test_loss[e]);
        snprintf(sa, sizeof sa, "%.1f%%", 100.0 * h->test_acc[e]);
        const char *row[] = {es, tl, ta, sl, sa};
        report_table_row(r, row);
    }
    report_table_end(r);
}

void history_json(Report *r, const NetHistory *h) {
    const char *keys[] = {"losses", "train_accuracies", "test_losses", "test_accuracies"};
    const double *v[] = {h->train_loss, h->train_acc, h->test_loss, h->test_acc};
    StrBuf json = {0};
    for (int k = 0; k < ARRAY_LEN(keys); k++) {
        sb_clear(&json);
        Tensor t = tensor_view((double *)v[k], 1, 1, h->done + 1);
        json_append_tensor(&json, &t, keys[k]);
        report_json_raw(r, keys[k], sb_str(&json));
    }
    sb_free(&json);
}

void history_chart(Report *r, const NetHistory *h) {
    double *epoch = calloc((size_t)h->done + 1, sizeof(double));
    if (!epoch) usage_error("out of memory for the chart");
    for (int e = 0; e <= h->done; e++) epoch[e] = e;
    SvgSeries s[] = {{"train loss", epoch, h->train_loss, h->done + 1}, {"test loss", epoch, h->test_loss, h->done + 1}};
    SvgAxes axes = {"BCE loss per epoch", "epoch (0 = before training)", "mean BCE loss", false, false};
    report_curves(r, &axes, s, 2);
    free(epoch);
}

void history_write_plots(const char *dir, const NetHistory *h, const double *kernel, const NetShape *s) {
    FILE *f = plot_file_open(dir, "chapter6_losses.dat");
    fprintf(f, "# epoch train_loss test_loss test_accuracy train_accuracy\n");
    for (int e = 0; e <= h->done; e++)
        fprintf(f, "%d %.17g %.17g %.17g %.17g\n", e, h->train_loss[e], h->test_loss[e], h->test_acc[e],
                h->train_acc[e]);
    plot_file_close(f, dir, "chapter6_losses.dat");
    f = plot_file_open(dir, "chapter6_kernels.dat");
    fprintf(f, "# the learned kernels, one matrix block per kernel (gnuplot index 0..%d)\n", s->kernels - 1);
    for (int c = 0; c < s->kernels; c++) {
        if (c) fprintf(f, "\n\n");
        for (int i = 0; i < s->k; i++)
            for (int j = 0; j < s->k; j++)
                fprintf(f, "%.17g%s", kernel[(c * s->k + i) * s->k + j], j + 1 < s->k ? " " : "\n");
    }
    plot_file_close(f, dir, "chapter6_kernels.dat");
    f = plot_file_open(dir, "chapter6_kernels.gp");
    fprintf(f, "kernels = %d\nksize = %d\n", s->kernels, s->k);
    plot_file_close(f, dir, "chapter6_kernels.gp");
}
