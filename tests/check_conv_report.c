// Showing a convolution layer (src/show/conv_report.h): the three forms of ∂L/∂X
// recorded as one identity check with real numbers, and the descent
// demonstration halving an overshooting step (never a verdict). Reports run
// in a forked child (tests/capture.h).
#include <check.h>
#include <string.h>

#include "capture.h"
#include "conv_report.h"
#include "example.h"

typedef void (*Body)(Report *r);

static int run_body(void *ctx) {
    Body body = *(Body *)ctx;
    char *argv[] = {"t", "--no-color", NULL};
    const ChapterSpec spec = {.program = "t", .title = "T"};
    CommonOptions opt;
    char err[128];
    ck_assert_int_eq(parse_args(&opt, &spec, 2, argv, err, sizeof err), ARGS_OK);
    Report r;
    report_init(&r, &opt, "T");
    body(&r);
    int status = report_finish(&r);
    options_free(&opt);
    return status;
}

// The running example with G = [1 0 0; 0 0 2]: all three forms give the
// same 12 entries (24 compared: scatter and Cᵀ against full), C printed.
static void forms_body(Report *r) {
    ConvShape s;
    conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1);
    double k[4], g[6] = {1, 0, 0, 0, 0, 2};
    memcpy(k, EXAMPLE_K, sizeof k);
    Tensor kv = tensor_view(k, 1, 2, 2), gv = tensor_view(g, 1, 2, 3);
    conv_report_three_forms(r, &kv, &gv, &s, true);
}

START_TEST(test_three_forms_identity) {
    Body body = forms_body;
    Captured c = capture_run(run_body, &body);
    ck_assert_int_eq(c.status, 0);
    ck_assert_ptr_nonnull(strstr(c.out, "C =\n"));
    ck_assert_ptr_nonnull(strstr(c.joined, "scatter = full convolution = Cᵀ·vec(∂L/∂Y): differences relative to"));
    ck_assert_ptr_nonnull(strstr(c.joined, "24 compared, max abs difference 0.0e+00"));
    captured_free(&c);
}
END_TEST

// L(k) = k² at k = 1 with ∂L/∂k = 2 and η = 1: the step lands on k = −1,
// L stays 1 (it did not fall: η is too large); η = 0.5 lands on 0, L = 0.
static double square(void *ctx, const double *k, const double *b, double *scale) {
    (void)ctx;
    (void)b;
    *scale = k[0] * k[0];
    return k[0] * k[0];
}

static void descent_body(Report *r) {
    double k = 1, b = 0, dk = 2, db = 0;
    Tensor kv = tensor_view(&k, 1, 1, 1), bv = tensor_view(&b, 1, 1, 1);
    Tensor dkv = tensor_view(&dk, 1, 1, 1), dbv = tensor_view(&db, 1, 1, 1);
    conv_report_descent(r, square, NULL, &kv, &bv, &dkv, &dbv, 1.0);
}

START_TEST(test_descent_halves_an_overshoot) {
    Body body = descent_body;
    Captured c = capture_run(run_body, &body);
    ck_assert_int_eq(c.status, 0); // a demonstration, never the exit status
    ck_assert_ptr_nonnull(strstr(c.out, "the loss did not fall: η = 1: L 1 → 1"));
    ck_assert_ptr_nonnull(strstr(c.out, "the loss fell: η = 0.5: L 1 → 0"));
    captured_free(&c);
}
END_TEST

Suite *make_conv_report_suite(void) {
    Suite *s = suite_create("conv_report");
    TCase *tc = tcase_create("report");
    tcase_add_test(tc, test_three_forms_identity);
    tcase_add_test(tc, test_descent_halves_an_overshoot);
    suite_add_tcase(s, tc);
    return s;
}
