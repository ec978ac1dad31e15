#include "pool_show.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plotfile.h"
#include "pool_case.h"
#include "strbuf.h"

// Windows listed one per line; a large input lists this many.
#define MAX_LISTED_WINDOWS 12

// "window (0,1): max(14, 25, 29, 35) = 35 at X[1,2]" for the first windows.
void list_windows(Report *r, const Tensor *x, const PoolShape *s) {
    int *argmax = malloc((size_t)s->out_h * (size_t)s->out_w * sizeof *argmax);
    Tensor pooled = tensor_alloc(1, s->out_h, s->out_w);
    if (!argmax) { fprintf(stderr, "error: out of memory listing windows\n"); exit(2); }
    maxpool_forward(pooled.data, argmax, x->data, s);
    StrBuf b = {0};
    int listed = 0;
    for (int i = 0; i < s->out_h && listed < MAX_LISTED_WINDOWS; i++)
        for (int j = 0; j < s->out_w && listed < MAX_LISTED_WINDOWS; j++, listed++) {
            sb_printf(&b, "window (%d,%d): max(", i, j);
            int shown = 0;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    char v[40];
                    if (shown == 8) sb_puts(&b, ", ...");
                    if (shown++ >= 8) continue;
                    snprintf(v, sizeof v, "%.10g", 0.0 + x->data[window_cell(s, i, j, m, n)]);
                    sb_printf(&b, "%s%s", shown > 1 ? ", " : "", v);
                }
            int k = i * s->out_w + j, at = argmax[k];
            char v[40];
            snprintf(v, sizeof v, "%.10g", 0.0 + pooled.data[k]);
            sb_printf(&b, ") = %s at X[%d,%d]\n", v, at / s->w, at % s->w);
        }
    int total = s->out_h * s->out_w;
    if (total > listed) sb_printf(&b, "... and %d more windows\n", total - listed);
    report_verbatim(r, "%s", sb_str(&b));
    sb_free(&b);
    tensor_free(&pooled);
    free(argmax);
}

// Row-major flatten: entry (i,j) of an H×W matrix goes to position i·W + j.
Tensor flatten(const Tensor *m) {
    Tensor f = tensor_alloc(1, 1, (int)tensor_size(m));
    memcpy(f.data, m->data, tensor_size(m) * sizeof *f.data);
    return f;
}

// The reshape layer: position k of a vector goes back to (k / W, k mod W).
Tensor reshape(const Tensor *v, int h, int w) {
    Tensor m = tensor_alloc(1, h, w);
    for (int k = 0; k < h * w; k++) *tensor_at(&m, 0, k / w, k % w) = v->data[k];
    return m;
}

// ---------------------------------------------------------------- plot data

// One line per cell: column, row, x, windows picking it, routed gradient.
static void write_cells(const char *dir, const char *name, const Tensor *x, const Tensor *mask, const Tensor *dx) {
    FILE *f = plot_file_open(dir, name);
    fprintf(f, "# column row x windows_picking dL/dX\n");
    for (int i = 0; i < x->h; i++) {
        for (int j = 0; j < x->w; j++)
            fprintf(f, "%d %d %.17g %.17g %.17g\n", j, i, *tensor_at(x, 0, i, j) + 0.0,
                    *tensor_at(mask, 0, i, j) + 0.0, *tensor_at(dx, 0, i, j) + 0.0);
        fputc('\n', f);
    }
    plot_file_close(f, dir, name);
}

void write_plot_data(const char *dir, const Tensor *x, const Tensor *mask, const Tensor *dx,
                            const Tensor *ox, const Tensor *omask, const Tensor *odx) {
    write_cells(dir, "chapter4_main.dat", x, mask, dx);
    write_cells(dir, "chapter4_overlap.dat", ox, omask, odx);
}


// One line per pooling window, so the plot can draw it: the cells it covers
// (first and last column and row) and the upstream gradient it receives.
void write_plot_windows(const char *dir, const char *name, const PoolShape *s, const Tensor *g) {
    FILE *f = plot_file_open(dir, name);
    fprintf(f, "# first_column first_row last_column last_row dL/dY\n");
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++)
            fprintf(f, "%d %d %d %d %.17g\n", j * s->stride, i * s->stride, j * s->stride + s->kw - 1,
                    i * s->stride + s->kh - 1, g->data[i * s->out_w + j] + 0.0);
    plot_file_close(f, dir, name);
}
