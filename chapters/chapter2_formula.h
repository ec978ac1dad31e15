#ifndef CHAPTER2_FORMULA_H
#define CHAPTER2_FORMULA_H
// --formula for chapter 2 (src/formula/formula.h): the symbols a student may use,
// the gradients they may derive, and one case filled by the chapter's own
// code (grad_yhat_chosen, grad_z_chosen: what its checks cover).
#include "chapter2_bce.h"
#include "formula.h"

// The --formula tables and cases for the data d; bugs are the chapter's --bug
// list (BUGS of chapter2_bce.c), the mistakes a wrong formula is matched with.
FormulaSpec formula_spec(Data *d, const BugInfo *bugs, int n_bugs);

// The student's --formula options, each checked on the data and 20 random
// cases (only with --formula). Returns whether every formula held.
bool section_2_5_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt);

#endif
