#include "svg.h"

#include <math.h>
#include <stdio.h>

#include "mathml.h"

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

bool svg_heatmap(StrBuf *out, const Tensor *t, int c, const char *title) {
    int h = t->h, w = t->w;
    if ((long)h * w > SVG_HEATMAP_MAX_CELLS) return false;
    double scale = 0.0;
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) scale = fmax(scale, fabs(*tensor_at(t, c, i, j)));
    bool labels = h <= SVG_HEATMAP_LABEL_MAX && w <= SVG_HEATMAP_LABEL_MAX;
    int width = w * CELL + 2 * MARGIN, height = h * CELL + 2 * MARGIN;
    sb_printf(out, "<svg class=\"heatmap\" role=\"img\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">", width,
              height, width, height);
    sb_puts(out, "<title>");
    xml_escape(out, title);
    sb_puts(out, " (heatmap: red positive, blue negative, white zero)</title>");
    for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++) {
            double v = *tensor_at(t, c, i, j);
            char fill[8];
            svg_diverging_colour(fill, v, scale);
            sb_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>", MARGIN + j * CELL,
                      MARGIN + i * CELL, CELL, CELL, fill);
            if (!labels) continue;
            char num[16];
            snprintf(num, sizeof num, "%.3g", v == 0.0 ? 0.0 : v);
            bool dark = scale > 0.0 && fabs(v) / scale > 0.6;
            sb_printf(out,
                      "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" dominant-baseline=\"central\" "
                      "font-size=\"%d\" fill=\"%s\">%s</text>",
                      MARGIN + j * CELL + CELL / 2, MARGIN + i * CELL + CELL / 2, 12,
                      dark ? "#ffffff" : "#000000", num);
        }
    sb_printf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#888\"/></svg>",
              MARGIN, MARGIN, w * CELL, h * CELL);
    return true;
}
