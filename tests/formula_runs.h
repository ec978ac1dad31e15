#ifndef TEST_FORMULA_RUNS_H
#define TEST_FORMULA_RUNS_H
// --formula as a user runs it, shared by the chapter suites: a formula that
// holds exits 0 and says HOLDS; one that fails exits 1, says FAILS and names
// the expected mistake in the text and in JSON; a bad expression is one
// "error: --formula: ... column N" line with exit 2.
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "jsonlint.h"
#include "proc.h"

typedef struct {
    const char *formula; // NAME = EXPRESSION as typed
    bool holds;
    const char *mistake; // the matched mistake of a failing formula, or NULL for none
} FormulaRun;

static inline void assert_formula_run(const char *chapter, const FormulaRun *f) {
    const char *args[] = {"--no-color", "--formula", f->formula, NULL};
    ProcResult r = run_chapter(chapter, args);
    ck_assert_msg(r.status == (f->holds ? 0 : 1), "%s --formula '%s' exited %d: %s", chapter, f->formula, r.status,
                  r.err);
    ck_assert_uint_eq(r.err_len, 0);
    char line[256];
    snprintf(line, sizeof line, "--formula %s\n", f->formula);
    ck_assert_msg(strstr(r.out, line) != NULL, "no '%s'", line);
    ck_assert_ptr_nonnull(strstr(r.out, f->holds ? "): HOLDS\n" : "): FAILS\n"));
    ck_assert_ptr_nonnull(strstr(r.out, f->holds ? "Result: all " : "Result: 1 of "));
    if (f->mistake) {
        snprintf(line, sizeof line, "it matches the mistake %s:", f->mistake);
        ck_assert_msg(strstr(r.out, line) != NULL, "no '%s' in %s", line, r.out);
    }
    proc_free(&r);
    const char *json_args[] = {"--format", "json", "--formula", f->formula, NULL};
    ProcResult j = run_chapter(chapter, json_args);
    ck_assert_int_eq(j.status, f->holds ? 0 : 1);
    ck_assert_msg(jsonlint_is_one_object(j.out), "%s", j.out);
    ck_assert_ptr_nonnull(strstr(j.out, "\"formulas\": [{\"name\": \""));
    const char *passed = f->holds ? "\"cases\": 21, \"passed\": true" : "\"cases\": 21, \"passed\": false";
    ck_assert_msg(strstr(j.out, passed) != NULL, "no '%s' in JSON", passed);
    ck_assert((strstr(j.out, "\"counterexample\": null") != NULL) == f->holds);
    if (f->mistake) snprintf(line, sizeof line, "\"matches_mistake\": \"%s\"", f->mistake);
    else snprintf(line, sizeof line, "\"matches_mistake\": null");
    ck_assert_msg(strstr(j.out, line) != NULL, "no '%s' in JSON", line);
    proc_free(&j);
}

// A bad expression: exit 2, nothing on stdout, one error line naming the column.
static inline void assert_formula_refused(const char *chapter, const char *formula, const char *says) {
    const char *args[] = {"--formula", formula, NULL};
    ProcResult r = run_chapter(chapter, args);
    assert_usage_error(&r, "error: --formula: ");
    ck_assert_msg(strstr(r.err, says) != NULL, "'%s' lacks '%s'", r.err, says);
    proc_free(&r);
}

// --formula list names the chapter's symbols and exits 0.
static inline void assert_formula_list(const char *chapter, const char *const *names, int n) {
    const char *args[] = {"--formula", "list", NULL};
    ProcResult r = run_chapter(chapter, args);
    ck_assert_int_eq(r.status, 0);
    for (int i = 0; i < n; i++) {
        char line[64];
        snprintf(line, sizeof line, "  %s ", names[i]);
        ck_assert_msg(strstr(r.out, line) != NULL, "%s --formula list lacks %s:\n%s", chapter, names[i], r.out);
    }
    proc_free(&r);
}

#endif
