#ifndef CHAPTER3_FORMULA_H
#define CHAPTER3_FORMULA_H
// --formula for chapter 3 (src/formula/formula.h): the symbols a student may use,
// the gradients they may derive, and one case filled by the chapter's own
// layer code (chapter3_layer.h: the code its finite-difference checks
// cover). tests/check_formula.c tests it.
#include "chapter3_layer.h"
#include "dense_case.h"
#include "formula.h"

// The --formula tables and cases of the layer d (its x, W, b and y).
FormulaSpec chapter3_formula_spec(DenseCase *d);

// The student's --formula options, each checked on the layer and 20 random
// ones (only with --formula). Returns whether every formula held.
bool section_3_12_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt);

#endif
