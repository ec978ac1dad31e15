#ifndef CHAPTER5_FORMULA_H
#define CHAPTER5_FORMULA_H
// --formula for chapter 5 (src/formula/formula.h): the symbols a student may use,
// the gradients they may derive, and one case filled by the chapter's own
// layer code (backward_with_bug, chapter5_layer.h: what its checks cover).
// The random cases keep the chapter's stride, padding and dilation (so a
// formula written for stride 1 is checked at stride 1) and vary the sizes;
// the layer has one channel.
#include "chapter5_layer.h"
#include "formula.h"

// The --formula tables and cases of the layer l.
FormulaSpec chapter5_formula_spec(Layer *l);

// The student's --formula options, each checked on the layer and 20 random
// ones (only with --formula). Returns whether every formula held.
bool section_5_11_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt);

#endif
