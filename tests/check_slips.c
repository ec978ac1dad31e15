// The slips catalogue (src/check/slips.h), by hand on g = [1 2 3; 4 5 6]:
// each slipped value written out, and channels kept apart.
#include <check.h>

#include "arraylen.h"
#include "slips.h"

static const double G[6] = {1, 2, 3, 4, 5, 6};

typedef struct {
    Slip slip;
    const char *name;
    double want[6];
} SlipCase;

static const SlipCase CASES[] = {
    {SLIP_SIGN, "sign", {-1, -2, -3, -4, -5, -6}},
    {SLIP_TRANSPOSED, "transposed", {1, 4, 2, 5, 3, 6}}, // 3x2: [1 4; 2 5; 3 6]
    {SLIP_ROT180, "rot180", {6, 5, 4, 3, 2, 1}},
    {SLIP_DOWN, "shifted", {0, 0, 0, 1, 2, 3}},
    {SLIP_UP, "shifted", {4, 5, 6, 0, 0, 0}},
    {SLIP_RIGHT, "shifted", {0, 1, 2, 0, 4, 5}},
    {SLIP_LEFT, "shifted", {2, 3, 0, 5, 6, 0}},
    {SLIP_SWAPPED, "swapped", {1, 4, 2, 5, 3, 6}}, // gᵀ read row by row into 2x3: [1 4 2; 5 3 6]
};

static double slipped(Slip s, const double *g, long k, int h, int w) {
    long from = slip_source(s, k, h, w);
    return from < 0 ? 0.0 : slip_factor(s) * g[from];
}

START_TEST(test_slip_by_hand) {
    const SlipCase *c = &CASES[_i];
    ck_assert_str_eq(slip_name(c->slip), c->name);
    for (long k = 0; k < 6; k++)
        ck_assert_msg(slipped(c->slip, G, k, 2, 3) == c->want[k], "%s: entry %ld is %g, by hand %g", c->name, k,
                      slipped(c->slip, G, k, 2, 3), c->want[k]);
}
END_TEST

// Two channels of 2x2, [1 2; 3 4] and [5 6; 7 8]: each turns or shifts on
// its own, nothing crosses from one channel to the other.
START_TEST(test_channels_stay_apart) {
    const double g[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    const double rot[8] = {4, 3, 2, 1, 8, 7, 6, 5}, down[8] = {0, 0, 1, 2, 0, 0, 5, 6};
    for (long k = 0; k < 8; k++) {
        ck_assert_double_eq(slipped(SLIP_ROT180, g, k, 2, 2), rot[k]);
        ck_assert_double_eq(slipped(SLIP_DOWN, g, k, 2, 2), down[k]);
    }
}
END_TEST

Suite *make_slips_suite(void) {
    Suite *s = suite_create("slips");
    TCase *tc = tcase_create("slips");
    tcase_add_loop_test(tc, test_slip_by_hand, 0, ARRAY_LEN(CASES));
    tcase_add_test(tc, test_channels_stay_apart);
    suite_add_tcase(s, tc);
    return s;
}
