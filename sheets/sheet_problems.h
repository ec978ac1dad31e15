#ifndef WORKBOOK_SHEET_PROBLEMS_H
#define WORKBOOK_SHEET_PROBLEMS_H
// The problems of an exercise sheet, one generator per chapter. Each writes
// its statement into both the sheet and the key, blank space and the check
// command (with "<your answer>" placeholders) into the sheet, and the worked
// solution and the same command with the right answer into the key. The
// numbers and the kind of problem come from rng, so a seed fixes the sheet.
//
// Numbers are chosen to be worked by hand: small integers, at most 4x4
// inputs, distinct values where a maximum must be unique, and a bias that
// makes z = 0 (so yhat = 1/2) where a sigmoid is involved.

#include "rng.h"
#include "sheet_doc.h"

typedef void (*ProblemFn)(Doc *sheet, Doc *key, int number, Rng *rng);

void problem_correlation(Doc *sheet, Doc *key, int number, Rng *rng);  // chapter 1
void problem_bce(Doc *sheet, Doc *key, int number, Rng *rng);          // chapter 2
void problem_dense(Doc *sheet, Doc *key, int number, Rng *rng);        // chapter 3
void problem_maxpool(Doc *sheet, Doc *key, int number, Rng *rng);      // chapter 4
void problem_conv(Doc *sheet, Doc *key, int number, Rng *rng);         // chapter 5
void problem_softmax_ce(Doc *sheet, Doc *key, int number, Rng *rng);   // chapter 7
// Derive a gradient as a formula and check it with --formula (chapters 1,
// 2, 3 or 5): the formula must hold on the chapter's inputs and 20 random
// cases, so a formula right only for the example fails.
void problem_formula(Doc *sheet, Doc *key, int number, Rng *rng);

#endif
