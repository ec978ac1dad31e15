#ifndef WORKBOOK_FORMAT_H
#define WORKBOOK_FORMAT_H
// The output formats (--format) and the backends that render them.
//
// FORMAT_LIST (format_list.h) is the one place that names the formats; adding
// a format is one new file src/report/format_NAME.c plus one line there.
//
// report.c decides what is shown (sections, answers, verdicts, exit status);
// a backend only decides how: each function appends to r->out. A backend
// must fill in every member (tests/check_report.c asserts it).

#include <stdbool.h>

#include "format_list.h"
#include "number.h"
#include "strbuf.h"
#include "svg.h"
#include "tensor.h"


typedef struct Report Report; // report.h

typedef enum { PARA_PROSE, PARA_ERRATUM } ParagraphKind;

// A finished table: n_rows rows (the first holds the headers) of n_cols
// cells, row-major. key is NULL for a table only shown, or the JSON key the
// json backend records it under (an array of objects keyed by the headers).
typedef struct {
    const char *key;
    int n_cols, n_rows;
    char *const *cells;
} Table;

typedef struct FormatBackend {
    const char *name;
    // The document's start, with the chapter's title; and its end, after the
    // last verdict (json writes the whole object here).
    void (*begin)(Report *r, const char *title);
    void (*finish)(Report *r);
    void (*heading)(Report *r, const char *title);
    void (*paragraph)(Report *r, ParagraphKind kind, const char *body);
    void (*equation)(Report *r, const char *text, const char *latex);
    void (*verbatim)(Report *r, const char *body);
    // A matrix or vector shown under label (summarised unless --full-matrices).
    void (*matrix)(Report *r, const char *label, const Tensor *t);
    void (*scalar)(Report *r, const char *label, double value);
    // A value recorded under key, already rendered as JSON text.
    void (*member)(Report *r, const char *key, const char *json);
    void (*table)(Report *r, const Table *t);
    // "name: detail: WORD", good saying whether WORD is good news.
    void (*verdict)(Report *r, const char *name, const char *detail, const char *word, bool good);
    // A line chart; only formats that can draw (html) show it, the others
    // leave it to --plot and gnuplot.
    void (*curves)(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series);
} FormatBackend;

#define FORMAT_DECLARE_(e, name) extern const FormatBackend format_##name;
FORMAT_LIST(FORMAT_DECLARE_)
#undef FORMAT_DECLARE_

const FormatBackend *format_backend(Format f);

// ---------------------------------------------------------------- shared helpers

// Big matrices print like numpy: a side over MATRIX_SUMMARY_MAX entries (or
// rows that would not fit the line) shows its first and last entries with an
// ellipsis between. Every format uses this one decision.
#define MATRIX_SUMMARY_MAX 16
#define MATRIX_SUMMARY_EDGE 3
// Columns a matrix line may take in text (and, as a proxy, in LaTeX).
#define MATRIX_LINE_WIDTH 78

typedef struct {
    int rows, cols;         // shown rows and columns, ellipsis included
    int row_edge, col_edge; // entries shown at each end; 0 when shown in full
} MatrixLayout;

// The layout of channel c of t with entries entry_width wide, rows indented
// by indent columns; full prints everything.
MatrixLayout matrix_layout(const Tensor *t, int entry_width, int indent, bool full);
// Index into the full side of shown position k, or -1 for the ellipsis.
int matrix_layout_index(int shown_pos, int edge, int n);
// The widest "%.6g" entry of channel c.
int matrix_entry_width(const Tensor *t, int c, const char *what);

// Aligned rows "[ a  b  … ]" of channel c, each line prefixed by indent.
void format_text_matrix(StrBuf *b, const Tensor *t, int c, const char *indent, const char *what, bool full);
void json_append_string(StrBuf *b, const char *s);
// Ends the equation environment format_latex left open (beamer ends frames).
void format_latex_close_equations(Report *r);
// The header row and rows [first, last) of t as one tabular; fit shrinks it
// to the line when wider (Beamer, whose preamble defines \fitwidth).
void format_latex_table_part(Report *r, const Table *t, int first, int last, bool fit);
// \InputIfFileExists of the instructor's preamble (workbook-preamble.tex).
void format_latex_preamble_hook(Report *r);
// A chart (report_curves) drawn with pgfplots in an axis of the given size
// ("width=..., height=..."); nothing when no point can be drawn.
void format_latex_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series, const char *size);
// A matrix display as --format latex sets it, shrunk to the line when wider.
void format_latex_matrix_fit(Report *r, const char *label, const Tensor *t);
// True when the cell is a number JSON can hold as one.
bool cell_is_number(const char *cell);

#endif
