#ifndef WORKBOOK_REPORT_BLOCK_H
#define WORKBOOK_REPORT_BLOCK_H
// Printing a block check (src/check/check_block.h), and check_block: run
// and print in one call, the one entry point the chapters check through.
//
// A full check prints the per-entry table (report_gradient_check: long
// tables list the entries that matter) and the verdict line. A sampled
// check first says so in one line (the estimated work, the budget, the
// sample's size and seed), then the sample's table, rows [s] in order of
// position, and a verdict line counting the entries left out as skipped.
// The directions follow as a table of their own, one row each.

#include "check_block.h"
#include "report.h"
#include "tensor.h"

// The line saying a sample was checked, and why (nothing when every entry
// was).
void report_block_plan(Report *r, const char *name, const BlockCheck *c);
// The entries' table and verdict. shape names the entries of a full check
// ((i,j) for a matrix); a sample's rows are [s].
Verdict report_block_entries(Report *r, const char *name, const BlockCheck *c, const Tensor *shape);
// The directions' table and verdict, under label; VERDICT_NOTHING_COMPARED
// (and nothing printed) when no direction was checked.
Verdict report_block_directions(Report *r, const char *label, const BlockCheck *c);

// block_check_run, then both reports; the label of the seeded direction is
// "NAME along a random direction". Out of memory: one error line naming
// name, exit 2. Returns the worse of the two verdicts.
Verdict check_block(Report *r, const char *name, const BlockSpec *spec, const Tensor *shape);

// FAIL over INCONCLUSIVE over NOTHING_COMPARED over PASS; PASS and
// NOTHING_COMPARED give PASS (the directions of a full check are extra).
Verdict verdict_worse(Verdict a, Verdict b);

#endif
