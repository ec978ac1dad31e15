#include "dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "rng.h"

// The synthetic images' pixel noise: strokes (1) stay plain to see, and the
// task stays a real one (single noisy pixels can look like a stroke's end).
#define SYNTHETIC_NOISE 0.25

bool dataset_alloc(Dataset *d, int n, int h, int w) {
    *d = (Dataset){0};
    if (n < 1 || h < 1 || w < 1 || (long)n * h * w > DATASET_MAX_VALUES) return false;
    d->x = calloc((size_t)n * h * w, sizeof(double));
    d->y = calloc((size_t)n, sizeof(double));
    if (!d->x || !d->y) {
        dataset_free(d);
        return false;
    }
    d->n = n, d->h = h, d->w = w;
    return true;
}

void dataset_free(Dataset *d) {
    free(d->x);
    free(d->y);
    *d = (Dataset){0};
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The end of the line starting at p: the first '\n' or '\r' (or end); *next
// is where the next line starts (a CRLF pair ends one line).
static const char *line_end(const char *p, const char *end, const char **next) {
    while (p < end && *p != '\n' && *p != '\r') p++;
    *next = p < end ? p + 1 + (*p == '\r' && p + 1 < end && p[1] == '\n') : end;
    return p;
}

// Checks one field of line `line` (field 1 is the label) and stores it.
static bool csv_value(double *out, const char *field, bool too_long, int line, int index, int classes, char *err,
                      size_t errlen) {
    char why[160], q[PARSE_QUOTE_SHORT + 8];
    quote_text(q, sizeof q, field, PARSE_QUOTE_SHORT);
    if (!*field && !too_long) {
        snprintf(err, errlen, "line %d, field %d is empty", line, index);
        return false;
    }
    if (too_long || !parse_number(out, field, why, sizeof why)) {
        if (too_long) snprintf(why, sizeof why, "'%s' is longer than %d characters", q, DATASET_MAX_FIELD);
        snprintf(err, errlen, "line %d, field %d: %s", line, index, why);
        return false;
    }
    if (index == 1 && classes == 2 && *out != 0.0 && *out != 1.0) {
        snprintf(err, errlen, "line %d: the label is '%s', expected 0 or 1", line, q);
        return false;
    }
    if (index == 1 && (*out < 0.0 || *out > classes - 1 || *out != floor(*out))) {
        snprintf(err, errlen, "line %d: the label is '%s', expected a whole number 0 to %d", line, q, classes - 1);
        return false;
    }
    if (index > 1 && fabs(*out) > DATASET_MAX_PIXEL) {
        snprintf(err, errlen, "line %d, field %d: pixel '%s' is outside [-%g, %g]", line, index, q,
                 DATASET_MAX_PIXEL, DATASET_MAX_PIXEL);
        return false;
    }
    return true;
}

// Parses the fields of one line (text up to end) into row (per_line values).
static bool csv_line(double *row, const char *text, const char *end, int line, int per_line, int h, int w,
                     int classes, char *err, size_t errlen) {
    int index = 0;
    for (const char *p = text;;) {
        while (p < end && is_blank(*p)) p++;
        const char *start = p;
        while (p < end && *p != ',') p++;
        const char *stop = p;
        while (stop > start && is_blank(stop[-1])) stop--;
        if (++index > per_line) {
            snprintf(err, errlen, "line %d has more than %d fields (a label and %dx%d pixels)", line, per_line, h,
                     w);
            return false;
        }
        char field[DATASET_MAX_FIELD + 1];
        size_t len = (size_t)(stop - start);
        bool too_long = len > DATASET_MAX_FIELD;
        memcpy(field, start, too_long ? DATASET_MAX_FIELD : len);
        field[too_long ? DATASET_MAX_FIELD : len] = '\0';
        if (!csv_value(&row[index - 1], field, too_long, line, index, classes, err, errlen)) return false;
        if (p == end) break;
        p++; // the comma
    }
    if (index != per_line) {
        snprintf(err, errlen, "line %d has %d field%s, expected %d (a label and %dx%d pixels)", line, index,
                 index == 1 ? "" : "s", per_line, h, w);
        return false;
    }
    return true;
}

static bool blank_line(const char *p, const char *end) {
    for (; p < end; p++)
        if (!is_blank(*p)) return false;
    return true;
}

bool dataset_parse_csv(Dataset *d, const char *text, size_t len, int h, int w, char *err, size_t errlen) {
    return dataset_parse_csv_classes(d, text, len, h, w, 2, err, errlen);
}

bool dataset_parse_csv_classes(Dataset *d, const char *text, size_t len, int h, int w, int classes, char *err,
                               size_t errlen) {
    *d = (Dataset){0};
    const char *nul = memchr(text, '\0', len), *end = text + len;
    int per_line = 1 + h * w, n = 0, line = 1, images = 0;
    // Count the images first, so the arrays are allocated once.
    for (const char *p = text, *next; p < end; line++, p = next) {
        const char *eol = line_end(p, end, &next);
        if (nul && nul >= p && nul < eol) {
            snprintf(err, errlen, "line %d holds a NUL byte (not a text file)", line);
            return false;
        }
        images += !blank_line(p, eol);
    }
    if (images == 0) {
        snprintf(err, errlen, "no images (the file has no non-blank line)");
        return false;
    }
    if ((long)images * h * w > DATASET_MAX_VALUES) {
        snprintf(err, errlen, "%d images of %dx%d are more than %ld pixel values in all (the workbook keeps "
                              "its memory small)", images, h, w, DATASET_MAX_VALUES);
        return false;
    }
    double *row = malloc((size_t)per_line * sizeof(double));
    if (!row || !dataset_alloc(d, images, h, w)) {
        free(row);
        snprintf(err, errlen, "out of memory");
        return false;
    }
    line = 1;
    for (const char *p = text, *next; p < end; line++, p = next) {
        const char *eol = line_end(p, end, &next);
        if (!blank_line(p, eol)) {
            if (!csv_line(row, p, eol, line, per_line, h, w, classes, err, errlen)) {
                free(row);
                dataset_free(d);
                return false;
            }
            d->y[n] = row[0];
            memcpy(d->x + (size_t)n * h * w, row + 1, (size_t)h * w * sizeof(double));
            n++;
        }
    }
    free(row);
    return true;
}

bool dataset_load_csv(Dataset *d, const char *path, int h, int w, char *err, size_t errlen) {
    return dataset_load_csv_classes(d, path, h, w, 2, err, errlen);
}

bool dataset_load_csv_classes(Dataset *d, const char *path, int h, int w, int classes, char *err, size_t errlen) {
    *d = (Dataset){0};
    size_t len;
    char *text = parse_read_file(path, (size_t)PARSE_MAX_FILE_BYTES, &len, err, errlen);
    if (!text) return false;
    bool ok = dataset_parse_csv_classes(d, text, len, h, w, classes, err, errlen);
    free(text);
    return ok;
}

bool dataset_synthetic(Dataset *d, int n, int h, int w, uint64_t seed) {
    if (!dataset_alloc(d, n, h, w)) return false;
    Rng r = rng_make(seed);
    for (int k = 0; k < n; k++) {
        double *img = d->x + (size_t)k * h * w;
        bool vertical = rng_below(&r, 2) == 1;
        d->y[k] = vertical ? 1.0 : 0.0;
        int along = vertical ? h : w, across = vertical ? w : h;
        int length = along / 2 + rng_below(&r, along - along / 2 + 1); // half to all of the side
        int start = rng_below(&r, along - length + 1), at = rng_below(&r, across);
        for (int t = start; t < start + length; t++) {
            int i = vertical ? t : at, j = vertical ? at : t;
            img[i * w + j] = 1.0;
        }
        for (int p = 0; p < h * w; p++) img[p] += SYNTHETIC_NOISE * rng_normal(&r);
    }
    return true;
}

bool dataset_split(Dataset *train, Dataset *test, const Dataset *all, int n_test, uint64_t seed) {
    int *order = malloc((size_t)all->n * sizeof(int));
    if (!order || !dataset_alloc(train, all->n - n_test, all->h, all->w) ||
        !dataset_alloc(test, n_test, all->h, all->w)) {
        free(order);
        dataset_free(train);
        return false;
    }
    for (int i = 0; i < all->n; i++) order[i] = i;
    Rng rng = rng_make(seed);
    dataset_shuffle(order, all->n, &rng);
    size_t image = (size_t)all->h * all->w;
    for (int i = 0; i < all->n; i++) {
        Dataset *d = i < train->n ? train : test;
        int at = i < train->n ? i : i - train->n;
        memcpy(d->x + at * image, all->x + (size_t)order[i] * image, image * sizeof(double));
        d->y[at] = all->y[order[i]];
    }
    free(order);
    return true;
}

void dataset_shuffle(int *order, int n, Rng *rng) {
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(rng, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

double dataset_majority_fraction(const Dataset *d) {
    int ones = 0;
    for (int k = 0; k < d->n; k++) ones += d->y[k] == 1.0;
    return (double)(ones > d->n - ones ? ones : d->n - ones) / d->n;
}

const char *dataset_split_loaded(Dataset *train, Dataset *test, Dataset *all, double test_fraction, uint64_t seed) {
    if (all->n < 2) {
        dataset_free(all);
        return "only 1 image; a train/test split needs at least 2";
    }
    int n_test = (int)(all->n * test_fraction);
    bool ok = dataset_split(train, test, all, n_test < 1 ? 1 : n_test, seed);
    dataset_free(all);
    return ok ? NULL : "out of memory";
}
