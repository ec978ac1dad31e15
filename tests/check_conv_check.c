// Checking a convolution layer within a work budget (src/show/conv_check.h): the
// cost estimate and the number of entries by hand, the seeded sample and
// the directional check when over budget (deterministic, and a wrong
// gradient still caught), and the 72-case sweep passing the library's
// backward pass and failing a wrong one. Reports run in a forked child.
#include <check.h>
#include <math.h>
#include <string.h>

#include "arraylen.h"
#include "capture.h"
#include "conv_check.h"
#include "report_block.h"
#include "example.h"

static int count_substrings(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

// A 3x3 kernel on one channel: an input entry is in at most 9 products,
// each counted as 2 multiply-adds (the product and its magnitude): 18 per
// evaluation. A kernel entry is in one product per output (2x3): 12.
START_TEST(test_entry_cost_by_hand) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 3, 3, 1, 1, 1, 1));
    ck_assert_double_eq(conv_check_eval_cost(&s, CONV_BLOCK_INPUT), 18);
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    ck_assert_double_eq(conv_check_eval_cost(&s, CONV_BLOCK_KERNEL), 12);
    ck_assert_double_eq(conv_check_eval_cost(&s, CONV_BLOCK_BIAS), 12);
}
END_TEST

// The running example with G = [1 0 0; 0 0 2] (dX = [1 1 0 0; 1 2 2 2;
// 0 0 2 4], worked out in check_conv.c), checked as if one evaluation cost
// CHECK_BUDGET_OPS / 32: a full check (12 entries × 8 evaluations) is over
// the budget, which pays for 4 entries: a sample of 4.
typedef struct {
    bool check_all;
    double error; // added to every analytic entry
} BudgetRun;

static int run_budget(void *ctx) {
    const BudgetRun *run = ctx;
    char *argv[] = {"t", "--no-color", NULL};
    const ChapterSpec spec = {.program = "t", .title = "T"};
    CommonOptions opt;
    char err[128];
    ck_assert_int_eq(parse_args(&opt, &spec, 2, argv, err, sizeof err), ARGS_OK);
    Report r;
    report_init(&r, &opt, "T");
    ConvShape s;
    conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1);
    double x[12], k[4], b = 0, g[6] = {1, 0, 0, 0, 0, 2};
    double dx[12] = {1, 1, 0, 0, 1, 2, 2, 2, 0, 0, 2, 4};
    memcpy(x, EXAMPLE_X, sizeof x);
    memcpy(k, EXAMPLE_K, sizeof k);
    for (int q = 0; q < 12; q++) dx[q] += run->error;
    Tensor a = tensor_view(dx, 1, 3, 4);
    ConvObjective ctx_x = {&s, x, k, &b, g, CONV_BLOCK_INPUT, 0};
    ConvCheckPlan p = {run->check_all, 7};
    BlockSpec block = conv_block_spec(&ctx_x, x, &a, &p);
    block.ops_per_eval = CHECK_BUDGET_OPS / (4 * CHECK_EVALS_PER_ENTRY);
    check_block(&r, "dX", &block, &a);
    for (int q = 0; q < 12; q++) ck_assert(x[q] == EXAMPLE_X[q]); // restored exactly
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

START_TEST(test_budget_sample) {
    BudgetRun run = {false, 0.0};
    Captured a = capture_run(run_budget, &run), b = capture_run(run_budget, &run);
    ck_assert_int_eq(a.status, 0);
    ck_assert_ptr_nonnull(strstr(a.joined, "Work budget: a full check of the 12 entries of dX would take about"));
    ck_assert_ptr_nonnull(strstr(a.joined, "4 compared, 8 skipped (not in the seeded sample)"));
    ck_assert_ptr_nonnull(strstr(a.out, "dX along a random direction"));
    ck_assert_msg(a.out_len == b.out_len && memcmp(a.out, b.out, a.out_len) == 0, "the sample is not seeded");
    captured_free(&a);
    captured_free(&b);
}
END_TEST

START_TEST(test_check_all_forces_every_entry) {
    BudgetRun run = {true, 0.0};
    Captured a = capture_run(run_budget, &run);
    ck_assert_int_eq(a.status, 0);
    ck_assert_ptr_null(strstr(a.out, "seeded sample"));
    ck_assert_ptr_nonnull(strstr(a.joined, "dX: 12 compared"));
    captured_free(&a);
}
END_TEST

// Every entry off by 0.01: the sample and the direction both fail.
START_TEST(test_sample_catches_wrong_gradient) {
    BudgetRun run = {false, 0.01};
    Captured a = capture_run(run_budget, &run);
    ck_assert_int_eq(a.status, 1);
    ck_assert_int_eq(count_substrings(a.joined, "): FAIL"), 2);
    captured_free(&a);
}
END_TEST

// The sweep: the library's backward passes all 72 cases; one that adds 1%
// to ∂L/∂b fails them.
typedef struct {
    double bias_factor;
} SweepRun;

static void library_backward(double *dx, double *dk, double *db, const double *g, const double *x, const double *k,
                             const ConvShape *s, void *ctx) {
    const SweepRun *run = ctx;
    conv_backward(dx, dk, db, g, x, k, s);
    for (int o = 0; o < s->out_c; o++) db[o] *= run->bias_factor;
}

static int run_sweep(void *ctx) {
    char *argv[] = {"t", "--no-color", NULL};
    const ChapterSpec spec = {.program = "t", .title = "T"};
    CommonOptions opt;
    char err[128];
    ck_assert_int_eq(parse_args(&opt, &spec, 2, argv, err, sizeof err), ARGS_OK);
    Report r;
    report_init(&r, &opt, "T");
    conv_check_sweep(&r, 1, library_backward, ctx);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

START_TEST(test_sweep) {
    SweepRun right = {1.0}, wrong = {1.01};
    Captured a = capture_run(run_sweep, &right);
    ck_assert_int_eq(a.status, 0);
    ck_assert_int_eq(count_substrings(a.out, "  pass\n"), 72);
    ck_assert_ptr_nonnull(strstr(a.joined, "in all 72 configurations: 3112 of 3112 compared"));
    captured_free(&a);
    Captured b = capture_run(run_sweep, &wrong);
    ck_assert_int_eq(b.status, 1);
    ck_assert_int_eq(count_substrings(b.out, "  fail\n"), 72);
    captured_free(&b);
}
END_TEST

Suite *make_conv_check_suite(void) {
    Suite *s = suite_create("conv_check");
    TCase *tc = tcase_create("budget");
    tcase_add_test(tc, test_entry_cost_by_hand);
    tcase_add_test(tc, test_budget_sample);
    tcase_add_test(tc, test_check_all_forces_every_entry);
    tcase_add_test(tc, test_sample_catches_wrong_gradient);
    suite_add_tcase(s, tc);
    TCase *sweep = tcase_create("sweep");
    tcase_set_timeout(sweep, 30);
    tcase_add_test(sweep, test_sweep);
    suite_add_tcase(s, sweep);
    return s;
}
