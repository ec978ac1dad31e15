#include "svg.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mathml.h"
#include "mathfn.h"

// Pixels per cell, and the margin around the grid, in SVG user units.
#define CELL 36
#define MARGIN 4

// The saturated ends of the map (ColorBrewer's RdBu): red and blue.
static const int POSITIVE_END[3] = {178, 24, 43}, NEGATIVE_END[3] = {33, 102, 172};

void svg_diverging_colour(char *buf, double v, double scale) {
    double t = scale > 0.0 ? fmin(1.0, fabs(v) / scale) : 0.0;
    const int *end = v < 0 ? NEGATIVE_END : POSITIVE_END;
    int rgb[3];
    for (int k = 0; k < 3; k++) rgb[k] = (int)lround(255.0 + t * (end[k] - 255.0));
    snprintf(buf, 8, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
}

// WCAG 2's relative luminance of an sRGB channel (0-255).
static double channel_luminance(int c) {
    double v = c / 255.0;
    return v <= 0.04045 ? v / 12.92 : wb_pow((v + 0.055) / 1.055, 2.4);
}

static double luminance(const char *hex) {
    unsigned r = 0, g = 0, b = 0;
    if (sscanf(hex, "#%2x%2x%2x", &r, &g, &b) != 3) return 0.0;
    return 0.2126 * channel_luminance((int)r) + 0.7152 * channel_luminance((int)g) +
           0.0722 * channel_luminance((int)b);
}

double svg_contrast_ratio(const char *a, const char *b) {
    double la = luminance(a), lb = luminance(b);
    return (fmax(la, lb) + 0.05) / (fmin(la, lb) + 0.05);
}

// Black or white, whichever contrasts more with the fill: the better of
// the two is at least 4.58:1 on any colour, above WCAG's 4.5:1 for text.
const char *svg_label_colour(const char *fill) {
    return svg_contrast_ratio(fill, "#000000") >= svg_contrast_ratio(fill, "#ffffff") ? "#000000" : "#ffffff";
}

// The label of a cell: 3 significant digits, no "-0".
static void cell_label(char *buf, size_t len, double v) { snprintf(buf, len, "%.3g", v == 0.0 ? 0.0 : v); }

bool svg_heatmap(StrBuf *out, const Tensor *t, int c, const char *title) {
    int h = t->h, w = t->w;
    if ((long)h * w > SVG_HEATMAP_MAX_CELLS) return false;
    double scale = 0.0;
    size_t widest = 1;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            char num[16];
            cell_label(num, sizeof num, *tensor_at(t, c, i, j));
            scale = fmax(scale, fabs(*tensor_at(t, c, i, j)));
            if (strlen(num) > widest) widest = strlen(num);
        }
    bool labels = h <= SVG_HEATMAP_LABEL_MAX && w <= SVG_HEATMAP_LABEL_MAX;
    // Cells as wide as their longest label (about 7.5 units a character at
    // 12 units), and never narrower than they are tall.
    int cell_w = labels ? (int)fmax(CELL, 7.5 * (double)widest + 10.0) : CELL;
    int width = w * cell_w + 2 * MARGIN, height = h * CELL + 2 * MARGIN;
    sb_printf(out, "<svg class=\"heatmap\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">", width,
              height, width, height);
    sb_puts(out, "<title>");
    xml_escape(out, title);
    sb_puts(out, " (heatmap: red positive, blue negative, white zero)</title>");
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double v = *tensor_at(t, c, i, j);
            char fill[8], num[16];
            svg_diverging_colour(fill, v, scale);
            sb_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", MARGIN + j * cell_w,
                      MARGIN + i * CELL, cell_w, CELL, fill);
            if (!labels) continue;
            cell_label(num, sizeof num, v);
            sb_printf(out,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" dominant-baseline=\"central\" "
                      "font-size=\"12\" fill=\"%s\">%s</text>",
                      MARGIN + j * cell_w + cell_w / 2, MARGIN + i * CELL + CELL / 2, svg_label_colour(fill), num);
        }
    sb_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/></svg>",
              MARGIN, MARGIN, w * cell_w, h * CELL);
    return true;
}

// ------------------------------------------------------------ curves

// The chart's frame in SVG units: a 640×400 canvas, the plot inside margins
// wide enough for tick labels on the left and the legend below.
#define CHART_W 640
#define CHART_H 400
#define PLOT_LEFT 78
#define PLOT_RIGHT 620
#define PLOT_TOP 34
#define PLOT_BOTTOM 300
// Colour-blind-safe line colours (Okabe and Ito), one per series in turn.
static const char *const LINE_COLOURS[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"};

typedef struct {
    double lo, hi;
    bool log;
} Axis;

static bool drawable(double v, bool log_axis) { return isfinite(v) && (!log_axis || v > 0.0); }

static double axis_value(const Axis *a, double v) { return a->log ? wb_log10(v) : v; }

// Maps v onto [from, to] of the SVG canvas.
static double axis_map(const Axis *a, double v, double from, double to) {
    double t = (axis_value(a, v) - a->lo) / (a->hi - a->lo);
    return from + t * (to - from);
}

static bool axis_range(Axis *a, const SvgSeries *s, int n, bool use_x) {
    a->lo = INFINITY, a->hi = -INFINITY;
    for (int k = 0; k < n; k++)
        for (int i = 0; i < s[k].n; i++) {
            double v = use_x ? s[k].x[i] : s[k].y[i];
            if (!drawable(v, a->log)) continue;
            a->lo = fmin(a->lo, axis_value(a, v));
            a->hi = fmax(a->hi, axis_value(a, v));
        }
    if (!isfinite(a->lo)) return false;
    if (a->log) {
        a->lo = floor(a->lo), a->hi = ceil(a->hi); // whole decades
    } else {
        double pad = (a->hi - a->lo) * 0.05;
        a->lo -= pad, a->hi += pad;
    }
    if (a->hi - a->lo < 1e-12) a->lo -= 1.0, a->hi += 1.0;
    return true;
}

// Tick positions: every decade on a log axis (every few when there are
// many), about six round numbers on a linear one.
static int axis_ticks(const Axis *a, double *ticks, int max) {
    int n = 0;
    if (a->log) {
        int step = (int)ceil((a->hi - a->lo) / 8.0);
        for (double e = a->lo; e <= a->hi + 1e-9 && n < max; e += step) ticks[n++] = wb_pow(10.0, e);
        return n;
    }
    double raw = (a->hi - a->lo) / 6.0, mag = wb_pow(10.0, floor(wb_log10(raw))), step = mag;
    if (raw / mag > 5) step = 10 * mag;
    else if (raw / mag > 2) step = 5 * mag;
    else if (raw / mag > 1) step = 2 * mag;
    for (double t = ceil(a->lo / step) * step; t <= a->hi + 1e-9 * step && n < max; t += step)
        ticks[n++] = fabs(t) < 1e-12 * step ? 0.0 : t;
    return n;
}

static void tick_label(char *buf, size_t len, const Axis *a, double v) {
    if (a->log) snprintf(buf, len, "1e%d", (int)lround(wb_log10(v)));
    else snprintf(buf, len, "%.4g", v);
}

static void chart_axes(StrBuf *out, const Axis *ax, const Axis *ay, const SvgAxes *axes) {
    double ticks[16];
    char lab[32];
    sb_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"currentColor\"/>",
              PLOT_LEFT, PLOT_TOP, PLOT_RIGHT - PLOT_LEFT, PLOT_BOTTOM - PLOT_TOP);
    int n = axis_ticks(ax, ticks, 16);
    for (int k = 0; k < n; k++) {
        double x = axis_map(ax, ticks[k], PLOT_LEFT, PLOT_RIGHT);
        tick_label(lab, sizeof lab, ax, ticks[k]);
        sb_printf(out, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"currentColor\"/>", x, PLOT_BOTTOM,
                  x, PLOT_BOTTOM + 6);
        sb_printf(out, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>", x, PLOT_BOTTOM + 22, lab);
    }
    n = axis_ticks(ay, ticks, 16);
    for (int k = 0; k < n; k++) {
        double y = axis_map(ay, ticks[k], PLOT_BOTTOM, PLOT_TOP);
        tick_label(lab, sizeof lab, ay, ticks[k]);
        sb_printf(out, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"currentColor\"/>", PLOT_LEFT - 6, y,
                  PLOT_LEFT, y);
        sb_printf(out, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" dominant-baseline=\"central\">%s</text>",
                  PLOT_LEFT - 9, y, lab);
    }
    sb_printf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (PLOT_LEFT + PLOT_RIGHT) / 2, PLOT_BOTTOM + 44);
    xml_escape(out, axes->x_label);
    sb_printf(out, "</text><text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">",
              (PLOT_TOP + PLOT_BOTTOM) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2);
    xml_escape(out, axes->y_label);
    sb_printf(out, "</text><text x=\"%d\" y=\"20\" text-anchor=\"middle\" font-weight=\"bold\">",
              (PLOT_LEFT + PLOT_RIGHT) / 2);
    xml_escape(out, axes->title);
    sb_puts(out, "</text>");
}

static void chart_series(StrBuf *out, const Axis *ax, const Axis *ay, const SvgSeries *s, int k) {
    const char *colour = LINE_COLOURS[k % (int)(sizeof LINE_COLOURS / sizeof *LINE_COLOURS)];
    sb_printf(out, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colour);
    for (int i = 0; i < s->n; i++)
        if (drawable(s->x[i], ax->log) && drawable(s->y[i], ay->log))
            sb_printf(out, "%.1f,%.1f ", axis_map(ax, s->x[i], PLOT_LEFT, PLOT_RIGHT),
                      axis_map(ay, s->y[i], PLOT_BOTTOM, PLOT_TOP));
    sb_puts(out, "\"/>");
    for (int i = 0; i < s->n; i++)
        if (drawable(s->x[i], ax->log) && drawable(s->y[i], ay->log))
            sb_printf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>",
                      axis_map(ax, s->x[i], PLOT_LEFT, PLOT_RIGHT), axis_map(ay, s->y[i], PLOT_BOTTOM, PLOT_TOP),
                      colour);
    // The legend: a row under the axis label, two entries per line.
    int lx = PLOT_LEFT + (k % 2) * 280, ly = PLOT_BOTTOM + 66 + (k / 2) * 20;
    sb_printf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"3\"/>", lx, ly,
              lx + 24, ly, colour);
    sb_printf(out, "<text x=\"%d\" y=\"%d\" dominant-baseline=\"central\">", lx + 30, ly);
    xml_escape(out, s->label);
    sb_puts(out, "</text>");
}

bool svg_curves(StrBuf *out, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    Axis ax = {.log = axes->log_x}, ay = {.log = axes->log_y};
    if (!axis_range(&ax, series, n_series, true) || !axis_range(&ay, series, n_series, false)) return false;
    int height = CHART_H + ((n_series + 1) / 2 - 1) * 20;
    sb_printf(out,
              "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
              "style=\"font: 14px sans-serif; fill: currentColor\"><title>",
              CHART_W, height, CHART_W, height);
    xml_escape(out, axes->title);
    sb_puts(out, "</title>");
    chart_axes(out, &ax, &ay, axes);
    for (int k = 0; k < n_series; k++) chart_series(out, &ax, &ay, &series[k], k);
    sb_puts(out, "</svg>");
    return true;
}
