#ifndef WORKBOOK_EQTEXT_H
#define WORKBOOK_EQTEXT_H
// Equations and worked lines with the numbers filled in, for the chapters.
//
// An Eq is built twice at once: plain text for the terminal, LaTeX for
// --format latex/markdown. eq_emit prints it with report_equation, and
// drops the numbers (keeping the symbolic part) when the text would not fit
// EQ_MAX_COLUMNS. Lines keeps worked arithmetic under EQ_MAX_COLUMNS by
// breaking between terms, never inside a number. Both own their buffers
// until emitted.

#include <stdbool.h>
#include <stddef.h>

#include "report.h"
#include "strbuf.h"
#include "tensor.h"

// 80 columns, less the 4 an equation is indented by.
#define EQ_MAX_COLUMNS 76

typedef struct {
    StrBuf text, tex;
    size_t symbolic_text, symbolic_tex; // lengths of the part without numbers
} Eq;

// Starts an equation with its symbolic part (kept even when numbers are dropped).
void eq_begin(Eq *e, const char *text, const char *tex);
void eq_add(Eq *e, const char *text, const char *tex);
void eq_number(Eq *e, double v, const char *what);
// A matrix as "[a b; c d]" and as a bmatrix; column writes a vector (stored
// as one row) as the column it is in the algebra.
void eq_tensor(Eq *e, const Tensor *t, bool column, const char *what);
void eq_emit(Report *r, Eq *e);

// "-0.3" as a factor reads "(-0.3)", so a product never looks like a subtraction.
void eq_factor(char *buf, size_t len, double v, const char *what);

// Worked lines: pieces are appended to the current line and moved to a new
// line, indented by `indent` spaces, when they would pass EQ_MAX_COLUMNS.
typedef struct {
    StrBuf out;
    size_t column;
    int indent;
} Lines;

void lines_add(Lines *l, const char *piece);
void lines_addf(Lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lines_end(Lines *l); // ends the current line
// Prints everything as one verbatim block and frees it.
void lines_emit(Report *r, Lines *l);

#endif
