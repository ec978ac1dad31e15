#ifndef WORKBOOK_KERNEL_VOTES_H
#define WORKBOOK_KERNEL_VOTES_H
// What each learned kernel of chapter 6 adds to the logit z, per label.
//
// z = Σ_k c_k + d with c_k = Σ_j w_kj·p_kj: kernel k's dense weights times
// its own pooled responses. The sign of Σ_j w_kj alone says nothing: a
// kernel whose responses are negative turns negative weights into a push
// toward label 1. So the vote is measured, not read off the weights.

#include "dataset.h"
#include "network.h"
#include "report.h"

// mean[2k + l] = the mean of c_k over the images of d with label l (0 when
// d has none), count[l] = how many have label l. a is scratch for
// net_forward. mean has 2·s->kernels entries.
void net_kernel_contributions(double *mean, int count[2], NetActs *a, const double *params, const Dataset *d,
                              const NetShape *s);

// The measured votes over d as a table (key "kernel_contributions", rows
// kernel, mean c_k on label 0, on label 1, the label it pushes toward).
// Exits 2 when out of memory.
void report_kernel_votes(Report *r, NetActs *a, const double *params, const Dataset *d, const NetShape *s);

#endif
