// Chapter 6's measured kernel votes (src/show/kernel_votes.h) and loss
// magnitudes (src/show/net_history.h), against values derived by hand.
#include <check.h>
#include <math.h>
#include <string.h>

#include "dataset.h"
#include "kernel_votes.h"
#include "net_history.h"
#include "network.h"
#include "network_buffers.h"

// One 1x1 kernel of weight −1 on 2x2 images: A = −X + b (b = 0), the 2x2
// pool leaves p = max(A) = −min(X), the one dense weight is −1, so the
// kernel adds c = w·p = min(X) to z. The summed dense weight (−1) says
// "label 0"; the measured vote says label 1, whose images are brighter.
START_TEST(test_negative_weights_negative_response) {
    NetShape s;
    ck_assert(net_shape_init(&s, 2, 2, 1, 1));
    ck_assert_int_eq(s.flat, 1);
    NetBuffers b;
    ck_assert(net_buffers_alloc(&b, &s));
    NetParams p;
    net_params_point(&p, b.params, &s);
    p.kernel[0] = -1.0, p.conv_b[0] = 0.0, p.dense_w[0] = -1.0, *p.dense_b = 0.0;
    Dataset d;
    ck_assert(dataset_alloc(&d, 3, 2, 2));
    const double x[] = {2, 3, 4, 5, /* label 1: min 2 */ 1, 1, 3, 1, /* label 0: min 1 */ 4, 6, 7, 8 /* 1: 4 */};
    const double y[] = {1, 0, 1};
    memcpy(d.x, x, sizeof x);
    memcpy(d.y, y, sizeof y);
    double mean[2];
    int count[2];
    net_kernel_contributions(mean, count, &b.a, b.params, &d, &s);
    ck_assert_int_eq(count[0], 1);
    ck_assert_int_eq(count[1], 2);
    ck_assert_double_eq_tol(mean[0], 1.0, 1e-15);
    ck_assert_double_eq_tol(mean[1], 3.0, 1e-15); // (2 + 4) / 2
    dataset_free(&d);
    net_buffers_free(&b);
}
END_TEST

// Two kernels: the contributions add up to z − d on every image.
START_TEST(test_contributions_sum_to_z) {
    NetShape s;
    ck_assert(net_shape_init(&s, 4, 4, 2, 2));
    NetBuffers b;
    ck_assert(net_buffers_alloc(&b, &s));
    net_init_params(b.params, &s, 7);
    NetParams p;
    net_params_point(&p, b.params, &s);
    *p.dense_b = 0.25;
    Dataset d;
    ck_assert(dataset_synthetic(&d, 1, 4, 4, 3));
    d.y[0] = 1.0;
    double mean[4];
    int count[2];
    net_kernel_contributions(mean, count, &b.a, b.params, &d, &s);
    net_forward(&b.a, b.params, d.x, 1.0, &s);
    ck_assert_double_eq_tol(mean[1] + mean[3], b.a.z - 0.25, 1e-12);
    ck_assert_double_eq(mean[0], 0.0); // no image of label 0
    dataset_free(&d);
    net_buffers_free(&b);
}
END_TEST

START_TEST(test_magnitude) {
    char out[40];
    ck_assert_str_eq(history_magnitude(out, sizeof out, 0.015014), "0.015014");
    ck_assert_str_eq(history_magnitude(out, sizeof out, 73.897602), "73.897602");
    ck_assert_str_eq(history_magnitude(out, sizeof out, 1.0054e148), "1.005e+148");
    ck_assert_str_eq(history_magnitude(out, sizeof out, 6.654e298), "6.654e+298");
    ck_assert_str_eq(history_magnitude(out, sizeof out, 12345.5), "12345.500000");
    ck_assert_str_eq(history_magnitude(out, sizeof out, 123456.0), "1.235e+05");
}
END_TEST

Suite *make_kernel_votes_suite(void) {
    Suite *s = suite_create("kernel_votes");
    TCase *tc = tcase_create("kernel_votes");
    tcase_add_test(tc, test_negative_weights_negative_response);
    tcase_add_test(tc, test_contributions_sum_to_z);
    tcase_add_test(tc, test_magnitude);
    suite_add_tcase(s, tc);
    return s;
}
