// The student's process: reads one case from fd WIRE_IN_FD, calls the
// student's function on private copies of its inputs, and writes the
// outputs and what it saw (a write outside an output, a changed input) to
// fd WIRE_OUT_FD. It is linked with the student's file and libm only, never
// the workbook's library, and runs under the grader's limits (sandbox.c).
#include <stdlib.h>
#include <string.h>

#include "wire.h"

// Entries kept free before and after every output, filled with GUARD_BITS,
// so that a write just outside an array is seen (and lands in memory the
// student's process owns rather than in the next array).
#define GUARD 64
#define GUARD_BITS 0x7ff4c0debadc0de5ull // a NaN no arithmetic produces

static double guard_value(void) {
    uint64_t bits = GUARD_BITS;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static bool is_guard(double d) {
    double g = guard_value();
    return memcmp(&d, &g, sizeof d) == 0;
}

static double *alloc_guarded(int n) {
    double *base = calloc((size_t)n + 2 * GUARD, sizeof(double));
    if (!base) exit(121);
    for (int k = 0; k < GUARD; k++) base[k] = base[GUARD + n + k] = guard_value();
    return base + GUARD;
}

// The first index outside [0, n) whose guard was written, or 0 (none).
static bool overrun_at(const double *v, int n, int *at) {
    for (int k = 1; k <= GUARD; k++)
        if (!is_guard(v[-k])) return *at = -k, true;
    for (int k = 0; k < GUARD; k++)
        if (!is_guard(v[n + k])) return *at = n + k, true;
    return false;
}

int main(void) {
    FILE *in = fdopen(WIRE_IN_FD, "rb"), *out = fdopen(WIRE_OUT_FD, "wb");
    WireShape s;
    if (!in || !out || !wire_read_shape(in, &s)) return 120;
    double *inputs[WIRE_MAX_ARRAYS], *copies[WIRE_MAX_ARRAYS], *outputs[WIRE_MAX_ARRAYS];
    for (int k = 0; k < s.n_in; k++) {
        inputs[k] = alloc_guarded(s.in_len[k]);
        copies[k] = alloc_guarded(s.in_len[k]);
        if (!wire_read_doubles(in, inputs[k], s.in_len[k])) return 120;
        memcpy(copies[k], inputs[k], sizeof(double) * (size_t)s.in_len[k]);
    }
    for (int k = 0; k < s.n_out; k++) outputs[k] = alloc_guarded(s.out_len[k]);
    lab_call_student(outputs, (const double *const *)inputs, s.ints);
    WireStatus st = {.done = WIRE_DONE, .overrun = -1, .overrun_at = -1, .changed = -1};
    for (int k = 0; k < s.n_out && st.overrun < 0; k++) {
        int at;
        if (overrun_at(outputs[k], s.out_len[k], &at)) st.overrun = k, st.overrun_at = at;
    }
    for (int k = 0; k < s.n_in && st.changed < 0; k++)
        if (memcmp(inputs[k], copies[k], sizeof(double) * (size_t)s.in_len[k]) != 0) st.changed = k;
    bool ok = true;
    for (int k = 0; k < s.n_out; k++) ok = ok && wire_write_doubles(out, outputs[k], s.out_len[k]);
    ok = ok && fwrite(&st, sizeof st, 1, out) == 1;
    return fclose(out) == 0 && ok ? 0 : 120;
}
