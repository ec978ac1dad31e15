// The full-convolution form step by step (src/show/conv_steps.h) against the
// hand example of check_conv.c: stride 2, padding 1 on the running example.
#include <check.h>
#include <string.h>

#include "conv_steps.h"
#include "example.h"

// dY = [1 0 2; 0 -1 0], s = 2: spread (3x5) = [1 0 0 0 2; 0 0 0 0 0; 0 0 -1 0 0],
// padded by 1 (5x7). rot180(K) = [2 1; 1 1]. The padded input's gradient
// (5x6) cropped by 1 is dX = [2 0 0 2; 0 -1 -1 0; 0 -1 -2 0].
START_TEST(test_steps_hand_example) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 2, 1, 1, 1));
    double dy[6] = {1, 0, 2, 0, -1, 0}, k[4];
    memcpy(k, EXAMPLE_K, sizeof k);
    Tensor dyv = tensor_view(dy, 1, 2, 3), kv = tensor_view(k, 1, 2, 2);
    ConvSteps st = {0};
    st.spread = conv_steps_spread(&dyv, 2);
    st.padded = conv_steps_pad(&st.spread, 1, 1);
    st.rot = conv_steps_rot180(&kv);
    st.spread_done = st.padded_done = st.rotated = true;
    conv_steps_finish(&st, &s);
    ck_assert_int_eq(st.spread.h * 10 + st.spread.w, 35);
    ck_assert_double_eq(*tensor_at(&st.spread, 0, 0, 4), 2);
    ck_assert_double_eq(*tensor_at(&st.spread, 0, 2, 2), -1);
    ck_assert_int_eq(st.padded.h * 10 + st.padded.w, 57);
    ck_assert_double_eq(st.rot.data[0], 2);
    ck_assert_int_eq(st.grad_padded.h * 10 + st.grad_padded.w, 56);
    const double want[12] = {2, 0, 0, 2, 0, -1, -1, 0, 0, -1, -2, 0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++) ck_assert_double_eq(*tensor_at(&st.grad_padded, 0, i + 1, j + 1), want[i * 4 + j]);
    conv_steps_free(&st);
}
END_TEST

Suite *make_conv_steps_suite(void) {
    Suite *s = suite_create("conv_steps");
    TCase *tc = tcase_create("hand example");
    tcase_add_test(tc, test_steps_hand_example);
    suite_add_tcase(s, tc);
    return s;
}
