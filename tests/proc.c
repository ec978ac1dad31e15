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

// The most arguments run_chapter passes; more is a bug in the test.
enum { MAX_ARGS = 63 };

static bool is_verdict_word(const char *w, size_t n) {
    static const char *const WORDS[] = {"PASS", "FAIL", "INCONCLUSIVE", "NOTHING TO COMPARE"};
    for (size_t k = 0; k < sizeof WORDS / sizeof *WORDS; k++)
        if (n == strlen(WORDS[k]) && strncmp(w, WORDS[k], n) == 0) return true;
    return false;
}

// A verdict too wide for the text format is printed as "name: WORD" with
// its detail wrapped on indented lines below; this puts it back on one line,
// "name: detail: WORD", as a narrow verdict is printed.
char *join_verdicts(const char *out) {
    size_t n = strlen(out);
    char *j = malloc(n + 1), *w = j;
    if (!j) abort();
    for (const char *p = out; *p;) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *colon = NULL;
        for (const char *q = p; q + 1 < p + len; q++)
            if (q[0] == ':' && q[1] == ' ') colon = q;
        if (colon && eol && strncmp(eol + 1, "  ", 2) == 0 && is_verdict_word(colon + 2, (size_t)(p + len - colon - 2))) {
            memcpy(w, p, (size_t)(colon + 2 - p)); // "name: "
            w += colon + 2 - p;
            const char *q = eol + 1;
            bool first = true;
            while (strncmp(q, "  ", 2) == 0) { // the indented detail lines
                const char *e = strchr(q, '\n');
                size_t l = e ? (size_t)(e - q) - 2 : strlen(q) - 2;
                if (!first) *w++ = ' ';
                memcpy(w, q + 2, l);
                w += l;
                first = false;
                q = e ? e + 1 : q + 2 + l;
            }
            w += sprintf(w, ": %.*s\n", (int)(p + len - colon - 2), colon + 2);
            p = q;
            continue;
        }
        memcpy(w, p, len + (eol ? 1 : 0));
        w += len + (eol ? 1 : 0);
        p += len + (eol ? 1 : 0);
    }
    *w = '\0';
    return j;
}

char *capture_slurp(FILE *f, size_t *len) {
    fflush(f);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    *len = fread(s, 1, (size_t)n, f);
    s[*len] = '\0';
    return s;
}

// Forks; the child gets stdin from /dev/null, stdout and stderr into
// temporary files, NO_COLOR unset, and runs child(ctx) (which must not
// return when it execs; its return value is the exit status otherwise).
static ProcResult run_child(int (*child)(void *), void *ctx) {
    FILE *out = tmpfile(), *err = tmpfile();
    if (!out || !err) abort();
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) abort();
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2(devnull, STDIN_FILENO);
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        unsetenv("NO_COLOR");
        exit(child(ctx));
    }
    int wstatus;
    if (waitpid(pid, &wstatus, 0) != pid) abort();
    ProcResult r = {0};
    r.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    r.out = capture_slurp(out, &r.out_len);
    r.err = capture_slurp(err, &r.err_len);
    r.joined = join_verdicts(r.out);
    fclose(out);
    fclose(err);
    return r;
}

static int exec_argv(void *ctx) {
    char *const *argv = ctx;
    execv(argv[0], argv);
    fprintf(stderr, "cannot run %s\n", argv[0]);
    return 127;
}

ProcResult run_chapter(const char *program, const char *const *args) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", BUILD_DIR, program);
    const char *argv[MAX_ARGS + 1];
    int argc = 0;
    argv[argc++] = path;
    for (int i = 0; args && args[i]; i++) {
        if (argc == MAX_ARGS) abort();
        argv[argc++] = args[i];
    }
    argv[argc] = NULL;
    return run_child(exec_argv, (void *)argv);
}

typedef struct {
    const char *script, *cwd;
} ShellRun;

static int exec_shell(void *ctx) {
    const ShellRun *s = ctx;
    if (s->cwd && chdir(s->cwd) != 0) {
        fprintf(stderr, "cannot enter %s\n", s->cwd);
        return 127;
    }
    execl("/bin/sh", "sh", "-c", s->script, (char *)NULL);
    fprintf(stderr, "cannot run /bin/sh\n");
    return 127;
}

ProcResult run_shell(const char *script, const char *cwd) {
    ShellRun s = {script, cwd};
    return run_child(exec_shell, &s);
}

typedef struct {
    CapturedFn fn;
    void *ctx;
} FnRun;

static int call_fn(void *ctx) {
    const FnRun *f = ctx;
    return f->fn(f->ctx);
}

ProcResult capture_run(CapturedFn fn, void *ctx) {
    FnRun f = {fn, ctx};
    return run_child(call_fn, &f);
}

void proc_free(ProcResult *p) {
    free(p->out);
    free(p->err);
    free(p->joined);
    p->out = p->err = p->joined = NULL;
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

#ifndef CHAPTER_LIST
#define CHAPTER_LIST ""
#endif

int chapter_numbers(int *out, int max) {
    int n = 0;
    for (const char *p = CHAPTER_LIST; *p && n < max;) {
        char *end;
        long v = strtol(p, &end, 10);
        if (end == p) break;
        out[n++] = (int)v;
        p = end;
    }
    return n;
}

char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t len;
    fseek(f, 0, SEEK_END);
    char *s = capture_slurp(f, &len);
    fclose(f);
    return s;
}

bool heavy_checks_enabled(const char *suite, const char *what) {
    const char *v = getenv("WORKBOOK_HEAVY_CHECKS"), *running = getenv("CK_RUN_SUITE");
    if (v && *v && strcmp(v, "0") != 0) return true;
    if (running && strcmp(running, suite) != 0) return false;
    fprintf(stderr, "%s: skipped in make check (make check-heavy runs them; CI does)\n", what);
    return false;
}
