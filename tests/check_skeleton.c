// The chapter skeleton of docs/adding-a-chapter.md (docs/chapter_skeleton.c,
// built as BUILD_DIR/skeleton) is a working chapter: its check passes, its
// --bug is caught, the kink at 0 is skipped and said, and bad input is one
// error line. Expected values by hand: X = [1 -2; 0.5 -0.25], G = [-1.5 -0.5;
// 0.5 -1.5] (k mod 3 − 1.5), so ∂L/∂X = G where X > 0 = [-1.5 0; 0.5 0].
#include <check.h>
#include <string.h>

#include "proc.h"

START_TEST(test_skeleton_passes) {
    const char *args[] = {"--no-color", NULL};
    ProcResult r = run_chapter("skeleton", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "∂L/∂X =\n  [ -1.5    0 ]\n  [  0.5    0 ]\n"));
    ck_assert_ptr_nonnull(strstr(r.joined, "∂L/∂X: 4 compared;"));
    proc_free(&r);
}
END_TEST

START_TEST(test_skeleton_bug_is_caught) {
    const char *args[] = {"--bug", "no-mask", NULL};
    ProcResult r = run_chapter("skeleton", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "FAIL"));
    proc_free(&r);
}
END_TEST

START_TEST(test_skeleton_skips_the_kink) {
    const char *args[] = {"--input", "0 1; -1 2", NULL};
    ProcResult r = run_chapter("skeleton", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.joined, "3 compared, 1 skipped (at 0, the kink of max(0, x))"));
    proc_free(&r);
}
END_TEST

START_TEST(test_skeleton_bad_input) {
    const char *args[] = {"--input", "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", NULL};
    ProcResult r = run_chapter("skeleton", args);
    assert_usage_error(&r, "--input");
    proc_free(&r);
}
END_TEST

Suite *make_skeleton_suite(void) {
    Suite *s = suite_create("skeleton");
    TCase *tc = tcase_create("skeleton");
    tcase_add_test(tc, test_skeleton_passes);
    tcase_add_test(tc, test_skeleton_bug_is_caught);
    tcase_add_test(tc, test_skeleton_skips_the_kink);
    tcase_add_test(tc, test_skeleton_bad_input);
    suite_add_tcase(s, tc);
    return s;
}
