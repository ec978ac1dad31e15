#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

// Every failure quotes what the user typed, which may hold a newline or a
// terminal escape; the message must still print as one plain line.
static bool refuse(char *err) {
    message_one_line(err);
    return false;
}

bool parse_number(double *out, const char *text, char *err, size_t errlen) {
    bool zero;
    if (!is_decimal(text, &zero)) {
        if (*text == '\0')
            snprintf(err, errlen, "empty number");
        else
            snprintf(err, errlen, "'%.40s' is not a finite decimal number", text);
        return refuse(err);
    }
    errno = 0;
    double x = strtod(text, NULL);
    double mag = fabs(x);
    if (!isfinite(x) || mag > PARSE_MAX_MAGNITUDE) {
        snprintf(err, errlen, "'%.40s' is out of range (magnitudes above %g are refused)", text,
                 PARSE_MAX_MAGNITUDE);
        return refuse(err);
    }
    if (!zero && mag < PARSE_MIN_MAGNITUDE) {
        snprintf(err, errlen, "'%.40s' is out of range (nonzero magnitudes below %g are refused)",
                 text, PARSE_MIN_MAGNITUDE);
        return refuse(err);
    }
    *out = zero ? 0.0 : x; // "-0" reads as 0, so no negative zero is ever printed
    return true;
}

bool parse_int(int *out, const char *text, int min, int max, char *err, size_t errlen) {
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    if (!*p) {
        snprintf(err, errlen, "'%.40s' is not a whole number", text);
        return refuse(err);
    }
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q)) {
            snprintf(err, errlen, "'%.40s' is not a whole number", text);
            return refuse(err);
        }
    errno = 0;
    long v = strtol(text, NULL, 10);
    if (errno == ERANGE || v < min || v > max) {
        snprintf(err, errlen, "'%.40s' is out of range (expected %d to %d)", text, min, max);
        return refuse(err);
    }
    *out = (int)v;
    return true;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

// Parses the literal in text (NUL-terminated). Rows end at ';' or '\n'; a
// row with no entries is an error when a ';' bounds it, and is skipped when
// it is a blank line (files end in newlines and may contain blank lines).
static bool parse_literal(Entries *e, const char *text, char *err, size_t errlen) {
    const char *p = text;
    int row_entries = 0;
    bool prev_was_comma = false; // the last separator in this row was a comma
    bool row_opened_by_semicolon = false;
    char token[MAX_TOKEN + 1];
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
        // A token runs to the next separator.
        size_t len = 0;
        const char *start = p;
        while (*p && *p != ',' && *p != ';' && *p != '\n' && !is_space(*p)) p++, len++;
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
        row_entries++;
        prev_was_comma = false;
        if (row_entries > TENSOR_MAX_SIDE) {
            snprintf(err, errlen, "row %d has more than %d entries", e->rows + 1, TENSOR_MAX_SIDE);
            return false;
        }
        if (!entries_push(e, x, err, errlen)) return false;
    }
    if (e->rows == 0) {
        snprintf(err, errlen, "empty matrix (no entries)");
        return false;
    }
    return true;
}

// Reads a whole file into a NUL-terminated buffer the caller frees.
static char *read_file(const char *path, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, errlen, "cannot read '%.200s': %s", path, strerror(errno));
        return NULL;
    }
    if (S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "'%.200s' is a directory, not a file", path);
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot read '%.200s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= (size_t)PARSE_MAX_FILE_BYTES) {
                snprintf(err, errlen, "'%.200s' is larger than %ld bytes", path, PARSE_MAX_FILE_BYTES);
                free(buf);
                fclose(f);
                return NULL;
            }
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) break;
    }
    if (!buf) {
        snprintf(err, errlen, "out of memory reading '%.200s'", path);
        fclose(f);
        return NULL;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        snprintf(err, errlen, "cannot read '%.200s': read error", path);
        free(buf);
        return NULL;
    }
    if (memchr(buf, '\0', n)) {
        snprintf(err, errlen, "'%.200s' is not a text file (it contains a NUL byte)", path);
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
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
        char why[256];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "in '%.200s': %s", text + 1, why);
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
