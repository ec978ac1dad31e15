#ifndef WORKBOOK_SHEET_DOC_H
#define WORKBOOK_SHEET_DOC_H
// A document written in two formats at once: every call appends the same
// content to a Markdown buffer and a LaTeX buffer. A problem sheet and its
// key are two Docs; the generator writes the statement into both and the
// worked solution into the key alone.
//
// Strings given as "md" are Markdown (plain text with `code`); strings given
// as "tex" are LaTeX. Buffers are owned by the Doc (doc_free releases them).

#include <stdbool.h>

#include "strbuf.h"
#include "tensor.h"

typedef struct {
    StrBuf md, tex;
} Doc;

void doc_begin(Doc *d, const char *title, const char *subtitle);
void doc_end(Doc *d);
void doc_free(Doc *d);

void doc_problem(Doc *d, int number, const char *title);
void doc_para(Doc *d, const char *md, const char *tex);
// A displayed "NAME = matrix": name_md is plain text, name_tex LaTeX math.
void doc_matrix(Doc *d, const char *name_md, const char *name_tex, const Tensor *t);
// Several matrices side by side in LaTeX, one after another in Markdown.
void doc_matrices(Doc *d, int n, const char *const *names_md, const char *const *names_tex,
                  const Tensor *const *ts);
// A command line, typeset verbatim in both formats.
void doc_command(Doc *d, const char *cmd);
// Lines of worked arithmetic ('\n'-separated), typeset verbatim. Callers
// write ASCII so that pdflatex needs no extra packages.
void doc_work(Doc *d, const char *lines);
// Blank space to work in (LaTeX), or a short "(your work)" note (Markdown).
void doc_space(Doc *d, const char *height_tex);

// The exact decimal text of v that reads back as v (%.10g, no -0).
void doc_number(char *buf, size_t len, double v);
// The matrix literal of t for the command line: "1 2; 3 4".
void doc_literal(StrBuf *b, const Tensor *t);

#endif
