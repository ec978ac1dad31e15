// --formula's output, independent of the report: the symbol list, the result
// as plain lines, and the result as one JSON object.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formula_impl.h"

// Entries named one by one in the text before "…".
#define MAX_LISTED_ENTRIES 12
// Above this many characters a matrix is written one row a line.
#define INLINE_MATRIX_CHARS 64

// Text lines fit this many columns (an 80-column terminal).
#define TEXT_WIDTH 80

// s as lines of at most TEXT_WIDTH columns, each indented by indent.
static void write_wrapped(StrBuf *b, const char *s, size_t indent) {
    size_t col = 0;
    while (*s) {
        s += strspn(s, " ");
        size_t n = wrap_unit_len(s, false);
        if (n == 0) break;
        size_t w = utf8_width_n(s, n);
        if (col > 0 && col + 1 + w > TEXT_WIDTH) {
            sb_putc(b, '\n');
            col = 0;
        }
        if (col == 0) {
            sb_printf(b, "%*s", (int)indent, "");
            col = indent;
        } else {
            sb_putc(b, ' ');
            col++;
        }
        sb_printf(b, "%.*s", (int)n, s);
        col += w;
        s += n;
    }
    if (col > 0) sb_putc(b, '\n');
}

// ---------------------------------------------------------------- list

static void write_symbols(StrBuf *b, const FormulaSymbol *s, int n) {
    for (int i = 0; i < n; i++) sb_printf(b, "  %-8s %s\n", s[i].name, s[i].meaning);
}

void formula_write_list(StrBuf *b, const FormulaSpec *spec) {
    sb_puts(b, "--formula NAME=EXPRESSION checks a formula you derived for the gradient\n"
               "NAME on your inputs and on 20 random cases of other shapes.\n\n"
               "Gradients (NAME):\n");
    write_symbols(b, spec->gradients, spec->n_gradients);
    sb_puts(b, "\nOperands:\n");
    write_symbols(b, spec->operands, spec->n_operands);
    sb_puts(b, "\nLanguage:\n");
    sb_puts(b, EXPR_LANGUAGE_HELP);
}

// ---------------------------------------------------------------- text

// "1 2; 3 4" (the workbook's matrix-literal syntax, so it can be pasted back
// into an option), one row a line when it is long.
static void write_matrix_text(StrBuf *b, const char *indent, const char *label, const ExprMatrix *m) {
    StrBuf row = {0};
    size_t start = b->len;
    sb_printf(b, "%s%s", indent, label);
    size_t width = utf8_width(sb_str(b) + start);
    bool split = (long)m->cols * 10 > INLINE_MATRIX_CHARS && m->rows > 1;
    for (int i = 0; i < m->rows; i++) {
        sb_clear(&row);
        for (int j = 0; j < m->cols; j++) sb_printf(&row, "%s%.10g", j ? " " : "", m->data[(long)i * m->cols + j]);
        if (i > 0) sb_puts(b, split ? ";\n" : "; ");
        if (i > 0 && split) sb_printf(b, "%*s", (int)width, "");
        sb_puts(b, sb_str(&row));
    }
    sb_putc(b, '\n');
    sb_free(&row);
}

static void write_differing(StrBuf *b, const ExprMatrix *value, const ExprMatrix *right) {
    double scale = formula_scale(value, right);
    int listed = 0, n = 0;
    sb_puts(b, "  entries that differ:");
    for (long k = 0; k < expr_matrix_size(right); k++) {
        if (formula_entry_agrees(value->data[k], right->data[k], scale)) continue;
        if (listed < MAX_LISTED_ENTRIES) sb_printf(b, " (%ld,%ld)", k / right->cols, k % right->cols);
        listed++;
        n++;
    }
    if (listed > MAX_LISTED_ENTRIES) sb_puts(b, " …");
    sb_printf(b, "; %d of %ld\n", n, expr_matrix_size(right));
}

static void write_case_name(StrBuf *b, int k) {
    if (k == 0)
        sb_puts(b, "your inputs (case 0)");
    else
        sb_printf(b, "random case %d", k);
}

static void write_counterexample(StrBuf *b, const Formula *f, const FormulaCounterexample *ce) {
    sb_puts(b, "  smallest failing case: ");
    write_case_name(b, ce->case_index);
    sb_puts(b, "\n");
    for (int i = 0; i < ce->inputs.n_operands; i++) {
        char label[EXPR_MAX_NAME + 8];
        snprintf(label, sizeof label, "%s = ", ce->inputs.operands[i].name);
        write_matrix_text(b, "    ", label, &ce->inputs.operands[i].value);
    }
    const ExprMatrix *right = formula_case_find_gradient(&ce->inputs, f->name);
    // The two labels padded to one width, so that the values line up.
    int width = (int)strlen("the right  is: ") + (int)strlen(f->name), mine = (int)strlen("your formula gives: ");
    if (width < mine) width = mine;
    char label[EXPR_MAX_NAME + 48];
    snprintf(label, sizeof label, "%-*s", width, "your formula gives: ");
    if (ce->value.data) write_matrix_text(b, "  ", label, &ce->value);
    if (right) {
        char name[EXPR_MAX_NAME + 32];
        snprintf(name, sizeof name, "the right %s is: ", f->name);
        snprintf(label, sizeof label, "%-*s", width, name);
        write_matrix_text(b, "  ", label, right);
    }
    if (ce->message[0]) sb_printf(b, "  in this case: %s\n", ce->message);
    else if (right && ce->value.data) write_differing(b, &ce->value, right);
}

void formula_write_text(StrBuf *b, const Formula *f, const FormulaResult *r) {
    sb_printf(b, "--formula %s = %s\n", f->name, f->expression);
    sb_printf(b, "  %d of %d cases agree (your inputs and %d random cases, %ld entries,\n", r->cases_agreeing,
              r->cases, r->cases - 1, r->entries_compared);
    sb_printf(b, "  tolerance %g relative + %g x the case's largest entry): %s\n", FORMULA_REL_TOL,
              FORMULA_ABS_TOL_OF_SCALE, r->passed ? "HOLDS" : "FAILS");
    if (r->has_counterexample) write_counterexample(b, f, &r->counterexample);
    if (r->mistake) {
        char line[320];
        snprintf(line, sizeof line, "it matches the mistake %s: %s", r->mistake, r->mistake_detail);
        write_wrapped(b, line, 2);
    }
    else if (!r->passed) sb_puts(b, "  it matches none of the classic mistakes this chapter knows\n");
}

// ---------------------------------------------------------------- JSON

static void json_string(StrBuf *b, const char *s) {
    sb_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_putc(b, (char)c);
    }
    sb_putc(b, '"');
}

static void json_string_or_null(StrBuf *b, const char *s) {
    if (s && s[0])
        json_string(b, s);
    else
        sb_puts(b, "null");
}

// [[row], [row]]; every entry is finite (expr and the fill guarantee it).
static void json_matrix(StrBuf *b, const ExprMatrix *m) {
    if (!m || !m->data) {
        sb_puts(b, "null");
        return;
    }
    sb_putc(b, '[');
    for (int i = 0; i < m->rows; i++) {
        sb_puts(b, i ? ", [" : "[");
        for (int j = 0; j < m->cols; j++) {
            double v = m->data[(long)i * m->cols + j];
            sb_printf(b, "%s%.17g", j ? ", " : "", isfinite(v) ? v : 0.0);
        }
        sb_putc(b, ']');
    }
    sb_putc(b, ']');
}

static void json_differing(StrBuf *b, const ExprMatrix *value, const ExprMatrix *right) {
    sb_putc(b, '[');
    if (value->data && right && formula_same_shape(value, right)) {
        double scale = formula_scale(value, right);
        bool first = true;
        for (long k = 0; k < expr_matrix_size(right); k++) {
            if (formula_entry_agrees(value->data[k], right->data[k], scale)) continue;
            sb_printf(b, "%s[%ld, %ld]", first ? "" : ", ", k / right->cols, k % right->cols);
            first = false;
        }
    }
    sb_putc(b, ']');
}

static void json_counterexample(StrBuf *b, const Formula *f, const FormulaCounterexample *ce) {
    const ExprMatrix *right = formula_case_find_gradient(&ce->inputs, f->name);
    sb_printf(b, "{\"case\": %d, \"inputs\": {", ce->case_index);
    for (int i = 0; i < ce->inputs.n_operands; i++) {
        sb_puts(b, i ? ", " : "");
        json_string(b, ce->inputs.operands[i].name);
        sb_puts(b, ": ");
        json_matrix(b, &ce->inputs.operands[i].value);
    }
    sb_puts(b, "}, \"formula_value\": ");
    json_matrix(b, &ce->value);
    sb_puts(b, ", \"right_value\": ");
    json_matrix(b, right);
    sb_puts(b, ", \"differing_entries\": ");
    json_differing(b, &ce->value, right);
    sb_puts(b, ", \"message\": ");
    json_string_or_null(b, ce->message);
    sb_putc(b, '}');
}

void formula_write_json(StrBuf *b, const Formula *f, const FormulaResult *r) {
    sb_puts(b, "{\"name\": ");
    json_string(b, f->name);
    sb_puts(b, ", \"expression\": ");
    json_string(b, f->expression);
    sb_printf(b, ", \"cases\": %d, \"passed\": %s, \"cases_agreeing\": %d, \"entries_compared\": %ld", r->cases,
              r->passed ? "true" : "false", r->cases_agreeing, r->entries_compared);
    sb_printf(b, ", \"tolerance\": {\"relative\": %g, \"of_scale\": %g}", FORMULA_REL_TOL, FORMULA_ABS_TOL_OF_SCALE);
    sb_puts(b, ", \"counterexample\": ");
    if (r->has_counterexample)
        json_counterexample(b, f, &r->counterexample);
    else
        sb_puts(b, "null");
    sb_puts(b, ", \"matches_mistake\": ");
    json_string_or_null(b, r->mistake);
    sb_puts(b, ", \"mistake_detail\": ");
    json_string_or_null(b, r->mistake ? r->mistake_detail : NULL);
    sb_putc(b, '}');
}
