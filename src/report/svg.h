#ifndef WORKBOOK_SVG_H
#define WORKBOOK_SVG_H
// Pictures drawn by the program itself as inline SVG, for the HTML format:
// a page needs no gnuplot and no image files.
//
// Colour means one thing everywhere (as in plots/): a diverging map with 0
// white, negative blue and positive red, scaled to the largest magnitude.

#include <stdbool.h>

#include "strbuf.h"
#include "tensor.h"

// Largest matrix drawn cell by cell; bigger ones are not drawn (their
// summary is shown as numbers instead).
#define SVG_HEATMAP_MAX_CELLS 4096
// Cells are labelled with their values up to this many rows and columns.
#define SVG_HEATMAP_LABEL_MAX 12

// Channel c of t as a heatmap (one <svg> element) titled `title`.
// Returns false, writing nothing, when t is too large to draw.
bool svg_heatmap(StrBuf *out, const Tensor *t, int c, const char *title);

// The fill colour of v on the diverging map scaled to `scale` (> 0), as
// "#rrggbb" into buf (8 bytes).
void svg_diverging_colour(char *buf, double v, double scale);

// A line chart of one or more series (the curves `make plots` draws): log
// or linear axes with labelled ticks, a legend under the plot so that it
// never hides a point. Points that a log axis cannot show (≤ 0, or not
// finite) are left out of the line.
typedef struct {
    const char *label;
    const double *x, *y;
    int n;
} SvgSeries;

typedef struct {
    const char *title, *x_label, *y_label;
    bool log_x, log_y;
} SvgAxes;

// WCAG 2 contrast ratio (1 to 21) of two "#rrggbb" colours.
double svg_contrast_ratio(const char *a, const char *b);
// "#000000" or "#ffffff": the heatmap label colour with the higher contrast on fill.
const char *svg_label_colour(const char *fill);

// Returns false, writing nothing, when no series has a point to draw.
bool svg_curves(StrBuf *out, const SvgAxes *axes, const SvgSeries *series, int n_series);

#endif
