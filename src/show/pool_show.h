#ifndef WORKBOOK_POOL_SHOW_H
#define WORKBOOK_POOL_SHOW_H
// What chapter 4 prints and plots about a max-pooling layer (one channel).

#include "pool.h"
#include "report.h"
#include "tensor.h"

// "window (0,1): max(14, 25, 29, 35) = 35 at X[1,2]" for the first windows.
void list_windows(Report *r, const Tensor *x, const PoolShape *s);
// Row-major flatten (a vector of H·W ≤ TENSOR_MAX_SIDE entries), and the
// reshape that undoes it: position k goes back to (k / W, k mod W).
Tensor flatten(const Tensor *m);
Tensor reshape(const Tensor *v, int h, int w);
// --plot data: chapter4_main.dat and chapter4_overlap.dat, one line per
// cell: column, row, x, windows picking it, routed gradient.
void write_plot_data(const char *dir, const Tensor *x, const Tensor *mask, const Tensor *dx, const Tensor *ox,
                     const Tensor *omask, const Tensor *odx);

// --plot data: chapter4_*_windows.dat, one line per window: its first and
// last column and row, and the upstream gradient it receives.
void write_plot_windows(const char *dir, const char *name, const PoolShape *s, const Tensor *g);

#endif
