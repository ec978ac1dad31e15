#ifndef TEST_FLAT_TEXT_H
#define TEST_FLAT_TEXT_H
// s with every run of spaces and newlines made one space, so that a test can
// look for a sentence of prose whatever the width wrapped it at. The caller
// frees the result.
#include <check.h>
#include <stdlib.h>
#include <string.h>

static inline char *flat_text(const char *s) {
    char *out = malloc(strlen(s) + 1), *o = out;
    ck_assert_ptr_nonnull(out);
    for (; *s; s++) {
        if (*s == ' ' || *s == '\n') {
            if (o == out || o[-1] != ' ') *o++ = ' ';
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

#endif
