// The growable string (src/core/strbuf.c) and the terminal width of UTF-8 text.
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "strbuf.h"

START_TEST(test_empty_buffer_reads_as_empty_string) {
    StrBuf b = {0};
    ck_assert_str_eq(sb_str(&b), "");
    sb_clear(&b); // clearing a buffer that never grew is harmless
    ck_assert_str_eq(sb_str(&b), "");
    sb_free(&b);
}
END_TEST

START_TEST(test_append_in_order) {
    StrBuf b = {0};
    sb_puts(&b, "x = ");
    sb_printf(&b, "%d/%s", 42, "y");
    sb_putc(&b, '!');
    ck_assert_str_eq(sb_str(&b), "x = 42/y!");
    ck_assert_uint_eq(b.len, 9);
    sb_clear(&b);
    ck_assert_str_eq(sb_str(&b), "");
    ck_assert_uint_eq(b.len, 0);
    sb_puts(&b, "again");
    ck_assert_str_eq(sb_str(&b), "again");
    sb_free(&b);
    ck_assert_ptr_null(b.s);
    ck_assert_uint_eq(b.len + b.cap, 0);
}
END_TEST

// Growth far past the first block keeps every byte: 3000 "ab" pairs by
// sb_puts, 1000 formatted numbers, 1000 single characters.
START_TEST(test_growth_keeps_content) {
    StrBuf b = {0};
    for (int k = 0; k < 3000; k++) sb_puts(&b, "ab");
    for (int k = 0; k < 1000; k++) sb_printf(&b, "%03d", k);
    for (int k = 0; k < 1000; k++) sb_putc(&b, (char)('a' + k % 26));
    ck_assert_uint_eq(b.len, 6000 + 3000 + 1000);
    ck_assert_uint_eq(strlen(sb_str(&b)), b.len);
    ck_assert_int_eq(strncmp(b.s + 5998, "ab000001", 8), 0);
    ck_assert_int_eq(strncmp(b.s + 6000 + 3 * 999, "999", 3), 0);
    ck_assert_int_eq(b.s[9000 + 27], 'b');
    sb_free(&b);
}
END_TEST

// One long printf bigger than any earlier capacity.
START_TEST(test_printf_larger_than_capacity) {
    StrBuf b = {0};
    char big[5000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    sb_printf(&b, "<%s>", big);
    ck_assert_uint_eq(b.len, 5001);
    ck_assert_int_eq(b.s[0], '<');
    ck_assert_int_eq(b.s[5000], '>');
    ck_assert_int_eq(b.s[5001], '\0');
    sb_free(&b);
}
END_TEST

typedef struct {
    const char *s;
    size_t width;
} WidthCase;

// One column per code point: ∂ (3 bytes), ŷ (2 bytes), 😀 (4 bytes).
static const WidthCase WIDTHS[] = {
    {"", 0},          {"abc", 3},           {"∂L/∂ŷ", 5},      {"X ⋆ K", 5},
    {"é", 1},         {"rot180(K) =", 11},  {"😀!", 2},          {"Σ_m Σ_n", 7},
};

START_TEST(test_utf8_width) {
    ck_assert_uint_eq(utf8_width(WIDTHS[_i].s), WIDTHS[_i].width);
}
END_TEST

static const struct {
    const char *s;
    bool quotes;
    size_t len;
} UNITS[] = {
    {"word rest", false, 4},
    {"[29 35] rest", false, 7},          // a vector literal is one unit
    {"[[1 2] [3 4]], x", false, 14},    // nested brackets, and the comma after
    {"\"1 2; 3\" x", true, 8},          // a quoted literal, in a command line
    {"\"1 2; 3\" x", false, 2},         // prose quotes are not glued
    {"[unclosed bracket", false, 9},    // an unclosed bracket glues nothing
    {"a\nb", false, 1},                 // a newline ends a unit
    {"", false, 0},
};

START_TEST(test_wrap_unit_len) {
    ck_assert_uint_eq(wrap_unit_len(UNITS[_i].s, UNITS[_i].quotes), UNITS[_i].len);
}
END_TEST

START_TEST(test_utf8_width_n) {
    ck_assert_uint_eq(utf8_width_n("∂L/∂x", 4), 2);   // "∂L": 4 bytes
    ck_assert_uint_eq(utf8_width_n("ab", 10), 2);     // stops at the NUL
    ck_assert_uint_eq(utf8_width_n("abc", 0), 0);
}
END_TEST

Suite *make_strbuf_suite(void) {
    Suite *s = suite_create("strbuf");
    TCase *tc = tcase_create("strbuf");
    tcase_add_test(tc, test_empty_buffer_reads_as_empty_string);
    tcase_add_test(tc, test_append_in_order);
    tcase_add_test(tc, test_growth_keeps_content);
    tcase_add_test(tc, test_printf_larger_than_capacity);
    tcase_add_loop_test(tc, test_utf8_width, 0, (int)(sizeof WIDTHS / sizeof *WIDTHS));
    tcase_add_loop_test(tc, test_wrap_unit_len, 0, (int)(sizeof UNITS / sizeof *UNITS));
    tcase_add_test(tc, test_utf8_width_n);
    suite_add_tcase(s, tc);
    return s;
}
