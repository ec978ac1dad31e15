// Naming the mistake a failing formula makes: its value is compared, in every
// case, with each of the chapter's --bug variants (computed by the chapter's
// fill at the same draws) and with the generic slips of the right value:
// sign, transposed, rot180, scaled (by a constant or by a scalar operand such
// as n), shifted by one row or column, swapped (an outer product's rows and
// columns exchanged inside the right shape). A candidate matches when it
// agrees, by the same rule as the check, in every case.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "formula_impl.h"
#include "options.h"
#include "slips.h"

// How a formula's slip (slips.h) is worded, in the order the slips are
// reported; scaled comes between rot180 and the shifts (see
// mistake_track_finish).
static const char *const SLIP_DETAILS[SLIP_COUNT] = {
    [SLIP_SIGN] = "the right value with its sign flipped",
    [SLIP_TRANSPOSED] = "the right value transposed",
    [SLIP_ROT180] = "the right value turned by 180 degrees",
    [SLIP_DOWN] = "the right value shifted down by one row",
    [SLIP_UP] = "the right value shifted up by one row",
    [SLIP_RIGHT] = "the right value shifted right by one column",
    [SLIP_LEFT] = "the right value shifted left by one column",
    [SLIP_SWAPPED] = ("an outer product with rows and columns swapped: the right (i,j) read in the other order "
                      "into the same shape"),
};

struct MistakeTrack {
    bool any_failed_eval; // one case could not be evaluated: nothing matches
    bool *bug_alive;      // [n_bugs]
    bool slip_alive[SLIP_COUNT];
    bool scaled_alive;    // value = c·right in every case
    bool constant_alive;  // ... with the same c in every case
    bool have_factor;
    double factor;
    bool times_alive[FORMULA_MAX_OPERANDS], over_alive[FORMULA_MAX_OPERANDS]; // c = operand or 1/operand
};

MistakeTrack *mistake_track_new(const FormulaSpec *spec) {
    MistakeTrack *t = calloc(1, sizeof *t);
    bool *bugs = calloc((size_t)spec->n_bugs + 1, sizeof *bugs);
    if (!t || !bugs) usage_error("formula: out of memory");
    t->bug_alive = bugs;
    for (int i = 0; i < spec->n_bugs; i++) t->bug_alive[i] = true;
    for (int i = 0; i < SLIP_COUNT; i++) t->slip_alive[i] = true;
    t->scaled_alive = t->constant_alive = true;
    for (int i = 0; i < FORMULA_MAX_OPERANDS; i++) t->times_alive[i] = t->over_alive[i] = true;
    return t;
}

void mistake_track_free(MistakeTrack *t) {
    if (!t) return;
    free(t->bug_alive);
    free(t);
}

// ---------------------------------------------------------------- slips

// The slip's value of the right value g, zero where a shift leaves nothing.
static void slip_value(ExprMatrix *out, Slip s, const ExprMatrix *g) {
    bool transposed = s == SLIP_TRANSPOSED;
    if (!expr_matrix_alloc(out, transposed ? g->cols : g->rows, transposed ? g->rows : g->cols))
        usage_error("formula: out of memory");
    for (long k = 0; k < expr_matrix_size(g); k++) {
        long from = slip_source(s, k, g->rows, g->cols);
        out->data[k] = from < 0 ? 0.0 : slip_factor(s) * g->data[from];
    }
}

// ---------------------------------------------------------------- scaled

static bool factors_equal(double a, double b) { return formula_entry_agrees(a, b, 0.0); }

// value = c·right for one c? Then c must also be consistent across cases.
static void track_scaled(MistakeTrack *t, const FormulaSpec *spec, const FormulaCase *c, const ExprMatrix *value,
                         const ExprMatrix *right) {
    if (value->rows != right->rows || value->cols != right->cols) {
        t->scaled_alive = false;
        return;
    }
    long big = 0;
    for (long k = 0; k < expr_matrix_size(right); k++)
        if (fabs(right->data[k]) > fabs(right->data[big])) big = k;
    if (right->data[big] == 0.0) return; // all zero: any factor fits this case
    double factor = value->data[big] / right->data[big];
    double scale = formula_scale(value, right);
    for (long k = 0; k < expr_matrix_size(right); k++)
        if (!formula_entry_agrees(value->data[k], factor * right->data[k], scale)) t->scaled_alive = false;
    if (t->have_factor && !factors_equal(factor, t->factor)) t->constant_alive = false;
    t->have_factor = true;
    t->factor = factor;
    int n = spec->n_operands < FORMULA_MAX_OPERANDS ? spec->n_operands : FORMULA_MAX_OPERANDS;
    for (int i = 0; i < n; i++) {
        const ExprMatrix *v = formula_case_find_operand(c, spec->operands[i].name);
        bool scalar = v && v->rows == 1 && v->cols == 1;
        t->times_alive[i] = t->times_alive[i] && scalar && factors_equal(factor, v->data[0]);
        t->over_alive[i] = t->over_alive[i] && scalar && v->data[0] != 0.0 && factors_equal(factor, 1.0 / v->data[0]);
    }
}

// ---------------------------------------------------------------- one case

static void track_bugs(MistakeTrack *t, const Formula *f, const FormulaSpec *spec, uint64_t seed, int k,
                       const ExprMatrix *value) {
    for (int b = 0; b < spec->n_bugs; b++) {
        if (!t->bug_alive[b]) continue;
        FormulaCase bug;
        formula_fill_case(&bug, spec, seed, k, b + 1);
        const ExprMatrix *g = formula_case_find_gradient(&bug, f->name);
        t->bug_alive[b] = g && formula_values_agree(value, g);
        formula_case_free(&bug);
    }
}

void mistake_track_case(MistakeTrack *t, const Formula *f, const FormulaSpec *spec, uint64_t seed, int k,
                        const FormulaCase *c, const ExprMatrix *value, const ExprMatrix *right) {
    if (!value) {
        t->any_failed_eval = true;
        return;
    }
    if (t->any_failed_eval) return;
    track_bugs(t, f, spec, seed, k, value);
    for (int s = 0; s < SLIP_COUNT; s++) {
        if (!t->slip_alive[s]) continue;
        ExprMatrix slip;
        slip_value(&slip, (Slip)s, right);
        // A transposed value must have the transposed shape, not only the length.
        bool shape = value->rows == slip.rows && value->cols == slip.cols;
        t->slip_alive[s] = shape && formula_values_agree(value, &slip);
        expr_matrix_free(&slip);
    }
    if (t->scaled_alive) track_scaled(t, spec, c, value, right);
}

// ---------------------------------------------------------------- the verdict

// "2", "1/2", "-0.37".
static void format_factor(char *buf, size_t len, double c) {
    double inv = 1.0 / c;
    if (fabs(c) < 1.0 && fabs(inv - nearbyint(inv)) < 1e-9 * fabs(inv))
        snprintf(buf, len, "%s1/%g", c < 0 ? "-" : "", fabs(nearbyint(inv)));
    else
        snprintf(buf, len, "%.6g", c);
}

static bool finish_scaled(const MistakeTrack *t, const FormulaSpec *spec, FormulaResult *r) {
    if (!t->scaled_alive || !t->have_factor) return false;
    char factor[64] = "";
    if (t->constant_alive) format_factor(factor, sizeof factor, t->factor);
    int n = spec->n_operands < FORMULA_MAX_OPERANDS ? spec->n_operands : FORMULA_MAX_OPERANDS;
    for (int i = 0; i < n && factor[0] == '\0'; i++) {
        if (t->times_alive[i]) snprintf(factor, sizeof factor, "%s", spec->operands[i].name);
        if (t->over_alive[i]) snprintf(factor, sizeof factor, "1/%s", spec->operands[i].name);
    }
    if (factor[0] == '\0') return false;
    r->mistake = "scaled";
    snprintf(r->mistake_detail, sizeof r->mistake_detail, "the right value times %s", factor);
    return true;
}

static bool finish_slip(const MistakeTrack *t, Slip s, FormulaResult *r) {
    if (!t->slip_alive[s]) return false;
    r->mistake = slip_name(s);
    snprintf(r->mistake_detail, sizeof r->mistake_detail, "%s", SLIP_DETAILS[s]);
    return true;
}

void mistake_track_finish(MistakeTrack *t, const FormulaSpec *spec, FormulaResult *r) {
    r->mistake = NULL;
    r->mistake_detail[0] = '\0';
    if (t->any_failed_eval) return;
    for (int b = 0; b < spec->n_bugs; b++)
        if (t->bug_alive[b]) {
            r->mistake = spec->bugs[b].name;
            snprintf(r->mistake_detail, sizeof r->mistake_detail, "%s", spec->bugs[b].description);
            return;
        }
    if (finish_slip(t, SLIP_SIGN, r) || finish_slip(t, SLIP_TRANSPOSED, r) || finish_slip(t, SLIP_ROT180, r))
        return;
    if (finish_scaled(t, spec, r)) return;
    for (int s = SLIP_DOWN; s <= SLIP_SWAPPED; s++)
        if (finish_slip(t, (Slip)s, r)) return;
}
