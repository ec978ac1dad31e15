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

static void end_frame(Report *r) {
    if (!r->in_frame) return;
    format_latex_close_equations(r);
    sb_puts(&r->out, "\\end{frame}\n\n");
    r->in_frame = false;
}

static void open_frame(Report *r) {
    if (r->in_frame) return;
    sb_puts(&r->out, "\\begin{frame}[allowframebreaks]{");
    latex_append_prose(&r->out, r->frame_title);
    sb_puts(&r->out, "}\n\\footnotesize\n");
    r->in_frame = true;
}

static void beamer_begin(Report *r, const char *title) {
    sb_puts(&r->out, "\\documentclass{beamer}\n\\usepackage{amsmath,amssymb}\n"
                     "\\setbeamertemplate{navigation symbols}{}\n\\setlength{\\emergencystretch}{3em}\n"
                     "\\title{");
    latex_append_prose(&r->out, title);
    sb_puts(&r->out, "}\n\\begin{document}\n\\begin{frame}\n\\titlepage\n\\end{frame}\n\n");
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
    format_latex.matrix(r, label, t);
}

static void beamer_scalar(Report *r, const char *label, double value) {
    open_frame(r);
    format_latex.scalar(r, label, value);
}

static void beamer_member(Report *r, const char *key, const char *json) { (void)r, (void)key, (void)json; }

static void beamer_table(Report *r, const Table *t) {
    open_frame(r);
    format_latex.table(r, t);
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


// Charts are drawn by --plot with gnuplot, not on the slides.
static void beamer_curves(Report *r, const SvgAxes *axes, const SvgSeries *series, int n_series) {
    (void)r, (void)axes, (void)series, (void)n_series;
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
