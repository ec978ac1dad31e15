// The --formula engine (src/formula/formula*.c) on fake chapters whose right
// gradients are written out by hand below (plain loops, not the expression
// evaluator): a dense layer, a convolution, a matrix for the generic slips,
// and a one-operand chapter whose failing cases are known in advance, to
// check the smallest counterexample. Then chapter 3's integration as
// formula.h sketches it, on the library's own dense layer.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "capture.h"
#include "chapter3_formula.h"
#include "dense.h"
#include "formula.h"
#include "jsonlint.h"
#include "loss.h"

// ---------------------------------------------------------------- fake chapter 1: a dense layer

typedef enum { DENSE_RIGHT, DENSE_NO_MEAN, DENSE_SWAPPED } DenseBug;

static const BugInfo DENSE_BUGS[] = {
    {"no-mean", "∂L/∂z = ŷ − y, without the 1/n"},
    {"outer-product-swapped", "∂L/∂W filled with x ∂L/∂zᵀ"},
};
static const FormulaSymbol DENSE_OPERANDS[] = {
    {"x", "the input (1 x m)"}, {"W", "the weights (n x m)"}, {"b", "the bias (1 x n)"},
    {"y", "the targets"},       {"z", "W x + b"},            {"yhat", "sigmoid(z)"},
    {"n", "outputs"},           {"m", "inputs"},
};
static const FormulaSymbol DENSE_GRADIENTS[] = {
    {"dW", "∂L/∂W"}, {"db", "∂L/∂b"}, {"dx", "∂L/∂x"}, {"dL_dz", "∂L/∂z"}};

// Case 0, the "chapter's inputs": n = 1, where a missing 1/n is invisible.
static double DENSE_X0[] = {1, 2}, DENSE_W0[] = {0.5, -1}, DENSE_B0[] = {0.1}, DENSE_Y0[] = {1};

static void draw_or_copy(double *v, int n, Rng *rng, const double *fixed, double lo, double hi) {
    if (rng)
        formula_draw_values(v, n, rng, lo, hi);
    else
        memcpy(v, fixed, (size_t)n * sizeof *v);
}

static void dense_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    (void)ctx;
    int n = rng ? formula_draw_int(rng, 1, 4) : 1, m = rng ? formula_draw_int(rng, 1, 4) : 2;
    double *x = formula_case_operand(c, "x", 1, m), *W = formula_case_operand(c, "W", n, m);
    double *b = formula_case_operand(c, "b", 1, n), *y = formula_case_operand(c, "y", 1, n);
    draw_or_copy(x, m, rng, DENSE_X0, -2, 2);
    draw_or_copy(W, n * m, rng, DENSE_W0, -1, 1);
    draw_or_copy(b, n, rng, DENSE_B0, -1, 1);
    draw_or_copy(y, n, rng, DENSE_Y0, 0, 1);
    double *z = formula_case_operand(c, "z", 1, n), *yhat = formula_case_operand(c, "yhat", 1, n);
    formula_case_scalar(c, "n", n);
    formula_case_scalar(c, "m", m);
    double *dW = formula_case_gradient(c, "dW", n, m), *db = formula_case_gradient(c, "db", 1, n);
    double *dx = formula_case_gradient(c, "dx", 1, m), *dz = formula_case_gradient(c, "dL_dz", 1, n);
    for (int i = 0; i < n; i++) {
        z[i] = b[i];
        for (int j = 0; j < m; j++) z[i] += W[i * m + j] * x[j];
        yhat[i] = 1.0 / (1.0 + exp(-z[i]));
        // ∂L/∂z_i = (ŷ_i − y_i)/n for the averaged BCE after a sigmoid.
        dz[i] = bug_id == DENSE_NO_MEAN ? yhat[i] - y[i] : (yhat[i] - y[i]) / n;
        db[i] = dz[i];
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            dW[bug_id == DENSE_SWAPPED ? j * n + i : i * m + j] = dz[i] * x[j];
            dx[j] += W[i * m + j] * dz[i];
        }
}

static FormulaSpec dense_spec(bool with_bugs) {
    return (FormulaSpec){DENSE_OPERANDS,   ARRAY_LEN(DENSE_OPERANDS),      DENSE_GRADIENTS, ARRAY_LEN(DENSE_GRADIENTS),
                         with_bugs ? DENSE_BUGS : NULL, with_bugs ? ARRAY_LEN(DENSE_BUGS) : 0, dense_fill, NULL};
}

// ---------------------------------------------------------------- fake chapter 2: a convolution

typedef enum { CONV_RIGHT, CONV_NO_ROT180 } ConvBug;

static const BugInfo CONV_BUGS[] = {{"no-rot180", "the kernel never rotated"}};
static const FormulaSymbol CONV_OPERANDS[] = {
    {"X", "the input"}, {"K", "the kernel"}, {"G", "∂L/∂Y"}, {"kh", "kernel rows"}, {"kw", "kernel columns"}};
static const FormulaSymbol CONV_GRADIENTS[] = {{"dK", "∂L/∂K"}, {"dX", "∂L/∂X"}, {"db", "∂L/∂b"}};

static double CONV_X0[] = {1, 2, 0, 3, 4, 0, 1, 2, 0, 1, 3, 1}; // 3x4
static double CONV_K0[] = {1, 2, -1, 0};                      // 2x2
static double CONV_G0[] = {0, 2, 3, 0, 0, 2};                  // 2x3

static void conv_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    (void)ctx;
    int h = rng ? formula_draw_int(rng, 2, 6) : 3, w = rng ? formula_draw_int(rng, 2, 6) : 4;
    int kh = rng ? formula_draw_int(rng, 1, h) : 2, kw = rng ? formula_draw_int(rng, 1, w) : 2;
    int oh = h - kh + 1, ow = w - kw + 1;
    double *X = formula_case_operand(c, "X", h, w), *K = formula_case_operand(c, "K", kh, kw);
    double *G = formula_case_operand(c, "G", oh, ow);
    draw_or_copy(X, h * w, rng, CONV_X0, -3, 3);
    draw_or_copy(K, kh * kw, rng, CONV_K0, -1, 1);
    draw_or_copy(G, oh * ow, rng, CONV_G0, -2, 2);
    formula_case_scalar(c, "kh", kh);
    formula_case_scalar(c, "kw", kw);
    double *dK = formula_case_gradient(c, "dK", kh, kw), *dX = formula_case_gradient(c, "dX", h, w);
    double *db = formula_case_gradient(c, "db", 1, 1);
    bool flip = bug_id == CONV_NO_ROT180;
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) {
            // Y[i,j] = b + Σ X[i+m, j+n] K[m,n]: G[i,j] flows back to both.
            double g = G[i * ow + j], gf = G[(oh - 1 - i) * ow + (ow - 1 - j)];
            db[0] += g;
            for (int m = 0; m < kh; m++)
                for (int n = 0; n < kw; n++) {
                    dK[m * kw + n] += X[(i + m) * w + j + n] * (flip ? gf : g);
                    int km = flip ? kh - 1 - m : m, kn = flip ? kw - 1 - n : n;
                    dX[(i + m) * w + j + n] += g * K[km * kw + kn];
                }
        }
}

static FormulaSpec conv_spec(void) {
    return (FormulaSpec){CONV_OPERANDS, ARRAY_LEN(CONV_OPERANDS), CONV_GRADIENTS, ARRAY_LEN(CONV_GRADIENTS),
                         CONV_BUGS,     ARRAY_LEN(CONV_BUGS),     conv_fill,      NULL};
}

// ---------------------------------------------------------------- running a formula

typedef struct {
    Formula f;
    FormulaResult r;
} Run;

static Run run(const FormulaSpec *spec, const char *arg) {
    Run x;
    char err[512];
    ck_assert_msg(formula_parse(&x.f, spec, arg, err, sizeof err), "%s: %s", arg, err);
    formula_check(&x.r, &x.f, spec, 1);
    return x;
}

static void run_free(Run *x) {
    formula_result_free(&x->r);
    formula_free(&x->f);
}

static const char *const DENSE_RIGHT_FORMULAS[] = {
    "dW = outer((sigmoid(z) - y) / n, x)",
    "dW=outer(yhat-y,x)/n",
    "db = (yhat - y) / n",
    "dx = W' @ ((yhat - y) / n)",
    "dx = ((yhat - y) / n) @ W",
    "dL_dz = (yhat − y) / n",
};

START_TEST(test_dense_right_formulas_hold) {
    FormulaSpec spec = dense_spec(true);
    Run x = run(&spec, DENSE_RIGHT_FORMULAS[_i]);
    ck_assert_int_eq(x.r.cases, FORMULA_CASES);
    ck_assert_msg(x.r.passed, "%s: %d of %d agree: %s", DENSE_RIGHT_FORMULAS[_i], x.r.cases_agreeing, x.r.cases,
                  x.r.counterexample.message);
    ck_assert_int_eq(x.r.cases_agreeing, FORMULA_CASES);
    ck_assert_int_ge(x.r.entries_compared, FORMULA_CASES);
    ck_assert(!x.r.has_counterexample);
    ck_assert_ptr_null(x.r.mistake);
    run_free(&x);
}
END_TEST

static double operand_value(const FormulaCase *c, const char *name) {
    const ExprMatrix *v = formula_case_find_operand(c, name);
    ck_assert_ptr_nonnull(v);
    return v->data[0];
}

// Right at n = 1 (case 0 and the random cases with one output), wrong for
// every larger n: the counterexample has n > 1 and the mistake is named.
START_TEST(test_dense_missing_mean_fails) {
    FormulaSpec spec = dense_spec(true);
    Run x = run(&spec, "dW = outer(yhat - y, x)");
    ck_assert(!x.r.passed);
    ck_assert_int_ge(x.r.cases_agreeing, 1); // case 0 has n = 1
    ck_assert_int_lt(x.r.cases_agreeing, FORMULA_CASES);
    ck_assert(x.r.has_counterexample);
    ck_assert_int_gt(x.r.counterexample.case_index, 0);
    ck_assert_double_gt(operand_value(&x.r.counterexample.inputs, "n"), 1);
    ck_assert_int_gt(x.r.counterexample.n_differing, 0);
    ck_assert_str_eq(x.r.counterexample.message, "");
    ck_assert_str_eq(x.r.mistake, "no-mean");
    run_free(&x);
    // Without the chapter's bug list, the generic slip names the factor.
    spec = dense_spec(false);
    x = run(&spec, "dW = outer(yhat - y, x)");
    ck_assert_str_eq(x.r.mistake, "scaled");
    ck_assert_str_eq(x.r.mistake_detail, "the right value times n");
    run_free(&x);
}
END_TEST

typedef struct {
    const char *arg;
    bool with_bugs;
    const char *mistake; // NULL: none
    const char *detail;  // a part of mistake_detail, or of the counterexample message
} Wrong;

static const Wrong DENSE_WRONG[] = {
    {"dL_dz = yhat - y", true, "no-mean", "without the 1/n"},
    {"dL_dz = (y - yhat) / n", true, "sign", "sign flipped"},
    {"dW = outer(x, (yhat - y) / n)", true, "transposed", "transposed"},
    {"dW = outer(yhat - y, x) / 2", false, NULL, ""},
    {"db = (yhat - y) / (2 * n)", false, "scaled", "times 1/2"},
    {"db = (yhat - y) / n / m", false, "scaled", "times 1/m"},
    {"dx = W @ ((yhat - y) / n)", true, NULL, "'@' needs the columns of the left"},
};

START_TEST(test_dense_wrong_formulas) {
    const Wrong *w = &DENSE_WRONG[_i];
    FormulaSpec spec = dense_spec(w->with_bugs);
    Run x = run(&spec, w->arg);
    ck_assert_msg(!x.r.passed, "%s passed", w->arg);
    if (w->mistake) {
        ck_assert_msg(x.r.mistake && strcmp(x.r.mistake, w->mistake) == 0, "%s: matched %s", w->arg,
                      x.r.mistake ? x.r.mistake : "nothing");
        ck_assert_msg(strstr(x.r.mistake_detail, w->detail), "%s: %s", w->arg, x.r.mistake_detail);
    } else {
        ck_assert_msg(x.r.mistake == NULL, "%s: matched %s", w->arg, x.r.mistake);
        ck_assert_msg(strstr(x.r.counterexample.message, w->detail), "%s: '%s'", w->arg, x.r.counterexample.message);
    }
    run_free(&x);
}
END_TEST

typedef struct {
    const char *arg;
    bool passes;
    const char *mistake;
    const char *detail;
} ConvCase;

static const ConvCase CONV_CASES[] = {
    {"dK = xcorr(X, G)", true, NULL, NULL},
    {"dK = conv(X, rot180(G))", true, NULL, NULL},
    {"dX = xcorr(pad(G, kh-1, kw-1), rot180(K))", true, NULL, NULL},
    {"dX = conv(pad(G, kh - 1, kw - 1), K)", true, NULL, NULL},
    {"db = sum(G)", true, NULL, NULL},
    {"dK = conv(X, G)", false, "no-rot180", "never rotated"},
    {"dX = xcorr(pad(G, kh-1, kw-1), K)", false, "no-rot180", "never rotated"},
    {"dK = rot180(xcorr(X, G))", false, "rot180", "turned by 180"},
    {"dK = -xcorr(X, G)", false, "sign", "sign"},
    {"db = sum(G) / 2", false, "scaled", "times 1/2"},
    {"db = 2 * sum(G)", false, "scaled", "times 2"},
    {"db = sum(G) * kh", false, "scaled", "times kh"},
};

START_TEST(test_conv_formulas) {
    const ConvCase *cc = &CONV_CASES[_i];
    FormulaSpec spec = conv_spec();
    Run x = run(&spec, cc->arg);
    ck_assert_msg(x.r.passed == cc->passes, "%s: %d of %d agree", cc->arg, x.r.cases_agreeing, x.r.cases);
    if (cc->mistake) {
        ck_assert_msg(x.r.mistake && strcmp(x.r.mistake, cc->mistake) == 0, "%s: matched %s", cc->arg,
                      x.r.mistake ? x.r.mistake : "nothing");
        ck_assert_msg(strstr(x.r.mistake_detail, cc->detail), "%s: %s", cc->arg, x.r.mistake_detail);
    } else {
        ck_assert_ptr_null(x.r.mistake);
    }
    run_free(&x);
}
END_TEST

// ---------------------------------------------------------------- the generic slips

// g = A (r x c). The operands E3 = [1;0;0] and F3 = [1 0 0] let a formula
// shift A by one row or column (xcorr of the padded A), and Sw holds A's
// entries in the swapped order A[i,j] -> Sw.data[j*r + i], as an outer
// product written with its loops exchanged.
static void slip_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    (void)bug_id;
    (void)ctx;
    int r = rng ? formula_draw_int(rng, 2, 4) : 2, cols = rng ? formula_draw_int(rng, 2, 4) : 3;
    double *a = formula_case_operand(c, "A", r, cols);
    draw_or_copy(a, r * cols, rng, (const double[]){1, -2, 3, 0.5, 4, -1}, -2, 2);
    formula_case_operand(c, "E3", 3, 1)[0] = 1;
    formula_case_operand(c, "F3", 1, 3)[0] = 1;
    double *sw = formula_case_operand(c, "Sw", r, cols);
    for (int i = 0; i < r; i++)
        for (int j = 0; j < cols; j++) sw[j * r + i] = a[i * cols + j];
    memcpy(formula_case_gradient(c, "g", r, cols), a, (size_t)(r * cols) * sizeof *a);
}

static const ConvCase SLIP_CASES[] = {
    {"g = A", true, NULL, NULL},
    {"g = -A", false, "sign", "sign flipped"},
    {"g = A'", false, "transposed", "transposed"},
    {"g = rot180(A)", false, "rot180", "turned by 180"},
    {"g = 2 * A", false, "scaled", "times 2"},
    {"g = A / 3", false, "scaled", "times 1/3"},
    {"g = xcorr(pad(A, 1, 0), E3)", false, "shifted", "down by one row"},
    {"g = xcorr(pad(A, 1, 0), rot180(E3))", false, "shifted", "up by one row"},
    {"g = xcorr(pad(A, 0, 1), F3)", false, "shifted", "right by one column"},
    {"g = xcorr(pad(A, 0, 1), rot180(F3))", false, "shifted", "left by one column"},
    {"g = Sw", false, "swapped", "rows and columns swapped"},
    {"g = A * A", false, NULL, NULL},
};

START_TEST(test_generic_slips) {
    static const FormulaSymbol ops[] = {{"A", "a matrix"}, {"E3", "[1;0;0]"}, {"F3", "[1 0 0]"}, {"Sw", "A swapped"}};
    static const FormulaSymbol grads[] = {{"g", "A again"}};
    FormulaSpec spec = {ops, ARRAY_LEN(ops), grads, ARRAY_LEN(grads), NULL, 0, slip_fill, NULL};
    const ConvCase *cc = &SLIP_CASES[_i];
    Run x = run(&spec, cc->arg);
    ck_assert_msg(x.r.passed == cc->passes, "%s: %d of %d agree", cc->arg, x.r.cases_agreeing, x.r.cases);
    if (cc->mistake) {
        ck_assert_msg(x.r.mistake && strcmp(x.r.mistake, cc->mistake) == 0, "%s: matched %s", cc->arg,
                      x.r.mistake ? x.r.mistake : "nothing");
        ck_assert_msg(strstr(x.r.mistake_detail, cc->detail), "%s: %s", cc->arg, x.r.mistake_detail);
    } else {
        ck_assert_msg(x.r.mistake == NULL, "%s: matched %s", cc->arg, x.r.mistake);
    }
    run_free(&x);
}
END_TEST

// ---------------------------------------------------------------- chapter 3's integration, as formula.h sketches it

// Chapter 3's own --formula unit (chapters/chapter3_formula.c, linked into
// the tests), its cases filled by the chapter's layer code under each --bug
// (chapter3_layer.c). The chapter 3 examples must behave as it states.
static const ConvCase CH3_CASES[] = {
    {"dW = outer((sigmoid(z) - y) / n, x)", true, NULL, NULL},
    {"dW = outer(yhat - y, x)", false, "no-mean", "without the 1/n"},
    {"dx = W' @ ((yhat - y) / n)", true, NULL, NULL},
    {"dL_dz = (yhat - y) / n", true, NULL, NULL},
    {"dL_dz = yhat - y", false, "no-mean", "without the 1/n"},
    {"db = (yhat - y) / n", true, NULL, NULL},
};

START_TEST(test_chapter3_integration) {
    double xv[] = {29, 35}, wv[] = {0.05, -0.03}, bv[] = {0.1}, yv[] = {1}; // the chapter's default
    DenseCase cur;
    dense_case_init(&cur, tensor_from_values(xv, 1, 2), tensor_from_values(wv, 1, 2), tensor_from_values(bv, 1, 1),
                    tensor_from_values(yv, 1, 1));
    FormulaSpec fs = chapter3_formula_spec(&cur);
    const ConvCase *cc = &CH3_CASES[_i];
    Run x = run(&fs, cc->arg);
    ck_assert_msg(x.r.passed == cc->passes, "%s: %d of %d agree", cc->arg, x.r.cases_agreeing, x.r.cases);
    if (cc->mistake)
        ck_assert_msg(x.r.mistake && strcmp(x.r.mistake, cc->mistake) == 0, "%s: matched %s", cc->arg,
                      x.r.mistake ? x.r.mistake : "nothing");
    run_free(&x);
    dense_case_free(&cur);
}
END_TEST

// ---------------------------------------------------------------- the smallest counterexample

// One operand a (1 x len) and n = len; the right gradient is a itself. The
// formula a + a·(n−1)(n−3) is right exactly when len is 1 or 3, so the
// failing cases and their sizes are known from the draws the fill logs.
typedef struct {
    int lens[FORMULA_CASES + 1];
    int calls;
} SizeLog;

static void size_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    SizeLog *log = ctx;
    int len = rng ? formula_draw_int(rng, 1, 6) : 5;
    if (bug_id == 0 && log->calls < ARRAY_LEN(log->lens)) log->lens[log->calls++] = len;
    double *a = formula_case_operand(c, "a", 1, len);
    draw_or_copy(a, len, rng, (const double[]){1, 1.5, 2, 1.25, 1.75}, 1, 2);
    formula_case_scalar(c, "n", len);
    memcpy(formula_case_gradient(c, "g", 1, len), a, (size_t)len * sizeof *a);
}

START_TEST(test_smallest_counterexample) {
    static const FormulaSymbol ops[] = {{"a", "a vector"}, {"n", "its length"}};
    static const FormulaSymbol grads[] = {{"g", "a again"}};
    SizeLog log = {{0}, 0};
    FormulaSpec spec = {ops, ARRAY_LEN(ops), grads, ARRAY_LEN(grads), NULL, 0, size_fill, &log};
    Run x = run(&spec, "g = a + a * (n - 1) * (n - 3)");
    ck_assert_int_eq(log.calls, FORMULA_CASES);
    int agreeing = 0, best = -1;
    for (int k = 0; k < FORMULA_CASES; k++) {
        bool right = log.lens[k] == 1 || log.lens[k] == 3;
        agreeing += right;
        if (!right && (best < 0 || log.lens[k] < log.lens[best])) best = k;
    }
    ck_assert_int_eq(x.r.cases_agreeing, agreeing);
    ck_assert_int_ge(best, 0);
    ck_assert_int_eq(x.r.counterexample.case_index, best);
    ck_assert_int_eq(formula_case_entries(&x.r.counterexample.inputs), log.lens[best] + 1);
    ck_assert_int_eq(x.r.counterexample.n_differing, log.lens[best]); // a > 0: every entry is off
    run_free(&x);
}
END_TEST

// ---------------------------------------------------------------- the tolerance rule

START_TEST(test_entry_rule) {
    ck_assert(formula_entry_agrees(1.0, 1.0 + 0.5e-9, 0.0));
    ck_assert(!formula_entry_agrees(1.0, 1.0 + 2e-9, 0.0));
    ck_assert(formula_entry_agrees(0.0, 0.5e-12, 1.0)); // round-off residue where the value is 0
    ck_assert(!formula_entry_agrees(0.0, 2e-12, 1.0));
    ck_assert(!formula_entry_agrees(0.0, 1e-300, 0.0)); // an all-zero case compares exactly
    ck_assert(formula_entry_agrees(-3.0, -3.0, 0.0));
}
END_TEST

// ---------------------------------------------------------------- parsing

typedef struct {
    const char *arg;
    const char *says;
} BadArg;

static const BadArg BAD_ARGS[] = {
    {"dW outer(x, x)", "--formula: expected NAME=EXPRESSION (or 'list'), not 'dW outer(x, x)'"},
    {"dQ = x", "--formula: 'dQ' is not a gradient of this chapter (it has: dW db dx dL_dz)"},
    {"= x", "'' is not a gradient"},
    {"dW = outer(x", "--formula: 'dW = outer(x' column 13: expected ',' or ')' to close the '(' at column 11"},
    {"dW = q + 1", "--formula: 'dW = q + 1' column 6: unknown name 'q'"},
    {"  dW=  sum(", "column 12: expected a name, a number, a function or '(', found the end"},
    {"dW = ", "column 6: expected a name"},
    {"dx = W' @ y +", "column 14: expected a name"},
    {"dx = W\n@ y", "--formula: 'dx = W?@ y' column 7: expected an operator or the end"},
};

START_TEST(test_bad_arguments) {
    const BadArg *b = &BAD_ARGS[_i];
    FormulaSpec spec = dense_spec(true);
    Formula f;
    char err[512];
    ck_assert_msg(!formula_parse(&f, &spec, b->arg, err, sizeof err), "%s accepted", b->arg);
    ck_assert_msg(strstr(err, b->says) != NULL, "'%s' lacks '%s'", err, b->says);
    ck_assert_ptr_null(strchr(err, '\n'));
    ck_assert_ptr_null(f.expr);
    ck_assert_ptr_null(f.text);
}
END_TEST

START_TEST(test_parse_or_exit_exits_2) {
    FormulaSpec spec = dense_spec(true);
    Formula f;
    formula_parse_or_exit(&f, &spec, "dW = outer(");
}
END_TEST

START_TEST(test_name_and_expression_trimmed) {
    FormulaSpec spec = dense_spec(true);
    Formula f;
    char err[512];
    ck_assert(formula_parse(&f, &spec, "  db =  (yhat - y) / n  ", err, sizeof err));
    ck_assert_str_eq(f.name, "db");
    ck_assert_str_eq(f.expression, "(yhat - y) / n");
    formula_free(&f);
    ck_assert(formula_is_list("list"));
    ck_assert(!formula_is_list("db=list"));
}
END_TEST

// ---------------------------------------------------------------- output

static void assert_lines_fit(const char *text) {
    char line[1024];
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ck_assert_uint_lt(len, sizeof line);
        memcpy(line, p, len);
        line[len] = '\0';
        ck_assert_msg(utf8_width(line) <= 80, "line over 80 columns: %s", line);
        p += len + (e != NULL);
    }
}

START_TEST(test_text_output) {
    FormulaSpec spec = dense_spec(true);
    StrBuf b = {0};
    Run x = run(&spec, "dW = outer((sigmoid(z) - y) / n, x)");
    formula_write_text(&b, &x.f, &x.r);
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "--formula dW = outer((sigmoid(z) - y) / n, x)\n"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "21 of 21 cases agree"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "): HOLDS\n"));
    ck_assert_ptr_null(strstr(sb_str(&b), "smallest"));
    assert_lines_fit(sb_str(&b));
    run_free(&x);
    sb_clear(&b);
    x = run(&spec, "dW = outer(yhat - y, x)");
    formula_write_text(&b, &x.f, &x.r);
    const char *t = sb_str(&b);
    ck_assert_ptr_nonnull(strstr(t, "): FAILS\n"));
    ck_assert_ptr_nonnull(strstr(t, "  smallest failing case: random case "));
    ck_assert_ptr_nonnull(strstr(t, "\n    x = "));
    ck_assert_ptr_nonnull(strstr(t, "\n    n = 2\n"));
    ck_assert_ptr_nonnull(strstr(t, "  your formula gives: "));
    ck_assert_ptr_nonnull(strstr(t, "  the right dW is:   "));
    ck_assert_ptr_nonnull(strstr(t, "  entries that differ: (0,0)"));
    ck_assert_ptr_nonnull(strstr(t, "  it matches the mistake no-mean: "));
    assert_lines_fit(t);
    run_free(&x);
    sb_free(&b);
}
END_TEST

START_TEST(test_json_output) {
    FormulaSpec spec = dense_spec(true);
    StrBuf b = {0};
    Run x = run(&spec, "dL_dz = (yhat - y) / n");
    formula_write_json(&b, &x.f, &x.r);
    ck_assert_msg(jsonlint_is_one_object(sb_str(&b)), "%s", sb_str(&b));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "{\"name\": \"dL_dz\", \"expression\": \"(yhat - y) / n\", \"cases\": 21, "
                                             "\"passed\": true,"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"counterexample\": null, \"matches_mistake\": null"));
    run_free(&x);
    sb_clear(&b);
    x = run(&spec, "dx = W @ ((yhat - y) / n)"); // fails with a shape message in some case
    formula_write_json(&b, &x.f, &x.r);
    ck_assert_msg(jsonlint_is_one_object(sb_str(&b)), "%s", sb_str(&b));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"passed\": false"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"counterexample\": {\"case\": "));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"message\": \"column 8: '@' needs"));
    run_free(&x);
    sb_clear(&b);
    x = run(&spec, "dL_dz = yhat - y");
    formula_write_json(&b, &x.f, &x.r);
    ck_assert(jsonlint_is_one_object(sb_str(&b)));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"differing_entries\": [[0, 0]"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "\"message\": null}, \"matches_mistake\": \"no-mean\""));
    run_free(&x);
    sb_free(&b);
}
END_TEST

// Same seed, same bytes; another seed draws other cases.
START_TEST(test_deterministic) {
    FormulaSpec spec = dense_spec(true);
    StrBuf a = {0}, b = {0}, c = {0};
    Formula f;
    char err[256];
    ck_assert(formula_parse(&f, &spec, "dW = outer(yhat - y, x)", err, sizeof err));
    FormulaResult r;
    formula_check(&r, &f, &spec, 7);
    formula_write_json(&a, &f, &r);
    formula_result_free(&r);
    formula_check(&r, &f, &spec, 7);
    formula_write_json(&b, &f, &r);
    formula_result_free(&r);
    formula_check(&r, &f, &spec, 8);
    formula_write_json(&c, &f, &r);
    formula_result_free(&r);
    ck_assert_str_eq(sb_str(&a), sb_str(&b));
    ck_assert_str_ne(sb_str(&a), sb_str(&c));
    formula_free(&f);
    sb_free(&a);
    sb_free(&b);
    sb_free(&c);
}
END_TEST

START_TEST(test_list) {
    FormulaSpec spec = conv_spec();
    StrBuf b = {0};
    formula_write_list(&b, &spec);
    const char *t = sb_str(&b);
    ck_assert_ptr_nonnull(strstr(t, "Gradients (NAME):\n  dK       ∂L/∂K\n"));
    ck_assert_ptr_nonnull(strstr(t, "Operands:\n  X        the input\n"));
    ck_assert_ptr_nonnull(strstr(t, "  kw       kernel columns\n"));
    ck_assert_ptr_nonnull(strstr(t, "xcorr(A,B)"));
    ck_assert_ptr_nonnull(strstr(t, "dilate(A,s)"));
    assert_lines_fit(t);
    sb_free(&b);
}
END_TEST

// ---------------------------------------------------------------- in a chapter's report

// The child: a chapter's few lines, with one formula that holds and one that
// does not; format from ctx.
static int run_fake_chapter(void *ctx) {
    const char *format = ctx;
    char *argv[] = {"formula-test", "--format", (char *)format, NULL};
    const ChapterSpec cs = {.program = "formula-test", .title = "T"};
    CommonOptions opt;
    char err[256];
    if (parse_args(&opt, &cs, 3, argv, err, sizeof err) != ARGS_OK) usage_error("%s", err);
    FormulaSpec spec = dense_spec(true);
    const char *args[] = {"dL_dz = (yhat - y) / n", "dW = outer(yhat - y, x)"};
    Formula f[2];
    formula_parse_all_or_exit(f, &spec, args, ARRAY_LEN(args));
    Report r;
    report_init(&r, &opt, "T");
    bool held = formula_report_all(&r, &spec, f, ARRAY_LEN(f), opt.seed);
    int status = report_finish(&r);
    for (int i = 0; i < ARRAY_LEN(f); i++) formula_free(&f[i]);
    options_free(&opt);
    return held ? status : EXIT_CHECK_FAILED;
}

START_TEST(test_report_text) {
    Captured c = capture_run(run_fake_chapter, "text");
    ck_assert_int_eq(c.status, EXIT_CHECK_FAILED);
    ck_assert_ptr_nonnull(strstr(c.out, "--formula dL_dz = (yhat - y) / n\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "): HOLDS\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "): FAILS\n"));
    ck_assert_ptr_nonnull(strstr(c.out, "it matches the mistake no-mean"));
    ck_assert_str_eq(c.err, "");
    captured_free(&c);
}
END_TEST

START_TEST(test_report_json) {
    Captured c = capture_run(run_fake_chapter, "json");
    ck_assert_int_eq(c.status, EXIT_CHECK_FAILED);
    ck_assert_msg(jsonlint_is_one_object(c.out), "%s", c.out);
    ck_assert_ptr_nonnull(strstr(c.out, "\"formulas\": [{\"name\": \"dL_dz\""));
    ck_assert_ptr_nonnull(strstr(c.out, "}, {\"name\": \"dW\""));
    ck_assert_ptr_null(strstr(c.out, "HOLDS"));
    captured_free(&c);
}
END_TEST

static int run_list(void *ctx) {
    (void)ctx;
    FormulaSpec spec = conv_spec();
    formula_list_and_exit(&spec);
}

START_TEST(test_list_and_exit) {
    Captured c = capture_run(run_list, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_ptr_nonnull(strstr(c.out, "Gradients (NAME):\n  dK "));
    ck_assert_str_eq(c.err, "");
    captured_free(&c);
}
END_TEST

Suite *make_formula_suite(void) {
    Suite *s = suite_create("formula");
    TCase *tc = tcase_create("formula");
    tcase_add_loop_test(tc, test_dense_right_formulas_hold, 0, ARRAY_LEN(DENSE_RIGHT_FORMULAS));
    tcase_add_test(tc, test_dense_missing_mean_fails);
    tcase_add_loop_test(tc, test_dense_wrong_formulas, 0, ARRAY_LEN(DENSE_WRONG));
    tcase_add_loop_test(tc, test_conv_formulas, 0, ARRAY_LEN(CONV_CASES));
    tcase_add_loop_test(tc, test_generic_slips, 0, ARRAY_LEN(SLIP_CASES));
    tcase_add_loop_test(tc, test_chapter3_integration, 0, ARRAY_LEN(CH3_CASES));
    tcase_add_test(tc, test_smallest_counterexample);
    tcase_add_test(tc, test_entry_rule);
    tcase_add_loop_test(tc, test_bad_arguments, 0, ARRAY_LEN(BAD_ARGS));
    tcase_add_exit_test(tc, test_parse_or_exit_exits_2, 2);
    tcase_add_test(tc, test_name_and_expression_trimmed);
    tcase_add_test(tc, test_text_output);
    tcase_add_test(tc, test_json_output);
    tcase_add_test(tc, test_deterministic);
    tcase_add_test(tc, test_list);
    tcase_add_test(tc, test_report_text);
    tcase_add_test(tc, test_report_json);
    tcase_add_test(tc, test_list_and_exit);
    suite_add_tcase(s, tc);
    return s;
}
