#ifndef WORKBOOK_LATEX_H
#define WORKBOOK_LATEX_H
// Turning the workbook's UTF-8 prose and labels into plain-ASCII LaTeX that
// pdflatex compiles with amsmath and amssymb: "∂L/∂ŷ" becomes
// "$\partial$L/$\partial$$\hat{y}$" in text and "\partial L/\partial \hat{y}"
// in math. Characters with no translation are replaced by "?" so the output
// always compiles; the tests keep that from happening.

#include "strbuf.h"

// Prose: LaTeX specials escaped, symbols as inline math.
void latex_append_text(StrBuf *b, const char *utf8);
// A label inside math mode: "W_new" becomes "W_{\mathrm{new}}".
void latex_append_math(StrBuf *b, const char *utf8);
// Preformatted lines in a typewriter font, spacing kept.
void latex_append_verbatim(StrBuf *b, const char *utf8);

#endif
