// The tensor type (src/core/tensor.c): layout, allocation, copies and rot180.
#include <check.h>
#include <math.h>
#include <string.h>

#include "proc.h"
#include "tensor.h"

START_TEST(test_alloc_is_zeroed_with_shape) {
    Tensor t = tensor_alloc(2, 3, 4);
    ck_assert_int_eq(t.c, 2);
    ck_assert_int_eq(t.h, 3);
    ck_assert_int_eq(t.w, 4);
    ck_assert_uint_eq(tensor_size(&t), 24);
    for (size_t k = 0; k < 24; k++) ck_assert_double_eq(t.data[k], 0.0);
    tensor_free(&t);
    ck_assert_ptr_null(t.data);
    ck_assert_int_eq(t.c + t.h + t.w, 0);
}
END_TEST

// Entry (c,i,j) lives at (c*H + i)*W + j: for a 2x3x4 tensor, (1,2,3) is
// (1*3 + 2)*4 + 3 = 23, the last one, and (0,1,0) is 4.
START_TEST(test_layout_row_major) {
    Tensor t = tensor_alloc(2, 3, 4);
    for (size_t k = 0; k < tensor_size(&t); k++) t.data[k] = (double)k;
    ck_assert_double_eq(*tensor_at(&t, 1, 2, 3), 23);
    ck_assert_double_eq(*tensor_at(&t, 0, 1, 0), 4);
    ck_assert_double_eq(*tensor_at(&t, 1, 0, 0), 12);
    ck_assert_ptr_eq(tensor_at(&t, 0, 0, 1), &t.data[1]);
    tensor_free(&t);
}
END_TEST

START_TEST(test_is_vector) {
    Tensor v = tensor_alloc(1, 1, 5), m = tensor_alloc(1, 2, 5), c = tensor_alloc(2, 1, 5);
    ck_assert(tensor_is_vector(&v));
    ck_assert(!tensor_is_vector(&m));
    ck_assert(!tensor_is_vector(&c));
    tensor_free(&v);
    tensor_free(&m);
    tensor_free(&c);
}
END_TEST

START_TEST(test_clone_copy_are_independent) {
    Tensor a = tensor_alloc(1, 2, 2);
    a.data[0] = 1.5;
    a.data[3] = -2;
    Tensor b = tensor_clone(&a);
    ck_assert(tensor_same_shape(&a, &b));
    ck_assert_ptr_ne(a.data, b.data);
    ck_assert_int_eq(memcmp(a.data, b.data, 4 * sizeof(double)), 0);
    b.data[0] = 9;
    ck_assert_double_eq(a.data[0], 1.5);
    Tensor c = tensor_alloc_like(&a);
    tensor_copy(&c, &b);
    ck_assert_double_eq(c.data[0], 9);
    ck_assert_double_eq(c.data[3], -2);
    tensor_zero(&c);
    for (int k = 0; k < 4; k++) ck_assert_double_eq(c.data[k], 0);
    tensor_free(&a);
    tensor_free(&b);
    tensor_free(&c);
}
END_TEST

START_TEST(test_view_wraps_without_copy) {
    double buf[6] = {1, 2, 3, 4, 5, 6};
    Tensor v = tensor_view(buf, 1, 2, 3);
    ck_assert_ptr_eq(v.data, buf);
    *tensor_at(&v, 0, 1, 2) = 60;
    ck_assert_double_eq(buf[5], 60);
}
END_TEST

START_TEST(test_same_shape) {
    double d[24] = {0};
    Tensor a = tensor_view(d, 1, 2, 3), b = tensor_view(d, 1, 3, 2), c = tensor_view(d, 2, 2, 3),
           e = tensor_view(d + 6, 1, 2, 3);
    ck_assert(tensor_same_shape(&a, &e));
    ck_assert(!tensor_same_shape(&a, &b)); // same size, other shape
    ck_assert(!tensor_same_shape(&a, &c));
}
END_TEST

START_TEST(test_all_finite) {
    double d[3] = {1, -1e308, 0};
    Tensor t = tensor_view(d, 1, 1, 3);
    ck_assert(tensor_all_finite(&t));
    d[2] = NAN;
    ck_assert(!tensor_all_finite(&t));
    d[2] = -INFINITY;
    ck_assert(!tensor_all_finite(&t));
    d[2] = 1e308 * 10.0; // overflows to +inf
    ck_assert(!tensor_all_finite(&t));
}
END_TEST

// rot180 of [1 2 3; 4 5 6] is [6 5 4; 3 2 1] (both axes reversed), per channel.
START_TEST(test_rot180) {
    double src[12] = {1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60};
    const double want[12] = {6, 5, 4, 3, 2, 1, 60, 50, 40, 30, 20, 10};
    double dst[12];
    Tensor s = tensor_view(src, 2, 2, 3), d = tensor_view(dst, 2, 2, 3);
    tensor_rot180(&d, &s);
    for (int k = 0; k < 12; k++) ck_assert_double_eq(dst[k], want[k]);
    // Rotating twice gives the original back.
    double again[12];
    Tensor a = tensor_view(again, 2, 2, 3);
    tensor_rot180(&a, &d);
    ck_assert_int_eq(memcmp(again, src, sizeof src), 0);
}
END_TEST

START_TEST(test_shape_str) {
    char buf[32];
    double d[1];
    Tensor m = tensor_view(d, 1, 2, 3), c = tensor_view(d, 4, 2, 3);
    tensor_shape_str(buf, sizeof buf, &m);
    ck_assert_str_eq(buf, "2x3");
    tensor_shape_str(buf, sizeof buf, &c);
    ck_assert_str_eq(buf, "4x2x3");
}
END_TEST

// Out-of-range shapes exit 2 with one error line, so callers never see NULL.
static const int BAD_SHAPES[][3] = {{0, 1, 1}, {1, 0, 1}, {1, 1, -3}, {1, TENSOR_MAX_SIDE + 1, 1}};

static int alloc_bad_shape(void *ctx) {
    const int *shape = ctx;
    Tensor t = tensor_alloc(shape[0], shape[1], shape[2]);
    tensor_free(&t);
    return 0;
}

START_TEST(test_alloc_bad_shape_exits_2) {
    Captured c = capture_run(alloc_bad_shape, (void *)BAD_SHAPES[_i]);
    ck_assert_usage_error(c, "error: ");
    ck_assert_ptr_nonnull(strstr(c.err, "out of range"));
    captured_free(&c);
}
END_TEST

// −10.95 for −10.9487: |Δ|/|exact| = 0.0013/10.9487 = 1.19e-4, so 3 digits
// agree (−log10 = 3.92); −10.9486794 against −10.94867943: 3e-8/10.95 =
// 2.7e-9, so 8 (−log10 = 8.56).
typedef struct {
    double typed, exact;
    int digits;
} DigitsCase;

static const DigitsCase DIGITS[] = {
    {-10.95, -10.94867943, 3}, {-10.9486794, -10.94867943, 8}, {2, 2, 17}, {1, 0, 0}, {-1, 1, 0}, {0.5, 1, 0},
};

START_TEST(test_significant_digits_agreeing) {
    const DigitsCase *c = &DIGITS[_i];
    ck_assert_int_eq(significant_digits_agreeing(c->typed, c->exact), c->digits);
}
END_TEST

// Values copied into a fresh matrix.
START_TEST(test_from_values) {
    const double v[] = {1, 2, 3, 4, 5, 6};
    Tensor t = tensor_from_values(v, 2, 3);
    ck_assert_int_eq(t.h, 2);
    ck_assert_int_eq(t.w, 3);
    ck_assert_ptr_ne(t.data, v);
    ck_assert_double_eq(*tensor_at(&t, 0, 1, 2), 6);
    tensor_free(&t);
}
END_TEST

Suite *make_tensor_suite(void) {
    Suite *s = suite_create("tensor");
    TCase *tc = tcase_create("tensor");
    tcase_add_test(tc, test_alloc_is_zeroed_with_shape);
    tcase_add_test(tc, test_layout_row_major);
    tcase_add_test(tc, test_is_vector);
    tcase_add_test(tc, test_clone_copy_are_independent);
    tcase_add_test(tc, test_view_wraps_without_copy);
    tcase_add_test(tc, test_same_shape);
    tcase_add_test(tc, test_all_finite);
    tcase_add_test(tc, test_rot180);
    tcase_add_test(tc, test_shape_str);
    tcase_add_loop_test(tc, test_significant_digits_agreeing, 0, (int)(sizeof DIGITS / sizeof *DIGITS));
    tcase_add_test(tc, test_from_values);
    tcase_add_loop_test(tc, test_alloc_bad_shape_exits_2, 0, (int)(sizeof BAD_SHAPES / sizeof *BAD_SHAPES));
    suite_add_tcase(s, tc);
    return s;
}
