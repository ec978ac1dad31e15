// --format markdown: headings, paragraphs, $$ equations $$, code blocks and
// tables. Table cells escape what would break the row ('|', backslashes,
// newlines), so every row keeps its cells.
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report.h"

static void md_begin(Report *r, const char *title) { sb_printf(&r->out, "# %s\n\n", title); }

static void md_finish(Report *r) { (void)r; }

static void md_heading(Report *r, const char *title) { sb_printf(&r->out, "## %s\n\n", title); }

static void md_paragraph(Report *r, ParagraphKind kind, const char *body) {
    switch (kind) {
    case PARA_PROSE: break;
    case PARA_ERRATUM: sb_puts(&r->out, "> **Erratum:** "); break;
    }
    sb_printf(&r->out, "%s\n\n", body);
}

static void md_equation(Report *r, const char *text, const char *latex) {
    (void)text;
    sb_printf(&r->out, "$$%s$$\n\n", latex);
}

static void md_verbatim(Report *r, const char *s) {
    size_t n = strlen(s);
    sb_printf(&r->out, "```\n%s%s```\n\n", s, n && s[n - 1] != '\n' ? "\n" : "");
}

static void md_matrix(Report *r, const char *label, const Tensor *t) {
    bool full = r->opt.full_matrices;
    for (int c = 0; c < t->c; c++) {
        char channel[32] = "";
        if (t->c > 1) snprintf(channel, sizeof channel, "[channel %d]", c);
        if (tensor_is_vector(t)) {
            // A vector reads best inline: x = `[ 29 35 ]`.
            sb_printf(&r->out, "%s%s = `", label, channel);
            format_text_matrix(&r->out, t, c, "", label, full);
            r->out.s[--r->out.len] = '\0'; // the matrix line's newline
            sb_puts(&r->out, "`\n\n");
        } else {
            sb_printf(&r->out, "%s%s =\n\n```\n", label, channel);
            format_text_matrix(&r->out, t, c, "", label, full);
            sb_puts(&r->out, "```\n\n");
        }
    }
}

static void md_scalar(Report *r, const char *label, double value) {
    char num[40];
    format_number(num, sizeof num, value, label);
    sb_printf(&r->out, "%s = `%s`\n\n", label, num);
}

static void md_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

// One cell: '|' would end it, a newline would end the row, and a backslash
// could escape the '|' that closes it.
static void md_cell(StrBuf *b, const char *cell) {
    sb_putc(b, ' ');
    for (const char *p = cell; *p; p++) {
        if (*p == '|' || *p == '\\')
            sb_printf(b, "\\%c", *p);
        else if (*p == '\n')
            sb_puts(b, "<br>");
        else
            sb_putc(b, *p);
    }
    sb_puts(b, " |");
}

static void md_table(Report *r, const Table *t) {
    for (int i = 0; i < t->n_rows; i++) {
        sb_puts(&r->out, "|");
        for (int j = 0; j < t->n_cols; j++) md_cell(&r->out, t->cells[i * t->n_cols + j]);
        sb_putc(&r->out, '\n');
        if (i == 0) {
            sb_puts(&r->out, "|");
            for (int j = 0; j < t->n_cols; j++) sb_puts(&r->out, "---|");
            sb_putc(&r->out, '\n');
        }
    }
    sb_putc(&r->out, '\n');
}

static void md_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    (void)good;
    sb_printf(&r->out, "**%s**: %s: **%s**\n\n", name, detail, word);
}


// Charts are drawn by --plot with gnuplot, not in this format.
static void md_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    (void)r, (void)axes, (void)series, (void)n_series;
}

const FormatBackend format_markdown = {
    .name = "markdown",
    .begin = md_begin,
    .finish = md_finish,
    .heading = md_heading,
    .paragraph = md_paragraph,
    .equation = md_equation,
    .verbatim = md_verbatim,
    .matrix = md_matrix,
    .scalar = md_scalar,
    .member = md_member,
    .table = md_table,
    .verdict = md_verdict,
    .curves = md_curves,
};
