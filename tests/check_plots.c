// The plot terminals (plots/render.sh, what `make plots` runs), as processes:
// the text terminal prints every plot into a redirected stdout (not just the
// last one), a run lists only the images it wrote, an unknown PLOT_TERM is an
// error naming the choices, the scripts run from any directory, and SVG
// heatmaps embed no bitmap a viewer would smooth. Without gnuplot every test
// says it is skipped and passes.
#include <check.h>
#include <math.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif

// The text terminal's width, as for every text the workbook prints.
enum { MAX_COLUMNS = 80 };

static bool have_gnuplot(void) {
    ProcResult r = run_shell("command -v gnuplot", NULL);
    bool ok = r.status == 0;
    proc_free(&r);
    if (!ok) fprintf(stderr, "check_plots: SKIPPED: gnuplot is not installed (sudo apt-get install gnuplot-nox)\n");
    return ok;
}

static void make_scratch(char *dir, size_t size) {
    snprintf(dir, size, "/tmp/check_plots.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_scratch(const char *dir) {
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ProcResult r = run_shell(cmd, NULL);
    proc_free(&r);
}

static ProcResult render(const char *term, const char *dir) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "sh plots/render.sh '%s' '%s' '%s'", term, BUILD_DIR, dir);
    return run_shell(cmd, NULL);
}

// plots/chapterN.gp files (N all digits): each draws at least one plot.
static int count_chapter_scripts(void) {
    DIR *d = opendir("plots");
    ck_assert_ptr_nonnull(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        const char *s = e->d_name;
        if (strncmp(s, "chapter", 7) != 0) continue;
        size_t digits = strspn(s + 7, "0123456789");
        if (digits > 0 && strcmp(s + 7 + digits, ".gp") == 0) n++;
    }
    closedir(d);
    return n;
}

// The "== NAME" headers of a dumb run, as "NAME\n" lines; and each section
// must hold a drawn frame, no form feed, and no line over MAX_COLUMNS.
static char *dumb_names(const char *out) {
    size_t cap = strlen(out) + 1, len = 0;
    char *names = calloc(cap, 1);
    ck_assert_ptr_nonnull(names);
    ck_assert_msg(strchr(out, '\f') == NULL, "the text plots contain a form feed");
    int frames = 0, sections = 0;
    for (const char *line = out; *line;) {
        size_t n = strcspn(line, "\n");
        if (strncmp(line, "== ", 3) == 0) {
            ck_assert_msg(sections == frames, "a plot before '%.*s' draws no frame", (int)n, line);
            sections++;
            len += (size_t)snprintf(names + len, cap - len, "%.*s\n", (int)(n - 3), line + 3);
        } else if (strstr(line, "+----") && strstr(line, "+----") < line + n && frames < sections) {
            frames++;
        }
        int columns = 0;
        for (size_t k = 0; k < n; k++) columns += ((unsigned char)line[k] & 0xC0) != 0x80;
        ck_assert_msg(columns <= MAX_COLUMNS, "a text plot line is %d columns wide: %.*s", columns, (int)n, line);
        line += n + (line[n] == '\n');
    }
    ck_assert_msg(sections == frames, "the last text plot draws no frame");
    return names;
}

// The image paths a png/svg run lists, as "NAME\n" lines (directory and
// extension removed); every one must end in ext.
static char *listed_names(const char *out, const char *ext) {
    size_t cap = strlen(out) + 1, len = 0;
    char *names = calloc(cap, 1);
    ck_assert_ptr_nonnull(names);
    for (const char *line = out; *line;) {
        size_t n = strcspn(line, "\n");
        const char *base = line;
        for (size_t k = 0; k < n; k++)
            if (line[k] == '/') base = line + k + 1;
        size_t base_len = (size_t)(line + n - base), ext_len = strlen(ext);
        ck_assert_msg(base_len > ext_len && strncmp(base + base_len - ext_len, ext, ext_len) == 0,
                      "the %s run lists '%.*s'", ext, (int)n, line);
        len += (size_t)snprintf(names + len, cap - len, "%.*s\n", (int)(base_len - ext_len), base);
        line += n + (line[n] == '\n');
    }
    return names;
}

static int count_lines_of(const char *s) { return count_lines(s); }

// PLOT_TERM=dumb prints every plot into a redirected stdout; a PNG run into
// the same directory afterwards lists exactly the same plots, as PNGs only.
START_TEST(test_dumb_prints_every_plot) {
    if (!have_gnuplot()) return;
    char dir[64];
    make_scratch(dir, sizeof dir);
    ProcResult dumb = render("dumb", dir);
    ck_assert_msg(dumb.status == 0, "render.sh dumb exited %d: %s", dumb.status, dumb.err);
    char *from_dumb = dumb_names(dumb.out);
    int plots = count_lines_of(from_dumb), scripts = count_chapter_scripts();
    ck_assert_msg(plots >= scripts, "%d text plots for %d chapter scripts:\n%s", plots, scripts, from_dumb);
    ProcResult png = render("png", dir);
    ck_assert_msg(png.status == 0, "render.sh png exited %d: %s", png.status, png.err);
    char *from_png = listed_names(png.out, ".png");
    ck_assert_msg(strcmp(from_dumb, from_png) == 0, "text plots:\n%s\nPNG images:\n%s", from_dumb, from_png);
    free(from_dumb);
    free(from_png);
    proc_free(&dumb);
    proc_free(&png);
    remove_scratch(dir);
}
END_TEST

// An unknown terminal is an error naming the choices, from make's script
// and from a chapter script run by hand.
START_TEST(test_unknown_term_is_an_error) {
    if (!have_gnuplot()) return;
    char dir[64];
    make_scratch(dir, sizeof dir);
    ProcResult r = render("pdfx", dir);
    ck_assert_int_eq(r.status, 2);
    ck_assert_msg(r.out_len == 0, "stdout: %s", r.out);
    ck_assert_msg(strstr(r.err, "'pdfx'") && strstr(r.err, "png, svg, pdf, dumb"), "stderr: %s", r.err);
    proc_free(&r);
    char root[PATH_MAX], cmd[PATH_MAX + 128];
    ck_assert_ptr_nonnull(getcwd(root, sizeof root));
    snprintf(cmd, sizeof cmd, "gnuplot -e \"term='pdfx'; out='%s'\" '%s/plots/chapter0.gp'", dir, root);
    r = run_shell(cmd, dir);
    ck_assert_msg(r.status != 0, "gnuplot accepted term='pdfx'");
    ck_assert_msg(strstr(r.err, "png, svg, pdf, dumb"), "stderr: %s", r.err);
    proc_free(&r);
    remove_scratch(dir);
}
END_TEST

// Every chapter script runs from another directory, given its data.
START_TEST(test_scripts_run_from_any_directory) {
    if (!have_gnuplot()) return;
    char dir[64];
    make_scratch(dir, sizeof dir);
    ProcResult r = render("dumb", dir);
    ck_assert_int_eq(r.status, 0);
    proc_free(&r);
    char root[PATH_MAX], cmd[PATH_MAX * 2 + 256];
    ck_assert_ptr_nonnull(getcwd(root, sizeof root));
    snprintf(cmd, sizeof cmd,
             "mkdir -p again && for gp in '%s'/plots/chapter[0-9]*.gp; do "
             "gnuplot -e \"term='dumb'; data='%s/data'; out='%s/again'\" \"$gp\" || exit 1; done; "
             "ls again | wc -l",
             root, dir, dir);
    r = run_shell(cmd, dir);
    ck_assert_msg(r.status == 0, "a script failed outside the repository: %s", r.err);
    ck_assert_int_ge(atoi(r.out), count_chapter_scripts());
    proc_free(&r);
    remove_scratch(dir);
}
END_TEST

// No SVG embeds a bitmap that a viewer may smooth: heatmap cells are vector
// rectangles, or a bitmap is drawn pixelated.
START_TEST(test_svg_heatmaps_are_crisp) {
    if (!have_gnuplot()) return;
    char dir[64];
    make_scratch(dir, sizeof dir);
    ProcResult r = render("svg", dir);
    ck_assert_msg(r.status == 0, "render.sh svg exited %d: %s", r.status, r.err);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "grep -o '<image [^>]*' '%s'/*.svg | grep -v pixelated | cut -c1-120", dir);
    ProcResult smooth = run_shell(cmd, NULL);
    ck_assert_msg(smooth.out_len == 0, "bitmaps a viewer will smooth:\n%s", smooth.out);
    proc_free(&smooth);
    proc_free(&r);
    remove_scratch(dir);
}
END_TEST

// The lines of the section "== name" of a dumb run, up to the next one.
static char *dumb_section(const char *out, const char *name) {
    char head[80];
    snprintf(head, sizeof head, "== %s\n", name);
    const char *from = strstr(out, head);
    ck_assert_msg(from != NULL, "no text plot %s", name);
    const char *to = strstr(from + strlen(head), "\n== ");
    size_t n = to ? (size_t)(to - from) : strlen(from);
    char *s = malloc(n + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, from, n);
    s[n] = '\0';
    return s;
}

// True when some line of s holds the words of want, in order, separated by
// spaces only.
static bool has_row(const char *s, const char *want) {
    for (const char *line = s; *line;) {
        size_t n = strcspn(line, "\n");
        char buf[256], squeezed[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(n < 255 ? n : 255), line);
        size_t k = 0;
        for (const char *c = buf; *c && k + 1 < sizeof squeezed; c++)
            if (*c != ' ' || (k && squeezed[k - 1] != ' ')) squeezed[k++] = *c;
        squeezed[k] = '\0';
        if (strstr(squeezed, want)) return true;
        line += n + (line[n] == '\n');
    }
    return false;
}

// The text terminal keeps every cell's number, the cells inside the outlined
// window included: X = [8 9 2 7; 0 3 0 8; 8 8 9 9] and X ⋆ K = [23 14 25; ...]
// (chapter 1's running example, worked by hand in docs/chapter1.md).
START_TEST(test_dumb_keeps_numbers_under_the_window) {
    if (!have_gnuplot()) return;
    char dir[64];
    make_scratch(dir, sizeof dir);
    ProcResult dumb = render("dumb", dir);
    ck_assert_int_eq(dumb.status, 0);
    char *maps = dumb_section(dumb.out, "chapter1_maps");
    ck_assert_msg(has_row(maps, "| 8 9 2 7 |"), "row 0 of X lost numbers:\n%s", maps);
    ck_assert_msg(has_row(maps, "| 0 3 0 8 |"), "row 1 of X lost numbers:\n%s", maps);
    ck_assert_msg(has_row(maps, "| 23 14 25 |"), "row 0 of X * K lost numbers:\n%s", maps);
    free(maps);
    proc_free(&dumb);
    remove_scratch(dir);
}
END_TEST

// The SVG y of the text element showing text (gnuplot writes each text as
// <g transform="translate(x,y)" ...><text><tspan ...>text</tspan>).
static double svg_text_y(const char *svg, const char *text) {
    char want[160];
    snprintf(want, sizeof want, ">%s</tspan>", text);
    const char *at = strstr(svg, want);
    ck_assert_msg(at != NULL, "no text '%s' in the SVG", text);
    const char *t = NULL;
    for (const char *p = svg; (p = strstr(p, "translate(")) != NULL && p < at; p++) t = p;
    ck_assert_ptr_nonnull(t);
    double x, y;
    ck_assert_int_eq(sscanf(t, "translate(%lf,%lf)", &x, &y), 2);
    return y;
}

// Chapter 3's legend does not share a line with the x label.
START_TEST(test_chapter3_legend_clear_of_the_x_label) {
    if (!have_gnuplot()) return;
    char dir[64], path[128];
    make_scratch(dir, sizeof dir);
    ProcResult svg = render("svg", dir);
    ck_assert_int_eq(svg.status, 0);
    snprintf(path, sizeof path, "%s/chapter3_descent.svg", dir);
    char *doc = read_file(path);
    ck_assert_ptr_nonnull(doc);
    double label = svg_text_y(doc, "step η");
    const char *keys[] = {"L(θ − η g)", "first order: L − η‖g‖²", "bound: L − η‖g‖² + Mη²‖g‖²/2",
                          "overshoot: L above L(0)"};
    for (int k = 0; k < 4; k++) {
        double y = svg_text_y(doc, keys[k]);
        // two 14-px lines apart at least
        ck_assert_msg(fabs(y - label) > 28.0, "the key '%s' (y %.0f) is on the x label's line (y %.0f)", keys[k], y,
                      label);
    }
    free(doc);
    proc_free(&svg);
    remove_scratch(dir);
}
END_TEST

// The gallery's plot images (docs/instructors.md) are what `make plots`
// draws now, byte for byte; scripts/gallery.sh regenerates them.
START_TEST(test_gallery_is_current) {
    if (!have_gnuplot()) return;
    char dir[64], cmd[512];
    make_scratch(dir, sizeof dir);
    ProcResult png = render("png", dir);
    ck_assert_int_eq(png.status, 0);
    const char *names[] = {"chapter0_error", "chapter4_overlap", "chapter6_kernels"};
    for (int k = 0; k < 3; k++) {
        snprintf(cmd, sizeof cmd, "cmp -s '%s/%s.png' 'plots/gallery/%s.png'", dir, names[k], names[k]);
        ProcResult c = run_shell(cmd, NULL);
        ck_assert_msg(c.status == 0, "plots/gallery/%s.png is stale: run sh scripts/gallery.sh", names[k]);
        proc_free(&c);
    }
    proc_free(&png);
    remove_scratch(dir);
}
END_TEST

Suite *make_plots_suite(void) {
    Suite *s = suite_create("plots");
    TCase *tc = tcase_create("plots");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_unknown_term_is_an_error);
    suite_add_tcase(s, tc);
    if (!heavy_checks_enabled("plots", "the gnuplot renders of every script")) return s;
    tc = tcase_create("gnuplot");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_dumb_prints_every_plot);
    tcase_add_test(tc, test_scripts_run_from_any_directory);
    tcase_add_test(tc, test_svg_heatmaps_are_crisp);
    tcase_add_test(tc, test_dumb_keeps_numbers_under_the_window);
    tcase_add_test(tc, test_chapter3_legend_clear_of_the_x_label);
    tcase_add_test(tc, test_gallery_is_current);
    suite_add_tcase(s, tc);
    return s;
}
