// A chapter run again in-process (src/report/options.h, rerun_begin): what
// naming a wrong --answer's mistake relies on now that it neither forks nor
// executes the program (so that it runs under WASI). The re-run's report goes
// to the buffer, never to stdout, and an error inside it says which --bug's
// run stopped. Each case runs in a forked child (tests/proc.h).
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "conv_check.h"
#include "example.h"
#include "options.h"
#include "proc.h"
#include "report.h"
#include "report_internal.h"
#include "strbuf.h"

// A report as a chapter's main makes one, with --format json.
static int report_json(void) {
    char *argv[] = {"rerun-test", "--format", "json", NULL};
    const ChapterSpec spec = {.program = "rerun-test", .title = "T"};
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, 3, argv);
    Report r;
    report_init(&r, &opt, "T");
    double d[2] = {1.5, -2};
    Tensor m = tensor_view(d, 1, 1, 2);
    report_quantity(&r, "m", "M", &m);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

static int rerun_captured(void *ctx) {
    (void)ctx;
    StrBuf b = {0};
    rerun_begin(&b, "some-bug");
    int status = report_json();
    rerun_end();
    // Only this line reaches stdout: the re-run's JSON is in b.
    printf("status %d, outside %s, captured: %s", status, rerun_output() ? "no" : "yes", sb_str(&b));
    sb_free(&b);
    return 0;
}

START_TEST(test_rerun_output_goes_to_the_buffer) {
    Captured c = capture_run(rerun_captured, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_str_eq(c.err, "");
    const char *start = "status 0, outside yes, captured: {\n";
    ck_assert_msg(strncmp(c.out, start, strlen(start)) == 0, "stdout: %s", c.out);
    ck_assert_ptr_nonnull(strstr(c.out, "\n  \"m\": [1.5, -2]"));
    captured_free(&c);
}
END_TEST

static int plain_run(void *ctx) {
    (void)ctx;
    return report_json();
}

// The same report outside a re-run writes stdout: the buffer is the re-run's alone.
START_TEST(test_outside_a_rerun_stdout_is_written) {
    Captured c = capture_run(plain_run, NULL);
    ck_assert_int_eq(c.status, 0);
    ck_assert_msg(strncmp(c.out, "{\n", 2) == 0, "stdout: %s", c.out);
    captured_free(&c);
}
END_TEST

static int rerun_error(void *ctx) {
    (void)ctx;
    StrBuf b = {0};
    rerun_begin(&b, "no-rot180");
    usage_error("--input/--upstream: the gradient is not finite");
}

START_TEST(test_error_in_a_rerun_names_the_bug) {
    Captured c = capture_run(rerun_error, NULL);
    ck_assert_usage_error(c, "error: --answer: naming the mistake ran --bug no-rot180, which stopped: "
                             "--input/--upstream: the gradient is not finite\n");
    captured_free(&c);
}
END_TEST

// ---------------------------------------------------------------- what a re-run leaves out

static int count_substrings(const char *s, const char *what) {
    int n = 0;
    for (const char *p = strstr(s, what); p; p = strstr(p + 1, what)) n++;
    return n;
}

typedef struct {
    bool in_rerun, checks; // inside report_rerun_scope_begin(answers, checks)
} RerunScope;

// Two checks of the running example's ∂L/∂X (G = [1 0 0; 0 0 2], so dX =
// [1 1 0 0; 1 2 2 2; 0 0 2 4], as in check_conv_check.c) with every entry
// 0.01 off: each fails in a run of its own. The answers are for db.
static int two_wrong_checks(void *ctx) {
    const RerunScope *scope = ctx;
    char *argv[] = {"t", "--no-color", NULL}, *answered[] = {"t", "--answer", "db=1", NULL};
    const ChapterSpec spec = {.program = "t", .title = "T"};
    CommonOptions opt, answers;
    parse_args_or_exit(&opt, &spec, 2, argv);
    parse_args_or_exit(&answers, &spec, 3, answered);
    if (scope->in_rerun) report_rerun_scope_begin(answers.answers, answers.n_answers, scope->checks);
    Report r;
    report_init(&r, &opt, "T");
    ConvShape s;
    conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1);
    double x[12], k[4], b = 0, g[6] = {1, 0, 0, 0, 0, 2};
    double dx[12] = {1, 1, 0, 0, 1, 2, 2, 2, 0, 0, 2, 4};
    memcpy(x, EXAMPLE_X, sizeof x);
    memcpy(k, EXAMPLE_K, sizeof k);
    for (int q = 0; q < 12; q++) dx[q] += 0.01;
    Tensor a = tensor_view(dx, 1, 3, 4);
    ConvObjective ctx_x = {&s, x, k, &b, g, CONV_BLOCK_INPUT, 0};
    ConvCheckPlan p = {true, 7};
    conv_check_block(&r, "dX", &ctx_x, x, &a, &p);
    conv_check_block(&r, "dX again", &ctx_x, x, &a, &p);
    int status = report_finish(&r);
    report_rerun_scope_end();
    options_free(&opt);
    options_free(&answers);
    return status;
}

// A --bug variant's first run gives values only: no check runs, so no
// verdict; the run for the section stops checking at the first failure.
START_TEST(test_a_rerun_skips_the_checks) {
    RerunScope plain = {false, false}, values = {true, false}, sections = {true, true};
    Captured a = capture_run(two_wrong_checks, &plain);
    Captured b = capture_run(two_wrong_checks, &values);
    Captured c = capture_run(two_wrong_checks, &sections);
    ck_assert_int_eq(a.status, 1);
    ck_assert_int_eq(count_substrings(a.joined, "): FAIL"), 2);
    ck_assert_int_eq(b.status, 0);
    ck_assert_int_eq(count_substrings(b.joined, "dX"), 0);
    ck_assert_ptr_nonnull(strstr(b.out, "no check"));
    ck_assert_int_eq(c.status, 1);
    ck_assert_int_eq(count_substrings(c.joined, "): FAIL"), 1);
    ck_assert_ptr_null(strstr(c.joined, "dX again"));
    captured_free(&a);
    captured_free(&b);
    captured_free(&c);
}
END_TEST

// --format json with quantities db and dK; the answers are for db.
static int two_quantities(void *ctx) {
    const RerunScope *scope = ctx;
    char *argv[] = {"t", "--format", "json", NULL}, *answered[] = {"t", "--answer", "db=1", NULL};
    const ChapterSpec spec = {.program = "t", .title = "T"};
    CommonOptions opt, answers;
    parse_args_or_exit(&opt, &spec, 3, argv);
    parse_args_or_exit(&answers, &spec, 3, answered);
    if (scope->in_rerun) report_rerun_scope_begin(answers.answers, answers.n_answers, false);
    Report r;
    report_init(&r, &opt, "T");
    double d[2] = {1.5, -2};
    Tensor m = tensor_view(d, 1, 1, 2);
    report_quantity(&r, "db", "∂L/∂b", &m);
    report_quantity(&r, "dK", "∂L/∂K", &m);
    int status = report_finish(&r);
    report_rerun_scope_end();
    options_free(&opt);
    options_free(&answers);
    return status;
}

// A re-run renders the answered key only: a 1024x1024 dX it does not need
// would take a quarter of a second.
START_TEST(test_a_rerun_renders_only_answered_keys) {
    RerunScope plain = {false, false}, rerun = {true, false};
    Captured a = capture_run(two_quantities, &plain), b = capture_run(two_quantities, &rerun);
    ck_assert_ptr_nonnull(strstr(a.out, "\n  \"db\": [1.5, -2]"));
    ck_assert_ptr_nonnull(strstr(a.out, "\n  \"dK\": [1.5, -2]"));
    ck_assert_ptr_nonnull(strstr(b.out, "\n  \"db\": [1.5, -2]"));
    ck_assert_ptr_null(strstr(b.out, "\"dK\""));
    captured_free(&a);
    captured_free(&b);
}
END_TEST

Suite *make_rerun_suite(void) {
    Suite *s = suite_create("rerun");
    TCase *tc = tcase_create("rerun");
    tcase_add_test(tc, test_rerun_output_goes_to_the_buffer);
    tcase_add_test(tc, test_outside_a_rerun_stdout_is_written);
    tcase_add_test(tc, test_error_in_a_rerun_names_the_bug);
    tcase_add_test(tc, test_a_rerun_skips_the_checks);
    tcase_add_test(tc, test_a_rerun_renders_only_answered_keys);
    suite_add_tcase(s, tc);
    return s;
}
