// Max pooling (src/layers/pool.h) on cases worked out by hand: the article's
// example, a cell that wins two overlapping windows (its gradients add up),
// the first-maximum tie rule, non-overlapping strides, several channels, and
// the shapes pool_shape_init must refuse. Gradients are also compared with
// central differences, and a wrong (overwriting) gradient is shown to fail.
#include <check.h>
#include <math.h>
#include <string.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "pool.h"
#include "pool_case.h"
#include "rng.h"

#define MAX_CELLS 32

// ---------------------------------------------------------------- the article's example

// X = [23 14 25; 27 29 35], 2x2 window, stride 1 (the article's numbers):
//   window (0,0) = {23, 14, 27, 29} → 29 at (1,1), flat index 1·3 + 1 = 4
//   window (0,1) = {14, 25, 29, 35} → 35 at (1,2), flat index 1·3 + 2 = 5
START_TEST(test_article_example) {
    const double x[] = {23, 14, 25, 27, 29, 35};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 2, 1));
    ck_assert_int_eq(s.out_h, 1); // ⌊(2 − 2)/1⌋ + 1
    ck_assert_int_eq(s.out_w, 2); // ⌊(3 − 2)/1⌋ + 1
    double out[2];
    int argmax[2];
    maxpool_forward(out, argmax, x, &s);
    ck_assert_double_eq(out[0], 29);
    ck_assert_double_eq(out[1], 35);
    ck_assert_int_eq(argmax[0], 4);
    ck_assert_int_eq(argmax[1], 5);
    // Upstream [a b] lands on the two maxima; every other cell gets 0.
    const double dout[] = {-0.25, 0.5};
    double din[6] = {0};
    maxpool_backward(din, dout, argmax, &s);
    const double want[] = {0, 0, 0, 0, -0.25, 0.5};
    for (int k = 0; k < 6; k++) ck_assert_double_eq(din[k], want[k]);
}
END_TEST

// ---------------------------------------------------------------- accumulation under overlap

// L(X) = Σ G∘maxpool(X), for central differences.
typedef struct {
    double *x;
    const double *g;
    const PoolShape *s;
} Loss;

static double pool_loss(void *ctx) {
    Loss *l = ctx;
    double out[MAX_CELLS];
    int argmax[MAX_CELLS];
    maxpool_forward(out, argmax, l->x, l->s);
    double sum = 0;
    for (int k = 0; k < l->s->out_h * l->s->out_w * l->s->c; k++) sum += l->g[k] * out[k];
    return sum;
}

// X = [1 2 1; 1 9 1], 2x2, stride 1, upstream [3 5]:
//   window (0,0) = {1, 2, 1, 9} → 9 at (1,1);  window (0,1) = {2, 1, 9, 1} → 9 at (1,1)
// so ∂L/∂X[1,1] = 3 + 5 = 8 and every other cell gets 0.
START_TEST(test_overlap_accumulates) {
    double x[] = {1, 2, 1, 1, 9, 1};
    const double g[] = {3, 5};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 2, 1));
    double out[2];
    int argmax[2];
    maxpool_forward(out, argmax, x, &s);
    ck_assert_int_eq(argmax[0], 4);
    ck_assert_int_eq(argmax[1], 4);
    double din[6] = {0};
    maxpool_backward(din, g, argmax, &s);
    const double want[] = {0, 0, 0, 0, 8, 0};
    for (int k = 0; k < 6; k++) ck_assert_double_eq(din[k], want[k]);

    // backward adds to what is there (+=): a second call doubles it.
    maxpool_backward(din, g, argmax, &s);
    ck_assert_double_eq(din[4], 16);

    // Independent method: central differences of L agree with the 8 ...
    double num[6];
    Loss l = {x, g, &s};
    numerical_gradient(num, x, 6, pool_loss, &l, GRADCHECK_H);
    CheckSummary right = compare_gradients(want, num, NULL, 6, GRADCHECK_REL_TOL);
    ck_assert(right.passed);
    // ... and an overwriting backward pass (din[argmax] = g: the 5 replaces
    // the 3) is caught at that cell: rel = |5 − 8| / max(5, 8) = 0.375.
    const double overwritten[] = {0, 0, 0, 0, 5, 0};
    CheckSummary wrong = compare_gradients(overwritten, num, NULL, 6, GRADCHECK_REL_TOL);
    ck_assert(!wrong.passed);
    ck_assert_int_eq(wrong.failed, 1);
    ck_assert_int_eq(wrong.worst, 4);
    ck_assert_double_eq_tol(wrong.max_rel_error, 3.0 / 8.0, 1e-6);
}
END_TEST

// ---------------------------------------------------------------- ties: the first maximum wins

typedef struct {
    double x[4]; // one 2x2 window
    int argmax;  // flat index of the first maximum in row-major order
} TieCase;

static const TieCase TIES[] = {
    {{4, 4, 1, 2}, 0},     // (0,0) and (0,1) tie: (0,0) comes first
    {{1, 7, 7, 0}, 1},     // (0,1) and (1,0) tie: row 0 before row 1
    {{0, 0, 0, 0}, 0},     // all four tie: the very first cell
    {{-3, -1, -1, -2}, 1}, // negative values: −1 twice, (0,1) first
    {{2, 5, 3, 5}, 1},     // (0,1) and (1,1) tie: (0,1) first
    {{1, 2, 3, 3}, 2},     // the tie is in the last row: (1,0) before (1,1)
};

START_TEST(test_first_max_tie_rule) {
    const TieCase *c = &TIES[_i];
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 2, 2, 2, 2));
    double out;
    int argmax;
    maxpool_forward(&out, &argmax, c->x, &s);
    ck_assert_int_eq(argmax, c->argmax);
    ck_assert_double_eq(out, c->x[c->argmax]);
    // Only the first maximum receives the gradient, the other tied cells none.
    double din[4] = {0}, g = 7;
    maxpool_backward(din, &g, &argmax, &s);
    for (int k = 0; k < 4; k++) ck_assert_double_eq(din[k], k == c->argmax ? 7 : 0);
}
END_TEST

// ---------------------------------------------------------------- non-overlapping stride

// X = [1 2 1 1; 1 9 1 4], 2x2, stride 2: windows {1,2,1,9} → 9 at index 5,
// {1,1,1,4} → 4 at index 7. No cell is in two windows, so upstream [3 5]
// gives 3 at the 9 and 5 at the 4: = and += would agree here.
START_TEST(test_non_overlapping_stride) {
    double x[] = {1, 2, 1, 1, 1, 9, 1, 4};
    const double g[] = {3, 5};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 4, 2, 2, 2));
    ck_assert_int_eq(s.out_h, 1);
    ck_assert_int_eq(s.out_w, 2); // ⌊(4 − 2)/2⌋ + 1
    double out[2];
    int argmax[2];
    maxpool_forward(out, argmax, x, &s);
    ck_assert_double_eq(out[0], 9);
    ck_assert_double_eq(out[1], 4);
    ck_assert_int_eq(argmax[0], 5);
    ck_assert_int_eq(argmax[1], 7);
    double din[8] = {0};
    maxpool_backward(din, g, argmax, &s);
    const double want[] = {0, 0, 0, 0, 0, 3, 0, 5};
    for (int k = 0; k < 8; k++) ck_assert_double_eq(din[k], want[k]);
    double num[8];
    Loss l = {x, g, &s};
    numerical_gradient(num, x, 8, pool_loss, &l, GRADCHECK_H);
    ck_assert(compare_gradients(din, num, NULL, 8, GRADCHECK_REL_TOL).passed);
}
END_TEST

// 5x5, 2x2 window, stride 2: ⌊(5 − 2)/2⌋ + 1 = 2, the last row and column
// are never covered, so their gradient is 0.
//   X = [ 1  2  3  4 99 ]      windows: {1,2,6,7} → 7 at (1,1) = 6
//       [ 6  7  8  0 99 ]               {3,4,8,0} → 8 at (1,2) = 7
//       [ 5  1  2 10 99 ]               {5,1,0,3} → 5 at (2,0) = 10
//       [ 0  3  9  1 99 ]               {2,10,9,1} → 10 at (2,3) = 13
//       [99 99 99 99 99 ]
START_TEST(test_stride_leaves_cells_uncovered) {
    double x[25] = {1, 2, 3, 4, 99, 6, 7, 8, 0, 99, 5, 1, 2, 10, 99, 0, 3, 9, 1, 99, 99, 99, 99, 99, 99};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 5, 5, 2, 2, 2));
    ck_assert_int_eq(s.out_h, 2);
    ck_assert_int_eq(s.out_w, 2);
    double out[4];
    int argmax[4];
    maxpool_forward(out, argmax, x, &s);
    const double want_out[] = {7, 8, 5, 10};
    const int want_arg[] = {6, 7, 10, 13};
    for (int k = 0; k < 4; k++) {
        ck_assert_double_eq(out[k], want_out[k]);
        ck_assert_int_eq(argmax[k], want_arg[k]);
    }
    const double g[] = {1, -2, 3, -4};
    double din[25] = {0};
    maxpool_backward(din, g, argmax, &s);
    for (int k = 0; k < 25; k++) {
        double want = k == 6 ? 1 : k == 7 ? -2 : k == 10 ? 3 : k == 13 ? -4 : 0;
        ck_assert_double_eq(din[k], want);
    }
}
END_TEST

// Two channels are pooled separately; argmax indexes the whole (C,H,W) array.
//   channel 0 = [1 5; 2 3] → 5 at (0,0,1) = 1;  channel 1 = [8 0; 9 4] → 9 at (1,1,0) = 4 + 2 = 6
START_TEST(test_channels) {
    const double x[] = {1, 5, 2, 3, 8, 0, 9, 4};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 2, 2, 2, 2, 2, 1));
    double out[2];
    int argmax[2];
    maxpool_forward(out, argmax, x, &s);
    ck_assert_double_eq(out[0], 5);
    ck_assert_double_eq(out[1], 9);
    ck_assert_int_eq(argmax[0], 1);
    ck_assert_int_eq(argmax[1], 6);
}
END_TEST

// ---------------------------------------------------------------- shapes refused

typedef struct {
    int c, h, w, kh, kw, stride;
} BadShape;

static const BadShape BAD[] = {
    {1, 2, 3, 3, 2, 1}, // window taller than the input
    {1, 2, 3, 2, 4, 1}, // window wider than the input
    {1, 2, 3, 0, 2, 1}, // window height 0
    {1, 2, 3, 2, 0, 1}, // window width 0
    {1, 2, 3, 2, 2, 0}, // stride 0
    {1, 2, 3, 2, 2, -1}, // negative stride
    {0, 2, 3, 2, 2, 1}, // no channels
    {1, 0, 3, 1, 1, 1}, // empty input
};

START_TEST(test_shape_rejects) {
    const BadShape *b = &BAD[_i];
    PoolShape s = {0};
    ck_assert(!pool_shape_init(&s, b->c, b->h, b->w, b->kh, b->kw, b->stride));
}
END_TEST

START_TEST(test_shape_accepts_edges) {
    PoolShape s;
    // The window exactly the input's size: one output.
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 3, 1));
    ck_assert_int_eq(s.out_h, 1);
    ck_assert_int_eq(s.out_w, 1);
    // A stride larger than the input still fits one window.
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 2, 10));
    ck_assert_int_eq(s.out_w, 1);
    // 1x1 window, stride 1: the identity, output the input's size.
    ck_assert(pool_shape_init(&s, 1, 2, 3, 1, 1, 1));
    ck_assert_int_eq(s.out_h, 2);
    ck_assert_int_eq(s.out_w, 3);
    // 7 wide, 3 wide window, stride 2: ⌊(7 − 3)/2⌋ + 1 = 3.
    ck_assert(pool_shape_init(&s, 1, 3, 7, 3, 3, 2));
    ck_assert_int_eq(s.out_w, 3);
}
END_TEST


// ---------------------------------------------------------------- average pooling

// X = [1 2 1; 1 9 1], 2x2 window, stride 1, G = [3 5]:
//   means: (1+2+1+9)/4 = 3.25 and (2+1+9+1)/4 = 3.25
//   ∂L/∂X: cells in window 0 only get 3/4, in window 1 only 5/4, in both 8/4:
//   [0.75 2 1.25; 0.75 2 1.25]
START_TEST(test_average_pooling_by_hand) {
    const double x[] = {1, 2, 1, 1, 9, 1}, g[] = {3, 5}, want[] = {0.75, 2, 1.25, 0.75, 2, 1.25};
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 2, 1));
    double out[2], din[6] = {0};
    avgpool_forward(out, x, &s);
    ck_assert_double_eq(out[0], 3.25);
    ck_assert_double_eq(out[1], 3.25);
    avgpool_backward(din, g, &s);
    for (int k = 0; k < 6; k++) ck_assert_double_eq(din[k], want[k]);
    // A wrong rule (max pooling's routing) differs from it: the test can fail.
    ck_assert(din[0] != 0.0);
}
END_TEST

// ---------------------------------------------------------------- local and global differences

// For every cell, (L_local(x+h) − L_local(x−h)) equals (L(x+h) − L(x−h)) to
// rounding: the windows a cell is not in do not change. Shapes with
// overlap, stride > window, and a window as large as the input.
typedef struct {
    int h, w, kh, kw, stride;
} LocalCase;

static const LocalCase LOCAL[] = {{4, 5, 2, 2, 1}, {5, 5, 3, 2, 2}, {6, 4, 2, 2, 3}, {3, 3, 3, 3, 1}, {1, 6, 1, 1, 1}};

START_TEST(test_local_differences_agree_with_global) {
    const LocalCase *c = &LOCAL[_i];
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, c->h, c->w, c->kh, c->kw, c->stride));
    Tensor x = tensor_alloc(1, c->h, c->w), g = tensor_alloc(1, s.out_h, s.out_w);
    Rng rng = rng_make(7 + (uint64_t)_i);
    for (size_t k = 0; k < tensor_size(&x); k++) x.data[k] = rng_range(&rng, -1, 1);
    for (size_t k = 0; k < tensor_size(&g); k++) g.data[k] = rng_range(&rng, -2, 2);
    PoolLoss p = {&x, &g, &s, NULL};
    for (int k = 0; k < (int)tensor_size(&x); k++) {
        double saved = x.data[k], h = 1e-3, sc;
        x.data[k] = saved + h;
        double up_g = pool_loss_whole(&p, &sc), up_l = pool_loss_local(&p, k, &sc);
        x.data[k] = saved - h;
        double down_g = pool_loss_whole(&p, &sc), down_l = pool_loss_local(&p, k, &sc);
        x.data[k] = saved;
        ck_assert_msg(fabs((up_g - down_g) - (up_l - down_l)) <= 1e-12, "cell %d: global %.17g local %.17g", k,
                      up_g - down_g, up_l - down_l);
    }
    tensor_free(&x);
    tensor_free(&g);
}
END_TEST

// [4 4 1; 2 0 3], 2x2, stride 1: window (0,0) holds 4 twice (cells 0, 1);
// window (0,1) has its 4 alone. A near-tie (4 and 4 + 1e-12) is no tie.
START_TEST(test_find_ties) {
    double v[] = {4, 4, 1, 2, 0, 3};
    Tensor x = tensor_view(v, 1, 2, 3);
    PoolShape s;
    ck_assert(pool_shape_init(&s, 1, 2, 3, 2, 2, 1));
    bool tie[6];
    ck_assert_int_eq(pool_find_ties(tie, &x, &s), 1);
    const bool want[] = {true, true, false, false, false, false};
    for (int k = 0; k < 6; k++) ck_assert_int_eq(tie[k], want[k]);
    v[1] = 4 + 1e-12;
    ck_assert_int_eq(pool_find_ties(tie, &x, &s), 0);
}
END_TEST

Suite *make_pool_suite(void) {
    Suite *s = suite_create("pool");
    TCase *t = tcase_create("pool");
    tcase_add_test(t, test_article_example);
    tcase_add_test(t, test_overlap_accumulates);
    tcase_add_loop_test(t, test_first_max_tie_rule, 0, ARRAY_LEN(TIES));
    tcase_add_test(t, test_non_overlapping_stride);
    tcase_add_test(t, test_stride_leaves_cells_uncovered);
    tcase_add_test(t, test_channels);
    tcase_add_loop_test(t, test_shape_rejects, 0, ARRAY_LEN(BAD));
    tcase_add_test(t, test_shape_accepts_edges);
    tcase_add_test(t, test_average_pooling_by_hand);
    tcase_add_loop_test(t, test_local_differences_agree_with_global, 0, ARRAY_LEN(LOCAL));
    tcase_add_test(t, test_find_ties);
    suite_add_tcase(s, t);
    return s;
}
