#ifndef WORKBOOK_MATHML_H
#define WORKBOOK_MATHML_H
// LaTeX math, the subset the chapters write, translated to presentation
// MathML for the HTML format (browsers render MathML natively: no script,
// no font download).
//
// Understood: letters, numbers, operators; groups {…}; ^ and _ (in either
// order); \frac \tfrac \dfrac; \hat \bar \tilde; \mathrm \text \operatorname
// \mathsf \mathbin; Greek letters; \sum (with limits); the symbols the
// chapters use (\partial \star \cdot \approx \to \leftarrow \Rightarrow …);
// \log \exp \max …; \left \right; spacing (\quad \qquad \, \; \! \:);
// \begin{bmatrix|pmatrix|matrix|aligned}…\end{…} with & and \\; \tag.
//
// latex_to_mathml appends the inner MathML (no <math> element) to out and
// returns true; it returns false, with out unchanged, for anything outside
// that subset, so the caller can show the equation's plain-text form instead.

#include <stdbool.h>

#include "strbuf.h"

bool latex_to_mathml(StrBuf *out, const char *latex);
// Appends s with &, < and > (and quotes) escaped for XML text or attributes.
void xml_escape(StrBuf *out, const char *s);

#endif
