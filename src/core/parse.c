#include "parse.h"

#include "progress.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

// Entries up to this length are copied to the stack; longer ones (e.g. many
// leading zeros) are copied to the heap, so they parse as parse_number would.
#define MAX_TOKEN 400

// A growing list of entries, with the row structure seen so far.
typedef struct {
    double *v;
    size_t n, cap;
    int rows, cols;
} Entries;

static bool entries_push(Entries *e, double x, char *err, size_t errlen) {
    if (e->n == e->cap) {
        size_t cap = e->cap ? e->cap * 2 : 64;
        double *v = realloc(e->v, cap * sizeof(double));
        if (!v) {
            snprintf(err, errlen, "out of memory reading the matrix");
            return false;
        }
        e->v = v;
        e->cap = cap;
    }
    e->v[e->n++] = x;
    return true;
}

// A decimal number: [sign] digits [. digits] [e [sign] digits], with at least
// one digit in the mantissa. Anything else (hex, inf, nan, words) is refused.
// Sets *zero when every mantissa digit is 0.
static bool is_decimal(const char *s, bool *zero) {
    const char *p = s;
    int digits = 0;
    *zero = true;
    if (*p == '+' || *p == '-') p++;
    for (; isdigit((unsigned char)*p) || *p == '.'; p++) {
        if (*p == '.') {
            if (p[1] == '.') return false;
            continue;
        }
        digits++;
        if (*p != '0') *zero = false;
    }
    if (digits == 0 || strchr(s, '.') != strrchr(s, '.')) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p)) p++;
    }
    return *p == '\0';
}

void message_one_line(char *msg) {
    for (; *msg; msg++)
        if ((unsigned char)*msg < 0x20 || *msg == 0x7f) *msg = '?';
}

void quote_text(char *dst, size_t dstlen, const char *src, size_t max) {
    size_t n = strlen(src), cut = n > max ? max : n;
    // Back up over UTF-8 continuation bytes (10xxxxxx) so no character is split.
    if (cut < n)
        while (cut > 0 && ((unsigned char)src[cut] & 0xC0) == 0x80) cut--;
    snprintf(dst, dstlen, "%.*s%s", (int)cut, src, cut < n ? "..." : "");
}

// Every failure quotes what the user typed, which may hold a newline or a
// terminal escape; the message must still print as one plain line.
static bool refuse(char *err) {
    message_one_line(err);
    return false;
}

bool parse_number(double *out, const char *text, char *err, size_t errlen) {
    char q[PARSE_QUOTE_SHORT + 8];
    quote_text(q, sizeof q, text, PARSE_QUOTE_SHORT);
    bool zero;
    if (!is_decimal(text, &zero)) {
        if (*text == '\0')
            snprintf(err, errlen, "empty number");
        else
            snprintf(err, errlen, "'%s' is not a finite decimal number", q);
        return refuse(err);
    }
    errno = 0;
    double x = strtod(text, NULL);
    double mag = fabs(x);
    if (!isfinite(x) || mag > PARSE_MAX_MAGNITUDE) {
        snprintf(err, errlen, "'%s' is out of range (magnitudes above %g are refused)", q,
                 PARSE_MAX_MAGNITUDE);
        return refuse(err);
    }
    if (!zero && mag < PARSE_MIN_MAGNITUDE) {
        snprintf(err, errlen, "'%s' is out of range (nonzero magnitudes below %g are refused)",
                 q, PARSE_MIN_MAGNITUDE);
        return refuse(err);
    }
    *out = zero ? 0.0 : x; // "-0" reads as 0, so no negative zero is ever printed
    return true;
}

bool parse_int(int *out, const char *text, int min, int max, char *err, size_t errlen) {
    char q[PARSE_QUOTE_SHORT + 8];
    quote_text(q, sizeof q, text, PARSE_QUOTE_SHORT);
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    if (!*p) {
        snprintf(err, errlen, "'%s' is not a whole number", q);
        return refuse(err);
    }
    for (const char *c = p; *c; c++)
        if (!isdigit((unsigned char)*c)) {
            snprintf(err, errlen, "'%s' is not a whole number", q);
            return refuse(err);
        }
    errno = 0;
    long v = strtol(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        snprintf(err, errlen, "'%s' is out of range (expected %d to %d)", q, min, max);
        return refuse(err);
    }
    *out = (int)v;
    return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Reads the entry (a token up to the next separator) at *pp, pushes it and
// advances *pp past it.
static bool read_entry(Entries *e, const char **pp, int row_entries, char *err, size_t errlen) {
    progress_tick(); // a 4096x4096 @file takes seconds to read
    char token[MAX_TOKEN + 1];
    const char *start = *pp, *p = *pp;
    size_t len = 0;
    while (*p && *p != ',' && *p != ';' && *p != '\n' && !is_space(*p)) p++, len++;
    *pp = p;
    char *long_token = len > MAX_TOKEN ? malloc(len + 1) : NULL;
    char *tok = long_token ? long_token : token;
    if (len > MAX_TOKEN && !long_token) {
        snprintf(err, errlen, "out of memory reading the matrix");
        return false;
    }
    memcpy(tok, start, len);
    tok[len] = '\0';
    double x;
    char why[160];
    bool number_ok = parse_number(&x, tok, why, sizeof why);
    free(long_token);
    if (!number_ok) {
        snprintf(err, errlen, "row %d, entry %d: %s", e->rows + 1, row_entries + 1, why);
        return false;
    }
    return entries_push(e, x, err, errlen);
}

// Parses the literal in text (NUL-terminated). Rows end at ';' or '\n'; a
// row with no entries is an error when a ';' bounds it, and is skipped when
// it is a blank line (files end in newlines and may contain blank lines).
static bool parse_literal(Entries *e, const char *text, char *err, size_t errlen) {
    const char *p = text;
    int row_entries = 0;
    bool prev_was_comma = false; // the last separator in this row was a comma
    bool row_opened_by_semicolon = false;
    for (;;) {
        while (is_space(*p)) p++;
        char c = *p;
        if (c == ';' || c == '\n' || c == '\0') {
            if (prev_was_comma) {
                snprintf(err, errlen, "row %d ends with a comma (empty entry)", e->rows + 1);
                return false;
            }
            if (row_entries == 0) {
                if (c == ';' || row_opened_by_semicolon) {
                    snprintf(err, errlen, "row %d is empty", e->rows + 1);
                    return false;
                }
            } else {
                if (e->rows == 0)
                    e->cols = row_entries;
                else if (row_entries != e->cols) {
                    snprintf(err, errlen, "row %d has %d entr%s but row 1 has %d (ragged rows)",
                             e->rows + 1, row_entries, row_entries == 1 ? "y" : "ies", e->cols);
                    return false;
                }
                e->rows++;
                if (e->rows > TENSOR_MAX_SIDE) {
                    snprintf(err, errlen, "more than %d rows", TENSOR_MAX_SIDE);
                    return false;
                }
            }
            if (c == '\0') break;
            row_opened_by_semicolon = (c == ';');
            row_entries = 0;
            prev_was_comma = false;
            p++;
            continue;
        }
        if (c == ',') {
            if (row_entries == 0 || prev_was_comma) {
                snprintf(err, errlen, "row %d, entry %d is empty (stray comma)", e->rows + 1,
                         row_entries + 1);
                return false;
            }
            prev_was_comma = true;
            p++;
            continue;
        }
        if (!read_entry(e, &p, row_entries, err, errlen)) return false;
        row_entries++;
        prev_was_comma = false;
        if (row_entries > TENSOR_MAX_SIDE) {
            snprintf(err, errlen, "row %d has more than %d entries", e->rows + 1, TENSOR_MAX_SIDE);
            return false;
        }
    }
    if (e->rows == 0) {
        snprintf(err, errlen, "empty matrix (no entries)");
        return false;
    }
    return true;
}

// Text read from a file: a UTF-8 byte-order mark (an editor's invisible
// first character) dropped, and every line end (CRLF, or a lone CR as old
// Mac editors write) made a '\n'. Returns the new length.
static size_t normalize_text(char *buf, size_t n) {
    size_t from = n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0, to = 0;
    for (; from < n; from++) {
        if (buf[from] == '\r') {
            buf[to++] = '\n';
            if (from + 1 < n && buf[from + 1] == '\n') from++;
        } else {
            buf[to++] = buf[from];
        }
    }
    buf[to] = '\0';
    return to;
}

// A pipe's buffer starts at this size and doubles as the data arrive.
#define PIPE_FIRST_BYTES 65536

static double monotonic_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// Reads fd to its end into a buffer grown as needed up to max bytes (a pipe
// within PARSE_READ_SECONDS, waiting with poll so a writer that never
// finishes cannot hang the program). Returns the buffer (max + 1 bytes at
// most, the caller frees) with its length in *len, or NULL with err set.
static char *read_all(int fd, size_t hint, size_t max, size_t *len, bool pipe, const char *shown, char *err,
                      size_t errlen) {
    size_t n = 0, cap = hint < max ? hint : max;
    char *buf = malloc(cap + 1);
    double deadline = monotonic_seconds() + PARSE_READ_SECONDS;
    while (buf) {
        if (pipe) {
            double left = deadline - monotonic_seconds();
            struct pollfd p = {fd, POLLIN, 0};
            if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) == 0) {
                snprintf(err, errlen, "'%s' is still being written after %g s (a pipe whose writer never "
                                      "finishes)", shown, PARSE_READ_SECONDS);
                break;
            }
        }
        if (n == cap && cap < max) { // grow, doubling, up to max
            size_t bigger = cap > max / 2 ? max : cap ? 2 * cap : PIPE_FIRST_BYTES;
            char *grown = realloc(buf, bigger + 1);
            if (!grown) break;
            buf = grown, cap = bigger;
        }
        // At the cap, read one byte more: if there is one, the file is too large.
        char probe;
        ssize_t got = n < cap ? read(fd, buf + n, cap - n) : read(fd, &probe, 1);
        if (got == 0) {
            *len = n;
            return buf;
        }
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (got < 0)
            snprintf(err, errlen, "cannot read '%s': %s", shown, strerror(errno));
        else if (n == cap)
            snprintf(err, errlen, "'%s' is larger than %zu bytes", shown, max);
        if (got < 0 || n == cap) break;
        n += (size_t)got;
    }
    if (!buf) snprintf(err, errlen, "out of memory reading '%s'", shown);
    free(buf);
    return NULL;
}

char *parse_read_file(const char *path, size_t max_bytes, size_t *len, char *err, size_t errlen) {
    char shown[PARSE_QUOTE_BYTES + 8];
    quote_text(shown, sizeof shown, path, PARSE_QUOTE_BYTES);
    // O_NONBLOCK: opening a FIFO that has no writer must not wait for one.
    int fd = open(path, O_RDONLY | O_NONBLOCK);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read '%s': %s", shown, strerror(errno));
        if (fd >= 0) close(fd);
        return NULL;
    }
    bool regular = S_ISREG(st.st_mode), pipe = S_ISFIFO(st.st_mode);
    const char *refusal = S_ISDIR(st.st_mode) ? "is a directory, not a file"
                          : !regular && !pipe ? "is not a regular file or a pipe (a device or socket)"
                          : regular && (uintmax_t)st.st_size > max_bytes ? "is too large"
                          : NULL;
    char *buf = NULL;
    if (refusal && regular)
        snprintf(err, errlen, "'%s' is larger than %zu bytes", shown, max_bytes);
    else if (refusal)
        snprintf(err, errlen, "'%s' %s", shown, refusal);
    else // a regular file's size is known; a pipe starts small and grows
        buf = read_all(fd, regular ? (size_t)st.st_size : PIPE_FIRST_BYTES, max_bytes, len, pipe, shown, err,
                       errlen);
    close(fd);
    if (!buf) return NULL;
    *len = normalize_text(buf, *len);
    return buf;
}

// Reads a whole @file into a NUL-terminated buffer the caller frees.
static char *read_file(const char *path, char *err, size_t errlen) {
    size_t n;
    char *buf = parse_read_file(path, (size_t)PARSE_MAX_FILE_BYTES, &n, err, errlen);
    if (buf && memchr(buf, '\0', n)) {
        char shown[PARSE_QUOTE_BYTES + 8];
        quote_text(shown, sizeof shown, path, PARSE_QUOTE_BYTES);
        snprintf(err, errlen, "'%s' is not a text file (it contains a NUL byte)", shown);
        free(buf);
        return NULL;
    }
    return buf;
}

bool parse_matrix(Tensor *out, const char *text, char *err, size_t errlen) {
    *out = (Tensor){0, 0, 0, NULL};
    char *file_text = NULL;
    const char *literal = text;
    if (text[0] == '@') {
        if (text[1] == '\0') {
            snprintf(err, errlen, "'@' needs a file name after it");
            return false;
        }
        file_text = read_file(text + 1, err, errlen);
        if (!file_text) return refuse(err);
        literal = file_text;
    } else if (strchr(text, '\n')) {
        // On the command line rows are separated by ';' only; a newline here is
        // almost always a quoting accident, so it is refused rather than guessed.
        snprintf(err, errlen, "newline inside a matrix literal (separate rows with ';')");
        return false;
    }
    Entries e = {0};
    bool ok = parse_literal(&e, literal, err, errlen);
    if (!ok && file_text) {
        char why[256], shown[PARSE_QUOTE_BYTES + 8];
        snprintf(why, sizeof why, "%s", err);
        quote_text(shown, sizeof shown, text + 1, PARSE_QUOTE_BYTES);
        snprintf(err, errlen, "in '%s': %s", shown, why);
    }
    free(file_text);
    if (!ok) {
        free(e.v);
        return refuse(err);
    }
    *out = tensor_alloc(1, e.rows, e.cols);
    memcpy(out->data, e.v, e.n * sizeof(double));
    free(e.v);
    return true;
}
