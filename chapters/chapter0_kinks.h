#ifndef CHAPTER0_KINKS_H
#define CHAPTER0_KINKS_H
// Chapter 0's section 0.10: a difference quotient across a kink (|x|, max)
// with the fixed step h = 1e-6 and with the checker, which marks real ties
// and flags a kink it cannot step around (chapter0_kinks.c).
#include "report.h"

// Section 0.10: four kinks and ties, the fixed step against the checker.
void section_0_10_kinks(Report *r);

#endif
