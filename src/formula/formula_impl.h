#ifndef WORKBOOK_FORMULA_IMPL_H
#define WORKBOOK_FORMULA_IMPL_H
// Internals shared by formula.c, formula_mistake.c and formula_write.c.

#include "formula.h"

// The largest entry magnitude of a and b: the scale of the absolute part of
// the agreement rule.
double formula_scale(const ExprMatrix *a, const ExprMatrix *b);
// Entries of value that disagree with right (all of them when value is
// empty or of another shape; a row and a column of one length count as
// the same vector).
int formula_count_differing(const ExprMatrix *value, const ExprMatrix *right);
bool formula_values_agree(const ExprMatrix *value, const ExprMatrix *right);
bool formula_same_shape(const ExprMatrix *a, const ExprMatrix *b);

// Which candidate mistakes a failing formula's value matched, case by case.
// A candidate matches when it agreed in every case.
typedef struct MistakeTrack MistakeTrack;
MistakeTrack *mistake_track_new(const FormulaSpec *spec);
// value: the formula's value in this case (NULL when it failed to evaluate,
// which rules every candidate out); right: the right gradient; c: the case.
void mistake_track_case(MistakeTrack *t, const Formula *f, const FormulaSpec *spec, uint64_t case_seed,
                        int case_index, const FormulaCase *c, const ExprMatrix *value, const ExprMatrix *right);
// Writes the first candidate that matched every case into r.
void mistake_track_finish(MistakeTrack *t, const FormulaSpec *spec, FormulaResult *r);
void mistake_track_free(MistakeTrack *t);

// Fills c for case case_index (0: the chapter's inputs) with bug bug_id.
void formula_fill_case(FormulaCase *c, const FormulaSpec *spec, uint64_t case_seed, int case_index, int bug_id);

#endif
