#ifndef WORKBOOK_LAB_HARNESS_H
#define WORKBOOK_LAB_HARNESS_H
// The grading harness shared by the labs. A lab (harness_labN.c) describes
// its cases; grade.c runs the student's function on each in a process of its
// own (sandbox.c, runner.c), and this file judges the student's gradients
// against finite differences (the workbook's error-bounded checker) and
// against the library's reference, and prints a failing case in full with
// the classic mistake it matches. The reference, the finite differences and
// the mistakes are computed in the grader before the student's code runs,
// on arrays the student's process never sees.
//
// Ownership: a Case owns its blocks' and inputs' arrays (case_free releases
// them); the lab allocates them with case_block and case_input.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gradcheck.h"
#include "wire.h"

#define MAX_BLOCKS 3
#define MAX_MISTAKES 8

// One gradient of a case: ∂L/∂X, ∂L/∂K, ...
typedef struct {
    const char *name; // "dX"
    int h, w;         // shape, h*w entries
    double *student;  // what the student's function wrote
    double *reference; // the library's answer
    NumericalDerivative *numerical; // finite differences; NULL where the loss has a kink (a tie)
    double *mistake[MAX_MISTAKES];  // each classic mistake's answer at these inputs (NULL: not defined here)
} Block;

typedef struct {
    const char *group; // the case group, one Gradescope test each: "article example", "random", ...
    char inputs[8192]; // the inputs, as text, shown for a failing case
    int n_blocks;
    Block blocks[MAX_BLOCKS]; // the student's function's outputs, in its argument order
    // The student's function's inputs, in its argument order: arrays, then integers.
    int n_in;
    const char *in_name[WIRE_MAX_ARRAYS];
    double *in[WIRE_MAX_ARRAYS];
    int in_len[WIRE_MAX_ARRAYS];
    int n_ints;
    int ints[WIRE_MAX_INTS];
} Case;

// A classic mistake: its name (a chapter's --bug name where there is one)
// and where the workbook explains it.
typedef struct {
    const char *name;  // "no-rot180"
    const char *about; // "∂L/∂X with K itself instead of rot180(K)"
    const char *see;   // "chapter 5, section 5.3 (build/chapter5 --bug no-rot180)"
} Mistake;

typedef struct {
    const char *lab;      // "lab5"
    const char *function; // "lab_conv_backward"
    const char *file;     // "labs/lab5_conv.c"
    int n_cases;          // case 0 is the article's example
    const Mistake *mistakes;
    int n_mistakes;
    // Builds case k from seed: the student's inputs (case_input, case_int),
    // the reference's gradients, finite differences and every mistake's
    // answer. The student's function is called afterwards, elsewhere.
    void (*make_case)(Case *c, int k, uint64_t seed);
} Lab;

// Allocates block b of c with shape h×w (all arrays zeroed; numerical only
// when differentiable).
Block *case_block(Case *c, int b, const char *name, int h, int w, bool differentiable);
// Allocates (zeroed) and returns the array for mistake m's answer in b.
double *block_mistake(Block *b, int m);
// Copies v (n entries) as the student's next input array, named for messages.
void case_input(Case *c, const char *name, const double *v, int n);
// The student's next integer argument.
void case_int(Case *c, int v);
void case_free(Case *c);
// Appends "NAME = [a b; c d]" to c->inputs.
void case_describe(Case *c, const char *name, const double *v, int h, int w);
void case_describe_int(Case *c, const char *name, int v);

// Every block right (finite differences, or the reference where they cannot decide).
bool case_passes(const Case *c);
bool block_is_zero(const double *v, int n);
// The case's inputs, then each wrong block's table and the mistake it matches.
void case_print_failure(FILE *f, const Lab *lab, const Case *c);

// Runs the lab (grade.c): parses the options (--seed, --gradescope,
// --student, --build-log, --time-limit), returns the exit status (0 every
// case passed, 1 otherwise, 2 bad arguments, 4 a write error).
int lab_main(const Lab *lab, int argc, char **argv);

#endif
