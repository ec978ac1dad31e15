// Chapter 0 as a user runs it (build/chapter0 in a separate process): the
// default run and each --function, the JSON contract, the injected bug, every
// bad input, repeatable output and plain-ASCII LaTeX.
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "jsonlint.h"
#include "proc.h"

#define COUNT(a) ((int)(sizeof(a) / sizeof *(a)))

static ProcResult run(const char *a0, const char *a1, const char *a2, const char *a3) {
    const char *args[] = {a0, a1, a2, a3, NULL};
    return run_chapter("chapter0", args);
}

// The number after "key": in a JSON text.
static double json_number(const char *json, const char *key) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    ck_assert_msg(p != NULL, "key %s missing", key);
    return strtod(p + strlen(pat), NULL);
}

START_TEST(test_default_run) {
    ProcResult p = run(NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_str_eq(p.err, "");
    ck_assert_ptr_nonnull(strstr(p.out, "Result: all 5 checks passed: PASS"));
    ck_assert_ptr_nonnull(strstr(p.out, "0.5"));
    // f′(0.5) = σ(0.5) − 1 = −1/(1 + e^0.5) = −1/2.6487212707 = −0.377541 (6 digits)
    ck_assert_ptr_nonnull(strstr(p.out, "f′(x) = -0.377541"));
    ck_assert(!prints_non_finite(p.out));
    proc_free(&p);
}
END_TEST

START_TEST(test_json_contract) {
    ProcResult p = run("--format", "json", NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_msg(jsonlint_is_one_object(p.out), "not one JSON object:\n%s", p.out);
    static const char *const keys[] = {
        "\"function\": \"bce\"", "\"at\": 0.5", "\"exact\": ", "\"rows\": [", "\"best_h\": {", "\"checks\": ["};
    for (int k = 0; k < COUNT(keys); k++)
        ck_assert_msg(strstr(p.out, keys[k]) != NULL, "%s missing", keys[k]);
    // exact = −1/(1 + e^0.5), computed here independently
    ck_assert_double_eq_tol(json_number(p.out, "exact"), -1.0 / (1.0 + exp(0.5)), 1e-15);
    // The first row, h = 0.1, has all four methods; the tiny steps have
    // only the complex step.
    ck_assert_ptr_nonnull(strstr(p.out, "{\"h\": 0.1, \"forward\": "));
    ck_assert_ptr_nonnull(strstr(p.out, "{\"h\": 1e-100, \"forward\": null, \"central\": null, \"five_point\": null, "
                                        "\"complex_step\": "));
    const char *best = strstr(p.out, "\"best_h\": {");
    static const char *const methods[] = {"\"forward\": ", "\"central\": ", "\"five_point\": ", "\"complex_step\": "};
    for (int k = 0; k < COUNT(methods); k++)
        ck_assert_ptr_nonnull(strstr(best, methods[k]));
    // The forward difference's best step is within a decade of √ε ≈ 1.5e-8.
    double fh = strtod(strstr(best, "\"forward\": ") + 11, NULL);
    ck_assert_msg(fh >= 1e-9 && fh <= 1e-7, "forward best h %g", fh);
    ck_assert_ptr_null(strstr(p.out, "\"passed\": false"));
    proc_free(&p);
}
END_TEST

static const char *const FUNCTIONS[] = {"sin", "exp", "log", "sigmoid", "bce"};

START_TEST(test_each_function) {
    ProcResult p = run("--function", FUNCTIONS[_i], "--at", "0.7");
    ck_assert_msg(p.status == 0, "%s: status %d\n%s", FUNCTIONS[_i], p.status, p.out);
    ck_assert(!prints_non_finite(p.out));
    proc_free(&p);
    ProcResult j = run("--function", FUNCTIONS[_i], "--format", "json");
    ck_assert_int_eq(j.status, 0);
    ck_assert(jsonlint_is_one_object(j.out));
    char want[64];
    snprintf(want, sizeof want, "\"function\": \"%s\"", FUNCTIONS[_i]);
    ck_assert_ptr_nonnull(strstr(j.out, want));
    proc_free(&j);
}
END_TEST

START_TEST(test_bug_fails) {
    ProcResult p = run("--bug", "central-h", NULL, NULL);
    ck_assert_int_eq(p.status, 1);
    ck_assert_ptr_nonnull(strstr(p.out, "central: best error within its bound"));
    ck_assert_ptr_nonnull(strstr(p.out, "FAIL"));
    proc_free(&p);
}
END_TEST

static const char *const BAD[][4] = {
    {"--function", "tan", NULL, NULL},       {"--at", "abc", NULL, NULL},        {"--at", "nan", NULL, NULL},
    {"--function", "log", "--at", "-1"},     {"--function", "log", "--at", "0"}, {"--function", "log", "--at", "1e-9"},
    {"--function", "exp", "--at", "200"},    {"--at", "1e7", NULL, NULL},        {"--bug", "no-such-bug", NULL, NULL},
    {"--plot", "/dev/null/sub", NULL, NULL}, {"--format", "pdf", NULL, NULL},
};

START_TEST(test_bad_input) {
    ProcResult p = run(BAD[_i][0], BAD[_i][1], BAD[_i][2], BAD[_i][3]);
    assert_usage_error(&p, NULL);
    proc_free(&p);
}
END_TEST

START_TEST(test_repeatable_and_ascii_latex) {
    ProcResult a = run("--no-color", NULL, NULL, NULL), b = run("--no-color", NULL, NULL, NULL);
    ck_assert(a.out_len == b.out_len && memcmp(a.out, b.out, a.out_len) == 0);
    ProcResult l = run("--format", "latex", NULL, NULL);
    ck_assert_int_eq(l.status, 0);
    for (size_t i = 0; i < l.out_len; i++)
        ck_assert_msg((unsigned char)l.out[i] < 0x80, "non-ASCII byte at %zu", i);
    ck_assert_ptr_null(strchr(l.out, '?')); // an untranslated symbol
    proc_free(&a), proc_free(&b), proc_free(&l);
}
END_TEST

START_TEST(test_plot_data) {
    char dir[] = "/tmp/check_chapter0_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[64], path[96];
    snprintf(sub, sizeof sub, "%s/a/b", dir); // nested, created on the way
    ProcResult p = run("--plot", sub, "--format", "json");
    ck_assert_int_eq(p.status, 0);
    snprintf(path, sizeof path, "%s/chapter0_error.dat", sub);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    int rows = 0;
    char line[512];
    while (fgets(line, sizeof line, f))
        if (line[0] != '#')
            rows++;
    fclose(f);
    ck_assert_int_eq(rows, 18); // 16 decades + 1e-20 + 1e-100
    remove(path);
    snprintf(path, sizeof path, "%s/a/b", dir), rmdir(path);
    snprintf(path, sizeof path, "%s/a", dir), rmdir(path);
    rmdir(dir);
    proc_free(&p);
}
END_TEST

Suite *make_chapter0_suite(void) {
    Suite *s = suite_create("chapter0");
    TCase *tc = tcase_create("chapter0");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_run);
    tcase_add_test(tc, test_json_contract);
    tcase_add_loop_test(tc, test_each_function, 0, COUNT(FUNCTIONS));
    tcase_add_test(tc, test_bug_fails);
    tcase_add_loop_test(tc, test_bad_input, 0, COUNT(BAD));
    tcase_add_test(tc, test_repeatable_and_ascii_latex);
    tcase_add_test(tc, test_plot_data);
    suite_add_tcase(s, tc);
    return s;
}
