// The seeded generator (src/core/rng.c): splitmix64 against published reference
// outputs, repeatability, ranges, and simple statistical properties whose
// bounds follow from the distribution (a fixed seed keeps them repeatable).
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "rng.h"

#define N_DRAWS 100000

// Reference outputs of Vigna's splitmix64.c (also the test vectors of the
// Rust rand_xoshiro crate): an independent source for the exact bits.
START_TEST(test_reference_outputs) {
    static const uint64_t want_1234567[] = {6457827717110365317ull, 3203168211198807973ull,
                                            9817491932198370423ull, 4593380528125082431ull,
                                            16408922859458223821ull};
    Rng r = rng_make(1234567);
    for (int k = 0; k < 5; k++) ck_assert_uint_eq(rng_next(&r), want_1234567[k]);
    Rng z = rng_make(0);
    ck_assert_uint_eq(rng_next(&z), 0xE220A8397B1DCDAFull);
    ck_assert_uint_eq(rng_next(&z), 0x6E789E6AA1B965F4ull);
}
END_TEST

START_TEST(test_same_seed_same_sequence) {
    Rng a = rng_make(42), b = rng_make(42), c = rng_make(43);
    int differ = 0;
    for (int k = 0; k < 1000; k++) {
        double x = rng_normal(&a);
        ck_assert_double_eq(x, rng_normal(&b));
        if (x != rng_normal(&c)) differ++;
    }
    // Seeds 42 and 43 give unrelated streams: equal draws would be a fluke.
    ck_assert_int_eq(differ, 1000);
}
END_TEST

START_TEST(test_uniform_and_range_bounds) {
    Rng r = rng_make(7);
    double lo_seen = 1, hi_seen = 0;
    for (int k = 0; k < N_DRAWS; k++) {
        double u = rng_uniform(&r);
        ck_assert(u >= 0.0 && u < 1.0);
        lo_seen = fmin(lo_seen, u);
        hi_seen = fmax(hi_seen, u);
        double x = rng_range(&r, -3.0, 5.0);
        ck_assert(x >= -3.0 && x < 5.0);
    }
    // 1e5 uniforms: the smallest is below 1e-3 unless all miss [0, 1e-3),
    // probability (1 - 1e-3)^1e5 ≈ e^-100.
    ck_assert_double_lt(lo_seen, 1e-3);
    ck_assert_double_gt(hi_seen, 1.0 - 1e-3);
}
END_TEST

// The mean of N uniforms on [0,1) has standard deviation sqrt(1/12/N) =
// 9.1e-4 for N = 1e5; 0.005 is 5.5 of those. The variance estimate 1/12 has
// standard deviation about sqrt(1/180/N) = 2.4e-4; 0.002 is 8 of those.
START_TEST(test_uniform_mean_and_variance) {
    Rng r = rng_make(2024);
    double sum = 0, sum2 = 0;
    for (int k = 0; k < N_DRAWS; k++) {
        double u = rng_uniform(&r);
        sum += u;
        sum2 += u * u;
    }
    double mean = sum / N_DRAWS, var = sum2 / N_DRAWS - mean * mean;
    ck_assert_double_eq_tol(mean, 0.5, 0.005);
    ck_assert_double_eq_tol(var, 1.0 / 12.0, 0.002);
}
END_TEST

// Standard normal: the sample mean has sd 1/sqrt(N) = 3.2e-3 (bound 0.02 is
// 6 sd); the sample variance has sd sqrt(2/N) = 4.5e-3 (bound 0.03 is 6.7 sd).
START_TEST(test_normal_moments) {
    Rng r = rng_make(99);
    double sum = 0, sum2 = 0;
    for (int k = 0; k < N_DRAWS; k++) {
        double x = rng_normal(&r);
        ck_assert(isfinite(x));
        sum += x;
        sum2 += x * x;
    }
    double mean = sum / N_DRAWS;
    ck_assert_double_eq_tol(mean, 0.0, 0.02);
    ck_assert_double_eq_tol(sum2 / N_DRAWS - mean * mean, 1.0, 0.03);
}
END_TEST

// rng_below(6): every face in [0,6), each 1e4 ± 500 times in 6e4 draws
// (binomial sd sqrt(6e4 · 1/6 · 5/6) = 91, so 500 is 5.5 sd).
START_TEST(test_below_is_uniform_over_range) {
    Rng r = rng_make(5);
    int count[6] = {0};
    for (int k = 0; k < 60000; k++) {
        int v = rng_below(&r, 6);
        ck_assert(v >= 0 && v < 6);
        count[v]++;
    }
    for (int v = 0; v < 6; v++) ck_assert_int_le(abs(count[v] - 10000), 500);
    ck_assert_int_eq(rng_below(&r, 1), 0);
}
END_TEST

Suite *make_rng_suite(void) {
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, test_reference_outputs);
    tcase_add_test(tc, test_same_seed_same_sequence);
    tcase_add_test(tc, test_uniform_and_range_bounds);
    tcase_add_test(tc, test_uniform_mean_and_variance);
    tcase_add_test(tc, test_normal_moments);
    tcase_add_test(tc, test_below_is_uniform_over_range);
    suite_add_tcase(s, tc);
    return s;
}
