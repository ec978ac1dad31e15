// build/chapter3 as a user runs it: the default run passes every check and
// the loss falls; the JSON members are exactly the documented keys, with
// values worked by hand on a case where σ(0) = 1/2 makes everything exact;
// every --bug is caught by the check that should catch it; bad input exits
// 2 with one "error:" line and nothing on stdout; --format latex is
// ASCII with balanced braces and environments.
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonlint.h"
#include "arraylen.h"
#include "formula_runs.h"
#include "flat_text.h"
#include "proc.h"

// JSON numbers are printed to round-trip, so only the hand arithmetic's own
// rounding (a few ulps) separates them from the exact values below.
#define JSON_TOL 1e-12

// The numbers of the member "key" (one line of --format json output), in
// order; returns how many were read (at most max).
static int json_numbers(const char *json, const char *key, double *out, int max) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\n  \"%s\": ", key);
    const char *p = strstr(json, pattern);
    if (!p) return -1;
    p += strlen(pattern);
    int n = 0;
    while (*p && *p != '\n' && n < max) {
        if (strchr("[], ", *p)) {
            p++;
            continue;
        }
        char *end;
        out[n++] = strtod(p, &end);
        if (end == p) return -1;
        p = end;
    }
    return n;
}

static double json_number(const char *json, const char *key) {
    double v;
    ck_assert_msg(json_numbers(json, key, &v, 1) == 1, "no number for key %s", key);
    return v;
}

// True when some line of out starts with "name:" and ends with word.
static bool line_with(const char *out, const char *name, const char *word) {
    size_t n = strlen(name), w = strlen(word);
    for (const char *line = out; *line;) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > n + w && strncmp(line, name, n) == 0 && line[n] == ':' &&
            strncmp(line + len - w, word, w) == 0)
            return true;
        if (!end) break;
        line = end + 1;
    }
    return false;
}

static int count_substring(const char *s, const char *sub) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, sub)) != NULL; p += strlen(sub)) n++;
    return n;
}

// ---------------------------------------------------------------- the default run

START_TEST(test_default_passes_and_loss_falls) {
    const char *args[] = {"--no-color", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_msg(strstr(r.out, "FAIL") == NULL, "a check failed:\n%s", r.out);
    // 4 gradients of the running example, the loss drop, 4 gradients with
    // n = 2, ∂L/∂x with the square W, and the Result line.
    ck_assert_int_eq(count_substring(r.out, ": PASS\n"), 13);
    ck_assert_ptr_nonnull(strstr(r.out, "the step with η = 0.1: L went from 0.474077 to"));
    ck_assert_int_eq(r.err_len, 0);
    proc_free(&r);

    const char *json_args[] = {"--format", "json", NULL};
    r = run_chapter("chapter3", json_args);
    ck_assert_int_eq(r.status, 0);
    double before = json_number(r.out, "loss"), after = json_number(r.out, "loss_after");
    ck_assert_msg(after < before, "loss %g -> %g", before, after);
    // z = 0.05·29 − 0.03·35 + 0.1 = 1.45 − 1.05 + 0.1 = 0.5; L = log(1 + e^−0.5)
    ck_assert_double_eq_tol(json_number(r.out, "z"), 0.5, JSON_TOL);
    ck_assert_double_eq_tol(before, log1p(exp(-0.5)), JSON_TOL);
    proc_free(&r);
}
END_TEST

START_TEST(test_json_keys_are_exactly_the_documented_ones) {
    static const char *const keys[] = {"schema_version", "chapter", "seed",  "result", "x",          "W",
                                       "b",  "y",  "z",     "yhat",  "loss",       "dL_dz",  "dW", "dx",
                                       "db", "W_new", "b_new", "loss_after", "checks", "demonstrations"};
    const int n_keys = (int)(sizeof keys / sizeof *keys);
    const char *args[] = {"--format", "json", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert(jsonlint_is_one_object(r.out));
    // Top-level members are the lines indented by exactly two spaces.
    int found = 0;
    for (const char *line = r.out; (line = strstr(line, "\n  \"")) != NULL; line++) {
        const char *key = line + 4, *q = strchr(key, '"');
        ck_assert_ptr_nonnull(q);
        bool known = false;
        for (int k = 0; k < n_keys; k++)
            known = known || (strlen(keys[k]) == (size_t)(q - key) && strncmp(keys[k], key, (size_t)(q - key)) == 0);
        ck_assert_msg(known, "unexpected key %.*s", (int)(q - key), key);
        found++;
    }
    ck_assert_int_eq(found, n_keys);
    proc_free(&r);
}
END_TEST

START_TEST(test_json_values_by_hand) {
    // x = [2 4], W = 0 (2x2), b = 0, y = [1 0], η = 0.1:
    //   z = [0 0], ŷ = σ(0) = [0.5 0.5], L = log 2 (each output loses log 2)
    //   ∂L/∂z = (ŷ − y)/2 = [-0.25 0.25]
    //   ∂L/∂W = ∂L/∂z xᵀ = [-0.5 -1; 0.5 1], ∂L/∂x = Wᵀ ∂L/∂z = [0 0], ∂L/∂b = [-0.25 0.25]
    //   W_new = 0 − 0.1·∂L/∂W = [0.05 0.1; -0.05 -0.1], b_new = [0.025 -0.025]
    //   z_new = [0.05·2 + 0.1·4 + 0.025, −(same)] = [0.525 -0.525]
    //   L_after = ½[−log σ(0.525) − log(1 − σ(−0.525))] = log(1 + e^−0.525)
    const char *args[] = {"--format", "json", "--x", "2 4", "--W", "0 0; 0 0", "--b", "0 0",
                          "--y", "1 0", "--lr", "0.1", NULL};
    ProcResult r = run_chapter("chapter3", args);
    // ∂L/∂x = Wᵀ∂L/∂z is exactly 0 here, and measured exactly (L − L(θ₀)).
    ck_assert_int_eq(r.status, 0);
    struct {
        const char *key;
        int n;
        double want[4];
    } cases[] = {
        {"z", 2, {0, 0}},
        {"yhat", 2, {0.5, 0.5}},
        {"loss", 1, {log(2.0)}},
        {"dL_dz", 2, {-0.25, 0.25}},
        {"dW", 4, {-0.5, -1, 0.5, 1}},
        {"dx", 2, {0, 0}},
        {"db", 2, {-0.25, 0.25}},
        {"W_new", 4, {0.05, 0.1, -0.05, -0.1}},
        {"b_new", 2, {0.025, -0.025}},
        {"loss_after", 1, {log1p(exp(-0.525))}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        double got[4];
        ck_assert_int_eq(json_numbers(r.out, cases[c].key, got, 4), cases[c].n);
        for (int k = 0; k < cases[c].n; k++)
            ck_assert_msg(fabs(got[k] - cases[c].want[k]) <= JSON_TOL, "%s[%d] = %.17g, want %.17g", cases[c].key, k,
                          got[k], cases[c].want[k]);
    }
    proc_free(&r);
}
END_TEST

START_TEST(test_answer_is_checked) {
    // ∂L/∂z = σ(0.5) − 1 = −1/(1 + e^0.5) = −0.37754066879...
    const char *right[] = {"--answer", "dL_dz=-0.3775407", NULL};
    ProcResult r = run_chapter("chapter3", right);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    // The article's eq. (1) value, ∂L/∂ŷ = −1/σ(0.5) = −1.6065, is not ∂L/∂z.
    const char *wrong[] = {"--answer", "dL_dz=-1.6065307", NULL};
    r = run_chapter("chapter3", wrong);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "WRONG"));
    proc_free(&r);
}
END_TEST

// ---------------------------------------------------------------- bugs

// Each bug and the check that must catch it (sections 3.2, 3.8, 3.9).
static const struct {
    const char *bug, *check;
} BUG_CASES[] = {
    {"no-sigmoid-derivative", "∂L/∂z"},
    {"no-mean", "∂L/∂z (n = 2)"},
    {"W-not-transposed", "∂L/∂x (square W)"},
    {"outer-product-swapped", "∂L/∂W (n = 2)"},
};
#define N_BUGS ((int)(sizeof BUG_CASES / sizeof *BUG_CASES))

START_TEST(test_bug_is_caught) {
    const char *args[] = {"--no-color", "--bug", BUG_CASES[_i].bug, NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(line_with(r.out, BUG_CASES[_i].check, "FAIL"), "--bug %s: check '%s' did not fail",
                  BUG_CASES[_i].bug, BUG_CASES[_i].check);
    ck_assert(line_with(r.out, "Result", "FAIL"));
    proc_free(&r);
}
END_TEST

START_TEST(test_bug_list_names_every_bug) {
    const char *args[] = {"--bug", "list", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    for (int k = 0; k < N_BUGS; k++) ck_assert_ptr_nonnull(strstr(r.out, BUG_CASES[k].bug));
    ck_assert_int_eq(count_lines(r.out), N_BUGS);
    proc_free(&r);
}
END_TEST

// ---------------------------------------------------------------- bad input

static const struct {
    const char *args[9];
    const char *expect[2]; // both must appear in the error line
} BAD_INPUT[] = {
    {{"--W", "0.1 0.2 0.3; 0.4 0.5 0.6"}, {"--W: shape 2x3", "x of length 2 (expected Nx2)"}},
    {{"--x", "1 2 3"}, {"--x: length 3", "1x2"}},
    {{"--x", "1 2 3", "--W", "1 2; 3 4"}, {"shape 2x2", "length 3"}},
    {{"--W", "1 2; 3 4", "--b", "1 2 3"}, {"--b: length 3", "2x2"}},
    {{"--W", "1 2; 3 4", "--y", "1"}, {"--y: length 1", "2x2"}},
    {{"--x", "1 2; 3 4"}, {"--x:", ""}},
    {{"--y", "1.5"}, {"--y:", "outside [0,1]"}},
    {{"--y", "-0.25"}, {"--y:", "outside [0,1]"}},
    {{"--lr", "inf"}, {"--lr:", ""}},
    {{"--lr", "nan"}, {"--lr:", ""}},
    {{"--lr", "0"}, {"--lr:", "positive"}},
    {{"--lr", "-0.1"}, {"--lr:", "positive"}},
    {{"--lr", "1e300", "--x", "1e9", "--W", "1e-8", "--y", "0"}, {"--lr:", "double precision"}},
};

START_TEST(test_bad_input_exits_2) {
    ProcResult r = run_chapter("chapter3", BAD_INPUT[_i].args);
    ck_assert_int_eq(r.status, 2);
    ck_assert_int_eq(r.out_len, 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_msg(strncmp(r.err, "error: ", 7) == 0, "stderr: %s", r.err);
    for (int k = 0; k < 2; k++)
        ck_assert_msg(strstr(r.err, BAD_INPUT[_i].expect[k]) != NULL, "case %d: '%s' not in: %s", _i,
                      BAD_INPUT[_i].expect[k], r.err);
    proc_free(&r);
}
END_TEST

// ---------------------------------------------------------------- LaTeX

START_TEST(test_latex_is_ascii_and_balanced) {
    const char *args[] = {"--format", "latex", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\\end{document}"));
    int depth = 0;
    char stack[32][32];
    int envs = 0;
    for (const char *p = r.out; *p; p++) {
        ck_assert_msg((unsigned char)*p < 0x80, "non-ASCII byte at offset %ld", (long)(p - r.out));
        // An untranslated symbol becomes '?', and this chapter prints none on purpose.
        ck_assert_msg(*p != '?', "'?' at offset %ld", (long)(p - r.out));
        if (*p == '\\' && (p[1] == '{' || p[1] == '}' || p[1] == '\\')) {
            p++;
            continue;
        }
        if (*p == '{') depth++;
        if (*p == '}') depth--;
        ck_assert_int_ge(depth, 0);
        char name[32];
        if (sscanf(p, "\\begin{%31[^}]}", name) == 1) {
            ck_assert_int_lt(envs, 32);
            strcpy(stack[envs++], name);
        } else if (sscanf(p, "\\end{%31[^}]}", name) == 1) {
            ck_assert_int_gt(envs, 0);
            ck_assert_str_eq(stack[--envs], name);
        }
    }
    ck_assert_int_eq(depth, 0);
    ck_assert_int_eq(envs, 0);
    // The chain from forward pass to update, as equations with the numbers.
    ck_assert_ptr_nonnull(strstr(r.out, "\\begin{align*}"));
    ck_assert_ptr_nonnull(strstr(r.out, "\\begin{bmatrix}"));
    ck_assert_ptr_nonnull(strstr(r.out, "W_{\\mathrm{new}}"));
    proc_free(&r);
}
END_TEST


// ---------------------------------------------------------------- issue 12: descent, scale

// η = 1 with y = 0.25 overshoots: L rises, which is information, never a
// failure. By hand: x = [29 35], so M = (29² + 35² + 1)/4 = 516.75 and
// 1/M = 0.00193517; η = 1 is 516.75 times that.
START_TEST(test_overshoot_is_not_a_failure) {
    const char *args[] = {"--no-color", "--y", "0.25", "--lr", "1", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "η = 1 overshoots: L rose from"));
    ck_assert_ptr_nonnull(strstr(r.out, "516.75 times 1/M = 0.00193517"));
    ck_assert_ptr_null(strstr(r.out, "FAIL"));
    proc_free(&r);
    // The default step is beyond 1/M, but it lowers L (0.474077 → 7.8e-35,
    // and L(θ − ηg) falls monotonically along the way for y = 1): it is
    // never called "far too large", and the fall is explained, not hailed.
    const char *dflt[] = {"--no-color", NULL};
    r = run_chapter("chapter3", dflt);
    char *flat = flat_text(r.out);
    ck_assert_ptr_nonnull(strstr(flat, "beyond the step guaranteed to lower L, yet this one lowered it"));
    ck_assert_ptr_null(strstr(flat, "far too large"));
    free(flat);
    ck_assert_ptr_null(strstr(r.out, "the loss fell"));
    proc_free(&r);
}
END_TEST

// x near 1e6: h·x moves z by order 1 for a fixed step; the bounded checker
// must still pass the right gradient and catch a wrong one.
START_TEST(test_large_inputs_pass) {
    const char *args[] = {"--no-color", "--x", "1e6 2e6", "--W", "1e-6 -0.4e-6", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.joined, "∂L/∂W: 2 compared"));
    proc_free(&r);
    const char *bug[] = {"--no-color", "--x", "1e6 2e6", "--W", "1e-6 -0.4e-6", "--bug", "no-sigmoid-derivative",
                         NULL};
    r = run_chapter("chapter3", bug);
    ck_assert_int_eq(r.status, 1);
    proc_free(&r);
}
END_TEST

// Every seed passes (the seed only picks samples of big checks).
START_TEST(test_seeds_pass) {
    for (int seed = 1; seed <= 100; seed++) {
        char s[16];
        snprintf(s, sizeof s, "%d", seed);
        const char *args[] = {"--seed", s, NULL};
        ProcResult r = run_chapter("chapter3", args);
        ck_assert_msg(r.status == 0, "--seed %d: status %d", seed, r.status);
        proc_free(&r);
    }
}
END_TEST

// --plot writes the loss along −g; its first row is the loss at η = 0.
START_TEST(test_plot_data) {
    char dir[] = "/tmp/chapter3-plot-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *args[] = {"--plot", dir, "--format", "json", NULL};
    ProcResult r = run_chapter("chapter3", args);
    ck_assert_int_eq(r.status, 0);
    char path[256], line[256];
    snprintf(path, sizeof path, "%s/chapter3_marks.dat", dir);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); // header
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    double eta, loss;
    ck_assert_int_eq(sscanf(line, "%lf %lf", &eta, &loss), 2);
    ck_assert_double_eq(eta, 0.0);
    ck_assert_double_eq_tol(loss, log1p(exp(-0.5)), 1e-15);
    fclose(f);
    remove(path);
    snprintf(path, sizeof path, "%s/chapter3_descent.dat", dir);
    ck_assert_int_eq(remove(path), 0);
    rmdir(dir);
    proc_free(&r);
}
END_TEST

// A 300×300 W (read with @file) is checked in full, quickly.
START_TEST(test_big_layer_is_checked) {
    char path[] = "/tmp/chapter3-W-XXXXXX", x[300 * 2 + 1], wfile[64];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 300; i++)
        for (int j = 0; j < 300; j++) fprintf(f, "%s%g", j ? " " : i ? "; " : "", 0.001 * ((i * 7 + j * 3) % 11 - 5));
    ck_assert_int_eq(fclose(f), 0);
    int at = 0;
    for (int j = 0; j < 300; j++) at += snprintf(x + at, sizeof x - (size_t)at, "%s1", j ? " " : "");
    snprintf(wfile, sizeof wfile, "@%s", path);
    const char *args[] = {"--no-color", "--x", x, "--W", wfile, NULL};
    ProcResult r = run_chapter("chapter3", args);
    remove(path);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.joined, "∂L/∂W: 90000 compared"));
    proc_free(&r);
}
END_TEST

// −10.95 for ∂L/∂W[0] = −10.9486794 is right to 3 significant digits: the
// chapter says it was typed too short instead of calling it a mistake; an
// answer off by a real slip (the sign) is still named as one.
START_TEST(test_under_precise_answer_is_told_apart) {
    const char *short_args[] = {"--no-color", "--answer", "dW=-10.95 -13.21", NULL};
    ProcResult r = run_chapter("chapter3", short_args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.joined, "agrees with the computed value to 3 significant"));
    proc_free(&r);
    const char *sign_args[] = {"--no-color", "--answer", "dW=10.9486794 13.2139234", NULL};
    r = run_chapter("chapter3", sign_args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_null(strstr(r.joined, "typed too short"));
    ck_assert_ptr_nonnull(strstr(r.joined, "sign"));
    proc_free(&r);
}
END_TEST

// ---------------------------------------------------------------- --formula (issue 17)

// The examples (and a few more), each as stated: holds or fails,
// with the mistake it names.
static const FormulaRun FORMULA_RUNS[] = {
    {"dW = outer((sigmoid(z) - y) / n, x)", true, NULL},
    {"dW = outer(yhat - y, x)", false, "no-mean"},
    {"dx = W' @ ((yhat - y) / n)", true, NULL},
    {"db = (yhat - y) / n", true, NULL},
    {"dx = W @ ((yhat - y) / n)", false, NULL},
};

START_TEST(test_formula_runs) { assert_formula_run("chapter3", &FORMULA_RUNS[_i]); }
END_TEST

START_TEST(test_formula_bad_expression) { assert_formula_refused("chapter3", "dW = outer(yhat - y x)", "column 21: expected ',' or ')'"); }
END_TEST

START_TEST(test_formula_list) {
    static const char *const names[] = {"x", "W", "b", "y", "z", "yhat", "n", "m", "dW", "dx", "db", "dL_dz"};
    assert_formula_list("chapter3", names, ARRAY_LEN(names));
}
END_TEST

Suite *make_chapter3_suite(void) {
    Suite *s = suite_create("chapter3");
    TCase *tc = tcase_create("chapter3");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_default_passes_and_loss_falls);
    tcase_add_test(tc, test_json_keys_are_exactly_the_documented_ones);
    tcase_add_test(tc, test_json_values_by_hand);
    tcase_add_test(tc, test_answer_is_checked);
    tcase_add_test(tc, test_under_precise_answer_is_told_apart);
    tcase_add_loop_test(tc, test_bug_is_caught, 0, N_BUGS);
    tcase_add_test(tc, test_bug_list_names_every_bug);
    tcase_add_loop_test(tc, test_bad_input_exits_2, 0, (int)(sizeof BAD_INPUT / sizeof *BAD_INPUT));
    tcase_add_test(tc, test_latex_is_ascii_and_balanced);
    tcase_add_test(tc, test_overshoot_is_not_a_failure);
    tcase_add_test(tc, test_large_inputs_pass);
    tcase_add_test(tc, test_seeds_pass);
    tcase_add_test(tc, test_plot_data);
    tcase_add_test(tc, test_big_layer_is_checked);
    suite_add_tcase(s, tc);
    TCase *formula = tcase_create("formula");
    tcase_set_timeout(formula, 60);
    tcase_add_loop_test(formula, test_formula_runs, 0, ARRAY_LEN(FORMULA_RUNS));
    tcase_add_test(formula, test_formula_bad_expression);
    tcase_add_test(formula, test_formula_list);
    suite_add_tcase(s, formula);
    return s;
}
