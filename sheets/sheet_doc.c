#include "sheet_doc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void doc_number(char *buf, size_t len, double v) { snprintf(buf, len, "%.10g", v == 0.0 ? 0.0 : v); }

void doc_literal(StrBuf *b, const Tensor *t) {
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) {
            char n[40];
            doc_number(n, sizeof n, *tensor_at(t, 0, i, j));
            sb_printf(b, "%s%s", j ? " " : (i ? "; " : ""), n);
        }
}

void doc_begin(Doc *d, const char *title, const char *subtitle) {
    *d = (Doc){0};
    sb_printf(&d->md, "# %s\n\n%s\n\n", title, subtitle);
    sb_puts(&d->tex, "\\documentclass[11pt]{article}\n\\usepackage{amsmath,amssymb}\n"
                     "\\usepackage[margin=2cm]{geometry}\n\\usepackage{fancyvrb}\n"
                     "\\setlength{\\parindent}{0pt}\\setlength{\\parskip}{0.6ex}\n"
                     "\\begin{document}\n");
    sb_printf(&d->tex, "\\section*{%s}\n%s\n\n", title, subtitle);
}

void doc_end(Doc *d) { sb_puts(&d->tex, "\\end{document}\n"); }

void doc_free(Doc *d) {
    sb_free(&d->md);
    sb_free(&d->tex);
}

void doc_problem(Doc *d, int number, const char *title) {
    sb_printf(&d->md, "## Problem %d: %s\n\n", number, title);
    // \filbreak: the page breaks before a problem that does not fit on it, not inside it.
    sb_printf(&d->tex, "\\filbreak\n\\subsection*{Problem %d: %s}\n", number, title);
}

void doc_para(Doc *d, const char *md, const char *tex) {
    sb_printf(&d->md, "%s\n\n", md);
    sb_printf(&d->tex, "%s\n\n", tex);
}

static void tex_bmatrix(StrBuf *b, const Tensor *t) {
    sb_puts(b, "\\begin{bmatrix}");
    for (int i = 0; i < t->h; i++) {
        for (int j = 0; j < t->w; j++) {
            char n[40];
            doc_number(n, sizeof n, *tensor_at(t, 0, i, j));
            sb_printf(b, "%s%s", j ? " & " : " ", n);
        }
        sb_puts(b, i + 1 < t->h ? " \\\\" : " ");
    }
    sb_puts(b, "\\end{bmatrix}");
}

// Markdown: a code block with right-aligned columns, readable as plain text.
static void md_matrix(StrBuf *b, const char *name, const Tensor *t) {
    int width = 1;
    for (size_t k = 0; k < tensor_size(t); k++) {
        char n[40];
        doc_number(n, sizeof n, t->data[k]);
        if ((int)strlen(n) > width) width = (int)strlen(n);
    }
    sb_printf(b, "```\n%s =\n", name);
    for (int i = 0; i < t->h; i++) {
        sb_puts(b, "  [");
        for (int j = 0; j < t->w; j++) {
            char n[40];
            doc_number(n, sizeof n, *tensor_at(t, 0, i, j));
            sb_printf(b, " %*s", width, n);
        }
        sb_puts(b, " ]\n");
    }
    sb_puts(b, "```\n\n");
}

void doc_matrix(Doc *d, const char *name_md, const char *name_tex, const Tensor *t) {
    md_matrix(&d->md, name_md, t);
    sb_printf(&d->tex, "\\[ %s = ", name_tex);
    tex_bmatrix(&d->tex, t);
    sb_puts(&d->tex, " \\]\n");
}

void doc_matrices(Doc *d, int n, const char *const *names_md, const char *const *names_tex,
                  const Tensor *const *ts) {
    sb_puts(&d->tex, "\\[ ");
    for (int k = 0; k < n; k++) {
        md_matrix(&d->md, names_md[k], ts[k]);
        // Four or more matrices go two to a line, so a line never runs past the margin.
        const char *sep = k == 0 ? "" : (n > 3 && k % 2 == 0) ? " \\]\n\\[ " : ",\\qquad ";
        sb_printf(&d->tex, "%s%s = ", sep, names_tex[k]);
        tex_bmatrix(&d->tex, ts[k]);
    }
    sb_puts(&d->tex, " \\]\n");
}

void doc_command(Doc *d, const char *cmd) {
    sb_printf(&d->md, "```sh\n%s\n```\n\n", cmd);
    // Long commands break at spaces, continued with a backslash as in a shell.
    sb_puts(&d->tex, "\\begin{Verbatim}[fontsize=\\small]\n");
    size_t col = 0;
    for (const char *p = cmd; *p; p++) {
        if (*p == ' ' && col > 60 && p[1] == '-' && p[2] == '-') {
            sb_puts(&d->tex, " \\\n    ");
            col = 4;
            continue;
        }
        sb_putc(&d->tex, *p);
        col++;
    }
    sb_puts(&d->tex, "\n\\end{Verbatim}\n\n");
}

void doc_work(Doc *d, const char *lines) {
    size_t n = strlen(lines);
    const char *end = n && lines[n - 1] == '\n' ? "" : "\n";
    sb_printf(&d->md, "```\n%s%s```\n\n", lines, end);
    sb_printf(&d->tex, "\\begin{Verbatim}[fontsize=\\small]\n%s%s\\end{Verbatim}\n\n", lines, end);
}

void doc_space(Doc *d, const char *height_tex) {
    sb_puts(&d->md, "*(your work)*\n\n\n\n");
    sb_printf(&d->tex, "\\vspace{%s}\n\n", height_tex);
}
