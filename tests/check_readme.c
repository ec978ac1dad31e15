// The landing page and the licence: what a newcomer sees on the first
// screen of README.md, the article linked, make check's time stated, and a
// LICENSE for the code that leaves data/ its own.
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

// A terminal's first screen.
#define FIRST_SCREEN_LINES 24
// README.md stays a landing page (team guide).
#define README_MAX_LINES 300

START_TEST(test_first_screen_says_where_to_start) {
    char *readme = read_file("README.md");
    ck_assert_ptr_nonnull(readme);
    const char *start = strstr(readme, "Start with `make chapter3`");
    ck_assert_ptr_nonnull(start);
    int line = 1;
    for (const char *p = readme; p < start; p++) line += *p == '\n';
    ck_assert_int_le(line, FIRST_SCREEN_LINES);
    ck_assert_int_le(count_lines(readme), README_MAX_LINES);
    free(readme);
}
END_TEST

START_TEST(test_article_linked_and_check_time_stated) {
    char *readme = read_file("README.md");
    ck_assert_ptr_nonnull(readme);
    ck_assert_ptr_nonnull(strstr(readme, "Derivation of Backpropagation in Convolutional Neural\nNetwork (CNN)*]("
                                         "https://"));
    ck_assert_ptr_nonnull(strstr(readme, "`make check` installs"));
    ck_assert_ptr_nonnull(strstr(readme, "s of CPU"));
    ck_assert_ptr_nonnull(strstr(readme, "[LICENSE](LICENSE)"));
    free(readme);
}
END_TEST

START_TEST(test_licence) {
    char *licence = read_file("LICENSE");
    ck_assert_ptr_nonnull(licence);
    ck_assert(strncmp(licence, "MIT License\n", 12) == 0);
    ck_assert_ptr_nonnull(strstr(licence, "Permission is hereby granted, free of charge"));
    // data/ keeps the licence of its source
    ck_assert_ptr_nonnull(strstr(licence, "data/"));
    ck_assert_ptr_nonnull(strstr(licence, "CC BY 4.0"));
    free(licence);
}
END_TEST

Suite *make_readme_suite(void) {
    Suite *s = suite_create("readme");
    TCase *tc = tcase_create("readme");
    tcase_add_test(tc, test_first_screen_says_where_to_start);
    tcase_add_test(tc, test_article_linked_and_check_time_stated);
    tcase_add_test(tc, test_licence);
    suite_add_tcase(s, tc);
    return s;
}
