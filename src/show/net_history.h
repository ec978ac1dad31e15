#ifndef WORKBOOK_NET_HISTORY_H
#define WORKBOOK_NET_HISTORY_H
// What chapter 6 prints about a training run (network.h's NetHistory).

#include <stddef.h>

#include "network.h"
#include "report.h"

// A loss as text: "0.015014", or "1.006e+148" in scientific notation once
// fixed notation would print more than 5 digits before the point, so a
// diverging run never prints a 300-digit number. Returns out.
const char *history_magnitude(char *out, size_t n, double v);
// The per-epoch table: train loss and accuracy beside test loss and accuracy.
void history_table(Report *r, const NetHistory *h);
// The per-epoch arrays as JSON keys losses, train_accuracies, test_losses,
// test_accuracies.
void history_json(Report *r, const NetHistory *h);
// The loss per epoch as a chart (html draws it; other formats: make plots).
void history_chart(Report *r, const NetHistory *h);
// --plot data: chapter6_losses.dat (per epoch), chapter6_kernels.dat (one
// matrix block per learned kernel) and chapter6_kernels.gp (their count and size).
void history_write_plots(const char *dir, const NetHistory *h, const double *kernel, const NetShape *s);

#endif
