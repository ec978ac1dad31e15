#ifndef WORKBOOK_OPTIONS_H
#define WORKBOOK_OPTIONS_H
// Command-line options shared by every chapter, parsed once here.
//
//   --help  --format FMT (FORMAT_LIST, src/report/format_list.h)  --no-color  --seed N
//   --answer NAME=MATRIX (repeatable)  --bug NAME|list  --plot DIR  --step
//   --section N.M|list (repeatable)  --full-matrices  --check-all
//   --formula NAME=EXPR|list (repeatable; chapters with ChapterSpec.formulas)
//
// A chapter adds its own value options through a table of ChapterOption; the
// raw text is stored for the chapter to convert with the option_* helpers,
// which exit with status 2 and one "error: --name: ..." line on bad input.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "format_list.h"
#include "strbuf.h"
#include "tensor.h"

#define MAX_ANSWERS 32
#define MAX_SECTIONS 32
#define MAX_FORMULAS 16

typedef struct {
    const char *name;    // "--input"
    const char *metavar; // "M"
    const char *help;    // one line for --help
    const char **value;  // receives the argument's text; left untouched when absent
} ChapterOption;

typedef struct {
    const char *name;        // "no-rot180"
    const char *description; // one line for --bug list
} BugInfo;

typedef struct {
    const char *program; // "chapter1"
    const char *title;   // "Chapter 1: cross-correlation vs convolution"
    const ChapterOption *options;
    int n_options;
    const BugInfo *bugs;
    int n_bugs;
    const char *notes; // extra --help paragraph (defaults, examples); may be NULL
    // The chapter checks --formula (src/formula/formula.h); otherwise --formula is
    // refused and left out of --help.
    bool formulas;
} ChapterSpec;

typedef struct {
    const char *name; // owned (a copy of the text before '='); freed by options_free
    Tensor value;     // owned; freed by options_free
} Answer;

typedef struct {
    Format format;
    bool no_color;
    uint64_t seed;
    const char *bug;      // NULL: the correct code runs
    // --bug resolved once, at parsing: 0 for the correct code, k + 1 for
    // spec->bugs[k]. A chapter declares an enum in the order of its BugInfo
    // table, starting with its correct code at 0, and switches on this.
    int bug_id;
    const char *plot_dir; // NULL: no plot data written
    bool step;
    Answer answers[MAX_ANSWERS];
    int n_answers;
    // --section N.M (point into argv); section_list for --section list.
    const char *sections[MAX_SECTIONS];
    int n_sections;
    bool section_list;
    bool full_matrices; // print every entry of big matrices
    bool check_all;     // check every entry: the chapter's work budget is off
    // --formula NAME=EXPRESSION or "list" (point into argv): the chapter
    // parses them against its symbols (formula_parse_options_or_exit).
    const char *formulas[MAX_FORMULAS];
    int n_formulas;
    // The command line and chapter as parsed (not owned): a wrong --answer is
    // compared with the chapter's --bug variants by running it again.
    int argc;
    char **argv;
    const ChapterSpec *spec;
} CommonOptions;

typedef enum { ARGS_OK, ARGS_HELP, ARGS_BUG_LIST, ARGS_ERROR, ARGS_VERSION } ArgsStatus;

#define DEFAULT_SEED 1

// Parses argv. On ARGS_ERROR err holds "--name: problem" (no "error:" prefix).
ArgsStatus parse_args(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv, char *err,
                      size_t errlen);
// parse_args, then: prints --help or the bug list and exits 0, or prints the
// error line and exits 2. Returns only when the chapter should run.
void parse_args_or_exit(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv);
void options_free(CommonOptions *o);
void print_help(FILE *f, const ChapterSpec *spec);
// "chapter1 (backpropagation workbook) 1.0" and the licence (--version).
void print_version(FILE *f, const char *program);

bool bug_is(const CommonOptions *o, const char *name);

// A chapter run again inside this process (report_mistake.c names a wrong
// --answer's mistake by running main with --bug NAME --format json): while it
// runs, the report's output is appended to *out instead of stdout, and an
// error line says it came from that --bug's run.
void rerun_begin(StrBuf *out, const char *bug);
void rerun_end(void);
StrBuf *rerun_output(void); // NULL outside a re-run

// Exit statuses: 0 every check and answer passed; 2 is bad input
// (usage_error).
#define EXIT_CHECK_FAILED 1 // a check failed or an --answer is wrong
#define EXIT_INCONCLUSIVE 3 // nothing failed, but a check could not decide
// Writing the output failed (a full disk, a closed stdout, a broken pipe, a
// --plot file): one "error:" line on stderr names what could not be written.
#define EXIT_WRITE_ERROR 4

// Prints "error: <message>" on stderr and exits with status 2.
_Noreturn void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// The same for output that could not be written (stdout, a --plot file):
// exits with EXIT_WRITE_ERROR (4, src/report/report.h).
_Noreturn void write_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
// Exits through write_error when stdout is closed (`>&-`): a file opened
// later would otherwise take its descriptor and receive the output.
void require_stdout_open(void);
// Flushes stdout; exits through write_error if anything written failed.
void finish_stdout(void);

// Converters for a chapter's own option values; each exits 2 on bad input.
Tensor option_matrix(const char *option, const char *text);
Tensor option_vector(const char *option, const char *text); // one row only
double option_number(const char *option, const char *text);
int option_int(const char *option, const char *text, int min, int max);
// "K" or "KHxKW" (each side in [1, TENSOR_MAX_SIDE]).
void option_size(const char *option, const char *text, int *rows, int *cols);
// One of the '|'-separated words in choices ("valid|full"); returns its index.
int option_choice(const char *option, const char *text, const char *choices);
// Exits 2 naming `options` when t holds NaN or inf: the inputs were so large
// that the computation left double precision.
void require_finite(const Tensor *t, const char *options);

#endif
