// The Report: what is shown (sections, keys, verdicts, the exit status).
// How each element looks is the format backend's (src/report/format.h); checks and
// answers are in report_check.c and report_answer.c.
#include "report.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "format.h"
#include "number.h"
#include "progress.h"
#include "report_internal.h"

// Text paragraphs wrap here when stdout is not a terminal: 80 columns with a
// margin of two, as on a projector.
#define TEXT_WIDTH 78
// A terminal narrower than this still wraps here: prose would be unreadable.
#define MIN_TEXT_WIDTH 40

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

void report_json_tensor(StrBuf *b, const Tensor *t, bool as_matrix, const char *what) {
    if (as_matrix && t->c == 1)
        json_append_matrix(b, t, 0, what);
    else
        json_append_tensor(b, t, what);
}

void report_entry_name(char *buf, size_t len, const Tensor *t, int k) {
    int j = k % t->w, i = (k / t->w) % t->h, c = k / (t->w * t->h);
    if (tensor_is_vector(t))
        snprintf(buf, len, "[%d]", j);
    else if (t->c == 1)
        snprintf(buf, len, "(%d,%d)", i, j);
    else
        snprintf(buf, len, "(%d,%d,%d)", c, i, j);
}

// ---------------------------------------------------------------- setup and output

// The terminal's width when stdout is one, else TEXT_WIDTH.
// WASI (make wasm) has no terminal size: always TEXT_WIDTH there.
static int text_width(void) {
#ifdef TIOCGWINSZ
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0 || ws.ws_col == 0) return TEXT_WIDTH;
    int w = (int)ws.ws_col - 2;
    return w < MIN_TEXT_WIDTH ? MIN_TEXT_WIDTH : w;
#else
    return TEXT_WIDTH;
#endif
}

void report_init(Report *r, const CommonOptions *opt, const char *title) {
    require_stdout_open();
    ReportOptions ro = {.seed = opt->seed,
                        .bug = opt->bug,
                        .answers = opt->answers,
                        .n_answers = opt->n_answers,
                        .sections = opt->sections,
                        .n_sections = opt->n_sections,
                        .section_list = opt->section_list,
                        .full_matrices = opt->full_matrices,
                        .argc = opt->argc,
                        .argv = opt->argv,
                        .spec = opt->spec};
    *r = (Report){.opt = ro, .fmt = format_backend(opt->format)};
    bool text = opt->format == FORMAT_TEXT;
    const char *no_color = getenv("NO_COLOR");
    // A dumb terminal (TERM=dumb: Emacs shells, some CI logs) shows escape codes as text.
    const char *term = getenv("TERM");
    bool dumb = term && strcmp(term, "dumb") == 0;
    r->color = text && !opt->no_color && !(no_color && *no_color) && !dumb && isatty(STDOUT_FILENO);
    // Pausing flushes what came before: only text on a terminal reads well
    // in pieces (a JSON document must come out whole).
    r->step = opt->step && text && isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    r->width = text_width();
    r->shown = opt->n_sections == 0 && !opt->section_list;
    progress_activity(title);
    r->fmt->begin(r, title);
}

void report_flush(Report *r) {
    StrBuf *captured = rerun_output();
    if (captured) {
        sb_puts(captured, sb_str(&r->out));
        sb_clear(&r->out);
        return;
    }
    progress_clear(); // stdout may be the same terminal
    errno = 0;
    if (r->out.len && fwrite(sb_str(&r->out), 1, r->out.len, stdout) != r->out.len)
        write_error("cannot write the output: %s", strerror(errno ? errno : EIO));
    finish_stdout();
    sb_clear(&r->out);
}

// Each key once: JSON objects with duplicate keys are ambiguous to graders.
// answerable keys (numbers, vectors, matrices) are marked with '=' for --answer.
static void claim_key(Report *r, const char *key, bool answerable) {
    const char *p = sb_str(&r->keys);
    size_t n = strlen(key);
    while ((p = strstr(p, key)) != NULL) {
        bool starts = p == sb_str(&r->keys) || p[-1] == '\n';
        if (starts && (p[n] == '\n' || p[n] == '=')) {
            fprintf(stderr, "internal error: key '%s' reported twice\n", key);
            abort();
        }
        p += n;
    }
    sb_printf(&r->keys, "%s%s\n", key, answerable ? "=" : "");
}

// ---------------------------------------------------------------- sections

// "5.3" from "5.3 The input gradient"; false for a title without a number.
static bool section_number(const char *title, char *num, size_t len) {
    size_t a = strspn(title, "0123456789");
    if (a == 0 || title[a] != '.') return false;
    size_t b = strspn(title + a + 1, "0123456789");
    if (b == 0 || (title[a + 1 + b] != ' ' && title[a + 1 + b] != '\0') || a + 1 + b >= len) return false;
    snprintf(num, len, "%.*s", (int)(a + 1 + b), title);
    return true;
}

static bool section_selected(Report *r, const char *num) {
    bool any = false;
    for (int k = 0; k < r->opt.n_sections; k++)
        if (strcmp(r->opt.sections[k], num) == 0) any = r->section_seen[k] = true;
    return any;
}

static void pause_for_enter(Report *r) {
    report_flush(r);
    fputs("-- press Enter for the next section --", stderr);
    fflush(stderr);
    int c;
    while ((c = getchar()) != '\n' && c != EOF) {
    }
    fputc('\n', stderr);
}

void report_heading(Report *r, const char *title) {
    char num[16] = "";
    bool numbered = section_number(title, num, sizeof num);
    if (numbered) sb_printf(&r->sections, "%s\t%s\n", num, title + strlen(num) + 1);
    snprintf(r->section, sizeof r->section, "%s", num);
    if (r->opt.n_sections > 0) r->shown = numbered && section_selected(r, num);
    if (!r->shown) return;
    progress_activity(title);
    if (r->step && r->n_sections > 0) pause_for_enter(r);
    r->n_sections++;
    r->fmt->heading(r, title);
}

// Exits 2 when a --section names no section of this chapter.
static void require_sections_exist(const Report *r) {
    for (int k = 0; k < r->opt.n_sections; k++)
        if (!r->section_seen[k]) {
            StrBuf names = {0};
            for (const char *p = sb_str(&r->sections); *p; p = strchr(p, '\n') + 1)
                sb_printf(&names, "%s%.*s", names.len ? ", " : "", (int)strcspn(p, "\t"), p);
            usage_error("--section: this chapter has no section %s (its sections: %s)", r->opt.sections[k],
                        sb_str(&names));
        }
}

static void print_section_list(Report *r) {
    sb_clear(&r->out);
    for (const char *p = sb_str(&r->sections); *p; p = strchr(p, '\n') + 1) {
        size_t tab = strcspn(p, "\t");
        sb_printf(&r->out, "%-5.*s %.*s\n", (int)tab, p, (int)strcspn(p + tab + 1, "\n"), p + tab + 1);
    }
}

// ---------------------------------------------------------------- prose

static void paragraph(Report *r, ParagraphKind kind, const char *fmt, va_list ap) {
    if (!r->shown) return;
    StrBuf body = {0};
    sb_vprintf(&body, fmt, ap);
    r->fmt->paragraph(r, kind, sb_str(&body));
    sb_free(&body);
}

void report_text(Report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    paragraph(r, PARA_PROSE, fmt, ap);
    va_end(ap);
}

void report_erratum(Report *r, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    paragraph(r, PARA_ERRATUM, fmt, ap);
    va_end(ap);
}

void report_equation(Report *r, const char *text, const char *latex) {
    if (r->shown) r->fmt->equation(r, text, latex);
}

void report_verbatim(Report *r, const char *fmt, ...) {
    if (!r->shown) return;
    StrBuf body = {0};
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(&body, fmt, ap);
    va_end(ap);
    r->fmt->verbatim(r, sb_str(&body));
    sb_free(&body);
}

void report_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    if (r->shown) r->fmt->curves(r, axes, series, n_series);
}

// ---------------------------------------------------------------- quantities

static void display_tensor(Report *r, const char *label, const Tensor *t) {
    for (size_t k = 0; k < tensor_size(t); k++)
        if (!isfinite(t->data[k])) report_not_finite(label, t->data[k]);
    r->fmt->matrix(r, label, t);
}

static void quantity(Report *r, const char *key, const char *label, const Tensor *t, bool as_matrix) {
    claim_key(r, key, true);
    if (!r->shown) {
        for (int a = 0; a < r->opt.n_answers; a++)
            if (strcmp(r->opt.answers[a].name, key) == 0) r->answer_hidden[a] = true;
        return;
    }
    display_tensor(r, label, t);
    if (report_member_needed(r, key)) {
        StrBuf json = {0};
        report_json_tensor(&json, t, as_matrix, label);
        r->fmt->member(r, key, sb_str(&json));
        sb_free(&json);
    }
    report_check_answer(r, key, label, t);
    r->answer_rounding = NULL; // it was for this quantity only
}

void report_quantity(Report *r, const char *key, const char *label, const Tensor *t) {
    quantity(r, key, label, t, false);
}

void report_matrix_quantity(Report *r, const char *key, const char *label, const Tensor *t) {
    quantity(r, key, label, t, true);
}

void report_matrix(Report *r, const char *label, const Tensor *t) {
    if (r->shown) display_tensor(r, label, t);
}

void report_scalar(Report *r, const char *key, const char *label, double value) {
    double v[1] = {value};
    Tensor t = tensor_view(v, 1, 1, 1);
    claim_key(r, key, true);
    if (!r->shown) {
        for (int a = 0; a < r->opt.n_answers; a++)
            if (strcmp(r->opt.answers[a].name, key) == 0) r->answer_hidden[a] = true;
        return;
    }
    if (!isfinite(value)) report_not_finite(label, value);
    r->fmt->scalar(r, label, value);
    char num[40];
    format_json_number(num, sizeof num, value, label);
    r->fmt->member(r, key, num);
    report_check_answer(r, key, label, &t);
    r->answer_rounding = NULL;
}

void report_json_string(Report *r, const char *key, const char *value) {
    claim_key(r, key, false);
    if (!r->shown) return;
    StrBuf json = {0};
    json_append_string(&json, value);
    r->fmt->member(r, key, sb_str(&json));
    sb_free(&json);
}

void report_json_raw(Report *r, const char *key, const char *json) {
    claim_key(r, key, false);
    if (r->shown) r->fmt->member(r, key, json);
}

// ---------------------------------------------------------------- tables

void report_table_begin_keyed(Report *r, const char *key, int n_cols, const char *const *headers) {
    free(r->table_key);
    r->table_key = NULL;
    if (key) {
        claim_key(r, key, false);
        size_t n = strlen(key) + 1;
        r->table_key = malloc(n);
        if (!r->table_key) usage_error("out of memory building a table");
        memcpy(r->table_key, key, n);
    }
    r->n_cols = n_cols;
    r->n_cells = 0;
    report_table_row(r, headers);
}

void report_table_begin(Report *r, int n_cols, const char *const *headers) {
    report_table_begin_keyed(r, NULL, n_cols, headers);
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

void report_table_end(Report *r) {
    Table t = {.key = r->table_key, .n_cols = r->n_cols, .n_rows = r->n_cells / r->n_cols, .cells = r->cells};
    if (r->shown) r->fmt->table(r, &t);
    for (int k = 0; k < r->n_cells; k++) free(r->cells[k]);
    r->n_cells = 0;
    free(r->table_key);
    r->table_key = NULL;
}

// ---------------------------------------------------------------- finish

static void free_report(Report *r) {
    sb_free(&r->out);
    sb_free(&r->checks);
    sb_free(&r->answers);
    sb_free(&r->demos);
    sb_free(&r->keys);
    sb_free(&r->sections);
    free(r->cells);
    r->cells = NULL;
    if (!rerun_output()) report_mistake_free(); // the outer run's variants
}

// An undecided check never reads as a pass: exit 3, and the word says so.
const char *report_result_word(const Report *r) {
    bool passed = r->n_checks_failed == 0 && r->n_answers_wrong == 0;
    bool nothing = r->n_checks == 0 && r->n_answers_checked == 0;
    return !passed ? "FAIL" : r->n_checks_undecided ? "INCONCLUSIVE" : nothing ? "NOTHING CHECKED" : "PASS";
}

int report_finish(Report *r) {
    if (r->opt.section_list) {
        print_section_list(r);
        report_flush(r);
        free_report(r);
        return 0;
    }
    require_sections_exist(r);
    report_require_answers_matched(r);
    bool passed = r->n_checks_failed == 0 && r->n_answers_wrong == 0;
    StrBuf summary = {0};
    if (r->n_checks_failed)
        sb_printf(&summary, "%d of %d checks FAILED", r->n_checks_failed, r->n_checks);
    else if (r->n_checks_undecided)
        sb_printf(&summary, "%d of %d checks passed, %d could not decide (inconclusive or nothing to compare)",
                  r->n_checks - r->n_checks_undecided, r->n_checks, r->n_checks_undecided);
    else if (r->n_checks == 0)
        sb_printf(&summary, "no check");
    else
        sb_printf(&summary, "all %d checks passed", r->n_checks);
    if (r->n_answers_checked) sb_printf(&summary, "; %d of %d answers wrong", r->n_answers_wrong, r->n_answers_checked);
    if (r->opt.n_sections) sb_printf(&summary, " (sections shown only)");
    r->shown = true;
    if (r->step && r->n_sections > 0) pause_for_enter(r);
    r->fmt->heading(r, "Result");
    // An undecided check never reads as a pass: exit 3, and the word says so.
    // Nothing checked and nothing answered is no PASS (exit 0: nothing failed).
    const char *word = report_result_word(r);
    r->fmt->verdict(r, "Result", sb_str(&summary), word, strcmp(word, "PASS") == 0);
    sb_free(&summary);
    r->fmt->finish(r);
    report_flush(r);
    int status = !passed ? EXIT_CHECK_FAILED : r->n_checks_undecided ? EXIT_INCONCLUSIVE : 0;
    free_report(r);
    return status;
}
