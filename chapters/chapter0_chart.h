#ifndef CHAPTER0_CHART_H
#define CHAPTER0_CHART_H
// Chapter 0's V as a chart (drawn inline by --format html, as
// plots/chapter0.gp draws it from --plot): each method's absolute error
// against h, both axes logarithmic (chapter0_chart.c).
#include "fdiff.h"
#include "report.h"

// One step h of the error table: each method's absolute error, where it
// was evaluated.
typedef struct {
    double h;
    bool have[FD_N_METHODS];
    double err[FD_N_METHODS];
} Row;

// The smallest step the chart shows.
#define CHART_SMALLEST_H 1e-16

extern const char *const METHOD_LABEL[FD_N_METHODS];

// The V as a chart (html draws it; other formats leave it to --plot).
void v_chart(Report *r, const Row *rows, int n_rows);

#endif
