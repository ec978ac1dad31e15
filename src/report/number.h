#ifndef WORKBOOK_NUMBER_H
#define WORKBOOK_NUMBER_H
// Numbers as every format writes them; a number that is not finite is an
// input error (exit 2), never a printed NaN or inf.
#include <stddef.h>

// Exits 2: computing `what` gave v, NaN or infinite.
_Noreturn void report_not_finite(const char *what, double v);

// Shared number formatting: "%.6g"-style, no negative zero; exits 2 (as an
// input error naming `what`) if v is not finite.
void format_number(char *buf, size_t len, double v, const char *what);
// The same number for LaTeX math: 1.5e-07 becomes 1.5 \times 10^{-7}.
void format_latex_number(char *buf, size_t len, double v, const char *what);
// Shortest text that reads back as exactly v (for JSON).
void format_json_number(char *buf, size_t len, double v, const char *what);

#endif
