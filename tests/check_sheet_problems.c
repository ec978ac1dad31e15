// The exercise sheets' problems discriminate (sheets/sheet_discriminate.h):
// over many seeds, for every problem of the key, each classic mistake of its
// chapter, run by the chapter itself (--bug NAME --format json, the key's
// inputs), gives another value than the key's answer for the gradient that
// mistake is about. Independent of the generator: the chapters compute the
// mistakes with their own code. And the seventh problem is any of the five
// chapters' kinds, BCE and dense included.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "parse.h"
#include "proc.h"
#include "tensor.h"

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

// Seeds 1..SHEET_SEEDS: about 24 convolution and 24 pooling problems (before
// the generator rejected non-discriminating draws, about 1 in 4 failed).
#define SHEET_SEEDS 20
// Answers are short decimals: a mistake that changes one does so by far more.
#define SAME_TOL 1e-9

typedef struct {
    int chapter;
    const char *bug, *key;
    const char *unless; // the mistake cannot show on problems with this option (NULL: always)
} Mistake;

static const Mistake MISTAKES[] = {
    {2, "sign", "dL_dyhat", NULL},         {2, "no-mean", "dL_dz", NULL},
    {2, "skip-sigmoid", "dL_dz", NULL},    {3, "no-sigmoid-derivative", "dL_dz", NULL},
    {3, "no-mean", "dL_dz", NULL},         {3, "W-not-transposed", "dx", NULL},
    {3, "outer-product-swapped", "dW", NULL},
    {4, "overwrite", "dX", " --stride 2 "}, // windows that do not overlap: = and += agree
    {4, "all-cells", "dX", NULL},          {4, "average", "dX", NULL},
    {5, "no-rot180", "dX", NULL},          {5, "valid-not-full", "dX", NULL},
    {5, "no-dilate", "dX", " --stride 1 "}, // at stride 1 there are no zeros to insert
    {5, "bias-one-axis", "db", NULL},      {5, "kernel-conv", "dK", NULL},
};

static char *sheet_key(int seed) {
    char cmd[512], path[512];
    snprintf(cmd, sizeof cmd, "rm -rf %s/test-discriminate && ./%s/sheet --seed %d --out %s/test-discriminate "
             "> /dev/null", BUILD_DIR, BUILD_DIR, seed, BUILD_DIR);
    ck_assert_int_eq(system(cmd), 0);
    snprintf(path, sizeof path, "%s/test-discriminate/key-%d.md", BUILD_DIR, seed);
    char *key = read_file(path);
    ck_assert_ptr_nonnull(key);
    return key;
}

// The key's answer for name in a command line ('--answer "name=..."').
static bool answer_of(Tensor *out, const char *line, const char *name) {
    char pattern[64], lit[2048], err[200];
    snprintf(pattern, sizeof pattern, "--answer \"%s=", name);
    const char *p = strstr(line, pattern);
    if (!p) return false;
    p += strlen(pattern);
    snprintf(lit, sizeof lit, "%.*s", (int)strcspn(p, "\""), p);
    ck_assert_msg(parse_matrix(out, lit, err, sizeof err), "%s: %s", lit, err);
    return true;
}

// line without its --answer options, with " --bug bug --format json".
static void bug_command(char *out, size_t len, const char *line, const char *bug) {
    size_t n = 0;
    for (const char *p = line + strlen("build/"); *p && n + 1 < len;) {
        if (strncmp(p, " --answer \"", 11) == 0) {
            p = strchr(p + 11, '"') + 1;
            continue;
        }
        out[n++] = *p++;
    }
    snprintf(out + n, len - n, " --bug %s --format json 2>/dev/null", bug);
}

// The numbers of top-level JSON member key, flattened (at most max).
static int json_numbers(const char *json, const char *key, double *v, int max) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\n  \"%s\": ", key);
    const char *p = strstr(json, pattern);
    if (!p) return -1;
    p += strlen(pattern);
    int depth = 0, n = 0;
    do {
        if (*p == '[') depth++, p++;
        else if (*p == ']') depth--, p++;
        else if (strchr(", \n", *p)) p++;
        else {
            char *end;
            double x = strtod(p, &end);
            if (end == p || n >= max) return -1;
            v[n++] = x, p = end;
        }
    } while (depth > 0 && *p);
    return n;
}

static char *run_capture(const char *cmd) {
    char full[8400];
    snprintf(full, sizeof full, "./%s/%s", BUILD_DIR, cmd);
    FILE *f = popen(full, "r");
    ck_assert_ptr_nonnull(f);
    size_t len = 0, cap = 1 << 16;
    char *out = malloc(cap);
    ck_assert_ptr_nonnull(out);
    for (size_t got; (got = fread(out + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            out = realloc(out, cap *= 2);
            ck_assert_ptr_nonnull(out);
        }
    }
    out[len] = '\0';
    pclose(f);
    return out;
}

// One key command against every mistake of its chapter; counts the checks.
static void check_line(const char *line, int seed, int *checked) {
    int chapter = line[strlen("build/chapter")] - '0';
    if (strstr(line, "--formula")) return;
    if (chapter == 1) { // X ⋆ K and X * K must differ for the outputs problem
        Tensor a, b;
        if (answer_of(&a, line, "cross_correlation") && answer_of(&b, line, "convolution")) {
            bool same = tensor_size(&a) == tensor_size(&b);
            for (size_t k = 0; same && k < tensor_size(&a); k++) same = fabs(a.data[k] - b.data[k]) <= SAME_TOL;
            ck_assert_msg(!same, "seed %d: X star K = X * K, a swapped answer passes:\n%s", seed, line);
            tensor_free(&a), tensor_free(&b), (*checked)++;
        }
        return;
    }
    for (int m = 0; m < ARRAY_LEN(MISTAKES); m++) {
        const Mistake *mk = &MISTAKES[m];
        char with_space[8200];
        snprintf(with_space, sizeof with_space, "%s ", line);
        Tensor right;
        if (mk->chapter != chapter || (mk->unless && strstr(with_space, mk->unless))) continue;
        if (!answer_of(&right, line, mk->key)) continue;
        char cmd[8192];
        bug_command(cmd, sizeof cmd, line, mk->bug);
        char *json = run_capture(cmd);
        double v[64];
        int n = json_numbers(json, mk->key, v, ARRAY_LEN(v));
        ck_assert_msg(n == (int)tensor_size(&right), "seed %d: no %s in %s", seed, mk->key, cmd);
        bool same = true;
        for (int k = 0; k < n; k++) same = same && fabs(v[k] - right.data[k]) <= SAME_TOL * fmax(1.0, fabs(v[k]));
        ck_assert_msg(!same, "seed %d: --bug %s gives the right %s, so the problem cannot catch it:\n%s", seed,
                      mk->bug, mk->key, line);
        free(json);
        tensor_free(&right);
        (*checked)++;
    }
}

START_TEST(test_every_mistake_changes_an_answer) {
    int checked = 0;
    for (int seed = 1; seed <= SHEET_SEEDS; seed++) {
        char *key = sheet_key(seed);
        for (const char *p = key; (p = strstr(p, "\nbuild/chapter")) != NULL;) {
            p++;
            const char *nl = strchr(p, '\n');
            char line[8192];
            snprintf(line, sizeof line, "%.*s", (int)(nl - p), p);
            check_line(line, seed, &checked);
            p = nl;
        }
        free(key);
    }
    ck_assert_int_ge(checked, 10 * SHEET_SEEDS); // about 12 mistakes per sheet
}
END_TEST

// The extra problem (the eighth, after one per chapter 1-5 and 7 and the
// formula) is drawn from chapters 1-5's kinds: over the seeds each of them
// comes up (BCE and dense too, as docs/instructors.md says).
START_TEST(test_seventh_problem_any_kind) {
    static const char *const KINDS[] = {"cross-correlation", "the BCE derivative", "gradients of a dense layer",
                                        "max pooling", "gradients of a convolution layer"};
    bool seen[ARRAY_LEN(KINDS)] = {false};
    for (int seed = 1; seed <= SHEET_SEEDS; seed++) {
        char *key = sheet_key(seed);
        const char *p = strstr(key, "## Problem 8: ");
        ck_assert_ptr_nonnull(p);
        for (int k = 0; k < ARRAY_LEN(KINDS); k++) seen[k] = seen[k] || strstr(p, KINDS[k]) == p + 14;
        free(key);
    }
    for (int k = 0; k < ARRAY_LEN(KINDS); k++) ck_assert_msg(seen[k], "no extra problem about %s", KINDS[k]);
}
END_TEST

// The PDF: the formula problem names `--formula list` (as the Markdown
// does), and no problem splits across pages: on every page of the sheet,
// each "Problem N" heading has its "Check your" command below it.
static const int PDF_SEEDS[] = {1, 7};

START_TEST(test_pdf_formula_hint_and_whole_problems) {
    if (system("command -v pdflatex > /dev/null 2>&1 && command -v pdftotext > /dev/null 2>&1") != 0) {
        fprintf(stderr, "check_sheet_problems: pdflatex or pdftotext missing; the PDF test is skipped\n");
        return;
    }
    char cmd[1024], path[512];
    int seed = PDF_SEEDS[_i];
    free(sheet_key(seed));
    snprintf(path, sizeof path, "%s/test-discriminate/sheet-%d.tex", BUILD_DIR, seed);
    char *tex = read_file(path);
    ck_assert_ptr_nonnull(tex);
    ck_assert_msg(strstr(tex, "-{}-formula list}") != NULL, "the PDF's formula problem lacks --formula list");
    free(tex);
    snprintf(cmd, sizeof cmd, "cd %s/test-discriminate && pdflatex -interaction=nonstopmode -halt-on-error "
             "sheet-%d.tex > /dev/null 2>&1", BUILD_DIR, seed);
    ck_assert_int_eq(system(cmd), 0);
    for (int page = 1;; page++) {
        snprintf(cmd, sizeof cmd, "pdftotext -f %d -l %d %s/test-discriminate/sheet-%d.pdf - 2>/dev/null", page,
                 page, BUILD_DIR, seed);
        FILE *f = popen(cmd, "r");
        ck_assert_ptr_nonnull(f);
        char line[4096];
        int headings = 0, checks = 0, lines = 0;
        while (fgets(line, sizeof line, f)) {
            lines++;
            headings += strncmp(line, "Problem ", 8) == 0;
            checks += strncmp(line, "Check your", 10) == 0;
        }
        int status = pclose(f);
        if (status != 0 || lines == 0) break; // past the last page
        ck_assert_msg(headings == checks, "seed %d page %d: %d problem headings but %d check commands", seed, page,
                      headings, checks);
    }
}
END_TEST

Suite *make_sheet_problems_suite(void) {
    Suite *s = suite_create("sheet_problems");
    TCase *tc = tcase_create("sheet_problems");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_every_mistake_changes_an_answer);
    tcase_add_test(tc, test_seventh_problem_any_kind);
    tcase_add_loop_test(tc, test_pdf_formula_hint_and_whole_problems, 0, ARRAY_LEN(PDF_SEEDS));
    suite_add_tcase(s, tc);
    return s;
}
