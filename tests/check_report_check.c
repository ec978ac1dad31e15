// The verdict line of a bounded gradient check (src/report/report_check.c)
// names the entry its printed maximum belongs to: "max rel error E at (i,j)"
// is that entry's own relative error, never another entry's position.
#include <check.h>
#include <math.h>
#include <string.h>

#include "gradcheck.h"
#include "proc.h"
#include "report.h"

// Entry 0 is 0 against 0 (nearest its allowance of 0: the checker's worst);
// entry 1 is 2 against 2 + 1e-9, a relative error of 5e-10 (the maximum);
// entry 2 is 4 against 4 + 1e-9, 2.5e-10.
static int bounded_body(void *ctx) {
    (void)ctx;
    static char *argv[] = {"report-check-test", NULL};
    const ChapterSpec spec = {.program = "report-check-test", .title = "T"};
    CommonOptions opt;
    char err[256];
    if (parse_args(&opt, &spec, 1, argv, err, sizeof err) != ARGS_OK) return 99;
    Report r;
    report_init(&r, &opt, "T");
    double analytic[] = {0.0, 2.0, 4.0};
    NumericalDerivative num[3] = {{.value = 0.0}, {.value = 2.0 + 1e-9, .bound = 1e-8},
                                  {.value = 4.0 + 1e-9, .bound = 1e-8}};
    BoundedSummary s = compare_bounded(analytic, num, NULL, NULL, 3, 1e-6);
    Tensor t = tensor_view(analytic, 1, 1, 3);
    report_gradient_check(&r, "g", &t, num, NULL, s);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

START_TEST(test_max_rel_error_names_its_entry) {
    ProcResult p = capture_run(bounded_body, NULL);
    ck_assert_int_eq(p.status, 0);
    ck_assert_msg(strstr(p.joined, "max rel error 5.0e-10 at [1]") != NULL, "%s", p.out);
    ck_assert_ptr_null(strstr(p.joined, "at [0]"));
    proc_free(&p);
}
END_TEST

Suite *make_report_check_suite(void) {
    Suite *s = suite_create("report_check");
    TCase *tc = tcase_create("report_check");
    tcase_add_test(tc, test_max_rel_error_names_its_entry);
    suite_add_tcase(s, tc);
    return s;
}
