#ifndef WORKBOOK_LAB_HARNESS_H
#define WORKBOOK_LAB_HARNESS_H
// The grading harness shared by the labs. A lab (harness_labN.c) describes
// its cases; this file runs them, judges the student's gradients against
// finite differences (the workbook's error-bounded checker) and against the
// library's reference, prints the first failing case in full with the
// classic mistake it matches, prints a score line, and optionally writes a
// Gradescope results.json.
//
// Ownership: a Case owns its blocks' arrays (case_free releases them); the
// lab allocates them with case_block.

#include <stdbool.h>
#include <stdint.h>

#include "gradcheck.h"

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
    Block blocks[MAX_BLOCKS];
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
    // Builds case k from seed: inputs, the student's and the reference's
    // gradients, finite differences and every mistake's answer.
    void (*make_case)(Case *c, int k, uint64_t seed);
} Lab;

// Allocates block b of c with shape h×w (all arrays zeroed; numerical only
// when differentiable).
Block *case_block(Case *c, int b, const char *name, int h, int w, bool differentiable);
// Allocates (zeroed) and returns the array for mistake m's answer in b.
double *block_mistake(Block *b, int m);
void case_free(Case *c);
// Appends "NAME = [a b; c d]" to c->inputs.
void case_describe(Case *c, const char *name, const double *v, int h, int w);
void case_describe_int(Case *c, const char *name, int v);

// Runs the lab: parses --gradescope FILE and --seed N from argv; returns
// the exit status (0 every case passed, 1 otherwise, 2 bad arguments).
int lab_main(const Lab *lab, int argc, char **argv);

#endif
