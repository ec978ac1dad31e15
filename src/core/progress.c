#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

// Updates at most this often, so the terminal is not the bottleneck.
#define PROGRESS_INTERVAL_SECONDS 0.25

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void progress_begin(Progress *p, const char *what, const char *unit, long total) {
    *p = (Progress){.what = what, .unit = unit, .total = total, .tty = isatty(STDERR_FILENO) == 1};
    if (p->tty) p->start = p->last = now();
}

void progress_update(Progress *p, long done) {
    if (!p->tty) return;
    double t = now();
    if (t - p->start < PROGRESS_AFTER_SECONDS || t - p->last < PROGRESS_INTERVAL_SECONDS) return;
    p->last = t;
    p->shown = true;
    fprintf(stderr, "\r\033[K%s: %ld of %ld %s", p->what, done, p->total, p->unit);
    fflush(stderr);
}

void progress_end(Progress *p) {
    if (p->shown) fprintf(stderr, "\r\033[K");
    p->shown = false;
}
