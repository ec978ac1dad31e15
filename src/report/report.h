#ifndef WORKBOOK_REPORT_H
#define WORKBOOK_REPORT_H
// Everything a chapter prints goes through a Report, which renders it in the
// format chosen with --format, through that format's backend (src/report/format.h):
//   text      aligned columns for a terminal or projector (colour only on a
//             TTY, never with --no-color or NO_COLOR)
//   latex     a complete document: prose, align* equations and bmatrix blocks
//   markdown  headings, paragraphs, $$ equations $$, code blocks and tables
//   json      exactly one object: every quantity reported with a key, plus
//             "checks" and, with --answer, "answers"; prose is left out
//   beamer    a Beamer deck, one frame per step of a section
// --section N.M shows only those sections (report_heading reads the number
// from the title); checks in other sections are not counted.
//
// Output is buffered and written by report_finish, so an error found at any
// point (usage_error exits 2) leaves stdout empty. No NaN or inf is ever
// printed: a non-finite number is reported as an input error instead.
//
// --answer NAME=MATRIX is handled here: when a chapter reports a quantity
// with key NAME, the user's value is compared entry by entry (relative
// tolerance ANSWER_REL_TOL) and every wrong entry is marked.

#include <stdbool.h>

#include "gradcheck.h"
#include "number.h"
#include "options.h"
#include "strbuf.h"
#include "svg.h"
#include "tensor.h"

// Hand answers are compared to 1e-6 relative: typed with 7 significant digits
// they pass, and any real slip (a sign, a missing term) is far above this.
#define ANSWER_REL_TOL 1e-6

// The exit statuses (EXIT_CHECK_FAILED, ...) are in options.h, beside usage_error.

struct FormatBackend;
typedef struct Report Report;

// What reporting reads of the command line, copied from the CommonOptions
// once by report_init (the arrays stay the options' own: they outlive the
// report). --format, --no-color and --step become Report's fmt, color, step.
typedef struct {
    uint64_t seed;   // JSON's "seed"
    const char *bug; // --bug NAME; NULL: the correct code runs
    const Answer *answers; // --answer NAME=MATRIX
    int n_answers;
    const char *const *sections; // --section N.M
    int n_sections;
    bool section_list;  // --section list
    bool full_matrices; // print every entry of big matrices
    // The command line and chapter as parsed: a wrong --answer is compared
    // with the chapter's --bug variants by running it again (report_mistake.c).
    int argc;
    char **argv;
    const ChapterSpec *spec;
} ReportOptions;

struct Report {
    ReportOptions opt;
    const struct FormatBackend *fmt; // how --format renders each element
    bool color, step;
    int width;       // text paragraphs wrap to this many columns
    bool shown;      // the current section is printed (see --section)
    char section[16]; // the current section's number ("5.3"), "" before the first
    bool in_equations;      // latex: an equation environment is open ...
    const char *latex_env;  // ... and this is its name
    bool in_frame;          // beamer: a frame is open ...
    char frame_title[160];  // ... for this section
    StrBuf out;      // the rendered document (JSON: the members so far)
    StrBuf checks;   // JSON objects of the checks
    StrBuf answers;  // JSON objects of the answers
    StrBuf demos;    // JSON objects of the demonstrations (not verdicts)
    StrBuf keys;     // every key reported, one per line, to refuse duplicates
    StrBuf sections; // "N.M\tTitle\n" for each numbered heading met
    int n_checks, n_checks_failed, n_checks_undecided, n_answers_checked, n_answers_wrong, n_sections;
    bool answer_matched[MAX_ANSWERS];
    bool answer_hidden[MAX_ANSWERS]; // its key was met in a section not shown
    bool section_seen[MAX_SECTIONS]; // each --section N.M was met
    const Tensor *answer_rounding; // report_answer_rounding: for the next quantity reported
    // the table being built (report_table_*)
    char **cells;
    int n_cells, cap_cells, n_cols;
    char *table_key; // owned; NULL for a table that is only shown
};

// The magnitudes summed into each entry of the next quantity reported (e.g.
// Σ|G·X| for ∂L/∂K = X ⋆ G): an --answer for it is also right within
// ANSWER_ROUNDING_ULPS·ε of them, its rounding (a true 0 computed as 5.6e-17).
// Borrowed until that quantity is reported.
void report_answer_rounding(Report *r, const Tensor *mag);
// A few ε per unit of the summed magnitudes: a sum's rounding.
#define ANSWER_ROUNDING_ULPS 16.0

void report_init(Report *r, const CommonOptions *opt, const char *title);
// Writes the document, frees everything; returns the exit status: 0 when all
// checks and answers passed, 1 otherwise, 3 when one could not decide. Exits
// 2 for an --answer NAME that the chapter never reported or a --section it
// does not have, and 4 when stdout cannot be written. With --section list it
// prints the sections and returns 0.
int report_finish(Report *r);

// A numbered or named section. With --step on a terminal, pauses before it.
// A title "N.M Title" is section N.M for --section.
void report_heading(Report *r, const char *title);
// A paragraph of prose (wrapped to the terminal width in text).
void report_text(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// Where the article is wrong or stops short, highlighted.
void report_erratum(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
// An equation, given both as plain text and as LaTeX (for latex/markdown).
void report_equation(Report *r, const char *text, const char *latex);
// Preformatted lines (a sum written out, a window listing), kept as typed.
void report_verbatim(Report *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

// Displays a matrix or vector (not in JSON).
void report_matrix(Report *r, const char *label, const Tensor *t);
// Displays it and records it under key in JSON, and checks a matching --answer.
void report_quantity(Report *r, const char *key, const char *label, const Tensor *t);
// The same for a quantity that is a matrix by nature (W, a kernel, an image):
// JSON keeps it as rows of arrays even when it has a single row, so a
// script reading that key always gets the same structure.
void report_matrix_quantity(Report *r, const char *key, const char *label, const Tensor *t);
void report_scalar(Report *r, const char *key, const char *label, double value);
// JSON-only members: a string, or a value the chapter rendered as JSON text.
void report_json_string(Report *r, const char *key, const char *value);
void report_json_raw(Report *r, const char *key, const char *json);

// The per-entry table analytic vs numerical, the verdict line, and a JSON
// entry in "checks". analytic and numerical have the same shape; skip marks
// entries not checked (may be NULL). Returns s.passed.
bool report_check(Report *r, const char *name, const Tensor *analytic, const Tensor *numerical,
                  const bool *skip, CheckSummary s);
// Whether a gradient check is worth its work: false in a re-run for naming
// a mistake (src/report/report_mistake.c), which needs values only, or the
// section of the first failed check: a check may return early without a
// verdict then.
bool report_check_wanted(const Report *r);
// Records a pass/fail verdict that is not a gradient comparison (e.g. "the
// loss fell"), so it counts toward the exit status.
bool report_verdict(Report *r, const char *name, bool passed, const char *detail);
// A verdict on a measured value against a target (an accuracy, a loss): the
// JSON check also carries "value" and "target".
bool report_verdict_measured(Report *r, const char *name, double value, double target, bool passed,
                             const char *detail);
// The overall word, as the Result line and the exit status give it: "FAIL"
// (a check or an answer failed), "INCONCLUSIVE", "NOTHING CHECKED" (no check
// and no answer was shown) or "PASS".
const char *report_result_word(const Report *r);

// The per-entry table of an error-bounded check (gradcheck.h): analytic,
// numerical, |a − n| and what is allowed (rtol·max(|a|,|n|) + bound), the
// verdict line naming what was compared, skipped and inconclusive, and a
// JSON entry with compared, skipped, max_abs_error, max_rel_error,
// tolerance, bound, verdict and passed.
Verdict report_gradient_check(Report *r, const char *name, const Tensor *analytic, const NumericalDerivative *num,
                              const bool *skip, BoundedSummary s);
// The verdict line and JSON entry of report_gradient_check without the
// per-entry table, for a block too large to list entry by entry (or a
// summary merged over many blocks). s.n counts every entry of the block.
Verdict report_gradient_summary(Report *r, const char *name, BoundedSummary s);
// A check that two computations agree (an identity, bit-identity): passes
// when max_rel ≤ tolerance; NOTHING_COMPARED when compared is 0. The line
// and the JSON entry carry the real numbers.
Verdict report_identity(Report *r, const char *name, int compared, double max_abs, double max_rel,
                        double tolerance, const char *detail);
// A demonstration (e.g. the loss fell after a small step): shown as prose,
// listed in JSON "demonstrations", never a verdict and never the exit status.
void report_demonstration(Report *r, const char *name, const char *detail);

// A line chart of one or more series (e.g. the error against the step h),
// drawn inline by --format html; other formats leave charts to --plot.
void report_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series);

// A table of preformatted cells: begin with the headers, add rows, end.
void report_table_begin(Report *r, int n_cols, const char *const *headers);
// The same, and in JSON the table is recorded under key as an array of
// objects keyed by the headers (numbers as numbers, other cells as strings).
void report_table_begin_keyed(Report *r, const char *key, int n_cols, const char *const *headers);
void report_table_row(Report *r, const char *const *cells);
void report_table_end(Report *r);

// format_number, format_latex_number, format_json_number: number.h.
// Appends t as JSON: a number array for a vector, rows of arrays for a
// matrix, an array of matrices for several channels.
void json_append_tensor(StrBuf *b, const Tensor *t, const char *what);

#endif
