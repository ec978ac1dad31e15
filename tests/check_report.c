// The printers (src/report.c): the exact bytes each --format writes for a
// small matrix, the JSON contract, --answer, non-finite values as input
// errors, and colour only on a terminal. Every report runs in a forked child
// (tests/capture.h) so its stdout and exit status can be examined.
#define _XOPEN_SOURCE 700 // posix_openpt, for the terminal test
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "jsonlint.h"
#include "report.h"

#define MAX_ARGS 8

typedef void (*Body)(Report *r);

typedef struct {
    const char *args[MAX_ARGS]; // NULL-terminated common options
    Body body;
} Run;

// The child: parse the options like a chapter, report, finish.
static int run_report(void *ctx) {
    const Run *run = ctx;
    char *argv[MAX_ARGS + 1] = {"report-test"};
    int argc = 1;
    for (int k = 0; run->args[k]; k++) argv[argc++] = (char *)run->args[k];
    const ChapterSpec spec = {.program = "report-test", .title = "T"};
    CommonOptions opt;
    char err[256];
    if (parse_args(&opt, &spec, argc, argv, err, sizeof err) != ARGS_OK) usage_error("%s", err);
    Report r;
    report_init(&r, &opt, "T");
    run->body(&r);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

static Captured capture_report(Body body, const char *a0, const char *a1, const char *a2, const char *a3) {
    Run run = {{a0, a1, a2, a3, NULL}, body};
    return capture_run(run_report, &run);
}

// ---------------------------------------------------------------- bodies

// M = [1 −2.5; 0 1.5e−7]: a sign, a fraction, a zero and an exponent.
static void matrix_body(Report *r) {
    double d[4] = {1, -2.5, 0, 1.5e-7};
    Tensor m = tensor_view(d, 1, 2, 2);
    report_quantity(r, "m", "M", &m);
}

// A vector, a negative zero that must print as 0, and a passing check.
static void mixed_body(Report *r) {
    double d[2] = {3, 0.5};
    Tensor v = tensor_view(d, 1, 1, 2);
    report_quantity(r, "v", "v", &v);
    report_scalar(r, "z", "z", -0.0);
    report_check_scalar(r, "d", 2.0, 2.0, 1e-6);
}

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

static const ExactCase EXACT[] = {
    // In Markdown a vector is inline code rather than a code block.
    {"markdown", one_row_body, 0,
     "# T\n\n"
     "v = `[ 3 4 ]`\n\n"
     "W = `[ 3 4 ]`\n\n"
     "## Result\n\n"
     "**Result**: all 0 checks passed: **PASS**\n\n"},
    {"text", matrix_body, 0,
     "T\n=\n\n"
     "M =\n"
     "  [       1    -2.5 ]\n"
     "  [       0 1.5e-07 ]\n\n"
     "Result\n------\n\n"
     "Result: all 0 checks passed: PASS\n\n"},
    {"latex", matrix_body, 0,
     "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
     "\\setlength{\\emergencystretch}{3em}\n\\begin{document}\n\\section*{$T$}\n\n"
     "\\[\nM = \\begin{bmatrix}\n"
     "1 & -2.5 \\\\\n"
     "0 & 1.5 \\times 10^{-7}\n"
     "\\end{bmatrix}\n\\]\n\n"
     "\\subsection*{Result}\n\n"
     "\\noindent Result: all 0 checks passed: \\textbf{PASS}\n\n"
     "\\end{document}\n"},
    {"markdown", matrix_body, 0,
     "# T\n\n"
     "M =\n\n```\n"
     "[       1    -2.5 ]\n"
     "[       0 1.5e-07 ]\n"
     "```\n\n"
     "## Result\n\n"
     "**Result**: all 0 checks passed: **PASS**\n\n"},
    {"json", matrix_body, 0,
     "{\n"
     "  \"m\": [[1, -2.5], [0, 1.5e-07]],\n"
     "  \"checks\": []\n"
     "}\n"},
    {"text", mixed_body, 0,
     "T\n=\n\n"
     "v = [   3 0.5 ]\n\n"
     "z = 0\n\n"
     "d: analytic 2, numerical 2, relative error 0.0e+00 (tolerance 1e-06): PASS\n\n"
     "Result\n------\n\n"
     "Result: all 1 checks passed: PASS\n\n"},
    {"json", mixed_body, 0,
     "{\n"
     "  \"v\": [3, 0.5],\n"
     "  \"z\": 0,\n"
     "  \"checks\": [\n"
     "    {\"name\": \"d\", \"max_abs_error\": 0, \"max_rel_error\": 0, \"tolerance\": 1e-06, \"passed\": true, \"compared\": 1, \"skipped\": 0, \"bound\": 0, \"verdict\": \"pass\"}\n"
     "  ]\n"
     "}\n"},
    {"latex", mixed_body, 0,
     "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\usepackage[margin=2cm]{geometry}\n"
     "\\setlength{\\emergencystretch}{3em}\n\\begin{document}\n\\section*{$T$}\n\n"
     "\\[\nv = \\begin{bmatrix}\n3 & 0.5\n\\end{bmatrix}\n\\]\n\n"
     "\\[ z = 0 \\]\n\n"
     "\\noindent $d$: analytic 2, numerical 2, relative error 0.0e+00 (tolerance 1e-06): \\textbf{PASS}\n\n"
     "\\subsection*{Result}\n\n"
     "\\noindent Result: all 1 checks passed: \\textbf{PASS}\n\n"
     "\\end{document}\n"},
    // Table columns are as wide as their widest cell, two spaces apart, no
    // trailing spaces: entry 5, analytic 8, numerical 9, errors 9 each.
    // rel error of [1] = 0.5 / 4.5 = 0.11 → "1.1e-01".
    {"text", failing_check_body, 1,
     "T\n=\n\n"
     "  entry  analytic  numerical  abs error  rel error\n"
     "  [0]    1         1          0.0e+00    0.0e+00    ok\n"
     "  [1]    2         2.5        5.0e-01    1.1e-01    FAIL\n"
     "\n"
     // 82 columns as one line: the verdict stays beside the name.
     "g: FAIL\n"
     "  1 of 2 entries over tolerance 1e-06, worst relative error 1.1e-01 at [1]\n\n"
     "Result\n------\n\n"
     "Result: 1 of 1 checks FAILED: FAIL\n\n"},
    {"markdown", failing_check_body, 1,
     "# T\n\n"
     "| entry | analytic | numerical | abs error | rel error |  |\n"
     "|---|---|---|---|---|---|\n"
     "| [0] | 1 | 1 | 0.0e+00 | 0.0e+00 | ok |\n"
     "| [1] | 2 | 2.5 | 5.0e-01 | 1.1e-01 | FAIL |\n"
     "\n"
     "**g**: 1 of 2 entries over tolerance 1e-06, worst relative error 1.1e-01 at [1]: **FAIL**\n\n"
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
    ck_assert_str_eq(c.out, "{\n  \"v\": [3, 4],\n  \"W\": [[3, 4]],\n  \"checks\": []\n}\n");
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- --answer

START_TEST(test_answer_right_passes) {
    Captured c = capture_report(matrix_body, "--answer", "m=1 -2.5; 0 1.5e-7", NULL, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_ptr_nonnull(strstr(c.out, "Your answer for M, entry by entry:\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "your M: all 4 entries right (relative tolerance 1e-06): RIGHT\n"));
    ck_assert_ptr_null(strstr(c.out, "WRONG"));
    captured_free(&c);
}
END_TEST

// Columns: entry 5, yours 7 ("1.5e-07"), computed 8; the wrong entry (0,1)
// is marked and the right ones say ok.
START_TEST(test_answer_wrong_entry_marked) {
    Captured c = capture_report(matrix_body, "--answer", "m=1 2.5; 0 1.5e-7", NULL, NULL);
    ck_assert_int_eq(c.status, 1);
    ck_assert_ptr_nonnull(strstr(c.out, "\n  (0,0)  1        1         ok\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "\n  (0,1)  2.5      -2.5      WRONG\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "\n  (1,1)  1.5e-07  1.5e-07   ok\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "your M: 1 of 4 entries wrong (relative tolerance 1e-06): WRONG\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "Result: all 0 checks passed; 1 of 1 answers wrong: FAIL\n"));
    captured_free(&c);

    Captured j = capture_report(matrix_body, "--format", "json", "--answer", "m=1 2.5; 0 1.5e-7");
    ck_assert_int_eq(j.status, 1);
    ck_assert_msg(jsonlint_is_one_object(j.out), "not one JSON object:\n%s", j.out);
    ck_assert_ptr_nonnull(strstr(j.out, "  \"answers\": [\n    {\"name\": \"m\", \"passed\": false, \"entries\": 4, "
                                        "\"wrong_entries\": [\"(0,1)\"]}\n  ]\n}\n"));
    captured_free(&j);
}
END_TEST

typedef struct {
    const char *answer;
    int status;
} ToleranceCase;

// Relative tolerance 1e-6 on entry (0,0) = 1:
static const ToleranceCase TOLERANCE[] = {
    {"m=1.0000005 -2.5; 0 1.5e-7", 0},   // rel 5e-7 / 2.0000005 = 2.5e-7: right
    {"m=1.00001 -2.5; 0 1.5e-7", 1},     // rel 1e-5 / 2.00001 = 5e-6: wrong
    {"m=1 -2.5; 0 1.5000001e-7", 0},     // rel 1e-14 / 3e-7 = 3.3e-8: right
    {"m=1 -2.5; 0 1.6e-7", 1},           // rel 1e-8 / 3.1e-7 = 3.2e-2: wrong, however small
    {"m=1 -2.5; -0 1.5e-7", 0},          // −0 is 0
};

START_TEST(test_answer_tolerance) {
    Captured c = capture_report(matrix_body, "--answer", TOLERANCE[_i].answer, NULL, NULL);
    ck_assert_msg(c.status == TOLERANCE[_i].status, "%s: status %d", TOLERANCE[_i].answer, c.status);
    captured_free(&c);
}
END_TEST

START_TEST(test_answer_scalar) {
    Captured right = capture_report(mixed_body, "--answer", "z=0", NULL, NULL);
    ck_assert_int_eq(right.status, 0);
    ck_assert_ptr_nonnull(strstr(right.out, "your z: all 1 entries right"));
    captured_free(&right);
    Captured wrong = capture_report(mixed_body, "--answer", "z=0.001", NULL, NULL);
    ck_assert_int_eq(wrong.status, 1);
    ck_assert_ptr_nonnull(strstr(wrong.out, "  [0]    0.001  0         WRONG\n"));
    captured_free(&wrong);
}
END_TEST

START_TEST(test_answer_unknown_name) {
    Captured c = capture_report(mixed_body, "--answer", "q=1", NULL, NULL);
    ck_assert_usage_error(c, "error: --answer: unknown name 'q'");
    // The message lists the names the chapter does have.
    ck_assert_ptr_nonnull(strstr(c.err, "v, z"));
    captured_free(&c);
}
END_TEST

START_TEST(test_answer_wrong_shape) {
    Captured c = capture_report(matrix_body, "--answer", "m=1 2", NULL, NULL);
    ck_assert_usage_error(c, "error: --answer m: wrong shape 1x2 (expected 2x2)");
    captured_free(&c);
    Captured j = capture_report(matrix_body, "--format", "json", "--answer", "m=1; 2; 3; 4");
    ck_assert_usage_error(j, "error: --answer m: wrong shape 4x1 (expected 2x2)");
    captured_free(&j);
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

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

Suite *make_report_suite(void) {
    Suite *s = suite_create("report");
    TCase *exact = tcase_create("exact");
    tcase_add_loop_test(exact, test_exact_output, 0, COUNT(EXACT));
    tcase_add_test(exact, test_json_is_one_object_with_checks);
    tcase_add_test(exact, test_matrix_quantity_keeps_rows_in_json);
    tcase_add_test(exact, test_heading_underline_counts_characters);
    tcase_add_test(exact, test_paragraph_wraps_at_78_columns);
    tcase_add_test(exact, test_duplicate_key_aborts);
    suite_add_tcase(s, exact);
    TCase *answers = tcase_create("answers");
    tcase_add_test(answers, test_answer_right_passes);
    tcase_add_test(answers, test_answer_wrong_entry_marked);
    tcase_add_loop_test(answers, test_answer_tolerance, 0, COUNT(TOLERANCE));
    tcase_add_test(answers, test_answer_scalar);
    tcase_add_test(answers, test_answer_unknown_name);
    tcase_add_test(answers, test_answer_wrong_shape);
    suite_add_tcase(s, answers);
    TCase *errors = tcase_create("errors");
    tcase_add_loop_test(errors, test_non_finite_is_input_error, 0, COUNT(NON_FINITE));
    tcase_add_test(errors, test_no_color_when_not_a_tty);
    tcase_add_test(errors, test_color_only_on_tty_and_never_when_disabled);
    suite_add_tcase(s, errors);
    return s;
}
