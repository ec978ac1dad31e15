// libFuzzer target for the expression language (src/formula/expr.c, src/formula/expr_ops.c).
//
// The input is one expression (text up to the first NUL byte). It must never
// crash, hang or leak, and the contract must hold for every input:
//   parse failure: *out NULL, a column in 1..length+1, a non-empty one-line
//                  message that starts with "column N: ";
//   parse success: evaluation with fixed bindings either gives a matrix
//                  within the size limits whose entries are all finite, or
//                  an empty matrix and a non-empty one-line message; a second
//                  evaluation gives the same bits (no state between runs);
//   a tiny message buffer is always terminated.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr.h"

// Aborting is how a libFuzzer target reports a broken invariant.
#define REQUIRE(cond, what)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken: %s (%s)\n", what, #cond);                           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static double X[] = {1, 2, 0, 3, 4, 0, 1, 2, 0, 1, 3, 1, -1, 0.5, 2, 7};
static double K[] = {1, 2, -1, 0};
static double V[] = {0.5, -2, 3};
static double S[] = {2};

static const ExprBinding BIND[] = {
    {"X", {4, 4, X}}, {"K", {2, 2, K}}, {"G", {3, 3, X}}, {"x", {1, 3, V}}, {"y", {3, 1, V}}, {"n", {1, 1, S}},
};

static void require_message(const char *err) {
    REQUIRE(err[0] != '\0', "the error message is empty");
    REQUIRE(strchr(err, '\n') == NULL, "the error message spans several lines");
    REQUIRE(strncmp(err, "column ", 7) == 0, "the message names no column");
}

static void check_eval(const Expr *e) {
    ExprMatrix a = {9, 9, NULL}, b;
    char err[512], err2[512];
    bool ok = expr_eval(&a, e, BIND, (int)(sizeof BIND / sizeof BIND[0]), err, sizeof err);
    bool ok2 = expr_eval(&b, e, BIND, (int)(sizeof BIND / sizeof BIND[0]), err2, sizeof err2);
    REQUIRE(ok == ok2, "two evaluations disagree on success");
    if (!ok) {
        require_message(err);
        REQUIRE(strcmp(err, err2) == 0, "two evaluations give different messages");
        REQUIRE(a.rows == 0 && a.cols == 0 && a.data == NULL, "a failed evaluation left a value");
        return;
    }
    REQUIRE(a.rows >= 1 && a.cols >= 1 && a.rows <= EXPR_MAX_SIDE && a.cols <= EXPR_MAX_SIDE, "side out of range");
    REQUIRE(expr_matrix_size(&a) <= EXPR_MAX_ENTRIES, "too many entries");
    REQUIRE(a.rows == b.rows && a.cols == b.cols, "two evaluations differ in shape");
    for (long k = 0; k < expr_matrix_size(&a); k++) REQUIRE(isfinite(a.data[k]), "an entry is not finite");
    REQUIRE(memcmp(a.data, b.data, (size_t)expr_matrix_size(&a) * sizeof *a.data) == 0,
            "two evaluations differ in value");
    expr_matrix_free(&a);
    expr_matrix_free(&b);
    char tiny[4];
    if (!expr_eval(&a, e, BIND, 2, tiny, sizeof tiny)) // fewer names bound: more errors
        REQUIRE(memchr(tiny, '\0', sizeof tiny) != NULL, "a truncated message is not terminated");
    else
        expr_matrix_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    Expr *e = (Expr *)text; // must be overwritten
    int column = -1;
    char err[512];
    if (expr_parse(&e, text, &column, err, sizeof err)) {
        REQUIRE(e != NULL && column == 0, "an accepted expression has no tree");
        const char *names[] = {"X", "K", "G"};
        int col2 = -1;
        if (!expr_check_names(e, names, 3, &col2, err, sizeof err)) {
            require_message(err);
            REQUIRE(col2 >= 1 && (size_t)col2 <= strlen(text), "an unknown name's column is out of range");
        }
        check_eval(e);
        expr_free(e);
    } else {
        REQUIRE(e == NULL, "a refused expression left a tree");
        require_message(err);
        REQUIRE(column >= 1 && (size_t)column <= strlen(text) + 1, "the column is out of range");
        char tiny[8];
        REQUIRE(!expr_parse(&e, text, NULL, tiny, sizeof tiny), "parsing twice disagrees");
        REQUIRE(memchr(tiny, '\0', sizeof tiny) != NULL, "a truncated message is not terminated");
    }
    free(text);
    return 0;
}
