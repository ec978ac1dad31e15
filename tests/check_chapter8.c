// Chapter 8 as a user runs it: the batch statistics, ∂L/∂β and the running
// averages against values worked by hand, the default run passing, every
// --bug caught (each makes a check FAIL, exit 1), and
// bad --drop values refused.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"

// The numbers of the array under "key": [...] (nested brackets flattened).
static int json_numbers(double *out, int max, const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": [", key);
    const char *p = strstr(json, pattern);
    ck_assert_msg(p != NULL, "no key %s", key);
    p += strlen(pattern);
    int n = 0, depth = 1;
    while (depth > 0 && n < max) {
        if (*p == '[') depth++, p++;
        else if (*p == ']') depth--, p++;
        else if (*p == ',' || *p == ' ') p++;
        else out[n++] = strtod(p, (char **)&p);
    }
    return n;
}

START_TEST(test_by_hand) {
    const char *args[] = {"--format", "json", NULL};
    ProcResult r = run_chapter("chapter8", args);
    ck_assert_int_eq(r.status, 0);
    double v[16];
    // Feature 0: x = [1 2 3 6], μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5.
    // Feature 1: x = [−1 0.5 2 −0.5], μ = 0.25, σ² = (1.5625 + 0.0625 + 3.0625 + 0.5625)/4 = 1.3125.
    ck_assert_int_eq(json_numbers(v, 16, r.out, "bn_mean"), 2);
    ck_assert_double_eq_tol(v[0], 3, 1e-15);
    ck_assert_double_eq_tol(v[1], 0.25, 1e-15);
    json_numbers(v, 16, r.out, "bn_var");
    ck_assert_double_eq_tol(v[0], 3.5, 1e-15);
    ck_assert_double_eq_tol(v[1], 1.3125, 1e-15);
    // ∂L/∂β = Σ dy per feature: 1 + 0 + 0.5 − 1, 0.5 − 1 + 2 + 0.25.
    json_numbers(v, 16, r.out, "bn_dbeta");
    ck_assert_double_eq_tol(v[0], 0.5, 1e-15);
    ck_assert_double_eq_tol(v[1], 1.75, 1e-15);
    // Running averages from (0, 1), m = 0.1: 0.1·μ and 0.9 + 0.1·σ²·4/3.
    json_numbers(v, 16, r.out, "run_mean");
    ck_assert_double_eq_tol(v[0], 0.3, 1e-15);
    ck_assert_double_eq_tol(v[1], 0.025, 1e-15);
    json_numbers(v, 16, r.out, "run_var");
    ck_assert_double_eq_tol(v[0], 0.9 + 0.1 * 3.5 * 4 / 3, 1e-15);
    ck_assert_double_eq_tol(v[1], 0.9 + 0.1 * 1.3125 * 4 / 3, 1e-15);
    // The dropout mask with q = 0.5 holds only 0 and 1/(1 − q) = 2.
    ck_assert_int_eq(json_numbers(v, 16, r.out, "drop_mask"), 8);
    for (int k = 0; k < 8; k++) ck_assert(v[k] == 0.0 || v[k] == 2.0);
    ck_assert_ptr_null(strstr(r.out, "\"passed\": false"));
    proc_free(&r);
}
END_TEST

static const struct {
    const char *bug, *failing;
    int status;
} BUG_CASES[] = {
    {"bn-mean-terms-dropped", "∂L/∂x (BatchNorm): FAIL", 1},
    {"bn-dgamma-without-xhat", "∂L/∂γ: FAIL", 1},
    {"dropout-no-scale", "∂L/∂x (dropout, mask fixed): FAIL", 1},
    {"dropout-no-mask", "∂L/∂x (dropout, mask fixed): FAIL", 1},
    {"dropout-mask-redrawn", "∂L/∂x (dropout, mask fixed): FAIL", 1},
};

START_TEST(test_bug_caught) {
    const char *args[] = {"--bug", BUG_CASES[_i].bug, "--no-color", NULL};
    ProcResult r = run_chapter("chapter8", args);
    ck_assert_int_eq(r.status, BUG_CASES[_i].status);
    ck_assert_msg(strstr(r.out, BUG_CASES[_i].failing) != NULL, "%s: no '%s'", BUG_CASES[_i].bug,
                  BUG_CASES[_i].failing);
    proc_free(&r);
}
END_TEST

START_TEST(test_bad_drop) {
    const char *bad[] = {"1", "-0.1", "x", "nan"};
    const char *args[] = {"--drop", bad[_i], NULL};
    ProcResult r = run_chapter("chapter8", args);
    assert_usage_error(&r, "--drop");
    proc_free(&r);
}
END_TEST

Suite *make_chapter8_suite(void) {
    Suite *s = suite_create("chapter8");
    TCase *t = tcase_create("chapter8");
    tcase_add_test(t, test_by_hand);
    tcase_add_loop_test(t, test_bug_caught, 0, ARRAY_LEN(BUG_CASES));
    tcase_add_loop_test(t, test_bad_drop, 0, 4);
    suite_add_tcase(s, t);
    return s;
}
