// The expression language (src/formula/expr.c, src/formula/expr_ops.c): precedence and
// associativity, every function against values worked out by hand, shape
// errors, and the column and wording of every parse error.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "expr.h"

#define MAX_ENTRIES 16
// Hand values are exact in binary except sigmoid/exp/log results, which
// libm rounds to within an ulp or two.
#define HAND_TOL 1e-15

// X = [1 2 3; 4 5 6; 7 8 9], K = [1 2; 3 4] (not symmetric, so xcorr,
// conv and rot180 all differ), v = [1 2 3], u = [1 -1], n = 2.
static double X[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static double K[] = {1, 2, 3, 4};
static double V[] = {1, 2, 3};
static double U[] = {1, -1};
static double N[] = {2};

static const ExprBinding BIND[] = {
    {"X", {3, 3, X}}, {"K", {2, 2, K}}, {"v", {1, 3, V}}, {"u", {1, 2, U}}, {"n", {1, 1, N}},
};

typedef struct {
    const char *text;
    int rows, cols;
    double v[MAX_ENTRIES];
} Accept;

static const Accept ACCEPT[] = {
    // precedence and associativity
    {"1 + 2 * 3", 1, 1, {7}},
    {"(1 + 2) * 3", 1, 1, {9}},
    {"2 - 3 - 4", 1, 1, {-5}},
    {"8 / 4 / 2", 1, 1, {1}},
    {"-2 * 3", 1, 1, {-6}},
    {"1 - -1", 1, 1, {2}},
    {"3 \xE2\x88\x92 1", 1, 1, {2}}, // U+2212 minus sign
    {"1e2 + .5", 1, 1, {100.5}},
    {"-K'", 2, 2, {-1, -3, -2, -4}}, // -(K')
    {"K''", 2, 2, {1, 2, 3, 4}},
    {"K @ K", 2, 2, {7, 10, 15, 22}},
    {"2 * K @ K", 2, 2, {14, 20, 30, 44}}, // (2K) @ K
    {"K @ K + 1", 2, 2, {8, 11, 16, 23}},
    {"K + K @ K", 2, 2, {8, 12, 18, 26}},
    {"K * K - K / n", 2, 2, {0.5, 3, 7.5, 14}},
    {"n - K", 2, 2, {1, 0, -1, -2}},
    // vectors: rows; @ with a vector on the right reads it as a column
    {"X @ v", 1, 3, {14, 32, 50}},
    {"v @ X", 1, 3, {30, 36, 42}},
    {"X @ v'", 3, 1, {14, 32, 50}},
    {"v'", 3, 1, {1, 2, 3}},
    {"v @ v'", 1, 1, {14}},
    // functions
    {"xcorr(X, K)", 2, 2, {37, 47, 67, 77}},
    {"conv(X, K)", 2, 2, {23, 33, 53, 63}},
    {"xcorr(X, rot180(K))", 2, 2, {23, 33, 53, 63}},
    {"xcorr(X, X)", 1, 1, {285}},
    {"xcorr(pad(K, 1, 1), rot180(K))", 3, 3, {1, 4, 4, 6, 20, 16, 9, 24, 16}}, // full convolution K*K
    {"rot180(K)", 2, 2, {4, 3, 2, 1}},
    {"rot180(v)", 1, 3, {3, 2, 1}},
    {"transpose(K)", 2, 2, {1, 3, 2, 4}},
    {"pad(K, 1, 0)", 4, 2, {0, 0, 1, 2, 3, 4, 0, 0}},
    {"pad(K, 0, 1)", 2, 4, {0, 1, 2, 0, 0, 3, 4, 0}},
    {"pad(K, n - 2, 0)", 2, 2, {1, 2, 3, 4}},
    {"crop(X, 1, 0, 2, 2)", 2, 2, {4, 5, 7, 8}},                 // the block from X[1,0]
    {"crop(X, 0, 0, 3, 3)", 3, 3, {1, 2, 3, 4, 5, 6, 7, 8, 9}},  // all of it
    {"crop(pad(K, 1, 2), 1, 2, 2, 2)", 2, 2, {1, 2, 3, 4}},       // undoes a pad
    {"crop(X, 2, 1, 2, 3)", 2, 3, {8, 9, 0, 0, 0, 0}},            // 0 past the bottom and right edges
    {"crop(v, 0, 2, 1, 1)", 1, 1, {3}},
    {"dilate(K, 2)", 3, 3, {1, 0, 2, 0, 0, 0, 3, 0, 4}},
    {"dilate(K, 1)", 2, 2, {1, 2, 3, 4}},
    {"dilate(v, 3)", 1, 7, {1, 0, 0, 2, 0, 0, 3}},
    {"sum(X)", 1, 1, {45}},
    {"sum(K) / n", 1, 1, {5}},
    {"outer(v, u)", 3, 2, {1, -1, 2, -2, 3, -3}},
    {"outer(v', u)", 3, 2, {1, -1, 2, -2, 3, -3}},
    {"outer(u, n)", 2, 1, {2, -2}},
    {"sigmoid(0 * K)", 2, 2, {0.5, 0.5, 0.5, 0.5}},
    {"sigmoid(u * 800)", 1, 2, {1, 0}}, // no overflow on either side
    {"exp(0 * u)", 1, 2, {1, 1}},
    {"log(exp(2))", 1, 1, {2}},
    {"log(1 + 0 * v)", 1, 3, {0, 0, 0}},
};

static void check_values(const ExprMatrix *m, const Accept *a) {
    ck_assert_msg(m->rows == a->rows && m->cols == a->cols, "%s: %dx%d, expected %dx%d", a->text, m->rows,
                  m->cols, a->rows, a->cols);
    for (int k = 0; k < a->rows * a->cols; k++)
        ck_assert_msg(fabs(m->data[k] - a->v[k]) <= HAND_TOL * fmax(1.0, fabs(a->v[k])), "%s: entry %d is %.17g, not %g",
                      a->text, k, m->data[k], a->v[k]);
}

START_TEST(test_accepted_values) {
    const Accept *a = &ACCEPT[_i];
    Expr *e = NULL;
    char err[256];
    int column = -1;
    ck_assert_msg(expr_parse(&e, a->text, &column, err, sizeof err), "%s: %s", a->text, err);
    ck_assert_int_eq(column, 0);
    ExprMatrix m;
    ck_assert_msg(expr_eval(&m, e, BIND, ARRAY_LEN(BIND), err, sizeof err), "%s: %s", a->text, err);
    check_values(&m, a);
    expr_matrix_free(&m);
    expr_free(e);
}
END_TEST

// ---------------------------------------------------------------- parse errors

typedef struct {
    const char *text;
    int column;
    const char *says;
} ParseError;

static const ParseError PARSE_ERRORS[] = {
    {"", 1, "expected a name, a number, a function or '(', found the end"},
    {"1 +", 4, "found the end"},
    {"(1", 3, "expected ')' to close the '(' at column 1"},
    {"((1)", 5, "to close the '(' at column 1"},
    {")", 1, "found ')'"},
    {"2 3", 3, "expected an operator or the end, found '3'"},
    {"K K", 3, "found 'K'"},
    {"xcorr(X", 8, "',' or ')' to close the '(' at column 6"},
    {"xcorr(X,)", 9, "found ')'"},
    {"xcorr(X, K, K)", 1, "xcorr takes 2 arguments, not 3"},
    {"sum()", 5, "found ')'"},
    {"rot180(X, K)", 1, "rot180 takes 1 argument, not 2"},
    {"pad(X, 1, 1, 1, 1)", 1, "pad takes 3 arguments, not 5"},
    {"pad(X, 1, 1, 1, 1, 1)", 20, "pad takes 3 arguments"}, // a sixth: beyond any function's
    {"crop(X, 1, 1)", 1, "crop takes 5 arguments, not 3"},
    {"crop(X, 0, 0, 1, 1, 1)", 21, "crop takes 5 arguments"},
    {"foo(1)", 1, "'foo' is not a function"},
    {"sum X", 5, "expected '(' after the function sum, found 'X'"},
    {"1e", 3, "digits of the exponent"},
    {"1e+", 4, "digits of the exponent"},
    {"1e999", 1, "too large for a double"},
    {"X $ 2", 3, "found '$'"},
    {"X ^ 2", 3, "found '^'"},
    {"K @", 4, "found the end"},
    {"'K", 1, "found '''"},
    {"\xC3\xA9 + 1", 1, "not part of the language"},
    {"\xE2\x88\x92X +", 5, "found the end"}, // columns count characters, not bytes
    {"x\xC3\xA9", 2, "not part of the language"},
};

START_TEST(test_parse_errors) {
    const ParseError *p = &PARSE_ERRORS[_i];
    Expr *e = (Expr *)1; // must be reset to NULL
    char err[256];
    int column = -1;
    ck_assert_msg(!expr_parse(&e, p->text, &column, err, sizeof err), "'%s' accepted", p->text);
    ck_assert_ptr_null(e);
    ck_assert_msg(column == p->column, "'%s': column %d, expected %d (%s)", p->text, column, p->column, err);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "column %d: ", p->column);
    ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0, "'%s': %s", p->text, err);
    ck_assert_msg(strstr(err, p->says) != NULL, "'%s': '%s' lacks '%s'", p->text, err, p->says);
    ck_assert_ptr_null(strchr(err, '\n'));
}
END_TEST

// Deep trees are refused at parse time, so evaluation never recurses deeper
// than EXPR_MAX_DEPTH; one level less is fine.
static char *repeat(const char *head, const char *unit, int n, const char *tail) {
    size_t len = strlen(head) + strlen(unit) * (size_t)n + strlen(tail) + 1;
    char *s = malloc(len);
    ck_assert_ptr_nonnull(s);
    strcpy(s, head);
    for (int i = 0; i < n; i++) strcat(s, unit);
    strcat(s, tail);
    return s;
}

START_TEST(test_nesting_limit) {
    struct {
        const char *head, *unit, *tail;
    } forms[] = {{"", "(", "1"}, {"1", "'", ""}, {"1", "+1", ""}, {"", "-", "1"}, {"", "sum(", "1"}};
    for (int f = 0; f < ARRAY_LEN(forms); f++) {
        char *deep = repeat(forms[f].head, forms[f].unit, 5000, forms[f].tail);
        Expr *e;
        char err[256];
        ck_assert_msg(!expr_parse(&e, deep, NULL, err, sizeof err), "form %d accepted", f);
        ck_assert_msg(strstr(err, "nested more than") != NULL, "form %d: %s", f, err);
        free(deep);
    }
    char *ok = repeat("1", "+1", EXPR_MAX_DEPTH - 2, "");
    Expr *e;
    char err[256];
    ck_assert_msg(expr_parse(&e, ok, NULL, err, sizeof err), "%s", err);
    ExprMatrix m;
    ck_assert(expr_eval(&m, e, NULL, 0, err, sizeof err));
    ck_assert_double_eq(m.data[0], EXPR_MAX_DEPTH - 1);
    expr_matrix_free(&m);
    expr_free(e);
    free(ok);
}
END_TEST

START_TEST(test_long_name_and_number) {
    char name[EXPR_MAX_NAME + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    Expr *e;
    char err[256];
    ck_assert(!expr_parse(&e, name, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "a name longer than"));
    name[EXPR_MAX_NAME] = '\0'; // exactly the limit is fine
    ck_assert(expr_parse(&e, name, NULL, err, sizeof err));
    expr_free(e);
    char *number = repeat("0.", "0", 500, "1");
    ck_assert(!expr_parse(&e, number, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "a number longer than"));
    free(number);
}
END_TEST

// ---------------------------------------------------------------- evaluation errors

typedef struct {
    const char *text;
    const char *says;
} EvalError;

static const EvalError EVAL_ERRORS[] = {
    {"K + X", "column 3: '+' needs equal shapes or a 1x1 side, not 2x2 and 3x3"},
    {"u * v", "'*' needs equal shapes"},
    {"X @ K", "column 3: '@' needs the columns of the left (3x3) to equal the rows of the right (2x2)"},
    {"K' @ v", "'@' needs"},
    {"xcorr(K, X)", "column 1: xcorr(A,B): B (3x3) does not fit in A (2x2)"},
    {"conv(v, K)", "conv(A,B): B (2x2) does not fit in A (1x3)"},
    {"q + 1", "column 1: unknown name 'q'"},
    {"log(0 * K)", "log gives a value that is not finite (entry (0,0))"},
    {"log(K - 2)", "log gives a value that is not finite (entry (0,0))"},
    {"K / 0", "column 3: an elementwise operator gives a value that is not finite"},
    {"exp(1000)", "exp gives a value that is not finite"},
    {"1e300 * 1e300", "not finite"},
    {"pad(K, -1, 0)", "pad(A,r,c): r must be a whole number from 0 to 4096, not -1"},
    {"pad(K, 0, 0.5)", "pad(A,r,c): c must be a whole number"},
    {"pad(K, K, 0)", "r must be a single number, not 2x2"},
    {"dilate(K, 0)", "dilate(A,s): s must be a whole number from 1 to 4096, not 0"},
    {"crop(K, 2, 0, 1, 1)", "crop(A,r,c,h,w): the block starts at (2,0), outside the 2x2 A"},
    {"crop(K, 0, 0, 0, 1)", "crop(A,r,c,h,w): h must be a whole number from 1 to 4096, not 0"},
    {"crop(K, 0, 0.5, 1, 1)", "crop(A,r,c,h,w): c must be a whole number"},
    {"crop(K, 0, 0, 4097, 1)", "crop(A,r,c,h,w): h must be a whole number from 1 to 4096, not 4097"},
    {"outer(K, v)", "outer(u,v) takes two vectors, not 2x2 and 1x3"},
    {"pad(K, 4096, 0)", "pad would be 8194x2, beyond the limit"},
    {"pad(pad(X, 600, 600), 0, 0)", "pad would be 1203x1203"}, // entries over the limit
    {"xcorr(pad(X, 300, 300), pad(X, 100, 100))", "more than 1e+08 operations"},
    {"pad(X,499,499) + (pad(X,499,499) + (pad(X,499,499) + (pad(X,499,499) + pad(X,499,499))))",
     "pad: the expression would hold more than 4194304 entries at once"},
};

START_TEST(test_eval_errors) {
    const EvalError *p = &EVAL_ERRORS[_i];
    Expr *e;
    char err[256];
    ck_assert_msg(expr_parse(&e, p->text, NULL, err, sizeof err), "%s: %s", p->text, err);
    ExprMatrix m = {5, 5, NULL};
    ck_assert_msg(!expr_eval(&m, e, BIND, ARRAY_LEN(BIND), err, sizeof err), "'%s' evaluated", p->text);
    ck_assert(m.rows == 0 && m.cols == 0 && m.data == NULL);
    ck_assert_msg(strstr(err, p->says) != NULL, "'%s': '%s' lacks '%s'", p->text, err, p->says);
    ck_assert_ptr_null(strchr(err, '\n'));
    expr_free(e);
}
END_TEST

// ---------------------------------------------------------------- the contract

// One tree, evaluated with new bindings each time; the bound values are only
// read.
START_TEST(test_parse_once_evaluate_many) {
    Expr *e;
    char err[256];
    ck_assert(expr_parse(&e, "outer((a - y) / n, x)", NULL, err, sizeof err));
    for (int n = 1; n <= 4; n++) {
        double a[4] = {1, 2, 3, 4}, y[4] = {0, 1, 0, 1}, x[2] = {10, -10}, nn = n;
        ExprBinding b[] = {{"a", {1, n, a}}, {"y", {1, n, y}}, {"x", {1, 2, x}}, {"n", {1, 1, &nn}}};
        ExprMatrix m;
        ck_assert_msg(expr_eval(&m, e, b, ARRAY_LEN(b), err, sizeof err), "%s", err);
        ck_assert_int_eq(m.rows, n);
        ck_assert_int_eq(m.cols, 2);
        for (int i = 0; i < n; i++) {
            double d = (a[i] - y[i]) / n; // (a_i - y_i)/n · x_j, by hand
            ck_assert_double_eq_tol(m.data[2 * i], d * 10, 1e-15);
            ck_assert_double_eq_tol(m.data[2 * i + 1], d * -10, 1e-15);
        }
        ck_assert(a[0] == 1 && y[1] == 1 && x[1] == -10); // untouched
        expr_matrix_free(&m);
    }
    expr_free(e);
}
END_TEST

START_TEST(test_check_names) {
    Expr *e;
    char err[256];
    int column = -1;
    ck_assert(expr_parse(&e, "xcorr(X, G) + sum(Q)", NULL, err, sizeof err));
    const char *names[] = {"X", "G", "K"};
    ck_assert(!expr_check_names(e, names, ARRAY_LEN(names), &column, err, sizeof err));
    ck_assert_int_eq(column, 19);
    ck_assert_str_eq(err, "column 19: unknown name 'Q'");
    const char *more[] = {"X", "G", "Q"};
    ck_assert(expr_check_names(e, more, ARRAY_LEN(more), &column, err, sizeof err));
    ck_assert_int_eq(column, 0);
    expr_free(e);
}
END_TEST

// A message buffer too small for the message is still terminated, for parse
// and evaluation errors alike; a zero-length buffer is never written.
START_TEST(test_small_error_buffers) {
    Expr *e;
    char tiny[6];
    ck_assert(!expr_parse(&e, "xcorr(X", NULL, tiny, sizeof tiny));
    ck_assert_str_eq(tiny, "colum");
    ck_assert(expr_parse(&e, "K + X", NULL, tiny, sizeof tiny));
    ExprMatrix m;
    ck_assert(!expr_eval(&m, e, BIND, ARRAY_LEN(BIND), tiny, sizeof tiny));
    ck_assert_str_eq(tiny, "colum");
    ck_assert(!expr_eval(&m, e, BIND, ARRAY_LEN(BIND), tiny, 0));
    expr_free(e);
}
END_TEST

// A name bound to an empty matrix is an error, not a crash.
START_TEST(test_empty_binding) {
    Expr *e;
    char err[256];
    ck_assert(expr_parse(&e, "A + 1", NULL, err, sizeof err));
    ExprBinding b[] = {{"A", {0, 0, NULL}}};
    ExprMatrix m;
    ck_assert(!expr_eval(&m, e, b, 1, err, sizeof err));
    ck_assert_str_eq(err, "column 1: 'A' has no value");
    expr_free(e);
}
END_TEST

// Text that starts at column 6 of what the user typed ("dK = xcorr(X"):
// parse, name and evaluation errors all count from there.
START_TEST(test_columns_from_an_offset) {
    Expr *e;
    char err[256];
    int column;
    ck_assert(!expr_parse_from(&e, "xcorr(X", 6, &column, err, sizeof err));
    ck_assert_int_eq(column, 13);
    ck_assert_str_eq(err, "column 13: expected ',' or ')' to close the '(' at column 11, found the end");
    ck_assert(expr_parse_from(&e, "K + X @ q", 6, &column, err, sizeof err));
    const char *names[] = {"K", "X"};
    ck_assert(!expr_check_names(e, names, 2, &column, err, sizeof err));
    ck_assert_int_eq(column, 14);
    ExprMatrix m;
    ck_assert(!expr_eval(&m, e, BIND, 2, err, sizeof err)); // q unbound
    ck_assert_str_eq(err, "column 14: unknown name 'q'");
    ExprBinding with_q[] = {BIND[0], BIND[1], {"q", {1, 1, N}}};
    ck_assert(!expr_eval(&m, e, with_q, ARRAY_LEN(with_q), err, sizeof err)); // X @ q: 3x3 @ 1x1
    ck_assert_ptr_nonnull(strstr(err, "column 12: '@' needs"));
    expr_free(e);
}
END_TEST

START_TEST(test_matrix_alloc_limits) {
    ExprMatrix m;
    ck_assert(!expr_matrix_alloc(&m, 0, 3));
    ck_assert(!expr_matrix_alloc(&m, EXPR_MAX_SIDE + 1, 1));
    ck_assert(!expr_matrix_alloc(&m, EXPR_MAX_SIDE, EXPR_MAX_SIDE)); // over the entry limit
    ck_assert_ptr_null(m.data);
    ck_assert(expr_matrix_alloc(&m, 2, 3));
    ck_assert(m.rows == 2 && m.cols == 3 && m.data[5] == 0.0);
    expr_matrix_free(&m);
    ck_assert_ptr_null(m.data);
    expr_free(NULL); // harmless
}
END_TEST

Suite *make_expr_suite(void) {
    Suite *s = suite_create("expr");
    TCase *tc = tcase_create("expr");
    tcase_add_loop_test(tc, test_accepted_values, 0, ARRAY_LEN(ACCEPT));
    tcase_add_loop_test(tc, test_parse_errors, 0, ARRAY_LEN(PARSE_ERRORS));
    tcase_add_test(tc, test_nesting_limit);
    tcase_add_test(tc, test_long_name_and_number);
    tcase_add_loop_test(tc, test_eval_errors, 0, ARRAY_LEN(EVAL_ERRORS));
    tcase_add_test(tc, test_parse_once_evaluate_many);
    tcase_add_test(tc, test_check_names);
    tcase_add_test(tc, test_small_error_buffers);
    tcase_add_test(tc, test_empty_binding);
    tcase_add_test(tc, test_columns_from_an_offset);
    tcase_add_test(tc, test_matrix_alloc_limits);
    suite_add_tcase(s, tc);
    return s;
}
