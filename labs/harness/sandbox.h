#ifndef WORKBOOK_LAB_SANDBOX_H
#define WORKBOOK_LAB_SANDBOX_H
// Runs the student's program (runner.c linked with the student's file) on
// one case in a child process of its own, with limits on CPU time, wall
// time, memory and output, and tells how it ended. The grader's memory,
// files and exit status are out of the student's reach: the child gets
// copies of the inputs, and what it prints is kept apart from its answer.

#include <stdbool.h>

#include "wire.h"

// How the student's run ended; only RUN_RETURNED carries an answer.
typedef enum {
    RUN_RETURNED,   // the function returned: outputs are valid
    RUN_NO_PROGRAM, // the student's program could not be started
    RUN_CRASHED,    // killed by a signal (signal says which)
    RUN_TIMED_OUT,  // past the CPU or the wall-clock limit
    RUN_FLOODED,    // printed more than SANDBOX_MAX_PRINT bytes
    RUN_EXITED,     // exited (exit_code) without returning from the function
    RUN_OVERRAN,    // wrote outside an output array
    RUN_CHANGED,    // changed one of its (const) inputs
} RunEnd;

// The limits of one case's run.
typedef struct {
    double seconds;          // CPU seconds (rounded up); the wall clock gets twice this
    long long memory_bytes;  // address space
} SandboxLimits;

// Output a student's program may print per case; past it, the run fails.
#define SANDBOX_MAX_PRINT (1 << 20)
// The memory limit, and the time limit a case gets unless --time-limit says.
#define SANDBOX_MEMORY_BYTES (256LL << 20)
#define SANDBOX_DEFAULT_SECONDS 2.0

typedef struct {
    RunEnd end;
    int signal;     // RUN_CRASHED
    int exit_code;  // RUN_EXITED
    int array;      // RUN_OVERRAN: the output; RUN_CHANGED: the input
    int index;      // RUN_OVERRAN: the index written
    char printed[600]; // the start of what it printed (stdout and stderr)
    bool printed_more; // it printed more than `printed` holds
} RunResult;

// Runs `program` on shape s and inputs in[]; on RUN_RETURNED fills out[k]
// (s->out_len[k] entries each).
RunResult sandbox_run(const char *program, const WireShape *s, const double *const *in, double *const *out,
                      const SandboxLimits *limits);

#endif
