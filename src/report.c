#include "report.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "latex.h"

// Text paragraphs wrap here: an 80-column terminal or a projector at large type.
#define TEXT_WIDTH 78

#define BOLD "\033[1m"
#define GREEN "\033[32m"
#define RED "\033[31m"
#define RESET "\033[0m"

static bool is_text(const Report *r) { return r->opt->format == FORMAT_TEXT; }
static bool is_latex(const Report *r) { return r->opt->format == FORMAT_LATEX; }
static bool is_markdown(const Report *r) { return r->opt->format == FORMAT_MARKDOWN; }
static bool is_json(const Report *r) { return r->opt->format == FORMAT_JSON; }

// ---------------------------------------------------------------- numbers

static _Noreturn void not_finite(const char *what, double v) {
    usage_error("input: computing %s gave %s: the entries are too large for double precision "
                "here; use smaller magnitudes",
                what, isnan(v) ? "NaN" : "infinity");
}

void format_number(char *buf, size_t len, double v, const char *what) {
    if (!isfinite(v)) not_finite(what, v);
    if (v == 0.0) v = 0.0; // no "-0"
    snprintf(buf, len, "%.6g", v);
}

void format_json_number(char *buf, size_t len, double v, const char *what) {
    if (!isfinite(v)) not_finite(what, v);
    if (v == 0.0) v = 0.0;
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) return;
    }
}

// A number for a LaTeX document: 1.5e-07 becomes 1.5 \times 10^{-7}.
void format_latex_number(char *buf, size_t len, double v, const char *what) {
    char plain[64];
    format_number(plain, sizeof plain, v, what);
    char *e = strchr(plain, 'e');
    if (!e) {
        snprintf(buf, len, "%s", plain);
        return;
    }
    *e = '\0';
    int exponent = atoi(e + 1);
    if (strcmp(plain, "1") == 0)
        snprintf(buf, len, "10^{%d}", exponent);
    else
        snprintf(buf, len, "%s \\times 10^{%d}", plain, exponent);
}

static void json_append_string(StrBuf *b, const char *s) {
    sb_putc(b, '"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c == '\n')
            sb_puts(b, "\\n");
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_putc(b, (char)c);
    }
    sb_putc(b, '"');
}

static void json_append_matrix(StrBuf *b, const Tensor *t, int c, const char *what) {
    char num[40];
    sb_putc(b, '[');
    for (int i = 0; i < t->h; i++) {
        sb_puts(b, i ? ", [" : "[");
        for (int j = 0; j < t->w; j++) {
            format_json_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            sb_printf(b, "%s%s", j ? ", " : "", num);
        }
        sb_putc(b, ']');
    }
    sb_putc(b, ']');
}

void json_append_tensor(StrBuf *b, const Tensor *t, const char *what) {
    char num[40];
    if (tensor_is_vector(t)) {
        sb_putc(b, '[');
        for (int j = 0; j < t->w; j++) {
            format_json_number(num, sizeof num, t->data[j], what);
            sb_printf(b, "%s%s", j ? ", " : "", num);
        }
        sb_putc(b, ']');
        return;
    }
    if (t->c == 1) {
        json_append_matrix(b, t, 0, what);
        return;
    }
    sb_putc(b, '[');
    for (int c = 0; c < t->c; c++) {
        if (c) sb_puts(b, ", ");
        json_append_matrix(b, t, c, what);
    }
    sb_putc(b, ']');
}

// "(i,j)" for a matrix entry, "[j]" for a vector, "(c,i,j)" with channels.
static void entry_name(char *buf, size_t len, const Tensor *t, int k) {
    int j = k % t->w, i = (k / t->w) % t->h, c = k / (t->w * t->h);
    if (tensor_is_vector(t))
        snprintf(buf, len, "[%d]", j);
    else if (t->c == 1)
        snprintf(buf, len, "(%d,%d)", i, j);
    else
        snprintf(buf, len, "(%d,%d,%d)", c, i, j);
}

// ---------------------------------------------------------------- setup

void report_init(Report *r, const CommonOptions *opt, const char *title) {
    *r = (Report){.opt = opt};
    const char *no_color = getenv("NO_COLOR");
    r->color = is_text(r) && !opt->no_color && !(no_color && *no_color) && isatty(STDOUT_FILENO);
    r->step = opt->step && isatty(STDIN_FILENO);
    if (is_latex(r)) {
        sb_puts(&r->out, "\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n"
                         "\\usepackage[margin=2cm]{geometry}\n\\setcounter{MaxMatrixCols}{32}\n"
                         "\\begin{document}\n\\section*{");
        latex_append_text(&r->out, title);
        sb_puts(&r->out, "}\n\n");
    } else if (is_markdown(r)) {
        sb_printf(&r->out, "# %s\n\n", title);
    } else if (is_text(r)) {
        sb_printf(&r->out, "%s%s%s\n", r->color ? BOLD : "", title, r->color ? RESET : "");
        size_t n = utf8_width(title);
        for (size_t k = 0; k < n; k++) sb_putc(&r->out, '=');
        sb_puts(&r->out, "\n\n");
    }
}

static void flush_output(Report *r) {
    fwrite(sb_str(&r->out), 1, r->out.len, stdout);
    fflush(stdout);
    sb_clear(&r->out);
}

// Each key once: JSON objects with duplicate keys are ambiguous to graders.
static void claim_key(Report *r, const char *key) {
    const char *p = sb_str(&r->keys);
    size_t n = strlen(key);
    while ((p = strstr(p, key)) != NULL) {
        bool starts = p == sb_str(&r->keys) || p[-1] == '\n';
        if (starts && p[n] == '\n') {
            fprintf(stderr, "internal error: key '%s' reported twice\n", key);
            abort();
        }
        p += n;
    }
    sb_printf(&r->keys, "%s\n", key);
}

static void json_member(Report *r, const char *key) {
    claim_key(r, key);
    sb_puts(&r->out, r->out.len ? ",\n  " : "  ");
    json_append_string(&r->out, key);
    sb_puts(&r->out, ": ");
}

// ---------------------------------------------------------------- prose

static void append_wrapped(StrBuf *b, const char *indent, const char *text) {
    const char *p = text;
    size_t col = 0;
    bool line_start = true;
    while (*p) {
        if (*p == '\n') {
            sb_putc(b, '\n');
            col = 0;
            line_start = true;
            p++;
            continue;
        }
        if (*p == ' ') {
            p++;
            continue;
        }
        const char *end = p;
        while (*end && *end != ' ' && *end != '\n') end++;
        char word[512];
        size_t n = (size_t)(end - p) < sizeof word - 1 ? (size_t)(end - p) : sizeof word - 1;
        memcpy(word, p, n);
        word[n] = '\0';
        size_t width = utf8_width(word);
        if (!line_start && col + 1 + width > TEXT_WIDTH) {
            sb_putc(b, '\n');
            col = 0;
            line_start = true;
        }
        if (line_start) {
            sb_puts(b, indent);
            col = strlen(indent);
        } else {
            sb_putc(b, ' ');
            col++;
        }
        sb_puts(b, word);
        col += width;
        line_start = false;
        p = end;
    }
    sb_putc(b, '\n');
}

void report_heading(Report *r, const char *title) {
    if (r->step && r->n_sections > 0) {
        flush_output(r);
        fputs("-- press Enter for the next section --", stderr);
        fflush(stderr);
        int c;
        while ((c = getchar()) != '\n' && c != EOF) {
        }
        fputc('\n', stderr);
    }
    r->n_sections++;
    if (is_text(r)) {
        sb_printf(&r->out, "%s%s%s\n", r->color ? BOLD : "", title, r->color ? RESET : "");
        size_t n = utf8_width(title);
        for (size_t k = 0; k < n; k++) sb_putc(&r->out, '-');
        sb_puts(&r->out, "\n\n");
    } else if (is_markdown(r)) {
        sb_printf(&r->out, "## %s\n\n", title);
    } else if (is_latex(r)) {
        sb_puts(&r->out, "\\subsection*{");
        latex_append_text(&r->out, title);
        sb_puts(&r->out, "}\n\n");
    }
}

static void paragraph(Report *r, const char *prefix_text, const char *prefix_md, const char *prefix_tex,
                      const char *fmt, va_list ap) {
    if (is_json(r)) return;
    StrBuf body = {0};
    sb_vprintf(&body, fmt, ap);
    if (is_text(r)) {
        StrBuf line = {0};
        sb_printf(&line, "%s%s", prefix_text, sb_str(&body));
        append_wrapped(&r->out, "", sb_str(&line));
        sb_free(&line);
    } else if (is_markdown(r)) {
        sb_printf(&r->out, "%s%s\n", prefix_md, sb_str(&body));
    } else {
        sb_puts(&r->out, prefix_tex);
        latex_append_text(&r->out, sb_str(&body));
        sb_putc(&r->out, '\n');
    }
    sb_putc(&r->out, '\n');
    sb_free(&body);
}

void report_text(Report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    paragraph(r, "", "", "", fmt, ap);
    va_end(ap);
}

void report_erratum(Report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    paragraph(r, "! Erratum: ", "> **Erratum:** ", "\\noindent\\textbf{Erratum:} ", fmt, ap);
    va_end(ap);
}

void report_equation(Report *r, const char *text, const char *latex) {
    if (is_text(r)) {
        sb_printf(&r->out, "    %s\n\n", text);
    } else if (is_markdown(r)) {
        sb_printf(&r->out, "$$%s$$\n\n", latex);
    } else if (is_latex(r)) {
        sb_printf(&r->out, "\\begin{align*}\n%s\n\\end{align*}\n\n", latex);
    }
}

void report_verbatim(Report *r, const char *fmt, ...) {
    if (is_json(r)) return;
    StrBuf body = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&body, fmt, ap);
    va_end(ap);
    const char *s = sb_str(&body);
    if (is_text(r)) {
        sb_puts(&r->out, s);
        if (body.len && s[body.len - 1] != '\n') sb_putc(&r->out, '\n');
        sb_putc(&r->out, '\n');
    } else if (is_markdown(r)) {
        sb_printf(&r->out, "```\n%s%s```\n\n", s, body.len && s[body.len - 1] != '\n' ? "\n" : "");
    } else {
        latex_append_verbatim(&r->out, s);
        sb_putc(&r->out, '\n');
    }
    sb_free(&body);
}

// ---------------------------------------------------------------- matrices

// Aligned rows "[ a  b  c ]" for one channel, each line prefixed by indent.
static void text_matrix(StrBuf *b, const Tensor *t, int c, const char *indent, const char *what) {
    char num[40];
    int width = 1;
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) {
            format_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            int n = (int)strlen(num);
            if (n > width) width = n;
        }
    for (int i = 0; i < t->h; i++) {
        sb_printf(b, "%s[", indent);
        for (int j = 0; j < t->w; j++) {
            format_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            sb_printf(b, " %*s", width, num);
        }
        sb_puts(b, " ]\n");
    }
}

static void latex_matrix(StrBuf *b, const Tensor *t, int c, const char *what) {
    char num[80];
    sb_puts(b, "\\begin{bmatrix}\n");
    for (int i = 0; i < t->h; i++) {
        for (int j = 0; j < t->w; j++) {
            format_latex_number(num, sizeof num, *tensor_at(t, c, i, j), what);
            sb_printf(b, "%s%s", j ? " & " : "", num);
        }
        sb_puts(b, i + 1 < t->h ? " \\\\\n" : "\n");
    }
    sb_puts(b, "\\end{bmatrix}");
}

static void display_tensor(Report *r, const char *label, const Tensor *t) {
    for (size_t k = 0; k < tensor_size(t); k++)
        if (!isfinite(t->data[k])) not_finite(label, t->data[k]);
    if (is_json(r)) return;
    for (int c = 0; c < t->c; c++) {
        char channel[32] = "";
        if (t->c > 1) snprintf(channel, sizeof channel, "[channel %d]", c);
        if (is_text(r) || is_markdown(r)) {
            bool one_line = tensor_is_vector(t);
            if (is_markdown(r) && one_line) {
                // A vector reads best inline: x = `[ 29 35 ]`.
                sb_printf(&r->out, "%s%s = `", label, channel);
                text_matrix(&r->out, t, c, "", label);
                r->out.s[--r->out.len] = '\0'; // text_matrix's newline
                sb_puts(&r->out, "`\n\n");
                continue;
            }
            if (is_markdown(r)) sb_printf(&r->out, "%s%s =\n\n```\n", label, channel);
            else if (one_line) sb_printf(&r->out, "%s%s = ", label, channel);
            else sb_printf(&r->out, "%s%s =\n", label, channel);
            text_matrix(&r->out, t, c, is_markdown(r) || one_line ? "" : "  ", label);
            sb_puts(&r->out, is_markdown(r) ? "```\n\n" : "\n");
        } else {
            sb_puts(&r->out, "\\[\n");
            latex_append_math(&r->out, label);
            if (t->c > 1) sb_printf(&r->out, "^{(%d)}", c);
            sb_puts(&r->out, " = ");
            latex_matrix(&r->out, t, c, label);
            sb_puts(&r->out, "\n\\]\n\n");
        }
    }
}

// ---------------------------------------------------------------- answers

static int find_answer(const Report *r, const char *key) {
    for (int i = 0; i < r->opt->n_answers; i++)
        if (strcmp(r->opt->answers[i].name, key) == 0) return i;
    return -1;
}

static void check_answer(Report *r, const char *key, const char *label, const Tensor *computed) {
    int a = find_answer(r, key);
    if (a < 0) return;
    r->answer_matched[a] = true;
    const Tensor *yours = &r->opt->answers[a].value;
    // Several channels are typed as their matrices stacked row-wise.
    if (yours->h != computed->c * computed->h || yours->w != computed->w) {
        char want[32], got[32];
        snprintf(want, sizeof want, "%dx%d", computed->c * computed->h, computed->w);
        tensor_shape_str(got, sizeof got, yours);
        usage_error("--answer %s: wrong shape %s (expected %s)", key, got, want);
    }
    int n = (int)tensor_size(computed), wrong = 0;
    StrBuf wrong_list = {0};
    const char *headers[] = {"entry", "yours", "computed", ""};
    char title[160];
    snprintf(title, sizeof title, "Your answer for %s, entry by entry:", label);
    if (!is_json(r)) report_text(r, "%s", title);
    report_table_begin(r, 4, headers);
    for (int k = 0; k < n; k++) {
        double y = yours->data[k], c = computed->data[k];
        bool ok = relative_error(y, c) <= ANSWER_REL_TOL;
        char name[40], ys[40], cs[40];
        entry_name(name, sizeof name, computed, k);
        format_number(ys, sizeof ys, y, "--answer");
        // Ten digits: at six, a value one typed from a rounded printout
        // could look identical to the computed one and still be WRONG.
        if (!isfinite(c)) not_finite(label, c);
        snprintf(cs, sizeof cs, "%.10g", c == 0.0 ? 0.0 : c);
        const char *row[] = {name, ys, cs, ok ? "ok" : "WRONG"};
        report_table_row(r, row);
        if (!ok) {
            sb_printf(&wrong_list, "%s\"%s\"", wrong ? ", " : "", name);
            wrong++;
        }
    }
    report_table_end(r);
    r->n_answers_checked++;
    if (wrong) r->n_answers_wrong++;
    char detail[160];
    if (wrong)
        snprintf(detail, sizeof detail, "%d of %d entries wrong (relative tolerance %g)", wrong, n, ANSWER_REL_TOL);
    else
        snprintf(detail, sizeof detail, "all %d entries right (relative tolerance %g)", n, ANSWER_REL_TOL);
    if (!is_json(r)) {
        if (is_text(r))
            sb_printf(&r->out, "your %s: %s: %s%s%s\n\n", label, detail, r->color ? (wrong ? RED : GREEN) : "",
                      wrong ? "WRONG" : "RIGHT", r->color ? RESET : "");
        else
            report_text(r, "Your %s: %s: %s", label, detail, wrong ? "WRONG" : "RIGHT");
    }
    sb_puts(&r->answers, r->answers.len ? ",\n    " : "    ");
    sb_puts(&r->answers, "{\"name\": ");
    json_append_string(&r->answers, key);
    sb_printf(&r->answers, ", \"passed\": %s, \"entries\": %d, \"wrong_entries\": [%s]}",
              wrong ? "false" : "true", n, sb_str(&wrong_list));
    sb_free(&wrong_list);
}

static void quantity(Report *r, const char *key, const char *label, const Tensor *t, bool as_matrix) {
    display_tensor(r, label, t);
    if (is_json(r)) {
        json_member(r, key);
        if (as_matrix && t->c == 1)
            json_append_matrix(&r->out, t, 0, label);
        else
            json_append_tensor(&r->out, t, label);
    } else {
        claim_key(r, key);
    }
    check_answer(r, key, label, t);
}

void report_quantity(Report *r, const char *key, const char *label, const Tensor *t) {
    quantity(r, key, label, t, false);
}

void report_matrix_quantity(Report *r, const char *key, const char *label, const Tensor *t) {
    quantity(r, key, label, t, true);
}

void report_matrix(Report *r, const char *label, const Tensor *t) { display_tensor(r, label, t); }

void report_scalar(Report *r, const char *key, const char *label, double value) {
    char num[80];
    if (is_json(r)) {
        json_member(r, key);
        format_json_number(num, sizeof num, value, label);
        sb_puts(&r->out, num);
    } else {
        claim_key(r, key);
        if (is_latex(r)) {
            format_latex_number(num, sizeof num, value, label);
            sb_puts(&r->out, "\\[ ");
            latex_append_math(&r->out, label);
            sb_printf(&r->out, " = %s \\]\n\n", num);
        } else {
            format_number(num, sizeof num, value, label);
            sb_printf(&r->out, is_markdown(r) ? "%s = `%s`\n\n" : "%s = %s\n\n", label, num);
        }
    }
    double v[1] = {value};
    Tensor t = tensor_view(v, 1, 1, 1);
    check_answer(r, key, label, &t);
}

void report_json_string(Report *r, const char *key, const char *value) {
    if (!is_json(r)) {
        claim_key(r, key);
        return;
    }
    json_member(r, key);
    json_append_string(&r->out, value);
}

void report_json_raw(Report *r, const char *key, const char *json) {
    if (!is_json(r)) {
        claim_key(r, key);
        return;
    }
    json_member(r, key);
    sb_puts(&r->out, json);
}

// ---------------------------------------------------------------- tables

void report_table_begin(Report *r, int n_cols, const char *const *headers) {
    r->n_cols = n_cols;
    r->n_cells = 0;
    report_table_row(r, headers);
}

void report_table_row(Report *r, const char *const *cells) {
    if (r->n_cells + r->n_cols > r->cap_cells) {
        int cap = r->cap_cells ? r->cap_cells * 2 : 64;
        while (cap < r->n_cells + r->n_cols) cap *= 2;
        char **bigger = realloc(r->cells, (size_t)cap * sizeof *bigger);
        if (!bigger) usage_error("out of memory building a table");
        r->cells = bigger;
        r->cap_cells = cap;
    }
    for (int k = 0; k < r->n_cols; k++) {
        size_t n = strlen(cells[k]);
        char *copy = malloc(n + 1);
        if (!copy) usage_error("out of memory building a table");
        memcpy(copy, cells[k], n + 1);
        r->cells[r->n_cells++] = copy;
    }
}

static const char *status_color(const Report *r, const char *cell) {
    if (!r->color) return NULL;
    if (strcmp(cell, "ok") == 0 || strcmp(cell, "PASS") == 0) return GREEN;
    if (strcmp(cell, "FAIL") == 0 || strcmp(cell, "WRONG") == 0) return RED;
    return NULL;
}

void report_table_end(Report *r) {
    int rows = r->n_cells / r->n_cols;
    if (is_text(r)) {
        size_t width[16] = {0};
        for (int k = 0; k < r->n_cells; k++) {
            size_t w = utf8_width(r->cells[k]);
            if (w > width[k % r->n_cols]) width[k % r->n_cols] = w;
        }
        for (int i = 0; i < rows; i++) {
            sb_puts(&r->out, "  ");
            for (int j = 0; j < r->n_cols; j++) {
                const char *cell = r->cells[i * r->n_cols + j];
                const char *color = i ? status_color(r, cell) : NULL;
                size_t pad = width[j] - utf8_width(cell);
                sb_printf(&r->out, "%s%s%s%s", j ? "  " : "", color ? color : "", cell, color ? RESET : "");
                if (j + 1 < r->n_cols)
                    for (size_t p = 0; p < pad; p++) sb_putc(&r->out, ' ');
            }
            // no trailing spaces: strip them from the line just written
            while (r->out.len && r->out.s[r->out.len - 1] == ' ') r->out.s[--r->out.len] = '\0';
            sb_putc(&r->out, '\n');
        }
    } else if (is_markdown(r)) {
        for (int i = 0; i < rows; i++) {
            sb_puts(&r->out, "|");
            for (int j = 0; j < r->n_cols; j++) sb_printf(&r->out, " %s |", r->cells[i * r->n_cols + j]);
            sb_putc(&r->out, '\n');
            if (i == 0) {
                sb_puts(&r->out, "|");
                for (int j = 0; j < r->n_cols; j++) sb_puts(&r->out, "---|");
                sb_putc(&r->out, '\n');
            }
        }
    } else if (is_latex(r)) {
        sb_puts(&r->out, "\\begin{center}\n\\begin{tabular}{");
        for (int j = 0; j < r->n_cols; j++) sb_putc(&r->out, j ? 'r' : 'l');
        sb_puts(&r->out, "}\n");
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < r->n_cols; j++) {
                // "{}" first: a row starting "[1]" after \\ would be read as \\[1], a length.
                sb_puts(&r->out, j ? " & " : "{}");
                latex_append_text(&r->out, r->cells[i * r->n_cols + j]);
            }
            sb_puts(&r->out, i == 0 ? " \\\\ \\hline\n" : " \\\\\n");
        }
        sb_puts(&r->out, "\\end{tabular}\n\\end{center}\n");
    }
    if (!is_json(r)) sb_putc(&r->out, '\n');
    for (int k = 0; k < r->n_cells; k++) free(r->cells[k]);
    r->n_cells = 0;
}

// ---------------------------------------------------------------- checks

// One JSON entry in "checks": what was compared and the verdict. The old
// keys (name, max_abs_error, max_rel_error, tolerance, passed) stay.
typedef struct {
    int compared, skipped;
    double max_abs, max_rel, tolerance, bound;
    Verdict verdict;
} CheckRecord;

static void record_check_full(Report *r, const char *name, CheckRecord c) {
    char a[40], b[40], t[40], bd[40];
    format_json_number(a, sizeof a, c.max_abs, name);
    format_json_number(b, sizeof b, c.max_rel, name);
    format_json_number(t, sizeof t, c.tolerance, name);
    format_json_number(bd, sizeof bd, c.bound, name);
    sb_puts(&r->checks, r->checks.len ? ",\n    " : "    ");
    sb_puts(&r->checks, "{\"name\": ");
    json_append_string(&r->checks, name);
    sb_printf(&r->checks,
              ", \"max_abs_error\": %s, \"max_rel_error\": %s, \"tolerance\": %s, \"passed\": %s, "
              "\"compared\": %d, \"skipped\": %d, \"bound\": %s, \"verdict\": \"%s\"}",
              a, b, t, c.verdict == VERDICT_PASS ? "true" : "false", c.compared, c.skipped, bd,
              verdict_name(c.verdict));
    r->n_checks++;
    if (c.verdict == VERDICT_FAIL) r->n_checks_failed++;
    if (c.verdict == VERDICT_INCONCLUSIVE || c.verdict == VERDICT_NOTHING_COMPARED) r->n_checks_undecided++;
}

static void record_check(Report *r, const char *name, double max_abs, double max_rel, double tol,
                         bool passed) {
    record_check_full(r, name,
                      (CheckRecord){.compared = 1, .max_abs = max_abs, .max_rel = max_rel, .tolerance = tol,
                                    .verdict = passed ? VERDICT_PASS : VERDICT_FAIL});
}

static void verdict_line_word(Report *r, const char *name, const char *detail, const char *word, bool passed) {
    if (is_json(r)) return;
    if (is_text(r))
        sb_printf(&r->out, "%s: %s: %s%s%s\n\n", name, detail, r->color ? (passed ? GREEN : RED) : "", word,
                  r->color ? RESET : "");
    else if (is_markdown(r))
        sb_printf(&r->out, "**%s**: %s: **%s**\n\n", name, detail, word);
    else {
        sb_puts(&r->out, "\\noindent ");
        latex_append_text(&r->out, name);
        sb_puts(&r->out, ": ");
        latex_append_text(&r->out, detail);
        sb_printf(&r->out, ": \\textbf{%s}\n\n", word);
    }
}

static void verdict_line(Report *r, const char *name, const char *detail, bool passed) {
    verdict_line_word(r, name, detail, passed ? "PASS" : "FAIL", passed);
}

static const char *verdict_word(Verdict v) {
    switch (v) {
    case VERDICT_PASS: return "PASS";
    case VERDICT_FAIL: return "FAIL";
    case VERDICT_INCONCLUSIVE: return "INCONCLUSIVE";
    case VERDICT_NOTHING_COMPARED: return "NOTHING TO COMPARE";
    }
    return "?";
}

bool report_check(Report *r, const char *name, const Tensor *analytic, const Tensor *numerical,
                  const bool *skip, CheckSummary s) {
    const char *headers[] = {"entry", "analytic", "numerical", "abs error", "rel error", ""};
    report_table_begin(r, 6, headers);
    int n = (int)tensor_size(analytic);
    for (int k = 0; k < n; k++) {
        char e[40], a[40], nu[40], ae[40], re[40];
        entry_name(e, sizeof e, analytic, k);
        snprintf(a, sizeof a, "%.10g", analytic->data[k] == 0.0 ? 0.0 : analytic->data[k]);
        snprintf(nu, sizeof nu, "%.10g", numerical->data[k] == 0.0 ? 0.0 : numerical->data[k]);
        if (!isfinite(analytic->data[k])) not_finite(name, analytic->data[k]);
        if (!isfinite(numerical->data[k])) not_finite(name, numerical->data[k]);
        bool skipped = skip && skip[k];
        double abs_err = fabs(analytic->data[k] - numerical->data[k]);
        snprintf(ae, sizeof ae, "%.1e", abs_err);
        snprintf(re, sizeof re, "%.1e", relative_error(analytic->data[k], numerical->data[k]));
        const char *status = skipped ? "skipped (kink)"
                             : gradient_entry_passes(analytic->data[k], numerical->data[k], s.tolerance) ? "ok"
                                                                                                         : "FAIL";
        const char *row[] = {e, a, nu, ae, re, status};
        report_table_row(r, row);
    }
    report_table_end(r);
    char detail[200], where[40] = "";
    if (s.worst >= 0) entry_name(where, sizeof where, analytic, s.worst);
    if (s.worst < 0)
        snprintf(detail, sizeof detail, "no entry could be compared (%d skipped)", s.skipped);
    else if (s.failed)
        snprintf(detail, sizeof detail, "%d of %d entries over tolerance %g, worst relative error %.1e at %s",
                 s.failed, s.n - s.skipped, s.tolerance, s.max_rel_error, where);
    else
        snprintf(detail, sizeof detail, "max relative error %.1e at %s (tolerance %g)%s", s.max_rel_error, where,
                 s.tolerance, s.skipped ? ", kinks skipped" : "");
    verdict_line(r, name, detail, s.passed);
    record_check(r, name, s.max_abs_error, s.max_rel_error, s.tolerance, s.passed);
    return s.passed;
}

bool report_check_scalar(Report *r, const char *name, double analytic, double numerical, double tolerance) {
    if (!isfinite(analytic)) not_finite(name, analytic);
    if (!isfinite(numerical)) not_finite(name, numerical);
    bool passed = gradient_entry_passes(analytic, numerical, tolerance);
    double rel = relative_error(analytic, numerical);
    char detail[200];
    snprintf(detail, sizeof detail, "analytic %.10g, numerical %.10g, relative error %.1e (tolerance %g)",
             analytic == 0.0 ? 0.0 : analytic, numerical == 0.0 ? 0.0 : numerical, rel, tolerance);
    verdict_line(r, name, detail, passed);
    record_check(r, name, fabs(analytic - numerical), rel, tolerance, passed);
    return passed;
}

bool report_verdict(Report *r, const char *name, bool passed, const char *detail) {
    verdict_line(r, name, detail, passed);
    record_check(r, name, 0.0, 0.0, 0.0, passed);
    return passed;
}

Verdict report_gradient_check(Report *r, const char *name, const Tensor *analytic, const NumericalDerivative *num,
                              const bool *skip, BoundedSummary s) {
    const char *headers[] = {"entry", "analytic", "numerical", "|a - n|", "allowed", ""};
    report_table_begin(r, 6, headers);
    int n = (int)tensor_size(analytic);
    double scale = 0.0;
    for (int k = 0; k < n; k++) scale = fmax(scale, fmax(fabs(analytic->data[k]), fabs(num[k].value)));
    for (int k = 0; k < n; k++) {
        char e[40], a[40], nu[40], ae[40], al[40];
        double av = analytic->data[k], nv = num[k].value;
        if (!isfinite(av)) not_finite(name, av);
        if (!isfinite(nv)) not_finite(name, nv);
        entry_name(e, sizeof e, analytic, k);
        snprintf(a, sizeof a, "%.10g", av == 0.0 ? 0.0 : av);
        snprintf(nu, sizeof nu, "%.10g", nv == 0.0 ? 0.0 : nv);
        double err = fabs(av - nv), allowed = s.tolerance * fmax(fabs(av), fabs(nv)) + num[k].bound;
        snprintf(ae, sizeof ae, "%.1e", err);
        snprintf(al, sizeof al, "%.1e", allowed);
        const char *status = (skip && skip[k]) ? "skipped"
                             : num[k].kink    ? "kink"
                             : err > allowed  ? "FAIL"
                                              : "ok";
        const char *row[] = {e, a, nu, ae, al, status};
        report_table_row(r, row);
    }
    report_table_end(r);
    char detail[400], where[40] = "";
    if (s.worst >= 0) entry_name(where, sizeof where, analytic, s.worst);
    int len = snprintf(detail, sizeof detail, "%d compared", s.compared);
    if (s.skipped)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d skipped (%s)", s.skipped,
                        s.skip_reason ? s.skip_reason : "not compared");
    if (s.inconclusive)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d inconclusive (error bound too large)",
                        s.inconclusive);
    if (s.compared)
        snprintf(detail + len, sizeof detail - (size_t)len,
                 "; max abs error %.1e, max rel error %.1e%s%s (tolerance %g, bound %.1e)", s.max_abs_error,
                 s.max_rel_error, s.worst >= 0 ? " at " : "", where, s.tolerance, s.bound);
    verdict_line_word(r, name, detail, verdict_word(s.verdict), s.verdict == VERDICT_PASS);
    record_check_full(r, name,
                      (CheckRecord){.compared = s.compared, .skipped = s.skipped, .max_abs = s.max_abs_error,
                                    .max_rel = s.max_rel_error, .tolerance = s.tolerance, .bound = s.bound,
                                    .verdict = s.verdict});
    return s.verdict;
}

Verdict report_gradient_summary(Report *r, const char *name, BoundedSummary s) {
    char detail[400];
    int len = snprintf(detail, sizeof detail, "%d of %d compared", s.compared, s.n);
    if (s.skipped)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d skipped (%s)", s.skipped,
                        s.skip_reason ? s.skip_reason : "not compared");
    if (s.inconclusive)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d inconclusive (error bound too large)",
                        s.inconclusive);
    if (s.compared)
        snprintf(detail + len, sizeof detail - (size_t)len,
                 "; max abs error %.1e, max rel error %.1e (tolerance %g, bound %.1e)", s.max_abs_error,
                 s.max_rel_error, s.tolerance, s.bound);
    verdict_line_word(r, name, detail, verdict_word(s.verdict), s.verdict == VERDICT_PASS);
    record_check_full(r, name,
                      (CheckRecord){.compared = s.compared, .skipped = s.skipped, .max_abs = s.max_abs_error,
                                    .max_rel = s.max_rel_error, .tolerance = s.tolerance, .bound = s.bound,
                                    .verdict = s.verdict});
    return s.verdict;
}

Verdict report_identity(Report *r, const char *name, int compared, double max_abs, double max_rel,
                        double tolerance, const char *detail) {
    Verdict v = compared == 0 ? VERDICT_NOTHING_COMPARED : max_rel <= tolerance ? VERDICT_PASS : VERDICT_FAIL;
    char line[600];
    snprintf(line, sizeof line, "%s; %d compared, max abs difference %.1e, max rel difference %.1e (tolerance %g)",
             detail, compared, max_abs, max_rel, tolerance);
    verdict_line_word(r, name, line, verdict_word(v), v == VERDICT_PASS);
    record_check_full(r, name,
                      (CheckRecord){.compared = compared, .max_abs = max_abs, .max_rel = max_rel,
                                    .tolerance = tolerance, .verdict = v});
    return v;
}

void report_demonstration(Report *r, const char *name, const char *detail) {
    if (!is_json(r)) {
        char line[600];
        snprintf(line, sizeof line, "%s: %s", name, detail);
        report_text(r, "%s", line);
        return;
    }
    sb_puts(&r->demos, r->demos.len ? ",\n    " : "    ");
    sb_puts(&r->demos, "{\"name\": ");
    json_append_string(&r->demos, name);
    sb_puts(&r->demos, ", \"detail\": ");
    json_append_string(&r->demos, detail);
    sb_puts(&r->demos, "}");
}

// ---------------------------------------------------------------- finish

int report_finish(Report *r) {
    for (int i = 0; i < r->opt->n_answers; i++)
        if (!r->answer_matched[i]) {
            StrBuf names = {0};
            for (const char *p = sb_str(&r->keys); *p;) {
                const char *nl = strchr(p, '\n');
                sb_printf(&names, "%s%.*s", names.len ? ", " : "", (int)(nl - p), p);
                p = nl + 1;
            }
            usage_error("--answer: unknown name '%.40s' (this chapter's names: %s)", r->opt->answers[i].name,
                        sb_str(&names));
        }
    bool passed = r->n_checks_failed == 0 && r->n_answers_wrong == 0;
    if (is_json(r)) {
        fputs("{\n", stdout);
        fwrite(sb_str(&r->out), 1, r->out.len, stdout);
        if (r->checks.len)
            printf("%s  \"checks\": [\n%s\n  ]", r->out.len ? ",\n" : "", sb_str(&r->checks));
        else
            printf("%s  \"checks\": []", r->out.len ? ",\n" : "");
        if (r->demos.len) printf(",\n  \"demonstrations\": [\n%s\n  ]", sb_str(&r->demos));
        if (r->opt->n_answers) printf(",\n  \"answers\": [\n%s\n  ]", sb_str(&r->answers));
        fputs("\n}\n", stdout);
    } else {
        StrBuf summary = {0};
        if (r->n_checks_failed)
            sb_printf(&summary, "%d of %d checks FAILED", r->n_checks_failed, r->n_checks);
        else
            sb_printf(&summary, "all %d checks passed", r->n_checks);
        if (r->n_answers_checked)
            sb_printf(&summary, "; %d of %d answers wrong", r->n_answers_wrong, r->n_answers_checked);
        report_heading(r, "Result");
        verdict_line(r, "Result", sb_str(&summary), passed);
        sb_free(&summary);
        if (is_latex(r)) sb_puts(&r->out, "\\end{document}\n");
        fwrite(sb_str(&r->out), 1, r->out.len, stdout);
    }
    fflush(stdout);
    sb_free(&r->out);
    sb_free(&r->checks);
    sb_free(&r->answers);
    sb_free(&r->demos);
    sb_free(&r->keys);
    free(r->cells);
    r->cells = NULL;
    return !passed ? EXIT_CHECK_FAILED : r->n_checks_undecided ? EXIT_INCONCLUSIVE : 0;
}
