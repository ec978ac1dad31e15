// Chapter 2 as a user runs it (build/chapter2 in a separate process): the
// running example's numbers against hand-computed values, the JSON contract,
// each injected bug caught, extreme logits printed without NaN or inf, every
// bad input rejected, and plain-ASCII LaTeX.
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "formula_runs.h"
#include "proc.h"

// Values typed from closed forms below are good to a few ulps.
#define HAND_TOL 1e-14

static ProcResult run(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4, const char *a5) {
    const char *args[] = {a0, a1, a2, a3, a4, a5, NULL};
    return run_chapter("chapter2", args);
}

// Entry k of the number array after "key": [a, b, ...], or of a bare number (k = 0).
static double json_entry(const char *json, const char *key, int k) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(json, pat);
    ck_assert_msg(p != NULL, "key %s missing", key);
    p += strlen(pat);
    if (*p == '[')
        p++;
    for (int i = 0; i < k; i++) {
        p = strchr(p, ',');
        ck_assert_ptr_nonnull(p);
        p++;
    }
    return strtod(p, NULL);
}

START_TEST(test_default_numbers) {
    ProcResult p = run("--format", "json", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_msg(jsonlint_is_one_object(p.out), "not one JSON object:\n%s", p.out);
    static const char *const keys[] = {
        "\"y\": ", "\"yhat\": ", "\"z\": ", "\"loss\": ", "\"dL_dyhat\": ", "\"dL_dz\": "};
    for (int k = 0; k < ARRAY_LEN(keys); k++)
        ck_assert_msg(strstr(p.out, keys[k]) != NULL, "%s missing", keys[k]);
    // y = [1 0], z = [0.5 1]: ŷ = 1/(1 + e^−z) = [0.6224593312, 0.7310585786].
    double s0 = 1 / (1 + exp(-0.5)), s1 = 1 / (1 + exp(-1.0));
    ck_assert_double_eq_tol(json_entry(p.out, "yhat", 0), s0, HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "yhat", 1), s1, HAND_TOL);
    // L = −(1/2)(log ŷ₀ + log(1 − ŷ₁)) = (log(1 + e^−0.5) + log(1 + e))/2
    //   = (0.4740769841801067 + 1.3132616875182228)/2 = 0.8936693358491647
    ck_assert_double_eq_tol(json_entry(p.out, "loss", 0), 0.8936693358491647, HAND_TOL);
    // eq. (1): −(1/2)(1/ŷ₀) = −(1 + e^−0.5)/2 = −0.8032653298563167,
    //          −(1/2)(−1/(1 − ŷ₁)) = (1 + e)/2 = 1.8591409142295225
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dyhat", 0), -0.8032653298563167, HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dyhat", 1), 1.8591409142295225, HAND_TOL);
    // ∂L/∂z = (ŷ − y)/2 = [(0.6224593312 − 1)/2, 0.7310585786/2] = [−0.1887703344, 0.3655292893]
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dz", 0), (s0 - 1) / 2, HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dz", 1), s1 / 2, HAND_TOL);
    ck_assert_ptr_null(strstr(p.out, "\"passed\": false"));
    proc_free(&p);

    ProcResult t = run(NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(t.status, 0);
    ck_assert_ptr_nonnull(strstr(t.out, "Result: all 3 checks passed: PASS"));
    ck_assert_ptr_nonnull(strstr(t.out, "Erratum"));
    ck_assert_ptr_nonnull(strstr(t.out, "-100")); // PyTorch's clamp, named
    ck_assert(!prints_non_finite(t.out));
    proc_free(&t);
}
END_TEST

START_TEST(test_yhat_input) {
    // y = 1, ŷ = 3/4: z = log(3/4 / 1/4) = log 3, L = −log(3/4) = log(4/3),
    // ∂L/∂ŷ = −1/(3/4) = −4/3, ∂L/∂z = 3/4 − 1 = −1/4.
    ProcResult p = run("--y", "1", "--yhat", "0.75", "--format", "json");
    ck_assert_int_eq(p.status, 0);
    ck_assert_double_eq_tol(json_entry(p.out, "z", 0), log(3.0), HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "loss", 0), log(4.0 / 3.0), HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dyhat", 0), -4.0 / 3.0, HAND_TOL);
    ck_assert_double_eq_tol(json_entry(p.out, "dL_dz", 0), -0.25, HAND_TOL);
    proc_free(&p);
}
END_TEST

static const char *const BUGS[] = {"sign", "no-mean", "skip-sigmoid"};

START_TEST(test_bug_fails) {
    ProcResult p = run("--bug", BUGS[_i], NULL, NULL, NULL, NULL);
    ck_assert_msg(p.status == 1, "--bug %s: status %d", BUGS[_i], p.status);
    ck_assert_ptr_nonnull(strstr(p.out, "FAIL"));
    proc_free(&p);
    ProcResult j = run("--bug", BUGS[_i], "--format", "json", NULL, NULL);
    ck_assert_int_eq(j.status, 1);
    ck_assert_ptr_nonnull(strstr(j.out, "\"passed\": false"));
    proc_free(&j);
}
END_TEST

// Labels and logits at and beyond the ends of double precision.
static const char *const EXTREME[][2] = {
    {"1 0", "1000 -1000"},
    {"0 1", "1000 -1000"},
    {"0.5 1", "1e300 -1e300"},
    {"1 0 0", "40 -800 37"},
};

START_TEST(test_extremes_never_print_non_finite) {
    static const char *const formats[] = {"text", "json", "latex", "markdown"};
    for (int f = 0; f < ARRAY_LEN(formats); f++) {
        ProcResult p = run("--y", EXTREME[_i][0], "--z", EXTREME[_i][1], "--format", formats[f]);
        // A right gradient never fails; an exactly-zero ∂L/∂z block may be
        // undecided (exit 3) by a checker that cannot resolve zeros.
        ck_assert_msg(p.status == 0, "--z %s (%s): status %d, %s", EXTREME[_i][1], formats[f],
                      p.status, p.err);
        ck_assert_ptr_null(strstr(p.out, "FAIL"));
        ck_assert_msg(!prints_non_finite(p.out), "--z %s (%s) printed a non-finite value", EXTREME[_i][1],
                      formats[f]);
        if (f == 1)
            ck_assert(jsonlint_is_one_object(p.out));
        proc_free(&p);
    }
}
END_TEST

START_TEST(test_extreme_values) {
    // y = [0 1], z = [1000 −1000]: both predictions wrong by 1000 nats:
    // L = (1000 + 1000)/2 = 1000; ∂L/∂z = (σ(z) − y)/2 = [1/2, −1/2]; eq. (1)
    // has no double value there and is null.
    ProcResult p = run("--y", "0 1", "--z", "1000 -1000", "--format", "json");
    ck_assert_int_eq(p.status, 0);
    ck_assert_double_eq(json_entry(p.out, "loss", 0), 1000.0);
    ck_assert_ptr_nonnull(strstr(p.out, "\"dL_dz\": [0.5, -0.5]"));
    ck_assert_ptr_nonnull(strstr(p.out, "\"dL_dyhat\": [null, null]"));
    proc_free(&p);
}
END_TEST

// Issue 12: ∂L/∂ŷ[1] = −(1/2)/σ(9) = −0.5000617049 is right and must pass
// although σ(9) is within 1.3e-4 of 1 (ŷ[0] = σ(−20) ≈ 2e-9 is left to the
// check in z); and a saturated entry (z = 37, y = 0: ŷ rounds to 1, its
// loss term is log 0) must not poison the other entry's difference.
START_TEST(test_issue12_commands) {
    ProcResult a = run("--y", "1 1", "--z", "-20 9", NULL, NULL);
    ck_assert_int_eq(a.status, 0);
    ck_assert_ptr_nonnull(strstr(a.out, "-0.5000617049"));
    ck_assert_ptr_nonnull(strstr(a.out, "1 entry with ŷ within"));
    proc_free(&a);
    ProcResult b = run("--y", "0 1", "--z", "37 0.3", "--format", "json");
    ck_assert_int_eq(b.status, 0);
    ck_assert(jsonlint_is_one_object(b.out));
    // ∂L/∂ŷ[1] = −(1/2)/σ(0.3) = −(1 + e^−0.3)/2
    ck_assert_ptr_nonnull(strstr(b.out, "\"dL_dyhat\": [null, "));
    ck_assert_double_eq_tol(json_entry(b.out, "dL_dyhat", 1), -(1 + exp(-0.3)) / 2, HAND_TOL);
    ck_assert_ptr_null(strstr(b.out, "\"passed\": false"));
    proc_free(&b);
}
END_TEST

// A failed check carries its real numbers in JSON: with the sign dropped,
// eq. (1) is off by exactly 2|∂L/∂ŷ| in each entry, so max_abs_error is
// 2·(1 + e)/2 = 1 + e = 3.718281828 (entry 1) and max_rel_error is 2.
START_TEST(test_bug_sign_json_numbers) {
    ProcResult p = run("--bug", "sign", "--format", "json", NULL, NULL);
    ck_assert_int_eq(p.status, 1);
    const char *c = strstr(p.out, "{\"name\": \"∂L/∂ŷ, eq. (1)\"");
    ck_assert_ptr_nonnull(c);
    ck_assert_double_eq_tol(json_entry(c, "max_abs_error", 0), 1 + exp(1.0), 1e-8);
    ck_assert_double_eq_tol(json_entry(c, "max_rel_error", 0), 2.0, 1e-8);
    ck_assert_double_eq(json_entry(c, "tolerance", 0), 1e-9);
    ck_assert_ptr_nonnull(strstr(c, "\"verdict\": \"fail\""));
    proc_free(&p);
}
END_TEST

// 2.4's float32 column against PyTorch 1.13 (torch.float32, CPU): BCELoss
// of sigmoid(16) for y = 0 is 15.942384719848633, of sigmoid(17) exactly
// 100 (σ rounds to 1, the log is clamped); BCELoss's backward at ŷ = σ(1),
// y = 0 is 1/(1 − σ(1)) = 1 + e = 3.71828.
START_TEST(test_float32_and_torch_numbers) {
    ProcResult p = run(NULL, NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.out, "  0  16    8.88611e+06    1          1              15.9424\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "  0  17    2.4155e+07     1          1 (rounded)    100\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "1/(1 − ŷ) = 3.7183"));
    ck_assert_ptr_nonnull(strstr(p.out, "from z ≈ 16.64"));
    ck_assert_ptr_nonnull(strstr(p.out, "reduction='mean'"));
    proc_free(&p);
}
END_TEST

typedef struct {
    const char *args[6];
    const char *mention;
} Bad;

static const Bad BAD[] = {
    {{"--y", "1 0", "--yhat", "0.5 1", NULL, NULL}, "--z"}, // ŷ = 1: hint to use logits
    {{"--y", "1 0", "--yhat", "0 0.5", NULL, NULL}, "(0,1)"},
    {{"--y", "1", "--yhat", "1.5", NULL, NULL}, "--yhat"},
    {{"--y", "2 0", "--yhat", "0.5 0.5", NULL, NULL}, "[0,1]"},
    {{"--y", "-0.1", "--z", "0", NULL, NULL}, "--y"},
    {{"--y", "1 0", "--yhat", "0.5", NULL, NULL}, "entries"}, // length mismatch
    {{"--y", "1", "--z", "1 2", NULL, NULL}, "entries"},
    {{"--y", "1", "--yhat", "0.5", "--z", "0"}, "--z"}, // both
    {{"--y", "1 0", NULL, NULL, NULL, NULL}, "--yhat"},
    {{"--yhat", "0.5", NULL, NULL, NULL, NULL}, "--y"},
    {{"--y", "1 0; 0 1", "--z", "1 2", NULL, NULL}, "--y"},
    {{"--y", "1", "--z", "abc", NULL, NULL}, "--z"},
    {{"--bug", "no-such-bug", NULL, NULL, NULL, NULL}, "--bug"},
    {{"--plot", "/dev/null/sub", NULL, NULL, NULL, NULL}, "--plot"},
};

START_TEST(test_bad_input) {
    const Bad *b = &BAD[_i];
    ProcResult p = run(b->args[0], b->args[1], b->args[2], b->args[3], b->args[4], b->args[5]);
    assert_usage_error(&p, b->mention);
    proc_free(&p);
}
END_TEST

START_TEST(test_repeatable_and_ascii_latex) {
    ProcResult a = run("--no-color", NULL, NULL, NULL, NULL, NULL), b = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ck_assert(a.out_len == b.out_len && memcmp(a.out, b.out, a.out_len) == 0);
    ProcResult l = run("--format", "latex", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(l.status, 0);
    for (size_t i = 0; i < l.out_len; i++)
        ck_assert_msg((unsigned char)l.out[i] < 0x80, "non-ASCII byte at %zu", i);
    ck_assert_ptr_null(strchr(l.out, '?'));
    proc_free(&a), proc_free(&b), proc_free(&l);
}
END_TEST

// ---------------------------------------------------------------- --formula (issue 17)

// The issue's examples (and a few more), each as stated: holds or fails,
// with the mistake it names.
static const FormulaRun FORMULA_RUNS[] = {
    {"dL_dz = (yhat - y) / n", true, NULL},
    {"dL_dz = yhat - y", false, "no-mean"},
    {"dL_dyhat = -(y / yhat - (1 - y) / (1 - yhat)) / n", true, NULL},
    {"dL_dyhat = (y / yhat - (1 - y) / (1 - yhat)) / n", false, "sign"},
};

START_TEST(test_formula_runs) { assert_formula_run("chapter2", &FORMULA_RUNS[_i]); }
END_TEST

START_TEST(test_formula_bad_expression) { assert_formula_refused("chapter2", "dL_dz = (yhat - y) / q", "column 22: unknown name"); }
END_TEST

START_TEST(test_formula_list) {
    static const char *const names[] = {"y", "z", "yhat", "n", "dL_dz", "dL_dyhat"};
    assert_formula_list("chapter2", names, ARRAY_LEN(names));
}
END_TEST

Suite *make_chapter2_suite(void) {
    Suite *s = suite_create("chapter2");
    TCase *tc = tcase_create("chapter2");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_numbers);
    tcase_add_test(tc, test_yhat_input);
    tcase_add_loop_test(tc, test_bug_fails, 0, ARRAY_LEN(BUGS));
    tcase_add_loop_test(tc, test_extremes_never_print_non_finite, 0, ARRAY_LEN(EXTREME));
    tcase_add_test(tc, test_extreme_values);
    tcase_add_test(tc, test_issue12_commands);
    tcase_add_test(tc, test_bug_sign_json_numbers);
    tcase_add_test(tc, test_float32_and_torch_numbers);
    tcase_add_loop_test(tc, test_bad_input, 0, ARRAY_LEN(BAD));
    tcase_add_test(tc, test_repeatable_and_ascii_latex);
    suite_add_tcase(s, tc);
    TCase *formula = tcase_create("formula");
    tcase_set_timeout(formula, 60);
    tcase_add_loop_test(formula, test_formula_runs, 0, ARRAY_LEN(FORMULA_RUNS));
    tcase_add_test(formula, test_formula_bad_expression);
    tcase_add_test(formula, test_formula_list);
    suite_add_tcase(s, formula);
    return s;
}
