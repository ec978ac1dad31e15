// check_block (src/check/check_block.h), the one way a chapter checks a
// block: on L = Σ G∘(X ⋆ K) over K (tests/gradcheck_problems.h, written
// independently of src/), with ∂L/∂K[m,n] = Σ_ij G[i,j]·X[i+m, j+n]
// computed here by hand. A full check gives exactly the numbers of the
// bounded checker it wraps (carried or entry by entry); a block over the
// budget checks a seeded sample plus a direction; a wrong gradient fails
// both; skip marks, the second method and the caller's directions do what
// the header says.
#include <check.h>
#include <math.h>
#include <string.h>

#include "budget.h"
#include "check_block.h"
#include "gradcheck.h"
#include "gradcheck_problems.h"

// The running example: X = [8 9 2 7; 0 3 0 8; 8 8 9 9], K = [1 1; 1 2],
// G = [1 0 0; 0 0 2] (Y is 2x3), so ∂L/∂K[m,n] = X[m,n] + 2·X[m+1, n+2].
static XcorrProblem example(void) {
    XcorrProblem p = {.h = 3, .w = 4, .kh = 2, .kw = 2};
    const double x[12] = {8, 9, 2, 7, 0, 3, 0, 8, 8, 8, 9, 9}, k[4] = {1, 1, 1, 2}, g[6] = {1, 0, 0, 0, 0, 2};
    memcpy(p.x, x, sizeof x), memcpy(p.k, k, sizeof k), memcpy(p.g, g, sizeof g);
    return p;
}

static void kernel_gradient_by_hand(double *dk, const XcorrProblem *p) {
    for (int m = 0; m < p->kh; m++)
        for (int n = 0; n < p->kw; n++) {
            double s = 0.0;
            for (int i = 0; i < xc_oh(p); i++)
                for (int j = 0; j < xc_ow(p); j++) s += p->g[i * xc_ow(p) + j] * p->x[(i + m) * p->w + j + n];
            dk[m * p->kw + n] = s;
        }
}

static BlockSpec spec_of(XcorrProblem *p, const double *dk) {
    return (BlockSpec){.param = p->k,
                       .analytic = dk,
                       .n = 4,
                       .obj = {xcorr_loss, NULL, p},
                       .shape = LOSS_LINEAR,
                       .ops_per_eval = 24,
                       .rtol = GRADCHECK_REL_TOL,
                       .seed = 5};
}

// The hand values themselves: X[0,0] + 2·X[1,2] = 8, 9 + 2·8 = 25,
// X[1,0] + 2·X[2,2] = 18, 3 + 2·9 = 21.
START_TEST(test_hand_gradient) {
    XcorrProblem p = example();
    double dk[4];
    kernel_gradient_by_hand(dk, &p);
    const double want[4] = {8, 25, 18, 21};
    for (int e = 0; e < 4; e++) ck_assert_double_eq(dk[e], want[e]);
}
END_TEST

// A full check, steps carried: exactly numerical_gradient_bounded_linear's
// numbers over the whole block; entry by entry: numerical_gradient_at_linear's.
START_TEST(test_full_check_is_the_bounded_checker) {
    for (int carry = 0; carry < 2; carry++) {
        XcorrProblem p = example(), q = example();
        double dk[4];
        kernel_gradient_by_hand(dk, &p);
        BlockSpec spec = spec_of(&p, dk);
        spec.carry_steps = carry;
        BlockCheck c;
        ck_assert(block_check_run(&c, &spec));
        NumericalDerivative want[4];
        Objective obj = {xcorr_loss, NULL, &q};
        const int all[4] = {0, 1, 2, 3};
        if (carry)
            numerical_gradient_bounded_linear(want, q.k, 4, &obj);
        else
            numerical_gradient_at_linear(want, q.k, all, 4, &obj);
        ck_assert_int_eq(c.count, 4);
        ck_assert(!c.plan.sampled);
        for (int e = 0; e < 4; e++) {
            ck_assert_int_eq(c.idx[e], e);
            ck_assert(c.num[e].value == want[e].value && c.num[e].bound == want[e].bound);
        }
        ck_assert_int_eq(c.entries.verdict, VERDICT_PASS);
        ck_assert_int_eq(c.entries.compared, 4);
        ck_assert_int_eq(c.n_directions, 0);
        ck_assert_int_eq(memcmp(p.k, q.k, sizeof p.k), 0); // restored
        block_check_free(&c);
    }
}
END_TEST

// Over the budget (one evaluation priced at CHECK_BUDGET_OPS / 16: the
// budget pays for 2 entries of 8 evaluations): a seeded sample of 2, in
// increasing order, the same for the same seed, plus one direction.
START_TEST(test_sample_and_direction) {
    XcorrProblem p = example();
    double dk[4];
    kernel_gradient_by_hand(dk, &p);
    BlockSpec spec = spec_of(&p, dk);
    spec.ops_per_eval = CHECK_BUDGET_OPS / (2 * CHECK_EVALS_PER_ENTRY);
    BlockCheck a, b;
    ck_assert(block_check_run(&a, &spec));
    ck_assert(block_check_run(&b, &spec));
    ck_assert(a.plan.sampled);
    ck_assert_int_eq(a.count, 2);
    ck_assert(a.idx[0] < a.idx[1] && a.idx[1] < 4);
    ck_assert_int_eq(memcmp(a.idx, b.idx, 2 * sizeof *a.idx), 0);
    for (int s = 0; s < 2; s++) ck_assert_double_eq(a.analytic[s], dk[a.idx[s]]);
    ck_assert_int_eq(a.entries.verdict, VERDICT_PASS);
    ck_assert_int_eq(a.n_directions, 1);
    ck_assert_int_eq(a.directions.verdict, VERDICT_PASS);
    ck_assert(a.dir_analytic[0] == b.dir_analytic[0]);
    spec.check_all = true; // --check-all
    block_check_free(&b);
    ck_assert(block_check_run(&b, &spec));
    ck_assert_int_eq(b.count, 4);
    ck_assert_int_eq(b.n_directions, 0);
    block_check_free(&a), block_check_free(&b);
}
END_TEST

// A gradient 1% off in every entry: the sample fails, and so does the
// direction, which sees every entry.
START_TEST(test_wrong_gradient_fails_sample_and_direction) {
    XcorrProblem p = example();
    double dk[4];
    kernel_gradient_by_hand(dk, &p);
    for (int e = 0; e < 4; e++) dk[e] *= 1.01;
    BlockSpec spec = spec_of(&p, dk);
    spec.ops_per_eval = CHECK_BUDGET_OPS / (2 * CHECK_EVALS_PER_ENTRY);
    BlockCheck c;
    ck_assert(block_check_run(&c, &spec));
    ck_assert_int_eq(c.entries.verdict, VERDICT_FAIL);
    ck_assert_int_eq(c.directions.verdict, VERDICT_FAIL);
    block_check_free(&c);
}
END_TEST

// The second method sees exactly the checked entries, and its replacement
// counts: a stub that marks entry 2 as decided by it with a wrong value
// turns a right gradient's PASS into a FAIL there.
typedef struct {
    int calls, count;
} Seen;

static int second_stub(void *ctx, NumericalDerivative *num, const double *a, const bool *skip, const int *idx,
                       int count) {
    Seen *seen = ctx;
    (void)skip;
    seen->calls++, seen->count = count;
    for (int s = 0; s < count; s++)
        if (idx[s] == 2) num[s] = (NumericalDerivative){.value = a[s] + 1.0, .bound = 1e-12, .complex_step = true};
    return 1;
}

START_TEST(test_second_method) {
    XcorrProblem p = example();
    double dk[4];
    kernel_gradient_by_hand(dk, &p);
    Seen seen = {0, 0};
    BlockSpec spec = spec_of(&p, dk);
    spec.second = second_stub, spec.second_ctx = &seen;
    BlockCheck c;
    ck_assert(block_check_run(&c, &spec));
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(seen.count, 4);
    ck_assert_int_eq(c.by_second, 1);
    ck_assert_int_eq(c.entries.verdict, VERDICT_FAIL);
    ck_assert_int_eq(c.entries.failed, 1);
    block_check_free(&c);
}
END_TEST

// Skip marks are counted, never failed, even under a wrong value; the
// caller's directions are used (and checked on a full block when asked):
// along e₀ + e₁ the derivative is dk[0] + dk[1] = 33.
START_TEST(test_skip_and_caller_directions) {
    XcorrProblem p = example();
    double dk[4];
    kernel_gradient_by_hand(dk, &p);
    dk[3] = -100.0; // wrong, but skipped
    bool skip[4] = {false, false, false, true};
    const double first_two[4] = {1, 1, 0, 0};
    const double *dirs[] = {first_two};
    BlockSpec spec = spec_of(&p, dk);
    spec.skip = skip, spec.skip_reason = "marked";
    spec.directions = dirs, spec.n_directions = 1, spec.directions_always = true;
    BlockCheck c;
    ck_assert(block_check_run(&c, &spec));
    ck_assert_int_eq(c.entries.verdict, VERDICT_PASS);
    ck_assert_int_eq(c.entries.compared, 3);
    ck_assert_int_eq(c.entries.skipped, 1);
    ck_assert_int_eq(c.n_directions, 1);
    ck_assert_double_eq(c.dir_analytic[0], 33.0);
    ck_assert_int_eq(c.directions.verdict, VERDICT_PASS);
    block_check_free(&c);
}
END_TEST

Suite *make_check_block_suite(void) {
    Suite *s = suite_create("check_block");
    TCase *tc = tcase_create("check_block");
    tcase_add_test(tc, test_hand_gradient);
    tcase_add_test(tc, test_full_check_is_the_bounded_checker);
    tcase_add_test(tc, test_sample_and_direction);
    tcase_add_test(tc, test_wrong_gradient_fails_sample_and_direction);
    tcase_add_test(tc, test_second_method);
    tcase_add_test(tc, test_skip_and_caller_directions);
    suite_add_tcase(s, tc);
    return s;
}
