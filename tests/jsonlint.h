#ifndef TEST_JSONLINT_H
#define TEST_JSONLINT_H
// A strict JSON syntax checker (RFC 8259 grammar, no extensions), so tests can
// show that --format json output is exactly one valid object without any
// tool outside libc.

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

// Nesting deeper than this is refused rather than recursed into.
#define JSONLINT_MAX_DEPTH 64

static inline const char *jsonlint_ws(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static inline const char *jsonlint_string(const char *p) {
    if (*p != '"') return NULL;
    for (p++; *p != '"'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '\0' || c < 0x20) return NULL;
        if (c != '\\') continue;
        p++;
        if (*p == 'u') {
            for (int i = 1; i <= 4; i++)
                if (!isxdigit((unsigned char)p[i])) return NULL;
            p += 4;
        } else if (*p == '\0' || !strchr("\"\\/bfnrt", *p)) {
            return NULL;
        }
    }
    return p + 1;
}

static inline const char *jsonlint_number(const char *p) {
    if (*p == '-') p++;
    if (*p == '0')
        p++;
    else if (isdigit((unsigned char)*p))
        while (isdigit((unsigned char)*p)) p++;
    else
        return NULL;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return NULL;
        while (isdigit((unsigned char)*p)) p++;
    }
    return p;
}

static inline const char *jsonlint_value(const char *p, int depth) {
    p = jsonlint_ws(p);
    if (depth > JSONLINT_MAX_DEPTH) return NULL;
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool object = *p == '{';
        p = jsonlint_ws(p + 1);
        if (*p == close) return p + 1;
        for (;;) {
            if (object) {
                p = jsonlint_string(jsonlint_ws(p));
                if (!p) return NULL;
                p = jsonlint_ws(p);
                if (*p != ':') return NULL;
                p++;
            }
            p = jsonlint_value(p, depth + 1);
            if (!p) return NULL;
            p = jsonlint_ws(p);
            if (*p == close) return p + 1;
            if (*p != ',') return NULL;
            p++;
        }
    }
    if (*p == '"') return jsonlint_string(p);
    if (strncmp(p, "true", 4) == 0) return p + 4;
    if (strncmp(p, "false", 5) == 0) return p + 5;
    if (strncmp(p, "null", 4) == 0) return p + 4;
    return jsonlint_number(p);
}

// True when s holds exactly one JSON object and nothing else but whitespace.
static inline bool jsonlint_is_one_object(const char *s) {
    const char *p = jsonlint_ws(s);
    if (*p != '{') return false;
    p = jsonlint_value(p, 0);
    return p && *jsonlint_ws(p) == '\0';
}

#endif
