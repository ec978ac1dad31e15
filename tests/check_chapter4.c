// Chapter 4 as a user runs it (build/chapter4 in a separate process, see
// tests/proc.h): the article's pooling example first, the JSON contract with
// values worked out by hand, each --bug caught on the example that exposes
// it (and the overwrite bug passing where windows do not overlap), the three
// tie rules, kinks skipped rather than failed, and every input error.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "proc.h"

// Numbers read back from JSON are the program's doubles printed to round
// trip; hand formulas evaluated here with exp() agree to a few ulps.
#define HAND_REL_TOL 1e-12

static ProcResult run(const char *a0, const char *a1, const char *a2, const char *a3, const char *a4,
                      const char *a5) {
    const char *args[] = {a0, a1, a2, a3, a4, a5, NULL};
    return run_chapter("chapter4", args);
}

// Reads every number of the JSON value under "key" (a number or nested
// arrays) into v; returns how many, or -1 if the key is missing.
static int json_numbers(const char *json, const char *key, double *v, int max) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\": ", key);
    const char *p = strstr(json, pattern);
    if (!p) return -1;
    p += strlen(pattern);
    int n = 0, depth = 0;
    do {
        if (*p == '[') {
            depth++;
            p++;
        } else if (*p == ']') {
            depth--;
            p++;
        } else if (*p == '-' || (*p >= '0' && *p <= '9')) {
            char *end;
            double d = strtod(p, &end);
            if (n < max) v[n] = d;
            n++;
            p = end;
        } else if (*p == '\0') {
            return -1;
        } else {
            p++;
        }
    } while (depth > 0);
    return n;
}

static void assert_numbers(const char *json, const char *key, const double *want, int n) {
    double got[64];
    int m = json_numbers(json, key, got, 64);
    ck_assert_msg(m == n, "key %s: %d numbers, expected %d", key, m, n);
    for (int k = 0; k < n; k++)
        ck_assert_msg(fabs(got[k] - want[k]) <= HAND_REL_TOL * fmax(1.0, fabs(want[k])),
                      "%s[%d] = %.17g, expected %.17g", key, k, got[k], want[k]);
}

// The JSON check object named name: returns its "passed" value (-1 if absent).
static int check_passed(const char *json, const char *name) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "{\"name\": \"%s\"", name);
    const char *p = strstr(json, pattern);
    if (!p) return -1;
    const char *passed = strstr(p, "\"passed\": ");
    const char *close = strchr(p, '}');
    if (!passed || passed > close) return -1;
    return strncmp(passed + 10, "true", 4) == 0;
}

// The text verdict line starting with name ends with PASS (1) or FAIL (0).
static int verdict(const char *out, const char *name) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "\n%s: ", name);
    const char *p = strstr(out, pattern);
    if (!p) return -1;
    const char *nl = strchr(p + 1, '\n');
    if (nl - p > 6 && strncmp(nl - 6, ": PASS", 6) == 0) return 1;
    if (nl - p > 6 && strncmp(nl - 6, ": FAIL", 6) == 0) return 0;
    return -1;
}

// ---------------------------------------------------------------- the default run

// The article: [23 14 25; 27 29 35], 2x2, stride 1 →
//   max(23, 14, 27, 29) = 29, max(14, 25, 29, 35) = 35.
START_TEST(test_default_prints_article_example_first) {
    ProcResult p = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_str_eq(p.err, "");
    const char *pooled = strstr(p.out, "Y = maxpool(X) = [ 29 35 ]\n");
    ck_assert_ptr_nonnull(pooled);
    // It comes before every other section: the first heading is 4.1 and
    // the flatten section follows the pooled result.
    ck_assert_ptr_nonnull(strstr(p.out, "4.1 Max pooling"));
    ck_assert(strstr(p.out, "4.1 Max pooling") < pooled);
    ck_assert(pooled < strstr(p.out, "4.2 Flatten"));
    ck_assert_ptr_nonnull(strstr(p.out, "window (0,0): max(23, 14, 27, 29) = 29 at X[1,1]\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "window (0,1): max(14, 25, 29, 35) = 35 at X[1,2]\n"));
    // Then flatten, mask, routed gradient, overlap, ties, kinks, in order.
    const char *order[] = {"4.2 Flatten",  "F = flatten(M) = [  1  3  5 -4  0 -3  5  7 -9 ]", "4.4 The backward",
                           "Σ_k δ_k =",    "∂L/∂X =",  "4.5 Overlapping", "4.6 Ties", "4.7 Near-ties", "4.8 Average", "Result"};
    const char *at = pooled;
    for (int k = 0; k < ARRAY_LEN(order); k++) {
        const char *next = strstr(at, order[k]);
        ck_assert_msg(next != NULL, "'%s' missing or out of order", order[k]);
        at = next;
    }
    ck_assert_ptr_null(strstr(p.out, "FAIL"));
    ck_assert_ptr_nonnull(strstr(p.out, "Result: all 9 checks passed: PASS\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "Erratum"));
    proc_free(&p);
}
END_TEST

START_TEST(test_output_repeatable) {
    ProcResult a = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ProcResult b = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ck_assert_uint_eq(a.out_len, b.out_len);
    ck_assert(memcmp(a.out, b.out, a.out_len) == 0);
    proc_free(&a);
    proc_free(&b);
}
END_TEST

// ---------------------------------------------------------------- JSON

START_TEST(test_json_contract) {
    ProcResult p = run("--format", "json", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_msg(jsonlint_is_one_object(p.out), "not one JSON object:\n%s", p.out);
    static const char *const keys[] = {"input", "window", "stride", "pooled", "upstream",
                                       "mask",  "dX",     "flattened", "checks"};
    for (int k = 0; k < ARRAY_LEN(keys); k++) {
        char pattern[64];
        snprintf(pattern, sizeof pattern, "\n  \"%s\": ", keys[k]);
        ck_assert_msg(strstr(p.out, pattern) != NULL, "key %s missing", keys[k]);
    }
    const double input[] = {23, 14, 25, 27, 29, 35}, window[] = {2, 2}, stride[] = {1}, pooled[] = {29, 35};
    assert_numbers(p.out, "input", input, 6);
    assert_numbers(p.out, "window", window, 2);
    assert_numbers(p.out, "stride", stride, 1);
    assert_numbers(p.out, "pooled", pooled, 2);
    assert_numbers(p.out, "flattened", pooled, 2); // a 1x2 matrix flattens to itself
    // The article's 3x3 flatten example, row by row.
    const double flat[] = {1, 3, 5, -4, 0, -3, 5, 7, -9};
    assert_numbers(p.out, "flatten_example", flat, 9);
    // The mask: 29 at (1,1) and 35 at (1,2) each win one window.
    const double mask[] = {0, 0, 0, 0, 1, 1};
    assert_numbers(p.out, "mask", mask, 6);
    // Chapter 3's dense layer: z = 0.05·29 − 0.03·35 + 0.1 = 1.45 − 1.05 + 0.1 = 0.5,
    // dL/dz = σ(0.5) − 1, dL/dF = [0.05, −0.03]·dL/dz; the 29 and the 35 get it.
    double dz = 1.0 / (1.0 + exp(-0.5)) - 1.0;
    const double z[] = {0.5}, dl_dz[] = {dz};
    assert_numbers(p.out, "z", z, 1);
    assert_numbers(p.out, "dL_dz", dl_dz, 1);
    const double upstream[] = {0.05 * dz, -0.03 * dz};
    assert_numbers(p.out, "upstream", upstream, 2);
    const double dx[] = {0, 0, 0, 0, 0.05 * dz, -0.03 * dz};
    assert_numbers(p.out, "dX", dx, 6);
    // The overlap example: the 9 receives 3 + 5 = 8.
    const double overlap[] = {0, 0, 0, 0, 8, 0};
    assert_numbers(p.out, "overlap_dX", overlap, 6);
    ck_assert_ptr_null(strstr(p.out, "\"passed\": false"));
    proc_free(&p);
}
END_TEST

// ---------------------------------------------------------------- bugs

START_TEST(test_bug_overwrite_caught_by_overlap_only) {
    ProcResult p = run("--bug", "overwrite", "--no-color", NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 1);
    // The article's own windows never pick one cell twice: this check passes ...
    ck_assert_int_eq(verdict(p.out, "∂L/∂X of max pooling"), 1);
    // ... the overlap example fails at the 9: 5 (the last window's) instead of 8,
    // rel = |5 − 8| / (5 + 8) = 0.23 ...
    ck_assert_int_eq(verdict(p.out, "∂L/∂X with overlapping windows"), 0);
    ck_assert_ptr_nonnull(strstr(p.out, "  (1,1)  5         8 "));
    ck_assert_ptr_nonnull(strstr(p.out, "max rel error 3.8e-01 at (1,1)"));
    // ... and with stride 2 the same bug passes: that is what weak tests see.
    ck_assert_int_eq(verdict(p.out, "∂L/∂X with non-overlapping windows"), 1);
    ck_assert_ptr_nonnull(strstr(p.out, "1 of 9 checks FAILED"));
    proc_free(&p);
}
END_TEST

// A user's non-overlapping input (stride defaults to the window size) with
// the overwrite bug: the main check passes, only 4.5's overlap example fails.
START_TEST(test_bug_overwrite_passes_with_stride_2) {
    const char *args[] = {"--input", "1 2 1 1; 1 9 1 4", "--window", "2", "--upstream", "3 5",
                          "--bug",   "overwrite",        "--format", "json", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 1);
    const double stride[] = {2}, dx[] = {0, 0, 0, 0, 0, 3, 0, 5};
    assert_numbers(p.out, "stride", stride, 1);
    assert_numbers(p.out, "dX", dx, 8);
    ck_assert_int_eq(check_passed(p.out, "∂L/∂X of max pooling"), 1);
    ck_assert_int_eq(check_passed(p.out, "∂L/∂X with overlapping windows"), 0);
    proc_free(&p);
}
END_TEST

// all-cells: every cell of a window gets G_k. On the default, with G = [g0 g1]:
//   (0,0): g0, (0,1): g0 + g1, (0,2): g1, (1,0): g0, (1,1): g0 + g1, (1,2): g1
// average: the same divided by 4. Both differ from [0 0 0; 0 g0 g1].
typedef struct {
    const char *bug;
    double scale;
} CellsBug;

static const CellsBug CELLS_BUGS[] = {{"all-cells", 1.0}, {"average", 0.25}};

START_TEST(test_bug_cells_caught_on_default) {
    const CellsBug *b = &CELLS_BUGS[_i];
    ProcResult p = run("--bug", b->bug, "--format", "json", NULL, NULL);
    ck_assert_int_eq(p.status, 1);
    double dz = 1.0 / (1.0 + exp(-0.5)) - 1.0, g0 = 0.05 * dz, g1 = -0.03 * dz, c = b->scale;
    const double dx[] = {c * g0, c * (g0 + g1), c * g1, c * g0, c * (g0 + g1), c * g1};
    assert_numbers(p.out, "dX", dx, 6);
    ck_assert_int_eq(check_passed(p.out, "∂L/∂X of max pooling"), 0);
    proc_free(&p);
    ProcResult t = run("--bug", b->bug, "--no-color", NULL, NULL, NULL);
    ck_assert_int_eq(t.status, 1);
    ck_assert_int_eq(verdict(t.out, "∂L/∂X of max pooling"), 0);
    proc_free(&t);
}
END_TEST

START_TEST(test_bug_list) {
    ProcResult p = run("--bug", "list", NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.out, "overwrite"));
    ck_assert_ptr_nonnull(strstr(p.out, "all-cells"));
    ck_assert_ptr_nonnull(strstr(p.out, "average"));
    proc_free(&p);
}
END_TEST

// ---------------------------------------------------------------- ties

// X = [4 4 1; 2 0 3], 2x2, stride 1, G = [3 5]. Window (0,0) has 4 twice,
// window (0,1) = {4, 1, 0, 3} picks X[0,1] alone (it gets 5 under every rule).
//   first: X[0,0] 3,          X[0,1] 5          sum 8   (a subgradient)
//   split: X[0,0] 1.5,        X[0,1] 1.5 + 5    sum 8   (a subgradient)
//   all:   X[0,0] 3,          X[0,1] 3 + 5      sum 11  (over-counts)
// Raising both 4s by t raises both windows by t: dL/dt = 3 + 5 = 8.
typedef struct {
    const char *rule;
    double d00, d01;
    int status;
} TieRule;

static const TieRule TIE_RULES[] = {{"first", 3, 5, 0}, {"split", 1.5, 6.5, 0}, {"all", 3, 8, 1}};

START_TEST(test_tie_rules) {
    const TieRule *t = &TIE_RULES[_i];
    ProcResult p = run("--ties", t->rule, "--format", "json", NULL, NULL);
    ck_assert_int_eq(p.status, t->status);
    const double dx[] = {t->d00, t->d01, 0, 0, 0, 0};
    assert_numbers(p.out, "tie_dX", dx, 6);
    ck_assert_int_eq(check_passed(p.out, "dL/dt, both tied cells raised together"), t->status == 0);
    // The tied cells are skipped, so the cell-by-cell check passes for every rule.
    ck_assert_int_eq(check_passed(p.out, "∂L/∂X at a tie"), 1);
    char want[64];
    snprintf(want, sizeof want, "\"ties\": \"%s\"", t->rule);
    ck_assert_ptr_nonnull(strstr(p.out, want));
    proc_free(&p);
}
END_TEST

// The one-sided derivatives at X[0,0]: raising it makes it the only maximum
// of window (0,0) (right derivative 3), lowering it hands the maximum to
// X[0,1] (left derivative 0), the central difference is their mean 1.5.
// At X[0,1]: right 3 + 5 = 8, left 5 (window (0,1) still follows it down), mean 6.5.
START_TEST(test_tie_text_states_rule_and_derivatives) {
    ProcResult p = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ck_assert_ptr_nonnull(strstr(p.out, "FIRST maximum in row-major order"));
    ck_assert_ptr_nonnull(strstr(p.out, "PyTorch"));
    ck_assert_ptr_nonnull(strstr(p.out, "  X[0,0]  4  3      3    1.5    3             0            1.5\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "  X[0,1]  4  5      8    6.5    8             5            6.5\n"));
    ck_assert_ptr_nonnull(strstr(p.out, "NOT a subgradient"));
    proc_free(&p);
}
END_TEST

// ---------------------------------------------------------------- kinks

START_TEST(test_kink_skipped_not_failed) {
    ProcResult p = run("--no-color", NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    // 0.0290005 − 0.029 = 5e-7: a near-tie, compared like any cell. With
    // h = 1e-6 the quotient of X[1,2] is (3·(-5e-7+...)...) 3.75; with 1e-7, 5.
    ck_assert_ptr_nonnull(strstr(p.out, "the quotient with h = 1e-6 is 3.75"));
    ck_assert_ptr_nonnull(strstr(p.out, "With h = 1e-7, below the gap, it\nis 5."));
    ck_assert_int_eq(verdict(p.out, "∂L/∂X next to a near-tie"), 1);
    ck_assert_ptr_null(strstr(p.out, "FAIL"));
    proc_free(&p);
}
END_TEST

// User inputs at or near a tie: only an exact tie is skipped, and the run
// passes. "1 1.0000001; 0 0": a near-tie (gap 1e-7), compared. "5 5; 1 2":
// an exact tie. "1 1.00001; 0 0": gap 1e-5, compared.
typedef struct {
    const char *input;
    int kinks;
} KinkInput;

static const KinkInput KINK_INPUTS[] = {{"1 1.0000001; 0 0", 0}, {"5 5; 1 2", 1}, {"1 1.00001; 0 0", 0}, {"5 4.999999; 4.999998 1", 0}};

START_TEST(test_kink_user_input) {
    const KinkInput *k = &KINK_INPUTS[_i];
    const char *args[] = {"--input", k->input, "--upstream", "2", "--no-color", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 0);
    const char *main_check = strstr(p.out, "4.4 The backward");
    const char *end = strstr(p.out, "4.5 Overlapping");
    ck_assert_ptr_nonnull(main_check);
    const char *skip = strstr(main_check, "not differentiable here (a tie)");
    ck_assert_int_eq(skip != NULL && skip < end, k->kinks);
    ck_assert_int_eq(verdict(p.out, "∂L/∂X of max pooling"), 1);
    proc_free(&p);
}
END_TEST

// Issue 32: along X + t the check must count the rounding of X + t itself.
// At 3e5 a step of ~1e-3 moves each cell by one rounding of 3e5 (5.8e-11),
// and a loss measured from its baseline hides that in its scale: today's
// bound left it out and FAILed a correct gradient (analytic 1, numerical
// 1.00001). At 1e300 a step not scaled with X leaves X + t equal to X
// (numerical 0). Issue 29: [2 0 0], window 1x2, stride 1, upstream (1, −1):
// Σ ∂L/∂X is exactly 0, and the X + t check FAILed at −8.3e-12 against 5.9e-15.
// None of these may FAIL; the first and third PASS outright, the second may
// be inconclusive or refused (X·(1 + t) overflows) but never FAIL.
START_TEST(test_tie_free_directions_count_placement_rounding) {
    const char *a3e5[] = {"--input", "3e5 3e5; 1 2", "--no-color", NULL};
    ProcResult p = run_chapter("chapter4", a3e5);
    ck_assert_int_eq(p.status, 0);
    ck_assert_int_eq(verdict(p.out, "∂L/∂X of max pooling along X + t and X·(1 + t)"), 1);
    proc_free(&p);
    const char *a1e300[] = {"--input", "1e300 1e300; 1e300 1e300", "--no-color", NULL};
    p = run_chapter("chapter4", a1e300);
    // Exit 2 is the documented refusal of an input whose computation
    // overflows double precision: one error line, nothing on stdout.
    ck_assert_msg(p.status == 0 || p.status == 2 || p.status == 3, "exit %d", p.status);
    ck_assert_ptr_null(strstr(p.out, "FAIL"));
    proc_free(&p);
    const char *a200[] = {"--input", "2 0 0", "--window", "1x2", "--stride", "1", "--upstream", "1 -1",
                          "--no-color", NULL};
    p = run_chapter("chapter4", a200);
    ck_assert_int_eq(p.status, 0);
    ck_assert_int_eq(verdict(p.out, "∂L/∂X of max pooling along X + t and X·(1 + t)"), 1);
    proc_free(&p);
}
END_TEST

// Issue 32: a 1024x1024 map under a 512x512 window at stride 1 is 6.9e10
// comparisons per pass and ran for about half an hour with nothing printed.
// The work is now capped before anything is computed: a 200x200 map under a
// 101x101 window at stride 1 is 100² windows × 101² cells = 1.0201e8
// comparisons, above the cap of 1e8, and is refused with one --window line.
// Stride 2 (50² windows) brings it back under the cap.
static char *zero_map(int side) {
    char *m = malloc((size_t)side * side * 2 + 1), *w = m;
    ck_assert_ptr_nonnull(m);
    for (int i = 0; i < side; i++)
        for (int j = 0; j < side; j++) *w++ = '0', *w++ = j + 1 < side ? ' ' : ';';
    w[-1] = '\0';
    return m;
}

START_TEST(test_pooling_work_is_capped) {
    char *map = zero_map(200);
    const char *over[] = {"--input", map, "--window", "101", "--stride", "1", NULL};
    ProcResult p = run_chapter("chapter4", over);
    assert_usage_error(&p, "--window: a 101x101 window at stride 1 over a 200x200 map is 1.0e+08 comparisons");
    proc_free(&p);
    const char *strided[] = {"--input", map, "--window", "101", "--stride", "2", "--section", "4.1", NULL};
    p = run_chapter("chapter4", strided);
    ck_assert_msg(p.status != 2, "stride 2 refused: %s", p.err);
    proc_free(&p);
    free(map);
}
END_TEST

// ---------------------------------------------------------------- options

// --input without --stride: the stride is the window size.
//   X = [1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16], 2x2, stride 2:
//   {1,2,5,6} → 6, {3,4,7,8} → 8, {9,10,13,14} → 14, {11,12,15,16} → 16
START_TEST(test_stride_defaults_to_window_with_input) {
    const char *args[] = {"--input", "1 2 3 4; 5 6 7 8; 9 10 11 12; 13 14 15 16", "--window", "2",
                          "--upstream", "1 2; 3 4", "--format", "json", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 0);
    const double stride[] = {2}, pooled[] = {6, 8, 14, 16}, flat[] = {6, 8, 14, 16};
    assert_numbers(p.out, "stride", stride, 1);
    assert_numbers(p.out, "pooled", pooled, 4);
    assert_numbers(p.out, "flattened", flat, 4);
    // 6 at (1,1) = 5, 8 at (1,3) = 7, 14 at (3,1) = 13, 16 at (3,3) = 15.
    const double dx[] = {0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4};
    assert_numbers(p.out, "dX", dx, 16);
    proc_free(&p);
    ProcResult h = run("--help", NULL, NULL, NULL, NULL, NULL);
    ck_assert_int_eq(h.status, 0);
    ck_assert_ptr_nonnull(strstr(h.out, "--stride defaults to the window size when --input is given"));
    proc_free(&h);
}
END_TEST

// A flat vector upstream is reshaped to the pooled shape, row by row: the
// reshape layer of the backward pass. 3x3, 2x2, stride 1 → 2x2 windows:
//   {1,2,4,5} → 5 at (1,1), {2,3,5,6} → 6 at (1,2), {4,5,7,8} → 8 at (2,1), {5,6,8,9} → 9 at (2,2)
START_TEST(test_upstream_vector_reshaped) {
    const char *args[] = {"--input", "1 2 3; 4 5 6; 7 8 9", "--window", "2x2", "--stride", "1",
                          "--upstream", "1 2 3 4", "--format", "json", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 0);
    const double g[] = {1, 2, 3, 4}, dx[] = {0, 0, 0, 0, 1, 2, 0, 3, 4};
    assert_numbers(p.out, "upstream", g, 4);
    assert_numbers(p.out, "dX", dx, 9);
    proc_free(&p);
}
END_TEST

START_TEST(test_plot_data) {
    char dir[] = "/tmp/check_chapter4_XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char sub[64];
    snprintf(sub, sizeof sub, "%s/data", dir);
    ProcResult p = run("--plot", sub, "--format", "json", NULL, NULL);
    ck_assert_int_eq(p.status, 0);
    char path[128], line[256];
    snprintf(path, sizeof path, "%s/chapter4_overlap.dat", sub);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    bool found = false;
    // column 1, row 1: x = 9, picked by 2 windows, gradient 3 + 5 = 8.
    while (fgets(line, sizeof line, f)) found |= strcmp(line, "1 1 9 2 8\n") == 0;
    fclose(f);
    ck_assert(found);
    unlink(path);
    snprintf(path, sizeof path, "%s/chapter4_main.dat", sub);
    ck_assert_int_eq(access(path, R_OK), 0);
    unlink(path);
    rmdir(sub);
    rmdir(dir);
    proc_free(&p);
}
END_TEST

START_TEST(test_latex_ascii_only) {
    static const char *const extra[] = {NULL, "--bug=overwrite", "--ties=all", "--bug=average"};
    for (int k = 0; k < ARRAY_LEN(extra); k++) {
        ProcResult p = run("--format", "latex", extra[k], NULL, NULL, NULL);
        for (size_t i = 0; i < p.out_len; i++)
            ck_assert_msg((unsigned char)p.out[i] < 0x80, "non-ASCII byte at %zu", i);
        ck_assert_msg(strchr(p.out, '?') == NULL, "a '?' substitution in:\n%s", strchr(p.out, '?'));
        ck_assert_ptr_nonnull(strstr(p.out, "\\documentclass"));
        ck_assert_ptr_nonnull(strstr(p.out, "\\end{document}\n"));
        int begins = 0, ends = 0;
        for (const char *q = p.out; (q = strstr(q, "\\begin{")); q++) begins++;
        for (const char *q = p.out; (q = strstr(q, "\\end{")); q++) ends++;
        ck_assert_int_eq(begins, ends);
        proc_free(&p);
    }
}
END_TEST

// --answer: the overlap example's gradient by hand, [0 0 0; 0 3+5 0], is
// accepted; the overwriting answer (only the 5) is marked wrong.
START_TEST(test_answer_overlap) {
    ProcResult good = run("--answer", "overlap_dX=0 0 0; 0 8 0", "--no-color", NULL, NULL, NULL);
    ck_assert_int_eq(good.status, 0);
    ProcResult bad = run("--answer", "overlap_dX=0 0 0; 0 5 0", "--no-color", NULL, NULL, NULL);
    ck_assert_int_eq(bad.status, 1);
    proc_free(&good);
    proc_free(&bad);
}
END_TEST

// ---------------------------------------------------------------- input errors

typedef struct {
    const char *args[7];
    const char *message; // a part of the one stderr line
} BadInput;

static const BadInput BAD[] = {
    {{"--window", "3"}, "error: --window: a 3x3 window does not fit the 2x3 input"},
    {{"--window", "1x4"}, "error: --window: a 1x4 window does not fit the 2x3 input"},
    {{"--input", "1 2; 3 4", "--window", "3x1"}, "error: --window: a 3x1 window does not fit the 2x2 input"},
    {{"--window", "0"}, "error: --window: '0' is out of range"},
    {{"--window", "2x0"}, "error: --window: '0' is out of range"},
    {{"--window", "x2"}, "error: --window: "},
    {{"--stride", "0"}, "error: --stride: '0' is out of range"},
    {{"--stride", "-1"}, "error: --stride: "},
    {{"--upstream", "1 2 3"}, "error: --upstream: shape 1x3 does not match the pooled output, which is 1x2"},
    {{"--upstream", "1; 2"}, "error: --upstream: shape 2x1 does not match the pooled output, which is 1x2"},
    {{"--input", "1 2 3; 4 5 6; 7 8 9", "--stride", "1", "--upstream", "1 2 3"},
     "error: --upstream: shape 1x3 does not match the pooled output, which is 2x2 (or a flat 1x4 vector)"},
    {{"--upstream", "1 nan"}, "error: --upstream: "},
    {{"--input", "1 2; 3"}, "error: --input: "},
    {{"--ties", "last"}, "error: --ties: "},
    {{"--bug", "nope"}, "error: --bug: "},
    {{"--plot", "/proc/no/such/dir"}, "error: --plot: cannot write"},
};

START_TEST(test_bad_input) {
    const BadInput *b = &BAD[_i];
    ProcResult p = run_chapter("chapter4", b->args);
    ck_assert_msg(p.status == 2, "status %d for %s", p.status, b->message);
    ck_assert_msg(p.out_len == 0, "stdout not empty:\n%s", p.out);
    ck_assert_int_eq(count_lines(p.err), 1);
    ck_assert_msg(strstr(p.err, b->message) == p.err, "stderr '%s' does not start '%s'", p.err, b->message);
    proc_free(&p);
}
END_TEST


// ---------------------------------------------------------------- issue 12 and 14 cases

// The input: 11 of 16 cells are at exact ties (windows with 3, 3, 2
// and 3 tied maxima), the other 5 are not maxima (gradient 0). The check
// says exactly that, and the tie-free directions check every cell:
// Σ ∂L/∂X = ΣG = 10, Σ ∂L/∂X∘X = Σ G·Y = 1·1 + 2·2 + 3·3 + 4·1 = 18.
START_TEST(test_ties_say_what_was_compared) {
    const char *args[] = {"--no-color", "--input", "1 1 0 2; 1 0 2 2; 3 1 1 1; 0 3 1 0", "--window", "2",
                          "--stride", "2", "--upstream", "1 2; 3 4", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.joined, "∂L/∂X of max pooling: 5 compared, 11 skipped (not differentiable here "));
    ck_assert_ptr_nonnull(strstr(p.out, "  [0]    10 "));
    ck_assert_ptr_nonnull(strstr(p.out, "  [1]    18 "));
    proc_free(&p);
    // With --ties all the directions catch the over-count (Σ ∂L/∂X = 27, not 10).
    const char *all[] = {"--no-color", "--input", "1 1 0 2; 1 0 2 2; 3 1 1 1; 0 3 1 0", "--window", "2",
                         "--stride", "2", "--upstream", "1 2; 3 4", "--ties", "all", NULL};
    p = run_chapter("chapter4", all);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
}
END_TEST

// Near-ties have unique maxima: compared, and passed.
START_TEST(test_near_tie_compared) {
    const char *args[] = {"--no-color", "--input", "5 4.999999; 4.999998 1", NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.joined, "∂L/∂X of max pooling: 4 compared; "));
    proc_free(&p);
}
END_TEST

// Valid big inputs run; a too-big one names the option and the limit.
START_TEST(test_big_inputs) {
    char path[] = "/tmp/chapter4-X-XXXXXX", arg[64];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 130; i++)
        for (int j = 0; j < 130; j++) fprintf(f, "%s%d", j ? " " : i ? "; " : "", (i * 31 + j * 17) % 101);
    ck_assert_int_eq(fclose(f), 0);
    snprintf(arg, sizeof arg, "@%s", path);
    const char *args[] = {"--input", arg, NULL};
    ProcResult p = run_chapter("chapter4", args);
    ck_assert_msg(p.status == 0, "status %d: %s", p.status, p.err);
    proc_free(&p);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4096; j++) fprintf(f, "%s%d", j ? " " : i ? "; " : "", (i * 31 + j * 17) % 101);
    ck_assert_int_eq(fclose(f), 0);
    const char *wide[] = {"--input", arg, "--window", "1", NULL};
    p = run_chapter("chapter4", wide);
    ck_assert_msg(p.status == 0, "status %d: %s", p.status, p.err);
    proc_free(&p);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 1100; i++)
        for (int j = 0; j < 1000; j++) fputs(j ? " 1" : i ? "; 1" : "1", f);
    ck_assert_int_eq(fclose(f), 0);
    p = run_chapter("chapter4", args);
    assert_usage_error(&p, "up to 1048576");
    proc_free(&p);
    remove(path);
}
END_TEST

// Every seed passes on an input whose G is seeded.
START_TEST(test_seeds_pass) {
    for (int seed = 1; seed <= 100; seed++) {
        char s[16];
        snprintf(s, sizeof s, "%d", seed);
        ProcResult p = run("--seed", s, "--input", "1 2 3 4; 5 6 7 8; 9 1 2 3; 4 5 6 7", NULL, NULL);
        ck_assert_msg(p.status == 0, "--seed %d: status %d", seed, p.status);
        proc_free(&p);
        p = run("--seed", s, NULL, NULL, NULL, NULL);
        ck_assert_msg(p.status == 0, "--seed %d (default): status %d", seed, p.status);
        proc_free(&p);
    }
}
END_TEST

Suite *make_chapter4_suite(void) {
    Suite *s = suite_create("chapter4");
    TCase *t = tcase_create("chapter4");
    tcase_set_timeout(t, 60);
    tcase_add_test(t, test_default_prints_article_example_first);
    tcase_add_test(t, test_output_repeatable);
    tcase_add_test(t, test_json_contract);
    tcase_add_test(t, test_bug_overwrite_caught_by_overlap_only);
    tcase_add_test(t, test_bug_overwrite_passes_with_stride_2);
    tcase_add_loop_test(t, test_bug_cells_caught_on_default, 0, ARRAY_LEN(CELLS_BUGS));
    tcase_add_test(t, test_bug_list);
    tcase_add_loop_test(t, test_tie_rules, 0, ARRAY_LEN(TIE_RULES));
    tcase_add_test(t, test_tie_text_states_rule_and_derivatives);
    tcase_add_test(t, test_kink_skipped_not_failed);
    tcase_add_loop_test(t, test_kink_user_input, 0, ARRAY_LEN(KINK_INPUTS));
    tcase_add_test(t, test_stride_defaults_to_window_with_input);
    tcase_add_test(t, test_upstream_vector_reshaped);
    tcase_add_test(t, test_plot_data);
    tcase_add_test(t, test_latex_ascii_only);
    tcase_add_test(t, test_answer_overlap);
    tcase_add_loop_test(t, test_bad_input, 0, ARRAY_LEN(BAD));
    tcase_add_test(t, test_ties_say_what_was_compared);
    tcase_add_test(t, test_near_tie_compared);
    tcase_add_test(t, test_big_inputs);
    tcase_add_test(t, test_seeds_pass);
    tcase_add_test(t, test_tie_free_directions_count_placement_rounding);
    tcase_add_test(t, test_pooling_work_is_capped);
    suite_add_tcase(s, t);
    return s;
}
