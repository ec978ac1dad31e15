// The running example (src/show/example.c) that chapters 1 to 6 share: its
// constants must agree with each other, worked by hand here and recomputed
// with the library's own layers.
#include <check.h>
#include <math.h>

#include "conv.h"
#include "example.h"
#include "pool.h"

// Worked by hand, X = [8 9 2 7; 0 3 0 8; 8 8 9 9], K = [1 1; 1 2]:
//   Y00 = 8·1 + 9·1 + 0·1 + 3·2 = 23     Y01 = 9 + 2 + 3 + 0·2 = 14
//   Y02 = 2 + 7 + 0 + 8·2      = 25     Y10 = 0 + 3 + 8 + 8·2 = 27
//   Y11 = 3 + 0 + 8 + 9·2      = 29     Y12 = 0 + 8 + 9 + 9·2 = 35
static const double FEATURE_MAP_BY_HAND[6] = {23, 14, 25, 27, 29, 35};
// 2x2 windows, stride 1, over the 2x3 map: max(23,14,27,29) = 29 and
// max(14,25,29,35) = 35.
static const double POOLED_BY_HAND[2] = {29, 35};

START_TEST(test_constants_match_the_hand_computation) {
    const double x[12] = {8, 9, 2, 7, 0, 3, 0, 8, 8, 8, 9, 9}, k[4] = {1, 1, 1, 2};
    for (int i = 0; i < 12; i++) ck_assert_double_eq(EXAMPLE_X[i], x[i]);
    for (int i = 0; i < 4; i++) ck_assert_double_eq(EXAMPLE_K[i], k[i]);
    for (int i = 0; i < 6; i++) ck_assert_double_eq(EXAMPLE_FEATURE_MAP[i], FEATURE_MAP_BY_HAND[i]);
    for (int i = 0; i < 2; i++) ck_assert_double_eq(EXAMPLE_POOLED[i], POOLED_BY_HAND[i]);
    ck_assert_int_eq(EXAMPLE_X_H * EXAMPLE_X_W, 12);
    ck_assert_int_eq(EXAMPLE_K_SIZE, 2);
}
END_TEST

START_TEST(test_x_star_k_is_the_feature_map) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE, 1, 0, 0, 1));
    ck_assert_int_eq(s.out_h, 2); // 3 − 2 + 1
    ck_assert_int_eq(s.out_w, 3); // 4 − 2 + 1
    const double b = 0.0;
    double y[6];
    conv_forward(y, EXAMPLE_X, EXAMPLE_K, &b, &s);
    for (int i = 0; i < 6; i++) ck_assert_double_eq(y[i], EXAMPLE_FEATURE_MAP[i]);
}
END_TEST

START_TEST(test_pooling_the_feature_map) {
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 3, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_STRIDE));
    ck_assert_int_eq(s.out_h, 1); // (2 − 2)/1 + 1
    ck_assert_int_eq(s.out_w, 2); // (3 − 2)/1 + 1
    double out[2];
    int argmax[2];
    maxpool_forward(out, argmax, EXAMPLE_FEATURE_MAP, &s);
    for (int i = 0; i < 2; i++) ck_assert_double_eq(out[i], EXAMPLE_POOLED[i]);
    // 29 is Y11 (flat index 1·3 + 1 = 4), 35 is Y12 (index 5).
    ck_assert_int_eq(argmax[0], 4);
    ck_assert_int_eq(argmax[1], 5);
}
END_TEST

// z = W·pooled + b = 0.05·29 − 0.03·35 + 0.1 = 1.45 − 1.05 + 0.1 = 0.5,
// up to the rounding of 0.05, 0.03 and 0.1 in binary (a few ulps).
#define Z_ABS_TOL 1e-14

START_TEST(test_dense_output_is_one_half) {
    double z = EXAMPLE_W[0] * EXAMPLE_POOLED[0] + EXAMPLE_W[1] * EXAMPLE_POOLED[1] + EXAMPLE_B;
    ck_assert_double_eq_tol(z, 0.5, Z_ABS_TOL);
    ck_assert_double_eq(EXAMPLE_W[0], 0.05);
    ck_assert_double_eq(EXAMPLE_W[1], -0.03);
    ck_assert_double_eq(EXAMPLE_B, 0.1);
    ck_assert_double_eq(EXAMPLE_Y, 1.0);
    // σ(0.5) = 1/(1 + e^−0.5) = 0.6225: the sigmoid is far from saturating.
    double y_hat = 1.0 / (1.0 + exp(-z));
    ck_assert_double_eq_tol(y_hat, 0.62245933, 1e-8);
}
END_TEST

Suite *make_example_suite(void) {
    Suite *s = suite_create("example");
    TCase *tc = tcase_create("example");
    tcase_add_test(tc, test_constants_match_the_hand_computation);
    tcase_add_test(tc, test_x_star_k_is_the_feature_map);
    tcase_add_test(tc, test_pooling_the_feature_map);
    tcase_add_test(tc, test_dense_output_is_one_half);
    suite_add_tcase(s, tc);
    return s;
}
