#ifndef WORKBOOK_FORMULA_H
#define WORKBOOK_FORMULA_H
// --formula NAME=EXPRESSION: check a derived formula for one of a chapter's
// gradients on the chapter's inputs (case 0) and on FORMULA_RANDOM_CASES
// seeded random cases of varied shapes, against the chapter's own gradient
// (which the chapter itself checks by finite differences). The expression
// language is expr.h's.
//
// ---------------------------------------------------------------- integrating a chapter (~30 lines)
// 1. Tables (beside BUGS[]), short math names and one line each:
//      static const FormulaSymbol OPERANDS[] = {{"X", "the input"}, {"K", "the kernel"},
//          {"G", "∂L/∂Y, the upstream gradient"}, {"kh", "kernel rows"}, ...};
//      static const FormulaSymbol GRADIENTS[] = {{"dK", "∂L/∂K"}, {"dX", "∂L/∂X"}, {"db", "∂L/∂b"}};
//    Gradient names are what the student writes left of '='. Hyper-parameters
//    (n, m, kh, kw, s, p, d) are operands too, as 1x1 values.
// 2. One fill function, the whole integration's logic:
//      static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx)
//    rng == NULL: the chapter's current inputs (ctx points at them), case 0.
//    Otherwise draw a case from rng: sizes with formula_draw_int (n > 1 must
//    occur where n is a dimension; channels where the chapter has them; keep
//    stride/padding/dilation or vary them), entries with formula_draw_values.
//    Then add every operand (formula_case_operand / formula_case_scalar) and
//    compute every gradient with the chapter's own functions into
//    formula_case_gradient buffers, with the mistake bug_id switched on
//    (0 = the right code; k + 1 = BUGS[k], the same ids as opt.bug_id). Use
//    the same draws whatever bug_id is: the engine calls fill again with the
//    same rng seed and each bug id to get the candidate mistakes.
// 3. Options: add {"--formula", "NAME=EXPR", "check a formula you derived
//    ('list' names the symbols)", &formula_text} to the chapter's option table
//    (or read repeated ones from argv if the common parser gains it). Then in
//    main, after the inputs are validated:
//      FormulaSpec fs = {OPERANDS, ARRAY_LEN(OPERANDS), GRADIENTS, ARRAY_LEN(GRADIENTS),
//                        BUGS, ARRAY_LEN(BUGS), formula_fill, &inputs};
//      if (formula_is_list(text)) { formula_write_list(&sb, &fs); print it; exit 0; }
//      Formula f; formula_parse_or_exit(&f, &fs, text);   // exit 2 on a bad one
//      FormulaResult res; formula_check(&res, &f, &fs, opt.seed);
//      formula_write_text(&sb, &f, &res) (or formula_write_json into the
//      report's "formulas" list); exit status 1 when !res.passed.
//      formula_result_free(&res); formula_free(&f);
// 4. In the chapter text near the main derivation, show one example, e.g.
//    "check yours: build/chapter5 --formula 'dK = xcorr(X, G)'".
// A shape mismatch or any evaluation error in a case is a failed case with
// its message; the smallest failing case (fewest input entries) is kept.
//
// Ownership: a FormulaCase owns its matrices (formula_case_free); a Formula
// owns a copy of its text and its tree (formula_free); a FormulaResult owns
// its counterexample (formula_result_free). Running out of memory exits with
// status 2 and an error line, like tensor_alloc, so no function returns NULL.

#include <stdbool.h>
#include <stdint.h>

#include "expr.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "strbuf.h"

// Random cases besides the chapter's own inputs (the issue asks for >= 20).
#define FORMULA_RANDOM_CASES 20
#define FORMULA_CASES (FORMULA_RANDOM_CASES + 1)
// A formula and the right gradient compute the same sums in different
// orders, so they differ by a few ulps of the largest term: 1e-9 relative is
// ~10^7 ulps of slack, and 1e-12 x the largest entry of the case absorbs
// round-off residue where the right value is (nearly) zero. A real mistake
// (a missing 1/n, a sign, a flipped kernel) is off by far more.
#define FORMULA_REL_TOL 1e-9
#define FORMULA_ABS_TOL_OF_SCALE 1e-12
#define FORMULA_MAX_OPERANDS 16
#define FORMULA_MAX_GRADIENTS 8

typedef struct {
    const char *name;    // "dK", "X", "kh"
    const char *meaning; // one line for --formula list
} FormulaSymbol;

typedef struct {
    int n_operands, n_gradients;
    ExprBinding operands[FORMULA_MAX_OPERANDS];   // names: string literals
    ExprBinding gradients[FORMULA_MAX_GRADIENTS]; // the right values (or a bug's)
} FormulaCase;

// Adds (or replaces) a zero-filled rows x cols operand / gradient and returns
// its entries to fill, row-major. Exits 2 when the table is full or the shape
// is out of expr.h's range.
double *formula_case_operand(FormulaCase *c, const char *name, int rows, int cols);
void formula_case_scalar(FormulaCase *c, const char *name, double value);
double *formula_case_gradient(FormulaCase *c, const char *name, int rows, int cols);
// The gradient or operand called name, or NULL.
const ExprMatrix *formula_case_find_gradient(const FormulaCase *c, const char *name);
const ExprMatrix *formula_case_find_operand(const FormulaCase *c, const char *name);
void formula_case_free(FormulaCase *c);
// Total entries of the operands: "smallest case" means fewest of these.
long formula_case_entries(const FormulaCase *c);

// Helpers for drawing a random case: an integer in [lo, hi]; n values
// uniform in [lo, hi).
int formula_draw_int(Rng *rng, int lo, int hi);
void formula_draw_values(double *v, long n, Rng *rng, double lo, double hi);

typedef void (*FormulaFillFn)(FormulaCase *c, Rng *rng, int bug_id, void *ctx);

typedef struct {
    const FormulaSymbol *operands;
    int n_operands;
    const FormulaSymbol *gradients;
    int n_gradients;
    const BugInfo *bugs; // candidate mistakes, bug id k + 1 = bugs[k]; may be NULL
    int n_bugs;
    FormulaFillFn fill;
    void *ctx;
} FormulaSpec;

typedef struct {
    char *text;             // owned copy of the argument
    const char *name;       // into text: "dK"
    const char *expression; // into text: "xcorr(X, G)"
    Expr *expr;
} Formula;

typedef struct {
    int case_index;     // 0: the chapter's inputs; k: random case k
    FormulaCase inputs; // owned; its gradients hold the right values
    ExprMatrix value;   // the formula's value; empty when it failed to evaluate
    char message[320];  // why the formula could not be evaluated, or ""
    int n_differing;    // entries that differ (all of them on an error)
} FormulaCounterexample;

typedef struct {
    int cases;              // cases evaluated (FORMULA_CASES)
    int cases_agreeing;     // cases where every entry agreed
    long entries_compared;  // over all agreeing and disagreeing cases
    bool passed;            // every case agreed
    bool has_counterexample;
    FormulaCounterexample counterexample; // the smallest failing case
    const char *mistake;    // a bug name or slip name the formula matches, or NULL
    char mistake_detail[160];
} FormulaResult;

// "list" instead of NAME=EXPRESSION asks for the symbol list.
bool formula_is_list(const char *arg);
void formula_write_list(StrBuf *b, const FormulaSpec *spec);

// Parses "NAME=EXPRESSION" (spaces allowed around both). On failure returns
// false with err = "--formula: ..." naming the column in the argument.
bool formula_parse(Formula *f, const FormulaSpec *spec, const char *arg, char *err, size_t errlen);
// formula_parse, or usage_error (one error line, exit 2).
void formula_parse_or_exit(Formula *f, const FormulaSpec *spec, const char *arg);
void formula_free(Formula *f);

// Evaluates f on case 0 and the seeded random cases and fills r.
void formula_check(FormulaResult *r, const Formula *f, const FormulaSpec *spec, uint64_t seed);
void formula_result_free(FormulaResult *r);

// Whether formula entry x agrees with right entry y in a case whose largest
// entry magnitude is scale (the rule above).
bool formula_entry_agrees(double x, double y, double scale);

// ---------------------------------------------------------------- in a chapter (formula_report.c)
// formula_parse_or_exit for each of args[0..n) into out[0..n).
void formula_parse_all_or_exit(Formula *out, const FormulaSpec *spec, const char *const *args, int n);
// Writes formula_write_list to stdout and exits 0 (2 on a write error).
_Noreturn void formula_list_and_exit(const FormulaSpec *spec);
// Checks each formula, writes its text as report_verbatim and the list of
// JSON objects as report_json_raw(r, "formulas", ...) (nothing when n = 0).
// Returns whether every formula held: the chapter's exit status is then
// EXIT_CHECK_FAILED when one failed, whatever report_finish returned.
bool formula_report_all(Report *r, const FormulaSpec *spec, const Formula *formulas, int n, uint64_t seed);

// The result as plain lines (each under 80 columns unless a matrix is wide).
void formula_write_text(StrBuf *b, const Formula *f, const FormulaResult *r);
// {"name","expression","cases","passed","cases_agreeing","entries_compared",
//  "counterexample" (null when passed),"matches_mistake","mistake_detail"}
void formula_write_json(StrBuf *b, const Formula *f, const FormulaResult *r);

#endif
