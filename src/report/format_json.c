// --format json: exactly one object. "schema_version", "chapter", "seed" and
// "result"; every quantity reported with a key, the keyed tables, then
// "checks", "demonstrations" (possibly empty) and "answers"
// (with --answer). Prose, equations and unkeyed tables are left out.
#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report.h"

// Version 1 was the document before "schema_version" existed.
#define JSON_SCHEMA_VERSION 2

static void json_begin(Report *r, const char *title) { (void)r, (void)title; }

// r->out holds the members so far; the object is assembled around them.
// What the document is, first: "schema_version" (2 added these four keys,
// "id" and "value"/"target" on checks, and an always-present
// "demonstrations"), "chapter", "seed", and "result", the word of the
// Result line ("pass", "fail", "inconclusive" or "nothing checked").
static void json_header(StrBuf *doc, const Report *r) {
    const char *program = r->opt.spec ? r->opt.spec->program : "";
    const char *digits = program + strcspn(program, "0123456789");
    char result[16];
    snprintf(result, sizeof result, "%s", report_result_word(r));
    for (char *c = result; *c; c++) *c = (char)tolower((unsigned char)*c);
    sb_printf(doc, "  \"schema_version\": %d,\n  \"chapter\": %s,\n  \"seed\": %" PRIu64 ",\n  \"result\": \"%s\"",
              JSON_SCHEMA_VERSION, *digits ? digits : "null", r->opt.seed, result);
}

static void json_finish(Report *r) {
    StrBuf doc = {0};
    sb_puts(&doc, "{\n");
    json_header(&doc, r);
    if (r->out.len) sb_puts(&doc, ",\n");
    sb_puts(&doc, sb_str(&r->out));
    const char *sep = ",\n";
    if (r->checks.len)
        sb_printf(&doc, "%s  \"checks\": [\n%s\n  ]", sep, sb_str(&r->checks));
    else
        sb_printf(&doc, "%s  \"checks\": []", sep);
    if (r->demos.len)
        sb_printf(&doc, ",\n  \"demonstrations\": [\n%s\n  ]", sb_str(&r->demos));
    else
        sb_puts(&doc, ",\n  \"demonstrations\": []");
    if (r->opt.n_answers) sb_printf(&doc, ",\n  \"answers\": [\n%s\n  ]", sb_str(&r->answers));
    sb_puts(&doc, "\n}\n");
    sb_free(&r->out);
    r->out = doc;
}

static void json_heading(Report *r, const char *title) { (void)r, (void)title; }

static void json_paragraph(Report *r, ParagraphKind kind, const char *body) { (void)r, (void)kind, (void)body; }

static void json_equation(Report *r, const char *text, const char *latex) { (void)r, (void)text, (void)latex; }

static void json_verbatim(Report *r, const char *body) { (void)r, (void)body; }

static void json_matrix(Report *r, const char *label, const Tensor *t) { (void)r, (void)label, (void)t; }

static void json_scalar(Report *r, const char *label, double value) { (void)r, (void)label, (void)value; }

static void json_member(Report *r, const char *key, const char *json) {
    sb_puts(&r->out, r->out.len ? ",\n  " : "  ");
    json_append_string(&r->out, key);
    sb_printf(&r->out, ": %s", json);
}

// A keyed table: [{"header": cell, ...}, ...], numbers as numbers.
static void json_table(Report *r, const Table *t) {
    if (!t->key) return;
    StrBuf b = {0};
    sb_putc(&b, '[');
    for (int i = 1; i < t->n_rows; i++) {
        sb_puts(&b, i > 1 ? ",\n    {" : "\n    {");
        for (int j = 0; j < t->n_cols; j++) {
            const char *cell = t->cells[i * t->n_cols + j];
            if (j) sb_puts(&b, ", ");
            // an empty header is the status column ("ok", "FAIL")
            json_append_string(&b, *t->cells[j] ? t->cells[j] : "status");
            sb_puts(&b, ": ");
            if (cell_is_number(cell))
                sb_puts(&b, cell);
            else
                json_append_string(&b, cell);
        }
        sb_putc(&b, '}');
    }
    sb_puts(&b, t->n_rows > 1 ? "\n  ]" : "]");
    json_member(r, t->key, sb_str(&b));
    sb_free(&b);
}

static void json_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    (void)r, (void)name, (void)detail, (void)word, (void)good;
}


// Charts are drawn by --plot with gnuplot, not in this format.
static void json_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    (void)r, (void)axes, (void)series, (void)n_series;
}

const FormatBackend format_json = {
    .name = "json",
    .begin = json_begin,
    .finish = json_finish,
    .heading = json_heading,
    .paragraph = json_paragraph,
    .equation = json_equation,
    .verbatim = json_verbatim,
    .matrix = json_matrix,
    .scalar = json_scalar,
    .member = json_member,
    .table = json_table,
    .verdict = json_verdict,
    .curves = json_curves,
};
