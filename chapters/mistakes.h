#ifndef CHAPTERS_MISTAKES_H
#define CHAPTERS_MISTAKES_H
// Classic mistakes that more than one chapter injects, written once. They
// live beside the chapters, not in src/: the library stays correct.
#include "pool.h"

// Max pooling's switch δ forgotten: each window's gradient goes to every
// cell of the window, not only to its maximum (chapter 4's --bug all-cells,
// chapter 6's --bug pool-everywhere). din += that; shapes as in pool.h.
static inline void maxpool_backward_all_cells(double *din, const double *dout, const PoolShape *s) {
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++)
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++)
                        din[(c * s->h + i * s->stride + m) * s->w + j * s->stride + n] +=
                            dout[(c * s->out_h + i) * s->out_w + j];
}

#endif
