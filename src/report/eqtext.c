#include "eqtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void eq_begin(Eq *e, const char *text, const char *tex) {
    *e = (Eq){0};
    eq_add(e, text, tex);
    e->symbolic_text = e->text.len;
    e->symbolic_tex = e->tex.len;
}

void eq_add(Eq *e, const char *text, const char *tex) {
    sb_puts(&e->text, text);
    sb_puts(&e->tex, tex);
}

void eq_number(Eq *e, double v, const char *what) {
    char plain[64], latex[96];
    format_number(plain, sizeof plain, v, what);
    format_latex_number(latex, sizeof latex, v, what);
    eq_add(e, plain, latex);
}

void eq_tensor(Eq *e, const Tensor *t, bool column, const char *what) {
    int rows = column ? t->w : t->h, cols = column ? 1 : t->w;
    eq_add(e, "[", "\\begin{bmatrix}");
    for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
            if (j) eq_add(e, " ", " & ");
            eq_number(e, t->data[i * cols + j], what);
        }
        if (i + 1 < rows) eq_add(e, "; ", " \\\\ ");
    }
    eq_add(e, "]", "\\end{bmatrix}");
}

void eq_emit(Report *r, Eq *e) {
    char *text = (char *)sb_str(&e->text), *tex = (char *)sb_str(&e->tex);
    if (utf8_width(text) > EQ_MAX_COLUMNS) {
        text[e->symbolic_text] = '\0';
        tex[e->symbolic_tex] = '\0';
    }
    report_equation(r, text, tex);
    sb_free(&e->text);
    sb_free(&e->tex);
}

void eq_factor(char *buf, size_t len, double v, const char *what) {
    char plain[40];
    format_number(plain, sizeof plain, v, what);
    snprintf(buf, len, v < 0 ? "(%s)" : "%s", plain);
}

void lines_add(Lines *l, const char *piece) {
    size_t w = utf8_width(piece);
    if (l->column > (size_t)l->indent && l->column + w > EQ_MAX_COLUMNS) {
        sb_printf(&l->out, "\n%*s", l->indent, "");
        l->column = (size_t)l->indent;
        while (*piece == ' ') piece++, w--;
    }
    sb_puts(&l->out, piece);
    l->column += w;
}

void lines_addf(Lines *l, const char *fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    lines_add(l, buf);
}

void lines_end(Lines *l) {
    sb_putc(&l->out, '\n');
    l->column = 0;
}

void lines_emit(Report *r, Lines *l) {
    if (l->out.len) report_verbatim(r, "%s", sb_str(&l->out));
    sb_free(&l->out);
    l->column = 0;
}
