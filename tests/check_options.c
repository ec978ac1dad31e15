// Shared command-line options (src/report/options.c): parse_args for every common
// option, a chapter's own options, and the option_* converters, whose bad
// input must end in exit 2 with one "error: --name: ..." line.
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"
#include "options.h"
#include "strbuf.h"

#define MAX_ARGS 8

static const char *input_text, *mode_text;

static const ChapterOption OPTIONS[] = {
    {"--input", "M", "the input X", &input_text},
    {"--mode", "MODE", "valid or full", &mode_text},
};
static const BugInfo BUGS[] = {
    {"no-rot180", "forgets the rotation"},
    {"swap", "swaps two indices"},
};
static const ChapterSpec SPEC = {
    .program = "prog",
    .title = "Chapter 9: a test",
    .options = OPTIONS,
    .n_options = 2,
    .bugs = BUGS,
    .n_bugs = 2,
    .notes = "Example: prog --input \"1 2\"",
};

typedef struct {
    const char *args[MAX_ARGS]; // NULL-terminated
} Args;

// parse_args on {"prog", args...}; the chapter slots start out NULL.
static ArgsStatus parse(CommonOptions *o, const Args *a, const ChapterSpec *spec, char *err, size_t errlen) {
    char *argv[MAX_ARGS + 1] = {"prog"};
    int argc = 1;
    for (int k = 0; a->args[k]; k++) argv[argc++] = (char *)a->args[k];
    input_text = mode_text = NULL;
    return parse_args(o, spec, argc, argv, err, errlen);
}

// ---------------------------------------------------------------- accepted

START_TEST(test_defaults) {
    CommonOptions o;
    char err[256];
    Args a = {{NULL}};
    ck_assert_int_eq(parse(&o, &a, &SPEC, err, sizeof err), ARGS_OK);
    ck_assert_int_eq(o.format, FORMAT_TEXT);
    ck_assert(!o.no_color);
    ck_assert_uint_eq(o.seed, DEFAULT_SEED);
    ck_assert_ptr_null(o.bug);
    ck_assert_ptr_null(o.plot_dir);
    ck_assert(!o.step);
    ck_assert_int_eq(o.n_answers, 0);
    ck_assert_ptr_null(input_text);
    ck_assert_ptr_null(mode_text);
    ck_assert(!bug_is(&o, "no-rot180"));
    options_free(&o);
}
END_TEST

typedef struct {
    Args args;
    Format format;
} FormatCase;

static const FormatCase FORMATS[] = {
    {{{"--format", "text"}}, FORMAT_TEXT},         {{{"--format", "latex"}}, FORMAT_LATEX},
    {{{"--format", "markdown"}}, FORMAT_MARKDOWN}, {{{"--format", "json"}}, FORMAT_JSON},
    {{{"--format=json"}}, FORMAT_JSON},            {{{"--format=latex", "--format", "markdown"}}, FORMAT_MARKDOWN},
};

START_TEST(test_format_values) {
    CommonOptions o;
    char err[256] = "";
    ck_assert_msg(parse(&o, &FORMATS[_i].args, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert_int_eq(o.format, FORMATS[_i].format);
    options_free(&o);
}
END_TEST

typedef struct {
    const char *text;
    uint64_t seed;
} SeedCase;

static const SeedCase SEEDS[] = {
    {"42", 42}, {"0", 0}, {"007", 7}, {"18446744073709551615", UINT64_MAX},
};

START_TEST(test_seed_values) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--seed", SEEDS[_i].text}};
    ck_assert_msg(parse(&o, &a, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert_uint_eq(o.seed, SEEDS[_i].seed);
    options_free(&o);
    char inline_form[64];
    snprintf(inline_form, sizeof inline_form, "--seed=%s", SEEDS[_i].text);
    Args b = {{inline_form}};
    ck_assert_int_eq(parse(&o, &b, &SPEC, err, sizeof err), ARGS_OK);
    ck_assert_uint_eq(o.seed, SEEDS[_i].seed);
    options_free(&o);
}
END_TEST

START_TEST(test_flags_and_simple_values) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--no-color", "--step", "--plot", "plots/out", "--bug", "swap"}};
    ck_assert_msg(parse(&o, &a, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert(o.no_color);
    ck_assert(o.step);
    ck_assert_str_eq(o.plot_dir, "plots/out");
    ck_assert_str_eq(o.bug, "swap");
    ck_assert(bug_is(&o, "swap"));
    ck_assert(!bug_is(&o, "no-rot180"));
    options_free(&o);
    Args b = {{"--plot=d", "--bug=no-rot180"}};
    ck_assert_int_eq(parse(&o, &b, &SPEC, err, sizeof err), ARGS_OK);
    ck_assert_str_eq(o.plot_dir, "d");
    ck_assert(bug_is(&o, "no-rot180"));
    options_free(&o);
}
END_TEST

START_TEST(test_new_common_options) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--section", "5.3", "--section=5.10", "--full-matrices", "--check-all"}};
    ck_assert_msg(parse(&o, &a, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert_int_eq(o.n_sections, 2);
    ck_assert_str_eq(o.sections[0], "5.3");
    ck_assert_str_eq(o.sections[1], "5.10");
    ck_assert(!o.section_list);
    ck_assert(o.full_matrices);
    ck_assert(o.check_all);
    options_free(&o);
    Args b = {{"--section", "list"}};
    ck_assert_int_eq(parse(&o, &b, &SPEC, err, sizeof err), ARGS_OK);
    ck_assert(o.section_list);
    ck_assert(!o.full_matrices && !o.check_all);
    options_free(&o);
}
END_TEST

// --help names every common option and fits 80 columns, however long the
// chapter's own help lines are; an example in quotes is never broken.
START_TEST(test_help_fits_80_columns) {
    static const char *in, *long_text;
    const ChapterOption long_options[] = {
        {"--input", "M", "the input X, a matrix literal or @FILE; a long explanation that goes on well past "
                         "the end of an eighty-column line and must wrap",
         &in},
    };
    const ChapterSpec spec = {.program = "prog", .title = "T", .options = long_options, .n_options = 1,
                              .notes = "Example: prog --input \"1 2 3; 4 5 6; 7 8 9\" --kernel \"1 0; 0 -1\" "
                                       "--stride 2 --padding 1 --dilation 2"};
    (void)long_text;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    print_help(f, &spec);
    fclose(f);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(utf8_width(line) <= 80, "too wide: %s", line);
    free(buf);
    f = open_memstream(&buf, &len);
    print_help(f, &spec);
    fclose(f);
    const char *opts[] = {"--section", "--full-matrices", "--check-all", "--answer", "--step", "markdown, json, beamer or html",
                          "\"1 2 3; 4 5 6; 7 8 9\"", "must wrap", "4 the output"};
    for (int k = 0; k < ARRAY_LEN(opts); k++) ck_assert_msg(strstr(buf, opts[k]) != NULL, "no '%s'", opts[k]);
    free(buf);
}
END_TEST

// --formula: collected like --answer (repeatable, pointing into argv) in a
// chapter that checks formulas; refused with one error in one that does not,
// and listed in --help only where it works.
static const ChapterSpec FORMULA_SPEC = {.program = "prog", .title = "T", .formulas = true};

START_TEST(test_formula_collected) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--formula", "dK = xcorr(X, G)", "--formula=db = sum(G)", "--formula", "list"}};
    ck_assert_msg(parse(&o, &a, &FORMULA_SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert_int_eq(o.n_formulas, 3);
    ck_assert_str_eq(o.formulas[0], "dK = xcorr(X, G)");
    ck_assert_str_eq(o.formulas[1], "db = sum(G)");
    ck_assert_str_eq(o.formulas[2], "list");
    options_free(&o);
    Args none = {{"--seed", "2"}};
    ck_assert_int_eq(parse(&o, &none, &FORMULA_SPEC, err, sizeof err), ARGS_OK);
    ck_assert_int_eq(o.n_formulas, 0);
    options_free(&o);
}
END_TEST

START_TEST(test_formula_refused) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--formula", "dK = xcorr(X, G)"}};
    ck_assert_int_eq(parse(&o, &a, &SPEC, err, sizeof err), ARGS_ERROR); // SPEC.formulas is false
    ck_assert_str_eq(err, "--formula: this chapter has no formulas to check (chapters 1, 2, 3 and 5 do)");
    Args missing = {{"--formula"}};
    ck_assert_int_eq(parse(&o, &missing, &FORMULA_SPEC, err, sizeof err), ARGS_ERROR);
    ck_assert_str_eq(err, "--formula: missing value");
    // One more than MAX_FORMULAS.
    char *argv[2 * MAX_FORMULAS + 3] = {"prog"};
    int argc = 1;
    for (int k = 0; k <= MAX_FORMULAS; k++) argv[argc++] = "--formula", argv[argc++] = "db = sum(G)";
    ck_assert_int_eq(parse_args(&o, &FORMULA_SPEC, argc, argv, err, sizeof err), ARGS_ERROR);
    ck_assert_str_eq(err, "--formula: more than 16 formulas");
}
END_TEST

static char *help_of(const ChapterSpec *spec) {
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_ptr_nonnull(f);
    print_help(f, spec);
    fclose(f);
    return buf;
}

START_TEST(test_formula_in_help) {
    char *with = help_of(&FORMULA_SPEC), *without = help_of(&SPEC);
    ck_assert_ptr_nonnull(strstr(with, "  --formula NAME=EXPR    check a formula you derived"));
    ck_assert_ptr_nonnull(strstr(with, "'--formula list' names"));
    ck_assert_ptr_null(strstr(without, "--formula"));
    for (char *line = strtok(with, "\n"); line; line = strtok(NULL, "\n"))
        ck_assert_msg(utf8_width(line) <= 80, "too wide: %s", line);
    free(with);
    free(without);
}
END_TEST

START_TEST(test_answers_parsed) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--answer", "dK=1 2; 3 4", "--answer=z=0.5"}};
    ck_assert_msg(parse(&o, &a, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    ck_assert_int_eq(o.n_answers, 2);
    ck_assert_str_eq(o.answers[0].name, "dK");
    ck_assert_int_eq(o.answers[0].value.h, 2);
    ck_assert_int_eq(o.answers[0].value.w, 2);
    const double want[4] = {1, 2, 3, 4};
    for (int k = 0; k < 4; k++) ck_assert_double_eq(o.answers[0].value.data[k], want[k]);
    ck_assert_str_eq(o.answers[1].name, "z");
    ck_assert_int_eq(o.answers[1].value.h, 1);
    ck_assert_int_eq(o.answers[1].value.w, 1);
    ck_assert_double_eq(o.answers[1].value.data[0], 0.5);
    options_free(&o);
    ck_assert_int_eq(o.n_answers, 0);
}
END_TEST

START_TEST(test_chapter_options_stored_in_slots) {
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--input", "1 2; 3 4", "--mode=full", "--format", "json"}};
    ck_assert_msg(parse(&o, &a, &SPEC, err, sizeof err) == ARGS_OK, "%s", err);
    // The raw text is stored, unconverted, for the chapter to check.
    ck_assert_ptr_eq(input_text, a.args[1]);
    ck_assert_str_eq(mode_text, "full");
    ck_assert_int_eq(o.format, FORMAT_JSON);
    options_free(&o);
    // A value that looks like an option is still the value.
    Args b = {{"--input", "--step"}};
    ck_assert_int_eq(parse(&o, &b, &SPEC, err, sizeof err), ARGS_OK);
    ck_assert_str_eq(input_text, "--step");
    ck_assert(!o.step);
    options_free(&o);
}
END_TEST

typedef struct {
    Args args;
    ArgsStatus status;
} StatusCase;

static const StatusCase STATUSES[] = {
    {{{"--help"}}, ARGS_HELP},
    {{{"-h"}}, ARGS_HELP},
    {{{"--seed", "3", "--help"}}, ARGS_HELP},
    {{{"--bug", "list"}}, ARGS_BUG_LIST},
    {{{"--bug=list", "--format", "json"}}, ARGS_BUG_LIST},
    {{{"--help", "--format", "yaml"}}, ARGS_ERROR}, // a bad option is reported even with --help
    {{{"--version"}}, ARGS_VERSION},
    {{{"--seed", "3", "--version"}}, ARGS_VERSION},
    {{{"--version", "--help"}}, ARGS_HELP},
    // "--" ends the options; nothing after it is an empty list of arguments
    {{{"--seed", "3", "--"}}, ARGS_OK},
    {{{"--"}}, ARGS_OK},
    // a value may be "--" or start with '-'
    {{{"--bug", "--"}}, ARGS_ERROR},
};

START_TEST(test_help_and_bug_list_status) {
    CommonOptions o;
    char err[256] = "";
    ck_assert_int_eq(parse(&o, &STATUSES[_i].args, &SPEC, err, sizeof err), STATUSES[_i].status);
    options_free(&o);
}
END_TEST

// ---------------------------------------------------------------- refused

typedef struct {
    Args args;
    const char *err; // the message must start with this
} ErrorCase;

static const ErrorCase ERRORS[] = {
    {{{"--format", "yaml"}}, "--format: unknown format 'yaml' (expected text, latex, markdown, json, beamer or html)"},
    {{{"--format=rtf"}}, "--format: unknown format 'rtf'"},
    {{{"--format="}}, "--format: unknown format ''"},
    {{{"--format"}}, "--format: missing value"},
    {{{"--seed", "-1"}}, "--seed: '-1' is not a whole number from 0 to 18446744073709551615"},
    {{{"--seed", "12x"}}, "--seed: '12x' is not a whole number"},
    {{{"--seed", ""}}, "--seed: '' is not a whole number"},
    {{{"--seed", "18446744073709551616"}}, "--seed: '18446744073709551616' is not a whole number"},
    {{{"--seed"}}, "--seed: missing value"},
    {{{"--answer", "dK"}}, "--answer: 'dK' has no '=' (expected NAME=MATRIX"},
    {{{"--answer", "=1 2"}}, "--answer: the name before '=' is empty"},
    {{{"--answer", "a=1", "--answer", "a=2"}}, "--answer: 'a' is given twice"},
    {{{"--answer", "a=1", "--answer", "b=1 2; 3"}}, "--answer b: row 2 has 1 entry but row 1 has 2"},
    {{{"--answer", "a=nan"}}, "--answer a: row 1, entry 1: 'nan' is not a finite decimal number"},
    {{{"--answer", "mode=valid"}}, "--answer mode: row 1, entry 1: 'valid' is not a finite decimal number (--answer "
                                   "checks numbers, vectors and matrices; a setting such as a mode"},
    {{{"--answer"}}, "--answer: missing value"},
    {{{"--bug", "nope"}}, "--bug: unknown bug 'nope' ('--bug list' names them)"},
    {{{"--bug"}}, "--bug: missing value"},
    {{{"--plot", ""}}, "--plot: the directory name is empty"},
    {{{"--section", "5"}}, "--section: '5' is not a section number N.M (e.g. 5.3) or 'list'"},
    {{{"--section", "5.3.1"}}, "--section: '5.3.1' is not a section number"},
    {{{"--section", ".3"}}, "--section: '.3' is not a section number"},
    {{{"--section", "5."}}, "--section: '5.' is not a section number"},
    {{{"--section", "a.b"}}, "--section: 'a.b' is not a section number"},
    {{{"--section"}}, "--section: missing value"},
    {{{"--full-matrices=1"}}, "--full-matrices=1: unknown option"},
    {{{"--frobnicate"}}, "--frobnicate: unknown option (see --help)"},
    {{{"-x"}}, "-x: unknown option"},
    {{{"--formatjson"}}, "--formatjson: unknown option"},
    {{{"--no-color=1"}}, "--no-color=1: unknown option"},
    // a word that is no option names the option it follows, or "--"
    {{{"stray"}}, "--: 'stray' is not an option"},
    {{{"-"}}, "--: '-' is not an option"},
    {{{""}}, "--: '' is not an option"},
    {{{"--no-color", "x"}}, "--: 'x' is not an option"},
    {{{"--seed", "1", "2"}}, "--seed: '2' follows its value '1' (a value with spaces must be quoted: --seed \"1 2\")"},
    {{{"--", "x"}}, "--: 'x' after '--' is an argument"},
    {{{"--", "--seed", "3"}}, "--: '--seed' after '--' is an argument"},
    {{{"--input"}}, "--input: missing value"},
    {{{"--mode", "full", "--input"}}, "--input: missing value"},
};

START_TEST(test_errors) {
    CommonOptions o;
    char err[256] = "";
    ck_assert_int_eq(parse(&o, &ERRORS[_i].args, &SPEC, err, sizeof err), ARGS_ERROR);
    ck_assert_msg(strncmp(err, ERRORS[_i].err, strlen(ERRORS[_i].err)) == 0, "case %d: got '%s', expected '%s...'",
                  _i, err, ERRORS[_i].err);
    ck_assert_int_eq(o.n_answers, 0); // answers already parsed were freed
}
END_TEST

START_TEST(test_bug_in_chapter_without_bugs) {
    const ChapterSpec plain = {.program = "p", .title = "P"};
    CommonOptions o;
    char err[256] = "";
    Args a = {{"--bug", "anything"}};
    ck_assert_int_eq(parse(&o, &a, &plain, err, sizeof err), ARGS_ERROR);
    ck_assert_str_eq(err, "--bug: this chapter has no bugs to inject");
    Args b = {{"--input", "1"}}; // another chapter's option is unknown here
    ck_assert_int_eq(parse(&o, &b, &plain, err, sizeof err), ARGS_ERROR);
    ck_assert_str_eq(err, "--input: unknown option (see --help)");
}
END_TEST

// ---------------------------------------------------------------- parse_args_or_exit

static int or_exit(void *ctx) {
    const Args *a = ctx;
    char *argv[MAX_ARGS + 1] = {"prog"};
    int argc = 1;
    for (int k = 0; a->args[k]; k++) argv[argc++] = (char *)a->args[k];
    CommonOptions o;
    parse_args_or_exit(&o, &SPEC, argc, argv);
    options_free(&o);
    return 42; // the chapter would run
}

START_TEST(test_or_exit_help_bug_list_error) {
    Args help = {{"--help"}};
    Captured h = capture_run(or_exit, &help);
    ck_assert_int_eq(h.status, 0);
    ck_assert_ptr_nonnull(strstr(h.out, "Chapter 9: a test\n\nUsage: prog [options]\n"));
    ck_assert_ptr_nonnull(strstr(h.out, "\n  --input M              the input X\n"));
    ck_assert_ptr_nonnull(strstr(h.out, "\n  --mode MODE            valid or full\n"));
    ck_assert_ptr_nonnull(strstr(h.out, "Example: prog --input \"1 2\""));
    ck_assert_ptr_nonnull(strstr(h.out, "--answer NAME=MATRIX"));
    ck_assert_str_eq(h.err, "");
    captured_free(&h);

    Args list = {{"--bug", "list"}};
    Captured l = capture_run(or_exit, &list);
    ck_assert_int_eq(l.status, 0);
    // One bug per line, the name first, descriptions aligned two spaces
    // after the longest name ("no-rot180", 9 characters).
    ck_assert_str_eq(l.out, "no-rot180  forgets the rotation\nswap       swaps two indices\n");
    captured_free(&l);

    Args bad = {{"--seed", "x"}};
    Captured e = capture_run(or_exit, &bad);
    ck_assert_usage_error(e, "error: --seed: 'x' is not a whole number");
    captured_free(&e);

    Args ok = {{"--seed", "5"}};
    Captured r = capture_run(or_exit, &ok);
    ck_assert_int_eq(r.status, 42);
    ck_assert_uint_eq(r.out_len + r.err_len, 0);
    captured_free(&r);
}
END_TEST

// ---------------------------------------------------------------- converters

START_TEST(test_option_size_good) {
    int rows = 0, cols = 0;
    option_size("--size", "2", &rows, &cols);
    ck_assert_int_eq(rows, 2);
    ck_assert_int_eq(cols, 2);
    option_size("--size", "2x3", &rows, &cols);
    ck_assert_int_eq(rows, 2);
    ck_assert_int_eq(cols, 3);
    option_size("--size", "4096x1", &rows, &cols);
    ck_assert_int_eq(rows, 4096);
    ck_assert_int_eq(cols, 1);
}
END_TEST

static const char *const BAD_SIZES[] = {"0", "x3", "2x", "2x3x4", "axb", "4097", "2x4097", "-2", "", "2X3", "2 x 3",
                                        "1234567890123456789012345678901234x2"};

static int size_of(void *ctx) {
    int rows, cols;
    option_size("--size", ctx, &rows, &cols);
    return 0;
}

START_TEST(test_option_size_bad) {
    Captured c = capture_run(size_of, (void *)BAD_SIZES[_i]);
    ck_assert_usage_error(c, "error: --size: ");
    captured_free(&c);
}
END_TEST

START_TEST(test_option_choice_good) {
    ck_assert_int_eq(option_choice("--mode", "valid", "valid|full"), 0);
    ck_assert_int_eq(option_choice("--mode", "full", "valid|full"), 1);
    ck_assert_int_eq(option_choice("--x", "c", "a|b|c"), 2);
    ck_assert_int_eq(option_choice("--x", "only", "only"), 0);
}
END_TEST

static const char *const BAD_CHOICES[] = {"ful", "fulll", "", "valid|full", "VALID", "|"};

static int choice_of(void *ctx) { return option_choice("--mode", ctx, "valid|full"); }

START_TEST(test_option_choice_bad) {
    Captured c = capture_run(choice_of, (void *)BAD_CHOICES[_i]);
    ck_assert_usage_error(c, "error: --mode: unknown value '");
    ck_assert_ptr_nonnull(strstr(c.err, "(expected one of: valid,full)\n"));
    captured_free(&c);
}
END_TEST

typedef struct {
    int which;
    const char *text;
    const char *err;
} ConvertCase;

static int convert(void *ctx) {
    const ConvertCase *c = ctx;
    Tensor t;
    switch (c->which) {
    case 0:
        t = option_matrix("--m", c->text);
        tensor_free(&t);
        break;
    case 1:
        t = option_vector("--v", c->text);
        tensor_free(&t);
        break;
    case 2:
        (void)option_number("--lr", c->text);
        break;
    default:
        (void)option_int("--n", c->text, 1, 10);
        break;
    }
    return 0;
}

static const ConvertCase CONVERT_ERRORS[] = {
    {0, "1 2; 3", "error: --m: row 2 has 1 entry but row 1 has 2 (ragged rows)\n"},
    {1, "1 2; 3 4", "error: --v: expected a vector (one row), got 2 rows\n"},
    {2, "abc", "error: --lr: 'abc' is not a finite decimal number\n"},
    {2, "1e400", "error: --lr: '1e400' is out of range (magnitudes above 1e+300 are refused)\n"},
    {3, "0", "error: --n: '0' is out of range (expected 1 to 10)\n"},
    {3, "2.5", "error: --n: '2.5' is not a whole number\n"},
};

START_TEST(test_converters_refuse) {
    Captured c = capture_run(convert, (void *)&CONVERT_ERRORS[_i]);
    ck_assert_int_eq(c.status, 2);
    ck_assert_uint_eq(c.out_len, 0);
    ck_assert_str_eq(c.err, CONVERT_ERRORS[_i].err);
    captured_free(&c);
}
END_TEST

START_TEST(test_converters_accept) {
    Tensor v = option_vector("--v", "29, 35");
    ck_assert_int_eq(v.w, 2);
    ck_assert_double_eq(v.data[1], 35);
    tensor_free(&v);
    ck_assert_double_eq(option_number("--lr", "-0.125"), -0.125);
    ck_assert_int_eq(option_int("--n", "10", 1, 10), 10);
}
END_TEST

static int non_finite(void *ctx) {
    double d[2] = {1, *(const double *)ctx};
    Tensor t = tensor_view(d, 1, 1, 2);
    require_finite(&t, "--input/--kernel");
    return 0;
}

START_TEST(test_require_finite) {
    static const double bad[2] = {NAN, -INFINITY};
    for (int k = 0; k < 2; k++) {
        Captured c = capture_run(non_finite, (void *)&bad[k]);
        ck_assert_usage_error(c, "error: --input/--kernel: the computation overflows double precision");
        captured_free(&c);
    }
    static const double fine = 1e300;
    Captured ok = capture_run(non_finite, (void *)&fine);
    ck_assert_int_eq(ok.status, 0);
    ck_assert_uint_eq(ok.err_len, 0);
    captured_free(&ok);
}
END_TEST

Suite *make_options_suite(void) {
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("parse_args");
    tcase_add_test(tc, test_defaults);
    tcase_add_loop_test(tc, test_format_values, 0, ARRAY_LEN(FORMATS));
    tcase_add_loop_test(tc, test_seed_values, 0, ARRAY_LEN(SEEDS));
    tcase_add_test(tc, test_flags_and_simple_values);
    tcase_add_test(tc, test_answers_parsed);
    tcase_add_test(tc, test_new_common_options);
    tcase_add_test(tc, test_formula_collected);
    tcase_add_test(tc, test_formula_refused);
    tcase_add_test(tc, test_formula_in_help);
    tcase_add_test(tc, test_help_fits_80_columns);
    tcase_add_test(tc, test_chapter_options_stored_in_slots);
    tcase_add_loop_test(tc, test_help_and_bug_list_status, 0, ARRAY_LEN(STATUSES));
    tcase_add_loop_test(tc, test_errors, 0, ARRAY_LEN(ERRORS));
    tcase_add_test(tc, test_bug_in_chapter_without_bugs);
    tcase_add_test(tc, test_or_exit_help_bug_list_error);
    suite_add_tcase(s, tc);
    TCase *conv = tcase_create("converters");
    tcase_add_test(conv, test_option_size_good);
    tcase_add_loop_test(conv, test_option_size_bad, 0, ARRAY_LEN(BAD_SIZES));
    tcase_add_test(conv, test_option_choice_good);
    tcase_add_loop_test(conv, test_option_choice_bad, 0, ARRAY_LEN(BAD_CHOICES));
    tcase_add_loop_test(conv, test_converters_refuse, 0, ARRAY_LEN(CONVERT_ERRORS));
    tcase_add_test(conv, test_converters_accept);
    tcase_add_test(conv, test_require_finite);
    suite_add_tcase(s, conv);
    return s;
}
