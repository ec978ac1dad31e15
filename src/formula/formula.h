#ifndef WORKBOOK_FORMULA_H
#define WORKBOOK_FORMULA_H
// --formula NAME=EXPRESSION: check a derived formula for one of a chapter's
// gradients on the chapter's inputs (case 0) and on FORMULA_RANDOM_CASES
// seeded random cases of varied shapes, against the chapter's own gradient
// (which the chapter itself checks by finite differences). The expression
// language is expr.h's.
//
// ---------------------------------------------------------------- integrating a chapter (~30 lines)
// 1. Two tables beside BUGS[]: short math names, one line each. Gradient
//    names are what the student writes left of '='; operands are what the
//    expression may use, the hyper-parameters (n, m, kh, kw, s, p, d) too:
//      static const FormulaSymbol OPERANDS[] = {{"x", "the input (1 x m)"},
//          {"W", "the weights (n x m)"}, {"b", "the bias"}, {"y", "the targets"},
//          {"z", "W x + b"}, {"yhat", "sigmoid(z)"}, {"n", "outputs"}, {"m", "inputs"}};
//      static const FormulaSymbol GRADIENTS[] = {{"dW", "∂L/∂W"}, {"db", "∂L/∂b"},
//          {"dx", "∂L/∂x"}, {"dL_dz", "∂L/∂z"}};
// A compiled example of 1 and 2 for chapter 3 is in tests/check_formula.c
// ("chapter 3's integration"), with the chapter 2 and 3 examples.
// 2. One fill function: the case's operands, then every gradient computed by
//    the chapter's own code (the code its finite-difference checks cover)
//    with the mistake bug_id in force (0 the right code, k + 1 = BUGS[k], the
//    ids of opt.bug_id, so the layer code must take the bug as an argument,
//    not from a global):
//      static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
//          const Dense *cur = ctx;   // rng == NULL: case 0, the current inputs
//          int n = rng ? formula_draw_int(rng, 1, 4) : cur->n;
//          int m = rng ? formula_draw_int(rng, 1, 4) : cur->m;
//          double *x = formula_case_operand(c, "x", 1, m);
//          if (rng) formula_draw_values(x, m, rng, -2, 2); else memcpy(x, ...);
//          ... W, b, y the same way; z, yhat computed; scalars:
//          formula_case_scalar(c, "n", n);
//          dense_backward_bug(formula_case_gradient(c, "dW", n, m), ..., bug_id);
//      }
//    Rules: vectors are rows (1 x n); names are string literals; draw the
//    same numbers whatever bug_id is (the engine refills each case with the
//    same seed once per bug, to compare with the formula); case 0 must come
//    out the same on every call; let n > 1 occur where n is a dimension and
//    vary every size; values away from saturation (|z| < ~5). The language
//    is 2-D: with channels, draw one channel in the random cases, and when
//    the current inputs have several, make case 0 channel 0 (say so).
// 3. In main: a repeatable --formula (CommonOptions should collect them like
//    --answer; until then one ChapterOption value), then, after the inputs
//    are validated and before any output:
//      FormulaSpec fs = {OPERANDS, ARRAY_LEN(OPERANDS), GRADIENTS, ARRAY_LEN(GRADIENTS),
//                        BUGS, ARRAY_LEN(BUGS), formula_fill, &inputs};
//      if (n_formulas == 1 && formula_is_list(texts[0])) formula_list_and_exit(&fs);
//      Formula f[MAX_FORMULAS];
//      formula_parse_all_or_exit(f, &fs, texts, n_formulas); // exit 2, one line
//    and in the section of the main derivation (or a last section):
//      bool held = formula_report_all(&report, &fs, f, n_formulas, opt.seed);
//      ... status = report_finish(&report); if (!held) status = EXIT_CHECK_FAILED;
//      formula_free(&f[i]) for each.
//    (formula_check / formula_write_text / formula_write_json do the same for
//    a caller without a Report.)
// 4. --help notes: "--formula NAME=EXPR  check a formula you derived
//    ('--formula list' names the symbols)", and in the chapter text near the
//    main derivation one example, e.g. "check yours: build/chapter5
//    --formula 'dK = xcorr(X, G)'".
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
// A formula's own rounding: a few ε per unit of the magnitudes it sums
// (expr_eval_magnitude); every wrong formula the chapters know is off by far more.
#define FORMULA_ROUNDING_ULPS 16.0
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
// The chapter's --formula options (opt->formulas): a lone "list" writes the
// symbol list and exits 0; otherwise each is parsed into out[0..n_formulas)
// (a bad one: one error line, exit 2). Call before any output.
void formula_parse_options_or_exit(Formula *out, const FormulaSpec *spec, const CommonOptions *opt);
void formula_free_all(Formula *f, int n);
// The chapter's exit status: report_finish's, or EXIT_CHECK_FAILED when a
// formula failed (a write error, 4, still wins).
int formula_exit_status(int report_status, bool held);
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
