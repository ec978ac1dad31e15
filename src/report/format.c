// The backend table and what several backends share: the matrix summary
// decision, aligned text matrices and JSON strings.
#include "format.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const FormatBackend *const BACKENDS[FORMAT_COUNT] = {
#define FORMAT_BACKEND_(e, name) &format_##name,
    FORMAT_LIST(FORMAT_BACKEND_)
#undef FORMAT_BACKEND_
};

const FormatBackend *format_backend(Format f) { return (unsigned)f < FORMAT_COUNT ? BACKENDS[f] : NULL; }

// ---------------------------------------------------------------- matrix summary

// Shown entries of a side of n: all, or edge + ellipsis + edge.
static int shown(int n, int edge) { return edge ? 2 * edge + 1 : n; }

MatrixLayout matrix_layout(const Tensor *t, int entry_width, int indent, bool full) {
    MatrixLayout m = {.rows = t->h, .cols = t->w};
    if (full) return m;
    if (t->h > MATRIX_SUMMARY_MAX) m.row_edge = MATRIX_SUMMARY_EDGE;
    // "[" + " entry" per column + " ]"
    int fit = (MATRIX_LINE_WIDTH - indent - 3) / (entry_width + 1);
    if (t->w > MATRIX_SUMMARY_MAX || t->w > fit) {
        int edge = (fit - 1) / 2;
        if (edge > MATRIX_SUMMARY_EDGE) edge = MATRIX_SUMMARY_EDGE;
        if (edge < 1) edge = 1;
        if (2 * edge + 1 < t->w) m.col_edge = edge;
    }
    m.rows = shown(t->h, m.row_edge);
    m.cols = shown(t->w, m.col_edge);
    return m;
}

int matrix_layout_index(int k, int edge, int n) {
    if (!edge || k < edge) return k;
    if (k == edge) return -1;
    return n - (2 * edge + 1 - k);
}

// Below this, an integer prints in %.6g as its digits: the exponent is at
// most 5, under the precision 6, so no e-notation and no fraction.
#define PLAIN_INTEGER_LIMIT 1e6

// The width format_number gives v, counted without formatting when v is a
// small integer (a 4096x4096 matrix of them formats in seconds).
static int number_width(double v, const char *what) {
    if (isfinite(v) && fabs(v) < PLAIN_INTEGER_LIMIT && v == floor(v)) {
        int digits = 1;
        for (long a = labs((long)v); a >= 10; a /= 10) digits++;
        return digits + (v < 0);
    }
    char num[40];
    format_number(num, sizeof num, v, what);
    return (int)strlen(num);
}

int matrix_entry_width(const Tensor *t, int c, const char *what) {
    int width = 1;
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) {
            int n = number_width(*tensor_at(t, c, i, j), what);
            if (n > width) width = n;
        }
    return width;
}

void format_text_matrix(StrBuf *b, const Tensor *t, int c, const char *indent, const char *what, bool full) {
    char num[40];
    int width = matrix_entry_width(t, c, what);
    MatrixLayout m = matrix_layout(t, width, (int)strlen(indent), full);
    for (int si = 0; si < m.rows; si++) {
        int i = matrix_layout_index(si, m.row_edge, t->h);
        sb_printf(b, "%s[", indent);
        for (int sj = 0; sj < m.cols; sj++) {
            int j = matrix_layout_index(sj, m.col_edge, t->w);
            if (i < 0 || j < 0) {
                // right-aligned like the numbers; the ellipsis is one column
                sb_printf(b, " %*s%s", width - 1, "", i < 0 && j < 0 ? "⋱" : i < 0 ? "⋮" : "…");
                continue;
            }
            format_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            sb_printf(b, " %*s", width, num);
        }
        sb_puts(b, " ]\n");
    }
}

// ---------------------------------------------------------------- JSON text

void json_append_string(StrBuf *b, const char *s) {
    sb_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c == '\n')
            sb_puts(b, "\\n");
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_putc(b, (char)c);
    }
    sb_putc(b, '"');
}

static const char *digits(const char *p) {
    while (*p >= '0' && *p <= '9') p++;
    return p;
}

// JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool cell_is_number(const char *cell) {
    const char *p = cell;
    if (*p == '-') p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        p = digits(p);
    else
        return false;
    if (*p == '.') {
        const char *q = digits(p + 1);
        if (q == p + 1) return false;
        p = q;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        const char *q = digits(p);
        if (q == p) return false;
        p = q;
    }
    return *p == '\0';
}
