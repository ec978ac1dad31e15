// Every chapter's default text output (`chapterN --no-color`, stdout not a
// terminal) and every `--help` fits 80 columns, counted in UTF-8 characters
// (one column per code point), not bytes. A failure names the chapter, how
// many lines are too wide and the first of them.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "strbuf.h"

#define MAX_CHAPTERS 16
// What a terminal, a projector and the issue ask for.
#define MAX_COLUMNS 80

static int chapters[MAX_CHAPTERS];
static int n_chapters;

static void find_chapters(void) { n_chapters = chapter_numbers(chapters, MAX_CHAPTERS); }

// Lines of s wider than MAX_COLUMNS; the first is copied into first.
static int too_wide(const char *s, char *first, size_t len) {
    int n = 0;
    for (const char *p = s; *p;) {
        size_t l = strcspn(p, "\n");
        if (utf8_width_n(p, l) > MAX_COLUMNS && n++ == 0)
            snprintf(first, len, "%zu columns: %.*s", utf8_width_n(p, l), (int)(l < 200 ? l : 200), p);
        p += l + (p[l] == '\n');
    }
    return n;
}

// The control for the check below: a line of 81 characters (not bytes) is
// too wide, one of 80 multi-byte characters is not.
START_TEST(test_width_counts_characters) {
    char first[300];
    char wide[82 * 3] = "", ok[81 * 3] = "";
    for (int k = 0; k < 81; k++) strcat(wide, "a");
    for (int k = 0; k < 80; k++) strcat(ok, "∂");
    ck_assert_int_eq(too_wide(wide, first, sizeof first), 1);
    ck_assert_int_eq(too_wide(ok, first, sizeof first), 0);
}
END_TEST

static void assert_fits(int chapter, const char *arg) {
    char program[32], first[300] = "";
    snprintf(program, sizeof program, "chapter%d", chapter);
    const char *args[] = {arg, NULL};
    ProcResult p = run_chapter(program, args);
    ck_assert_msg(p.status == 0 || p.status == 1 || p.status == 3, "%s %s: status %d", program, arg, p.status);
    int n = too_wide(p.out, first, sizeof first);
    ck_assert_msg(n == 0, "%s %s: %d lines wider than %d columns; the first, %s", program, arg, n, MAX_COLUMNS,
                  first);
    proc_free(&p);
}

START_TEST(test_default_output_fits_80_columns) { assert_fits(chapters[_i], "--no-color"); }
END_TEST

START_TEST(test_help_fits_80_columns) { assert_fits(chapters[_i], "--help"); }
END_TEST

Suite *make_width_suite(void) {
    find_chapters();
    Suite *s = suite_create("width");
    TCase *tc = tcase_create("width");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_width_counts_characters);
    tcase_add_loop_test(tc, test_default_output_fits_80_columns, 0, n_chapters);
    tcase_add_loop_test(tc, test_help_fits_80_columns, 0, n_chapters);
    suite_add_tcase(s, tc);
    return s;
}
