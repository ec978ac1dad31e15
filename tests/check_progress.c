// Progress on stderr (src/core/progress.h): shown on a terminal once the work
// has run for a second, rewritten in place and erased at the end; never
// shown when stderr is not a terminal (a file, a pipe, CI), so no test or
// script ever sees it.
#define _XOPEN_SOURCE 700
#include <check.h>
#include <fcntl.h>
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

Suite *make_progress_suite(void) {
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("progress");
    tcase_add_test(tc, test_shown_on_a_terminal_and_erased);
    tcase_add_test(tc, test_silent_when_not_a_terminal);
    suite_add_tcase(s, tc);
    return s;
}
