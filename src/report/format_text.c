// --format text: aligned columns for a terminal or a projector. Colour only
// when r->color (a terminal, no --no-color, no NO_COLOR); prose wraps to
// r->width columns and never inside a number or a bracketed vector.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "report.h"

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define RESET "\033[0m"

// Appends text wrapped to width columns, each line starting with indent and
// lines it had to break starting with more; a '\n' in text starts a new line.
static void append_wrapped_indented(StrBuf *b, const char *text, int width, const char *indent,
                                    const char *more) {
    const char *p = text;
    size_t col = 0;
    bool line_start = true, broken = false;
    while (*p) {
        if (*p == '\n' || *p == ' ') {
            if (*p == '\n') {
                sb_putc(b, '\n');
                col = 0;
                line_start = true;
                broken = false;
            }
            p++;
            continue;
        }
        size_t n = wrap_unit_len(p, false), w = utf8_width_n(p, n);
        if (!line_start && col + 1 + w > (size_t)width) {
            sb_putc(b, '\n');
            col = 0;
            line_start = broken = true;
        }
        if (line_start) {
            const char *lead = broken ? more : indent;
            sb_puts(b, lead);
            col = strlen(lead);
        } else {
            sb_putc(b, ' ');
            col++;
        }
        sb_printf(b, "%.*s", (int)n, p);
        col += w;
        line_start = false;
        p += n;
    }
    sb_putc(b, '\n');
}

static void append_wrapped(StrBuf *b, const char *text, int width) {
    append_wrapped_indented(b, text, width, "", "");
}

static void underlined(Report *r, const char *title, char line) {
    sb_printf(&r->out, "%s%s%s\n", r->color ? BOLD : "", title, r->color ? RESET : "");
    size_t n = utf8_width(title);
    for (size_t k = 0; k < n; k++) sb_putc(&r->out, line);
    sb_puts(&r->out, "\n\n");
}

static void text_begin(Report *r, const char *title) { underlined(r, title, '='); }

static void text_finish(Report *r) { (void)r; }

static void text_heading(Report *r, const char *title) { underlined(r, title, '-'); }

static void text_paragraph(Report *r, ParagraphKind kind, const char *body) {
    StrBuf line = {0};
    switch (kind) {
    case PARA_PROSE: break;
    case PARA_ERRATUM: sb_puts(&line, "! Erratum: "); break;
    }
    sb_puts(&line, body);
    append_wrapped(&r->out, sb_str(&line), r->width);
    sb_putc(&r->out, '\n');
    sb_free(&line);
}

// Indented; a long equation continues further indented.
// Spacing that aligns its parts is kept when it fits.
static void text_equation(Report *r, const char *text, const char *latex) {
    (void)latex;
    bool fits = true;
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, "\n");
        if (4 + utf8_width_n(p, n) > (size_t)r->width) fits = false;
        p += n + (p[n] == '\n');
    }
    if (fits)
        sb_printf(&r->out, "    %s\n", text);
    else
        append_wrapped_indented(&r->out, text, r->width, "    ", "        ");
    sb_putc(&r->out, '\n');
}

// Kept as typed (the chapter keeps its lines within 80 columns).
static void text_verbatim(Report *r, const char *s) {
    size_t n = strlen(s);
    sb_puts(&r->out, s);
    if (n && s[n - 1] != '\n') sb_putc(&r->out, '\n');
    sb_putc(&r->out, '\n');
}

static void text_matrix(Report *r, const char *label, const Tensor *t) {
    bool full = r->opt.full_matrices;
    for (int c = 0; c < t->c; c++) {
        char channel[32] = "";
        if (t->c > 1) snprintf(channel, sizeof channel, "[channel %d]", c);
        if (tensor_is_vector(t)) {
            sb_printf(&r->out, "%s%s = ", label, channel);
            format_text_matrix(&r->out, t, c, "", label, full);
        } else {
            sb_printf(&r->out, "%s%s =\n", label, channel);
            format_text_matrix(&r->out, t, c, "  ", label, full);
        }
        sb_putc(&r->out, '\n');
    }
}

static void text_scalar(Report *r, const char *label, double value) {
    char num[40];
    format_number(num, sizeof num, value, label);
    sb_printf(&r->out, "%s = %s\n\n", label, num);
}

static void text_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

static const char *status_color(const Report *r, const char *cell) {
    if (!r->color) return NULL;
    if (strcmp(cell, "ok") == 0 || strcmp(cell, "PASS") == 0) return GREEN;
    if (strcmp(cell, "FAIL") == 0 || strcmp(cell, "WRONG") == 0) return RED;
    return NULL;
}

// Aligned columns two spaces apart, or one when two would not fit.
static void text_table(Report *r, const Table *t) {
    size_t width[16] = {0}, total = 2;
    for (int k = 0; k < t->n_rows * t->n_cols; k++) {
        size_t w = utf8_width(t->cells[k]);
        if (w > width[k % t->n_cols]) width[k % t->n_cols] = w;
    }
    for (int j = 0; j < t->n_cols; j++) total += width[j] + (j ? 2 : 0);
    const char *gap = total > (size_t)r->width ? " " : "  ";
    for (int i = 0; i < t->n_rows; i++) {
        sb_puts(&r->out, "  ");
        for (int j = 0; j < t->n_cols; j++) {
            const char *cell = t->cells[i * t->n_cols + j];
            const char *color = i ? status_color(r, cell) : NULL;
            size_t pad = width[j] - utf8_width(cell);
            sb_printf(&r->out, "%s%s%s%s", j ? gap : "", color ? color : "", cell, color ? RESET : "");
            if (j + 1 < t->n_cols)
                for (size_t p = 0; p < pad; p++) sb_putc(&r->out, ' ');
        }
        // no trailing spaces: strip them from the line just written
        while (r->out.len && r->out.s[r->out.len - 1] == ' ') r->out.s[--r->out.len] = '\0';
        sb_putc(&r->out, '\n');
    }
    sb_putc(&r->out, '\n');
}

// "name: detail: WORD" on one line when it fits; otherwise "name: WORD"
// and the detail below it, indented and wrapped, so that the verdict stays
// on the line that names the check.
static void text_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    const char *on = r->color ? (good ? GREEN : RED) : "", *off = r->color ? RESET : "";
    if (utf8_width(name) + utf8_width(detail) + utf8_width(word) + 4 <= (size_t)r->width) {
        sb_printf(&r->out, "%s: %s: %s%s%s\n\n", name, detail, on, word, off);
        return;
    }
    sb_printf(&r->out, "%s: %s%s%s\n", name, on, word, off);
    append_wrapped_indented(&r->out, detail, r->width, "  ", "  ");
    sb_putc(&r->out, '\n');
}


// Charts are drawn by --plot with gnuplot, not in this format.
static void text_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    (void)r, (void)axes, (void)series, (void)n_series;
}

const FormatBackend format_text = {
    .name = "text",
    .begin = text_begin,
    .finish = text_finish,
    .heading = text_heading,
    .paragraph = text_paragraph,
    .equation = text_equation,
    .verbatim = text_verbatim,
    .matrix = text_matrix,
    .scalar = text_scalar,
    .member = text_member,
    .table = text_table,
    .verdict = text_verdict,
    .curves = text_curves,
};
