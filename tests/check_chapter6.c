// Chapter 6 as a user runs it: the default run passes with at least 90% test
// accuracy, --bug makes it fail, and every bad option or data file is one
// "error:" line on stderr, nothing on stdout, exit 2.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

// The value of a top-level JSON number member "key": ... (the report writes
// each member on its own line as  "key": value).
static double json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *p = strstr(json, pattern);
    ck_assert_msg(p != NULL, "no key %s", key);
    return strtod(p + strlen(pattern), NULL);
}

START_TEST(test_default_run) {
    const char *args[] = {"--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_int_eq((int)r.err_len, 0);
    ck_assert_double_ge(json_number(r.out, "test_accuracy"), 0.9);
    const char *keys[] = {"\"losses\": [", "\"kernels\": [", "\"checks\": [", "\"dL_dX\": [", "\"loss_after_step\": "};
    for (int k = 0; k < COUNT(keys); k++) ck_assert_msg(strstr(r.out, keys[k]) != NULL, "missing %s", keys[k]);
    ck_assert_ptr_null(strstr(r.out, "\"passed\": false"));
    proc_free(&r);
}
END_TEST

START_TEST(test_bug_fails) {
    const char *args[] = {"--bug", "pool-everywhere", "--epochs", "1", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "FAIL"));
    proc_free(&r);
}
END_TEST

static char csv_path[64];

// Writes text to a fresh temporary file (its name in csv_path).
static void write_csv(const char *text) {
    strcpy(csv_path, "/tmp/check_chapter6_XXXXXX");
    int fd = mkstemp(csv_path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(test_own_data) {
    // 3x3 images, label 1 bright in the middle column, label 0 in the middle row.
    char text[4096] = "";
    for (int k = 0; k < 40; k++)
        strcat(text, k % 2 ? "1,0,1,0,0,1,0,0,1,0\n" : "0,0,0,0,1,1,1,0,0,0\n");
    write_csv(text);
    const char *args[] = {"--data", csv_path, "--size", "3x3", "--kernel-size", "2", "--epochs", "20", "--lr",
                          "0.1", "--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    unlink(csv_path);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_double_eq(json_number(r.out, "test_accuracy"), 1.0);
    proc_free(&r);
}
END_TEST

typedef struct {
    const char *args[8];
    const char *csv;    // written to a temporary file named by "@CSV" in args
    const char *expect; // a piece of the error line
} BadCase;

static const BadCase BAD[] = {
    {{"--kernels", "0"}, NULL, "error: --kernels:"},
    {{"--kernels", "abc"}, NULL, "error: --kernels:"},
    {{"--kernels", "65"}, NULL, "error: --kernels:"},
    {{"--kernel-size", "8"}, NULL, "error: --kernel-size: a 8x8 kernel leaves no room"},
    {{"--kernel-size", "0"}, NULL, "error: --kernel-size:"},
    {{"--epochs", "0"}, NULL, "error: --epochs:"},
    {{"--lr", "-1"}, NULL, "error: --lr:"},
    {{"--lr", "0"}, NULL, "error: --lr:"},
    {{"--lr", "inf"}, NULL, "error: --lr:"},
    {{"--size", "8x8"}, NULL, "error: --size: only used with --data"},
    {{"--data", "/nonexistent/x.csv"}, NULL, "error: --data: needs --size"},
    {{"--data", "/nonexistent/x.csv", "--size", "2x2", "--kernel-size", "1"}, NULL, "error: --data: cannot open"},
    {{"--data", "/tmp", "--size", "2x2", "--kernel-size", "1"}, NULL, "error: --data:"},
    {{"--data", "@CSV", "--size", "2x"}, "1,0,0,0,0\n", "error: --size:"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n1,0,0,0\n", "error: --data: line 2 has 4 fields"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n0,1,1,1,1\n3,0,0,0,0\n", "error: --data: line 3: the label"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n", "error: --data: only 1 image"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "", "error: --data: no images"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "2"}, "1,0,0,0,0\n0,0,0,0,0\n",
     "error: --kernel-size:"},
    {{"--bug", "nonsense"}, NULL, "error: --bug:"},
    {{"--data", "@CSV", "--size", "100x100", "--kernel-size", "1"}, "1,0\n", "error: --size: 100x100 images"},
};

START_TEST(test_bad_input) {
    const BadCase *c = &BAD[_i];
    const char *args[10];
    int n = 0;
    if (c->csv) write_csv(c->csv);
    for (int k = 0; c->args[k]; k++) args[n++] = strcmp(c->args[k], "@CSV") == 0 ? csv_path : c->args[k];
    args[n] = NULL;
    ProcResult r = run_chapter("chapter6", args);
    if (c->csv) unlink(csv_path);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq((int)r.out_len, 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_msg(strstr(r.err, c->expect) == r.err, "stderr '%s' does not start with '%s'", r.err, c->expect);
    proc_free(&r);
}
END_TEST

Suite *make_chapter6_suite(void) {
    Suite *s = suite_create("chapter6");
    TCase *tc = tcase_create("process");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_run);
    tcase_add_test(tc, test_bug_fails);
    tcase_add_test(tc, test_own_data);
    tcase_add_loop_test(tc, test_bad_input, 0, COUNT(BAD));
    suite_add_tcase(s, tc);
    return s;
}
