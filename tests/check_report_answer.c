// --answer (src/report/report_answer.c, report_mistake.c): a right answer
// passes, a wrong entry is marked, the tolerance, scalars, unknown names and
// wrong shapes; a wrong answer names the slip or the --bug variant it
// matches; and a key that is not numeric says why. Every report runs in a
// forked child (tests/report_run.h).
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "proc.h"
#include "report.h"
#include "report_run.h"

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
    ck_assert_ptr_nonnull(strstr(c.out, "Result: no check; 1 of 1 answers wrong: FAIL\n"));
    captured_free(&c);

    Captured j = capture_report(matrix_body, "--format", "json", "--answer", "m=1 2.5; 0 1.5e-7");
    ck_assert_int_eq(j.status, 1);
    ck_assert_msg(jsonlint_is_one_object(j.out), "not one JSON object:\n%s", j.out);
    ck_assert_ptr_nonnull(strstr(j.out, "  \"answers\": [\n    {\"name\": \"m\", \"passed\": false, \"entries\": 4, "
                                        "\"wrong_entries\": [\"(0,1)\"], \"matches_mistake\": null}\n  ]\n}\n"));
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

// ---------------------------------------------------------------- naming the mistake

// S = [1 2 3; 4 5 6; 7 8 10]: no symmetry, so each slip gives a different matrix.
static void slip_body(Report *r) {
    double d[9] = {1, 2, 3, 4, 5, 6, 7, 8, 10};
    Tensor m = tensor_view(d, 1, 3, 3);
    report_matrix_quantity(r, "s", "S", &m);
}

// P = [1 2 3; 4 5 6], a non-square outer-product shape.
static void outer_body(Report *r) {
    double d[6] = {1, 2, 3, 4, 5, 6};
    Tensor m = tensor_view(d, 1, 2, 3);
    report_matrix_quantity(r, "p", "P", &m);
}

static const struct {
    Body body;
    const char *answer, *mistake, *line;
} SLIPS[] = {
    {slip_body, "s=-1 -2 -3; -4 -5 -6; -7 -8 -10", "sign", "with its sign flipped"},
    {slip_body, "s=1 4 7; 2 5 8; 3 6 10", "transposed", "the transpose of the right value"},
    {slip_body, "s=10 8 7; 6 5 4; 3 2 1", "rot180", "rotated by 180 degrees"},
    {slip_body, "s=0.5 1 1.5; 2 2.5 3; 3.5 4 5", "scaled", "times 1/2"},
    {slip_body, "s=3 6 9; 12 15 18; 21 24 30", "scaled", "times 3"},
    {slip_body, "s=-0.25 -0.5 -0.75; -1 -1.25 -1.5; -1.75 -2 -2.5", "scaled", "times -1/4"},
    {slip_body, "s=0 0 0; 1 2 3; 4 5 6", "shifted", "shifted down one row"},
    {slip_body, "s=2 3 0; 5 6 0; 8 10 0", "shifted", "shifted left one column"},
    {outer_body, "p=1 4 2; 5 3 6", "swapped", "rows and columns swapped"},
    // typed in the transposed shape: named, not a shape error
    {outer_body, "p=1 4; 2 5; 3 6", "transposed", "the transpose of the right value"},
};

START_TEST(test_answer_names_slip) {
    Captured c = capture_report(SLIPS[_i].body, "--answer", SLIPS[_i].answer, NULL, NULL);
    ck_assert_msg(c.status == 1, "%s: status %d (%s)", SLIPS[_i].answer, c.status, c.err);
    ck_assert_msg(strstr(c.out, SLIPS[_i].line) != NULL, "%s: no '%s' in\n%s", SLIPS[_i].answer, SLIPS[_i].line,
                  c.out);
    captured_free(&c);
    Captured j = capture_report(SLIPS[_i].body, "--answer", SLIPS[_i].answer, "--format", "json");
    ck_assert(jsonlint_is_one_object(j.out));
    char want[80];
    snprintf(want, sizeof want, "\"matches_mistake\": \"%s\"}", SLIPS[_i].mistake);
    ck_assert_msg(strstr(j.out, want) != NULL, "%s: no %s in\n%s", SLIPS[_i].answer, want, j.out);
    captured_free(&j);
}
END_TEST

// No slip: say so, name the pattern when there is one, null in JSON; a
// right answer has null too.
START_TEST(test_answer_no_mistake_pattern) {
    Captured row = capture_report(slip_body, "--answer", "s=1 2 3; 4 9 9; 7 8 10", NULL, NULL);
    ck_assert_ptr_nonnull(strstr(row.out, "matches no classic mistake; the wrong entries are only row 1."));
    captured_free(&row);
    Captured border = capture_report(slip_body, "--answer", "s=1 2 3; 9 5 6; 7 8 11", "--format", "markdown");
    ck_assert_ptr_nonnull(strstr(border.out, "the wrong entries are only on the border."));
    captured_free(&border);
    Captured col = capture_report(slip_body, "--answer", "s=1 2 0; 4 5 0; 7 8 0", NULL, NULL);
    ck_assert_ptr_nonnull(strstr(col.out, "the wrong entries are only column 2."));
    captured_free(&col);
    Captured listed = capture_report(slip_body, "--answer", "s=9 2 3; 4 9 6; 7 8 10", "--format", "markdown");
    ck_assert_ptr_nonnull(strstr(listed.out, "a shift); the wrong entries are (0,0), (1,1).\n"));
    captured_free(&listed);
    Captured none = capture_report(slip_body, "--answer", "s=1 2 3; 9 5 6; 7 8 11", "--format", "json");
    ck_assert_ptr_nonnull(strstr(none.out, "\"matches_mistake\": null}"));
    captured_free(&none);
    Captured right = capture_report(slip_body, "--answer", "s=1 2 3; 4 5 6; 7 8 10", "--format", "json");
    ck_assert_int_eq(right.status, 0);
    ck_assert_ptr_nonnull(strstr(right.out, "\"passed\": true, \"entries\": 9, \"wrong_entries\": [], "
                                            "\"matches_mistake\": null}"));
    captured_free(&right);
}
END_TEST

// The chapter's own --bug variants, by running it again: chapter 5's ∂L/∂X
// computed without rot180 (its value read from `--bug no-rot180 --format
// json`, so this test does not depend on the numbers).
START_TEST(test_answer_names_bug_variant) {
    const char *bug_args[] = {"--bug", "no-rot180", "--format", "json", NULL};
    ProcResult b = run_chapter("chapter5", bug_args);
    const char *dx = strstr(b.out, "\n  \"dX\": ");
    ck_assert_ptr_nonnull(dx);
    // [[a, b], [c, d]] -> "a b; c d"
    char answer[1024] = "dX=";
    size_t n = strlen(answer);
    int depth = 0;
    for (const char *p = dx + 9; n + 2 < sizeof answer; p++) {
        if (*p == '[') depth++;
        else if (*p == ']' && --depth == 0) break;
        else if (*p == ']') answer[n++] = ';';
        else if (*p != ',' && !(*p == ' ' && p[-1] == ']')) answer[n++] = *p;
    }
    while (n > 3 && (answer[n - 1] == ';' || answer[n - 1] == ' ')) n--; // the last row's ';'
    answer[n] = '\0';
    proc_free(&b);
    const char *args[] = {"--no-color", "--answer", answer, NULL};
    ProcResult p = run_chapter("chapter5", args);
    ck_assert_msg(p.status == 1, "status %d for %s: %s", p.status, answer, p.err);
    ck_assert_msg(strstr(p.out, "--bug=no-rot180 (") != NULL, "%s", answer);
    proc_free(&p);
    // Markdown does not wrap: the whole line, with the section of the first
    // check that fails under the bug.
    const char *md_args[] = {"--format", "markdown", "--answer", answer, NULL};
    ProcResult md = run_chapter("chapter5", md_args);
    ck_assert_ptr_nonnull(strstr(md.out, "Your ∂L/∂X is exactly what the chapter computes with the mistake "
                                         "--bug=no-rot180 ("));
    ck_assert_ptr_nonnull(strstr(md.out, "): see 5.3.\n"));
    proc_free(&md);
    const char *json_args[] = {"--format", "json", "--answer", answer, NULL};
    ProcResult j = run_chapter("chapter5", json_args);
    ck_assert_ptr_nonnull(strstr(j.out, "\"matches_mistake\": \"no-rot180\""));
    proc_free(&j);
}
END_TEST

// ---------------------------------------------------------------- --answer names

static void text_key_body(Report *r) {
    report_json_string(r, "mode", "valid");
    report_scalar(r, "z", "z", 1.5);
}

START_TEST(test_answer_non_numeric_key_says_why) {
    Captured c = capture_report(text_key_body, "--answer", "mode=1", NULL, NULL);
    ck_assert_usage_error(c, "error: --answer: 'mode' is not a number, vector or matrix");
    ck_assert_ptr_nonnull(strstr(c.err, "names --answer takes: z\n"));
    captured_free(&c);
    Captured u = capture_report(text_key_body, "--answer", "q=1", NULL, NULL);
    ck_assert_usage_error(u, "error: --answer: unknown name 'q' (names --answer takes: z)");
    captured_free(&u);
}
END_TEST

Suite *make_report_answer_suite(void) {
    Suite *s = suite_create("report_answer");
    TCase *answers = tcase_create("answers");
    tcase_add_test(answers, test_answer_right_passes);
    tcase_add_test(answers, test_answer_wrong_entry_marked);
    tcase_add_loop_test(answers, test_answer_tolerance, 0, ARRAY_LEN(TOLERANCE));
    tcase_add_test(answers, test_answer_scalar);
    tcase_add_test(answers, test_answer_unknown_name);
    tcase_add_test(answers, test_answer_wrong_shape);
    tcase_add_loop_test(answers, test_answer_names_slip, 0, ARRAY_LEN(SLIPS));
    tcase_add_test(answers, test_answer_no_mistake_pattern);
    tcase_add_test(answers, test_answer_names_bug_variant);
    tcase_add_test(answers, test_answer_non_numeric_key_says_why);
    suite_add_tcase(s, answers);
    return s;
}
