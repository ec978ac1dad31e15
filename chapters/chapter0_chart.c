// Chapter 0: see chapter0_chart.h.
#include "chapter0_chart.h"

#include <stdlib.h>
#include <string.h>

const char *const METHOD_LABEL[FD_N_METHODS] = {"forward", "central", "5-point", "complex step"};

// err[i * n_methods + m] is method m's error at step h[i], where have[...]
// says it was evaluated; labels name the methods.
static void error_chart(Report *r, const double *h, const double *err, const bool *have, int n_rows,
                        const char *const *labels, int n_methods) {
    double *x = calloc((size_t)(n_rows * n_methods), sizeof(double)), *y = calloc((size_t)(n_rows * n_methods), sizeof(double));
    SvgSeries *series = calloc((size_t)n_methods, sizeof *series);
    if (!x || !y || !series) usage_error("out of memory for the chart");
    for (int m = 0; m < n_methods; m++) {
        series[m] = (SvgSeries){labels[m], x + m * n_rows, y + m * n_rows, 0};
        for (int i = 0; i < n_rows; i++)
            if (have[i * n_methods + m]) {
                x[m * n_rows + series[m].n] = h[i];
                y[m * n_rows + series[m].n++] = err[i * n_methods + m];
            }
    }
    SvgAxes axes = {"Absolute error of f'(x) against the step h", "step h", "absolute error", true, true};
    report_curves(r, &axes, series, n_methods);
    free(x), free(y), free(series);
}

void v_chart(Report *r, const Row *rows, int n_rows) {
    double *h = calloc((size_t)n_rows, sizeof(double)), *err = calloc((size_t)n_rows * FD_N_METHODS, sizeof(double));
    bool *have = calloc((size_t)n_rows * FD_N_METHODS, sizeof(bool));
    if (!h || !err || !have) usage_error("out of memory for the chart");
    // The decades of the table (1e-1 to 1e-16), as plots/chapter0.gp draws
    // them: the extra tiny steps would squeeze the V into a corner.
    int n = 0;
    for (int i = 0; i < n_rows; i++) {
        if (rows[i].h < CHART_SMALLEST_H) continue;
        h[n] = rows[i].h;
        memcpy(&err[n * FD_N_METHODS], rows[i].err, sizeof rows[i].err);
        memcpy(&have[n * FD_N_METHODS], rows[i].have, sizeof rows[i].have);
        n++;
    }
    error_chart(r, h, err, have, n, METHOD_LABEL, FD_N_METHODS);
    free(h), free(err), free(have);
}
