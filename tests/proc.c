#include "proc.h"

#include <check.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

static char *slurp(FILE *f, size_t *len) {
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
    return s;
}

ProcResult run_chapter(const char *program, const char *const *args) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", BUILD_DIR, program);
    const char *argv[64];
    int argc = 0;
    argv[argc++] = path;
    for (int i = 0; args && args[i] && argc < 63; i++) argv[argc++] = args[i];
    argv[argc] = NULL;

    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err) abort();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) abort();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        dup2(devnull, STDIN_FILENO);
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        unsetenv("NO_COLOR");
        execv(path, (char *const *)argv);
        _exit(127);
    }
    int wstatus;
    waitpid(pid, &wstatus, 0);
    ProcResult r = {0};
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    r.out = slurp(out, &r.out_len);
    r.err = slurp(err, &r.err_len);
    fclose(out);
    fclose(err);
    return r;
}

void proc_free(ProcResult *p) {
    free(p->out);
    free(p->err);
    p->out = p->err = NULL;
}

int count_lines(const char *s) {
    int n = 0;
    for (const char *p = s; *p; p++)
        if (*p == '\n') n++;
    if (*s && s[strlen(s) - 1] != '\n') n++;
    return n;
}

void assert_usage_error(const ProcResult *p, const char *mention) {
    ck_assert_msg(p->status == 2, "status %d, stderr: %s", p->status, p->err);
    ck_assert_msg(p->out_len == 0, "stdout not empty:\n%s", p->out);
    ck_assert_msg(count_lines(p->err) == 1, "%d lines on stderr:\n%s", count_lines(p->err), p->err);
    ck_assert_msg(strncmp(p->err, "error: ", 7) == 0, "stderr does not start with 'error: ': %s", p->err);
    if (mention) ck_assert_msg(strstr(p->err, mention) != NULL, "'%s' not named in: %s", mention, p->err);
}

bool prints_non_finite(const char *s) {
    for (const char *p = s; *p; p++) {
        if (strncasecmp(p, "inf", 3) != 0 && strncasecmp(p, "nan", 3) != 0) continue;
        bool inside_word = p > s && (isalpha((unsigned char)p[-1]) || p[-1] == '\\');
        if (!inside_word && !isalpha((unsigned char)p[3])) return true;
    }
    return false;
}
