#ifndef WORKBOOK_LAB_WIRE_H
#define WORKBOOK_LAB_WIRE_H
// What passes between the grader and the student's process (runner.c): one
// case's inputs going in, the student's outputs and a status coming back.
// Both are files the grader creates; the student's process reads fd
// WIRE_IN_FD and writes fd WIRE_OUT_FD, so nothing the student prints can
// be taken for an answer.
//
// In:  magic, n_in, n_ints, n_out, the n_in input lengths, the n_ints
//      integers, the n_out output lengths (int32 each), then the inputs'
//      doubles in order.
// Out: the outputs' doubles in order, then a WireStatus.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define WIRE_IN_FD 3
#define WIRE_OUT_FD 4
#define WIRE_MAGIC 0x4c414231u // "LAB1"
#define WIRE_DONE 0x444f4e45u  // "DONE": the student's function returned
#define WIRE_MAX_ARRAYS 8
#define WIRE_MAX_INTS 16
// No case has an array this long; a longer length is a corrupt file.
#define WIRE_MAX_LEN (1 << 20)

typedef struct {
    int n_in, n_ints, n_out;
    int in_len[WIRE_MAX_ARRAYS], ints[WIRE_MAX_INTS], out_len[WIRE_MAX_ARRAYS];
} WireShape;

// What the student's process found after the call; -1 in a field: nothing.
typedef struct {
    uint32_t done;        // WIRE_DONE
    int32_t overrun;      // the output written outside its array
    int32_t overrun_at;   // the index written (−1 before the start, len after the end)
    int32_t changed;      // the input the function changed (they are const)
} WireStatus;

bool wire_shape_valid(const WireShape *s);
// Writes or reads the header; false on a write/read error or a bad header.
bool wire_write_shape(FILE *f, const WireShape *s);
bool wire_read_shape(FILE *f, WireShape *s);
bool wire_write_doubles(FILE *f, const double *v, int n);
bool wire_read_doubles(FILE *f, double *v, int n);

// The lab's call of the student's function (harness_labN.c, compiled with
// LAB_STUDENT_PROCESS): outputs, inputs and integers in the lab's order.
void lab_call_student(double *const *out, const double *const *in, const int *ints);

#endif
