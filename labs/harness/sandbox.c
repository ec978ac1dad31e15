#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void limit(int resource, rlim_t value) {
    struct rlimit r = {value, value};
    setrlimit(resource, &r);
}

// In the child: its own process group (so that the grader can kill all it
// starts), the case on fd 3, the answer to fd 4, prints to `printed`,
// nothing on stdin, the limits; then the student's program.
static void start_child(const char *program, int in, int out, int printed, const SandboxLimits *lim) {
    setpgid(0, 0);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(printed, 1) < 0 || dup2(printed, 2) < 0 ||
        dup2(in, WIRE_IN_FD) < 0 || dup2(out, WIRE_OUT_FD) < 0)
        _exit(127);
    for (int fd = WIRE_OUT_FD + 1; fd < 1024; fd++) close(fd);
    limit(RLIMIT_CPU, (rlim_t)ceil(lim->seconds));
    limit(RLIMIT_AS, (rlim_t)lim->memory_bytes);
    limit(RLIMIT_FSIZE, SANDBOX_MAX_PRINT);
    limit(RLIMIT_CORE, 0);
    char *argv[] = {(char *)program, NULL};
    execv(program, argv);
    _exit(127);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// Waits for pid until the wall-clock limit (SIGCHLD, blocked by the caller,
// wakes it at once); past the limit, kills its whole group.
static bool wait_until(pid_t pid, double deadline, int *status) {
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) return false;
        double left = deadline - now();
        if (left <= 0.0) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            return false;
        }
        struct timespec t = {(time_t)left, (long)((left - floor(left)) * 1e9)};
        sigtimedwait(&chld, NULL, &t);
    }
    kill(-pid, SIGKILL); // whatever it started dies with it
    return true;
}

static void read_printed(RunResult *r, FILE *f) {
    rewind(f);
    size_t n = fread(r->printed, 1, sizeof r->printed - 1, f);
    r->printed[n] = '\0';
    r->printed_more = fgetc(f) != EOF;
}

// The answer and the status the student's program wrote to fd 4.
static void read_answer(RunResult *r, FILE *f, const WireShape *s, double *const *out) {
    WireStatus st;
    rewind(f);
    bool ok = true;
    for (int k = 0; k < s->n_out; k++) ok = ok && wire_read_doubles(f, out[k], s->out_len[k]);
    if (!ok || fread(&st, sizeof st, 1, f) != 1 || st.done != WIRE_DONE) {
        r->end = RUN_EXITED;
        return;
    }
    if (st.overrun >= 0 && st.overrun < s->n_out) r->end = RUN_OVERRAN, r->array = st.overrun, r->index = st.overrun_at;
    else if (st.changed >= 0 && st.changed < s->n_in) r->end = RUN_CHANGED, r->array = st.changed;
}

static RunResult judge_status(int status, bool in_time) {
    if (!in_time) return (RunResult){.end = RUN_TIMED_OUT};
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        if (sig == SIGXCPU) return (RunResult){.end = RUN_TIMED_OUT};
        if (sig == SIGXFSZ) return (RunResult){.end = RUN_FLOODED};
        return (RunResult){.end = RUN_CRASHED, .signal = sig};
    }
    int code = WEXITSTATUS(status);
    if (code == 127) return (RunResult){.end = RUN_NO_PROGRAM};
    return (RunResult){.end = code == 0 ? RUN_RETURNED : RUN_EXITED, .exit_code = code};
}

static bool write_case(FILE *f, const WireShape *s, const double *const *in) {
    bool ok = wire_write_shape(f, s);
    for (int k = 0; k < s->n_in; k++) ok = ok && wire_write_doubles(f, in[k], s->in_len[k]);
    return fflush(f) == 0 && ok && fseek(f, 0, SEEK_SET) == 0;
}

RunResult sandbox_run(const char *program, const WireShape *s, const double *const *in, double *const *out,
                      const SandboxLimits *lim) {
    RunResult r = {.end = RUN_NO_PROGRAM};
    FILE *fin = tmpfile(), *fout = tmpfile(), *fprinted = tmpfile();
    if (!fin || !fout || !fprinted || !write_case(fin, s, in) || access(program, X_OK) != 0) goto done;
    fflush(stdout);
    fflush(stderr);
    // An ignored SIGCHLD (inherited from whoever started the grader) would
    // reap the child unseen: waitpid must find it.
    signal(SIGCHLD, SIG_DFL);
    sigset_t chld, saved;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, &saved);
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &saved, NULL);
        start_child(program, fileno(fin), fileno(fout), fileno(fprinted), lim);
    }
    int status = 0;
    bool in_time = pid > 0 && wait_until(pid, now() + 2.0 * lim->seconds, &status);
    sigprocmask(SIG_SETMASK, &saved, NULL);
    if (pid < 0) goto done;
    r = judge_status(status, in_time);
    read_printed(&r, fprinted);
    if (r.end == RUN_RETURNED) read_answer(&r, fout, s, out); // exit(0) inside the function: RUN_EXITED, code 0
done:
    if (fin) fclose(fin);
    if (fout) fclose(fout);
    if (fprinted) fclose(fprinted);
    return r;
}
