#ifndef WORKBOOK_PLOTFILE_H
#define WORKBOOK_PLOTFILE_H
// The data files a chapter writes for gnuplot with --plot DIR.
// plot_file_open creates DIR (and any missing parent, like mkdir -p) and
// opens DIR/name for writing; plot_file_close closes it. Either one exits 2
// with "error: --plot: cannot write '<path>': <reason>" on failure, so a full
// disk or a read-only directory never leaves a silently truncated file. The
// data goes to DIR/name.tmp, renamed to DIR/name only once all of it is
// written: after a failure no empty or cut file is left under the name.

#include <stdio.h>

FILE *plot_file_open(const char *dir, const char *name);
void plot_file_close(FILE *f, const char *dir, const char *name);

#endif
