// Inputs found by the libFuzzer targets in tests/fuzz/ (make fuzz), kept as
// regression tests: first the ones that broke an invariant, then the
// nastiest inputs the fuzzers kept as interesting (huge tokens and
// exponents, full-size rows, runs of separators, 33 answers).
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "dataset.h"
#include "options.h"
#include "parse.h"
#include "proc.h"


static void assert_one_line(const char *what, const char *err) {
    ck_assert_msg(err[0] != '\0', "%s: empty message", what);
    for (const char *c = err; *c; c++)
        ck_assert_msg((unsigned char)*c >= 0x20 && *c != 0x7f, "%s: control character 0x%02x in '%s'", what,
                      (unsigned char)*c, err);
}

// "<zeros zeros>digits" with the given run of '0' characters in the middle.
static char *with_zeros(const char *head, size_t zeros, const char *tail) {
    size_t h = strlen(head), t = strlen(tail);
    char *s = malloc(h + zeros + t + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, head, h);
    memset(s + h, '0', zeros);
    memcpy(s + h + zeros, tail, t + 1);
    return s;
}

// ------------------------------------------------- crash 1: long tokens
// The fuzzer's input was "0.000…0005000…0001e-5" (442 bytes): parse_number
// accepted it but parse_matrix refused every entry longer than 400
// characters, so one number had two answers. Leading zeros never change a
// value, so each of these is exact:
typedef struct {
    const char *head;
    size_t zeros;
    const char *tail;
    double value;
} LongToken;

static const LongToken LONG_TOKENS[] = {
    {"", 1000, "42", 42.0},          // 000…042 = 42
    {"-", 5000, "7.5", -7.5},        // -000…07.5 = -7.5
    {"0.", 399, "1e400", 1.0},       // 1e-400 * 1e400 = 1 (the 1 is the 400th decimal)
    {"0.", 1000, "", 0.0},           // 0.000…0 = 0
    {"0.", 299, "5e300", 5.0},       // 5e-300 * 1e300 = 5 (the 5 is the 300th decimal)
    {"1", 299, "", 1e299},           // 1 followed by 299 zeros
    {"0.", 298, "1", 1e-299},        // the 299th decimal place
};

START_TEST(test_long_token) {
    const LongToken *c = &LONG_TOKENS[_i];
    char *text = with_zeros(c->head, c->zeros, c->tail);
    char err[256] = "";
    double x;
    ck_assert_msg(parse_number(&x, text, err, sizeof err), "case %d refused: %s", _i, err);
    ck_assert_msg(x == c->value, "case %d: %.17g, expected %.17g", _i, x, c->value);
    Tensor t;
    ck_assert_msg(parse_matrix(&t, text, err, sizeof err), "case %d refused as a matrix: %s", _i, err);
    ck_assert_int_eq(t.h, 1);
    ck_assert_int_eq(t.w, 1);
    ck_assert_msg(t.data[0] == c->value, "case %d as a matrix: %.17g", _i, t.data[0]);
    tensor_free(&t);
    free(text);
}
END_TEST

// A long entry between short ones keeps the row's other entries in place.
START_TEST(test_long_token_in_row) {
    char *text = with_zeros("1, ", 2000, "3; 4 -5");
    Tensor t;
    char err[256] = "";
    ck_assert_msg(parse_matrix(&t, text, err, sizeof err), "refused: %s", err);
    ck_assert_int_eq(t.h, 2);
    ck_assert_int_eq(t.w, 2);
    const double expected[] = {1, 3, 4, -5}; // "000…03" is 3
    for (int k = 0; k < 4; k++) ck_assert_msg(t.data[k] == expected[k], "entry %d: %g", k, t.data[k]);
    free(text);
    tensor_free(&t);
}
END_TEST

// Still wrong when long: the message names the entry and stays short.
START_TEST(test_long_bad_token) {
    char *text = with_zeros("1 2; 3 ", 3000, "x");
    Tensor t;
    char err[256] = "";
    ck_assert(!parse_matrix(&t, text, err, sizeof err));
    ck_assert_msg(strstr(err, "row 2, entry 2") != NULL, "message: %s", err);
    ck_assert_msg(strstr(err, "not a finite decimal number") != NULL, "message: %s", err);
    ck_assert_uint_lt(strlen(err), 120);
    ck_assert_ptr_null(t.data);
    free(text);
}
END_TEST

// ------------------------------------- crash 2: messages over two lines
// The fuzzers' inputs were "\n\300\213\026" (parse_number quoted it as is)
// and "--bug" "\nist" (parse_args quoted the unknown bug). Every message
// that quotes input is flattened: each control character becomes '?'.
typedef struct {
    const char *text;
    const char *shown; // the quoted input as the message must show it
} Flattened;

static const Flattened FLAT_NUMBERS[] = {
    {"\n\300\213\026", "'?\300\213?'"},
    {"1\n2", "'1?2'"},
    {"\x1b[31m1", "'?[31m1'"},
    {"1e999\r", "'1e999?'"},
    {"\t", "'?'"},
};

START_TEST(test_number_message_one_line) {
    const Flattened *c = &FLAT_NUMBERS[_i];
    char err[256] = "";
    double x;
    int v;
    ck_assert(!parse_number(&x, c->text, err, sizeof err));
    assert_one_line("parse_number", err);
    ck_assert_msg(strstr(err, c->shown) != NULL, "case %d: '%s' lacks %s", _i, err, c->shown);
    err[0] = '\0';
    ck_assert(!parse_int(&v, c->text, 1, 10, err, sizeof err));
    assert_one_line("parse_int", err);
    ck_assert_msg(strstr(err, c->shown) != NULL, "case %d: '%s' lacks %s", _i, err, c->shown);
}
END_TEST

// A matrix entry is quoted through parse_number; an @file name directly.
START_TEST(test_matrix_message_one_line) {
    Tensor t;
    char err[512] = "";
    ck_assert(!parse_matrix(&t, "1 2\x1b", err, sizeof err));
    assert_one_line("entry", err);
    ck_assert_msg(strstr(err, "row 1, entry 2: '2?'") != NULL, "message: %s", err);
    err[0] = '\0';
    ck_assert(!parse_matrix(&t, "@no/such\ndir/m.txt", err, sizeof err));
    assert_one_line("@file", err);
    ck_assert_msg(strstr(err, "'no/such?dir/m.txt'") != NULL, "message: %s", err);
    ck_assert_ptr_null(t.data);
}
END_TEST

static const BugInfo BUGS[] = {{"no-rot180", "forget to rotate the kernel"}};

// argv for parse_args: "prog" then up to 6 arguments, NULL-terminated.
typedef struct {
    const char *args[6];
    const char *shown;
} FlatArgs;

static const FlatArgs FLAT_ARGS[] = {
    {{"--bug", "\nist"}, "'?ist'"},
    {{"--frobnicate\n"}, "--frobnicate?: unknown option"},
    {{"word\nword"}, "--: 'word?word' is not an option"},
    {{"--format", "js\non"}, "'js?on'"},
    {{"--seed", "1\n"}, "'1?'"},
    {{"--answer", "dK\n"}, "'dK?' has no '='"},
    {{"--answer", "dK=1\n2"}, "newline inside a matrix literal"},
    {{"--answer", "a\n=1", "--answer", "a\n=2"}, "'a?' is given twice"},
};

static ArgsStatus run_parse_args(const char *const *args, CommonOptions *o, char *err, size_t errlen) {
    char *argv[8] = {"prog"};
    int argc = 1;
    for (int k = 0; k < 6 && args[k]; k++) argv[argc++] = (char *)args[k];
    const char *input = NULL;
    const ChapterOption options[] = {{"--input", "M", "the input", &input}};
    const ChapterSpec spec = {"prog", "Regression spec", options, 1, BUGS, 1, NULL, false};
    return parse_args(o, &spec, argc, argv, err, errlen);
}

START_TEST(test_args_message_one_line) {
    const FlatArgs *c = &FLAT_ARGS[_i];
    CommonOptions o;
    char err[512] = "";
    ck_assert_int_eq(run_parse_args(c->args, &o, err, sizeof err), ARGS_ERROR);
    assert_one_line("parse_args", err);
    ck_assert_msg(strstr(err, c->shown) != NULL, "case %d: '%s' lacks %s", _i, err, c->shown);
    ck_assert_int_eq(o.n_answers, 0);
    options_free(&o);
}
END_TEST

// usage_error flattens what a chapter's own converters quote, so a student
// who pastes a newline still sees exactly one "error:" line.
START_TEST(test_chapter_error_one_line) {
    const char *const args[] = {"--mode", "va\nlid", NULL};
    ProcResult r = run_chapter("chapter1", args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_msg(strncmp(r.err, "error: --mode: ", 15) == 0, "stderr: %s", r.err);
    ck_assert_msg(strstr(r.err, "'va?lid'") != NULL, "stderr: %s", r.err);
    proc_free(&r);
}
END_TEST

// ------------------------------------------- interesting, never crashed

// "0 0 … 0" with n entries separated by sep.
static char *repeated(const char *entry, int n, char sep) {
    size_t e = strlen(entry);
    char *s = malloc((size_t)n * (e + 1) + 1);
    ck_assert_ptr_nonnull(s);
    char *p = s;
    for (int k = 0; k < n; k++) {
        memcpy(p, entry, e);
        p += e;
        *p++ = sep;
    }
    p[-1] = '\0';
    return s;
}

typedef struct {
    const char *text;
    bool ok;
    double value; // when ok
    const char *what; // a part of the message when refused
} Edge;

// Exponents with more digits than any integer type: strtod saturates, and
// the range check must still see it. Boundaries and signs of zero.
static const Edge EDGES[] = {
    {"1e99999999999999999999", false, 0, "out of range"},
    {"0e99999999999999999999", true, 0, NULL},          // zero times anything
    {"1e-99999999999999999999", false, 0, "out of range"}, // not zero, underflows
    {"-0e-99999999999999999999", true, 0, NULL},
    {"1e300", true, 1e300, NULL},
    {"-1e-300", true, -1e-300, NULL},
    {"1.1e300", false, 0, "above 1e+300"},
    {"9e-301", false, 0, "below 1e-300"},
    {"+.0e+0", true, 0, NULL},
    {".e1", false, 0, "not a finite decimal"},
    {"1e+-1", false, 0, "not a finite decimal"},
    {"--1", false, 0, "not a finite decimal"},
    {"1.5.", false, 0, "not a finite decimal"},
    {"0x10", false, 0, "not a finite decimal"},
    {"1e5 ", false, 0, "not a finite decimal"}, // parse_number takes one bare token
};

START_TEST(test_number_edges) {
    const Edge *c = &EDGES[_i];
    char err[256] = "";
    double x = -1;
    bool ok = parse_number(&x, c->text, err, sizeof err);
    ck_assert_msg(ok == c->ok, "'%s': %s", c->text, ok ? "accepted" : err);
    if (ok) {
        ck_assert_msg(x == c->value && !(x == 0.0 && signbit(x)), "'%s' read as %.17g", c->text, x);
    } else {
        assert_one_line(c->text, err);
        ck_assert_msg(strstr(err, c->what) != NULL, "'%s': message '%s' lacks '%s'", c->text, err, c->what);
    }
}
END_TEST

START_TEST(test_int_edges) {
    int v = 0;
    char err[256];
    ck_assert(parse_int(&v, "-2147483648", -2147483647 - 1, 2147483647, err, sizeof err));
    ck_assert_int_eq(v, -2147483647 - 1);
    ck_assert(!parse_int(&v, "-2147483649", -2147483647 - 1, 2147483647, err, sizeof err));
    ck_assert(!parse_int(&v, "99999999999999999999999", 1, 4096, err, sizeof err));
    ck_assert_msg(strstr(err, "out of range (expected 1 to 4096)") != NULL, "%s", err);
    ck_assert(parse_int(&v, "+0004096", 1, 4096, err, sizeof err));
    ck_assert_int_eq(v, 4096);
    ck_assert(!parse_int(&v, "-", 1, 4096, err, sizeof err));
    ck_assert(!parse_int(&v, "+", 1, 4096, err, sizeof err));
    ck_assert(!parse_int(&v, "1 ", 1, 4096, err, sizeof err));
}
END_TEST

// A 4096-wide row of the largest magnitude, two rows of it, and one entry
// too many; every entry is -1e300 so a misplaced one would show.
START_TEST(test_full_width_rows) {
    char *row = repeated("-1e300", TENSOR_MAX_SIDE, ',');
    size_t n = strlen(row);
    char *two = malloc(2 * n + 2);
    ck_assert_ptr_nonnull(two);
    memcpy(two, row, n);
    two[n] = ';';
    memcpy(two + n + 1, row, n + 1);
    Tensor t;
    char err[256] = "";
    ck_assert_msg(parse_matrix(&t, two, err, sizeof err), "refused: %s", err);
    ck_assert_int_eq(t.h, 2);
    ck_assert_int_eq(t.w, TENSOR_MAX_SIDE);
    for (size_t k = 0; k < tensor_size(&t); k++) ck_assert(t.data[k] == -1e300);
    tensor_free(&t);
    free(two);
    free(row);
    char *wide = repeated("1e-300", TENSOR_MAX_SIDE + 1, ' ');
    ck_assert(!parse_matrix(&t, wide, err, sizeof err));
    ck_assert_msg(strstr(err, "row 1 has more than 4096 entries") != NULL, "%s", err);
    ck_assert_ptr_null(t.data);
    free(wide);
}
END_TEST

// Runs of separators: the first empty row or entry is named, however long
// the run is.
typedef struct {
    const char *unit;
    int n;
    const char *what;
} Run;

static const Run RUNS[] = {
    {";", 10000, "row 1 is empty"},
    {"1;", 4097, "more than 4096 rows"},
    {"1,", 5000, "row 1 has more than 4096 entries"},
    {",", 5000, "row 1, entry 1 is empty (stray comma)"},
    {"1 ;", 3, "row 4 is empty"}, // "1 ;1 ;1 ;" ends with an empty row
    {" ", 10000, "empty matrix"},
};

START_TEST(test_separator_runs) {
    const Run *c = &RUNS[_i];
    size_t u = strlen(c->unit);
    char *text = malloc(u * (size_t)c->n + 1);
    ck_assert_ptr_nonnull(text);
    for (int k = 0; k < c->n; k++) memcpy(text + u * (size_t)k, c->unit, u);
    text[u * (size_t)c->n] = '\0';
    Tensor t;
    char err[256] = "";
    ck_assert(!parse_matrix(&t, text, err, sizeof err));
    ck_assert_msg(strstr(err, c->what) != NULL, "case %d: message '%s' lacks '%s'", _i, err, c->what);
    ck_assert_ptr_null(t.data);
    free(text);
}
END_TEST

// 33 answers: the 33rd is refused and the 32 parsed before it are freed
// (LeakSanitizer checks that under SANITIZE=1).
START_TEST(test_too_many_answers) {
    char names[MAX_ANSWERS + 1][32]; // room for any two ints, as -Wformat-truncation wants
    char *argv[2 * (MAX_ANSWERS + 1) + 1];
    int argc = 0;
    argv[argc++] = "prog";
    for (int k = 0; k <= MAX_ANSWERS; k++) {
        snprintf(names[k], sizeof names[k], "a%d=%d", k, k);
        argv[argc++] = "--answer";
        argv[argc++] = names[k];
    }
    const ChapterSpec spec = {"prog", "Regression spec", NULL, 0, BUGS, 1, NULL, false};
    CommonOptions o;
    char err[256] = "";
    ck_assert_int_eq(parse_args(&o, &spec, argc - 2, argv, err, sizeof err), ARGS_OK);
    ck_assert_int_eq(o.n_answers, MAX_ANSWERS);
    ck_assert(o.answers[MAX_ANSWERS - 1].value.data[0] == MAX_ANSWERS - 1); // "a31=31"
    options_free(&o);
    ck_assert_int_eq(parse_args(&o, &spec, argc, argv, err, sizeof err), ARGS_ERROR);
    ck_assert_msg(strstr(err, "more than 32 answers") != NULL, "%s", err);
    ck_assert_int_eq(o.n_answers, 0);
}
END_TEST

// The option-name matcher must not accept a prefix or a longer name.
START_TEST(test_option_name_prefixes) {
    static const char *const near_misses[] = {"--forma", "--formats", "--bug-", "--answe=1", "--input2", "-",
                                              "--", "--=json"};
    for (int k = 0; k < ARRAY_LEN(near_misses); k++) {
        const char *args[6] = {near_misses[k], "json"};
        CommonOptions o;
        char err[256] = "";
        ck_assert_msg(run_parse_args(args, &o, err, sizeof err) == ARGS_ERROR, "'%s' accepted", near_misses[k]);
        // "-" and what follows "--" are words, not options: refused as such
        ck_assert_msg(strstr(err, "unknown option") != NULL || strstr(err, "is not an option") != NULL ||
                          strstr(err, "after '--' is an argument") != NULL,
                      "'%s': %s", near_misses[k], err);
    }
}
END_TEST

// ------------------------------------------------- the CSV reader
// Chapter 6's --data reader on the byte patterns a fuzzer finds first: a NUL
// inside or at the end of a field, lone and doubled CRs, a BOM in the middle
// of a line (only a leading one is skipped, by the file reader), UTF-8 in a
// field that is cut for the message, separators only, and a field of 10^4
// digits. Each is refused with a one-line message whose every multi-byte
// character is whole, or read as the expected images; never a crash.
typedef struct {
    const char *bytes;
    size_t len; // 0: strlen(bytes)
    int images; // -1: refused
} CsvCase;

static const CsvCase CSV_CASES[] = {
    {"1,0\0,0,0,0\n", 11, -1},
    {"1,0,0,0,0\0", 10, -1},
    {"1,0,0,0,0\r\r0,1,1,1,1\r", 0, 2},
    {"1,0,0,0,0\r\n\r\n0,1,1,1,1", 0, 2},
    {"1,0,\xEF\xBB\xBF" "0,0,0\n", 0, -1},
    {"1,0,0,0,\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"
     "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\n", 0, -1},
    {",,,,\n", 0, -1},
    {"\n\r\n\r", 0, -1},
};

START_TEST(test_csv_bytes) {
    const CsvCase *c = &CSV_CASES[_i];
    Dataset d;
    char err[400] = "";
    bool ok = dataset_parse_csv(&d, c->bytes, c->len ? c->len : strlen(c->bytes), 2, 2, err, sizeof err);
    if (c->images < 0) {
        ck_assert_msg(!ok, "case %d accepted", _i);
        assert_one_line("csv", err);
        for (const unsigned char *p = (const unsigned char *)err; *p; p++)
            if ((*p & 0xC0) == 0xC0) // a lead byte: its continuation bytes follow
                for (int k = 1; k < ((*p & 0xE0) == 0xC0 ? 2 : 3); k++)
                    ck_assert_msg((p[k] & 0xC0) == 0x80, "case %d: cut character in '%s'", _i, err);
    } else {
        ck_assert_msg(ok, "case %d refused: %s", _i, err);
        ck_assert_int_eq(d.n, c->images);
        dataset_free(&d);
    }
}
END_TEST

START_TEST(test_csv_huge_field) {
    char *text = with_zeros("1,0,0,0,", 10000, "1\n");
    Dataset d;
    char err[400] = "";
    ck_assert(!dataset_parse_csv(&d, text, strlen(text), 2, 2, err, sizeof err));
    ck_assert_msg(strstr(err, "line 1, field 5") != NULL, "%s", err);
    free(text);
}
END_TEST

Suite *make_fuzz_regressions_suite(void) {
    Suite *s = suite_create("fuzz_regressions");
    TCase *crashes = tcase_create("crashes");
    tcase_add_loop_test(crashes, test_long_token, 0, ARRAY_LEN(LONG_TOKENS));
    tcase_add_test(crashes, test_long_token_in_row);
    tcase_add_test(crashes, test_long_bad_token);
    tcase_add_loop_test(crashes, test_number_message_one_line, 0, ARRAY_LEN(FLAT_NUMBERS));
    tcase_add_test(crashes, test_matrix_message_one_line);
    tcase_add_loop_test(crashes, test_args_message_one_line, 0, ARRAY_LEN(FLAT_ARGS));
    tcase_add_test(crashes, test_chapter_error_one_line);
    tcase_add_loop_test(crashes, test_csv_bytes, 0, ARRAY_LEN(CSV_CASES));
    tcase_add_test(crashes, test_csv_huge_field);
    suite_add_tcase(s, crashes);
    TCase *edges = tcase_create("interesting");
    tcase_set_timeout(edges, 30); // the 4096-wide rows are slow under sanitizers
    tcase_add_loop_test(edges, test_number_edges, 0, ARRAY_LEN(EDGES));
    tcase_add_test(edges, test_int_edges);
    tcase_add_test(edges, test_full_width_rows);
    tcase_add_loop_test(edges, test_separator_runs, 0, ARRAY_LEN(RUNS));
    tcase_add_test(edges, test_too_many_answers);
    tcase_add_test(edges, test_option_name_prefixes);
    suite_add_tcase(s, edges);
    return s;
}
