#ifndef TEST_CAPTURE_H
#define TEST_CAPTURE_H
// Runs a function of the library in a forked child whose stdout and stderr go
// to temporary files, so a test can assert exactly what was printed and how
// the child ended: usage_error() exits 2, report_finish() writes stdout.
// The child's stdout is a file, never a TTY, and NO_COLOR is unset in it.

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct {
    int status; // exit status, or 128+signal when the child was killed
    char *out, *err;
    size_t out_len, err_len;
} Captured;

// Its return value becomes the child's exit status (unless it exits itself).
typedef int (*CapturedFn)(void *ctx);

static inline char *capture_slurp(FILE *f, size_t *len) {
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(s);
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
    return s;
}

static inline Captured capture_run(CapturedFn fn, void *ctx) {
    FILE *out = tmpfile(), *err = tmpfile();
    ck_assert_ptr_nonnull(out);
    ck_assert_ptr_nonnull(err);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        unsetenv("NO_COLOR");
        exit(fn(ctx));
    }
    int wstatus;
    ck_assert_int_eq(waitpid(pid, &wstatus, 0), pid);
    Captured c = {0};
    c.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    c.out = capture_slurp(out, &c.out_len);
    c.err = capture_slurp(err, &c.err_len);
    fclose(out);
    fclose(err);
    return c;
}

static inline void captured_free(Captured *c) {
    free(c->out);
    free(c->err);
    c->out = c->err = NULL;
}

// Lines in s, counting a last line without '\n'.
static inline int captured_lines(const char *s) {
    int n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n') n++;
    if (*s && s[strlen(s) - 1] != '\n') n++;
    return n;
}

// The usage-error contract: nothing on stdout, exit 2, and exactly one
// stderr line that starts with prefix.
#define ck_assert_usage_error(c, prefix)                                                                \
    do {                                                                                                \
        ck_assert_msg((c).status == 2, "exit status %d, expected 2 (stderr: %s)", (c).status, (c).err); \
        ck_assert_msg((c).out_len == 0, "stdout not empty: %s", (c).out);                               \
        ck_assert_int_eq(captured_lines((c).err), 1);                                                   \
        ck_assert_msg(strncmp((c).err, (prefix), strlen(prefix)) == 0, "stderr '%s' does not start '%s'", \
                      (c).err, (prefix));                                                               \
    } while (0)

#endif
