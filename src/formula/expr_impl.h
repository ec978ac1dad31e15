#ifndef WORKBOOK_EXPR_IMPL_H
#define WORKBOOK_EXPR_IMPL_H
// Internals shared by expr.c (the parser) and expr_ops.c (the evaluator):
// the tree node and the function table. Not for callers; use expr.h.

#include <stdbool.h>
#include <stddef.h>

#include "expr.h"

#define EXPR_MAX_ARGS 5

typedef enum { NODE_NUMBER, NODE_NAME, NODE_NEGATE, NODE_TRANSPOSE, NODE_BINARY, NODE_CALL } NodeKind;
typedef enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MATMUL } ExprOp;

// The state of one evaluation: the bindings, the error text, the work done.
typedef struct {
    const ExprBinding *bind;
    int n_bind;
    char *err;
    size_t errlen;
    double work;
    long live; // entries allocated and not yet freed
    int column; // of the node being evaluated, for messages
    bool failed;
    bool magnitude; // expr_eval_magnitude: every value |·|, a − b as |a| + |b|
} ExprEval;

// out = f(args), each argument already evaluated; false with ev->err set.
typedef bool (*ExprFunctionEval)(ExprMatrix *out, const ExprMatrix *args, ExprEval *ev);

typedef struct {
    const char *name;
    int nargs;
    ExprFunctionEval eval;
} ExprFunction;

struct ExprNode {
    NodeKind kind;
    int column; // 1-based, of the token that made the node
    int depth;  // 1 for a leaf
    double number;
    char name[EXPR_MAX_NAME + 1];
    ExprOp op;
    const ExprFunction *fn;
    struct ExprNode *arg[EXPR_MAX_ARGS];
    int nargs;
};
typedef struct ExprNode ExprNode;

// The function called name (len characters), or NULL.
const ExprFunction *expr_find_function(const char *name, size_t len);

#define EXPR_FUNCTION_NAMES                                                                        \
    "functions: xcorr conv rot180 pad crop dilate sum outer sigmoid exp log transpose"

#endif
