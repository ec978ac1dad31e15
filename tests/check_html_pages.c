// The HTML pages as a reader moves through them: every chapter page links
// the contents, its neighbours and its own sections; every heatmap label
// reaches WCAG 2's 4.5:1 contrast on its cell (computed here from the WCAG
// formula, independently of src/report/svg.c).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "svg.h"

#define MAX_CHAPTERS 16
// WCAG 2.1 success criterion 1.4.3: normal-size text.
#define WCAG_TEXT_CONTRAST 4.5

static int chapters[MAX_CHAPTERS];
static int n_chapters;

static bool has_chapter(int n) {
    for (int k = 0; k < n_chapters; k++)
        if (chapters[k] == n) return true;
    return false;
}

static int count_str(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

START_TEST(test_navigation_links) {
    int n = chapters[_i];
    char program[32], link[96];
    snprintf(program, sizeof program, "chapter%d", n);
    const char *args[] = {"--format", "html", NULL};
    ProcResult p = run_chapter(program, args);
    ck_assert_int_eq(p.status, 0);
    // the bar at the top and again at the bottom
    ck_assert_int_eq(count_str(p.out, "<a href=\"index.html\">Contents</a>"), 2);
    snprintf(link, sizeof link, "<a rel=\"prev\" href=\"chapter%d.html\">", n - 1);
    ck_assert_int_eq(count_str(p.out, link), has_chapter(n - 1) ? 2 : 0);
    snprintf(link, sizeof link, "<a rel=\"next\" href=\"chapter%d.html\">", n + 1);
    ck_assert_int_eq(count_str(p.out, link), has_chapter(n + 1) ? 2 : 0);
    // one contents entry per section, each pointing at a heading that exists
    ck_assert_int_gt(count_str(p.out, "<h2 id=\"sec-"), 0);
    ck_assert_int_eq(count_str(p.out, "<li><a href=\"#sec-"), count_str(p.out, "<h2 id=\"sec-"));
    for (const char *a = strstr(p.out, "<li><a href=\"#"); a; a = strstr(a + 1, "<li><a href=\"#")) {
        const char *id = a + 14, *end = strchr(id, '"');
        char target[80];
        snprintf(target, sizeof target, "<h2 id=\"%.*s\">", (int)(end - id), id);
        ck_assert_msg(strstr(p.out, target), "%s: the contents link #%.*s has no heading", program,
                      (int)(end - id), id);
    }
    proc_free(&p);
}
END_TEST

// WCAG 2 relative luminance and contrast ratio, from the definition.
static double linear(unsigned c) {
    double s = c / 255.0;
    return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
}

static double wcag_contrast(const char *a, const char *b) {
    unsigned ra, ga, ba, rb, gb, bb;
    ck_assert_int_eq(sscanf(a, "#%2x%2x%2x", &ra, &ga, &ba), 3);
    ck_assert_int_eq(sscanf(b, "#%2x%2x%2x", &rb, &gb, &bb), 3);
    double la = 0.2126 * linear(ra) + 0.7152 * linear(ga) + 0.0722 * linear(ba);
    double lb = 0.2126 * linear(rb) + 0.7152 * linear(gb) + 0.0722 * linear(bb);
    return (fmax(la, lb) + 0.05) / (fmin(la, lb) + 0.05);
}

// Every label of every heatmap on the page, against the cell it sits on:
// a cell is <rect ... fill="#..."/> and its label the <text ... fill="#...">
// right after it.
START_TEST(test_heatmap_labels_contrast) {
    char program[32];
    snprintf(program, sizeof program, "chapter%d", chapters[_i]);
    const char *args[] = {"--format", "html", NULL};
    ProcResult p = run_chapter(program, args);
    int labels = 0;
    for (const char *r = strstr(p.out, "<rect "); r; r = strstr(r + 1, "<rect ")) {
        const char *close = strstr(r, "/>"), *fill = strstr(r, "fill=\"#");
        if (!close || !fill || fill > close || strncmp(close + 2, "<text ", 6) != 0) continue;
        const char *text_fill = strstr(close, "fill=\"#");
        char cell[8], ink[8];
        snprintf(cell, sizeof cell, "%.7s", fill + 6);
        snprintf(ink, sizeof ink, "%.7s", text_fill + 6);
        double c = wcag_contrast(cell, ink);
        ck_assert_msg(c >= WCAG_TEXT_CONTRAST, "%s: a label %s on %s has contrast %.2f:1", program, ink, cell, c);
        labels++;
    }
    if (strstr(p.out, "class=\"heatmap\"")) ck_assert_int_gt(labels, 0);
    proc_free(&p);
}
END_TEST

// Across the whole diverging scale, both signs, the label colour reaches 4.5:1.
START_TEST(test_label_colour_over_the_scale) {
    for (int k = -200; k <= 200; k++) {
        char fill[8];
        svg_diverging_colour(fill, k / 200.0, 1.0);
        const char *ink = svg_label_colour(fill);
        ck_assert_msg(wcag_contrast(fill, ink) >= WCAG_TEXT_CONTRAST, "%s on %s: %.2f:1", ink, fill,
                      wcag_contrast(fill, ink));
        ck_assert_double_eq_tol(svg_contrast_ratio(fill, ink), wcag_contrast(fill, ink), 1e-9);
    }
}
END_TEST

Suite *make_html_pages_suite(void) {
    n_chapters = chapter_numbers(chapters, MAX_CHAPTERS);
    Suite *s = suite_create("html_pages");
    TCase *tc = tcase_create("html_pages");
    tcase_add_loop_test(tc, test_navigation_links, 0, n_chapters);
    tcase_add_loop_test(tc, test_heatmap_labels_contrast, 0, n_chapters);
    tcase_add_test(tc, test_label_colour_over_the_scale);
    suite_add_tcase(s, tc);
    return s;
}
