// UTF-8 prose and labels into plain-ASCII LaTeX (src/report/latex.c).
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "latex.h"
#include "proc.h"

#define MAX_CHAPTERS 16

static int chapters[MAX_CHAPTERS];
static int n_chapters;

static void find_chapters(void) { n_chapters = chapter_numbers(chapters, MAX_CHAPTERS); }

typedef struct {
    const char *in, *out;
} LatexCase;

static const LatexCase TEXT[] = {
    {"∂L/∂ŷ", "$\\partial $L/$\\partial $$\\hat{y}$"},
    {"X ⋆ K", "X $\\star $ K"},
    {"rotated 180°", "rotated 180$^{\\circ}$"},
    {"a_b 50% A&B #1 $5 {x} c:\\d", "a\\_b 50\\% A\\&B \\#1 \\$5 \\{x\\} c:\\textbackslash{}d"},
    {"x^2 ~y <a|b>", "x\\^{}2 \\~{}y $<$a$|$b$>$"},
    {"plain ASCII, kept.", "plain ASCII, kept."},
    {"a—b “q”", "a---b ``q''"},
    {"€", "?"},          // no translation: one '?' per character
    {"a😀b", "a?b"},      // a 4-byte character is one '?', not four
    {"Σ G∘Y", "$\\Sigma $ G$\\circ $Y"},
};

START_TEST(test_text) {
    StrBuf b = {0};
    latex_append_text(&b, TEXT[_i].in);
    ck_assert_str_eq(sb_str(&b), TEXT[_i].out);
    sb_free(&b);
}
END_TEST

static const LatexCase MATH[] = {
    {"W_new", "W_{\\mathrm{new}}"},
    {"x_1", "x_{1}"},
    {"∂L/∂ŷ", "\\partial L/\\partial \\hat{y}"},
    {"X ⋆ K", "X\\ \\star \\ K"},
    // Math mode would drop the space before the parenthesis.
    {"dK (conv)", "\\mathrm{dK}\\ (\\mathrm{conv})"},
    {"rot180(K)", "\\mathrm{rot180}(K)"},
    {"dW_conv", "\\mathrm{dW}_{\\mathrm{conv}}"},
    {"a{b}$c&d#e%f", "a\\{b\\}\\$c\\&d\\#e\\%f"},
    {"p\\q", "p\\backslash q"},
    {"σ(z)", "\\sigma (z)"},
    {"K€", "K?"},
    // a hyphen or an apostrophe inside a word is text, not a minus or a prime
    {"dK (cross-correlation)", "\\mathrm{dK}\\ (\\text{cross-correlation})"},
    {"X * G (the article's form)", "X\\ *\\ G\\ (\\mathrm{the}\\ \\text{article's}\\ \\mathrm{form})"},
    {"x-y", "x-y"},
    // a braced subscript is a subscript, not literal braces
    {"Σ_{i=1}^m", "\\Sigma _{i=1}^{m}"},
    {"a_{b", "a\\{b"},
    // brackets are braced: a continued Beamer title re-reads a bare one
    {"Y[i,j]", "Y{[}i,j{]}"},
};

START_TEST(test_math) {
    StrBuf b = {0};
    latex_append_math(&b, MATH[_i].in);
    ck_assert_str_eq(sb_str(&b), MATH[_i].out);
    sb_free(&b);
}
END_TEST

// Leading spaces and all but the last space of a run are ties; the last
// space of each run is a place the line may break (worked arithmetic too long
// for the page). Every line is "\mbox{}...\\", and an empty line does not
// become a bare "\\" (a LaTeX error).
// Quotes in a command stay straight quotes (textcomp), so it pastes.
START_TEST(test_verbatim_quotes_are_straight) {
    StrBuf b = {0};
    latex_append_verbatim(&b, "build/chapter5 --formula 'dK = xcorr(X, G)' \"x\" `y`");
    ck_assert_str_eq(sb_str(&b), "\\begin{flushleft}\\ttfamily\n"
                                 "\\mbox{}build/chapter5 -{}-formula \\textquotesingle{}dK = xcorr(X, G)"
                                 "\\textquotesingle{} \\textquotedbl{}x\\textquotedbl{} "
                                 "\\textasciigrave{}y\\textasciigrave{}\\\\\n"
                                 "\\end{flushleft}\n");
    sb_free(&b);
}
END_TEST

START_TEST(test_verbatim) {
    StrBuf b = {0};
    latex_append_verbatim(&b, "Y[0,0] = 8·1\n\na_b  %\n  x\n");
    ck_assert_str_eq(sb_str(&b), "\\begin{flushleft}\\ttfamily\n"
                                 "\\mbox{}Y[0,0] = 8$\\cdot $1\\\\\n"
                                 "\\mbox{}\\\\\n"
                                 "\\mbox{}a\\_b~ \\%\\\\\n"
                                 "\\mbox{}~~x\\\\\n"
                                 "\\end{flushleft}\n");
    sb_free(&b);
}
END_TEST

// A string cut in the middle of a multi-byte character (here the first byte
// of the 3-byte "∂") becomes one '?' and nothing is read past its end. The
// copy is on the heap at its exact size so AddressSanitizer sees an overread.
START_TEST(test_truncated_utf8_stays_in_bounds) {
    static const char cut[] = {'a', (char)0xE2, '\0'};
    char *s = malloc(sizeof cut);
    ck_assert_ptr_nonnull(s);
    memcpy(s, cut, sizeof cut);
    StrBuf b = {0};
    latex_append_text(&b, s);
    ck_assert_str_eq(sb_str(&b), "a?");
    sb_clear(&b);
    latex_append_math(&b, s);
    ck_assert_str_eq(sb_str(&b), "a?");
    free(s);
    sb_free(&b);
}
END_TEST

static const LatexCase PROSE[] = {
    // symbols, subscripts and superscripts in math mode
    {"so ∂L/∂ŷ_i is", "so $\\partial L/\\partial \\hat{y}_{i}$ is"},
    {"C_in channels", "$C_{\\mathrm{in}}$ channels"},
    {"h^p and e^−z.", "$h^{p}$ and $e^{-z}$."},
    {"near ε^(1/(p+1)),", "near $\\varepsilon ^{(1/(p+1))}$,"},
    // a lone letter is a variable, except the words "a" and "I"
    {"x is a vector", "$x$ is a vector"},
    // identifiers are typewriter text that may break after "_"
    {"bce_grad_logits here", "\\texttt{bce\\_\\allowbreak{}grad\\_\\allowbreak{}logits} here"},
    // quotes open and close
    {"the \"double sum\" here", "the ``double sum'' here"},
    {"(\"quoted\")", "(``quoted'')"},
    // closing punctuation stays outside the math
    {"(x_0),", "($x_{0}$),"},
    {"plain words, 2x2.", "plain words, 2x2."},
    // a negative number has a minus sign; 1e-10 and --lr stay text
    {"gives -0.079, 1e-10 and --lr", "gives $-0.079$, 1e-10 and -{}-lr"},
    {"writes Σ_{j=1}^m here", "writes $\\Sigma _{j=1}^{m}$ here"},
};

START_TEST(test_prose) {
    StrBuf b = {0};
    latex_append_prose(&b, PROSE[_i].in);
    ck_assert_str_eq(sb_str(&b), PROSE[_i].out);
    sb_free(&b);
}
END_TEST

static int count_char(const char *s, char c) {
    int n = 0;
    for (; *s; s++) n += *s == c;
    return n;
}

// Every chapter's LaTeX is plain ASCII (what pdflatex needs without
// inputenc), and every character had a translation: a '?' stands for one
// that had none, so the LaTeX has no more '?' than the text output.
START_TEST(test_chapter_output_is_ascii_and_translated) {
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *latex_args[] = {"--format", "latex", NULL}, *text_args[] = {"--no-color", NULL};
    ProcResult tex = run_chapter(program, latex_args), text = run_chapter(program, text_args);
    for (const char *p = tex.out; *p; p++)
        ck_assert_msg((unsigned char)*p < 0x80, "%s: byte 0x%02x in the LaTeX", program, (unsigned char)*p);
    ck_assert_int_le(count_char(tex.out, '?'), count_char(text.out, '?'));
    proc_free(&tex);
    proc_free(&text);
}
END_TEST

static int count_str(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

// Every chart of the HTML page is in the deck and the notes too, drawn by
// pgfplots from the same points.
START_TEST(test_charts_in_decks_and_notes) {
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *html_args[] = {"--format", "html", NULL}, *beamer_args[] = {"--format", "beamer", NULL},
               *latex_args[] = {"--format", "latex", NULL};
    ProcResult html = run_chapter(program, html_args), deck = run_chapter(program, beamer_args),
               notes = run_chapter(program, latex_args);
    int charts = count_str(html.out, "<svg class=\"chart\"");
    ck_assert_int_eq(count_str(deck.out, "\\begin{axis}"), charts);
    ck_assert_int_eq(count_str(notes.out, "\\begin{axis}"), charts);
    ck_assert_int_eq(count_str(html.out, "<polyline"), count_str(deck.out, "\\addplot"));
    proc_free(&html);
    proc_free(&deck);
    proc_free(&notes);
}
END_TEST

// ---------------------------------------------------------------- pdflatex

static bool have_pdflatex(void) { return system("pdflatex --version > /dev/null 2>&1") == 0; }

// The largest overflow of one kind ("hbox": past the right edge, "vbox":
// past the page or slide bottom) in a pdflatex log line, folded into *max.
static void note_overfull(const char *line, const char *kind, double *max) {
    char pattern[32], scan[40];
    snprintf(pattern, sizeof pattern, "Overfull \\%s (", kind);
    snprintf(scan, sizeof scan, "Overfull \\%s (%%lfpt", kind);
    const char *o = strstr(line, pattern);
    double pt;
    if (o && sscanf(o, scan, &pt) == 1 && pt > *max) *max = pt;
}

// Compiles tex with pdflatex in a fresh directory; returns the exit status,
// the widest overfull hbox and the tallest overfull vbox in points (0 when none).
// pdf_text, when not NULL, receives the PDF's text (pdftotext; NULL when
// pdftotext is missing), which the caller frees.
static int compile_latex(const char *tex, size_t len, double *widest_overfull, double *tallest_overfull,
                         char **pdf_text) {
    char dir[] = "/tmp/workbook-latex-XXXXXX", path[128], cmd[256];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/doc.tex", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(tex, 1, len, f), len);
    fclose(f);
    snprintf(cmd, sizeof cmd, "cd %s && timeout 120 pdflatex -interaction=nonstopmode -halt-on-error doc.tex "
                              "> /dev/null 2>&1", dir);
    int status = system(cmd);
    snprintf(path, sizeof path, "%s/doc.log", dir);
    *widest_overfull = *tallest_overfull = 0;
    f = fopen(path, "r");
    char line[1024];
    while (f && fgets(line, sizeof line, f)) {
        note_overfull(line, "hbox", widest_overfull);
        note_overfull(line, "vbox", tallest_overfull);
    }
    if (f) fclose(f);
    if (pdf_text) {
        *pdf_text = NULL;
        snprintf(cmd, sizeof cmd, "pdftotext -nopgbrk %s/doc.pdf %s/doc.txt > /dev/null 2>&1", dir, dir);
        snprintf(path, sizeof path, "%s/doc.txt", dir);
        if (status == 0 && system(cmd) == 0) *pdf_text = read_file(path);
    }
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    return status;
}

// A box this much wider than the line is visible on the page; less is not.
#define MAX_OVERFULL_PT 10.0

// Beamer shrinks content to the slide, so past the bottom nothing is
// visible beyond this (a rounding of the last line's depth).
#define MAX_OVERFULL_VBOX_PT 1.0

// Every command the chapter prints in its text output (a line
// "build/chapterN ...") is in text, character for character.
static void assert_commands_in(const char *program, const char *text) {
    const char *args[] = {"--no-color", NULL};
    ProcResult t = run_chapter(program, args);
    for (const char *line = t.out; *line;) {
        size_t n = strcspn(line, "\n"), lead = strspn(line, " ");
        if (lead < n && strncmp(line + lead, "build/chapter", 13) == 0) {
            char command[512];
            snprintf(command, sizeof command, "%.*s", (int)(n - lead), line + lead);
            ck_assert_msg(strstr(text, command) != NULL, "%s: not pasteable from the slides: %s", program, command);
        }
        line += n + (line[n] == '\n');
    }
    proc_free(&t);
}

// paste: also check that the chapter's commands paste from the PDF.
static void assert_compiles_as(const char *program, const char *const *args, double max_overfull, bool paste) {
    ProcResult p = run_chapter(program, args);
    ck_assert_msg(p.status == 0 || p.status == 1 || p.status == 3, "%s: status %d (%s)", program, p.status, p.err);
    double wide, tall;
    char *text = NULL;
    int status = compile_latex(p.out, p.out_len, &wide, &tall, paste ? &text : NULL);
    ck_assert_msg(status == 0, "%s %s: pdflatex failed", program, args[1]);
    ck_assert_msg(wide <= max_overfull, "%s %s: a box %.1f pt past the right edge", program, args[1], wide);
    ck_assert_msg(tall <= MAX_OVERFULL_VBOX_PT, "%s %s: a page or slide %.1f pt past the bottom", program, args[1],
                  tall);
    if (paste && text) assert_commands_in(program, text);
    if (paste && !text) fprintf(stderr, "latex: SKIPPED the paste check (pdftotext not installed)\n");
    free(text);
    proc_free(&p);
}

static void assert_compiles(const char *program, const char *const *args, double max_overfull) {
    assert_compiles_as(program, args, max_overfull, false);
}

START_TEST(test_chapter_latex_compiles) {
    if (!have_pdflatex()) {
        fprintf(stderr, "latex: SKIPPED the pdflatex test (pdflatex not installed; "
                        "apt-get install texlive-latex-recommended)\n");
        return;
    }
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *args[] = {"--format", "latex", NULL};
    assert_compiles(program, args, MAX_OVERFULL_PT);
}
END_TEST

// Every chapter's Beamer deck compiles, nothing runs past a slide's right
// edge or bottom (long tables continue on the next slide, wide matrices and
// tables are shrunk to the slide), and every command the chapter prints
// pastes from the PDF as printed (straight quotes, underscores, "--").
START_TEST(test_chapter_beamer_compiles) {
    if (!have_pdflatex()) {
        fprintf(stderr, "latex: SKIPPED the Beamer pdflatex test (pdflatex not installed; "
                        "apt-get install texlive-latex-recommended texlive-latex-extra)\n");
        return;
    }
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *args[] = {"--format", "beamer", NULL};
    assert_compiles_as(program, args, MAX_OVERFULL_PT, true);
}
END_TEST

// An instructor's preamble beside the deck (workbook-preamble.tex) sets the
// theme and the author; the deck still compiles and fits.
START_TEST(test_beamer_preamble_can_be_changed) {
    if (!have_pdflatex()) {
        fprintf(stderr, "latex: SKIPPED the Beamer preamble test (pdflatex not installed)\n");
        return;
    }
    char script[1024];
    snprintf(script, sizeof script,
             "d=$(mktemp -d /tmp/workbook-preamble-XXXXXX) && %s/chapter4 --format beamer > $d/deck.tex && "
             "printf '%%s\\n' '\\usetheme{Madrid}' '\\author{Dr Example}' > $d/workbook-preamble.tex && "
             "(cd $d && timeout 120 pdflatex -interaction=nonstopmode -halt-on-error deck.tex > /dev/null 2>&1); "
             "st=$?; grep -c 'beamerthemeMadrid.sty' $d/deck.log; pdftotext $d/deck.pdf - | grep -c 'Dr Example'; "
             "grep -c 'Overfull' $d/deck.log; rm -rf $d; exit $st",
             BUILD_DIR);
    // Madrid shows the author on the title slide and in every footline.
    ProcResult p = run_shell(script, NULL);
    ck_assert_msg(p.status == 0, "pdflatex failed with a preamble (%s)", p.err);
    int theme = -1, author = -1, overfull = -1;
    ck_assert_int_eq(sscanf(p.out, "%d %d %d", &theme, &author, &overfull), 3);
    ck_assert_msg(theme > 0, "the theme of workbook-preamble.tex was not loaded");
    ck_assert_msg(author > 1, "the author of workbook-preamble.tex is not on the slides");
    ck_assert_int_eq(overfull, 0);
    proc_free(&p);
}
END_TEST

// A 3x40 input: summarised, it fits; with --full-matrices it is wide but
// still compiles (amsmath's MaxMatrixCols raised as needed).
START_TEST(test_wide_input_compiles) {
    if (!have_pdflatex()) {
        fprintf(stderr, "latex: SKIPPED the wide-input pdflatex test (pdflatex not installed)\n");
        return;
    }
    char input[400] = "";
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 40; j++) {
            char e[8];
            snprintf(e, sizeof e, "%d%s", (i * 7 + j) % 10, j == 39 ? (i < 2 ? "; " : "") : " ");
            strcat(input, e);
        }
    const char *args[] = {"--format", "latex", "--input", input, "--kernel", "1 0; 0 -1", NULL};
    assert_compiles("chapter1", args, MAX_OVERFULL_PT);
    const char *full[] = {"--format", "latex", "--input", input, "--kernel", "1 0; 0 -1", "--full-matrices", NULL};
    assert_compiles("chapter1", full, 1e9);
}
END_TEST

// Chapter 6 --bug dense-swap overflows to a loss of 1e148 in epoch 1: every
// magnitude is in scientific notation, so no line outgrows the page (it was
// a 39-digit integer, 1034 pt overfull).
START_TEST(test_diverging_run_fits_the_page) {
    if (!have_pdflatex()) {
        fprintf(stderr, "latex: SKIPPED the diverging-run pdflatex test (pdflatex not installed)\n");
        return;
    }
    const char *args[] = {"--format", "latex", "--bug", "dense-swap", "--epochs", "3", NULL};
    assert_compiles("chapter6", args, MAX_OVERFULL_PT);
}
END_TEST

Suite *make_latex_suite(void) {
    find_chapters();
    Suite *s = suite_create("latex");
    TCase *tc = tcase_create("latex");
    tcase_add_loop_test(tc, test_text, 0, ARRAY_LEN(TEXT));
    tcase_add_loop_test(tc, test_math, 0, ARRAY_LEN(MATH));
    tcase_add_test(tc, test_verbatim);
    tcase_add_test(tc, test_verbatim_quotes_are_straight);
    tcase_add_test(tc, test_truncated_utf8_stays_in_bounds);
    tcase_add_loop_test(tc, test_prose, 0, ARRAY_LEN(PROSE));
    tcase_add_loop_test(tc, test_chapter_output_is_ascii_and_translated, 0, n_chapters);
    tcase_add_loop_test(tc, test_charts_in_decks_and_notes, 0, n_chapters);
    suite_add_tcase(s, tc);
    if (!heavy_checks_enabled("latex", "the pdflatex compiles of every chapter, deck and notes")) return s;
    TCase *pdf = tcase_create("pdflatex");
    tcase_set_timeout(pdf, 300);
    tcase_add_loop_test(pdf, test_chapter_latex_compiles, 0, n_chapters);
    tcase_add_loop_test(pdf, test_chapter_beamer_compiles, 0, n_chapters);
    tcase_add_test(pdf, test_wide_input_compiles);
    tcase_add_test(pdf, test_diverging_run_fits_the_page);
    tcase_add_test(pdf, test_beamer_preamble_can_be_changed);
    suite_add_tcase(s, pdf);
    return s;
}
