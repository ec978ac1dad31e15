// Golden outputs: the default text output of every chapter, byte for byte,
// against tests/golden/chapterN.txt. A change in what a chapter prints must
// be intended: regenerate with `make golden` and review the diff in the
// commit. Running each chapter twice also proves the output is repeatable.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

#define MAX_CHAPTERS 16

static int chapters[MAX_CHAPTERS];
static int n_chapters;

static void find_chapters(void) { n_chapters = chapter_numbers(chapters, MAX_CHAPTERS); }

static char *read_golden(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
    fclose(f);
    return s;
}

// The first line where two texts differ, for a readable failure message.
static int first_difference_line(const char *a, const char *b) {
    int line = 1;
    for (; *a && *a == *b; a++, b++)
        if (*a == '\n') line++;
    return line;
}

START_TEST(test_golden_output) {
    char program[32], path[64];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    snprintf(path, sizeof path, "tests/golden/chapter%d.txt", chapters[_i]);
    const char *args[] = {"--no-color", NULL};
    ProcResult first = run_chapter(program, args);
    ProcResult second = run_chapter(program, args);
    ck_assert_int_eq(first.status, 0);
    ck_assert_msg(first.out_len == second.out_len && memcmp(first.out, second.out, first.out_len) == 0,
                  "%s prints different output on two runs", program);
    size_t len = 0;
    char *golden = read_golden(path, &len);
    ck_assert_msg(golden != NULL, "%s is missing: run `make golden` and review it", path);
    ck_assert_msg(len == first.out_len && memcmp(golden, first.out, len) == 0,
                  "%s differs from %s from line %d on (intended? run `make golden` and review the diff)",
                  program, path, first_difference_line(golden, first.out));
    free(golden);
    proc_free(&first);
    proc_free(&second);
}
END_TEST

START_TEST(test_chapter_list_is_known) {
    // The list comes from the chapters/ glob; an empty one would make the
    // golden tests pass vacuously.
    ck_assert_int_gt(n_chapters, 0);
}
END_TEST

Suite *make_golden_suite(void) {
    find_chapters();
    Suite *s = suite_create("golden");
    TCase *tc = tcase_create("golden");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_chapter_list_is_known);
    tcase_add_loop_test(tc, test_golden_output, 0, n_chapters);
    suite_add_tcase(s, tc);
    return s;
}
