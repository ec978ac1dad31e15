// Issue 31's counterexamples and issue 28's checker at the edges: each
// command gives its true verdict. The truth is by hand: every gradient the
// chapters compute without --bug is right (PASS, exit 0, or at worst 3 for
// a derivative with too few digits to exist: a subnormal one); each --bug
// named here changes the gradient it checks (FAIL, exit 1):
//   W-not-transposed with W = [0 1; 0 0]: ∂L/∂x_1 = W[0,1]·∂L/∂z_0 ≠ 0,
//   the bug reads W[1,0] = 0;
//   average on [1, 1 + 2⁻⁵²]: the max is the second cell (gradient 0, 1),
//   the bug gives 0.5, 0.5.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"

typedef struct {
    const char *program;
    const char *args[16];
    int status, also; // expected exit status (also: a second acceptable one, or -1)
} Case;

static const Case CASES[] = {
    // near-ties in max pooling (1 ulp apart): the complex step keeps the winner
    {"chapter4", {"--input", "0.30000000000000004 0.3; 0.1 0.2", "--window", "2", "--upstream", "1"}, 0, -1},
    // exact-zero cells beside 1e-12 ones
    {"chapter4", {"--input", "0 1e-12; -1e-12 -2e-12", "--window", "2", "--upstream", "1"}, 0, -1},
    // a zero entry beside a weight of 1e8
    {"chapter3", {"--x", "0 1", "--W", "1e8 0.001", "--b", "0", "--y", "1"}, 0, -1},
    // a subnormal derivative: never FAIL
    {"chapter2", {"--y", "0", "--z", "-740"}, 0, 3},
    {"chapter2", {"--y", "0", "--z", "-745"}, 0, 3},
    // false PASS: the first step moved nothing
    {"chapter3",
     {"--x", "1e-15 1e-15", "--W", "0 1; 0 0", "--b", "0 0", "--y", "1 0.5", "--bug", "W-not-transposed", "--section",
      "3.4"},
     1,
     -1},
    {"chapter4",
     {"--input", "1 1.0000000000000002", "--window", "1x2", "--upstream", "1", "--bug", "average", "--section", "4.4"},
     1,
     -1},
    // tiny entries in an O(1) loss, saturation
    {"chapter3", {"--x", "1 2", "--W", "0.1 0.2", "--b", "1e-12", "--y", "1"}, 0, -1},
    {"chapter2", {"--y", "1 0", "--z", "1e-12 -2e-12"}, 0, -1},
    {"chapter2", {"--y", "1 1", "--z", "40 50"}, 0, -1},
    {"chapter2", {"--y", "1", "--z", "20"}, 0, -1},
    // issue 28: first steps in proportion to a tiny entry must grow
    {"chapter0", {"--at", "1e-12"}, 0, -1},
    {"chapter3", {"--b", "1e-300"}, 0, -1},
    {"chapter3", {"--W", "1e-300 -1e-300"}, 0, -1},
    {"chapter2", {"--y", "1", "--z", "1e-300"}, 0, -1},
    // issue 28: the identity check at a true 0
    {"chapter2", {"--y", "0.3", "--yhat", "0.3"}, 0, -1},
    // issue 31: right formulas on saturated inputs agree up to their own
    // rounding (ŷ − y cancels: ε·(|ŷ| + |y|), not ε·|ŷ − y|); wrong ones fail
    {"chapter3", {"--x", "1", "--W", "17", "--b", "0", "--y", "1", "--formula", "db = (yhat - y) / n"}, 0, -1},
    {"chapter2", {"--y", "1 1", "--z", "40 50", "--formula", "dL_dz = (yhat - y) / n"}, 0, -1},
    {"chapter3", {"--x", "1", "--W", "17", "--b", "0", "--y", "1", "--formula", "db = (y - yhat) / n"}, 1, -1},
    {"chapter2", {"--y", "1 1", "--z", "40 50", "--formula", "dL_dz = (y - yhat) / n"}, 1, -1},
    // issue 31: a right answer of 0 where the computed 0.1 + 0.2 − 0.3 is
    // 5.6e-17 of rounding (its terms sum to 0.6); 1e-10 is a wrong one
    {"chapter1", {"--input", "0.1 0.2 0.3", "--kernel", "1", "--upstream", "1 1 -1", "--answer", "dL_dK_xcorr=0"}, 0, -1},
    {"chapter1", {"--input", "0.1 0.2 0.3", "--kernel", "1", "--upstream", "1 1 -1", "--answer", "dL_dK_xcorr=1e-10"},
     1,
     -1},
    // large |X| at a tie: the directions along X + t and X·(1 + t) decide
    {"chapter4", {"--input", "1e7 1e7", "--window", "1x2", "--upstream", "1"}, 0, 3},
};

START_TEST(test_counterexample) {
    const Case *c = &CASES[_i];
    const char *argv[20];
    int n = 0;
    for (; c->args[n]; n++) argv[n] = c->args[n];
    argv[n++] = "--no-color", argv[n] = NULL;
    ProcResult p = run_chapter(c->program, argv);
    ck_assert_msg(p.status == c->status || p.status == c->also, "%s %s ...: exit %d, expected %d", c->program,
                  c->args[1], p.status, c->status);
    proc_free(&p);
}
END_TEST

// Issue 32: a --section with no check in it says so, never "PASS".
START_TEST(test_section_without_checks_is_no_pass) {
    const char *args[] = {"--section", "5.1", "--no-color", NULL};
    ProcResult p = run_chapter("chapter5", args);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.out, "Result: no check (sections shown only): NOTHING CHECKED"));
    ck_assert_ptr_null(strstr(p.out, "all 0 checks passed"));
    proc_free(&p);
}
END_TEST

// Issue 32: an inconclusive check's JSON bound is the bound that kept it
// undecided (the text's "allowed"), not 0. At z = −740 the derivative
// σ(−740) = 4.2e-322 is subnormal: no method has the digits.
START_TEST(test_inconclusive_json_has_its_bound) {
    const char *args[] = {"--y", "0", "--z", "-740", "--format", "json", NULL};
    ProcResult p = run_chapter("chapter2", args);
    ck_assert_int_eq(p.status, 3);
    const char *row = strstr(p.out, "\"verdict\": \"inconclusive\"");
    ck_assert_ptr_nonnull(row);
    const char *b = row;
    while (b > p.out && strncmp(b, "\"bound\": ", 9) != 0) b--;
    ck_assert_double_gt(strtod(b + 9, NULL), 0.0);
    proc_free(&p);
}
END_TEST

// Issue 31: --answer's tolerance is 1e-6 of max(|yours|, |computed|):
// −0.37754 against −0.3775406688 is 1.8e-6 off, WRONG (it used to be
// accepted, dividing by the sum); −0.3775407 is 8e-8 off, right.
START_TEST(test_answer_tolerance_is_the_printed_one) {
    const char *off[] = {"--answer", "dL_dz=-0.37754", "--no-color", NULL};
    ProcResult p = run_chapter("chapter3", off);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
    const char *near[] = {"--answer", "dL_dz=-0.3775407", "--no-color", NULL};
    p = run_chapter("chapter3", near);
    ck_assert_int_eq(p.status, 0);
    proc_free(&p);
}
END_TEST

// Issue 31: under --bug an answer is compared with the right value, not the
// mistake's. Chapter 3's defaults by hand: z = 0.05·29 − 0.03·35 + 0.1 = 0.5,
// ∂L/∂z = σ(0.5) − 1 = −0.3775406688, ∂L/∂W = ∂L/∂z·xᵀ = [−10.9486794
// −13.2139234]. no-sigmoid-derivative leaves out σ′(0.5) = 0.2350037:
// ∂L/∂W = [−46.5893891 −56.2285731], which is then WRONG and named.
START_TEST(test_answer_under_bug_is_compared_with_the_right_value) {
    const char *right[] = {"--bug", "no-sigmoid-derivative", "--answer", "dW=-10.9486794 -13.2139234",
                           "--format", "json", NULL};
    ProcResult p = run_chapter("chapter3", right);
    ck_assert_int_eq(p.status, 1); // the mistake's own checks FAIL
    ck_assert_msg(strstr(p.out, "{\"name\": \"dW\", \"passed\": true") != NULL, "%s", p.out);
    proc_free(&p);
    const char *buggy[] = {"--bug", "no-sigmoid-derivative", "--answer", "dW=-46.5893891 -56.2285731",
                           "--format", "json", NULL};
    p = run_chapter("chapter3", buggy);
    ck_assert_int_eq(p.status, 1);
    ck_assert_msg(strstr(p.out, "{\"name\": \"dW\", \"passed\": false") != NULL, "%s", p.out);
    ck_assert_ptr_nonnull(strstr(p.out, "\"matches_mistake\": \"no-sigmoid-derivative\""));
    proc_free(&p);
}
END_TEST

// Issue 26: chapter 6's directional check is the bounded one (it prints a
// bound, and a wrong gradient FAILs), and its test-accuracy verdict gives
// the measured value and the target in JSON.
START_TEST(test_chapter6_directional_and_accuracy) {
    const char *dir[] = {"--section", "6.5", "--no-color", NULL};
    ProcResult p = run_chapter("chapter6", dir);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_nonnull(strstr(p.out, "directional derivative: PASS"));
    ck_assert_ptr_nonnull(strstr(p.joined, ", bound "));
    proc_free(&p);
    const char *bug[] = {"--section", "6.5", "--bug", "kernel-rot180", "--no-color", NULL};
    p = run_chapter("chapter6", bug);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
    const char *json[] = {"--format", "json", NULL};
    p = run_chapter("chapter6", json);
    ck_assert_int_eq(p.status, 0);
    const char *row = strstr(p.out, "{\"name\": \"test accuracy\"");
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_nonnull(strstr(row, "\"value\": 0.9"));
    ck_assert_ptr_nonnull(strstr(row, "\"target\": 0.9"));
    ck_assert_ptr_nonnull(strstr(row, "\"max_abs_error\": 0")); // the old keys stay
    proc_free(&p);
}
END_TEST

// Issue 31: chapter 6 on a constant image with one pixel raised by 1e-13.
// Every central difference of that pixel straddles the near-tie it makes in
// the max-pool and fails the right gradient; the complex step keeps each
// window's winner and decides (exit 0). A bug still fails.
START_TEST(test_chapter6_near_tie_image) {
    char path[] = "/tmp/verdict_near_tie_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    for (int i = 0; i < 4; i++) {
        fprintf(f, "%d", i % 2);
        for (int e = 0; e < 64; e++) fprintf(f, ",%.17g", i == 0 && e == 10 ? 0.5 + 1e-13 : 0.5);
        fprintf(f, "\n");
    }
    ck_assert_int_eq(fclose(f), 0);
    const char *args[] = {"--data", path, "--size", "8x8", "--epochs", "1", "--no-color", NULL};
    ProcResult p = run_chapter("chapter6", args);
    ck_assert_msg(p.status == 0, "exit %d", p.status);
    proc_free(&p);
    const char *bug[] = {"--data", path, "--size", "8x8", "--epochs", "1", "--bug", "kernel-rot180", NULL};
    p = run_chapter("chapter6", bug);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
    unlink(path);
}
END_TEST

Suite *make_verdict_counterexamples_suite(void) {
    Suite *s = suite_create("verdict_counterexamples");
    TCase *tc = tcase_create("commands");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_counterexample, 0, ARRAY_LEN(CASES));
    tcase_add_test(tc, test_section_without_checks_is_no_pass);
    tcase_add_test(tc, test_inconclusive_json_has_its_bound);
    tcase_add_test(tc, test_answer_tolerance_is_the_printed_one);
    tcase_add_test(tc, test_answer_under_bug_is_compared_with_the_right_value);
    tcase_add_test(tc, test_chapter6_directional_and_accuracy);
    tcase_add_test(tc, test_chapter6_near_tie_image);
    suite_add_tcase(s, tc);
    return s;
}
