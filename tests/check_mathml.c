// LaTeX to MathML: each construct the chapters use, against MathML written
// out by hand; what is outside the subset is refused with nothing written.
#include <check.h>
#include <string.h>

#include "arraylen.h"
#include "mathml.h"

typedef struct {
    const char *latex, *mathml;
} Case;

static const Case CASES[] = {
    {"x", "<mrow><mi>x</mi></mrow>"},
    {"12.5", "<mrow><mn>12.5</mn></mrow>"},
    {"a - b", "<mrow><mi>a</mi><mo>−</mo><mi>b</mi></mrow>"},
    {"x_i^2", "<mrow><msubsup><mrow><mi>x</mi></mrow><mrow><mi>i</mi></mrow><mrow><mn>2</mn></mrow></msubsup></mrow>"},
    {"W_{ij}", "<mrow><msub><mrow><mi>W</mi></mrow><mrow><mi>i</mi><mi>j</mi></mrow></msub></mrow>"},
    {"\\frac{a}{b}", "<mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac></mrow>"},
    {"\\hat{y}", "<mrow><mover accent=\"true\"><mrow><mi>y</mi></mrow><mo>^</mo></mover></mrow>"},
    {"\\sigma(z)", "<mrow><mi>σ</mi><mo stretchy=\"false\">(</mo><mi>z</mi><mo stretchy=\"false\">)</mo></mrow>"},
    {"\\sum_i", "<mrow><munder><mrow><mo largeop=\"true\" movablelimits=\"true\">∑</mo></mrow><mrow><mi>i</mi>"
                "</mrow></munder></mrow>"},
    {"X \\star K", "<mrow><mi>X</mi><mo>⋆</mo><mi>K</mi></mrow>"},
    {"\\mathrm{rot180}", "<mrow><mi mathvariant=\"normal\">rot180</mi></mrow>"},
    {"\\text{if } a", "<mrow><mtext>if </mtext><mi>a</mi></mrow>"},
    {"\\left( a \\right)", "<mrow><mo>(</mo><mi>a</mi><mo>)</mo></mrow>"},
    {"a \\quad b", "<mrow><mi>a</mi><mspace width=\"1em\"/><mi>b</mi></mrow>"},
    {"\\log x", "<mrow><mi>log</mi><mi>x</mi></mrow>"},
    {"a < b", "<mrow><mi>a</mi><mo>&lt;</mo><mi>b</mi></mrow>"},
    {"\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}",
     "<mrow><mrow><mo>[</mo><mtable><mtr><mtd><mn>1</mn></mtd><mtd><mn>2</mn></mtd></mtr><mtr><mtd><mn>3</mn>"
     "</mtd><mtd><mn>4</mn></mtd></mtr></mtable><mo>]</mo></mrow></mrow>"},
    {"a \\\\ b", "<mtable columnalign=\"right left\"><mtr><mtd><mi>a</mi></mtd></mtr><mtr><mtd><mi>b</mi></mtd>"
                 "</mtr></mtable>"},
};

static const char *const REFUSED[] = {"\\unknowncommand", "x^{2", "a}", "x_1_2", "^2", "\\frac{a}",
                                      "\\begin{tabular}x\\end{tabular}"};

START_TEST(test_translates) {
    StrBuf b = {0};
    ck_assert_msg(latex_to_mathml(&b, CASES[_i].latex), "refused: %s", CASES[_i].latex);
    ck_assert_str_eq(sb_str(&b), CASES[_i].mathml);
    sb_free(&b);
}
END_TEST

START_TEST(test_refuses_and_writes_nothing) {
    StrBuf b = {0};
    sb_puts(&b, "kept");
    ck_assert_msg(!latex_to_mathml(&b, REFUSED[_i]), "accepted: %s", REFUSED[_i]);
    ck_assert_str_eq(sb_str(&b), "kept");
    sb_free(&b);
}
END_TEST

START_TEST(test_deep_nesting_is_refused_not_a_crash) {
    char deep[4096];
    size_t n = 0;
    for (int k = 0; k < 1000; k++) deep[n++] = '{';
    deep[n++] = 'x';
    for (int k = 0; k < 1000; k++) deep[n++] = '}';
    deep[n] = '\0';
    StrBuf b = {0};
    ck_assert(!latex_to_mathml(&b, deep));
    sb_free(&b);
}
END_TEST

START_TEST(test_xml_escape) {
    StrBuf b = {0};
    xml_escape(&b, "a<b & \"c\">");
    ck_assert_str_eq(sb_str(&b), "a&lt;b &amp; &quot;c&quot;&gt;");
    sb_free(&b);
}
END_TEST

Suite *make_mathml_suite(void) {
    Suite *s = suite_create("mathml");
    TCase *tc = tcase_create("mathml");
    tcase_add_loop_test(tc, test_translates, 0, ARRAY_LEN(CASES));
    tcase_add_loop_test(tc, test_refuses_and_writes_nothing, 0, ARRAY_LEN(REFUSED));
    tcase_add_test(tc, test_deep_nesting_is_refused_not_a_crash);
    tcase_add_test(tc, test_xml_escape);
    suite_add_tcase(s, tc);
    return s;
}
