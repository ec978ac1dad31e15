#ifndef WORKBOOK_STRBUF_H
#define WORKBOOK_STRBUF_H
// A growable NUL-terminated string. The report buffers a chapter's whole
// output in one, so that an input error found late still leaves stdout empty.
// Exits with status 2 if memory runs out (callers never see a NULL buffer).

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct {
    char *s;
    size_t len, cap;
} StrBuf;

void sb_printf(StrBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vprintf(StrBuf *b, const char *fmt, va_list ap);
void sb_puts(StrBuf *b, const char *s);
void sb_putc(StrBuf *b, char c);
void sb_clear(StrBuf *b);
void sb_free(StrBuf *b);
// Returns the text so far ("" when nothing was written yet).
const char *sb_str(const StrBuf *b);

// Columns a UTF-8 string takes on a terminal (one per code point).
size_t utf8_width(const char *s);
// The same for the first len bytes of s.
size_t utf8_width_n(const char *s, size_t len);
// Bytes of the next unit a line may not be broken inside, from s up to a
// space or newline: a word, or a bracketed "[29 35]", or (with quotes) a
// quoted "1 2; 3 4" with its spaces, as in a command line. An unclosed
// bracket or quote does not glue the rest.
size_t wrap_unit_len(const char *s, bool quotes);

#endif
