// Local finite differences for the chapter-6 network (src/layers/network_local.h):
// the local change ΔL agrees with the whole network's L(θ) − L(θ₀) to
// rounding, for every entry of every block and for steps that cross kinks,
// on random cases and at a max-pool near-tie; the bounded check built on it
// passes a right gradient there (where the whole-network loss cannot
// resolve it) and catches a wrong ∂L/∂X; skipped entries are not evaluated
// and every entry is restored.
#include <check.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "network.h"
#include "network_buffers.h"
#include "network_local.h"
#include "rng.h"

// The bounded check's relative tolerance (chapter 6's): a right gradient
// agrees to round-off; the test's mistake is off by 1e-3.
#define CHECK_RTOL 1e-6
// A near-tie's gap: two cells of one pooling window this far apart, so the
// first step (6e-6 of the entry) crosses the kink and the checker must
// shrink to ~1e-9, where ε·|L|/h of the whole loss is ~1e-6 of ∂L/∂X.
#define NEAR_TIE_GAP 3e-9

typedef struct {
    int h, w, kernels, k;
} Size;

static const Size SIZES[] = {{3, 4, 1, 2}, {8, 8, 4, 3}, {7, 9, 3, 2}, {5, 4, 2, 1}, {6, 6, 2, 5}};

typedef struct {
    NetShape s;
    NetBuffers b;
    NetProblem prob;
} Fix;

static void fix_init(Fix *f, Size z, uint64_t seed, double y) {
    ck_assert(net_shape_init(&f->s, z.h, z.w, z.kernels, z.k));
    ck_assert(net_buffers_alloc(&f->b, &f->s));
    Rng r = rng_make(seed);
    for (int k = 0; k < f->s.n_input; k++) f->b.x[k] = rng_uniform(&r);
    for (int k = 0; k < f->s.n_params; k++) f->b.params[k] = rng_range(&r, -0.5, 0.5);
    f->prob = (NetProblem){&f->s, f->b.params, f->b.x, y, &f->b.a2};
}

// A 1×1 kernel makes conv cells scaled pixels: X(0,1) = X(0,0) + gap puts
// every channel's window (0,0) at a near-tie (a unique max, gap·|K_c| ahead).
static void fix_near_tie(Fix *f, double y) {
    Size z = {4, 5, 2, 1};
    fix_init(f, z, 77, y);
    f->b.x[1] = f->b.x[0] + NEAR_TIE_GAP;
}

static void analytic(Fix *f) {
    memset(f->b.grads, 0, (size_t)f->s.n_params * sizeof(double));
    memset(f->b.dx, 0, (size_t)f->s.n_input * sizeof(double));
    net_forward(&f->b.a, f->b.params, f->b.x, f->prob.y, &f->s);
    net_backward(f->b.grads, f->b.dx, &f->b.a, f->b.params, f->b.x, f->prob.y, &f->s);
}

// For every entry of every block and each step δ: the local ΔL against the
// whole loss's L(θ₀ + δ) − L(θ₀), within 8ε times both sides' scales.
static void assert_local_matches_whole(Fix *f, const double *steps, int n_steps) {
    NetLocal l;
    ck_assert(net_local_init(&l, &f->prob));
    double s0, L0 = net_objective_whole(&f->prob, &s0);
    for (int b = 0; b < NET_BLOCK_COUNT; b++) {
        int count;
        double *e = net_block_entries(&l, (NetBlock)b, &count);
        for (int k = 0; k < count; k++)
            for (int t = 0; t < n_steps; t++) {
                double saved = e[k], sw, sl;
                e[k] = saved + steps[t] * fmax(fabs(saved), 1e-3);
                double whole = net_objective_whole(&f->prob, &sw) - L0;
                double local = net_local_delta(&l, (NetBlock)b, k, &sl);
                e[k] = saved;
                double allowed = GRADCHECK_ROUNDOFF_SAFETY * DBL_EPSILON * (sw + s0 + sl);
                ck_assert_msg(fabs(local - whole) <= allowed, "block %d entry %d step %g: local %.17g whole %.17g",
                              b, k, steps[t], local, whole);
                ck_assert(sl >= fabs(local));
            }
    }
    net_local_free(&l);
}

// Steps from checker-sized to ones that cross many kinks of the max.
static const double STEPS[] = {1e-9, -3e-7, 6e-6, -1e-3, 0.05, -0.3, 1.0};

START_TEST(test_local_matches_whole_random) {
    Fix f;
    fix_init(&f, SIZES[_i % ARRAY_LEN(SIZES)], 300 + (uint64_t)_i, _i % 2);
    assert_local_matches_whole(&f, STEPS, ARRAY_LEN(STEPS));
    net_buffers_free(&f.b);
}
END_TEST

// Steps across the near-tie's gap (below it, at it, just past it).
START_TEST(test_local_matches_whole_near_tie) {
    Fix f;
    fix_near_tie(&f, _i);
    const double across[] = {1e-10, -2e-9, 5e-9, -7e-9, 1e-8, 6e-6};
    assert_local_matches_whole(&f, across, ARRAY_LEN(across));
    assert_local_matches_whole(&f, STEPS, ARRAY_LEN(STEPS));
    net_buffers_free(&f.b);
}
END_TEST

// The bounded check with local differences on every block.
static BoundedSummary check_block(Fix *f, NetBlock b, const double *grad, const bool *skip) {
    NetLocal l;
    ck_assert(net_local_init(&l, &f->prob));
    int count;
    net_block_entries(&l, b, &count);
    NumericalDerivative *num = calloc((size_t)count, sizeof *num);
    ck_assert_ptr_nonnull(num);
    net_local_gradient(num, &l, b, skip);
    BoundedSummary sum = compare_bounded(grad, num, skip, "skipped", count, CHECK_RTOL);
    free(num);
    net_local_free(&l);
    return sum;
}

static const double *block_grad(Fix *f, NetBlock b) {
    NetParams g;
    net_params_point(&g, f->b.grads, &f->s);
    const double *grads[] = {g.kernel, g.conv_b, g.dense_w, g.dense_b, f->b.dx};
    return grads[b];
}

// Random cases and the near-tie, both labels: every block passes.
START_TEST(test_local_check_passes) {
    Fix f;
    if (_i < 2 * (int)ARRAY_LEN(SIZES))
        fix_init(&f, SIZES[_i / 2], 400 + (uint64_t)_i, _i % 2);
    else
        fix_near_tie(&f, _i % 2);
    analytic(&f);
    for (int b = 0; b < NET_BLOCK_COUNT; b++) {
        BoundedSummary sum = check_block(&f, (NetBlock)b, block_grad(&f, (NetBlock)b), NULL);
        ck_assert_msg(sum.verdict == VERDICT_PASS, "case %d block %d: %s, %d inconclusive, bound %g", _i, b,
                      verdict_name(sum.verdict), sum.inconclusive, sum.bound);
        ck_assert_int_eq(sum.skipped, 0);
    }
    net_buffers_free(&f.b);
}
END_TEST

// At the near-tie the whole-network loss cannot resolve X(0,1)'s derivative
// (its round-off over the shrunk step exceeds the resolve fraction); the
// local one can. Shown, so the test fails if the local path stops mattering.
START_TEST(test_near_tie_needs_local) {
    Fix f;
    fix_near_tie(&f, 0.0);
    analytic(&f);
    NumericalDerivative whole, local;
    Objective obj = {net_objective_whole, NULL, &f.prob};
    numerical_gradient_bounded(&whole, &f.b.x[1], 1, &obj);
    NetLocal l;
    ck_assert(net_local_init(&l, &f.prob));
    bool skip[20];
    for (int k = 0; k < f.s.n_input; k++) skip[k] = k != 1;
    NumericalDerivative out[20];
    net_local_gradient(out, &l, NET_BLOCK_INPUT, skip);
    local = out[1];
    net_local_free(&l);
    ck_assert_msg(local.bound < 1e-3 * whole.bound, "local bound %g, whole %g", local.bound, whole.bound);
    ck_assert_double_le(fabs(local.value - f.b.dx[1]), CHECK_RTOL * fabs(f.b.dx[1]) + local.bound);
    net_buffers_free(&f.b);
}
END_TEST

// A wrong ∂L/∂X is caught: one entry 1e-3 off (relative to the block's
// largest), on a random case and at the near-tie's entries.
START_TEST(test_local_catches_wrong_input_gradient) {
    Fix f;
    if (_i < 2)
        fix_init(&f, SIZES[1], 500 + (uint64_t)_i, _i);
    else
        fix_near_tie(&f, _i % 2);
    analytic(&f);
    double largest = 0.0;
    for (int k = 0; k < f.s.n_input; k++) largest = fmax(largest, fabs(f.b.dx[k]));
    int wrong = _i < 2 ? f.s.n_input / 2 : _i % 2; // X(0,0) (zero derivative) or X(0,1)
    f.b.dx[wrong] += 1e-3 * largest;
    BoundedSummary sum = check_block(&f, NET_BLOCK_INPUT, f.b.dx, NULL);
    ck_assert_msg(sum.verdict == VERDICT_FAIL, "case %d: %s", _i, verdict_name(sum.verdict));
    ck_assert_int_eq(sum.failed, 1);
    ck_assert_int_eq(sum.worst, wrong);
    net_buffers_free(&f.b);
}
END_TEST

// Skipped entries are never evaluated; every entry comes back bit for bit.
START_TEST(test_skip_and_restore) {
    Fix f;
    fix_init(&f, SIZES[1], 600, 1.0);
    analytic(&f);
    double *x = malloc((size_t)f.s.n_input * sizeof(double)), *p = malloc((size_t)f.s.n_params * sizeof(double));
    bool *skip = calloc((size_t)f.s.n_input, sizeof(bool));
    NumericalDerivative *num = calloc((size_t)f.s.n_input, sizeof *num);
    ck_assert(x && p && skip && num);
    memcpy(x, f.b.x, (size_t)f.s.n_input * sizeof(double));
    memcpy(p, f.b.params, (size_t)f.s.n_params * sizeof(double));
    for (int k = 0; k < f.s.n_input; k += 3) skip[k] = true;
    NetLocal l;
    ck_assert(net_local_init(&l, &f.prob));
    net_local_gradient(num, &l, NET_BLOCK_INPUT, skip);
    for (int k = 0; k < f.s.n_input; k++) ck_assert_int_eq(num[k].evaluations == 0, skip[k]);
    net_local_free(&l);
    ck_assert_mem_eq(x, f.b.x, (size_t)f.s.n_input * sizeof(double));
    ck_assert_mem_eq(p, f.b.params, (size_t)f.s.n_params * sizeof(double));
    free(x), free(p), free(skip), free(num);
    net_buffers_free(&f.b);
}
END_TEST

Suite *make_network_local_suite(void) {
    Suite *s = suite_create("network_local");
    TCase *agree = tcase_create("agree");
    tcase_add_loop_test(agree, test_local_matches_whole_random, 0, 2 * ARRAY_LEN(SIZES));
    tcase_add_loop_test(agree, test_local_matches_whole_near_tie, 0, 2);
    suite_add_tcase(s, agree);
    TCase *check = tcase_create("check");
    tcase_add_loop_test(check, test_local_check_passes, 0, 2 * ARRAY_LEN(SIZES) + 2);
    tcase_add_test(check, test_near_tie_needs_local);
    tcase_add_loop_test(check, test_local_catches_wrong_input_gradient, 0, 4);
    tcase_add_test(check, test_skip_and_restore);
    suite_add_tcase(s, check);
    return s;
}
