#ifndef WORKBOOK_PROGRESS_H
#define WORKBOOK_PROGRESS_H
// Progress of long work on stderr, for a person watching a terminal: a
// line "checking ∂L/∂X: 1200 of 4096" rewritten in place, shown only when
// stderr is a terminal and the run has gone PROGRESS_AFTER_SECONDS, and
// erased when it ends. stdout is never touched, so output stays
// byte-identical. The Progress is the caller's (on the stack).
//
// Work with no Progress of its own (formatting a 4096x4096 matrix, reading
// a big @file, re-running a --bug variant) is covered by the run's
// activity: the section under way, set by the report, shown by
// progress_tick, which the hot loops of formatting and parsing call.

#include <stdbool.h>

// Quick work says nothing; a second is where a person starts to wonder.
// The environment variable PROGRESS_AFTER_ENV (seconds, 0 to 60) overrides
// it, so a test can see the line without waiting.
#define PROGRESS_AFTER_SECONDS 1.0
#define PROGRESS_AFTER_ENV "WORKBOOK_PROGRESS_AFTER"

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

// The run's activity ("5.3 The input gradient"); copied. The context, when
// not NULL, is shown before it ("naming the mistake: running --bug no-rot180").
void progress_activity(const char *what);
void progress_context(const char *context);
// Cheap (a counter; the clock is read every few thousand calls): shows the
// activity line when the run has gone long enough and no Progress is shown.
void progress_tick(void);
// The same, reading the clock at every call: for a loop whose steps are
// slow (a --formula case, a --bug variant's run).
void progress_poll(void);
// Erases a shown line (before stdout is written to the same terminal).
void progress_clear(void);

#endif
