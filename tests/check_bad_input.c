// The bad-input contract, across chapters, tested on the built programs:
// every invalid input gives exactly one line "error: --option: ..." on
// stderr, nothing on stdout, and exit status 2. And the numerical-safety
// contract: no valid input ever prints NaN or infinity.
#include <check.h>
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>
#include <string.h>

#include "proc.h"

typedef struct {
    const char *program;
    const char *args[8];
    const char *names; // what the error line must mention (the option)
} BadInput;

static const BadInput BAD[] = {
    // the shared options, on any chapter
    {"chapter1", {"--frobnicate"}, "--frobnicate"},
    {"chapter1", {"--input"}, "--input: missing value"},
    {"chapter1", {"--format", "rtf"}, "--format"},
    {"chapter1", {"--bug", "no-such-bug"}, "--bug"},
    {"chapter1", {"--seed", "-1"}, "--seed"},
    {"chapter1", {"--seed", "12x"}, "--seed"},
    {"chapter1", {"--answer", "dL_dK_xcorr"}, "--answer"},
    {"chapter1", {"--answer", "nosuch=1 2"}, "--answer"},
    {"chapter1", {"--answer", "dL_dK_xcorr=1 2 3"}, "--answer"},
    {"chapter1", {"--answer", "=1"}, "--answer"},
    {"chapter1", {"stray"}, "stray"},
    // --formula: refused where the chapter has none; a bad one shows its column
    {"chapter0", {"--formula", "d = 1"}, "--formula: this chapter has no formulas"},
    {"chapter4", {"--formula", "list"}, "--formula: this chapter has no formulas"},
    {"chapter6", {"--formula", "dW = x"}, "--formula: this chapter has no formulas"},
    {"chapter1", {"--formula", "dQ = X"}, "--formula: 'dQ' is not a gradient of this chapter"},
    {"chapter2", {"--formula", "dL_dz = exp(z"}, "--formula: 'dL_dz = exp(z' column 14:"},
    {"chapter3", {"--formula", "dW = x @@ W"}, "--formula: 'dW = x @@ W' column 9:"},
    {"chapter5", {"--formula", "dK = xcorr(X, G) +"}, "column 19:"},
    {"chapter5", {"--formula", "dK = xcorr(X, G)", "--formula", "dX = X Y"}, "column 8:"},
    // matrix literals
    {"chapter1", {"--input", "1 2; 3"}, "--input"},
    {"chapter1", {"--input", ""}, "--input"},
    {"chapter1", {"--input", "1 2; ; 3 4"}, "--input"},
    {"chapter1", {"--input", "1,,2"}, "--input"},
    {"chapter1", {"--input", "1 2 3x"}, "--input"},
    {"chapter1", {"--input", "nan 1"}, "--input"},
    {"chapter1", {"--input", "inf 1"}, "--input"},
    {"chapter1", {"--input", "1e999 1"}, "--input"},
    {"chapter1", {"--input", "0x10 1"}, "--input"},
    {"chapter1", {"--input", "@/nonexistent/matrix.txt"}, "--input"},
    {"chapter1", {"--input", "@/"}, "--input"},
    {"chapter1", {"--input", "@/dev/null"}, "--input"},
    {"chapter1", {"--kernel", "1 2 3 4 5; 1 2 3 4 5"}, "--kernel"},
    {"chapter1", {"--mode", "same"}, "--mode"},
    {"chapter1", {"--upstream", "1 2"}, "--upstream"},
    // chapter 3: shapes and ranges
    {"chapter3", {"--W", "1 2 3"}, "--W"},
    {"chapter3", {"--b", "1 2"}, "--b"},
    {"chapter3", {"--y", "1.5"}, "--y"},
    {"chapter3", {"--y", "1 0"}, "--y"},
    {"chapter3", {"--lr", "abc"}, "--lr"},
    {"chapter3", {"--x", "1 2; 3 4"}, "--x"},
    // valid numbers, but ŷ rounds to 1, where the article's ∂L/∂ŷ is 1/0
    {"chapter3", {"--W", "1e6 1e6", "--x", "1 1", "--y", "0"}, "saturates the sigmoid"},
    // chapter 4: windows, strides, upstream shapes
    {"chapter4", {"--window", "3"}, "--window"},
    {"chapter4", {"--window", "0"}, "--window"},
    {"chapter4", {"--stride", "0"}, "--stride"},
    {"chapter4", {"--window", "2x"}, "--window"},
    {"chapter4", {"--upstream", "1 2 3"}, "--upstream"},
    {"chapter4", {"--ties", "random"}, "--ties"},
    // chapter 5: geometry
    {"chapter5", {"--stride", "0"}, "--stride"},
    {"chapter5", {"--dilation", "0"}, "--dilation"},
    {"chapter5", {"--padding", "-1"}, "--padding"},
    {"chapter5", {"--kernel", "1 2 3 4 5"}, "--kernel"},
    {"chapter5", {"--dilation", "3"}, "dilation 3"},
    {"chapter5", {"--upstream", "1 2; 3 4"}, "--upstream"},
    {"chapter5", {"--bias", "1 2"}, "--bias"},
};

START_TEST(test_bad_input_is_one_error_line) {
    const BadInput *c = &BAD[_i];
    ProcResult p = run_chapter(c->program, c->args);
    assert_usage_error(&p, c->names);
    proc_free(&p);
}
END_TEST

typedef struct {
    const char *program;
    const char *args[8];
} ValidInput;

// Extreme but valid inputs: the accepted range's ends (1e300, 1e-300), a
// loss at the edge of saturation, and logits of ±1000.
static const ValidInput EXTREME[] = {
    {"chapter1", {"--input", "1e-300 2e-300; 3e-300 4e-300", "--kernel", "1e-300"}},
    {"chapter1", {"--input", "1e300 -1e300; 1e300 1e300", "--kernel", "1e-300 1"}},
    {"chapter3", {"--x", "1000 -1000", "--W", "1 1"}},
    {"chapter3", {"--x", "1e-300 1e-300"}},
    {"chapter4", {"--input", "1e300 -1e300; 5e299 1e-300", "--window", "2"}},
    {"chapter5", {"--input", "1e-300 1; 1 1", "--kernel", "1e-300"}},
};

START_TEST(test_extreme_valid_input_prints_no_nan_or_inf) {
    const ValidInput *c = &EXTREME[_i];
    ProcResult p = run_chapter(c->program, c->args);
    // 0 or 1 (a check may rightly fail at the edge of precision), or 2 with
    // a clear overflow error; never a crash and never NaN/inf on stdout.
    // 3: nothing failed but a check could not decide (EXIT_INCONCLUSIVE).
    ck_assert_msg(p.status <= 3, "%s %s: status %d (crash?)", c->program, c->args[1], p.status);
    ck_assert_msg(!prints_non_finite(p.out), "%s %s %s printed NaN or inf", c->program, c->args[0], c->args[1]);
    if (p.status == 2) ck_assert_int_eq((int)p.out_len, 0);
    proc_free(&p);
}
END_TEST

START_TEST(test_nan_detector_can_fail) {
    ck_assert(prints_non_finite("x = [ nan 1 ]"));
    ck_assert(prints_non_finite("loss = -inf"));
    ck_assert(!prints_non_finite("the infinity norm; information"));
}
END_TEST

Suite *make_bad_input_suite(void) {
    Suite *s = suite_create("bad_input");
    TCase *tc = tcase_create("contract");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_bad_input_is_one_error_line, 0, (int)(sizeof BAD / sizeof *BAD));
    tcase_add_loop_test(tc, test_extreme_valid_input_prints_no_nan_or_inf, 0,
                        (int)(sizeof EXTREME / sizeof *EXTREME));
    tcase_add_test(tc, test_nan_detector_can_fail);
    suite_add_tcase(s, tc);
    return s;
}
