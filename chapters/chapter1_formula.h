#ifndef CHAPTER1_FORMULA_H
#define CHAPTER1_FORMULA_H
// --formula for chapter 1 (src/formula/formula.h): the symbols a student may use,
// the gradients they may derive, and one case filled by the chapter's own
// code (chapter1_correlation.h: what its checks cover). The layer has no bias, stride 1 and no dilation: b, s and d are
// there so that a formula written with them reads as on paper.
#include "chapter1_correlation.h"
#include "formula.h"

// The --formula tables and cases for the layer l; bugs are the chapter's
// --bug list, the mistakes a wrong formula is matched with.
FormulaSpec chapter1_formula_spec(Layer *l, const BugInfo *bugs, int n_bugs);

// The student's --formula options, each checked on the layer and 20 random
// ones (only with --formula). Returns whether every formula held.
bool section_1_6_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt);

#endif
