// --format beamer: a Beamer deck for pdflatex, one frame per step of a
// section: what comes up to and including a check (prose, equation,
// numbers, verdict) shares a frame; what follows continues in the next one
// under the same title. Frames break onto more slides when they are long.
// The elements inside a frame are typeset as in --format latex.
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "latex.h"
#include "report.h"

// What opens the body of every frame, after its title.
#define FRAME_BODY_START "}\n\\footnotesize\n"

static void end_frame(Report *r) {
    if (!r->in_frame) return;
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\end{frame}\n\n");
    r->in_frame = false;
}

static void open_frame(Report *r) {
    if (r->in_frame) return;
    // Beamer splits a long frame at the full text height, but the title
    // takes some of it: a slide split at 0.9 of it ends above the bottom.
    sb_puts(&r->out, "\\begin{frame}[allowframebreaks=0.9]{");
    latex_append_prose(&r->out, r->frame_title);
    sb_puts(&r->out, FRAME_BODY_START);
    r->in_frame = true;
}

// True when nothing has been written into the open frame yet.
static bool frame_is_empty(const Report *r) {
    size_t n = strlen(FRAME_BODY_START);
    return r->out.len >= n && strcmp(sb_str(&r->out) + r->out.len - n, FRAME_BODY_START) == 0;
}

static void beamer_begin(Report *r, const char *title) {
    sb_puts(&r->out, "\\documentclass{beamer}\n\\usepackage{amsmath,amssymb}\n"
                     // T1 fonts: "_" and straight quotes are real characters, so a command
                     // copied from the PDF pastes as it was written.
                     "\\usepackage[T1]{fontenc}\n\\usepackage{lmodern,textcomp}\n"
                     "\\usepackage{pgfplots}\n\\pgfplotsset{compat=1.9}\n"
                     "\\setbeamertemplate{navigation symbols}{}\n\\setlength{\\emergencystretch}{3em}\n"
                     "% A matrix or table wider than the slide is shrunk to its width.\n"
                     "\\newcommand{\\fitwidth}[1]{\\resizebox{\\ifdim\\width>\\linewidth\\linewidth"
                     "\\else\\width\\fi}{!}{#1}}\n"
                     "\\title[");
    // The short title (in a theme's footline) is the part before the colon.
    char short_title[64];
    snprintf(short_title, sizeof short_title, "%.*s", (int)strcspn(title, ":"), title);
    latex_append_prose(&r->out, short_title);
    sb_puts(&r->out, "]{");
    latex_append_prose(&r->out, title);
    sb_puts(&r->out, "}\n\\author{}\n\\date{}\n");
    format_latex_preamble_hook(r);
    sb_puts(&r->out, "\\begin{document}\n\\begin{frame}\n\\titlepage\n\\end{frame}\n\n");
    snprintf(r->frame_title, sizeof r->frame_title, "%s", title);
}

static void beamer_finish(Report *r) {
    end_frame(r);
    sb_puts(&r->out, "\\end{document}\n");
}

static void beamer_heading(Report *r, const char *title) {
    end_frame(r);
    snprintf(r->frame_title, sizeof r->frame_title, "%s", title);
}

static void beamer_paragraph(Report *r, ParagraphKind kind, const char *body) {
    open_frame(r);
    format_latex.paragraph(r, kind, body);
}

static void beamer_equation(Report *r, const char *text, const char *latex) {
    open_frame(r);
    format_latex.equation(r, text, latex);
}

static void beamer_verbatim(Report *r, const char *body) {
    open_frame(r);
    format_latex.verbatim(r, body);
}

static void beamer_matrix(Report *r, const char *label, const Tensor *t) {
    open_frame(r);
    format_latex_matrix_fit(r, label, t);
}

static void beamer_scalar(Report *r, const char *label, double value) {
    open_frame(r);
    format_latex.scalar(r, label, value);
}

static void beamer_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

// Rows of a table on one slide: the header and 12 rows of \footnotesize
// (11 pt each) take about 145 pt of the frame's 230 pt below its title.
#define BEAMER_TABLE_ROWS 12

// A long table continues on the frame's next slides (the title numbered
// I, II, ...), each part with the header row: a tabular cannot break.
static void beamer_table(Report *r, const Table *t) {
    open_frame(r);
    for (int first = 1; first < t->n_rows || first == 1; first += BEAMER_TABLE_ROWS) {
        // Each part starts a slide: Beamer's own split, finding a table
        // after other material, may leave it running off the bottom.
        format_latex_close_equations(r);
        if (!frame_is_empty(r)) sb_puts(&r->out, "\\framebreak\n");
        format_latex_table_part(r, t, first, first + BEAMER_TABLE_ROWS, true);
    }
}

// The check ends the step: its frame closes.
static void beamer_verdict(Report *r, const char *name, const char *detail, const char *word, bool good) {
    open_frame(r);
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\par\\noindent ");
    latex_append_prose(&r->out, name);
    sb_puts(&r->out, ": ");
    latex_append_prose(&r->out, detail);
    sb_printf(&r->out, ": %s{%s}\n\n", good ? "\\textbf" : "\\alert", word);
    end_frame(r);
}


// A chart has a slide of its own.
static void beamer_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    open_frame(r);
    format_latex_close_equations(r);
    if (!frame_is_empty(r)) sb_puts(&r->out, "\\framebreak\n");
    format_latex_curves(r, axes, series, n_series, "width=0.8\\linewidth, height=0.55\\textheight");
}

const FormatBackend format_beamer = {
    .name = "beamer",
    .begin = beamer_begin,
    .finish = beamer_finish,
    .heading = beamer_heading,
    .paragraph = beamer_paragraph,
    .equation = beamer_equation,
    .verbatim = beamer_verbatim,
    .matrix = beamer_matrix,
    .scalar = beamer_scalar,
    .member = beamer_member,
    .table = beamer_table,
    .verdict = beamer_verdict,
    .curves = beamer_curves,
};
