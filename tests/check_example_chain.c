// The running example's chain after the convolution (src/show/example_chain.h),
// against values worked by hand.
#include <check.h>
#include <math.h>

#include "example.h"
#include "example_chain.h"

// Y = [23 14 25; 27 29 35]: windows [23 14; 27 29] → 29 (index 4) and
// [14 25; 29 35] → 35 (index 5). z = 0.05·29 − 0.03·35 + 0.1 = 0.5,
// ŷ = σ(0.5) = 0.6224593312, L = −log ŷ = 0.4740769842,
// ∂L/∂z = ŷ − 1 = −0.3775406688, ∂L/∂p = ∂L/∂z·[0.05 −0.03]
// = [−0.01887703344 0.01132622006], routed to Y[1,1] and Y[1,2].
START_TEST(test_chain_hand_values) {
    ExampleChain ch;
    ck_assert(example_chain_fits(1, 2, 3));
    ck_assert(!example_chain_fits(1, 3, 3));
    double l = example_chain_forward(&ch, EXAMPLE_FEATURE_MAP);
    ck_assert_int_eq(ch.argmax[0], 4);
    ck_assert_int_eq(ch.argmax[1], 5);
    ck_assert_double_eq_tol(ch.z, 0.5, 1e-12);
    ck_assert_double_eq_tol(l, 0.4740769842, 1e-10);
    double dy[6] = {0};
    example_chain_backward(&ch, dy);
    const double want[6] = {0, 0, 0, 0, -0.01887703344, 0.01132622006};
    for (int q = 0; q < 6; q++) ck_assert_double_eq_tol(dy[q], want[q], 1e-10);
}
END_TEST

Suite *make_example_chain_suite(void) {
    Suite *s = suite_create("example_chain");
    TCase *tc = tcase_create("hand values");
    tcase_add_test(tc, test_chain_hand_values);
    suite_add_tcase(s, tc);
    return s;
}
