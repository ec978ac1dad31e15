// What a terminal user meets before any chapter runs: --version, "--", and
// colour, which is on on a terminal and off where it would print as text
// (NO_COLOR, --no-color, TERM=dumb).
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

#define MAX_CHAPTERS 16

static int chapters[MAX_CHAPTERS];
static int n_chapters;

START_TEST(test_version) {
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *args[] = {"--version", NULL};
    ProcResult p = run_chapter(program, args);
    ck_assert_int_eq(p.status, 0);
    char first[64];
    snprintf(first, sizeof first, "%s (backpropagation workbook) ", program);
    ck_assert_msg(strncmp(p.out, first, strlen(first)) == 0, "%s --version: %s", program, p.out);
    ck_assert_ptr_nonnull(strstr(p.out, "MIT"));
    ck_assert_int_eq(count_lines(p.out), 2);
    ck_assert_int_eq((int)p.err_len, 0);
    proc_free(&p);
}
END_TEST

// "--" alone is accepted (the chapter runs); a word after it is refused.
START_TEST(test_double_dash) {
    const char *ok[] = {"--section", "list", "--", NULL}, *bad[] = {"--", "--section", "list", NULL};
    ProcResult p = run_chapter("chapter1", ok);
    ck_assert_msg(p.status == 0, "chapter1 --section list --: status %d (%s)", p.status, p.err);
    proc_free(&p);
    p = run_chapter("chapter1", bad);
    ck_assert_usage_error(p, "error: --: '--section' after '--'");
    proc_free(&p);
}
END_TEST

// Every bad word carries an option prefix: "-", "" and a stray word.
START_TEST(test_bare_words_have_a_prefix) {
    const char *dash[] = {"-", NULL}, *empty[] = {"", NULL}, *stray[] = {"x", NULL}, *after[] = {"--seed", "1", "2", NULL};
    const char *const *cases[] = {dash, empty, stray};
    for (int k = 0; k < 3; k++) {
        ProcResult p = run_chapter("chapter3", cases[k]);
        ck_assert_usage_error(p, "error: --: ");
        proc_free(&p);
    }
    ProcResult p = run_chapter("chapter3", after);
    ck_assert_usage_error(p, "error: --seed: '2' follows its value '1'");
    proc_free(&p);
}
END_TEST

// Counts ESC bytes in what chapter 3 prints on a pseudo-terminal (script(1)
// gives it one) with the given environment; -1 when script is missing.
static int escapes_on_a_terminal(const char *env) {
    if (system("command -v script > /dev/null 2>&1") != 0) return -1;
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s script -qec '%s/chapter3 --section 3.1' /dev/null | tr -cd '\\033' | wc -c", env,
             BUILD_DIR);
    ProcResult p = run_shell(cmd, NULL);
    int n = p.status == 0 ? atoi(p.out) : -2;
    proc_free(&p);
    return n;
}

START_TEST(test_colour_off_under_term_dumb) {
    int on = escapes_on_a_terminal("env -u NO_COLOR TERM=xterm");
    if (on == -1) {
        fprintf(stderr, "terminal: SKIPPED the colour test (script(1) from bsdutils is not installed)\n");
        return;
    }
    ck_assert_msg(on > 0, "no colour on a terminal with TERM=xterm (%d escapes)", on);
    ck_assert_int_eq(escapes_on_a_terminal("env -u NO_COLOR TERM=dumb"), 0);
    ck_assert_int_eq(escapes_on_a_terminal("env NO_COLOR=1 TERM=xterm"), 0);
}
END_TEST

Suite *make_terminal_suite(void) {
    n_chapters = chapter_numbers(chapters, MAX_CHAPTERS);
    Suite *s = suite_create("terminal");
    TCase *tc = tcase_create("terminal");
    tcase_add_loop_test(tc, test_version, 0, n_chapters);
    tcase_add_test(tc, test_double_dash);
    tcase_add_test(tc, test_bare_words_have_a_prefix);
    tcase_add_test(tc, test_colour_off_under_term_dumb);
    suite_add_tcase(s, tc);
    return s;
}
