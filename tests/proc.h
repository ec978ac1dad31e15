#ifndef TEST_PROC_H
#define TEST_PROC_H
// The test harness: runs something in a child process and captures its exit
// status, stdout and stderr, so tests assert on exactly what a user sees.
//   run_chapter  a built chapter program (BUILD_DIR/chapterN) with arguments;
//   run_shell    a /bin/sh script in a given directory (for make-like runs);
//   capture_run  a library function in a forked child (usage_error() exits
//                2, report_finish() writes stdout), for in-process tests.
// In every child stdout and stderr are files (never a TTY), stdin is
// /dev/null and NO_COLOR is unset.

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    int status; // exit status, or 128+signal if it was killed
    char *out, *err; // NUL-terminated; owned, freed by proc_free
    char *joined;    // out with every wrapped verdict joined back onto one line (join_verdicts)
    size_t out_len, err_len;
} ProcResult;

// program is "chapter1" (found in BUILD_DIR); args is NULL-terminated.
ProcResult run_chapter(const char *program, const char *const *args);
// /bin/sh -c script, run in directory cwd (NULL: the current one).
ProcResult run_shell(const char *script, const char *cwd);
// fn's return value becomes the child's exit status (unless it exits itself).
typedef int (*CapturedFn)(void *ctx);
ProcResult capture_run(CapturedFn fn, void *ctx);
void proc_free(ProcResult *p);
// Everything written to f so far, from its start (f is a tmpfile), as a
// NUL-terminated string the caller frees; *len receives its length.
char *capture_slurp(FILE *f, size_t *len);

// s with every verdict that the text format wrapped ("name: WORD" and the
// detail on indented lines below) put back on one line, "name: detail:
// WORD", so that a test can look for a verdict's numbers whatever the width.
// The caller frees the result.
char *join_verdicts(const char *s);

// The chapter numbers this build has (the Makefile's CHAPTER_LIST), at most
// max of them, into out; returns how many.
int chapter_numbers(int *out, int max);
// The whole file at path as a NUL-terminated string the caller frees, or
// NULL when it cannot be read.
char *read_file(const char *path);

// Counts the lines of s (a final line without '\n' counts).
int count_lines(const char *s);

// The bad-input contract, asserted with Check: exit status 2, nothing on
// stdout, exactly one stderr line, starting "error: " and containing
// `mention` (skipped when mention is NULL).
void assert_usage_error(const ProcResult *p, const char *mention);

// The same contract with the stderr line starting with prefix.
#define ck_assert_usage_error(c, prefix)                                                                \
    do {                                                                                                \
        ck_assert_msg((c).status == 2, "exit status %d, expected 2 (stderr: %s)", (c).status, (c).err); \
        ck_assert_msg((c).out_len == 0, "stdout not empty: %s", (c).out);                               \
        ck_assert_int_eq(count_lines((c).err), 1);                                                      \
        ck_assert_msg(strncmp((c).err, (prefix), strlen(prefix)) == 0, "stderr '%s' does not start '%s'", \
                      (c).err, (prefix));                                                               \
    } while (0)

// True when s shows "nan" or "inf" as a token of its own, in any case; not
// inside a word ("infinity", "information") or a LaTeX command ("\infty").
bool prints_non_finite(const char *s);

// The names the in-process tests were written with (tests/capture.h before
// the two harnesses became one); the same type and functions.
// The slow tests (pdflatex compiles, gnuplot renders) run only when
// WORKBOOK_HEAVY_CHECKS is set: `make check-heavy` sets it, and CI runs
// that after `make check`, which stays near a minute. Otherwise says once
// on stderr (when suite is the one running) that `what` was skipped and
// returns false.
bool heavy_checks_enabled(const char *suite, const char *what);

typedef ProcResult Captured;
static inline void captured_free(Captured *c) { proc_free(c); }
static inline int captured_lines(const char *s) { return count_lines(s); }

#endif
