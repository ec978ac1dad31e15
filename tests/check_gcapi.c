// The public checker (include/gradcheck.h): every error code, the three
// verdicts on losses whose gradients are derived by hand, the sample with
// its directional check, the layer form, and the reports.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/gradcheck.h"
#include "arraylen.h"
#include "jsonlint.h"

// ---------------------------------------------------------------- losses

// L = Σ c_k θ_k² + θ_0·θ_1: ∂L/∂θ_k = 2 c_k θ_k, plus θ_1 at k = 0 and θ_0
// at k = 1 (by hand).
typedef struct {
    double theta[50];
    double c[50];
    int n;
    int calls;
    int nan_after;  // > 0: return NaN from this call on
    int drift;      // nonzero: every call moves theta[n-1] (a callback bug)
    int noisy;      // nonzero: every call adds calls·1e-9 (not deterministic)
} Quad;

static double quad_loss(void *ctx, double *scale) {
    Quad *q = ctx;
    q->calls++;
    if (q->nan_after > 0 && q->calls >= q->nan_after) return NAN;
    if (q->drift) q->theta[q->n - 1] += 1e-3;
    double sum = q->theta[0] * q->theta[1], terms = fabs(sum);
    for (int k = 0; k < q->n; k++) {
        sum += q->c[k] * q->theta[k] * q->theta[k];
        terms += fabs(q->c[k] * q->theta[k] * q->theta[k]);
    }
    *scale = terms;
    return sum + (q->noisy ? q->calls * 1e-9 : 0.0);
}

static double quad_local(void *ctx, int k, double *scale) {
    Quad *q = ctx;
    q->calls += 1000; // counted apart from whole-loss calls
    double t = q->c[k] * q->theta[k] * q->theta[k];
    if (k == 0 || k == 1) t += q->theta[0] * q->theta[1];
    *scale = fabs(t);
    return t;
}

static void quad_make(Quad *q, int n) {
    memset(q, 0, sizeof *q);
    q->n = n;
    for (int k = 0; k < n; k++) {
        q->theta[k] = 0.3 + 0.1 * k;
        q->c[k] = 1.0 + 0.5 * (k % 3);
    }
}

static void quad_grad(double *g, const Quad *q) {
    for (int k = 0; k < q->n; k++) g[k] = 2.0 * q->c[k] * q->theta[k];
    g[0] += q->theta[1];
    g[1] += q->theta[0];
}

static unsigned char work[1 << 16];

// ---------------------------------------------------------------- verdicts

START_TEST(test_right_gradient_passes) {
    Quad q;
    quad_make(&q, 6);
    double g[6];
    quad_grad(g, &q);
    gc_entry e[6];
    gc_result r;
    ck_assert_int_eq(gc_check(&r, e, q.theta, g, 6, quad_loss, NULL, &q, NULL, work), GC_OK);
    ck_assert_int_eq(r.verdict, GC_PASS);
    ck_assert_int_eq(r.compared, 6);
    ck_assert_int_eq(r.skipped, 0);
    for (int k = 0; k < 6; k++) {
        double rel = fabs(e[k].analytic - e[k].numerical) / fabs(e[k].analytic);
        ck_assert_msg(rel < 1e-8, "entry %d: relative error %g", k, rel);
        ck_assert(e[k].bound > 0.0 && e[k].bound < e[k].allowed);
        ck_assert_int_eq(e[k].verdict, GC_PASS);
    }
    ck_assert_int_eq(r.evaluations, 2 + 4 * 6); // the probe, then 4 per entry
}
END_TEST

// The same loss with one entry 0.1% off, the cross term left out, and the
// factor 2 forgotten: each fails, at the entry that is wrong.
START_TEST(test_wrong_gradients_fail_at_their_entry) {
    for (int mistake = 0; mistake < 3; mistake++) {
        Quad q;
        quad_make(&q, 6);
        double g[6];
        quad_grad(g, &q);
        int wrong = mistake == 0 ? 4 : mistake == 1 ? 0 : 2;
        if (mistake == 0) g[4] *= 1.001;
        if (mistake == 1) g[0] -= q.theta[1];
        if (mistake == 2) g[2] /= 2.0;
        gc_entry e[6];
        gc_result r;
        ck_assert_int_eq(gc_check(&r, e, q.theta, g, 6, quad_loss, NULL, &q, NULL, work), GC_OK);
        ck_assert_int_eq(r.verdict, GC_FAIL);
        ck_assert_int_eq(r.failed, 1);
        ck_assert_int_eq(r.worst, wrong);
        ck_assert_int_eq(e[wrong].verdict, GC_FAIL);
    }
}
END_TEST

START_TEST(test_nonfinite_analytic_fails) {
    const double bad[] = {INFINITY, -INFINITY, NAN};
    for (int i = 0; i < (int)ARRAY_LEN(bad); i++) {
        Quad q;
        quad_make(&q, 3);
        double g[3];
        quad_grad(g, &q);
        g[1] = bad[i];
        gc_result r;
        gc_entry e[3];
        ck_assert_int_eq(gc_check(&r, e, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_OK);
        ck_assert_int_eq(r.verdict, GC_FAIL);
        ck_assert_int_eq(e[1].verdict, GC_FAIL);
    }
}
END_TEST

START_TEST(test_theta_restored_bit_for_bit) {
    Quad q;
    quad_make(&q, 5);
    double before[5], g[5];
    memcpy(before, q.theta, sizeof before);
    quad_grad(g, &q);
    gc_result r;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 5, quad_loss, NULL, &q, NULL, work), GC_OK);
    ck_assert_mem_eq(before, q.theta, sizeof before);
}
END_TEST

START_TEST(test_local_terms_are_used) {
    Quad q;
    quad_make(&q, 4);
    double g[4];
    quad_grad(g, &q);
    gc_result r;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 4, quad_loss, quad_local, &q, NULL, work), GC_OK);
    ck_assert_int_eq(r.verdict, GC_PASS);
    ck_assert_int_eq(q.calls % 1000, 2);        // only the probe used the whole loss
    ck_assert_int_eq(q.calls / 1000, 4 * 4);    // every difference the local terms
    g[3] = -g[3];
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 4, quad_loss, quad_local, &q, NULL, work), GC_OK);
    ck_assert_int_eq(r.verdict, GC_FAIL);
}
END_TEST

// A sample of 10 of 50 entries; a mistake outside the sample is still
// caught by the directional check over all of them.
START_TEST(test_sample_and_direction) {
    Quad q;
    quad_make(&q, 50);
    double g[50];
    quad_grad(g, &q);
    gc_options o = gc_options_default();
    o.max_entries = 10;
    gc_entry e[50];
    gc_result r;
    ck_assert_int_eq(gc_check(&r, e, q.theta, g, 50, quad_loss, NULL, &q, &o, work), GC_OK);
    ck_assert_int_eq(r.verdict, GC_PASS);
    ck_assert_int_eq(r.compared, 10);
    ck_assert_int_eq(r.skipped, 40);
    ck_assert(r.direction.done);
    ck_assert_int_eq(r.direction.verdict, GC_PASS);
    int outside = -1;
    for (int k = 0; k < 50 && outside < 0; k++)
        if (e[k].verdict == GC_NOTHING_COMPARED) outside = k;
    ck_assert_int_ge(outside, 0);
    g[outside] *= 1.5;
    ck_assert_int_eq(gc_check(&r, e, q.theta, g, 50, quad_loss, NULL, &q, &o, work), GC_OK);
    ck_assert_int_eq(r.failed, 0);
    ck_assert_int_eq(r.direction.verdict, GC_FAIL);
    ck_assert_int_eq(r.verdict, GC_FAIL);
}
END_TEST

// Y = A·θ (3 outputs, 2 entries): ∂(Σ G∘Y)/∂θ = Aᵀ G by hand.
typedef struct {
    double A[3][2], theta[2];
} Lin;

static void lin_forward(void *ctx, double *y, double *y_scale) {
    Lin *l = ctx;
    for (int i = 0; i < 3; i++) {
        y[i] = l->A[i][0] * l->theta[0] + l->A[i][1] * l->theta[1];
        y_scale[i] = fabs(l->A[i][0] * l->theta[0]) + fabs(l->A[i][1] * l->theta[1]);
    }
}

START_TEST(test_layer_form) {
    Lin l = {{{1, 2}, {-3, 0.5}, {0.25, 4}}, {0.7, -1.3}};
    const double G[3] = {1, -2, 0.5};
    double right[2] = {1 * 1 + -3 * -2 + 0.25 * 0.5, 2 * 1 + 0.5 * -2 + 4 * 0.5};
    double transposed_wrong[2] = {1 * 1 + 2 * -2, -3 * 1 + 0.5 * -2};
    gc_result r;
    size_t need = gc_layer_workspace_size(2, 3);
    ck_assert(need > 0 && need <= sizeof work);
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, right, 2, lin_forward, &l, G, 3, NULL, work), GC_OK);
    ck_assert_int_eq(r.verdict, GC_PASS);
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, transposed_wrong, 2, lin_forward, &l, G, 3, NULL, work),
                     GC_OK);
    ck_assert_int_eq(r.verdict, GC_FAIL);
}
END_TEST

// ---------------------------------------------------------------- error codes

START_TEST(test_error_size_null_option) {
    Quad q;
    quad_make(&q, 3);
    double g[3];
    quad_grad(g, &q);
    gc_result r;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 0, quad_loss, NULL, &q, NULL, work), GC_ERR_SIZE);
    ck_assert_int_eq(r.verdict, GC_NOTHING_COMPARED);
    ck_assert(strstr(r.message, "n must be positive") != NULL);
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, -4, quad_loss, NULL, &q, NULL, work), GC_ERR_SIZE);
    ck_assert_int_eq(gc_check(NULL, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check(&r, NULL, NULL, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, NULL, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, NULL, NULL, &q, NULL, work), GC_ERR_NULL);
    ck_assert(strstr(r.message, "loss callback") != NULL);
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, NULL), GC_ERR_NULL);
    const double bad_rtol[] = {0.0, -1e-6, 1.0, NAN};
    for (int i = 0; i < (int)ARRAY_LEN(bad_rtol); i++) {
        gc_options o = gc_options_default();
        o.rtol = bad_rtol[i];
        ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, &o, work), GC_ERR_OPTION);
    }
    gc_options o = gc_options_default();
    o.max_entries = -1;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, &o, work), GC_ERR_OPTION);
    Lin l = {{{1, 2}, {-3, 0.5}, {0.25, 4}}, {0.7, -1.3}};
    const double G[3] = {1, -2, 0.5};
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, g, 2, NULL, &l, G, 3, NULL, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, g, 2, lin_forward, &l, NULL, 3, NULL, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, g, 2, lin_forward, &l, G, 0, NULL, work), GC_ERR_SIZE);
    ck_assert_int_eq(gc_workspace_size(0), 0);
    ck_assert_int_eq(gc_layer_workspace_size(3, -1), 0);
}
END_TEST

START_TEST(test_error_nonfinite) {
    Quad q;
    quad_make(&q, 3);
    double g[3];
    quad_grad(g, &q);
    gc_result r;
    q.theta[2] = NAN;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NONFINITE_INPUT);
    ck_assert(strstr(r.message, "theta[2]") != NULL);
    quad_make(&q, 3);
    q.nan_after = 1; // NaN at θ itself
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NONFINITE_LOSS);
    quad_make(&q, 3);
    q.nan_after = 5; // NaN once the check perturbs θ
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NONFINITE_LOSS);
    ck_assert_int_eq(r.verdict, GC_NOTHING_COMPARED);
    Lin l = {{{1, 2}, {-3, 0.5}, {0.25, 4}}, {0.7, -1.3}};
    const double G[3] = {1, INFINITY, 0.5};
    ck_assert_int_eq(gc_check_layer(&r, NULL, l.theta, g, 2, lin_forward, &l, G, 3, NULL, work),
                     GC_ERR_NONFINITE_INPUT);
}
END_TEST

START_TEST(test_error_callback_changes_theta_or_state) {
    Quad q;
    quad_make(&q, 3);
    double g[3], before[3];
    quad_grad(g, &q);
    memcpy(before, q.theta, sizeof before);
    gc_result r;
    q.drift = 1;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_PARAM_CHANGED);
    ck_assert_mem_eq(before, q.theta, sizeof before); // restored
    quad_make(&q, 3);
    q.noisy = 1;
    ck_assert_int_eq(gc_check(&r, NULL, q.theta, g, 3, quad_loss, NULL, &q, NULL, work), GC_ERR_NONDETERMINISTIC);
    ck_assert(strstr(r.message, "same theta") != NULL);
}
END_TEST

START_TEST(test_direction_errors_and_verdicts) {
    Quad q;
    quad_make(&q, 6);
    double g[6];
    quad_grad(g, &q);
    gc_block blocks[2] = {{q.theta, g, 2}, {q.theta + 2, g + 2, 4}};
    gc_direction d;
    ck_assert(gc_direction_workspace_size(2, 6) <= sizeof work);
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_OK);
    ck_assert_int_eq(d.verdict, GC_PASS);
    g[5] *= 1.01;
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_OK);
    ck_assert_int_eq(d.verdict, GC_FAIL);
    ck_assert_int_eq(gc_check_direction(NULL, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check_direction(&d, blocks, 0, quad_loss, &q, 3, 1e-6, work), GC_ERR_SIZE);
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, NULL, &q, 3, 1e-6, work), GC_ERR_NULL);
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 2.0, work), GC_ERR_OPTION);
    q.drift = 1;
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_ERR_PARAM_CHANGED);
    quad_make(&q, 6);
    q.nan_after = 1;
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_ERR_NONFINITE_LOSS);
    quad_make(&q, 6);
    q.theta[1] = INFINITY;
    ck_assert_int_eq(gc_check_direction(&d, blocks, 2, quad_loss, &q, 3, 1e-6, work), GC_ERR_NONFINITE_INPUT);
}
END_TEST

// ---------------------------------------------------------------- reports

static char *report_to_string(int json, const gc_result *r, const gc_entry *e) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(json ? gc_report_json(f, "dtheta", r, e) : gc_report_text(f, "dtheta", r, e), GC_OK);
    long size = ftell(f);
    rewind(f);
    char *s = calloc((size_t)size + 1, 1);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(fread(s, 1, (size_t)size, f), size);
    fclose(f);
    return s;
}

START_TEST(test_reports) {
    Quad q;
    quad_make(&q, 5);
    double g[5];
    quad_grad(g, &q);
    g[3] *= -1.0;
    gc_entry e[5];
    gc_result r;
    ck_assert_int_eq(gc_check(&r, e, q.theta, g, 5, quad_loss, NULL, &q, NULL, work), GC_OK);
    char *text = report_to_string(0, &r, e);
    ck_assert(strstr(text, "dtheta: FAIL\n") != NULL);
    ck_assert(strstr(text, "5 of 5 compared, 0 skipped, 1 failed") != NULL);
    ck_assert(strstr(text, "worst entry: 3, furthest outside its allowance") != NULL);
    for (char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        ck_assert_msg(len <= 80, "a line of %zu columns", len);
        line += len + (line[len] == '\n');
    }
    free(text);
    char *json = report_to_string(1, &r, e);
    ck_assert_msg(jsonlint_is_one_object(json), "not one JSON object: %s", json);
    ck_assert(strstr(json, "\"verdict\":\"fail\"") != NULL);
    ck_assert(strstr(json, "\"worst\":3") != NULL);
    free(json);
    FILE *full = fopen("/dev/full", "w");
    if (full) {
        ck_assert_int_eq(gc_report_text(full, "x", &r, e), GC_ERR_WRITE);
        ck_assert_int_eq(gc_report_json(full, "x", &r, e), GC_ERR_WRITE);
        fclose(full);
    }
    ck_assert_int_eq(gc_report_text(NULL, "x", &r, e), GC_ERR_NULL);
}
END_TEST

START_TEST(test_status_and_verdict_strings) {
    for (int s = GC_OK; s <= GC_ERR_WRITE; s++) {
        const char *m = gc_status_string((gc_status)s);
        ck_assert(m && *m && strcmp(m, "unknown status") != 0);
    }
    ck_assert_str_eq(gc_verdict_string(GC_PASS), "pass");
    ck_assert_str_eq(gc_verdict_string(GC_INCONCLUSIVE), "inconclusive");
    ck_assert_str_eq(gc_verdict_string(GC_NOTHING_COMPARED), "nothing compared");
}
END_TEST

Suite *make_gcapi_suite(void) {
    Suite *s = suite_create("gcapi");
    TCase *tc = tcase_create("gcapi");
    tcase_add_test(tc, test_right_gradient_passes);
    tcase_add_test(tc, test_wrong_gradients_fail_at_their_entry);
    tcase_add_test(tc, test_nonfinite_analytic_fails);
    tcase_add_test(tc, test_theta_restored_bit_for_bit);
    tcase_add_test(tc, test_local_terms_are_used);
    tcase_add_test(tc, test_sample_and_direction);
    tcase_add_test(tc, test_layer_form);
    tcase_add_test(tc, test_error_size_null_option);
    tcase_add_test(tc, test_error_nonfinite);
    tcase_add_test(tc, test_error_callback_changes_theta_or_state);
    tcase_add_test(tc, test_direction_errors_and_verdicts);
    tcase_add_test(tc, test_reports);
    tcase_add_test(tc, test_status_and_verdict_strings);
    suite_add_tcase(s, tc);
    return s;
}
