// A chapter run again in-process (src/report/options.h, rerun_begin): what
// naming a wrong --answer's mistake relies on now that it neither forks nor
// executes the program (so that it runs under WASI). The re-run's report goes
// to the buffer, never to stdout, and an error inside it says which --bug's
// run stopped. Each case runs in a forked child (tests/proc.h).
#include <check.h>
#include <stdio.h>
#include <string.h>

#include "options.h"
#include "proc.h"
#include "report.h"
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

Suite *make_rerun_suite(void) {
    Suite *s = suite_create("rerun");
    TCase *tc = tcase_create("rerun");
    tcase_add_test(tc, test_rerun_output_goes_to_the_buffer);
    tcase_add_test(tc, test_outside_a_rerun_stdout_is_written);
    tcase_add_test(tc, test_error_in_a_rerun_names_the_bug);
    suite_add_tcase(s, tc);
    return s;
}
