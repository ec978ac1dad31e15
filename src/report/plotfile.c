#include "plotfile.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "options.h"

// Paths longer than this are refused rather than cut short.
#define MAX_PLOT_PATH 4096

static void make_dirs(const char *dir) {
    char path[MAX_PLOT_PATH];
    if (snprintf(path, sizeof path, "%s", dir) >= (int)sizeof path)
        usage_error("--plot: the directory name is longer than %d bytes", MAX_PLOT_PATH - 1);
    for (char *p = path + 1;; p++) {
        if (*p != '/' && *p != '\0') continue;
        char c = *p;
        *p = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST)
            usage_error("--plot: cannot write '%.200s': %s", path, strerror(errno));
        *p = c;
        if (!c) break;
    }
}

FILE *plot_file_open(const char *dir, const char *name) {
    make_dirs(dir);
    char path[MAX_PLOT_PATH + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) write_error("--plot: cannot write '%.200s': %s", path, strerror(errno));
    return f;
}

void plot_file_close(FILE *f, const char *dir, const char *name) {
    errno = 0;
    bool failed = fflush(f) != 0 || ferror(f) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !failed) {
        failed = true;
        saved = errno;
    }
    if (failed)
        write_error("--plot: cannot write '%.200s/%s': %s", dir, name, saved ? strerror(saved) : "write error");
}
