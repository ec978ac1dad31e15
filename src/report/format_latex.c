// --format latex: a complete article that pdflatex compiles (amsmath,
// amssymb, geometry): prose with its symbols in math mode, consecutive
// equations in one gather* (align* when they align at &), matrices as
// bmatrix (summarised like the text), tables as tabular.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "latex.h"
#include "report.h"

// An equation wider than this (in its plain-text form) is set inline, where
// TeX can break it after a relation or an operator: a display cannot break.
#define LATEX_EQUATION_WIDTH 78

// Rows of a table on one page of the notes: 40 rows of 12 pt and the header
// fill about 500 pt of the A4 page's 770 pt, leaving room for the text.
#define LATEX_TABLE_ROWS 40

// amsmath's default MaxMatrixCols.
#define AMSMATH_MATRIX_COLS 10

// Equations in a row share one environment; anything else closes it.
static const char *open_environment(const Report *r) { return r->in_equations ? r->latex_env : NULL; }

void format_latex_close_equations(Report *r) {
    if (!open_environment(r)) return;
    sb_printf(&r->out, "\n\\end{%s}\n\n", r->latex_env);
    r->in_equations = false;
}

// The instructor's own preamble (theme, author, logo, fonts), read last so
// that it overrides: workbook-preamble.tex beside the .tex file, or the file
// \workbookpreamble names (pdflatex '\def\workbookpreamble{my.tex}\input{deck}').
void format_latex_preamble_hook(Report *r) {
    sb_puts(&r->out, "\\providecommand{\\workbookpreamble}{workbook-preamble.tex}\n"
                     "\\InputIfFileExists{\\workbookpreamble}{}{}\n");
}

static void latex_begin(Report *r, const char *title) {
    sb_puts(&r->out, "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                     // T1 fonts: "_" and straight quotes are real characters, so a command
                     // copied from the PDF pastes as it was written.
                     "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern,textcomp}\n"
                     "\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.9}\n"
                     "\\usepackage[margin=2cm]{geometry}\n\\setlength{\\emergencystretch}{3em}\n");
    format_latex_preamble_hook(r);
    sb_puts(&r->out, "\\begin{document}\n\\section*{");
    latex_append_prose(&r->out, title);
    sb_puts(&r->out, "}\n\n");
}

static void latex_finish(Report *r) {
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\end{document}\n");
}

static void latex_heading(Report *r, const char *title) {
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\subsection*{");
    latex_append_prose(&r->out, title);
    sb_puts(&r->out, "}\n\n");
}

static void latex_paragraph(Report *r, ParagraphKind kind, const char *body) {
    format_latex_close_equations(r);
    switch (kind) {
    case PARA_PROSE: break;
    case PARA_ERRATUM: sb_puts(&r->out, "\\noindent\\textbf{Erratum:} "); break;
    }
    latex_append_prose(&r->out, body);
    sb_puts(&r->out, "\n\n");
}

static void latex_equation(Report *r, const char *text, const char *latex) {
    bool aligned = strchr(latex, '&') || strstr(latex, "\\\\");
    if (!aligned && utf8_width(text) > LATEX_EQUATION_WIDTH) {
        format_latex_close_equations(r);
        sb_printf(&r->out, "\\begin{flushleft}\\hspace*{2em}$\\displaystyle %s$\n\\end{flushleft}\n\n", latex);
        return;
    }
    const char *env = aligned ? "align*" : "gather*";
    if (open_environment(r) && strcmp(r->latex_env, env) == 0) {
        sb_printf(&r->out, " \\\\\n%s", latex);
        return;
    }
    format_latex_close_equations(r);
    sb_printf(&r->out, "\\begin{%s}\n%s", env, latex);
    r->in_equations = true;
    r->latex_env = env;
}

static void latex_verbatim(Report *r, const char *body) {
    format_latex_close_equations(r);
    latex_append_verbatim(&r->out, body);
    sb_putc(&r->out, '\n');
}

// One entry, or the ellipsis that stands for the rows or columns left out.
static void latex_entry(StrBuf *b, const Tensor *t, int c, int i, int j, const char *what) {
    char num[80];
    if (i < 0 || j < 0) {
        sb_puts(b, i < 0 && j < 0 ? "\\ddots" : i < 0 ? "\\vdots" : "\\cdots");
        return;
    }
    format_latex_number(num, sizeof num, *tensor_at(t, c, i, j), what);
    sb_puts(b, num);
}

// Summarised exactly where the text is (matrix_layout).
static void latex_bmatrix(StrBuf *b, const Tensor *t, int c, const char *what, bool full) {
    MatrixLayout m = matrix_layout(t, matrix_entry_width(t, c, what), 2, full);
    // amsmath allows 10 columns; more (--full-matrices) must be asked for,
    // and only as many as needed: the column template grows with the count.
    if (m.cols > AMSMATH_MATRIX_COLS) sb_printf(b, "\\setcounter{MaxMatrixCols}{%d}\n", m.cols);
    sb_puts(b, "\\begin{bmatrix}\n");
    for (int si = 0; si < m.rows; si++) {
        int i = matrix_layout_index(si, m.row_edge, t->h);
        for (int sj = 0; sj < m.cols; sj++) {
            if (sj) sb_puts(b, " & ");
            latex_entry(b, t, c, i, matrix_layout_index(sj, m.col_edge, t->w), what);
        }
        sb_puts(b, si + 1 < m.rows ? " \\\\\n" : "\n");
    }
    sb_puts(b, "\\end{bmatrix}");
}

// fit: each display shrinks to the line when wider (\fitwidth, which the
// Beamer preamble defines), instead of running past the slide's edge.
static void matrix_displays(Report *r, const char *label, const Tensor *t, bool fit) {
    format_latex_close_equations(r);
    for (int c = 0; c < t->c; c++) {
        sb_puts(&r->out, fit ? "\\begin{center}\\fitwidth{$\\displaystyle\n" : "\\[\n");
        latex_append_math(&r->out, label);
        if (t->c > 1) sb_printf(&r->out, "^{(%d)}", c);
        sb_puts(&r->out, " = ");
        latex_bmatrix(&r->out, t, c, label, r->opt.full_matrices);
        sb_puts(&r->out, fit ? "\n$}\\end{center}\n\n" : "\n\\]\n\n");
    }
}

static void latex_matrix(Report *r, const char *label, const Tensor *t) { matrix_displays(r, label, t, false); }

void format_latex_matrix_fit(Report *r, const char *label, const Tensor *t) { matrix_displays(r, label, t, true); }

static void latex_scalar(Report *r, const char *label, double value) {
    format_latex_close_equations(r);
    char num[80];
    format_latex_number(num, sizeof num, value, label);
    sb_puts(&r->out, "\\[ ");
    latex_append_math(&r->out, label);
    sb_printf(&r->out, " = %s \\]\n\n", num);
}

static void latex_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

static void latex_row(Report *r, const Table *t, int i) {
    for (int j = 0; j < t->n_cols; j++) {
        // "{}" first: a row starting "[1]" after \\ would be read as \\[1], a length.
        sb_puts(&r->out, j ? " & " : "{}");
        latex_append_text(&r->out, t->cells[i * t->n_cols + j]);
    }
    sb_puts(&r->out, i == 0 ? " \\\\ \\hline\n" : " \\\\\n");
}

void format_latex_table_part(Report *r, const Table *t, int first, int last, bool fit) {
    format_latex_close_equations(r);
    sb_puts(&r->out, fit ? "\\begin{center}\\fitwidth{\\begin{tabular}{" : "\\begin{center}\n\\begin{tabular}{");
    for (int j = 0; j < t->n_cols; j++) sb_putc(&r->out, j ? 'r' : 'l');
    sb_puts(&r->out, "}\n");
    latex_row(r, t, 0);
    for (int i = first; i < last && i < t->n_rows; i++) latex_row(r, t, i);
    sb_puts(&r->out, fit ? "\\end{tabular}}\n\\end{center}\n\n" : "\\end{tabular}\n\\end{center}\n\n");
}

// A tabular never breaks across pages: a long table is set as several, each
// with the header row, so that each fits a page.
static void latex_table(Report *r, const Table *t) {
    for (int first = 1; first < t->n_rows || first == 1; first += LATEX_TABLE_ROWS)
        format_latex_table_part(r, t, first, first + LATEX_TABLE_ROWS, false);
}

static void latex_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    (void)good;
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\noindent ");
    latex_append_prose(&r->out, name);
    sb_puts(&r->out, ": ");
    latex_append_prose(&r->out, detail);
    sb_printf(&r->out, ": \\textbf{%s}\n\n", word);
}


static bool chart_point(const SvgAxes *axes, double x, double y) {
    return isfinite(x) && isfinite(y) && (!axes->log_x || x > 0.0) && (!axes->log_y || y > 0.0);
}

static void chart_label(StrBuf *b, const char *key, const char *text) {
    sb_printf(b, "%s={", key);
    latex_append_prose(b, text);
    sb_puts(b, "}, ");
}

// The chart --format html draws as SVG, drawn by pgfplots from the same
// points (at most 9 significant digits each: far below what a printed axis
// resolves); points a log axis cannot show are left out, as in the SVG.
void format_latex_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series, const char *size) {
    int drawn = 0;
    for (int k = 0; k < n_series; k++)
        for (int i = 0; i < series[k].n; i++) drawn += chart_point(axes, series[k].x[i], series[k].y[i]);
    if (drawn == 0) return;
    format_latex_close_equations(r);
    StrBuf *b = &r->out;
    sb_printf(b, "\\begin{center}\n\\begin{tikzpicture}\n\\begin{axis}[%s, ", size);
    if (axes->log_x) sb_puts(b, "xmode=log, ");
    if (axes->log_y) sb_puts(b, "ymode=log, ");
    chart_label(b, "title", axes->title);
    chart_label(b, "xlabel", axes->x_label);
    chart_label(b, "ylabel", axes->y_label);
    sb_puts(b, "title style={font=\\footnotesize\\bfseries}, label style={font=\\scriptsize}, "
               "tick label style={font=\\tiny}, legend style={font=\\scriptsize, at={(0.5,-0.32)}, anchor=north}, "
               "legend columns=2, legend cell align=left]\n");
    for (int k = 0; k < n_series; k++) {
        sb_puts(b, "\\addplot+[mark size=0.8pt] coordinates {");
        for (int i = 0; i < series[k].n; i++)
            if (chart_point(axes, series[k].x[i], series[k].y[i]))
                sb_printf(b, " (%.9g,%.9g)", series[k].x[i], series[k].y[i]);
        sb_puts(b, " };\n\\addlegendentry{");
        latex_append_prose(b, series[k].label);
        sb_puts(b, "}\n");
    }
    sb_puts(b, "\\end{axis}\n\\end{tikzpicture}\n\\end{center}\n\n");
}

static void latex_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    format_latex_curves(r, axes, series, n_series, "width=0.8\\linewidth, height=7cm");
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
