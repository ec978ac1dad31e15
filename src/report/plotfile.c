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

// A file is written as DIR/NAME.tmp and renamed to DIR/NAME once complete:
// a full disk leaves the old file or none, never a truncated or empty one.
// A name that is there and is not a regular file (a device such as
// /dev/full, a FIFO) is written in place: a rename would replace it.
static bool written_aside(const char *dir, const char *name) {
    char path[MAX_PLOT_PATH + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) != 0 ? errno == ENOENT : S_ISREG(st.st_mode);
}

static void temporary_path(char *buf, size_t len, const char *dir, const char *name) {
    snprintf(buf, len, written_aside(dir, name) ? "%s/%s.tmp" : "%s/%s", dir, name);
}

FILE *plot_file_open(const char *dir, const char *name) {
    make_dirs(dir);
    char tmp[MAX_PLOT_PATH + 64];
    temporary_path(tmp, sizeof tmp, dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f) write_error("--plot: cannot write '%.200s/%s': %s", dir, name, strerror(errno));
    return f;
}

void plot_file_close(FILE *f, const char *dir, const char *name) {
    char tmp[MAX_PLOT_PATH + 64], path[MAX_PLOT_PATH + 64];
    temporary_path(tmp, sizeof tmp, dir, name);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    bool aside = strcmp(tmp, path) != 0;
    errno = 0;
    bool failed = fflush(f) != 0 || ferror(f) != 0;
    int saved = errno;
    if (fclose(f) != 0 && !failed) {
        failed = true;
        saved = errno;
    }
    if (!failed && aside && rename(tmp, path) != 0) {
        failed = true;
        saved = errno;
    }
    if (failed) {
        if (aside) remove(tmp);
        write_error("--plot: cannot write '%.200s/%s': %s", dir, name, saved ? strerror(saved) : "write error");
    }
}
