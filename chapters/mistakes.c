// See mistakes.h.
#include "mistakes.h"

void maxpool_backward_all_cells(double *din, const double *dout, const PoolShape *s) {
    for (int c = 0; c < s->c; c++)
        for (int i = 0; i < s->out_h; i++)
            for (int j = 0; j < s->out_w; j++)
                for (int m = 0; m < s->kh; m++)
                    for (int n = 0; n < s->kw; n++)
                        din[(c * s->h + i * s->stride + m) * s->w + j * s->stride + n] +=
                            dout[(c * s->out_h + i) * s->out_w + j];
}
