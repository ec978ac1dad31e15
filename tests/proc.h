#ifndef TEST_PROC_H
#define TEST_PROC_H
// Runs a built chapter program as a separate process and captures its exit
// status, stdout and stderr, so tests can assert on what a user would see.

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    int status; // exit status, or 128+signal if it was killed
    char *out, *err;
    size_t out_len, err_len;
} ProcResult;

// program is "chapter1" (found in BUILD_DIR); args is NULL-terminated.
// Runs with NO_COLOR unset and stdin from /dev/null.
ProcResult run_chapter(const char *program, const char *const *args);
void proc_free(ProcResult *p);

// Counts the lines of s (a final line without '\n' counts).
int count_lines(const char *s);

// The bad-input contract, asserted with Check: exit status 2, nothing on
// stdout, exactly one stderr line, starting "error: " and containing
// `mention` (skipped when mention is NULL).
void assert_usage_error(const ProcResult *p, const char *mention);

// True when s shows "nan" or "inf" as a token of its own, in any case; not
// inside a word ("infinity", "information") or a LaTeX command ("\infty").
bool prints_non_finite(const char *s);

#endif
