#ifndef WORKBOOK_EXPR_H
#define WORKBOOK_EXPR_H
// A small matrix expression language, for checking a derived formula
// (--formula): parse the text once into a tree, evaluate it many times with
// different values bound to its names.
//
// Values are 2-D matrices of doubles, row-major. A scalar is 1x1. A vector is
// a row, 1xn, as the workbook stores vectors; a column nx1 also counts as a
// vector where a vector is asked for (outer, and the right side of @).
//
//   operands   NAME (bound by the caller), numbers (12, 0.5, 1e-3)
//   A + B  A - B  A * B  A / B   elementwise; a 1x1 side is broadcast
//   A @ B      matrix product. When A's columns do not equal B's rows but B
//              is a vector of length cols(A), B is read as a column and the
//              result A·B is returned as a row vector, so W' @ dz works with
//              dz stored as a row.
//   -A         unary minus           A'   transpose (postfix)
//   ( A )      grouping
// Precedence, loosest first: + -, then * / @ (left to right), then unary
// minus, then postfix '. So -A' = -(A'), a - b - c = (a - b) - c and
// a * b @ c = (a * b) @ c. The minus sign U+2212 (−) is read as '-'.
//
// Functions (A, B matrices; r, c, s whole-number scalars):
//   xcorr(A,B)   valid cross-correlation: out[i,j] = Σ A[i+m,j+n]·B[m,n],
//                (hA−hB+1)x(wA−wB+1); B must fit in A
//   conv(A,B)    valid convolution = xcorr(A, rot180(B))
//   rot180(A)    A turned by 180 degrees     transpose(A)   A'
//   pad(A,r,c)   r rows of zeros above and below, c columns left and right
//   crop(A,r,c,h,w)  the h x w block of A from A[r,c]; entries past A's
//                bottom or right edge are 0 (undoes pad, fills a strided
//                gradient's leftover rows and columns)
//   dilate(A,s)  s−1 zeros between neighbouring entries (s >= 1)
//   sum(A)       the sum of every entry, 1x1
//   outer(u,v)   u, v vectors: out[i,j] = u_i·v_j, len(u) x len(v)
//   sigmoid(A)  exp(A)  log(A)   elementwise
//
// Errors never crash: a parse error gives the 1-based column (in characters)
// and what was expected; an evaluation error (shape mismatch, unbound name,
// a pad/crop/dilate size that is not a whole number, a crop that starts outside A, a result that is not finite,
// a result too large) is a one-line message.
//
// Ownership: expr_parse allocates the tree, expr_free frees it. expr_eval
// allocates its result, which the caller frees with expr_matrix_free; the
// bound values are only read (the caller keeps them). Every allocation is
// checked: running out of memory is an ordinary error.

#include <stdbool.h>
#include <stddef.h>

// Bounds that keep every evaluation small: a teaching formula never comes
// near them, and a hostile one (pad(x, 4000, 4000) nested) cannot exhaust
// memory or time.
#define EXPR_MAX_SIDE 4096
#define EXPR_MAX_ENTRIES (1L << 20)
// Entries held at once by one evaluation (32 MB): a deep tree keeps every
// pending left operand alive while its right one is computed.
#define EXPR_MAX_LIVE_ENTRIES (1L << 22)
// Multiply-adds plus entries written, summed over one evaluation (~0.1 s).
#define EXPR_MAX_WORK 100000000.0
// The tree is walked recursively; this bounds the stack it needs.
#define EXPR_MAX_DEPTH 200
#define EXPR_MAX_NAME 63

typedef struct {
    int rows, cols;
    double *data; // rows*cols entries, row-major; NULL when empty
} ExprMatrix;

typedef struct {
    const char *name;
    ExprMatrix value; // read only; owned by the caller
} ExprBinding;

typedef struct ExprNode Expr;

// Parses text. On success *out is the tree (free with expr_free). On failure
// *out is NULL, *column (if not NULL) is the 1-based column of the problem and
// err holds "column N: expected ..., found ...".
bool expr_parse(Expr **out, const char *text, int *column, char *err, size_t errlen);
// The same, for text that starts at column first_column of what the user
// typed (after "dK = "), so that every column reported, by the parser and by
// the evaluation, points into the user's whole argument.
bool expr_parse_from(Expr **out, const char *text, int first_column, int *column, char *err, size_t errlen);
void expr_free(Expr *e);

// Checks that every operand name in e is one of names[0..n). On failure
// reports the first unknown one like a parse error (column and message).
bool expr_check_names(const Expr *e, const char *const *names, int n, int *column, char *err,
                      size_t errlen);

// Evaluates e with the given bindings. On success *out is a new matrix (free
// with expr_matrix_free) whose entries are all finite; on failure *out is
// empty and err says what went wrong.
bool expr_eval(ExprMatrix *out, const Expr *e, const ExprBinding *bind, int n_bind, char *err,
               size_t errlen);
// The same tree on the operands' magnitudes: every value |·|, a − b and −a
// as |a| + |b| and |a|, functions bounded: entry by entry, the size of what
// the expression sums, so that ε times it bounds the value's rounding (a
// right (ŷ − y)/n at ŷ = σ(17) is off by ε·(|ŷ| + |y|)/n, not ε·|ŷ − y|).
bool expr_eval_magnitude(ExprMatrix *out, const Expr *e, const ExprBinding *bind, int n_bind, char *err,
                         size_t errlen);

// Allocates a zero-filled rows x cols matrix; false (and *m empty) when the
// size is out of range or memory runs out.
bool expr_matrix_alloc(ExprMatrix *m, int rows, int cols);
void expr_matrix_free(ExprMatrix *m);
static inline long expr_matrix_size(const ExprMatrix *m) { return (long)m->rows * (long)m->cols; }

// One line per function ("xcorr(A,B)  valid cross-correlation"), for --help
// and --formula list.
extern const char EXPR_LANGUAGE_HELP[];

#endif
