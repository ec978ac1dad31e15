// The printers (src/report/report.c): the exact bytes each --format writes for a
// small matrix, the JSON contract, non-finite values as input errors, colour
// only on a terminal, --section, big matrices, tables, --step and write
// errors (--answer has check_report_answer.c). Every report runs in a forked
// child (tests/report_run.h) so its stdout and exit status can be examined.
#define _XOPEN_SOURCE 700 // posix_openpt, for the terminal test
#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "proc.h"
#include "report.h"
#include "report_run.h"

// ---------------------------------------------------------------- bodies

// A gradient check with one wrong entry: analytic [1 2], numerical [1 2.5].
static void failing_check_body(Report *r) {
    double a[2] = {1, 2}, n[2] = {1, 2.5};
    Tensor at = tensor_view(a, 1, 1, 2), nt = tensor_view(n, 1, 1, 2);
    report_check(r, "g", &at, &nt, NULL, compare_gradients(a, n, NULL, 2, 1e-6));
}

// ---------------------------------------------------------------- exact output

typedef struct {
    const char *format;
    Body body;
    int status;
    const char *out;
} ExactCase;

// Written by hand from the format rules in report.h / report.c:
//   text: numbers "%.6g" right-aligned to the widest entry of the matrix
//   ("1.5e-07" is 7 wide), "  [ ... ]" rows; the Result section last.
// One row [3 4], reported both ways: as a quantity it reads as a vector, as
// a matrix quantity it stays a matrix of one row.
static void one_row_body(Report *r) {
    double d[2] = {3, 4};
    Tensor t = tensor_view(d, 1, 1, 2);
    report_quantity(r, "v", "v", &t);
    report_matrix_quantity(r, "W", "W", &t);
}

// What --format latex writes before the title.
#define LATEX_PREAMBLE                                                                                     \
    "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[T1]{fontenc}\n"                  \
    "\\usepackage{lmodern,textcomp}\n\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.9}\n"                   \
    "\\usepackage[margin=2cm]{geometry}\n\\setlength{\\emergencystretch}{3em}\n"                             \
    "\\providecommand{\\workbookpreamble}{workbook-preamble.tex}\n\\InputIfFileExists{\\workbookpreamble}{}{}\n" \
    "\\begin{document}\n"

static const ExactCase EXACT[] = {
    // In Markdown a vector is inline code rather than a code block.
    {"markdown", one_row_body, 0,
     "# T\n\n"
     "v = `[ 3 4 ]`\n\n"
     "W = `[ 3 4 ]`\n\n"
     "## Result\n\n"
     "**Result**: no check: **NOTHING CHECKED**\n\n"},
    {"text", matrix_body, 0,
     "T\n=\n\n"
     "M =\n"
     "  [       1    -2.5 ]\n"
     "  [       0 1.5e-07 ]\n\n"
     "Result\n------\n\n"
     "Result: no check: NOTHING CHECKED\n\n"},
    {"latex", matrix_body, 0,
     LATEX_PREAMBLE "\\section*{$T$}\n\n"
     "\\[\nM = \\begin{bmatrix}\n"
     "1 & -2.5 \\\\\n"
     "0 & 1.5 \\times 10^{-7}\n"
     "\\end{bmatrix}\n\\]\n\n"
     "\\subsection*{Result}\n\n"
     "\\noindent Result: no check: \\textbf{NOTHING CHECKED}\n\n"
     "\\end{document}\n"},
    {"markdown", matrix_body, 0,
     "# T\n\n"
     "M =\n\n```\n"
     "[       1    -2.5 ]\n"
     "[       0 1.5e-07 ]\n"
     "```\n\n"
     "## Result\n\n"
     "**Result**: no check: **NOTHING CHECKED**\n\n"},
    {"json", matrix_body, 0,
     "{\n"
     "  \"schema_version\": 2,\n  \"chapter\": null,\n  \"seed\": 1,\n  \"result\": \"nothing checked\",\n"
     "  \"m\": [[1, -2.5], [0, 1.5e-07]],\n"
     "  \"checks\": [],\n"
     "  \"demonstrations\": []\n"
     "}\n"},
    {"text", mixed_body, 0,
     "T\n=\n\n"
     "v = [   3 0.5 ]\n\n"
     "z = 0\n\n"
     "d: 2 = 2: PASS\n\n"
     "Result\n------\n\n"
     "Result: all 1 checks passed: PASS\n\n"},
    {"json", mixed_body, 0,
     "{\n"
     "  \"schema_version\": 2,\n  \"chapter\": null,\n  \"seed\": 1,\n  \"result\": \"pass\",\n"
     "  \"v\": [3, 0.5],\n"
     "  \"z\": 0,\n"
     "  \"checks\": [\n"
     "    {\"name\": \"d\", \"max_abs_error\": 0, \"max_rel_error\": 0, \"tolerance\": 0, \"passed\": true, \"compared\": 1, \"skipped\": 0, \"bound\": 0, \"verdict\": \"pass\", \"id\": \"d\"}\n"
     "  ],\n"
     "  \"demonstrations\": []\n"
     "}\n"},
    {"latex", mixed_body, 0,
     LATEX_PREAMBLE "\\section*{$T$}\n\n"
     "\\[\nv = \\begin{bmatrix}\n3 & 0.5\n\\end{bmatrix}\n\\]\n\n"
     "\\[ z = 0 \\]\n\n"
     "\\noindent $d$: 2 = 2: \\textbf{PASS}\n\n"
     "\\subsection*{Result}\n\n"
     "\\noindent Result: all 1 checks passed: \\textbf{PASS}\n\n"
     "\\end{document}\n"},
    // Table columns are as wide as their widest cell, two spaces apart, no
    // trailing spaces: entry 5, analytic 8, numerical 9, errors 9 each.
    // rel error of [1] = 0.5 / max(2, 2.5) = 0.2 → "2.0e-01".
    {"text", failing_check_body, 1,
     "T\n=\n\n"
     "  entry  analytic  numerical  abs error  rel error\n"
     "  [0]    1         1          0.0e+00    0.0e+00    ok\n"
     "  [1]    2         2.5        5.0e-01    2.0e-01    FAIL\n"
     "\n"
     // 82 columns as one line: the verdict stays beside the name.
     "g: FAIL\n"
     "  1 of 2 entries over tolerance 1e-06, worst relative error 2.0e-01 at [1]\n\n"
     "Result\n------\n\n"
     "Result: 1 of 1 checks FAILED: FAIL\n\n"},
    {"markdown", failing_check_body, 1,
     "# T\n\n"
     "| entry | analytic | numerical | abs error | rel error |  |\n"
     "|---|---|---|---|---|---|\n"
     "| [0] | 1 | 1 | 0.0e+00 | 0.0e+00 | ok |\n"
     "| [1] | 2 | 2.5 | 5.0e-01 | 2.0e-01 | FAIL |\n"
     "\n"
     "**g**: 1 of 2 entries over tolerance 1e-06, worst relative error 2.0e-01 at [1]: **FAIL**\n\n"
     "## Result\n\n"
     "**Result**: 1 of 1 checks FAILED: **FAIL**\n\n"},
};

START_TEST(test_exact_output) {
    const ExactCase *c = &EXACT[_i];
    Captured out = capture_report(c->body, "--format", c->format, NULL, NULL);
    ck_assert_msg(out.status == c->status, "case %d (%s): status %d, stderr %s", _i, c->format, out.status,
                  out.err);
    ck_assert_str_eq(out.out, c->out);
    ck_assert_str_eq(out.err, "");
    captured_free(&out);
}
END_TEST

// ---------------------------------------------------------------- JSON contract

START_TEST(test_json_is_one_object_with_checks) {
    Body bodies[] = {matrix_body, mixed_body, failing_check_body};
    for (int k = 0; k < 3; k++) {
        Captured c = capture_report(bodies[k], "--format", "json", NULL, NULL);
        ck_assert_msg(jsonlint_is_one_object(c.out), "not one JSON object:\n%s", c.out);
        ck_assert_ptr_nonnull(strstr(c.out, "\n  \"checks\": ["));
        ck_assert_ptr_null(strstr(c.out, "\"answers\"")); // only with --answer
        captured_free(&c);
    }
    Captured f = capture_report(failing_check_body, "--format", "json", NULL, NULL);
    ck_assert_int_eq(f.status, 1);
    ck_assert_ptr_nonnull(strstr(f.out, "{\"name\": \"g\", \"max_abs_error\": 0.5, "));
    ck_assert_ptr_nonnull(strstr(f.out, "\"tolerance\": 1e-06, \"passed\": false, \"compared\": 1"));
    captured_free(&f);
}
END_TEST

START_TEST(test_matrix_quantity_keeps_rows_in_json) {
    Captured c = capture_report(one_row_body, "--format", "json", NULL, NULL);
    ck_assert_ptr_nonnull(strstr(c.out, "\"result\": \"nothing checked\",\n  \"v\": [3, 4],\n  \"W\": [[3, 4]],\n  \"checks\": [],\n"));
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- non-finite

static void nan_matrix_body(Report *r) {
    report_text(r, "printed before the NaN, and never seen");
    double d[2] = {1, NAN};
    Tensor m = tensor_view(d, 1, 1, 2);
    report_quantity(r, "m", "M", &m);
}

static void inf_scalar_body(Report *r) {
    matrix_body(r);
    report_scalar(r, "s", "S", -INFINITY);
}

typedef struct {
    Body body;
    const char *format;
    const char *error;
} NonFiniteCase;

static const NonFiniteCase NON_FINITE[] = {
    {nan_matrix_body, "text", "error: input: computing M gave NaN"},
    {nan_matrix_body, "json", "error: input: computing M gave NaN"},
    {inf_scalar_body, "text", "error: input: computing S gave infinity"},
    {inf_scalar_body, "json", "error: input: computing S gave infinity"},
    {inf_scalar_body, "latex", "error: input: computing S gave infinity"},
};

START_TEST(test_non_finite_is_input_error) {
    Captured c = capture_report(NON_FINITE[_i].body, "--format", NON_FINITE[_i].format, NULL, NULL);
    ck_assert_usage_error(c, NON_FINITE[_i].error);
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- colour

START_TEST(test_no_color_when_not_a_tty) {
    // A failing check and a wrong answer are exactly where colour would go.
    Captured c = capture_report(failing_check_body, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(c.status, 1);
    ck_assert_ptr_nonnull(strstr(c.out, "FAIL"));
    ck_assert_ptr_null(strchr(c.out, '\033'));
    captured_free(&c);
}
END_TEST

// Runs the report with stdout on a pseudo-terminal and returns what the
// terminal received (the control test for the one above: colour does appear
// on a TTY, so its absence elsewhere is a real result).
static char *report_on_tty(const char *arg, const char *no_color_env) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    const char *slave_name = ptsname(master);
    ck_assert_ptr_nonnull(slave_name);
    fflush(stdout);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(slave_name, O_RDWR | O_NOCTTY);
        if (slave < 0) _exit(99);
        dup2(slave, STDOUT_FILENO);
        if (no_color_env)
            setenv("NO_COLOR", no_color_env, 1);
        else
            unsetenv("NO_COLOR");
        Run run = {{arg, NULL}, failing_check_body};
        exit(run_report(&run));
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) { // read until the child closes the terminal (EIO)
        ssize_t n = read(master, buf + len, cap - 1 - len);
        if (n <= 0) break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    int wstatus;
    waitpid(pid, &wstatus, 0);
    close(master);
    ck_assert(WIFEXITED(wstatus));
    ck_assert_int_eq(WEXITSTATUS(wstatus), 1);
    return buf;
}

START_TEST(test_color_only_on_tty_and_never_when_disabled) {
    char *tty = report_on_tty(NULL, NULL);
    ck_assert_msg(strstr(tty, "\033[31mFAIL\033[0m") != NULL, "no red FAIL on a terminal:\n%s", tty);
    free(tty);
    char *no_color_flag = report_on_tty("--no-color", NULL);
    ck_assert_ptr_nonnull(strstr(no_color_flag, "FAIL"));
    ck_assert_ptr_null(strchr(no_color_flag, '\033'));
    free(no_color_flag);
    char *no_color_env = report_on_tty(NULL, "1");
    ck_assert_ptr_nonnull(strstr(no_color_env, "FAIL"));
    ck_assert_ptr_null(strchr(no_color_env, '\033'));
    free(no_color_env);
}
END_TEST

// ---------------------------------------------------------------- prose

static void utf8_title_body(Report *r) { report_heading(r, "∂L/∂ŷ"); }

START_TEST(test_heading_underline_counts_characters) {
    Captured c = capture_report(utf8_title_body, NULL, NULL, NULL, NULL);
    // 5 characters (8 bytes): the underline is 5 dashes.
    ck_assert_ptr_nonnull(strstr(c.out, "\n∂L/∂ŷ\n-----\n\n"));
    captured_free(&c);
}
END_TEST

static void long_paragraph_body(Report *r) {
    report_text(r, "%s", "aaaa bbbbbbbbb cc dddddddddddddddd eeeeeee ffff gggggggggg hhhhh iiiiiiii jjjjjjjjjjjj "
                         "kkkk lllllll mmmmmmmmmmmmmm nn oooooooooooo pppp qqqqqqqqqq rrrrr ssssssss tttttttt "
                         "uuuuuu vvvvvvvvvvv wwww xxxxxxxxxxxxx yyyy zzzzzzz ∂∂∂∂∂∂∂∂∂∂ ŷŷŷŷŷŷŷŷŷŷŷŷ end");
}

// Paragraphs wrap at 78 columns (counted in characters, not bytes) and no
// word is split.
START_TEST(test_paragraph_wraps_at_78_columns) {
    Captured c = capture_report(long_paragraph_body, NULL, NULL, NULL, NULL);
    int lines = 0;
    for (char *line = strtok(c.out, "\n"); line; line = strtok(NULL, "\n")) {
        ck_assert_msg(utf8_width(line) <= 78, "line too long: %s", line);
        if (strstr(line, "aaaa") || strstr(line, "end")) lines++;
    }
    ck_assert_int_eq(lines, 2); // first and last word on different lines
    captured_free(&c);
}
END_TEST

static void duplicate_key_body(Report *r) {
    matrix_body(r);
    matrix_body(r);
}

// A key reported twice would make an ambiguous JSON object: the program
// stops (abort) rather than print one.
START_TEST(test_duplicate_key_aborts) {
    Captured c = capture_report(duplicate_key_body, "--format", "json", NULL, NULL);
    ck_assert_int_eq(c.status, 128 + 6); // SIGABRT
    ck_assert_uint_eq(c.out_len, 0);
    ck_assert_ptr_nonnull(strstr(c.err, "key 'm' reported twice"));
    captured_free(&c);
}
END_TEST



// ---------------------------------------------------------------- --section

// Two sections, each with a check: 1.1's fails, 1.2's passes.
static void two_sections_body(Report *r) {
    report_text(r, "intro before any section");
    report_heading(r, "1.1 First");
    report_text(r, "first section prose");
    failing_check_body(r);
    report_heading(r, "1.2 Second");
    report_text(r, "second section prose");
    report_verdict(r, "second check", true, "2 = 2");
    double d[2] = {3, 4};
    Tensor v = tensor_view(d, 1, 1, 2);
    report_quantity(r, "q", "q", &v);
}

static const char *const FORMAT_WORDS[] = {"text", "latex", "markdown", "json", "beamer"};

// Only 1.2 is shown, in every format; 1.1's failing check is neither shown
// nor counted, so the status is 0.
START_TEST(test_section_shows_only_that_section) {
    Captured c = capture_report(two_sections_body, "--section", "1.2", "--format", FORMAT_WORDS[_i]);
    ck_assert_msg(c.status == 0, "%s: status %d (%s)", FORMAT_WORDS[_i], c.status, c.err);
    ck_assert_ptr_null(strstr(c.out, "first section prose"));
    ck_assert_ptr_null(strstr(c.out, "intro before"));
    ck_assert_ptr_null(strstr(c.out, "\"g\""));
    if (strcmp(FORMAT_WORDS[_i], "json") == 0) {
        ck_assert(jsonlint_is_one_object(c.out));
        ck_assert_ptr_nonnull(strstr(c.out, "\"second check\""));
        ck_assert_ptr_nonnull(strstr(c.out, "\"section\": \"1.2\""));
    } else {
        ck_assert_ptr_nonnull(strstr(c.out, "second section prose"));
        ck_assert_ptr_nonnull(strstr(c.out, "Second"));
    }
    captured_free(&c);
    // The control: shown in full, the failing check counts.
    Captured all = capture_report(two_sections_body, "--format", FORMAT_WORDS[_i], NULL, NULL);
    ck_assert_int_eq(all.status, 1);
    captured_free(&all);
    Captured first = capture_report(two_sections_body, "--section", "1.1", "--format", FORMAT_WORDS[_i]);
    ck_assert_int_eq(first.status, 1);
    captured_free(&first);
}
END_TEST

START_TEST(test_section_list) {
    Captured c = capture_report(two_sections_body, "--section", "list", NULL, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_str_eq(c.out, "1.1   First\n1.2   Second\n");
    captured_free(&c);
}
END_TEST

START_TEST(test_section_unknown_names_the_choices) {
    Captured c = capture_report(two_sections_body, "--section", "1.3", NULL, NULL);
    ck_assert_usage_error(c, "error: --section: this chapter has no section 1.3 (its sections: 1.1, 1.2)");
    captured_free(&c);
}
END_TEST

START_TEST(test_section_repeatable) {
    Captured c = capture_report(two_sections_body, "--section", "1.2", "--section", "1.1");
    ck_assert_int_eq(c.status, 1);
    ck_assert_ptr_nonnull(strstr(c.out, "first section prose"));
    ck_assert_ptr_nonnull(strstr(c.out, "second section prose"));
    captured_free(&c);
}
END_TEST

// An --answer for a quantity of a section not shown is refused, not ignored.
START_TEST(test_section_hidden_answer_refused) {
    Captured c = capture_report(two_sections_body, "--section", "1.1", "--answer", "q=3 4");
    ck_assert_usage_error(c, "error: --answer q: it is reported in a section that --section does not show");
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- big matrices

// 20x30 with entries i*100+j: over the summary threshold both ways.
static void big_matrix_body(Report *r) {
    Tensor t = tensor_alloc(1, 20, 30);
    for (int i = 0; i < 20; i++)
        for (int j = 0; j < 30; j++) *tensor_at(&t, 0, i, j) = i * 100 + j;
    report_matrix_quantity(r, "big", "B", &t);
    tensor_free(&t);
}

START_TEST(test_big_matrix_summarised) {
    Captured c = capture_report(big_matrix_body, NULL, NULL, NULL, NULL);
    // corners: 0 1 2 … 27 28 29 in the first row, 1900 … 1929 in the last
    ck_assert_ptr_nonnull(strstr(c.out, "  [    0    1    2    …   27   28   29 ]\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "  [    ⋮    ⋮    ⋮    ⋱    ⋮    ⋮    ⋮ ]\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "  [ 1900 1901 1902    … 1927 1928 1929 ]\n"));
    ck_assert_ptr_null(strstr(c.out, " 1015 "));
    captured_free(&c);
    Captured full = capture_report(big_matrix_body, "--full-matrices", NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(full.out, " 1015 "));
    ck_assert_ptr_null(strstr(full.out, "…"));
    captured_free(&full);
    Captured tex = capture_report(big_matrix_body, "--format", "latex", NULL, NULL);
    ck_assert_ptr_nonnull(strstr(tex.out, "0 & 1 & 2 & \\cdots & 27 & 28 & 29 \\\\\n"));
    ck_assert_ptr_nonnull(strstr(tex.out, "\\vdots & \\vdots & \\vdots & \\ddots"));
    captured_free(&tex);
    Captured json = capture_report(big_matrix_body, "--format", "json", NULL, NULL);
    ck_assert(jsonlint_is_one_object(json.out));
    ck_assert_ptr_nonnull(strstr(json.out, ", 1015, "));
    ck_assert_ptr_null(strstr(json.out, "…"));
    captured_free(&json);
}
END_TEST

// ---------------------------------------------------------------- tables

static void pipe_table_body(Report *r) {
    const char *headers[] = {"function", "value"};
    report_table_begin_keyed(r, "rows", 2, headers);
    const char *row[] = {"|x| at x = 0", "1.5e-07"};
    report_table_row(r, row);
    const char *row2[] = {"a\\b", "n/a"};
    report_table_row(r, row2);
    report_table_end(r);
}

// Cells of a Markdown row: '|' not preceded by a backslash, minus one.
static int markdown_cells(const char *line) {
    int bars = 0;
    for (const char *p = line; *p && *p != '\n'; p++)
        if (*p == '|' && (p == line || p[-1] != '\\')) bars++;
    return bars - 1;
}

START_TEST(test_markdown_escapes_table_breakers) {
    Captured c = capture_report(pipe_table_body, "--format", "markdown", NULL, NULL);
    const char *row = strstr(c.out, "\n| \\|x\\| at x = 0 | 1.5e-07 |\n");
    ck_assert_msg(row != NULL, "row not escaped:\n%s", c.out);
    ck_assert_int_eq(markdown_cells(row + 1), 2);
    ck_assert_int_eq(markdown_cells(strstr(c.out, "| a\\\\b")), 2);
    captured_free(&c);
}
END_TEST

START_TEST(test_keyed_table_in_json) {
    Captured c = capture_report(pipe_table_body, "--format", "json", NULL, NULL);
    ck_assert_msg(jsonlint_is_one_object(c.out), "%s", c.out);
    ck_assert_ptr_nonnull(strstr(c.out, "{\"function\": \"|x| at x = 0\", \"value\": 1.5e-07}"));
    ck_assert_ptr_nonnull(strstr(c.out, "{\"function\": \"a\\\\b\", \"value\": \"n/a\"}"));
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- --step

// JSON on a terminal with --step: one valid object, nothing flushed early.
START_TEST(test_step_json_on_tty_is_valid) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    const char *slave_name = ptsname(master);
    ck_assert_ptr_nonnull(slave_name);
    fflush(stdout);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(slave_name, O_RDWR | O_NOCTTY);
        if (slave < 0) _exit(99);
        dup2(slave, STDIN_FILENO);
        dup2(slave, STDOUT_FILENO);
        Run run = {{"--step", "--format", "json", NULL}, two_sections_body};
        exit(run_report(&run));
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    for (;;) {
        ssize_t n = read(master, buf + len, cap - 1 - len);
        if (n <= 0) break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    int wstatus;
    waitpid(pid, &wstatus, 0);
    close(master);
    // the terminal turns "\n" into "\r\n"
    char *w = buf;
    for (char *p = buf; *p; p++)
        if (*p != '\r') *w++ = *p;
    *w = '\0';
    ck_assert_msg(jsonlint_is_one_object(buf), "not one JSON object:\n%s", buf);
    free(buf);
}
END_TEST

// ---------------------------------------------------------------- write errors

typedef enum { STDOUT_FULL, STDOUT_CLOSED, STDOUT_BROKEN_PIPE } StdoutFault;

// Runs build/chapter1 (or with args) with stdout broken as fault says.
static Captured run_with_fault(StdoutFault fault, const char *arg) {
    FILE *err = tmpfile();
    ck_assert_ptr_nonnull(err);
    int pipefd[2] = {-1, -1};
    if (fault == STDOUT_BROKEN_PIPE) {
        ck_assert_int_eq(pipe(pipefd), 0);
        close(pipefd[0]); // no reader: every write is EPIPE
    }
    fflush(stdout);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fileno(err), STDERR_FILENO);
        switch (fault) {
        case STDOUT_FULL: dup2(open("/dev/full", O_WRONLY), STDOUT_FILENO); break;
        case STDOUT_CLOSED: close(STDOUT_FILENO); break;
        case STDOUT_BROKEN_PIPE:
            signal(SIGPIPE, SIG_IGN); // ignored dispositions survive exec
            dup2(pipefd[1], STDOUT_FILENO);
            break;
        }
        execl(BUILD_DIR "/chapter1", "chapter1", arg, (char *)NULL);
        _exit(127);
    }
    if (pipefd[1] >= 0) close(pipefd[1]);
    int wstatus;
    waitpid(pid, &wstatus, 0);
    Captured c = {0};
    c.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    c.out = calloc(1, 1);
    c.err = capture_slurp(err, &c.err_len);
    fclose(err);
    return c;
}

static const struct {
    StdoutFault fault;
    const char *arg, *message;
} WRITE_FAULTS[] = {
    {STDOUT_FULL, "--no-color", "error: cannot write the output: No space left on device\n"},
    {STDOUT_FULL, "--help", "error: cannot write the output: No space left on device\n"},
    {STDOUT_CLOSED, "--no-color", "error: cannot write the output: stdout is closed\n"},
    {STDOUT_CLOSED, "--help", "error: cannot write the output: stdout is closed\n"},
    {STDOUT_BROKEN_PIPE, "--no-color", "error: cannot write the output: Broken pipe\n"},
};

START_TEST(test_write_error_exits_4) {
    Captured c = run_with_fault(WRITE_FAULTS[_i].fault, WRITE_FAULTS[_i].arg);
    ck_assert_msg(c.status == EXIT_WRITE_ERROR, "case %d: status %d, stderr %s", _i, c.status, c.err);
    ck_assert_str_eq(c.err, WRITE_FAULTS[_i].message);
    captured_free(&c);
}
END_TEST


Suite *make_report_suite(void) {
    Suite *s = suite_create("report");
    TCase *exact = tcase_create("exact");
    tcase_add_loop_test(exact, test_exact_output, 0, ARRAY_LEN(EXACT));
    tcase_add_test(exact, test_json_is_one_object_with_checks);
    tcase_add_test(exact, test_matrix_quantity_keeps_rows_in_json);
    tcase_add_test(exact, test_heading_underline_counts_characters);
    tcase_add_test(exact, test_paragraph_wraps_at_78_columns);
    tcase_add_test(exact, test_duplicate_key_aborts);
    suite_add_tcase(s, exact);
    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_non_finite_is_input_error, 0, ARRAY_LEN(NON_FINITE));
    tcase_add_test(errors, test_no_color_when_not_a_tty);
    tcase_add_test(errors, test_color_only_on_tty_and_never_when_disabled);
    tcase_add_loop_test(errors, test_write_error_exits_4, 0, ARRAY_LEN(WRITE_FAULTS));
    suite_add_tcase(s, errors);
    TCase *sections = tcase_create("sections");
    tcase_add_loop_test(sections, test_section_shows_only_that_section, 0, ARRAY_LEN(FORMAT_WORDS));
    tcase_add_test(sections, test_section_list);
    tcase_add_test(sections, test_section_unknown_names_the_choices);
    tcase_add_test(sections, test_section_repeatable);
    tcase_add_test(sections, test_section_hidden_answer_refused);
    suite_add_tcase(s, sections);
    TCase *output = tcase_create("output");
    tcase_add_test(output, test_big_matrix_summarised);
    tcase_add_test(output, test_markdown_escapes_table_breakers);
    tcase_add_test(output, test_keyed_table_in_json);
    tcase_add_test(output, test_step_json_on_tty_is_valid);
    suite_add_tcase(s, output);
    return s;
}
