#ifndef CHAPTER0_PRACTICE_H
#define CHAPTER0_PRACTICE_H
// Chapter 0's last two sections: the chain of every chapter as a
// computational graph, and a short practical checklist for checking a
// gradient by hand or in code (chapter0_practice.c).
#include <stdbool.h>

#include "chapter0_loss.h"
#include "report.h"

// Section 0.6's last word: torch.autograd.gradcheck's defaults on case A
// (right a_right, wrong a_off, both against n_a) and case B's wrong b_off
// against n_b. Measured with PyTorch 1.13: A right passes, A wrong fails,
// B wrong passes.
void torch_paragraph(Report *r, double a_right, double n_a, double a_off, double b_off, double n_b);

// One chapter's chain: the forward graph, and the backward pass it implies.
typedef struct {
    const char *forward, *forward_tex, *backward, *backward_tex;
} Chain;

// Section 0.11. With the running example (bce, y = 1, z = 0.5), chapter 0's
// own chain with its numbers: forward values left to right, local
// derivatives multiplied right to left.
void section_0_11_graphs(Report *r, bool running_example, double z);

// Section 0.12: the practical rules, each one shown by a section above.
void section_0_12_checklist(Report *r);

#endif
