// --format html: one self-contained HTML5 page that reads like a textbook
// section. Nothing is loaded from outside and no script runs: the style is
// inline, equations and matrices are MathML (rendered natively by Chromium
// and Firefox), matrices also get an inline SVG heatmap, and every verdict
// is a word (PASS, FAIL, INCONCLUSIVE) as well as a colour.
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "html_nav.h"
#include "mathml.h"
#include "report.h"
#include "svg.h"

// Readable on a projector (1280 px) and a phone (400 px): a text column of
// at most 46em; wide matrices and tables scroll inside their own box, never
// the page. Colours follow the reader's light or dark preference.
static const char *const STYLE =
    ":root{color-scheme:light dark;--fg:#1a1a1a;--bg:#fdfdfc;--muted:#5b5b5b;--rule:#d0d0d0;"
    "--pass:#1b6e2c;--fail:#b3261e;--warn:#8a5a00;--box:#f3f3f1}"
    "@media (prefers-color-scheme:dark){:root{--fg:#e6e6e6;--bg:#16181a;--muted:#a8a8a8;--rule:#3a3d40;"
    "--pass:#6fcf86;--fail:#ff8a80;--warn:#ffcc66;--box:#202326}}"
    "*{box-sizing:border-box}"
    "body{margin:0;background:var(--bg);color:var(--fg);font:1.05rem/1.6 Georgia,'DejaVu Serif',serif}"
    "main{max-width:46em;margin:0 auto;padding:1.5rem 1rem 4rem}"
    "h1{font-size:1.7rem;line-height:1.25}h2{font-size:1.3rem;margin-top:2.2rem;"
    "border-bottom:1px solid var(--rule);padding-bottom:.2rem}"
    "math[display=block]{display:block;overflow-x:auto;overflow-y:hidden;margin:.8rem 0;padding:.2rem 0}"
    ".scroll{overflow-x:auto;max-width:100%}"
    "pre{background:var(--box);padding:.6rem .8rem;overflow-x:auto;font-size:.9rem;line-height:1.4}"
    "code,pre,td{font-family:'DejaVu Sans Mono',Menlo,Consolas,monospace}"
    "table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0}"
    "th,td{border-bottom:1px solid var(--rule);padding:.15rem .6rem;text-align:right;white-space:nowrap}"
    "th{font-family:inherit;text-align:right}"
    ".erratum{border-left:4px solid var(--warn);background:var(--box);padding:.5rem .8rem;margin:1rem 0}"
    ".verdict{border-left:4px solid var(--muted);padding:.3rem .8rem;background:var(--box)}"
    ".verdict.pass{border-color:var(--pass)}.verdict.fail{border-color:var(--fail)}"
    ".verdict.undecided{border-color:var(--warn)}"
    ".word{font-weight:bold;letter-spacing:.04em}.pass .word,td.ok{color:var(--pass)}"
    ".fail .word,td.bad{color:var(--fail);font-weight:bold}.undecided .word,td.warn{color:var(--warn)}"
    ".figure{display:flex;flex-wrap:wrap;align-items:center;gap:1rem}"
    "svg.heatmap,svg.chart{max-width:100%;height:auto}svg.chart{color:var(--fg)}"
    "@media print{body{background:#fff;color:#000}.scroll,math[display=block],pre{overflow:visible}"
    "pre{white-space:pre-wrap}h2{break-after:avoid}.verdict,table,svg{break-inside:avoid}}";

static void html_text(StrBuf *b, const char *s) { xml_escape(b, s); }

static void html_begin(Report *r, const char *title) {
    sb_puts(&r->out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    html_text(&r->out, title);
    sb_printf(&r->out, "</title>\n<style>%s%s</style>\n</head>\n<body>\n<main>\n<h1>", STYLE, html_nav_style());
    html_text(&r->out, title);
    sb_puts(&r->out, "</h1>\n");
}

static void html_finish(Report *r) {
    sb_puts(&r->out, "</main>\n</body>\n</html>\n");
    html_nav_splice(&r->out, r->opt.spec ? r->opt.spec->program : "");
}

// "sec-5-3" for "5.3 The input gradient", so a section can be linked.
static void html_heading(Report *r, const char *title) {
    size_t a = strspn(title, "0123456789"), b = a && title[a] == '.' ? strspn(title + a + 1, "0123456789") : 0;
    if (b)
        sb_printf(&r->out, "<h2 id=\"sec-%.*s-%.*s\">", (int)a, title, (int)b, title + a + 1);
    else
        sb_puts(&r->out, "<h2>");
    html_text(&r->out, title);
    sb_puts(&r->out, "</h2>\n");
}

static void html_paragraph(Report *r, ParagraphKind kind, const char *body) {
    switch (kind) {
    case PARA_PROSE: sb_puts(&r->out, "<p>"); break;
    case PARA_ERRATUM: sb_puts(&r->out, "<p class=\"erratum\"><strong>Erratum:</strong> "); break;
    }
    html_text(&r->out, body);
    sb_puts(&r->out, "</p>\n");
}

static void html_equation(Report *r, const char *text, const char *latex) {
    sb_puts(&r->out, "<math display=\"block\">");
    if (!latex_to_mathml(&r->out, latex)) { // outside the translated subset: the plain form
        sb_puts(&r->out, "<mtext class=\"fallback\">");
        html_text(&r->out, text);
        sb_puts(&r->out, "</mtext>");
    }
    sb_puts(&r->out, "</math>\n");
}

static void html_verbatim(Report *r, const char *body) {
    sb_puts(&r->out, "<pre>");
    html_text(&r->out, body);
    sb_puts(&r->out, "</pre>\n");
}

// Channel c of t as a MathML table in brackets, summarised like the text
// (⋯ and ⋮ where entries are left out) unless --full-matrices.
static void mathml_matrix(StrBuf *b, const Tensor *t, int c, const char *what, bool full) {
    MatrixLayout l = matrix_layout(t, matrix_entry_width(t, c, what), 0, full);
    sb_puts(b, "<mrow><mo>[</mo><mtable>");
    for (int i = 0; i < l.rows; i++) {
        int row = matrix_layout_index(i, l.row_edge, t->h);
        sb_puts(b, "<mtr>");
        for (int j = 0; j < l.cols; j++) {
            int col = matrix_layout_index(j, l.col_edge, t->w);
            char num[40];
            if (row < 0 || col < 0) {
                sb_printf(b, "<mtd><mo>%s</mo></mtd>", row < 0 && col < 0 ? "⋱" : row < 0 ? "⋮" : "⋯");
                continue;
            }
            format_number(num, sizeof num, *tensor_at(t, c, row, col), what);
            sb_printf(b, "<mtd><mn>%s</mn></mtd>", num);
        }
        sb_puts(b, "</mtr>");
    }
    sb_puts(b, "</mtable><mo>]</mo></mrow>");
}

static void html_matrix(Report *r, const char *label, const Tensor *t) {
    for (int c = 0; c < t->c; c++) {
        char channel[32] = "";
        if (t->c > 1) snprintf(channel, sizeof channel, " [channel %d]", c);
        sb_puts(&r->out, "<div class=\"figure\"><math display=\"block\"><mrow><mtext>");
        html_text(&r->out, label);
        html_text(&r->out, channel);
        sb_puts(&r->out, "</mtext><mo>=</mo>");
        mathml_matrix(&r->out, t, c, label, r->opt.full_matrices);
        sb_puts(&r->out, "</mrow></math>");
        // A picture where there is a grid to see: not for a vector.
        if (!tensor_is_vector(t)) svg_heatmap(&r->out, t, c, label);
        sb_puts(&r->out, "</div>\n");
    }
}

static void html_scalar(Report *r, const char *label, double value) {
    char num[40];
    format_number(num, sizeof num, value, label);
    sb_puts(&r->out, "<p>");
    html_text(&r->out, label);
    sb_printf(&r->out, " = <code>%s</code></p>\n", num);
}

static void html_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

// Verdict words in a table's cells get a class, so they are bold and
// coloured, but the word itself always says it.
static const char *cell_class(const char *cell) {
    if (!strcmp(cell, "ok") || !strcmp(cell, "PASS")) return " class=\"ok\"";
    if (!strcmp(cell, "FAIL") || !strcmp(cell, "WRONG")) return " class=\"bad\"";
    if (!strcmp(cell, "INCONCLUSIVE") || !strcmp(cell, "inconclusive") || !strcmp(cell, "kink") ||
        !strncmp(cell, "skipped", 7))
        return " class=\"warn\"";
    return "";
}

static void html_table(Report *r, const Table *t) {
    sb_puts(&r->out, "<div class=\"scroll\"><table>\n");
    for (int i = 0; i < t->n_rows; i++) {
        sb_puts(&r->out, "<tr>");
        for (int j = 0; j < t->n_cols; j++) {
            const char *cell = t->cells[i * t->n_cols + j];
            sb_printf(&r->out, "<%s%s>", i ? "td" : "th", i ? cell_class(cell) : "");
            html_text(&r->out, cell);
            sb_printf(&r->out, "</%s>", i ? "td" : "th");
        }
        sb_puts(&r->out, "</tr>\n");
    }
    sb_puts(&r->out, "</table></div>\n");
}

static void html_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    bool undecided = !good && (!strcmp(word, "INCONCLUSIVE") || !strncmp(word, "NOTHING", 7));
    sb_printf(&r->out, "<p class=\"verdict %s\"><strong>", good ? "pass" : undecided ? "undecided" : "fail");
    html_text(&r->out, name);
    sb_puts(&r->out, "</strong>: ");
    html_text(&r->out, detail);
    sb_puts(&r->out, ": <span class=\"word\">");
    html_text(&r->out, word);
    sb_puts(&r->out, "</span></p>\n");
}

static void html_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    sb_puts(&r->out, "<div class=\"figure\">");
    svg_curves(&r->out, axes, series, n_series);
    sb_puts(&r->out, "</div>\n");
}

const FormatBackend format_html = {
    .name = "html",
    .begin = html_begin,
    .finish = html_finish,
    .heading = html_heading,
    .paragraph = html_paragraph,
    .equation = html_equation,
    .verbatim = html_verbatim,
    .matrix = html_matrix,
    .scalar = html_scalar,
    .member = html_member,
    .table = html_table,
    .verdict = html_verdict,
    .curves = html_curves,
};
