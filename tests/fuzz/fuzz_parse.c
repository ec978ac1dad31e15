// libFuzzer target for the matrix-literal parser (src/core/parse.c).
//
// The input is one command-line literal (text up to the first NUL byte; '@'
// file references are skipped, they would read arbitrary files). The parser
// must never crash, and its contract must hold for every input:
//   success: a (1,H,W) tensor with 1 <= H,W <= TENSOR_MAX_SIDE whose entries
//            are finite, not negative zero, and 0 or within
//            [PARSE_MIN_MAGNITUDE, PARSE_MAX_MAGNITUDE];
//   failure: a non-empty one-line message and an empty output tensor.
// parse_number and parse_int run on the same text, and a number parse_number
// accepts must read back identically as a 1x1 matrix.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

// Aborting is how a libFuzzer target reports a broken invariant.
#define REQUIRE(cond, what)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken: %s (%s)\n", what, #cond);                           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void require_one_line(const char *err) {
    REQUIRE(err[0] != '\0', "the error message is empty");
    REQUIRE(strchr(err, '\n') == NULL, "the error message spans several lines");
}

static bool entry_in_range(double x) {
    double m = fabs(x);
    return isfinite(x) && !(x == 0.0 && signbit(x)) &&
           (m == 0.0 || (m >= PARSE_MIN_MAGNITUDE && m <= PARSE_MAX_MAGNITUDE));
}

static void check_matrix(const char *text) {
    Tensor t = {7, 7, 7, NULL}; // not empty, so a failure must clear it
    char err[512];
    err[0] = '\0';
    if (parse_matrix(&t, text, err, sizeof err)) {
        REQUIRE(t.data != NULL, "an accepted matrix has no data");
        REQUIRE(t.c == 1, "an accepted matrix has more than one channel");
        REQUIRE(t.h >= 1 && t.h <= TENSOR_MAX_SIDE, "rows out of 1..4096");
        REQUIRE(t.w >= 1 && t.w <= TENSOR_MAX_SIDE, "columns out of 1..4096");
        for (size_t k = 0; k < tensor_size(&t); k++)
            REQUIRE(entry_in_range(t.data[k]), "an accepted entry is out of range");
        tensor_free(&t);
    } else {
        require_one_line(err);
        REQUIRE(t.c == 0 && t.h == 0 && t.w == 0 && t.data == NULL, "a refused matrix is not empty");
    }
    // A buffer too small for any message must still be NUL-terminated and
    // never overrun (AddressSanitizer watches the 8 bytes).
    char tiny[8];
    if (parse_matrix(&t, text, tiny, sizeof tiny))
        tensor_free(&t);
    else
        REQUIRE(memchr(tiny, '\0', sizeof tiny) != NULL, "a truncated message is not terminated");
}

static void check_number(const char *text) {
    double x = NAN;
    char err[512];
    err[0] = '\0';
    if (parse_number(&x, text, err, sizeof err)) {
        REQUIRE(entry_in_range(x), "an accepted number is out of range");
        // A lone number is also a valid 1x1 literal with the same value.
        Tensor t;
        char why[512] = "";
        REQUIRE(parse_matrix(&t, text, why, sizeof why), "a number is refused as a 1x1 matrix");
        REQUIRE(t.h == 1 && t.w == 1 && t.data[0] == x, "a number reads differently as a matrix");
        tensor_free(&t);
    } else {
        require_one_line(err);
    }
}

static void check_int(const char *text, int min, int max) {
    int v = 0;
    char err[512];
    err[0] = '\0';
    if (parse_int(&v, text, min, max, err, sizeof err)) {
        REQUIRE(v >= min && v <= max, "an accepted integer is out of its range");
        double x;
        char why[512];
        // Every whole number in int range is also a valid matrix entry.
        REQUIRE(parse_number(&x, text, why, sizeof why) && x == (double)v,
                "an accepted integer reads differently as a number");
    } else {
        require_one_line(err);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    if (text[0] != '@') check_matrix(text);
    check_number(text);
    check_int(text, 1, TENSOR_MAX_SIDE);
    check_int(text, -2147483647 - 1, 2147483647);
    free(text);
    return 0;
}
