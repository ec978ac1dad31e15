// Chapter 7 as a user runs it: the numbers of 7.1–7.4 against values worked
// by hand, the default training run (>= 95% held-out accuracy, far above the
// majority baseline), every --bug caught by the check it names, --answer and
// --formula, and bad options refused with one error line and exit 2.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"

static double json_number(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *p = strstr(json, pattern);
    ck_assert_msg(p != NULL, "no key %s", key);
    return strtod(p + strlen(pattern), NULL);
}

// The numbers of the row-major matrix under "key": [[...], ...] into out.
static int json_matrix(double *out, int max, const char *json, const char *key) {
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

START_TEST(test_worked_by_hand) {
    const char *args[] = {"--section", "7.1", "--section", "7.2", "--section", "7.3", "--section", "7.4",
                          "--format", "json", NULL};
    ProcResult r = run_chapter("chapter7", args);
    ck_assert_int_eq(r.status, 0);
    double v[32];
    // 7.1: ∂L/∂X = G where X > 0 (X = [1.5 −2 0; 0.5 −0.25 3]), 0 at the kink.
    ck_assert_int_eq(json_matrix(v, 32, r.out, "relu_dx"), 6);
    const double relu[] = {0.5, 0, 0, -1.5, 0, 0.25};
    for (int k = 0; k < 6; k++) ck_assert_double_eq(v[k], relu[k]);
    // 7.2: z = [2 1 0; 0.5 0.5 −1], y = (0, 2): (p − onehot)/2 with p from
    // exp(z)/Σexp(z) written out here.
    ck_assert_int_eq(json_matrix(v, 32, r.out, "ce_dz"), 6);
    double s0 = exp(2) + exp(1) + 1, s1 = 2 * exp(0.5) + exp(-1);
    const double dz[] = {(exp(2) / s0 - 1) / 2, exp(1) / s0 / 2, 1 / s0 / 2,
                         exp(0.5) / s1 / 2, exp(0.5) / s1 / 2, (exp(-1) / s1 - 1) / 2};
    for (int k = 0; k < 6; k++) ck_assert_double_eq_tol(v[k], dz[k], 1e-15);
    // 7.3: z = [1000 999 995], y = 1: L = 1000 + log(1 + e^-1 + e^-5) − 999.
    ck_assert_double_eq_tol(json_number(r.out, "lse_loss"), 1 + log(1 + exp(-1) + exp(-5)), 1e-12);
    // 7.4: ∂L/∂K[0,0] = X[0] ⋆ G[0]: G0 = [1 −1; 0.5 2] over X0 = [1 2 0; −1 3 1; 2 0 −2]:
    // (0,0) = 1·1 − 1·2 + 0.5·(−1) + 2·3 = 4.5; (0,1) = 2 − 0 + 1.5 + 2 = 5.5.
    ck_assert_int_eq(json_matrix(v, 32, r.out, "mc_dk"), 16);
    ck_assert_double_eq(v[0], 4.5);
    ck_assert_double_eq(v[1], 5.5);
    ck_assert_ptr_null(strstr(r.out, "\"passed\": false"));
    proc_free(&r);
}
END_TEST

START_TEST(test_training) {
    const char *args[] = {"--section", "7.7", "--format", "json", NULL};
    ProcResult r = run_chapter("chapter7", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_double_ge(json_number(r.out, "test_accuracy"), 0.95);
    // Ten classes of 174–183 images: the most common is near a tenth.
    ck_assert_double_lt(json_number(r.out, "majority_baseline"), 0.15);
    ck_assert_ptr_nonnull(strstr(r.out, "\"confusion\": ["));
    ck_assert_ptr_nonnull(strstr(r.out, "\"per_class\": ["));
    proc_free(&r);
}
END_TEST

static const struct {
    const char *bug, *section, *failing;
} BUG_CASES[] = {
    {"relu-mask-from-output", "7.1", "∂L/∂X (ReLU): FAIL"},
    {"softmax-without-shift", "7.3", "the softmax of lse is finite: FAIL"},
    {"ce-grad-not-divided-by-batch", "7.5", "batch gradient = mean of per-sample gradients: FAIL"},
    {"channel-sum-missing", "7.4", "∂L/∂X (2 channels): FAIL"},
    {"second-conv-not-rotated", "7.6", "∂L/∂K1 (conv 1 kernels): FAIL"},
};

START_TEST(test_bug_caught) {
    const char *args[] = {"--bug", BUG_CASES[_i].bug, "--section", BUG_CASES[_i].section, "--no-color", NULL};
    ProcResult r = run_chapter("chapter7", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, BUG_CASES[_i].failing) != NULL, "%s: no '%s'", BUG_CASES[_i].bug,
                  BUG_CASES[_i].failing);
    proc_free(&r);
}
END_TEST

START_TEST(test_answer_and_formula) {
    const char *right[] = {"--section", "7.2", "--answer",
                           "ce_dz=-0.1673795221 0.1223642355 0.04501528659; 0.2249081088 0.2249081088 -0.4498162177",
                           NULL};
    ProcResult r = run_chapter("chapter7", right);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    const char *wrong[] = {"--section", "7.2", "--answer", "ce_dz=-0.33 0.24 0.09; 0.45 0.45 -0.9", NULL};
    r = run_chapter("chapter7", wrong);
    ck_assert_int_eq(r.status, 1);
    proc_free(&r);
    // Equal logits: p = 1/2 each; one sample of label 0: dz = [1/2 − 1, 1/2].
    const char *own[] = {"--section", "7.2", "--logits", "3 3", "--labels", "0", "--answer", "ce_dz=-0.5 0.5", NULL};
    r = run_chapter("chapter7", own);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    const char *good[] = {"--section", "7.8", "--formula", "dz = (p - Y) / N", NULL};
    r = run_chapter("chapter7", good);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    const char *bad[] = {"--section", "7.8", "--formula", "dz = p - Y", "--no-color", NULL};
    r = run_chapter("chapter7", bad);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "ce-grad-not-divided-by-batch"));
    proc_free(&r);
}
END_TEST

static const char *const BAD[][3] = {
    {"--channels", "0x4", "--channels"}, {"--lr", "-1", "--lr"},          {"--batch", "0", "--batch"},
    {"--batch", "257", "--batch"}, {"--logits", "1 2", "--logits"}, {"--labels", "0", "--labels"},
    {"--data", "/nonexistent", "--data"}, {"--epochs", "x", "--epochs"},
};

START_TEST(test_bad_input) {
    const char *args[] = {BAD[_i][0], BAD[_i][1], NULL};
    ProcResult r = run_chapter("chapter7", args);
    assert_usage_error(&r, BAD[_i][2]);
    proc_free(&r);
}
END_TEST

Suite *make_chapter7_suite(void) {
    Suite *s = suite_create("chapter7");
    TCase *t = tcase_create("chapter7");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_worked_by_hand);
    tcase_add_test(t, test_training);
    tcase_add_loop_test(t, test_bug_caught, 0, ARRAY_LEN(BUG_CASES));
    tcase_add_test(t, test_answer_and_formula);
    tcase_add_loop_test(t, test_bad_input, 0, ARRAY_LEN(BAD));
    suite_add_tcase(s, t);
    return s;
}
