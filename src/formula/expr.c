// The expression language of expr.h: a recursive-descent parser that builds
// a tree, and an evaluator that walks it. The evaluator's operations live in
// expr_ops.c; this file is the syntax.
#include "expr.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "expr_impl.h"
#include "parse.h"

// A number longer than this is refused rather than copied (no literal a
// student types comes near it).
#define MAX_NUMBER_CHARS 400

typedef enum {
    TOK_END,
    TOK_NUMBER,
    TOK_NAME,
    TOK_PLUS,
    TOK_MINUS,
    TOK_STAR,
    TOK_SLASH,
    TOK_AT,
    TOK_LPAREN,
    TOK_RPAREN,
    TOK_COMMA,
    TOK_QUOTE,
    TOK_BAD,
} TokKind;

typedef struct {
    TokKind kind;
    const char *start;
    size_t len;
    double number;
} Token;

typedef struct {
    const char *text;
    const char *p; // just past tok
    Token tok;
    int depth;        // recursion depth of the parser
    int first_column; // the column of text[0] in what the user typed
    bool failed;
    int column;
    char *err;
    size_t errlen;
} Parser;

// ---------------------------------------------------------------- errors

// The column of pos in characters: UTF-8 continuation bytes do not count.
static int column_at(const Parser *ps, const char *pos) {
    int col = ps->first_column;
    for (const char *q = ps->text; q < pos; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) col++;
    return col;
}

static void describe_token(char *buf, size_t len, const Token *t) {
    if (t->kind == TOK_END)
        snprintf(buf, len, "the end");
    else if ((unsigned char)t->start[0] >= 0x80 || (unsigned char)t->start[0] < 0x20)
        snprintf(buf, len, "a character that is not part of the language");
    else
        snprintf(buf, len, "'%.*s'", (int)(t->len > 24 ? 24 : t->len), t->start);
}

// Records the first error only: later ones are consequences of it.
static void fail_vcol(Parser *ps, int column, const char *fmt, va_list ap) {
    if (ps->failed) return;
    ps->failed = true;
    ps->column = column;
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    snprintf(ps->err, ps->errlen, "column %d: %s", column, msg);
    message_one_line(ps->err);
}

static void fail_col(Parser *ps, int column, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_col(Parser *ps, int column, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fail_vcol(ps, column, fmt, ap);
    va_end(ap);
}

static void fail_at(Parser *ps, const char *pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail_at(Parser *ps, const char *pos, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fail_vcol(ps, column_at(ps, pos), fmt, ap);
    va_end(ap);
}

static void fail_expected(Parser *ps, const char *what) {
    char found[64];
    describe_token(found, sizeof found, &ps->tok);
    fail_at(ps, ps->tok.start, "expected %s, found %s", what, found);
}

// ---------------------------------------------------------------- lexer

static bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_digits(const char *q) {
    while (is_digit(*q)) q++;
    return q;
}

static void lex_number(Parser *ps, Token *t) {
    const char *q = skip_digits(t->start);
    if (*q == '.') q = skip_digits(q + 1);
    if (*q == 'e' || *q == 'E') {
        const char *e = q + 1;
        if (*e == '+' || *e == '-') e++;
        if (!is_digit(*e)) {
            fail_at(ps, e, "expected the digits of the exponent of a number");
            return;
        }
        q = skip_digits(e);
    }
    t->len = (size_t)(q - t->start);
    if (t->len > MAX_NUMBER_CHARS) {
        fail_at(ps, t->start, "a number longer than %d characters", MAX_NUMBER_CHARS);
        return;
    }
    char buf[MAX_NUMBER_CHARS + 1];
    memcpy(buf, t->start, t->len);
    buf[t->len] = '\0';
    t->number = strtod(buf, NULL);
    if (!isfinite(t->number)) fail_at(ps, t->start, "the number %.24s is too large for a double", buf);
}

static TokKind single_char_kind(char c) {
    switch (c) {
    case '+': return TOK_PLUS;
    case '-': return TOK_MINUS;
    case '*': return TOK_STAR;
    case '/': return TOK_SLASH;
    case '@': return TOK_AT;
    case '(': return TOK_LPAREN;
    case ')': return TOK_RPAREN;
    case ',': return TOK_COMMA;
    case '\'': return TOK_QUOTE;
    default: return TOK_BAD;
    }
}

static void next_token(Parser *ps) {
    const char *q = ps->p;
    while (*q == ' ' || *q == '\t') q++;
    Token t = {TOK_BAD, q, 1, 0.0};
    if (*q == '\0') {
        t.kind = TOK_END;
        t.len = 0;
    } else if (strncmp(q, "\xE2\x88\x92", 3) == 0) { // U+2212 minus sign
        t.kind = TOK_MINUS;
        t.len = 3;
    } else if (is_digit(*q) || (*q == '.' && is_digit(q[1]))) {
        t.kind = TOK_NUMBER;
        lex_number(ps, &t);
    } else if (is_name_start(*q)) {
        const char *e = q;
        while (is_name_start(*e) || is_digit(*e)) e++;
        t.kind = TOK_NAME;
        t.len = (size_t)(e - q);
        if (t.len > EXPR_MAX_NAME) fail_at(ps, q, "a name longer than %d characters", EXPR_MAX_NAME);
    } else {
        t.kind = single_char_kind(*q);
    }
    ps->tok = t;
    ps->p = q + t.len;
}

// ---------------------------------------------------------------- tree

static ExprNode *new_node(Parser *ps, NodeKind kind, const char *pos) {
    if (ps->failed) return NULL;
    ExprNode *n = calloc(1, sizeof *n);
    if (!n) {
        fail_at(ps, pos, "out of memory");
        return NULL;
    }
    n->kind = kind;
    n->column = column_at(ps, pos);
    n->depth = 1;
    return n;
}

void expr_free(Expr *e) {
    if (!e) return;
    for (int i = 0; i < e->nargs; i++) expr_free(e->arg[i]);
    free(e);
}

// Makes child the next argument of parent, which owns it from then on; fails
// when the tree would get too deep for the evaluator's recursion.
static void attach(Parser *ps, ExprNode *parent, ExprNode *child) {
    parent->arg[parent->nargs++] = child;
    if (child->depth + 1 > parent->depth) parent->depth = child->depth + 1;
    if (parent->depth > EXPR_MAX_DEPTH)
        fail_col(ps, parent->column, "the expression is nested more than %d levels deep", EXPR_MAX_DEPTH);
}

// Frees n and returns NULL once the parse has failed.
static ExprNode *unless_failed(Parser *ps, ExprNode *n) {
    if (!ps->failed) return n;
    expr_free(n);
    return NULL;
}

// ---------------------------------------------------------------- grammar
//   sum     := product (('+' | '-') product)*
//   product := unary (('*' | '/' | '@') unary)*
//   unary   := '-' unary | postfix
//   postfix := primary '\''*
//   primary := NUMBER | NAME | FUNCTION '(' sum (',' sum)* ')' | '(' sum ')'

static ExprNode *parse_sum(Parser *ps);

static bool enter(Parser *ps) {
    if (++ps->depth > EXPR_MAX_DEPTH) {
        fail_at(ps, ps->tok.start, "the expression is nested more than %d levels deep", EXPR_MAX_DEPTH);
        return false;
    }
    return true;
}

static ExprNode *parse_call(Parser *ps, const ExprFunction *fn, const Token *name) {
    ExprNode *n = new_node(ps, NODE_CALL, name->start);
    if (!n) return NULL;
    n->fn = fn;
    const char *open = ps->tok.start;
    next_token(ps); // '('
    for (;;) {
        if (n->nargs == EXPR_MAX_ARGS) {
            fail_at(ps, ps->tok.start, "%s takes %d argument%s", fn->name, fn->nargs, fn->nargs == 1 ? "" : "s");
            break;
        }
        ExprNode *a = parse_sum(ps);
        if (!a) break;
        attach(ps, n, a);
        if (ps->failed || ps->tok.kind != TOK_COMMA) break;
        next_token(ps);
    }
    if (!ps->failed && ps->tok.kind != TOK_RPAREN) {
        char what[96];
        snprintf(what, sizeof what, "',' or ')' to close the '(' at column %d", column_at(ps, open));
        fail_expected(ps, what);
    }
    if (!ps->failed && n->nargs != fn->nargs)
        fail_at(ps, name->start, "%s takes %d argument%s, not %d", fn->name, fn->nargs,
                fn->nargs == 1 ? "" : "s", n->nargs);
    if (ps->failed) {
        expr_free(n);
        return NULL;
    }
    next_token(ps);
    return n;
}

static ExprNode *parse_name(Parser *ps) {
    Token name = ps->tok;
    next_token(ps);
    const ExprFunction *fn = expr_find_function(name.start, name.len);
    if (fn && ps->tok.kind == TOK_LPAREN) return parse_call(ps, fn, &name);
    if (fn) {
        char what[96];
        snprintf(what, sizeof what, "'(' after the function %s", fn->name);
        fail_expected(ps, what);
        return NULL;
    }
    if (ps->tok.kind == TOK_LPAREN) {
        fail_at(ps, name.start, "'%.*s' is not a function (%s)", (int)name.len, name.start, EXPR_FUNCTION_NAMES);
        return NULL;
    }
    ExprNode *n = new_node(ps, NODE_NAME, name.start);
    if (n) memcpy(n->name, name.start, name.len);
    return n;
}

static ExprNode *parse_primary(Parser *ps) {
    if (ps->failed) return NULL;
    if (ps->tok.kind == TOK_NUMBER) {
        ExprNode *n = new_node(ps, NODE_NUMBER, ps->tok.start);
        if (n) n->number = ps->tok.number;
        next_token(ps);
        return n;
    }
    if (ps->tok.kind == TOK_NAME) return parse_name(ps);
    if (ps->tok.kind == TOK_LPAREN) {
        const char *open = ps->tok.start;
        if (!enter(ps)) return NULL;
        next_token(ps);
        ExprNode *n = parse_sum(ps);
        ps->depth--;
        if (!ps->failed && ps->tok.kind != TOK_RPAREN) {
            char what[64];
            snprintf(what, sizeof what, "')' to close the '(' at column %d", column_at(ps, open));
            fail_expected(ps, what);
        }
        if (ps->failed) {
            expr_free(n);
            return NULL;
        }
        next_token(ps);
        return n;
    }
    fail_expected(ps, "a name, a number, a function or '('");
    return NULL;
}

static ExprNode *parse_postfix(Parser *ps) {
    ExprNode *n = parse_primary(ps);
    while (n && !ps->failed && ps->tok.kind == TOK_QUOTE) {
        ExprNode *t = new_node(ps, NODE_TRANSPOSE, ps->tok.start);
        if (!t) break;
        next_token(ps);
        attach(ps, t, n);
        n = t;
    }
    return unless_failed(ps, n);
}

static ExprNode *parse_unary(Parser *ps) {
    if (ps->tok.kind != TOK_MINUS) return parse_postfix(ps);
    ExprNode *n = new_node(ps, NODE_NEGATE, ps->tok.start);
    if (!n || !enter(ps)) return unless_failed(ps, n);
    next_token(ps);
    ExprNode *a = parse_unary(ps);
    ps->depth--;
    if (a) attach(ps, n, a);
    return unless_failed(ps, n);
}

static bool binary_op(TokKind k, bool sum_level, ExprOp *op) {
    switch (k) {
    case TOK_PLUS: *op = OP_ADD; return sum_level;
    case TOK_MINUS: *op = OP_SUB; return sum_level;
    case TOK_STAR: *op = OP_MUL; return !sum_level;
    case TOK_SLASH: *op = OP_DIV; return !sum_level;
    case TOK_AT: *op = OP_MATMUL; return !sum_level;
    default: return false;
    }
}

// One left-associative level: operand (op operand)*.
static ExprNode *parse_level(Parser *ps, bool sum_level) {
    ExprNode *left = sum_level ? parse_level(ps, false) : parse_unary(ps);
    ExprOp op;
    while (left && !ps->failed && binary_op(ps->tok.kind, sum_level, &op)) {
        ExprNode *n = new_node(ps, NODE_BINARY, ps->tok.start);
        if (!n) break;
        n->op = op;
        attach(ps, n, left);
        left = n;
        next_token(ps);
        ExprNode *right = sum_level ? parse_level(ps, false) : parse_unary(ps);
        if (right) attach(ps, n, right);
    }
    return unless_failed(ps, left);
}

static ExprNode *parse_sum(Parser *ps) {
    if (!enter(ps)) return NULL;
    ExprNode *n = parse_level(ps, true);
    ps->depth--;
    return n;
}

bool expr_parse(Expr **out, const char *text, int *column, char *err, size_t errlen) {
    return expr_parse_from(out, text, 1, column, err, errlen);
}

bool expr_parse_from(Expr **out, const char *text, int first_column, int *column, char *err, size_t errlen) {
    Parser ps = {.text = text, .p = text, .first_column = first_column, .err = err, .errlen = errlen};
    if (errlen > 0) err[0] = '\0';
    *out = NULL;
    next_token(&ps);
    ExprNode *root = ps.failed ? NULL : parse_sum(&ps);
    if (root && !ps.failed && ps.tok.kind != TOK_END) fail_expected(&ps, "an operator or the end");
    if (column) *column = ps.failed ? ps.column : 0;
    if (ps.failed) {
        expr_free(root);
        return false;
    }
    *out = root;
    return true;
}

// ---------------------------------------------------------------- names

static const ExprNode *first_unknown(const ExprNode *e, const char *const *names, int n) {
    if (e->kind == NODE_NAME) {
        for (int i = 0; i < n; i++)
            if (strcmp(e->name, names[i]) == 0) return NULL;
        return e;
    }
    for (int i = 0; i < e->nargs; i++) {
        const ExprNode *u = first_unknown(e->arg[i], names, n);
        if (u) return u;
    }
    return NULL;
}

bool expr_check_names(const Expr *e, const char *const *names, int n, int *column, char *err,
                      size_t errlen) {
    const ExprNode *u = first_unknown(e, names, n);
    if (column) *column = u ? u->column : 0;
    if (!u) return true;
    snprintf(err, errlen, "column %d: unknown name '%s'", u->column, u->name);
    return false;
}
