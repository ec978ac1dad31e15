#ifndef MISTAKES_H
#define MISTAKES_H
// Classic mistakes that more than one chapter injects, written once. They
// live beside the chapters, not in src/: the library stays correct.
#include "pool.h"

// Max pooling's switch δ forgotten: each window's gradient goes to every
// cell of the window, not only to its maximum (chapter 4's --bug all-cells,
// chapter 6's --bug pool-everywhere). din += that; shapes as in pool.h.
void maxpool_backward_all_cells(double *din, const double *dout, const PoolShape *s);

#endif
