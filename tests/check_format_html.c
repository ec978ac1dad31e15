// --format html: every chapter writes one self-contained page (nothing
// loaded from outside, no script), every equation translated to MathML
// (no plain-text fallback), verdicts stated in words; and the heatmap
// colours mean one thing: white 0, red positive, blue negative.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "svg.h"

#ifndef CHAPTER_LIST
#define CHAPTER_LIST ""
#endif

static int count(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p++) n++;
    return n;
}

START_TEST(test_every_chapter_is_one_self_contained_page) {
    const char *p = CHAPTER_LIST;
    int chapters = 0;
    while (*p) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p) break;
        p = end;
        char program[32];
        snprintf(program, sizeof program, "chapter%ld", n);
        const char *args[] = {"--format", "html", NULL};
        ProcResult r = run_chapter(program, args);
        ck_assert_msg(r.status == 0, "%s --format html exited %d: %s", program, r.status, r.err);
        ck_assert_msg(strncmp(r.out, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0, "%s: no HTML5 start", program);
        ck_assert_msg(r.out_len > 8 && strcmp(r.out + r.out_len - 8, "</html>\n") == 0, "%s: no end", program);
        ck_assert_int_eq(count(r.out, "<h1>"), 1);
        ck_assert_int_eq(count(r.out, "<script"), 0);
        ck_assert_int_eq(count(r.out, "http://") + count(r.out, "https://") + count(r.out, " src="), 0);
        ck_assert_msg(count(r.out, "class=\"fallback\"") == 0, "%s: an equation was not translated", program);
        ck_assert_int_gt(count(r.out, "<span class=\"word\">PASS</span>"), 0);
        ck_assert_int_gt(count(r.out, "<math display=\"block\">"), 0);
        proc_free(&r);
        chapters++;
    }
    ck_assert_int_gt(chapters, 0);
}
END_TEST

START_TEST(test_a_failing_check_says_fail_in_words) {
    const char *args[] = {"--format", "html", "--bug", "no-rot180", NULL};
    ProcResult r = run_chapter("chapter1", args);
    ck_assert_int_eq(r.status, 1);
    ck_assert_ptr_nonnull(strstr(r.out, "<p class=\"verdict fail\">"));
    ck_assert_ptr_nonnull(strstr(r.out, "<span class=\"word\">FAIL</span>"));
    proc_free(&r);
}
END_TEST

START_TEST(test_diverging_colours) {
    char c[8];
    svg_diverging_colour(c, 0.0, 1.0);
    ck_assert_str_eq(c, "#ffffff");
    svg_diverging_colour(c, 1.0, 1.0);
    ck_assert_str_eq(c, "#b2182b"); // red
    svg_diverging_colour(c, -2.0, 2.0);
    ck_assert_str_eq(c, "#2166ac"); // blue
    svg_diverging_colour(c, 0.5, 1.0);
    ck_assert_str_eq(c, "#d98c95"); // halfway from white to red
}
END_TEST

START_TEST(test_heatmap_draws_every_cell_or_nothing) {
    double data[6] = {1, -2, 0, 3, 4, -5};
    Tensor t = tensor_view(data, 1, 2, 3);
    StrBuf b = {0};
    ck_assert(svg_heatmap(&b, &t, 0, "K <1>"));
    ck_assert_int_eq(count(sb_str(&b), "<rect "), 6 + 1); // the cells and the frame
    ck_assert_ptr_nonnull(strstr(sb_str(&b), "<title>K &lt;1&gt; (heatmap"));
    sb_free(&b);
    Tensor big = tensor_alloc(1, 100, 100);
    ck_assert(!svg_heatmap(&b, &big, 0, "big"));
    ck_assert_str_eq(sb_str(&b), "");
    tensor_free(&big);
    sb_free(&b);
}
END_TEST

START_TEST(test_curves_leave_out_what_a_log_axis_cannot_show) {
    const double x[] = {1e-8, 1e-4, 1e-1, 0.0}, y[] = {1e-3, 1e-9, -1.0, 1.0};
    SvgSeries s = {"central", x, y, 4};
    SvgAxes axes = {"error", "h", "abs error", true, true};
    StrBuf b = {0};
    ck_assert(svg_curves(&b, &axes, &s, 1));
    ck_assert_int_eq(count(sb_str(&b), "<circle "), 2); // (1e-1, −1) and (0, 1) cannot be drawn
    ck_assert_ptr_nonnull(strstr(sb_str(&b), ">1e-8</text>"));
    ck_assert_ptr_nonnull(strstr(sb_str(&b), ">central</text>"));
    sb_free(&b);
    const double bad[] = {-1.0, 0.0};
    SvgSeries none = {"none", bad, bad, 2};
    ck_assert(!svg_curves(&b, &axes, &none, 1));
    ck_assert_str_eq(sb_str(&b), "");
    sb_free(&b);
}
END_TEST

Suite *make_format_html_suite(void) {
    Suite *s = suite_create("format_html");
    TCase *tc = tcase_create("format_html");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_every_chapter_is_one_self_contained_page);
    tcase_add_test(tc, test_a_failing_check_says_fail_in_words);
    tcase_add_test(tc, test_diverging_colours);
    tcase_add_test(tc, test_heatmap_draws_every_cell_or_nothing);
    tcase_add_test(tc, test_curves_leave_out_what_a_log_axis_cannot_show);
    suite_add_tcase(s, tc);
    return s;
}
