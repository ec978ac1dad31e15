#ifndef WORKBOOK_DATASET_H
#define WORKBOOK_DATASET_H
// Chapter 6's data: n single-channel h×w images with labels 0/1, read from
// a CSV or made up (seeded synthetic strokes). The struct owns its arrays
// (malloc'd by the functions below, freed by dataset_free).

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

typedef struct {
    int n, h, w;
    double *x; // (n, h, w)
    double *y; // (n)
} Dataset;

// Bounds the memory a data set may take (2 MiB of doubles), so that every
// run stays below 8 MiB of resident memory whatever it is given.
#define DATASET_MAX_VALUES (1L << 18)
// Pixels are intensities; larger magnitudes make SGD at any sensible rate
// overflow, so the reader refuses them.
#define DATASET_MAX_PIXEL 1e3
// Longest CSV field read: far past any number written out in full (0.1 to 17
// digits is 19 characters; a 104-character run of zeros is still a number),
// short enough to copy onto the stack. A longer field is refused as too long.
#define DATASET_MAX_FIELD 1024

bool dataset_alloc(Dataset *d, int n, int h, int w); // false when over DATASET_MAX_VALUES
void dataset_free(Dataset *d);

// Parses text (len bytes, a whole CSV file): one image per line, the label
// (0 or 1), then h·w pixels row by row, separated by commas (blanks around a
// field are allowed, blank lines are skipped; a line ends at LF, CRLF or a lone CR). Numbers
// follow parse.h's rules; a NUL byte is refused. On failure returns false
// with "line L: problem" in err and d left empty.
bool dataset_parse_csv(Dataset *d, const char *text, size_t len, int h, int w, char *err, size_t errlen);

// Reads the CSV file at path (parse.h's parse_read_file: the @file size cap
// PARSE_MAX_FILE_BYTES, checked before reading; BOM skipped; CR, CRLF and LF
// line ends; pipes within a second; devices refused) and parses it.
bool dataset_load_csv(Dataset *d, const char *path, int h, int w, char *err, size_t errlen);
// The same for labels 0 to classes − 1 (whole numbers; classes ≥ 2), for
// chapter 7's ten digits. classes = 2 is exactly the two functions above.
bool dataset_parse_csv_classes(Dataset *d, const char *text, size_t len, int h, int w, int classes, char *err,
                               size_t errlen);
bool dataset_load_csv_classes(Dataset *d, const char *path, int h, int w, int classes, char *err, size_t errlen);

// n seeded h×w images: label 1 a vertical stroke, label 0 a horizontal one,
// each of random length and position, plus Gaussian pixel noise.
bool dataset_synthetic(Dataset *d, int n, int h, int w, uint64_t seed);

// Splits all into train and test: a seeded shuffle, then the first
// n − n_test images for training. False when out of memory.
bool dataset_split(Dataset *train, Dataset *test, const Dataset *all, int n_test, uint64_t seed);

// A loaded data set made into train and test as the chapters train on it:
// max(1, ⌊n·test_fraction⌋) images for test, the rest for train, by
// dataset_split; all is freed whatever happens. NULL when done, else why
// not: "only 1 image; a train/test split needs at least 2" or "out of
// memory" (the caller names its option).
const char *dataset_split_loaded(Dataset *train, Dataset *test, Dataset *all, double test_fraction, uint64_t seed);

// Shuffles order[0..n) in place (Fisher–Yates with rng).
void dataset_shuffle(int *order, int n, Rng *rng);

// The fraction of d's labels that are its most common label: the accuracy
// of always answering that label.
double dataset_majority_fraction(const Dataset *d);

#endif
