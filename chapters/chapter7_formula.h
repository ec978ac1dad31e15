#ifndef CHAPTER7_FORMULA_H
#define CHAPTER7_FORMULA_H
// --formula for chapter 7 (src/formula/formula.h): softmax cross-entropy's
// ∂L/∂z, filled by the chapter's own code (softmax_ce_with and
// ce_backward_with: what 7.2 and 7.3 check).
#include "chapter7_net.h"
#include "formula.h"

// The --formula tables and cases (7.2's logits, then random ones).
FormulaSpec formula_spec(void);

// The student's --formula options, each checked on 7.2's logits and 20
// random cases (only with --formula). Returns whether every formula held.
bool section_7_8_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt);

#endif
