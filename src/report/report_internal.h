#ifndef WORKBOOK_REPORT_INTERNAL_H
#define WORKBOOK_REPORT_INTERNAL_H
// What report.c shares with report_answer.c and report_check.c; not for
// chapters.

#include "report.h"

// "(i,j)" for a matrix entry, "[j]" for a vector, "(c,i,j)" with channels.
void report_entry_name(char *buf, size_t len, const Tensor *t, int k);
// Writes r->out to stdout and clears it; exits EXIT_WRITE_ERROR on failure.
void report_flush(Report *r);
// The JSON text of t (rows of arrays when as_matrix), appended to b.
void report_json_tensor(StrBuf *b, const Tensor *t, bool as_matrix, const char *what);
// Compares a matching --answer with the computed value (report_answer.c).
void report_check_answer(Report *r, const char *key, const char *label, const Tensor *computed);
// For a wrong answer: the --bug variant or slip yours matches, named in one
// line; returns its name ("sign", "no-rot180"), or NULL after saying which
// pattern the wrong entries form, if any (report_mistake.c).
const char *report_name_mistake(Report *r, const char *key, const char *label, const Tensor *yours,
                                const Tensor *computed);
// The right code's value of key, from this program run again without --bug,
// into right (of the computed value's shape); false when it cannot be had.
// Under --bug an answer is a hand-derived right value: it is compared with
// this, never with the mistake's (report_mistake.c).
bool report_right_value(const Report *r, const char *key, Tensor *right);
// Frees the --bug variants' runs kept by report_name_mistake.
void report_mistake_free(void);
// Whether quantity key's JSON is worth rendering: only --format json shows
// it, and a re-run for naming a mistake reads only the answered keys (a
// 1024x1024 matrix takes a quarter of a second to render).
bool report_member_needed(const Report *r, const char *key);
// What a re-run for naming a mistake does between the two (run_bug_variant
// uses them around main; a test, around a report of its own): render only
// the keys of those answers, and run gradient checks only when checks,
// and then only until one fails (report_check_wanted).
void report_rerun_scope_begin(const Answer *answers, int n_answers, bool checks);
void report_rerun_scope_end(void);
// True when yours, of the transposed shape, is the transpose of computed.
bool report_transposed_answer(const Tensor *yours, const Tensor *computed);
// Exits 2 for an --answer that names no reported quantity.
void report_require_answers_matched(const Report *r);

#endif
