// Exercise sheets (make sheet SEED=N): for several seeds, every check
// command printed in the key exits 0 as written, and exits 1 once one entry
// of an answer is changed; the sheet carries the same commands with
// placeholders; a seed gives byte-identical files and another seed other
// problems; both .tex files compile when pdflatex is installed.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arraylen.h"
#include "proc.h"

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

static const int SEEDS[] = {1, 2, 3, 11};

// Writes the sheet for seed into dir (created fresh) and returns key-N.md.
static char *make_sheet(const char *dir, int seed) {
    char cmd[512], path[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s && %s/sheet --seed %d --out %s > /dev/null", dir, BUILD_DIR, seed, dir);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/key-%d.md", dir, seed);
    char *key = read_file(path);
    ck_assert_ptr_nonnull(key);
    return key;
}

// Runs one command line (as printed, "build/chapterN ..."), with build/
// replaced by this build's directory; returns its exit status.
static int run_line(const char *line) {
    char cmd[8192];
    ck_assert(strncmp(line, "build/", 6) == 0);
    snprintf(cmd, sizeof cmd, "%s/%s > /dev/null 2>&1", BUILD_DIR, line + 6);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

// Copies line with the first entry of the k-th --answer raised by 1.
static bool perturb_answer(char *out, size_t len, const char *line, int k) {
    const char *p = line;
    for (int i = 0; i <= k; i++) {
        p = strstr(p, "--answer \"");
        if (!p) return false;
        p += strlen("--answer \"");
    }
    const char *eq = strchr(p, '=');
    char *end;
    double v = strtod(eq + 1, &end);
    snprintf(out, len, "%.*s%.10g%s", (int)(eq + 1 - line), line, v + 1.0, end);
    return true;
}

static void check_key_commands(const char *key, int *n_commands) {
    for (const char *p = key; (p = strstr(p, "\nbuild/chapter")) != NULL;) {
        p++;
        const char *nl = strchr(p, '\n');
        char line[4096];
        snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
        ck_assert_msg(run_line(line) == 0, "the key's command does not exit 0:\n%s", line);
        char wrong[4096];
        for (int k = 0; perturb_answer(wrong, sizeof wrong, line, k); k++)
            ck_assert_msg(run_line(wrong) == 1, "a changed answer does not exit 1:\n%s", wrong);
        // A formula off by a factor 2 must fail too.
        const char *formula = strstr(line, "--formula \"");
        if (formula) {
            const char *close = strrchr(line, '"');
            snprintf(wrong, sizeof wrong, "%.*s * 2%s", (int)(close - line), line, close);
            ck_assert_msg(run_line(wrong) == 1, "a changed formula does not exit 1:\n%s", wrong);
        }
        (*n_commands)++;
        p = nl;
    }
}

START_TEST(test_key_commands_pass_and_wrong_answers_fail) {
    char dir[64];
    snprintf(dir, sizeof dir, "%s/test-sheets-%d", BUILD_DIR, _i);
    char *key = make_sheet(dir, SEEDS[_i]);
    int n = 0;
    check_key_commands(key, &n);
    ck_assert_int_ge(n, 7); // one problem per chapter 1-5, a formula, and one more
    ck_assert_ptr_nonnull(strstr(key, " --formula \""));
    for (int c = 1; c <= 5; c++) {
        char want[32];
        snprintf(want, sizeof want, "\nbuild/chapter%d ", c);
        ck_assert_msg(strstr(key, want), "no problem for chapter %d", c);
    }
    free(key);
}
END_TEST

START_TEST(test_sheet_has_placeholders_and_no_answers) {
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "%s/test-sheets-p", BUILD_DIR);
    free(make_sheet(dir, 5));
    snprintf(path, sizeof path, "%s/sheet-5.md", dir);
    char *sheet = read_file(path);
    ck_assert_ptr_nonnull(sheet);
    ck_assert_ptr_nonnull(strstr(sheet, "--answer \"dK=<your dK>\""));
    ck_assert_ptr_null(strstr(sheet, "The check, with the right answer"));
    free(sheet);
}
END_TEST

START_TEST(test_same_seed_same_files_other_seed_other_problems) {
    char a[64], b[64], c[64];
    snprintf(a, sizeof a, "%s/test-sheets-a", BUILD_DIR);
    snprintf(b, sizeof b, "%s/test-sheets-b", BUILD_DIR);
    snprintf(c, sizeof c, "%s/test-sheets-c", BUILD_DIR);
    char *ka = make_sheet(a, 7), *kb = make_sheet(b, 7), *kc = make_sheet(c, 8);
    ck_assert_str_eq(ka, kb);
    ck_assert_str_ne(ka, kc);
    free(ka);
    free(kb);
    free(kc);
}
END_TEST

START_TEST(test_tex_compiles) {
    if (system("command -v pdflatex > /dev/null 2>&1") != 0) {
        fprintf(stderr, "check_sheets: pdflatex not installed; the LaTeX compile test is skipped\n");
        return;
    }
    char dir[64], cmd[512];
    snprintf(dir, sizeof dir, "%s/test-sheets-tex", BUILD_DIR);
    free(make_sheet(dir, 3));
    const char *stems[] = {"sheet-3", "key-3"};
    for (int k = 0; k < ARRAY_LEN(stems); k++) {
        snprintf(cmd, sizeof cmd,
                 "cd %s && pdflatex -interaction=nonstopmode -halt-on-error %s.tex > /dev/null 2>&1 && "
                 "! grep -q 'Overfull' %s.log",
                 dir, stems[k], stems[k]);
        ck_assert_msg(system(cmd) == 0, "%s/%s.tex does not compile cleanly", dir, stems[k]);
    }
}
END_TEST

// " -1" and "+1" too: strtoull alone skips the space and wraps -1 to 2^64 - 1.
static const char *const BAD_SEEDS[] = {"x7", " -1", "-1", "+1", " 1", "", "18446744073709551616"};

START_TEST(test_bad_seed_is_a_usage_error) {
    const char *args[] = {"--seed", BAD_SEEDS[_i], NULL};
    ProcResult p = run_chapter("sheet", args);
    assert_usage_error(&p, "--seed");
    proc_free(&p);
}
END_TEST

Suite *make_sheets_suite(void) {
    Suite *s = suite_create("sheets");
    TCase *tc = tcase_create("sheets");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, test_key_commands_pass_and_wrong_answers_fail, 0, ARRAY_LEN(SEEDS));
    tcase_add_test(tc, test_sheet_has_placeholders_and_no_answers);
    tcase_add_test(tc, test_same_seed_same_files_other_seed_other_problems);
    tcase_add_test(tc, test_tex_compiles);
    tcase_add_loop_test(tc, test_bad_seed_is_a_usage_error, 0, ARRAY_LEN(BAD_SEEDS));
    suite_add_tcase(s, tc);
    return s;
}
