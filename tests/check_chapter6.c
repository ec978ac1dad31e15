// Chapter 6 as a user runs it: the default run passes with at least 90% test
// accuracy, --bug makes it fail, and every bad option or data file is one
// "error:" line on stderr, nothing on stdout, exit 2.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "proc.h"


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
    for (int k = 0; k < ARRAY_LEN(keys); k++) ck_assert_msg(strstr(r.out, keys[k]) != NULL, "missing %s", keys[k]);
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

// 3x3 images: label 1 bright in the middle column, label 0 in the middle row;
// distinct grey levels, so no two cells of a pooling window tie.
#define ROW_VERTICAL "1,0.1,0.9,0.2,0.05,0.8,0.15,0.12,0.95,0.07"
#define ROW_HORIZONTAL "0,0.1,0.05,0.2,0.9,0.85,0.95,0.12,0.03,0.17"

START_TEST(test_own_data) {
    // 3x3 images, label 1 bright in the middle column, label 0 in the middle row.
    char text[4096] = "";
    for (int k = 0; k < 40; k++)
        strcat(text, k % 2 ? ROW_VERTICAL "\n" : ROW_HORIZONTAL "\n");
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


// The number of entries of the top-level JSON array member "key": [a, b, ...].
static int json_array_len(const char *json, const char *key) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\": [", key);
    const char *p = strstr(json, pattern);
    ck_assert_msg(p != NULL, "no key %s", key);
    int n = 1;
    for (p += strlen(pattern); *p && *p != ']'; p++) n += *p == ',';
    return n;
}

// Epoch 0 is in every per-epoch array; the new keys sit beside the old ones.
START_TEST(test_json_per_epoch) {
    const char *args[] = {"--epochs", "3", "--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 0);
    const char *keys[] = {"losses", "test_losses", "train_accuracies", "test_accuracies"};
    for (int k = 0; k < ARRAY_LEN(keys); k++) ck_assert_int_eq(json_array_len(r.out, keys[k]), 4);
    const char *more[] = {"\"majority_baseline\": ", "\"dense_weights\": [", "\"train_accuracy\": ",
                          "\"loss_predicted\": ", "\"demonstrations\": "};
    for (int k = 0; k < ARRAY_LEN(more); k++) ck_assert_msg(strstr(r.out, more[k]) != NULL, "missing %s", more[k]);
    proc_free(&r);
}
END_TEST

// Every bug reaches training: the losses differ from the correct run's, and
// 6.9 compares the two.
START_TEST(test_bug_reaches_training) {
    static const char *bugs[] = {"sigmoid-twice", "dense-swap", "pool-everywhere", "kernel-rot180", "kernel-conv"};
    const char *clean_args[] = {"--epochs", "2", "--format", "json", NULL};
    ProcResult clean = run_chapter("chapter6", clean_args);
    const char *args[] = {"--epochs", "2", "--bug", bugs[_i], "--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 1);
    const char *a = strstr(clean.out, "\"losses\": ["), *b = strstr(r.out, "\"losses\": [");
    ck_assert(a && b);
    ck_assert_msg(strncmp(a, b, strcspn(a, "]")) != 0, "bug %s left training unchanged", bugs[_i]);
    ck_assert_ptr_nonnull(strstr(r.out, "\"test_accuracy_correct_gradient\": "));
    proc_free(&r);
    proc_free(&clean);
}
END_TEST

// A diverging run is a result: shown with the reason, exit 0.
START_TEST(test_divergence_is_a_result) {
    const char *args[] = {"--lr", "50", "--epochs", "3", "--no-color", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_ptr_nonnull(strstr(r.out, "is too large for this loss"));
    ck_assert(!prints_non_finite(r.out));
    proc_free(&r);
}
END_TEST

// Every example in --help runs with exit 0.
START_TEST(test_help_examples) {
    const char *help_args[] = {"--help", NULL};
    ProcResult h = run_chapter("chapter6", help_args);
    ck_assert_int_eq(h.status, 0);
    int examples = 0;
    for (const char *p = strstr(h.out, "chapter6 --"); p; p = strstr(p + 1, "chapter6 --")) {
        char line[200], *words[12];
        size_t len = strcspn(p + 9, "#\n"); // a "# comment" ends the command
        snprintf(line, sizeof line, "%.*s", (int)len, p + 9);
        int n = 0;
        for (char *w = strtok(line, " "); w && n < 11; w = strtok(NULL, " ")) words[n++] = w;
        words[n] = NULL;
        ProcResult r = run_chapter("chapter6", (const char *const *)words);
        ck_assert_msg(r.status == 0, "example '%.*s' exits %d: %s", (int)len, p + 9, r.status, r.err);
        proc_free(&r);
        examples++;
    }
    ck_assert_int_ge(examples, 3);
    proc_free(&h);
}
END_TEST

// The default run passes for seeds 1..10 (tests/seeds_chapter6.sh runs 1..100).
START_TEST(test_seeds) {
    char seed[20];
    snprintf(seed, sizeof seed, "%d", _i);
    const char *args[] = {"--seed", seed, "--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_msg(r.status == 0, "seed %d: status %d", _i, r.status);
    ck_assert_double_ge(json_number(r.out, "test_accuracy"), 0.9);
    proc_free(&r);
}
END_TEST

// The shipped handwritten digits reach 95% and more.
START_TEST(test_digits) {
    const char *args[] = {"--data", "data/digits-3-8.csv", "--size", "8x8", "--format", "json", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
    ck_assert_double_ge(json_number(r.out, "test_accuracy"), 0.95);
    proc_free(&r);
}
END_TEST

// A NUL byte is refused, never read as the end of a field.
START_TEST(test_nul_refused) {
    static const char text[] = "1,0,0,0,0\n1\0xyz,0,0,0,0\n";
    strcpy(csv_path, "/tmp/check_chapter6_XXXXXX");
    int fd = mkstemp(csv_path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, text, sizeof text - 1), (int)sizeof text - 1);
    close(fd);
    const char *args[] = {"--data", csv_path, "--size", "2x2", "--kernel-size", "1", NULL};
    ProcResult r = run_chapter("chapter6", args);
    unlink(csv_path);
    assert_usage_error(&r, "line 2 holds a NUL byte");
    proc_free(&r);
}
END_TEST

// A BOM and lone CRs in a CSV are read as text.
START_TEST(test_bom_and_cr) {
    char text[4096] = "\xEF\xBB\xBF";
    for (int k = 0; k < 40; k++) strcat(text, k % 2 ? ROW_VERTICAL "\r" : ROW_HORIZONTAL "\r");
    write_csv(text);
    const char *args[] = {"--data", csv_path, "--size", "3x3", "--kernel-size", "2", "--epochs", "2", NULL};
    ProcResult r = run_chapter("chapter6", args);
    unlink(csv_path);
    ck_assert_msg(r.status == 0, "status %d: %s", r.status, r.err);
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
    {{"--data", "/nonexistent/x.csv", "--size", "2x2", "--kernel-size", "1"}, NULL, "error: --data: cannot read"},
    {{"--data", "/tmp", "--size", "2x2", "--kernel-size", "1"}, NULL, "error: --data:"},
    {{"--data", "@CSV", "--size", "2x"}, "1,0,0,0,0\n", "error: --size:"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n1,0,0,0\n", "error: --data: line 2 has 4 fields"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n0,1,1,1,1\n3,0,0,0,0\n", "error: --data: line 3: the label"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "1,0,0,0,0\n", "error: --data: only 1 image"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "1"}, "", "error: --data: no images"},
    {{"--data", "@CSV", "--size", "2x2", "--kernel-size", "2"}, "1,0,0,0,0\n0,0,0,0,0\n",
     "error: --kernel-size:"},
    {{"--bug", "nonsense"}, NULL, "error: --bug:"},
    {{"--data", "/dev/zero", "--size", "2x2", "--kernel-size", "1"}, NULL, "error: --data: '/dev/zero' is not a regular"},
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

// Display columns of the widest line of s (UTF-8 code points; every
// character the chapters print is one column wide).
static int widest_line(const char *s) {
    int widest = 0, col = 0;
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '\n') col = 0;
        else if ((*c & 0xC0) != 0x80) col++;
        if (col > widest) widest = col;
    }
    return widest;
}

// The longest run of decimal digits in s.
static size_t longest_digit_run(const char *s) {
    size_t best = 0;
    for (const char *c = s; *c; c += strspn(c, "0123456789") ? strspn(c, "0123456789") : 1) {
        size_t n = strspn(c, "0123456789");
        if (n > best) best = n;
    }
    return best;
}

// --bug dense-swap overflows to 1e148 in epoch 1: every loss is printed in
// scientific notation, no line is wider than 80 columns, and the wrong
// gradient, not η, is named (the same η trains with the correct one).
START_TEST(test_dense_swap_magnitudes) {
    const char *args[] = {"--bug", "dense-swap", "--epochs", "3", "--no-color", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_int_le(widest_line(r.out), 80);
    ck_assert_uint_le(longest_digit_run(r.out), 16); // %.10g of a 1e-4: 14 digits
    ck_assert_ptr_nonnull(strstr(r.out, "1.005e+148"));
    ck_assert_ptr_null(strstr(r.out, "is too large"));
    ck_assert_ptr_nonnull(strstr(r.out, "The step size is not the cause"));
    proc_free(&r);
}
END_TEST

// --bug kernel-rot180's loss rises at the default η, which trains fine with
// the correct gradient: the chapter must not blame η. A run whose correct
// gradient diverges too (--lr 50) still gets the η explanation.
START_TEST(test_bug_not_blamed_on_lr) {
    const char *args[] = {"--bug", "kernel-rot180", "--no-color", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_null(strstr(r.out, "is too large"));
    ck_assert_ptr_nonnull(strstr(r.out, "The step size is not the cause"));
    proc_free(&r);
    const char *both[] = {"--bug", "kernel-rot180", "--lr", "50", "--epochs", "2", "--no-color", NULL};
    r = run_chapter("chapter6", both);
    ck_assert_ptr_nonnull(strstr(r.out, "is too large for this loss"));
    proc_free(&r);
}
END_TEST

// Under each --bug 6.3 prints the formula the code ran, beside its number.
START_TEST(test_bug_equations) {
    static const char *bugs[] = {"sigmoid-twice", "dense-swap", "pool-everywhere", "kernel-rot180", "kernel-conv"};
    static const char *said[] = {"∂L/∂z = (ŷ − y)·ŷ(1 − ŷ)", "--bug dense-swap sends ∂L/∂z·w to the weights",
                                 "--bug pool-everywhere copies it to all four cells",
                                 "∂L/∂K = rot180(X ⋆ ∂L/∂A)", "∂L/∂K = X * ∂L/∂A,"};
    const char *args[] = {"--bug", bugs[_i], "--epochs", "1", "--section", "6.3", "--no-color", NULL};
    ProcResult r = run_chapter("chapter6", args);
    char *flat = strdup(r.out);
    for (char *c = flat; *c; c++)
        if (*c == '\n') *c = ' ';
    ck_assert_msg(strstr(flat, said[_i]) != NULL, "--bug %s: 6.3 does not say %s", bugs[_i], said[_i]);
    free(flat);
    proc_free(&r);
}
END_TEST

// 6.10 measures each kernel's contribution to z per label. On the digits,
// kernel 2's dense weights sum to −5.88 but it adds about +7 to z on the 8s
// (label 1) and under +1 on the 3s: it favours label 1.
START_TEST(test_digits_votes_measured) {
    const char *args[] = {"--data", "data/digits-3-8.csv", "--size", "8x8", "--no-color", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 0);
    ck_assert_ptr_null(strstr(r.out, "Summed, each kernel's dense weights"));
    const char *row = strstr(r.out, "\n  2       ");
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_nonnull(strstr(row, "label 1 by"));
    ck_assert(strstr(row, "label 1 by") < strchr(row + 1, '\n'));
    proc_free(&r);
}
END_TEST

// The article's ∂L/∂K = X * ∂L/∂A on the running example, by hand: ∂L/∂A =
// [0 0 0; 0 a b] (a = −0.018877, b = 0.0113262), X ⋆ rot180(∂L/∂A) has
// entry (0,0) = 8b + 9a = −0.0792835. --answer names it kernel-conv.
START_TEST(test_answer_article_kernel_gradient) {
    const char *args[] = {"--no-color", "--epochs", "1", "--answer",
                          "dL_dK=-0.07928354 0.06418191; -0.0566311 0.03397866", NULL};
    ProcResult r = run_chapter("chapter6", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.out, "--bug=kernel-conv") != NULL, "%s", r.out);
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
    tcase_add_loop_test(tc, test_bad_input, 0, ARRAY_LEN(BAD));
    tcase_add_test(tc, test_json_per_epoch);
    tcase_add_loop_test(tc, test_bug_reaches_training, 0, 5);
    tcase_add_test(tc, test_divergence_is_a_result);
    tcase_add_test(tc, test_help_examples);
    tcase_add_loop_test(tc, test_seeds, 1, 11);
    tcase_add_test(tc, test_digits);
    tcase_add_test(tc, test_bom_and_cr);
    tcase_add_test(tc, test_nul_refused);
    tcase_add_test(tc, test_dense_swap_magnitudes);
    tcase_add_test(tc, test_bug_not_blamed_on_lr);
    tcase_add_loop_test(tc, test_bug_equations, 0, 5);
    tcase_add_test(tc, test_answer_article_kernel_gradient);
    tcase_add_test(tc, test_digits_votes_measured);
    suite_add_tcase(s, tc);
    return s;
}
