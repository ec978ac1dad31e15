#ifndef WORKBOOK_PARSE_H
#define WORKBOOK_PARSE_H
// The matrix-literal syntax used by every chapter option that takes numbers:
//   rows separated by ';', entries by spaces and/or commas: "1 2 3; 4 5 6"
//   a single row is a vector: "29, 35"
//   "@path" reads the same syntax from a file, where newlines also separate
//   rows and blank lines are ignored.
// Entries are finite decimal numbers (no hex, inf or nan) whose magnitude is
// 0 or within [PARSE_MIN_MAGNITUDE, PARSE_MAX_MAGNITUDE]; every side is at
// most TENSOR_MAX_SIDE.

#include <stdbool.h>
#include <stddef.h>

#include "tensor.h"

// Beyond these, double precision silently loses the number (overflow to inf
// or underflow into subnormals), so the parser refuses it instead.
#define PARSE_MAX_MAGNITUDE 1e300
#define PARSE_MIN_MAGNITUDE 1e-300
// Bounds the memory an @file can make the program read.
#define PARSE_MAX_FILE_BYTES (64L * 1024 * 1024)

// A pipe (or FIFO) still being written after this long is refused, so an
// input file can never hang the program.
#define PARSE_READ_SECONDS 1.0
// Echoed user text is cut to this many bytes (file names) or
// PARSE_QUOTE_SHORT (numbers): enough to recognise it, one line in all.
#define PARSE_QUOTE_BYTES 200
#define PARSE_QUOTE_SHORT 40

// Reads the whole file at path into a NUL-terminated buffer the caller
// frees; *len is its length (NUL bytes inside are kept, for the caller to
// refuse). A UTF-8 byte-order mark at the start is dropped and every line
// end (CRLF or a lone CR) becomes '\n'. A regular file above max_bytes is
// refused before reading; a pipe or FIFO is read up to max_bytes and for at
// most PARSE_READ_SECONDS; directories, devices (/dev/zero) and sockets are
// refused. On failure returns NULL with the reason in err.
char *parse_read_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen);

// Copies src into dst, cut to at most max bytes at a UTF-8 character
// boundary, with "..." appended when cut.
void quote_text(char *dst, size_t dstlen, const char *src, size_t max);

// On success returns true and *out is a newly allocated (1,H,W) tensor the
// caller frees. On failure returns false, leaves *out empty, and writes what
// went wrong and where (without any "error:" prefix) into err.
bool parse_matrix(Tensor *out, const char *text, char *err, size_t errlen);

// Parses one number with the same rules as a matrix entry.
bool parse_number(double *out, const char *text, char *err, size_t errlen);

// Parses a whole decimal integer in [min, max].
bool parse_int(int *out, const char *text, int min, int max, char *err, size_t errlen);

// Replaces every control character (newline, tab, escape, ...) in msg with
// '?', so a message quoting user input prints as one line.
void message_one_line(char *msg);

#endif
