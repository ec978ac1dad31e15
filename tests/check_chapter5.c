// Chapter 5 as a user runs it: exit statuses, the checks it prints, its JSON,
// each --bug caught, and each bad input refused with one error line.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "jsonlint.h"
#include "formula_runs.h"
#include "proc.h"

static int count_occurrences(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

START_TEST(test_default_passes) {
    const char *args[] = {"--no-color", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_uint_eq(r.err_len, 0);
    ck_assert_ptr_null(strstr(r.out, "FAIL"));
    // 3 + 3 + 3 gradient checks (5.2–5.4, 5.7, 5.8), the forms, the
    // leftover row, the sweep and its forms: 13 checks.
    ck_assert_int_eq(count_occurrences(r.out, ": PASS"), 14); // 13 and the result line
    ck_assert_ptr_nonnull(strstr(r.joined, "∂L/∂X, ∂L/∂K, ∂L/∂b in all 72 configurations: 3112 of 3112 compared"));
    // One row per sweep case.
    ck_assert_int_eq(count_occurrences(r.out, "  pass\n"), 72);
    ck_assert_ptr_nonnull(strstr(r.out, "the loss fell: η = 0.1"));
    ck_assert_ptr_nonnull(strstr(r.out, "scatter = full convolution = Cᵀ·vec(∂L/∂Y): "));
    ck_assert_int_eq(count_occurrences(r.out, "Erratum"), 3);
    // The output-size line with the running example's numbers.
    ck_assert_ptr_nonnull(strstr(r.out, "H_out = ⌊(3 + 2·0 − 1·(2−1) − 1)/1⌋ + 1 = ⌊1/1⌋ + 1 = 2"));
    proc_free(&r);
}
END_TEST

// A seeded random run (a 3x3 input gives a 2x2 Y: ∂L/∂Y is seeded, and so
// are 5.7, 5.8 and the sweep) is byte-identical run after run, and another
// seed changes it: the randomness is seeded, and only seeded.
START_TEST(test_repeatable) {
    const char *five[] = {"--no-color", "--input", "1 2 3; 4 5 6; 7 8 9", "--seed", "5", NULL};
    const char *six[] = {"--no-color", "--input", "1 2 3; 4 5 6; 7 8 9", "--seed", "6", NULL};
    ProcResult a = run_chapter("chapter5", five), b = run_chapter("chapter5", five);
    ProcResult c = run_chapter("chapter5", six);
    ck_assert_int_eq(a.status, 0);
    ck_assert_uint_gt(a.out_len, 0);
    ck_assert_msg(a.out_len == b.out_len && memcmp(a.out, b.out, a.out_len) == 0, "two runs of --seed 5 differ");
    ck_assert_msg(a.out_len != c.out_len || memcmp(a.out, c.out, a.out_len) != 0, "--seed 6 gave --seed 5's output");
    proc_free(&a);
    proc_free(&b);
    proc_free(&c);
}
END_TEST

// Every seed passes: exactly-zero gradients (seeded integers that cancel)
// are no false FAIL, and no inconclusive either: the checker resolves an
// all-zero block against the size of the terms that make it up.
START_TEST(test_seeds_1_to_100) {
    for (int seed = 1; seed <= 100; seed++) {
        char text[16];
        snprintf(text, sizeof text, "%d", seed);
        const char *args[] = {"--format", "json", "--seed", text, NULL};
        ProcResult r = run_chapter("chapter5", args);
        ck_assert_msg(r.status == 0, "--seed %d exited %d", seed, r.status);
        ck_assert_msg(!strstr(r.out, "\"verdict\": \"fail\""), "--seed %d has a failed check", seed);
        proc_free(&r);
    }
}
END_TEST

// Inputs that once exited 1 although every gradient is right: a huge bias
// (the chain saturates), a step far below rounding, large integer inputs
// with an upstream that makes ∂L/∂K exactly zero. The step is a
// demonstration, never a verdict.
START_TEST(test_no_false_fail) {
    const char *cases[][9] = {
        {"--bias", "1e5", NULL},
        {"--lr", "1e-300", NULL},
        {"--lr", "1e3", NULL},
        {"--input", "100 200 300; 400 500 600; 700 800 900", "--kernel", "1 2; 3 4", "--upstream", "1 -1; -1 1",
         NULL},
        {"--padding", "31", NULL},
    };
    for (int q = 0; q < (int)(sizeof cases / sizeof *cases); q++) {
        ProcResult r = run_chapter("chapter5", cases[q]);
        ck_assert_msg(r.status == 0, "case %d exited %d: %s", q, r.status, r.err);
        ck_assert_ptr_null(strstr(r.out, "FAIL"));
        proc_free(&r);
    }
}
END_TEST

// A 1024×1024 input with a 3×3 kernel: every entry of X checked (local
// differences make it O(N)), within the suite's time.
START_TEST(test_megapixel) {
    char path[] = "/tmp/chapter5-big-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 1024; i++)
        for (int j = 0; j < 1024; j++) fprintf(f, "%d%c", (i * 7 + j * 13) % 19 - 9, j == 1023 ? '\n' : ' ');
    fclose(f);
    char arg[64];
    snprintf(arg, sizeof arg, "@%s", path);
    const char *args[] = {"--format", "json", "--input", arg, "--kernel", "1 2 1; 0 1 0; -1 0 1", NULL};
    ProcResult r = run_chapter("chapter5", args);
    unlink(path);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"compared\": 1048576"));
    proc_free(&r);
}
END_TEST

static const char *const JSON_KEYS[] = {
    "input",  "kernel", "bias", "stride", "padding", "dilation", "output", "upstream", "dK", "dX", "db",
    "learning_rate", "kernel_after_step", "bias_after_step", "loss_before", "loss_after", "stride_example_upstream",
    "stride_example_upstream_dilated", "stride_example_upstream_padded", "stride_example_kernel_rot180",
    "stride_example_full_convolution", "stride_example_dX_padded", "stride_example_dX", "stride_example_dK",
    "stride_example_db", "channels_upstream", "channels_dX", "channels_dK0", "channels_dK1", "channels_db",
    "touch_count", "checks", "demonstrations"};

START_TEST(test_json_keys) {
    const char *args[] = {"--format", "json", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert(jsonlint_is_one_object(r.out));
    char key[32];
    snprintf(key, sizeof key, "\"%s\": ", JSON_KEYS[_i]);
    ck_assert_msg(strstr(r.out, key), "JSON lacks %s", key);
    proc_free(&r);
}
END_TEST

// The default ∂L/∂Y comes from the chain: z = 0.05·29 − 0.03·35 + 0.1 = 0.5,
// ∂L/∂z = σ(0.5) − 1 = −0.3775406688, ∂L/∂p = ∂L/∂z·[0.05 −0.03] =
// [−0.01887703344 0.01132622006], routed to the maxima Y[1,1] = 29 and
// Y[1,2] = 35. Then ∂L/∂b = −0.01887703344 + 0.01132622006 = −0.00755081338.
START_TEST(test_default_upstream_from_chain) {
    const char *args[] = {"--format", "json", NULL};
    ProcResult r = run_chapter("chapter5", args);
    const char *u = strstr(r.out, "\"upstream\": ");
    ck_assert_ptr_nonnull(u);
    double v[6];
    ck_assert_int_eq(sscanf(u, "\"upstream\": [[%lf, %lf, %lf], [%lf, %lf, %lf]]", &v[0], &v[1], &v[2], &v[3], &v[4],
                            &v[5]),
                     6);
    const double want[6] = {0, 0, 0, 0, -0.01887703344, 0.01132622006};
    for (int k = 0; k < 6; k++) ck_assert_double_eq_tol(v[k], want[k], 1e-10);
    const char *db = strstr(r.out, "\"db\": ");
    double d;
    ck_assert_int_eq(sscanf(db, "\"db\": [%lf]", &d), 1);
    ck_assert_double_eq_tol(d, -0.00755081338, 1e-10);
    proc_free(&r);
}
END_TEST

// The hand examples of check_conv.c through the command line.
// Stride 1, dY = [1 0 0; 0 0 2]: dK = [8 25; 18 21], dX = [1 1 0 0; 1 2 2 2; 0 0 2 4], db = 3.
// Stride 2, padding 1, dY = [1 0 2; 0 -1 0]: dK = [-3 0; 6 -1],
// dX = [2 0 0 2; 0 -1 -1 0; 0 -1 -2 0], db = 2 (worked out in check_conv.c).
START_TEST(test_user_upstream_hand_values) {
    const char *a1[] = {"--format", "json", "--upstream", "1 0 0; 0 0 2", NULL};
    ProcResult r = run_chapter("chapter5", a1);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"dK\": [[8, 25], [18, 21]]"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"dX\": [[1, 1, 0, 0], [1, 2, 2, 2], [0, 0, 2, 4]]"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"db\": [3]"));
    proc_free(&r);
    const char *a2[] = {"--format", "json", "--stride", "2", "--padding", "1", "--upstream", "1 0 2; 0 -1 0", NULL};
    r = run_chapter("chapter5", a2);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_nonnull(strstr(r.out, "\"output\": [[16, 13, 7], [16, 29, 17]]"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"dK\": [[-3, 0], [6, -1]]"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"dX\": [[2, 0, 0, 2], [0, -1, -1, 0], [0, -1, -2, 0]]"));
    ck_assert_ptr_nonnull(strstr(r.out, "\"db\": [2]"));
    proc_free(&r);
}
END_TEST

START_TEST(test_answer_checked) {
    const char *right[] = {"--upstream", "1 0 0; 0 0 2", "--answer", "dK=8 25; 18 21", "--answer", "db=3", NULL};
    ProcResult r = run_chapter("chapter5", right);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    const char *wrong[] = {"--upstream", "1 0 0; 0 0 2", "--answer", "dK=8 25; 21 18", NULL};
    r = run_chapter("chapter5", wrong);
    ck_assert_int_eq(r.status, 1);
    proc_free(&r);
}
END_TEST

START_TEST(test_custom_configuration_passes) {
    const char *args[] = {"--no-color", "--input", "1 2 3 4 5; 6 7 8 9 1; 2 3 4 5 6; 7 8 9 1 2; 3 4 5 6 7",
                          "--kernel", "1 0 -1; 2 1 0", "--stride", "2", "--padding", "1", "--dilation", "2",
                          "--bias", "0.5", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "FAIL"));
    // Stride 2: the zero insertion is shown.
    ck_assert_ptr_nonnull(strstr(r.out, "∂L/∂Y with 1 zero between entries"));
    proc_free(&r);
}
END_TEST

static const char *const BUGS[] = {"no-rot180", "valid-not-full", "no-dilate", "bias-one-axis", "kernel-conv"};

START_TEST(test_bug_caught) {
    const char *args[] = {"--no-color", "--bug", BUGS[_i], NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_msg(r.status == 1, "--bug %s exited %d", BUGS[_i], r.status);
    ck_assert_ptr_nonnull(strstr(r.out, "FAIL"));
    if (strcmp(BUGS[_i], "no-dilate") == 0) ck_assert_ptr_nonnull(strstr(r.out, "this section uses stride 2"));
    proc_free(&r);
}
END_TEST

typedef struct {
    const char *args[8];
    const char *expect; // part of the error line
} BadInput;

static const BadInput BAD[] = {
    {{"--kernel", "1 2 3 4 5", NULL}, "--kernel: the 1x5 kernel"},
    {{"--dilation", "3", NULL}, "does not fit"},
    {{"--kernel", "1 1 1 1 1 1 1", "--padding", "1", NULL}, "does not fit"},
    {{"--stride", "0", NULL}, "--stride:"},
    {{"--dilation", "0", NULL}, "--dilation:"},
    {{"--padding", "-1", NULL}, "--padding:"},
    {{"--upstream", "1 2; 3 4", NULL}, "expected 2x3"},
    {{"--stride", "2", "--upstream", "1 2 3", NULL}, "expected 1x2"},
    {{"--bias", "1 2", NULL}, "--bias: expected a single number"},
    {{"--bias", "x", NULL}, "--bias:"},
    {{"--input", "1 2; 3", NULL}, "--input:"},
    {{"--kernel", "", NULL}, "--kernel:"},
    {{"--bug", "nope", NULL}, "--bug"},
    {{"--frobnicate", NULL}, "--frobnicate"},
    {{"--input", "1e300 1e300; 1e300 1e300", "--kernel", "1e300", NULL}, "error:"},
    {{"--padding", "2048", "--input", "1 2; 3 4", NULL},
     "--padding: the 2x2 input padded by 2048 is 4098x4098; the limit is 4096 per side"},
    {{"--lr", "0", NULL}, "--lr: must be > 0"},
    {{"--lr", "-1", NULL}, "--lr:"},
};

START_TEST(test_bad_input) {
    ProcResult r = run_chapter("chapter5", BAD[_i].args);
    ck_assert_msg(r.status == 2, "case %d exited %d", _i, r.status);
    ck_assert_uint_eq(r.out_len, 0);
    ck_assert_int_eq(count_lines(r.err), 1);
    ck_assert_msg(strncmp(r.err, "error: ", 7) == 0, "stderr: %s", r.err);
    ck_assert_msg(strstr(r.err, BAD[_i].expect), "case %d: '%s' not in %s", _i, BAD[_i].expect, r.err);
    proc_free(&r);
}
END_TEST

// With a --bug the chapter builds ∂L/∂X step by step as tensors: a 1x2100
// input, a 1x2 kernel with dilation 2000 gives 100 outputs padded by 2000 on
// each side, 4100 columns. An input error naming the option and the limit,
// not an internal one.
START_TEST(test_bug_steps_limit) {
    static char row[2 * 2100 + 1];
    for (int j = 0; j < 2100; j++) memcpy(row + 2 * j, "1 ", 2);
    row[2 * 2100 - 1] = '\0'; // 2100 ones, no trailing space
    const char *args[] = {"--input", row, "--kernel", "1 2", "--dilation", "2000", "--bug", "no-rot180", NULL};
    ProcResult r = run_chapter("chapter5", args);
    assert_usage_error(&r, "--dilation: the steps of --bug no-rot180 pad dL/dY to 4100 columns; the limit is 4096");
    proc_free(&r);
    const char *right[] = {"--input", row, "--kernel", "1 2", "--dilation", "2000", NULL};
    r = run_chapter("chapter5", right);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
}
END_TEST

START_TEST(test_plot_files) {
    char dir[] = "/tmp/chapter5-plot-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    const char *args[] = {"--format", "json", "--plot", dir, NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 0);
    static const char *const files[] = {"chapter5_x.dat", "chapter5_k.dat", "chapter5_dx.dat", "chapter5_dk.dat",
                                        "chapter5_touch.dat"};
    for (int i = 0; i < 5; i++) {
        char path[128];
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        FILE *f = fopen(path, "r");
        ck_assert_msg(f != NULL, "%s missing", path);
        // The touch map's first row: corners read by 1 window, edges by 2.
        if (i == 4) {
            double a, b, c, d;
            ck_assert_int_eq(fscanf(f, "%lf %lf %lf %lf", &a, &b, &c, &d), 4);
            ck_assert(a == 1 && b == 2 && c == 2 && d == 1);
        }
        fclose(f);
        unlink(path);
    }
    rmdir(dir);
    proc_free(&r);
}
END_TEST

// ---------------------------------------------------------------- --formula (issue 17)

// The examples (and a few more), each as stated: holds or fails,
// with the mistake it names.
static const FormulaRun FORMULA_RUNS[] = {
    {"dK = xcorr(X, G)", true, NULL},
    {"dK = conv(X, G)", false, "kernel-conv"}, // the article's X * ∂L/∂Y
    {"dX = xcorr(pad(G, kh-1, kw-1), rot180(K))", true, NULL},
    {"dX = xcorr(pad(G, kh-1, kw-1), K)", false, "no-rot180"},
    {"db = sum(G)", true, NULL},
    {"db = sum(G) / 2", false, "scaled"},
};

START_TEST(test_formula_runs) { assert_formula_run("chapter5", &FORMULA_RUNS[_i]); }
END_TEST

START_TEST(test_formula_bad_expression) { assert_formula_refused("chapter5", "dK = xcorr(X, G))", "column 17"); }
END_TEST

START_TEST(test_formula_list) {
    static const char *const names[] = {"X", "K", "b", "G", "Y", "n", "m", "kh", "kw", "s", "p", "d", "dK", "dX", "db"};
    assert_formula_list("chapter5", names, ARRAY_LEN(names));
}
END_TEST

// Repeatable: every formula is checked and listed; one failing fails the
// run. A formula section hidden by --section does not count, like any check.
START_TEST(test_formula_repeatable_and_sections) {
    const char *args[] = {"--format", "json", "--formula", "dK = xcorr(X, G)", "--formula", "db = sum(G) / 2", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "\"formulas\": [{\"name\": \"dK\", \"expression\": \"xcorr(X, G)\""));
    ck_assert_ptr_nonnull(strstr(r.out, "}, {\"name\": \"db\", \"expression\": \"sum(G) / 2\""));
    proc_free(&r);
    const char *hidden[] = {"--section", "5.2", "--formula", "dK = conv(X, G)", NULL};
    r = run_chapter("chapter5", hidden);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "Your formulas"));
    proc_free(&r);
    const char *shown[] = {"--section", "5.11", "--formula", "dK = conv(X, G)", NULL};
    r = run_chapter("chapter5", shown);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "): FAILS"));
    proc_free(&r);
}
END_TEST

// The article's own ∂L/∂K = X * ∂L/∂Y, worked by hand on the running
// example (X 3x4, ∂L/∂Y = [0 0 0; 0 a b] with a = −0.018877, b = 0.0113262
// from chapters 3–4): X ⋆ rot180(∂L/∂Y), entry (0,0) = b·X[0,0] + a·X[0,1]
// = 8b + 9a = −0.07928354. --answer names it as the mistake kernel-conv.
START_TEST(test_answer_article_kernel_gradient) {
    const char *args[] = {"--no-color", "--answer", "dK=-0.07928354 0.06418191; -0.0566311 0.03397866", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "--bug=kernel-conv") != NULL, "%s", r.out);
    ck_assert_ptr_null(strstr(r.out, "matches no classic mistake"));
    proc_free(&r);
}
END_TEST

// Under --bug no-rot180, 5.5 does not call its correct forms "5.3's": it says
// how many entries of 5.3's printed ∂L/∂X differ (4 of 12: the last two rows
// of padded ∂L/∂Y ⋆ K against ⋆ rot180(K), where ∂L/∂Y has two nonzeros).
START_TEST(test_three_forms_under_no_rot180) {
    const char *args[] = {"--no-color", "--bug", "no-rot180", "--section", "5.5", NULL};
    ProcResult r = run_chapter("chapter5", args);
    char *flat = strdup(r.out);
    for (char *c = flat; *c; c++)
        if (*c == '\n') *c = ' ';
    ck_assert_msg(strstr(flat, "4 of its 12 entries differ") != NULL, "%s", r.out);
    ck_assert_ptr_null(strstr(flat, "convolution of 5.3"));
    free(flat);
    proc_free(&r);
}
END_TEST

// Under --bug kernel-conv, 5.2 prints the formula the code ran, and its
// worked entry adds the products of the flipped ∂L/∂Y (8b + 9a above).
START_TEST(test_kernel_conv_equation_matches_number) {
    const char *args[] = {"--no-color", "--bug", "kernel-conv", "--section", "5.2", NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "∂L/∂K = X * ∂L/∂Y = X ⋆ rot180(∂L/∂Y)"));
    ck_assert_msg(strstr(r.out, "∂L/∂K[0,0] = 0.0113262·8 + (-0.018877)·9") != NULL, "%s", r.out);
    ck_assert_ptr_nonnull(strstr(r.out, "where the gradient is -0.0566311"));
    proc_free(&r);
}
END_TEST

// Strided and padded gradients, written with crop (the expression
// language's inverse of pad): checked at stride 2 and padding 1 on the 21
// cases (the random ones keep the stride and padding and vary the sizes, so
// a strided gradient's leftover rows must come out 0). Cropping at 0 instead
// of p keeps the padding's rows: that formula fails.
typedef struct {
    const char *formula;
    int status;
} CropRun;

static const CropRun CROP_RUNS[] = {
    {"dX = crop(xcorr(pad(dilate(G, s), kh-1, kw-1), rot180(K)), p, p, n, m)", 0},
    {"dK = crop(xcorr(pad(X, p, p), dilate(G, s)), 0, 0, kh, kw)", 0},
    {"dX = crop(xcorr(pad(dilate(G, s), kh-1, kw-1), rot180(K)), 0, 0, n, m)", 1},
};

START_TEST(test_formula_crop_strided_padded) {
    const char *args[] = {"--no-color", "--stride", "2", "--padding", "1", "--input",
                          "1 2 3 4 5; 6 7 8 9 1; 2 3 4 5 6; 7 8 9 1 2", "--formula", CROP_RUNS[_i].formula, NULL};
    ProcResult r = run_chapter("chapter5", args);
    ck_assert_msg(r.status == CROP_RUNS[_i].status, "'%s' exited %d: %s", CROP_RUNS[_i].formula, r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, CROP_RUNS[_i].status ? "): FAILS\n" : "21 of 21 cases agree"));
    proc_free(&r);
}
END_TEST

Suite *make_chapter5_suite(void) {
    Suite *s = suite_create("chapter5");
    TCase *run = tcase_create("runs");
    tcase_set_timeout(run, 60);
    tcase_add_test(run, test_default_passes);
    tcase_add_test(run, test_repeatable);
    tcase_add_test(run, test_seeds_1_to_100);
    tcase_add_test(run, test_no_false_fail);
    tcase_add_test(run, test_megapixel);
    tcase_add_loop_test(run, test_json_keys, 0, ARRAY_LEN(JSON_KEYS));
    tcase_add_test(run, test_default_upstream_from_chain);
    tcase_add_test(run, test_user_upstream_hand_values);
    tcase_add_test(run, test_answer_checked);
    tcase_add_test(run, test_custom_configuration_passes);
    tcase_add_test(run, test_plot_files);
    suite_add_tcase(s, run);
    TCase *bugs = tcase_create("bugs");
    tcase_set_timeout(bugs, 60);
    tcase_add_loop_test(bugs, test_bug_caught, 0, ARRAY_LEN(BUGS));
    tcase_add_test(bugs, test_answer_article_kernel_gradient);
    tcase_add_loop_test(bugs, test_formula_crop_strided_padded, 0, ARRAY_LEN(CROP_RUNS));
    tcase_add_test(bugs, test_three_forms_under_no_rot180);
    tcase_add_test(bugs, test_kernel_conv_equation_matches_number);
    suite_add_tcase(s, bugs);
    TCase *bad = tcase_create("bad input");
    tcase_add_loop_test(bad, test_bad_input, 0, ARRAY_LEN(BAD));
    tcase_add_test(bad, test_bug_steps_limit);
    suite_add_tcase(s, bad);
    TCase *formula = tcase_create("formula");
    tcase_set_timeout(formula, 60);
    tcase_add_loop_test(formula, test_formula_runs, 0, ARRAY_LEN(FORMULA_RUNS));
    tcase_add_test(formula, test_formula_bad_expression);
    tcase_add_test(formula, test_formula_list);
    tcase_add_test(formula, test_formula_repeatable_and_sections);
    suite_add_tcase(s, formula);
    return s;
}
