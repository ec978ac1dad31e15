// --format latex: a complete article that pdflatex compiles (amsmath,
// amssymb, geometry): prose with its symbols in math mode, equations in
// align*, matrices as bmatrix, tables as tabular.
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "latex.h"
#include "report.h"

static void latex_begin(Report *r, const char *title) {
    sb_puts(&r->out, "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                     "\\usepackage[margin=2cm]{geometry}\n\\setcounter{MaxMatrixCols}{32}\n"
                     "\\begin{document}\n\\section*{");
    latex_append_text(&r->out, title);
    sb_puts(&r->out, "}\n\n");
}

static void latex_finish(Report *r) { sb_puts(&r->out, "\\end{document}\n"); }

static void latex_heading(Report *r, const char *title) {
    sb_puts(&r->out, "\\subsection*{");
    latex_append_text(&r->out, title);
    sb_puts(&r->out, "}\n\n");
}

static void latex_paragraph(Report *r, ParagraphKind kind, const char *body) {
    switch (kind) {
    case PARA_PROSE: break;
    case PARA_ERRATUM: sb_puts(&r->out, "\\noindent\\textbf{Erratum:} "); break;
    }
    latex_append_text(&r->out, body);
    sb_puts(&r->out, "\n\n");
}

static void latex_equation(Report *r, const char *text, const char *latex) {
    (void)text;
    sb_printf(&r->out, "\\begin{align*}\n%s\n\\end{align*}\n\n", latex);
}

static void latex_verbatim(Report *r, const char *body) {
    latex_append_verbatim(&r->out, body);
    sb_putc(&r->out, '\n');
}

static void latex_bmatrix(StrBuf *b, const Tensor *t, int c, const char *what) {
    char num[80];
    sb_puts(b, "\\begin{bmatrix}\n");
    for (int i = 0; i < t->h; i++) {
        for (int j = 0; j < t->w; j++) {
            format_latex_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            sb_printf(b, "%s%s", j ? " & " : "", num);
        }
        sb_puts(b, i + 1 < t->h ? " \\\\\n" : "\n");
    }
    sb_puts(b, "\\end{bmatrix}");
}

static void latex_matrix(Report *r, const char *label, const Tensor *t) {
    for (int c = 0; c < t->c; c++) {
        sb_puts(&r->out, "\\[\n");
        latex_append_math(&r->out, label);
        if (t->c > 1) sb_printf(&r->out, "^{(%d)}", c);
        sb_puts(&r->out, " = ");
        latex_bmatrix(&r->out, t, c, label);
        sb_puts(&r->out, "\n\\]\n\n");
    }
}

static void latex_scalar(Report *r, const char *label, double value) {
    char num[80];
    format_latex_number(num, sizeof num, value, label);
    sb_puts(&r->out, "\\[ ");
    latex_append_math(&r->out, label);
    sb_printf(&r->out, " = %s \\]\n\n", num);
}

static void latex_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

static void latex_table(Report *r, const Table *t) {
    sb_puts(&r->out, "\\begin{center}\n\\begin{tabular}{");
    for (int j = 0; j < t->n_cols; j++) sb_putc(&r->out, j ? 'r' : 'l');
    sb_puts(&r->out, "}\n");
    for (int i = 0; i < t->n_rows; i++) {
        for (int j = 0; j < t->n_cols; j++) {
            // "{}" first: a row starting "[1]" after \\ would be read as \\[1], a length.
            sb_puts(&r->out, j ? " & " : "{}");
            latex_append_text(&r->out, t->cells[i * t->n_cols + j]);
        }
        sb_puts(&r->out, i == 0 ? " \\\\ \\hline\n" : " \\\\\n");
    }
    sb_puts(&r->out, "\\end{tabular}\n\\end{center}\n\n");
}

static void latex_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    (void)good;
    sb_puts(&r->out, "\\noindent ");
    latex_append_text(&r->out, name);
    sb_puts(&r->out, ": ");
    latex_append_text(&r->out, detail);
    sb_printf(&r->out, ": \\textbf{%s}\n\n", word);
}


// Charts are drawn by --plot with gnuplot, not in this format.
static void latex_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    (void)r, (void)axes, (void)series, (void)n_series;
}

const FormatBackend format_latex = {
    .name = "latex",
    .begin = latex_begin,
    .finish = latex_finish,
    .heading = latex_heading,
    .paragraph = latex_paragraph,
    .equation = latex_equation,
    .verbatim = latex_verbatim,
    .matrix = latex_matrix,
    .scalar = latex_scalar,
    .member = latex_member,
    .table = latex_table,
    .verdict = latex_verdict,
    .curves = latex_curves,
};
