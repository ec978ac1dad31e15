// The --formula engine (formula.h): cases, parsing NAME=EXPRESSION, and the
// check over case 0 and the random cases, with the mistake a failing formula
// matches. The text and JSON writers are in formula_write.c.
#include "formula.h"
#include "progress.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formula_impl.h"
#include "parse.h"

// ---------------------------------------------------------------- cases

static ExprBinding *case_slot(ExprBinding *table, int *n, int max, const char *name, const char *what) {
    for (int i = 0; i < *n; i++)
        if (strcmp(table[i].name, name) == 0) {
            expr_matrix_free(&table[i].value);
            return &table[i];
        }
    if (*n == max) usage_error("formula: more than %d %s in one case", max, what);
    table[*n].name = name;
    return &table[(*n)++];
}

static double *case_add(ExprBinding *slot, int rows, int cols) {
    if (!expr_matrix_alloc(&slot->value, rows, cols))
        usage_error("formula: %s cannot be %dx%d (out of range or out of memory)", slot->name, rows, cols);
    return slot->value.data;
}

double *formula_case_operand(FormulaCase *c, const char *name, int rows, int cols) {
    return case_add(case_slot(c->operands, &c->n_operands, FORMULA_MAX_OPERANDS, name, "operands"), rows, cols);
}

void formula_case_scalar(FormulaCase *c, const char *name, double value) {
    formula_case_operand(c, name, 1, 1)[0] = value;
}

double *formula_case_gradient(FormulaCase *c, const char *name, int rows, int cols) {
    return case_add(case_slot(c->gradients, &c->n_gradients, FORMULA_MAX_GRADIENTS, name, "gradients"), rows,
                    cols);
}

static const ExprMatrix *find(const ExprBinding *table, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(table[i].name, name) == 0) return &table[i].value;
    return NULL;
}

const ExprMatrix *formula_case_find_gradient(const FormulaCase *c, const char *name) {
    return find(c->gradients, c->n_gradients, name);
}

const ExprMatrix *formula_case_find_operand(const FormulaCase *c, const char *name) {
    return find(c->operands, c->n_operands, name);
}

void formula_case_free(FormulaCase *c) {
    for (int i = 0; i < c->n_operands; i++) expr_matrix_free(&c->operands[i].value);
    for (int i = 0; i < c->n_gradients; i++) expr_matrix_free(&c->gradients[i].value);
    *c = (FormulaCase){0};
}

long formula_case_entries(const FormulaCase *c) {
    long n = 0;
    for (int i = 0; i < c->n_operands; i++) n += expr_matrix_size(&c->operands[i].value);
    return n;
}

int formula_draw_int(Rng *rng, int lo, int hi) { return lo + rng_below(rng, hi - lo + 1); }

void formula_draw_values(double *v, long n, Rng *rng, double lo, double hi) {
    for (long k = 0; k < n; k++) v[k] = rng_range(rng, lo, hi);
}

// ---------------------------------------------------------------- parsing

bool formula_is_list(const char *arg) { return strcmp(arg, "list") == 0; }

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    return s;
}

static int chars_before(const char *text, const char *pos) {
    int n = 0;
    for (const char *q = text; q < pos; q++)
        if (((unsigned char)*q & 0xC0) != 0x80) n++;
    return n;
}

static bool refuse(char *err, size_t errlen, Formula *f, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static bool refuse(char *err, size_t errlen, Formula *f, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "--formula: %s", msg);
    message_one_line(err);
    formula_free(f);
    return false;
}

static bool known_gradient(const FormulaSpec *spec, const char *name) {
    for (int i = 0; i < spec->n_gradients; i++)
        if (strcmp(spec->gradients[i].name, name) == 0) return true;
    return false;
}

// An expr error "column N: message" (N counts in the whole argument).
static bool refuse_expr(char *err, size_t errlen, Formula *f, const char *arg, const char *why) {
    return refuse(err, errlen, f, "'%.80s' %s", arg, why);
}

bool formula_parse(Formula *f, const FormulaSpec *spec, const char *arg, char *err, size_t errlen) {
    *f = (Formula){0};
    const char *eq = strchr(arg, '=');
    if (!eq) return refuse(err, errlen, f, "expected NAME=EXPRESSION (or 'list'), not '%.80s'", arg);
    f->text = malloc(strlen(arg) + 1);
    if (!f->text) return refuse(err, errlen, f, "out of memory");
    strcpy(f->text, arg);
    f->text[eq - arg] = '\0';
    f->name = trim(f->text);
    char *expression = trim(f->text + (eq - arg) + 1);
    f->expression = expression;
    if (!known_gradient(spec, f->name)) {
        char names[256] = "";
        for (int i = 0; i < spec->n_gradients; i++)
            snprintf(names + strlen(names), sizeof names - strlen(names), " %s", spec->gradients[i].name);
        return refuse(err, errlen, f, "'%.40s' is not a gradient of this chapter (it has:%s)", f->name, names);
    }
    // The copy has the same characters as arg, so offsets carry over.
    int first_column = chars_before(f->text, expression) + 1;
    char why[320];
    if (!expr_parse_from(&f->expr, expression, first_column, NULL, why, sizeof why))
        return refuse_expr(err, errlen, f, arg, why);
    const char *names[FORMULA_MAX_OPERANDS];
    int n = spec->n_operands < FORMULA_MAX_OPERANDS ? spec->n_operands : FORMULA_MAX_OPERANDS;
    for (int i = 0; i < n; i++) names[i] = spec->operands[i].name;
    if (!expr_check_names(f->expr, names, n, NULL, why, sizeof why))
        return refuse_expr(err, errlen, f, arg, why);
    return true;
}

void formula_parse_or_exit(Formula *f, const FormulaSpec *spec, const char *arg) {
    char err[700];
    if (!formula_parse(f, spec, arg, err, sizeof err)) usage_error("%s", err);
}

void formula_free(Formula *f) {
    expr_free(f->expr);
    free(f->text);
    *f = (Formula){0};
}

// ---------------------------------------------------------------- comparing

bool formula_entry_agrees(double x, double y, double scale) {
    return fabs(x - y) <= FORMULA_REL_TOL * fmax(fabs(x), fabs(y)) + FORMULA_ABS_TOL_OF_SCALE * scale;
}

bool formula_same_shape(const ExprMatrix *a, const ExprMatrix *b) {
    if (a->rows == b->rows && a->cols == b->cols) return true;
    // Vectors are rows in the workbook, but a formula may give a column.
    bool vectors = (a->rows == 1 || a->cols == 1) && (b->rows == 1 || b->cols == 1);
    return vectors && expr_matrix_size(a) == expr_matrix_size(b);
}

double formula_scale(const ExprMatrix *a, const ExprMatrix *b) {
    double s = 0.0;
    for (long k = 0; k < expr_matrix_size(a); k++) s = fmax(s, fabs(a->data[k]));
    for (long k = 0; k < expr_matrix_size(b); k++) s = fmax(s, fabs(b->data[k]));
    return s;
}

// mag (NULL, or entry by entry the magnitudes the formula sums) adds the
// formula's own rounding, FORMULA_ROUNDING_ULPS·ε·mag, to the allowance.
static int count_differing(const ExprMatrix *value, const ExprMatrix *right, const ExprMatrix *mag) {
    if (!value->data || !formula_same_shape(value, right)) return (int)expr_matrix_size(right);
    double scale = formula_scale(value, right);
    bool have_mag = mag && mag->data && expr_matrix_size(mag) == expr_matrix_size(right);
    int n = 0;
    for (long k = 0; k < expr_matrix_size(right); k++) {
        double x = value->data[k], y = right->data[k];
        bool rounding = have_mag && fabs(x - y) <= FORMULA_ROUNDING_ULPS * DBL_EPSILON * mag->data[k];
        if (!formula_entry_agrees(x, y, scale) && !rounding) n++;
    }
    return n;
}

int formula_count_differing(const ExprMatrix *value, const ExprMatrix *right) {
    return count_differing(value, right, NULL);
}

bool formula_values_agree(const ExprMatrix *value, const ExprMatrix *right) {
    return value->data && right->data && formula_same_shape(value, right) && formula_count_differing(value, right) == 0;
}

// ---------------------------------------------------------------- the check

// Each case has its own seed, so a case reads the same whatever the others do.
static uint64_t case_seed(uint64_t seed, int k) { return seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(k + 1)); }

void formula_fill_case(FormulaCase *c, const FormulaSpec *spec, uint64_t seed, int case_index, int bug_id) {
    *c = (FormulaCase){0};
    Rng rng = rng_make(seed);
    spec->fill(c, case_index == 0 ? NULL : &rng, bug_id, spec->ctx);
}

// The formula's value in case c, or an empty value and the message.
static void evaluate(ExprMatrix *value, char *message, size_t len, const Formula *f, const FormulaCase *c,
                     const ExprMatrix *right) {
    *value = (ExprMatrix){0, 0, NULL};
    message[0] = '\0';
    if (!right) {
        snprintf(message, len, "the chapter computed no right value for %s", f->name);
        return;
    }
    if (!expr_eval(value, f->expr, c->operands, c->n_operands, message, len)) return;
    if (!formula_same_shape(value, right))
        snprintf(message, len, "the formula gives a %dx%d matrix, %s is %dx%d", value->rows, value->cols, f->name,
                 right->rows, right->cols);
}

// Keeps case c as the counterexample when it is the smallest failure so far;
// takes ownership of c and value either way.
static void keep_if_smaller(FormulaResult *r, int k, FormulaCase *c, ExprMatrix *value, const char *message,
                            int n_differing) {
    FormulaCounterexample *ce = &r->counterexample;
    if (r->has_counterexample && formula_case_entries(c) >= formula_case_entries(&ce->inputs)) {
        formula_case_free(c);
        expr_matrix_free(value);
        return;
    }
    formula_case_free(&ce->inputs);
    expr_matrix_free(&ce->value);
    r->has_counterexample = true;
    ce->case_index = k;
    ce->inputs = *c;
    ce->value = *value;
    snprintf(ce->message, sizeof ce->message, "%s", message);
    ce->n_differing = n_differing;
}

void formula_check(FormulaResult *r, const Formula *f, const FormulaSpec *spec, uint64_t seed) {
    *r = (FormulaResult){0};
    MistakeTrack *track = mistake_track_new(spec);
    for (int k = 0; k < FORMULA_CASES; k++) {
        progress_poll(); // a case on a big input takes a while
        FormulaCase c;
        formula_fill_case(&c, spec, case_seed(seed, k), k, 0);
        const ExprMatrix *right = formula_case_find_gradient(&c, f->name);
        ExprMatrix value;
        char message[sizeof r->counterexample.message];
        evaluate(&value, message, sizeof message, f, &c, right);
        r->cases++;
        if (right) r->entries_compared += expr_matrix_size(right);
        ExprMatrix mag = {0, 0, NULL};
        char ignored[8];
        if (value.data && !expr_eval_magnitude(&mag, f->expr, c.operands, c.n_operands, ignored, sizeof ignored))
            mag = (ExprMatrix){0, 0, NULL};
        int differing = right ? count_differing(&value, right, &mag) : 1;
        expr_matrix_free(&mag);
        if (right) mistake_track_case(track, f, spec, case_seed(seed, k), k, &c, value.data ? &value : NULL, right);
        if (differing == 0 && message[0] == '\0') {
            r->cases_agreeing++;
            formula_case_free(&c);
            expr_matrix_free(&value);
        } else {
            keep_if_smaller(r, k, &c, &value, message, differing);
        }
    }
    r->passed = r->cases_agreeing == r->cases;
    if (!r->passed) mistake_track_finish(track, spec, r);
    mistake_track_free(track);
}

void formula_result_free(FormulaResult *r) {
    formula_case_free(&r->counterexample.inputs);
    expr_matrix_free(&r->counterexample.value);
    *r = (FormulaResult){0};
}
