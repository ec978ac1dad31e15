// Progress on stderr (src/core/progress.h): shown on a terminal once the work
// has run for a second, rewritten in place and erased at the end; never
// shown when stderr is not a terminal (a file, a pipe, CI), so no test or
// script ever sees it. The chapter runs below put stderr on a
// pseudo-terminal and stdout on a pipe, with WORKBOOK_PROGRESS_AFTER=0 so
// that the line shows at once instead of after a second.
#define _XOPEN_SOURCE 700
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "proc.h"

static void slow_work(void) {
    Progress p;
    progress_begin(&p, "checking dX", "entries", 10);
    progress_update(&p, 1); // too early: nothing yet
    struct timespec pause = {1, 200000000};
    nanosleep(&pause, NULL);
    progress_update(&p, 5);
    progress_end(&p);
}

// Runs slow_work with stderr on a pseudo-terminal; returns what it wrote.
static char *stderr_on_a_terminal(void) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert_int_eq(grantpt(master), 0);
    ck_assert_int_eq(unlockpt(master), 0);
    const char *name = ptsname(master);
    ck_assert_ptr_nonnull(name);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(name, O_RDWR | O_NOCTTY);
        if (slave < 0) _exit(3);
        dup2(slave, STDERR_FILENO);
        slow_work();
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char *buf = calloc(4096, 1);
    ck_assert_ptr_nonnull(buf);
    size_t got = 0;
    fcntl(master, F_SETFL, O_NONBLOCK);
    for (ssize_t n; got < 4095 && (n = read(master, buf + got, 4095 - got)) > 0;) got += (size_t)n;
    close(master);
    return buf;
}

START_TEST(test_shown_on_a_terminal_and_erased) {
    char *err = stderr_on_a_terminal();
    ck_assert_msg(strstr(err, "\r\033[Kchecking dX: 5 of 10 entries") != NULL, "got '%s'", err);
    ck_assert_ptr_null(strstr(err, "1 of 10")); // not before a second had passed
    size_t n = strlen(err);
    ck_assert(n >= 4 && strcmp(err + n - 4, "\r\033[K") == 0); // the line is erased at the end
    free(err);
}
END_TEST

static int slow_work_to_a_file(void *ctx) {
    (void)ctx;
    slow_work();
    return 0;
}

START_TEST(test_silent_when_not_a_terminal) {
    Captured c = capture_run(slow_work_to_a_file, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_str_eq(c.err, "");
    captured_free(&c);
}
END_TEST

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

typedef struct {
    char *out, *tty; // stdout (a pipe) and what reached the terminal (stderr)
    size_t out_len;
    int status;
} TtyRun;

static void append(char **buf, size_t *len, size_t *cap, const char *data, size_t n) {
    if (*len + n + 1 > *cap) {
        *cap = 2 * (*len + n + 1);
        *buf = realloc(*buf, *cap);
        ck_assert_ptr_nonnull(*buf);
    }
    memcpy(*buf + *len, data, n);
    *len += n;
    (*buf)[*len] = '\0';
}

// BUILD_DIR/program args with stderr on a pseudo-terminal and stdout on a
// pipe, both read as the program runs (a full terminal would stall it).
static TtyRun run_with_stderr_on_a_terminal(const char *program, const char *const *args) {
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    ck_assert_int_ge(master, 0);
    ck_assert(grantpt(master) == 0 && unlockpt(master) == 0);
    const char *name = ptsname(master);
    ck_assert_ptr_nonnull(name);
    int out[2];
    ck_assert_int_eq(pipe(out), 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int slave = open(name, O_RDWR | O_NOCTTY);
        int null = open("/dev/null", O_RDONLY);
        if (slave < 0 || null < 0) _exit(127);
        dup2(null, STDIN_FILENO), dup2(out[1], STDOUT_FILENO), dup2(slave, STDERR_FILENO);
        close(out[0]), close(out[1]), close(master);
        setenv("WORKBOOK_PROGRESS_AFTER", "0", 1);
        char path[256];
        snprintf(path, sizeof path, "%s/%s", BUILD_DIR, program);
        const char *argv[32] = {path};
        for (int i = 0; args[i] && i < 30; i++) argv[i + 1] = args[i];
        execv(path, (char **)argv);
        _exit(127);
    }
    close(out[1]);
    TtyRun r = {0};
    size_t tty_len = 0, out_cap = 0, tty_cap = 0;
    append(&r.out, &r.out_len, &out_cap, "", 0);
    append(&r.tty, &tty_len, &tty_cap, "", 0);
    bool out_open = true, tty_open = true;
    while (out_open || tty_open) {
        struct pollfd fds[2] = {{out_open ? out[0] : -1, POLLIN, 0}, {tty_open ? master : -1, POLLIN, 0}};
        if (poll(fds, 2, out_open ? -1 : 200) <= 0) break; // the terminal stays open; stop once stdout closed
        char buf[4096];
        if (out_open && fds[0].revents) {
            ssize_t n = read(out[0], buf, sizeof buf);
            if (n > 0) append(&r.out, &r.out_len, &out_cap, buf, (size_t)n);
            else out_open = false;
        }
        if (tty_open && fds[1].revents) {
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) append(&r.tty, &tty_len, &tty_cap, buf, (size_t)n);
            else tty_open = false; // EIO: the program has gone
        }
    }
    int status;
    waitpid(pid, &status, 0);
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    close(out[0]), close(master);
    return r;
}

// The run on a terminal shows `expected` in a progress line, erases its line
// at the end, and writes stdout byte for byte as a run with no terminal.
static void assert_progress_shown(const char *program, const char *const *args, const char *expected) {
    TtyRun t = run_with_stderr_on_a_terminal(program, args);
    ProcResult plain = run_chapter(program, args);
    ck_assert_int_eq(t.status, plain.status);
    ck_assert_msg(t.out_len == plain.out_len && memcmp(t.out, plain.out, t.out_len) == 0,
                  "%s: stdout differs with stderr on a terminal", program);
    ck_assert_str_eq(plain.err, "");
    char line[256];
    snprintf(line, sizeof line, "\r\033[K%s", expected);
    ck_assert_msg(strstr(t.tty, line) != NULL, "no progress line '%s' in '%s'", expected, t.tty);
    size_t n = strlen(t.tty);
    ck_assert_msg(n >= 4 && strcmp(t.tty + n - 4, "\r\033[K") == 0, "the line is not erased at the end");
    proc_free(&plain);
    free(t.out), free(t.tty);
}

// Naming the mistake of a wrong answer re-runs the chapter per --bug: the
// line says which.
START_TEST(test_mistake_naming_shows_progress) {
    const char *args[] = {"--answer", "db=5", NULL};
    assert_progress_shown("chapter5", args, "naming the mistake: running --bug ");
}
END_TEST

START_TEST(test_formulas_show_progress) {
    const char *args[] = {"--formula", "dK = xcorr(X, G)", "--formula", "dK = conv(X, G)", NULL};
    assert_progress_shown("chapter5", args, "checking --formula 2 of 2 (dK)");
}
END_TEST

// A big @file, a big padding: the line names the option being read, then
// the section under way.
START_TEST(test_reading_and_sections_show_progress) {
    const char *args[] = {"--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 2; 3 4", NULL};
    assert_progress_shown("chapter1", args, "reading --input");
    assert_progress_shown("chapter1", args, "1.5 The kernel gradient");
    const char *padded[] = {"--padding", "40", NULL};
    assert_progress_shown("chapter5", padded, "5.1 The layer");
}
END_TEST

// Bad input after the line has shown: the line is erased before the error,
// which starts a line of its own.
START_TEST(test_error_erases_the_line) {
    const char *args[] = {"--input", "1 2; 3", NULL};
    TtyRun t = run_with_stderr_on_a_terminal("chapter5", args);
    ck_assert_int_eq(t.status, 2);
    ck_assert_int_eq(t.out_len, 0);
    ck_assert_msg(strstr(t.tty, "\r\033[Kreading --input") != NULL, "got '%s'", t.tty);
    ck_assert_msg(strstr(t.tty, "\r\033[Kerror: --input: ") != NULL, "got '%s'", t.tty);
    free(t.out), free(t.tty);
}
END_TEST

Suite *make_progress_suite(void) {
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, test_shown_on_a_terminal_and_erased);
    tcase_add_test(tc, test_silent_when_not_a_terminal);
    tcase_add_test(tc, test_mistake_naming_shows_progress);
    tcase_add_test(tc, test_formulas_show_progress);
    tcase_add_test(tc, test_reading_and_sections_show_progress);
    tcase_add_test(tc, test_error_erases_the_line);
    suite_add_tcase(s, tc);
    return s;
}
