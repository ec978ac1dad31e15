#include "strbuf.h"

#include "progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void sb_reserve(StrBuf *b, size_t extra) {
    if (b->len + extra + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        fprintf(stderr, "error: out of memory building the output\n");
        exit(2);
    }
    b->s = s;
    b->cap = cap;
}

void sb_vprintf(StrBuf *b, const char *fmt, va_list ap) {
    progress_tick(); // formatting a big matrix is the slow part of many runs
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n > 0) {
        sb_reserve(b, (size_t)n);
        vsnprintf(b->s + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
}

void sb_printf(StrBuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

void sb_puts(StrBuf *b, const char *s) {
    size_t n = strlen(s);
    sb_reserve(b, n);
    memcpy(b->s + b->len, s, n + 1);
    b->len += n;
}

void sb_putc(StrBuf *b, char c) {
    sb_reserve(b, 1);
    b->s[b->len++] = c;
    b->s[b->len] = '\0';
}

void sb_clear(StrBuf *b) {
    b->len = 0;
    if (b->s) b->s[0] = '\0';
}

void sb_free(StrBuf *b) {
    free(b->s);
    *b = (StrBuf){0};
}

const char *sb_str(const StrBuf *b) { return b->s ? b->s : ""; }

size_t utf8_width(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) n++;
    return n;
}

size_t utf8_width_n(const char *s, size_t len) {
    size_t n = 0;
    for (size_t k = 0; k < len && s[k]; k++)
        if (((unsigned char)s[k] & 0xC0) != 0x80) n++;
    return n;
}

size_t wrap_unit_len(const char *s, bool quotes) {
    int depth = 0;
    bool quoted = false;
    size_t k = 0;
    for (; s[k] && s[k] != '\n'; k++) {
        char c = s[k];
        if (c == ' ' && depth == 0 && !quoted) break;
        if (c == '"' && quotes) quoted = !quoted;
        else if (c == '[' && !quoted) depth++;
        else if (c == ']' && !quoted && depth > 0) depth--;
    }
    // An unclosed bracket or quote: break at the first space after all.
    if (depth > 0 || quoted) return strcspn(s, " \n");
    return k;
}
