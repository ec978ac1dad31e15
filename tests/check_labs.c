// The lab harnesses as a student meets them: an untouched skeleton is "not
// implemented yet", exits 1 with a score line, and --gradescope writes a
// valid results.json with one test per case group, each carrying the
// diagnosis of its first failing case. (That each harness
// passes the library and fails every classic mistake, naming it, is `make
// labs-selftest`, which `make check` runs after this suite.)
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "proc.h"

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

static const char *const LABS[] = {"labs/lab2", "labs/lab3", "labs/lab4", "labs/lab5", "labs/lab7"};
// Each lab's case 0: the article's example, or chapter 7's for lab 7 (the
// article has no softmax).
static const char *const CASE0[] = {"article example", "article example", "article example", "article example",
                                    "chapter 7 example"};

START_TEST(test_skeleton_says_not_implemented) {
    const char *args[] = {NULL};
    ProcResult p = run_chapter(LABS[_i], args);
    ck_assert_int_eq(p.status, 1);
    ck_assert_ptr_nonnull(strstr(p.out, "is not implemented yet"));
    char score[64];
    snprintf(score, sizeof score, "%s: 0 of 21 cases passed\n", LABS[_i] + 5);
    ck_assert_ptr_nonnull(strstr(p.out, score));
    ck_assert_str_eq(p.err, "");
    proc_free(&p);
}
END_TEST

START_TEST(test_gradescope_results_json) {
    char path[128];
    snprintf(path, sizeof path, "%s/test-results-%d.json", BUILD_DIR, _i);
    remove(path);
    const char *args[] = {"--gradescope", path, NULL};
    ProcResult p = run_chapter(LABS[_i], args);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    ck_assert_msg(jsonlint_is_one_object(buf), "not one JSON object:\n%s", buf);
    ck_assert_ptr_nonnull(strstr(buf, "\"score\": 0,"));
    ck_assert_ptr_nonnull(strstr(buf, "\"name\": \"lab"));
    char expect[160];
    snprintf(expect, sizeof expect, ": %s\", \"score\": 0, \"max_score\": 1, \"output\": ", CASE0[_i]);
    ck_assert_ptr_nonnull(strstr(buf, expect));
    // Each test's output is the diagnosis a student needs, not just "case 0 failed".
    snprintf(expect, sizeof expect, "\"output\": \"0 of 1 cases passed; failed: case 0\\nCase 0 (%s) FAILED. Its inputs:\\n",
             CASE0[_i]);
    ck_assert_ptr_nonnull(strstr(buf, expect));
    ck_assert_ptr_nonnull(strstr(buf, "is not implemented yet"));
}
END_TEST

START_TEST(test_bad_option_is_a_usage_error) {
    const char *args[] = {"--seed", "-3", NULL};
    ProcResult p = run_chapter(LABS[_i], args);
    assert_usage_error(&p, "--seed");
    proc_free(&p);
}
END_TEST

// strtoull reads " -1" as 2^64 − 1; the seed must start with a digit.
START_TEST(test_negative_seed_with_a_space_is_refused) {
    const char *const bad[] = {" -1", "-1", "", "1x", "99999999999999999999"};
    for (int k = 0; k < ARRAY_LEN(bad); k++) {
        const char *args[] = {"--seed", bad[k], NULL};
        ProcResult p = run_chapter(LABS[_i], args);
        assert_usage_error(&p, "--seed");
        proc_free(&p);
    }
}
END_TEST

START_TEST(test_unwritable_results_file_is_reported) {
    const char *args[] = {"--gradescope", "/nonexistent-dir/results.json", NULL};
    ProcResult p = run_chapter(LABS[_i], args);
    ck_assert_int_eq(p.status, 4);
    ck_assert_ptr_nonnull(strstr(p.err, "error: --gradescope: "));
    proc_free(&p);
}
END_TEST

Suite *make_labs_suite(void) {
    Suite *s = suite_create("labs");
    TCase *tc = tcase_create("labs");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_skeleton_says_not_implemented, 0, ARRAY_LEN(LABS));
    tcase_add_loop_test(tc, test_gradescope_results_json, 0, ARRAY_LEN(LABS));
    tcase_add_loop_test(tc, test_bad_option_is_a_usage_error, 0, ARRAY_LEN(LABS));
    tcase_add_loop_test(tc, test_unwritable_results_file_is_reported, 0, ARRAY_LEN(LABS));
    tcase_add_loop_test(tc, test_negative_seed_with_a_space_is_refused, 0, ARRAY_LEN(LABS));
    suite_add_tcase(s, tc);
    return s;
}
