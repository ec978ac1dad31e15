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
// Prose for a paragraph: words stay text; a token with a symbol, a
// subscript or a superscript ("∂L/∂ŷ_i", "C_in", "h^p") is set in math mode;
// an identifier such as bce_grad_logits is typewriter text that may break
// after its underscores; "quotes" become ``quotes''.
void latex_append_prose(StrBuf *b, const char *utf8);
// A label inside math mode: "W_new" becomes "W_{\mathrm{new}}".
void latex_append_math(StrBuf *b, const char *utf8);
// Preformatted lines in a typewriter font: leading spaces and runs of spaces
// kept, and a line too long for the page breaks at a space.
void latex_append_verbatim(StrBuf *b, const char *utf8);

#endif
