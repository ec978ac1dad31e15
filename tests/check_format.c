// The format table (src/report/format.h): every backend complete and named as
// --format names it, the summary layout shared by text and LaTeX, and which
// table cells JSON writes as numbers.
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "arraylen.h"
#include "format.h"
#include "report.h"

// A backend with a missing member would crash on the first element of that
// kind; the compiler cannot see it in a designated initializer, this can.
START_TEST(test_every_backend_complete) {
    const FormatBackend *b = format_backend((Format)_i);
    ck_assert_ptr_nonnull(b);
    ck_assert_str_eq(b->name, format_name((Format)_i));
    ck_assert(b->begin && b->finish && b->heading && b->paragraph && b->equation && b->verbatim);
    ck_assert(b->matrix && b->scalar && b->member && b->table && b->verdict && b->curves);
}
END_TEST

START_TEST(test_format_out_of_range) {
    ck_assert_ptr_null(format_backend(FORMAT_COUNT));
    ck_assert_ptr_null(format_name(FORMAT_COUNT));
    ck_assert_str_eq(format_name(FORMAT_TEXT), "text");
    ck_assert_str_eq(format_name(FORMAT_JSON), "json");
}
END_TEST

typedef struct {
    int h, w, entry_width;
    bool full;
    int rows, cols, row_edge, col_edge;
} LayoutCase;

// Width 78 less a 2-column indent and "[ ]": (78 − 2 − 3) / (width + 1)
// entries fit, e.g. 36 of width 1, 6 of width 11.
static const LayoutCase LAYOUT[] = {
    {3, 16, 1, false, 3, 16, 0, 0},   // at the threshold: in full
    {3, 17, 1, false, 3, 7, 0, 3},    // one more column: 3 … 3
    {17, 2, 1, false, 7, 2, 3, 0},    // one more row
    {8, 8, 11, false, 8, 5, 0, 2},    // 8 wide entries do not fit: 2 … 2
    {8, 6, 11, false, 8, 6, 0, 0},    // 6 of them do
    {40, 40, 1, true, 40, 40, 0, 0},  // --full-matrices
    {1, 3, 30, false, 1, 3, 0, 0},    // nothing to leave out of 3
};

START_TEST(test_matrix_layout) {
    const LayoutCase *c = &LAYOUT[_i];
    Tensor t = tensor_alloc(1, c->h, c->w);
    MatrixLayout m = matrix_layout(&t, c->entry_width, 2, c->full);
    ck_assert_int_eq(m.rows, c->rows);
    ck_assert_int_eq(m.cols, c->cols);
    ck_assert_int_eq(m.row_edge, c->row_edge);
    ck_assert_int_eq(m.col_edge, c->col_edge);
    tensor_free(&t);
}
END_TEST

START_TEST(test_layout_index) {
    // 10 entries, edge 3: 0 1 2 … 7 8 9
    const int want[] = {0, 1, 2, -1, 7, 8, 9};
    for (int k = 0; k < ARRAY_LEN(want); k++) ck_assert_int_eq(matrix_layout_index(k, 3, 10), want[k]);
    ck_assert_int_eq(matrix_layout_index(5, 0, 10), 5);
}
END_TEST

static const struct {
    const char *cell;
    bool number;
} CELLS[] = {
    {"0", true},      {"-1.5e-07", true}, {"1e+300", true}, {"12", true},  {"0.0e+00", true},
    {"007", false},   {".5", false},      {"1.", false},    {"+1", false}, {"1e", false},
    {"ok", false},    {"", false},        {"nan", false},   {"inf", false}, {"1 (exact)", false},
    {"-", false},     {"(1,2)", false},
};

START_TEST(test_cell_is_number) {
    ck_assert_msg(cell_is_number(CELLS[_i].cell) == CELLS[_i].number, "'%s'", CELLS[_i].cell);
}
END_TEST

// The widest entry, counted without formatting for small integers, is the
// widest "%.6g" printf gives (the independent count): each value alone and
// next to 0, at the edges of the integer shortcut (999999 and 1e6, which
// prints as 1e+06), with signs, -0, fractions and big or tiny magnitudes.
static const double WIDTH_VALUES[] = {0,       -0.0,    7,       -7,       10,      -10,     99,     100,
                                      123456,  -123456, 999999,  -999999,  1e6,     -1e6,    1e6 + 1, 1234567,
                                      0.5,     -2.5,    1e-7,    -3.25e-5, 1e300,   -1e300,  1e-300,  2.0 / 3,
                                      999999.5, 12345.5, 1e15,   -4096};

START_TEST(test_entry_width_is_printf_width) {
    double v[2] = {0, WIDTH_VALUES[_i]};
    Tensor t = tensor_view(v, 1, 1, 2);
    char num[40];
    snprintf(num, sizeof num, "%.6g", WIDTH_VALUES[_i] == 0 ? 0.0 : WIDTH_VALUES[_i]);
    int want = (int)strlen(num);
    ck_assert_msg(matrix_entry_width(&t, 0, "v") == want, "%.17g: width %d, printf '%s'", WIDTH_VALUES[_i],
                  matrix_entry_width(&t, 0, "v"), num);
}
END_TEST

Suite *make_format_suite(void) {
    Suite *s = suite_create("format");
    TCase *tc = tcase_create("format");
    tcase_add_loop_test(tc, test_every_backend_complete, 0, FORMAT_COUNT);
    tcase_add_test(tc, test_format_out_of_range);
    tcase_add_loop_test(tc, test_matrix_layout, 0, ARRAY_LEN(LAYOUT));
    tcase_add_test(tc, test_layout_index);
    tcase_add_loop_test(tc, test_cell_is_number, 0, ARRAY_LEN(CELLS));
    tcase_add_loop_test(tc, test_entry_width_is_printf_width, 0, ARRAY_LEN(WIDTH_VALUES));
    suite_add_tcase(s, tc);
    return s;
}
