#ifndef TESTS_REPORT_RUN_H
#define TESTS_REPORT_RUN_H
// Running a report in a forked child (tests/capture.h) as a chapter would:
// parse the common options, report a body, finish; and the two small bodies
// the report suites share. For check_report.c and check_report_answer.c.
#include "capture.h"
#include "report.h"

#define MAX_ARGS 8

typedef void (*Body)(Report *r);

typedef struct {
    const char *args[MAX_ARGS]; // NULL-terminated common options
    Body body;
} Run;

// The child: parse the options like a chapter, report, finish.
static inline int run_report(void *ctx) {
    const Run *run = ctx;
    char *argv[MAX_ARGS + 1] = {"report-test"};
    int argc = 1;
    for (int k = 0; run->args[k]; k++) argv[argc++] = (char *)run->args[k];
    const ChapterSpec spec = {.program = "report-test", .title = "T"};
    CommonOptions opt;
    char err[256];
    if (parse_args(&opt, &spec, argc, argv, err, sizeof err) != ARGS_OK) usage_error("%s", err);
    Report r;
    report_init(&r, &opt, "T");
    run->body(&r);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

static inline Captured capture_report(Body body, const char *a0, const char *a1, const char *a2, const char *a3) {
    Run run = {{a0, a1, a2, a3, NULL}, body};
    return capture_run(run_report, &run);
}

// M = [1 −2.5; 0 1.5e−7]: a sign, a fraction, a zero and an exponent.
static inline void matrix_body(Report *r) {
    double d[4] = {1, -2.5, 0, 1.5e-7};
    Tensor m = tensor_view(d, 1, 2, 2);
    report_quantity(r, "m", "M", &m);
}

// A vector, a negative zero that must print as 0, and a passing check.
static inline void mixed_body(Report *r) {
    double d[2] = {3, 0.5};
    Tensor v = tensor_view(d, 1, 1, 2);
    report_quantity(r, "v", "v", &v);
    report_scalar(r, "z", "z", -0.0);
    report_verdict(r, "d", true, "2 = 2");
}

#endif
