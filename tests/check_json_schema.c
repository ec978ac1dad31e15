// The top of every --format json document says what it is: schema_version,
// chapter, seed and result (the exit status in words); every check has a
// unique "id"; "demonstrations" is always there; a check on a measured value
// (chapter 6's test accuracy) carries the value and the target.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonlint.h"
#include "proc.h"

#define MAX_CHAPTERS 16

static int chapters[MAX_CHAPTERS];
static int n_chapters;

static int count_str(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

// No two checks share an "id" (chapter 6 checks ∂L/∂K in 6.4 and in 6.8).
static void assert_ids_unique(const char *doc) {
    for (const char *p = strstr(doc, "\"id\": \""); p; p = strstr(p + 1, "\"id\": \"")) {
        const char *end = strchr(p + 7, '"');
        ck_assert_ptr_nonnull(end);
        char id[300];
        snprintf(id, sizeof id, "%.*s\"", (int)(end - p), p);
        ck_assert_msg(count_str(doc, id) == 1, "the check id %s is not unique", id);
    }
}

START_TEST(test_header_and_ids) {
    char program[32], head[160];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *args[] = {"--format", "json", "--seed", "3", NULL};
    ProcResult p = run_chapter(program, args);
    ck_assert_msg(p.status == 0, "%s: status %d", program, p.status);
    ck_assert(jsonlint_is_one_object(p.out));
    snprintf(head, sizeof head,
             "{\n  \"schema_version\": 2,\n  \"chapter\": %d,\n  \"seed\": 3,\n  \"result\": \"pass\",\n",
             chapters[_i]);
    ck_assert_msg(strncmp(p.out, head, strlen(head)) == 0, "%s starts:\n%.200s", program, p.out);
    ck_assert_int_eq(count_str(p.out, "\"demonstrations\": ["), 1);
    ck_assert_int_eq(count_str(p.out, "\"id\": "), count_str(p.out, "\"verdict\": "));
    assert_ids_unique(p.out);
    proc_free(&p);
}
END_TEST

// "result" is what the exit status says.
START_TEST(test_result_follows_the_exit_status) {
    const char *bug[] = {"--format", "json", "--bug", "no-mean", NULL};
    ProcResult p = run_chapter("chapter3", bug);
    ck_assert_int_eq(p.status, 1);
    ck_assert_ptr_nonnull(strstr(p.out, "\"result\": \"fail\""));
    proc_free(&p);
    const char *answer[] = {"--format", "json", "--answer", "dL_dK_xcorr=1 2; 3 4", NULL};
    p = run_chapter("chapter1", answer);
    ck_assert_int_eq(p.status, 1);
    ck_assert_ptr_nonnull(strstr(p.out, "\"result\": \"fail\""));
    proc_free(&p);
}
END_TEST

// The test-accuracy check compares a measured accuracy with the target
// (the detail line says "99.0% on 200 test images (target 90%)").
START_TEST(test_measured_check_has_value_and_target) {
    const char *json[] = {"--format", "json", NULL}, *text[] = {"--no-color", "--section", "6.9", NULL};
    ProcResult p = run_chapter("chapter6", json), t = run_chapter("chapter6", text);
    const char *c = strstr(p.out, "{\"name\": \"test accuracy\"");
    ck_assert_ptr_nonnull(c);
    const char *close = strchr(c, '}');
    double value = -1, target = -1, shown = -1, shown_target = -1;
    const char *v = strstr(c, "\"value\": "), *g = strstr(c, "\"target\": ");
    ck_assert_msg(v && g && v < close && g < close, "%.*s", (int)(close - c), c);
    ck_assert_int_eq(sscanf(v, "\"value\": %lf", &value), 1);
    ck_assert_int_eq(sscanf(g, "\"target\": %lf", &target), 1);
    // the old keys stay
    ck_assert_ptr_nonnull(strstr(c, "\"max_abs_error\": "));
    ck_assert_ptr_nonnull(strstr(c, "\"tolerance\": "));
    const char *d = strstr(t.joined, "test accuracy: ");
    ck_assert_ptr_nonnull(d);
    ck_assert_int_eq(sscanf(d, "test accuracy: %lf%% on %*d test images (target %lf%%)", &shown, &shown_target), 2);
    ck_assert_double_eq_tol(value * 100.0, shown, 0.05);
    ck_assert_double_eq_tol(target * 100.0, shown_target, 0.5);
    proc_free(&p);
    proc_free(&t);
}
END_TEST

Suite *make_json_schema_suite(void) {
    n_chapters = chapter_numbers(chapters, MAX_CHAPTERS);
    Suite *s = suite_create("json_schema");
    TCase *tc = tcase_create("json_schema");
    tcase_add_loop_test(tc, test_header_and_ids, 0, n_chapters);
    tcase_add_test(tc, test_result_follows_the_exit_status);
    tcase_add_test(tc, test_measured_check_has_value_and_target);
    suite_add_tcase(s, tc);
    return s;
}
