// UTF-8 prose and labels into plain-ASCII LaTeX (src/latex.c).
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "latex.h"

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

// Every output above is plain ASCII: what pdflatex needs without inputenc.
START_TEST(test_output_is_ascii) {
    StrBuf b = {0};
    for (size_t k = 0; k < sizeof TEXT / sizeof *TEXT; k++) latex_append_text(&b, TEXT[k].in);
    for (size_t k = 0; k < sizeof MATH / sizeof *MATH; k++) latex_append_math(&b, MATH[k].in);
    for (const char *p = sb_str(&b); *p; p++) ck_assert_int_lt((unsigned char)*p, 0x80);
    sb_free(&b);
}
END_TEST

Suite *make_latex_suite(void) {
    Suite *s = suite_create("latex");
    TCase *tc = tcase_create("latex");
    tcase_add_loop_test(tc, test_text, 0, (int)(sizeof TEXT / sizeof *TEXT));
    tcase_add_loop_test(tc, test_math, 0, (int)(sizeof MATH / sizeof *MATH));
    tcase_add_test(tc, test_verbatim);
    tcase_add_test(tc, test_truncated_utf8_stays_in_bounds);
    tcase_add_test(tc, test_output_is_ascii);
    suite_add_tcase(s, tc);
    return s;
}
