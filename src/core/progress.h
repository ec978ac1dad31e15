#ifndef WORKBOOK_PROGRESS_H
#define WORKBOOK_PROGRESS_H
// Progress of long work on stderr, for a person watching a terminal: a
// line "checking ∂L/∂X: 1200 of 4096" rewritten in place, shown only when
// stderr is a terminal and the work has run for PROGRESS_AFTER_SECONDS, and
// erased when it ends. stdout is never touched, so output stays
// byte-identical. The Progress is the caller's (on the stack).

#include <stdbool.h>

// Quick work says nothing; a second is where a person starts to wonder.
#define PROGRESS_AFTER_SECONDS 1.0

typedef struct {
    const char *what, *unit; // "checking ∂L/∂X", "entries"
    long total;
    double start, last;      // seconds (monotonic)
    bool tty, shown;
} Progress;

void progress_begin(Progress *p, const char *what, const char *unit, long total);
// done of total so far; prints at most a few times a second.
void progress_update(Progress *p, long done);
void progress_end(Progress *p);

#endif
