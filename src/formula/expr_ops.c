// The evaluator of expr.h: walks the tree that expr.c built, one freshly
// allocated matrix per node, every intermediate freed as soon as it is used.
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "expr.h"
#include "expr_impl.h"
#include "parse.h"
#include "mathfn.h"

const char EXPR_LANGUAGE_HELP[] =
    "  operands: the names below, numbers (2, 0.5, 1e-3)\n"
    "  A+B A-B A*B A/B  elementwise (a 1x1 side is broadcast)\n"
    "  A @ B  matrix product (a vector on the right is read as a column)\n"
    "  -A  (A)  A' (transpose); vectors are rows 1xn\n"
    "  xcorr(A,B)  valid cross-correlation   conv(A,B)  valid convolution\n"
    "  rot180(A)   transpose(A)   pad(A,r,c)  r rows, c columns of zeros around\n"
    "  crop(A,r,c,h,w)  the h x w block from A[r,c] (0 past A's edge)\n"
    "  dilate(A,s) s-1 zeros between entries   sum(A)  sum of every entry\n"
    "  outer(u,v)  u_i*v_j   sigmoid(A) exp(A) log(A)  elementwise\n";

// ---------------------------------------------------------------- matrices and errors

bool expr_matrix_alloc(ExprMatrix *m, int rows, int cols) {
    *m = (ExprMatrix){0, 0, NULL};
    if (rows < 1 || cols < 1 || rows > EXPR_MAX_SIDE || cols > EXPR_MAX_SIDE) return false;
    if ((long)rows * cols > EXPR_MAX_ENTRIES) return false;
    double *d = calloc((size_t)rows * (size_t)cols, sizeof *d);
    if (!d) return false;
    *m = (ExprMatrix){rows, cols, d};
    return true;
}

void expr_matrix_free(ExprMatrix *m) {
    free(m->data);
    *m = (ExprMatrix){0, 0, NULL};
}

// Writes "column N: <message>" once and returns false.
static bool ev_fail(ExprEval *ev, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool ev_fail(ExprEval *ev, const char *fmt, ...) {
    if (ev->failed) return false;
    ev->failed = true;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(ev->err, ev->errlen, "column %d: %s", ev->column, msg);
    message_one_line(ev->err);
    return false;
}

static bool charge(ExprEval *ev, double work) {
    ev->work += work;
    if (ev->work > EXPR_MAX_WORK)
        return ev_fail(ev, "the expression needs more than %.0e operations", EXPR_MAX_WORK);
    return true;
}

// Allocates the result of an operation, charging one unit per entry.
static bool ev_alloc(ExprEval *ev, ExprMatrix *m, long rows, long cols, const char *what) {
    *m = (ExprMatrix){0, 0, NULL};
    if (rows < 1 || cols < 1 || rows > EXPR_MAX_SIDE || cols > EXPR_MAX_SIDE || rows * cols > EXPR_MAX_ENTRIES)
        return ev_fail(ev, "%s would be %ldx%ld, beyond the limit of %d per side and %ld entries", what, rows,
                       cols, EXPR_MAX_SIDE, EXPR_MAX_ENTRIES);
    if (!charge(ev, (double)(rows * cols))) return false;
    if (ev->live + rows * cols > EXPR_MAX_LIVE_ENTRIES)
        return ev_fail(ev, "%s: the expression would hold more than %ld entries at once", what,
                       EXPR_MAX_LIVE_ENTRIES);
    if (!expr_matrix_alloc(m, (int)rows, (int)cols)) return ev_fail(ev, "%s: out of memory", what);
    ev->live += rows * cols;
    return true;
}

static void ev_free(ExprEval *ev, ExprMatrix *m) {
    ev->live -= expr_matrix_size(m);
    expr_matrix_free(m);
}

static double at(const ExprMatrix *m, int i, int j) { return m->data[(size_t)i * (size_t)m->cols + (size_t)j]; }
static double *ref(ExprMatrix *m, int i, int j) { return &m->data[(size_t)i * (size_t)m->cols + (size_t)j]; }
static bool is_scalar(const ExprMatrix *m) { return m->rows == 1 && m->cols == 1; }
static bool is_vector(const ExprMatrix *m) { return m->rows == 1 || m->cols == 1; }

// ---------------------------------------------------------------- functions

static bool fn_xcorr_or_conv(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev, bool flip, const char *name) {
    const ExprMatrix *x = &a[0], *k = &a[1];
    if (k->rows > x->rows || k->cols > x->cols)
        return ev_fail(ev, "%s(A,B): B (%dx%d) does not fit in A (%dx%d)", name, k->rows, k->cols, x->rows,
                       x->cols);
    if (!ev_alloc(ev, out, x->rows - k->rows + 1, x->cols - k->cols + 1, name)) return false;
    if (!charge(ev, (double)expr_matrix_size(out) * (double)expr_matrix_size(k))) return false;
    for (int i = 0; i < out->rows; i++)
        for (int j = 0; j < out->cols; j++) {
            double s = 0.0;
            for (int m = 0; m < k->rows; m++)
                for (int n = 0; n < k->cols; n++) {
                    double w = flip ? at(k, k->rows - 1 - m, k->cols - 1 - n) : at(k, m, n);
                    s += at(x, i + m, j + n) * w;
                }
            *ref(out, i, j) = s;
        }
    return true;
}

static bool fn_xcorr(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    return fn_xcorr_or_conv(out, a, ev, false, "xcorr");
}

static bool fn_conv(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    return fn_xcorr_or_conv(out, a, ev, true, "conv");
}

static bool fn_rot180(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    if (!ev_alloc(ev, out, a->rows, a->cols, "rot180")) return false;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++) *ref(out, a->rows - 1 - i, a->cols - 1 - j) = at(a, i, j);
    return true;
}

static bool fn_transpose(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    if (!ev_alloc(ev, out, a->cols, a->rows, "transpose")) return false;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++) *ref(out, j, i) = at(a, i, j);
    return true;
}

// A size argument: a 1x1 whole number in [lo, hi].
static bool whole_arg(ExprEval *ev, const ExprMatrix *m, const char *what, long lo, long hi, long *v) {
    if (!is_scalar(m)) return ev_fail(ev, "%s must be a single number, not %dx%d", what, m->rows, m->cols);
    double x = m->data[0];
    if (!(x >= (double)lo && x <= (double)hi) || x != floor(x))
        return ev_fail(ev, "%s must be a whole number from %ld to %ld, not %.6g", what, lo, hi, x);
    *v = (long)x;
    return true;
}

static bool fn_pad(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    long r, c;
    if (!whole_arg(ev, &a[1], "pad(A,r,c): r", 0, EXPR_MAX_SIDE, &r) ||
        !whole_arg(ev, &a[2], "pad(A,r,c): c", 0, EXPR_MAX_SIDE, &c))
        return false;
    if (!ev_alloc(ev, out, a->rows + 2 * r, a->cols + 2 * c, "pad")) return false;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++) *ref(out, i + (int)r, j + (int)c) = at(a, i, j);
    return true;
}

// crop(A,r,c,h,w): the h x w block of A whose top-left entry is A[r,c];
// entries past A's bottom or right edge are 0 (the rows and columns of a
// padded input that no strided window reaches), so one crop undoes a pad
// and fills the leftover of a strided gradient.
static bool fn_crop(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    long r, c, h, w;
    if (!whole_arg(ev, &a[1], "crop(A,r,c,h,w): r", 0, EXPR_MAX_SIDE, &r) ||
        !whole_arg(ev, &a[2], "crop(A,r,c,h,w): c", 0, EXPR_MAX_SIDE, &c) ||
        !whole_arg(ev, &a[3], "crop(A,r,c,h,w): h", 1, EXPR_MAX_SIDE, &h) ||
        !whole_arg(ev, &a[4], "crop(A,r,c,h,w): w", 1, EXPR_MAX_SIDE, &w))
        return false;
    if (r >= a->rows || c >= a->cols)
        return ev_fail(ev, "crop(A,r,c,h,w): the block starts at (%ld,%ld), outside the %dx%d A", r, c, a->rows,
                       a->cols);
    if (!ev_alloc(ev, out, (int)h, (int)w, "crop")) return false;
    for (int i = 0; i < h && r + i < a->rows; i++)
        for (int j = 0; j < w && c + j < a->cols; j++) *ref(out, i, j) = at(a, (int)r + i, (int)c + j);
    return true;
}

static bool fn_dilate(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    long s;
    if (!whole_arg(ev, &a[1], "dilate(A,s): s", 1, EXPR_MAX_SIDE, &s)) return false;
    if (!ev_alloc(ev, out, s * (a->rows - 1) + 1, s * (a->cols - 1) + 1, "dilate")) return false;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < a->cols; j++) *ref(out, i * (int)s, j * (int)s) = at(a, i, j);
    return true;
}

static bool fn_sum(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    if (!ev_alloc(ev, out, 1, 1, "sum") || !charge(ev, (double)expr_matrix_size(a))) return false;
    double s = 0.0;
    for (long k = 0; k < expr_matrix_size(a); k++) s += a->data[k];
    out->data[0] = s;
    return true;
}

static bool fn_outer(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    const ExprMatrix *u = &a[0], *v = &a[1];
    if (!is_vector(u) || !is_vector(v))
        return ev_fail(ev, "outer(u,v) takes two vectors, not %dx%d and %dx%d", u->rows, u->cols, v->rows, v->cols);
    if (!ev_alloc(ev, out, expr_matrix_size(u), expr_matrix_size(v), "outer")) return false;
    for (int i = 0; i < out->rows; i++)
        for (int j = 0; j < out->cols; j++) *ref(out, i, j) = u->data[i] * v->data[j];
    return true;
}

// σ(x) without overflow: exp of a negative number only.
static double stable_sigmoid(double x) {
    if (x >= 0) return 1.0 / (1.0 + wb_exp(-x));
    double e = wb_exp(x);
    return e / (1.0 + e);
}

// In magnitude mode only a bound m ≥ |x| is known: the result is a bound
// on |f(x)| times (1 + m), f's sensitivity to an error in x (σ ≤ 1,
// e^x ≤ e^m; for log, |log m| + 1 stands in for the size of log x).
static double magnitude_of(double (*f)(double), double m) {
    double size = f == wb_exp ? wb_exp(m) : f == wb_log ? fabs(wb_log(m)) + 1.0 : 1.0;
    return size * (1.0 + m);
}

static bool fn_map(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev, double (*f)(double), const char *name) {
    if (!ev_alloc(ev, out, a->rows, a->cols, name)) return false;
    for (long k = 0; k < expr_matrix_size(a); k++)
        out->data[k] = ev->magnitude ? magnitude_of(f, a->data[k]) : f(a->data[k]);
    return true;
}

static bool fn_sigmoid(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) {
    return fn_map(out, a, ev, stable_sigmoid, "sigmoid");
}
static bool fn_exp(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) { return fn_map(out, a, ev, wb_exp, "exp"); }
static bool fn_log(ExprMatrix *out, const ExprMatrix *a, ExprEval *ev) { return fn_map(out, a, ev, wb_log, "log"); }

static const ExprFunction FUNCTIONS[] = {
    {"xcorr", 2, fn_xcorr},   {"conv", 2, fn_conv},   {"rot180", 1, fn_rot180},   {"pad", 3, fn_pad},
    {"crop", 5, fn_crop},     {"dilate", 2, fn_dilate}, {"sum", 1, fn_sum},     {"outer", 2, fn_outer},     {"sigmoid", 1, fn_sigmoid},
    {"exp", 1, fn_exp},       {"log", 1, fn_log},     {"transpose", 1, fn_transpose},
};

const ExprFunction *expr_find_function(const char *name, size_t len) {
    for (int i = 0; i < ARRAY_LEN(FUNCTIONS); i++)
        if (strlen(FUNCTIONS[i].name) == len && strncmp(FUNCTIONS[i].name, name, len) == 0) return &FUNCTIONS[i];
    return NULL;
}

// ---------------------------------------------------------------- operators

static double apply(ExprOp op, double x, double y) {
    switch (op) {
    case OP_ADD: return x + y;
    case OP_SUB: return x - y;
    case OP_MUL: return x * y;
    case OP_DIV: return x / y;
    case OP_MATMUL: break; // handled by matmul
    }
    return NAN;
}

static const char *op_symbol(ExprOp op) {
    static const char *const SYMBOLS[] = {"+", "-", "*", "/", "@"};
    return SYMBOLS[op];
}

static bool elementwise(ExprMatrix *out, const ExprMatrix *a, const ExprMatrix *b, ExprOp op, ExprEval *ev) {
    bool same = a->rows == b->rows && a->cols == b->cols;
    if (!same && !is_scalar(a) && !is_scalar(b))
        return ev_fail(ev, "'%s' needs equal shapes or a 1x1 side, not %dx%d and %dx%d", op_symbol(op), a->rows,
                       a->cols, b->rows, b->cols);
    const ExprMatrix *shape = is_scalar(a) ? b : a;
    if (!ev_alloc(ev, out, shape->rows, shape->cols, op_symbol(op))) return false;
    for (long k = 0; k < expr_matrix_size(out); k++)
        out->data[k] = apply(ev->magnitude && op == OP_SUB ? OP_ADD : op, is_scalar(a) ? a->data[0] : a->data[k],
                             is_scalar(b) ? b->data[0] : b->data[k]);
    return true;
}

// A @ B; when cols(A) != rows(B) but B is a vector of length cols(A), B is
// read as a column and the product returned as a row (vectors are rows).
static bool matmul(ExprMatrix *out, const ExprMatrix *a, const ExprMatrix *b, ExprEval *ev) {
    bool ordinary = a->cols == b->rows;
    bool vector_right = !ordinary && is_vector(b) && expr_matrix_size(b) == a->cols;
    if (!ordinary && !vector_right)
        return ev_fail(ev, "'@' needs the columns of the left (%dx%d) to equal the rows of the right (%dx%d)",
                       a->rows, a->cols, b->rows, b->cols);
    int cols = ordinary ? b->cols : 1;
    if (!(ordinary ? ev_alloc(ev, out, a->rows, cols, "@") : ev_alloc(ev, out, 1, a->rows, "@"))) return false;
    if (!charge(ev, (double)a->rows * a->cols * cols)) return false;
    for (int i = 0; i < a->rows; i++)
        for (int j = 0; j < cols; j++) {
            double s = 0.0;
            for (int k = 0; k < a->cols; k++) s += at(a, i, k) * (ordinary ? at(b, k, j) : b->data[k]);
            out->data[ordinary ? (size_t)i * (size_t)cols + (size_t)j : (size_t)i] = s;
        }
    return true;
}

// ---------------------------------------------------------------- the walk

static bool eval_node(ExprMatrix *out, const ExprNode *n, ExprEval *ev);

static bool eval_name(ExprMatrix *out, const ExprNode *n, ExprEval *ev) {
    for (int i = 0; i < ev->n_bind; i++) {
        if (strcmp(ev->bind[i].name, n->name) != 0) continue;
        const ExprMatrix *v = &ev->bind[i].value;
        if (!v->data) return ev_fail(ev, "'%s' has no value", n->name);
        if (!ev_alloc(ev, out, v->rows, v->cols, n->name)) return false;
        memcpy(out->data, v->data, (size_t)expr_matrix_size(v) * sizeof *v->data);
        for (long k = 0; ev->magnitude && k < expr_matrix_size(v); k++) out->data[k] = fabs(out->data[k]);
        return true;
    }
    return ev_fail(ev, "unknown name '%s'", n->name);
}

static bool eval_args(ExprMatrix *args, const ExprNode *n, ExprEval *ev) {
    for (int i = 0; i < n->nargs; i++)
        if (!eval_node(&args[i], n->arg[i], ev)) return false;
    return true;
}

// The operation of node n on its evaluated arguments.
static bool operate(ExprMatrix *out, const ExprNode *n, ExprMatrix *args, ExprEval *ev) {
    switch (n->kind) {
    case NODE_NUMBER:
        if (!ev_alloc(ev, out, 1, 1, "a number")) return false;
        out->data[0] = n->number;
        return true;
    case NODE_NAME: return eval_name(out, n, ev);
    case NODE_NEGATE:
        if (!ev_alloc(ev, out, args[0].rows, args[0].cols, "-")) return false;
        for (long k = 0; k < expr_matrix_size(out); k++) out->data[k] = ev->magnitude ? args[0].data[k] : -args[0].data[k];
        return true;
    case NODE_TRANSPOSE: return fn_transpose(out, &args[0], ev);
    case NODE_BINARY:
        if (n->op == OP_MATMUL) return matmul(out, &args[0], &args[1], ev);
        return elementwise(out, &args[0], &args[1], n->op, ev);
    case NODE_CALL: return n->fn->eval(out, args, ev);
    }
    return ev_fail(ev, "unknown node");
}

static const char *node_what(const ExprNode *n) {
    switch (n->kind) {
    case NODE_NUMBER: return "a number";
    case NODE_NAME: return n->name;
    case NODE_NEGATE: return "'-'";
    case NODE_TRANSPOSE: return "'''";
    case NODE_BINARY: return n->op == OP_MATMUL ? "'@'" : "an elementwise operator";
    case NODE_CALL: return n->fn->name;
    }
    return "?";
}

static bool eval_node(ExprMatrix *out, const ExprNode *n, ExprEval *ev) {
    ExprMatrix args[EXPR_MAX_ARGS] = {{0, 0, NULL}};
    *out = (ExprMatrix){0, 0, NULL};
    bool ok = eval_args(args, n, ev);
    ev->column = n->column;
    ok = ok && operate(out, n, args, ev);
    for (int i = 0; i < n->nargs; i++) ev_free(ev, &args[i]);
    for (long k = 0; ok && k < expr_matrix_size(out); k++)
        if (!isfinite(out->data[k]))
            ok = ev_fail(ev, "%s gives a value that is not finite (entry (%ld,%ld))", node_what(n),
                         k / out->cols, k % out->cols);
    if (!ok) ev_free(ev, out);
    return ok;
}

bool expr_eval(ExprMatrix *out, const Expr *e, const ExprBinding *bind, int n_bind, char *err, size_t errlen) {
    ExprEval ev = {.bind = bind, .n_bind = n_bind, .err = err, .errlen = errlen};
    if (errlen > 0) err[0] = '\0';
    return eval_node(out, e, &ev);
}

bool expr_eval_magnitude(ExprMatrix *out, const Expr *e, const ExprBinding *bind, int n_bind, char *err,
                         size_t errlen) {
    ExprEval ev = {.bind = bind, .n_bind = n_bind, .err = err, .errlen = errlen, .magnitude = true};
    if (errlen > 0) err[0] = '\0';
    return eval_node(out, e, &ev);
}
