#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

// Updates at most this often, so the terminal is not the bottleneck.
#define PROGRESS_INTERVAL_SECONDS 0.25
// progress_tick reads the clock once per this many calls (a power of two):
// a call costs a counter, and a few thousand numbers format in a millisecond.
#define TICKS_PER_CLOCK_READ 1024u
// The activity line is cut to this many characters: a line that wraps
// cannot be rewritten in place with a carriage return.
#define ACTIVITY_COLUMNS 76
// Longest override of the threshold a test or a user could mean.
#define MAX_AFTER_SECONDS 60.0

// One run of the program (re-runs for naming a mistake included): its clock,
// whether stderr is a terminal, and the line on it, if any.
static struct {
    bool started, tty, shown, bar_shown; // bar_shown: the line is an open Progress's
    double start, last, after, interval;
    unsigned ticks;
    char activity[200], context[120];
} run;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double threshold(void) {
    const char *env = getenv(PROGRESS_AFTER_ENV);
    if (!env || !*env) return PROGRESS_AFTER_SECONDS;
    char *end;
    double s = strtod(env, &end);
    return *end == '\0' && s >= 0 && s <= MAX_AFTER_SECONDS ? s : PROGRESS_AFTER_SECONDS;
}

static void start_run(void) {
    if (run.started) return;
    run.started = true;
    run.tty = isatty(STDERR_FILENO) == 1;
    run.after = threshold();
    // A shorter threshold (a test's 0) updates as often, so each step shows.
    run.interval = run.after < PROGRESS_INTERVAL_SECONDS ? run.after : PROGRESS_INTERVAL_SECONDS;
    run.start = run.last = now();
    if (run.tty) atexit(progress_clear); // whatever way the program ends, the line goes
}

// Whether a line may be written now (the run is old enough and the last
// line is not too fresh); reads the clock.
static bool time_to_show(void) {
    double t = now();
    if (t - run.start < run.after || (run.shown && t - run.last < run.interval)) return false;
    run.last = t;
    return true;
}

void progress_begin(Progress *p, const char *what, const char *unit, long total) {
    start_run();
    *p = (Progress){.what = what, .unit = unit, .total = total, .tty = run.tty};
    if (p->tty) p->start = p->last = now();
}

void progress_update(Progress *p, long done) {
    if (!p->tty || !time_to_show()) return;
    p->last = run.last;
    p->shown = run.shown = run.bar_shown = true;
    fprintf(stderr, "\r\033[K%s: %ld of %ld %s", p->what, done, p->total, p->unit);
    fflush(stderr);
}

void progress_end(Progress *p) {
    if (p->shown) progress_clear();
    p->shown = false;
}

static void show_activity(void);

void progress_activity(const char *what) {
    start_run();
    snprintf(run.activity, sizeof run.activity, "%s", what ? what : "");
    progress_poll();
}

void progress_context(const char *context) {
    start_run();
    snprintf(run.context, sizeof run.context, "%s", context ? context : "");
}

// s cut to at most columns characters (UTF-8: continuation bytes are not
// counted, and a character is never cut in two).
static void cut_to_columns(char *s, int columns) {
    int n = 0;
    for (char *c = s; *c; c++)
        if (((unsigned char)*c & 0xC0) != 0x80 && n++ == columns) {
            *c = '\0';
            return;
        }
}

void progress_tick(void) {
    if (!run.started) start_run();
    if ((++run.ticks & (TICKS_PER_CLOCK_READ - 1)) == 0) show_activity();
}

void progress_poll(void) {
    start_run();
    show_activity();
}

static void show_activity(void) {
    if (!run.tty || run.bar_shown || !time_to_show()) return;
    char line[sizeof run.context + sizeof run.activity + 40];
    snprintf(line, sizeof line, "%s%s%s", run.context, run.context[0] && run.activity[0] ? ": " : "",
             run.activity[0] || run.context[0] ? run.activity : "working");
    cut_to_columns(line, ACTIVITY_COLUMNS - 8);
    fprintf(stderr, "\r\033[K%s (%.0f s)", line, run.last - run.start);
    fflush(stderr);
    run.shown = true;
}

void progress_clear(void) {
    if (!run.shown) return;
    fprintf(stderr, "\r\033[K");
    fflush(stderr);
    run.shown = run.bar_shown = false;
}
