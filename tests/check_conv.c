// The convolution layer (src/layers/conv.h): forward and backward passes and the
// textbook convolution against examples worked by hand, the three forms of
// ∂L/∂X against each other, and every stride/padding/dilation/channel
// combination against finite differences.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arraylen.h"
#include "conv.h"
#include "example.h"
#include "gradcheck.h"
#include "rng.h"
#include "tensor.h"

// Hand-computed entries are small integers: exact in double.
#define EXACT_TOL 1e-12
// Two forms of ∂L/∂X add the same few products in another order.
#define FORMS_TOL 1e-12

static void assert_all(const double *got, const double *want, int n, const char *what) {
    for (int k = 0; k < n; k++)
        ck_assert_msg(fabs(got[k] - want[k]) <= EXACT_TOL, "%s[%d] = %.17g, expected %.17g", what, k, got[k], want[k]);
}

// ---------------------------------------------------------------- hand examples

// X = [8 9 2 7; 0 3 0 8; 8 8 9 9], K = [1 1; 1 2], stride 1:
//   Y[0,0] = 8+9+0+2·3 = 23   Y[0,1] = 9+2+3+2·0 = 14   Y[0,2] = 2+7+0+2·8 = 25
//   Y[1,0] = 0+3+8+2·8 = 27   Y[1,1] = 3+0+8+2·9 = 29   Y[1,2] = 0+8+9+2·9 = 35
START_TEST(test_forward_running_example) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    ck_assert_int_eq(s.out_h, 2);
    ck_assert_int_eq(s.out_w, 3);
    double y[6], b = 0.0;
    conv_forward(y, EXAMPLE_X, EXAMPLE_K, &b, &s);
    const double want[6] = {23, 14, 25, 27, 29, 35};
    assert_all(y, want, 6, "Y");
}
END_TEST

// Same X, K; dY = [1 0 0; 0 0 2].
//   dK[m,n] = Σ dY[i,j]·X[i+m, j+n] = X[m,n] + 2·X[1+m, 2+n]
//     dK[0,0] = 8 + 2·0 = 8     dK[0,1] = 9 + 2·8 = 25
//     dK[1,0] = 0 + 2·9 = 18    dK[1,1] = 3 + 2·9 = 21
//   dX[i+m, j+n] += K[m,n]·dY[i,j]:
//     dY[0,0] = 1 adds K at rows 0-1, cols 0-1: [1 1; 1 2]
//     dY[1,2] = 2 adds 2K at rows 1-2, cols 2-3: [2 2; 2 4]
//     dX = [1 1 0 0; 1 2 2 2; 0 0 2 4]
//   db = 1 + 2 = 3
START_TEST(test_backward_stride1) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    const double dy[6] = {1, 0, 0, 0, 0, 2};
    double dx[12] = {0}, dk[4] = {0}, db = 0;
    conv_backward(dx, dk, &db, dy, EXAMPLE_X, EXAMPLE_K, &s);
    const double want_dk[4] = {8, 25, 18, 21}, want_dx[12] = {1, 1, 0, 0, 1, 2, 2, 2, 0, 0, 2, 4};
    assert_all(dk, want_dk, 4, "dK");
    assert_all(dx, want_dx, 12, "dX");
    ck_assert_double_eq_tol(db, 3, EXACT_TOL);
}
END_TEST

// Stride 2, padding 1, same X and K. The padded input Xp (5x6):
//   0 0 0 0 0 0
//   0 8 9 2 7 0
//   0 0 3 0 8 0
//   0 8 8 9 9 0
//   0 0 0 0 0 0
// H_out = ⌊(3 + 2 − 1 − 1)/2⌋ + 1 = 2, W_out = ⌊(4 + 2 − 1 − 1)/2⌋ + 1 = 3.
// Y[i,j] = Σ K[m,n]·Xp[2i+m, 2j+n]:
//   Y[0,0] = 0+0+0+2·8 = 16    Y[0,1] = 0+0+9+2·2 = 13   Y[0,2] = 0+0+7+2·0 = 7
//   Y[1,0] = 0+0+0+2·8 = 16    Y[1,1] = 3+0+8+2·9 = 29   Y[1,2] = 8+0+9+2·0 = 17
// Backward with dY = [1 0 2; 0 -1 0]:
//   dK[m,n] = Xp[m,n] + 2·Xp[m, 4+n] − Xp[2+m, 2+n]
//     dK[0,0] = 0 + 0 − 3 = −3     dK[0,1] = 0 + 0 − 0 = 0
//     dK[1,0] = 0 + 2·7 − 8 = 6    dK[1,1] = 8 + 0 − 9 = −1
//   dXp[2i+m, 2j+n] += K[m,n]·dY[i,j]:
//     dY[0,0] = 1:  dXp[0,0] 1, [0,1] 1, [1,0] 1, [1,1] 2
//     dY[0,2] = 2:  dXp[0,4] 2, [0,5] 2, [1,4] 2, [1,5] 4
//     dY[1,1] = −1: dXp[2,2] −1, [2,3] −1, [3,2] −1, [3,3] −2
//   dX[a,b] = dXp[a+1, b+1] (the padding cropped): only dXp[1,1] = 2,
//   dXp[1,4] = 2 and the dY[1,1] block survive:
//     dX = [2 0 0 2; 0 −1 −1 0; 0 −1 −2 0]
//   db = 1 + 2 − 1 = 2
START_TEST(test_stride2_padding1) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 2, 1, 1, 1));
    ck_assert_int_eq(s.out_h, 2);
    ck_assert_int_eq(s.out_w, 3);
    double y[6], b = 0.0;
    conv_forward(y, EXAMPLE_X, EXAMPLE_K, &b, &s);
    const double want_y[6] = {16, 13, 7, 16, 29, 17};
    assert_all(y, want_y, 6, "Y");
    const double dy[6] = {1, 0, 2, 0, -1, 0};
    double dx[12] = {0}, dk[4] = {0}, db = 0;
    conv_backward(dx, dk, &db, dy, EXAMPLE_X, EXAMPLE_K, &s);
    const double want_dk[4] = {-3, 0, 6, -1}, want_dx[12] = {2, 0, 0, 2, 0, -1, -1, 0, 0, -1, -2, 0};
    assert_all(dk, want_dk, 4, "dK");
    assert_all(dx, want_dx, 12, "dX");
    ck_assert_double_eq_tol(db, 2, EXACT_TOL);
}
END_TEST

// Dilation 2 on a 1x5 row x = [1 2 3 4 5] with k = [1 −1]: the taps are 2
// apart, y[j] = x[j] − x[j+2] = [1−3, 2−4, 3−5] = [−2 −2 −2]. Backward with
// dy = [1 0 1]: dx[j] += dy·1, dx[j+2] −= dy → dx = [1 0 0 0 −1] (the two
// taps of j = 0 and j = 2 meet and cancel at x[2]); dk[0] = 1 + 3 = 4,
// dk[1] = 3 + 5 = 8.
START_TEST(test_dilation2) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 1, 5, 1, 1, 2, 1, 0, 0, 2));
    ck_assert_int_eq(s.out_w, 3);
    const double x[5] = {1, 2, 3, 4, 5}, k[2] = {1, -1}, dy[3] = {1, 0, 1};
    double y[3], b = 0, dx[5] = {0}, dk[2] = {0}, db = 0;
    conv_forward(y, x, k, &b, &s);
    const double want_y[3] = {-2, -2, -2};
    assert_all(y, want_y, 3, "Y");
    conv_backward(dx, dk, &db, dy, x, k, &s);
    const double want_dx[5] = {1, 0, 0, 0, -1}, want_dk[2] = {4, 8};
    assert_all(dx, want_dx, 5, "dX");
    assert_all(dk, want_dk, 2, "dK");
}
END_TEST

// The three forms of ∂L/∂X (src/layers/conv.h) on the hand examples above: each
// must give the hand-computed dX by itself.
typedef void (*InputGradFn)(double *din, const double *dout, const double *w, const ConvShape *s);

static void by_matrix(double *din, const double *dout, const double *w, const ConvShape *s) {
    double *cm = malloc(sizeof *cm * (size_t)(conv_matrix_rows(s) * conv_matrix_cols(s)));
    ck_assert_ptr_nonnull(cm);
    conv_matrix(cm, w, s);
    conv_input_grad_matrix(din, dout, cm, s);
    free(cm);
}

static const InputGradFn FORMS[] = {conv_input_grad_scatter, conv_input_grad_full, by_matrix};
static const char *const FORM_NAMES[] = {"scatter", "full", "matrix"};

typedef struct {
    int h, w, kh, kw, stride, pad, dil;
    const double *x, *k;
    double dy[6], want_dx[12];
} HandCase;

static const double ROW5[5] = {1, 2, 3, 4, 5}, TAP2[2] = {1, -1};

static const HandCase HAND[] = {
    {3, 4, 2, 2, 1, 0, 1, EXAMPLE_X, EXAMPLE_K, {1, 0, 0, 0, 0, 2}, {1, 1, 0, 0, 1, 2, 2, 2, 0, 0, 2, 4}},
    {3, 4, 2, 2, 2, 1, 1, EXAMPLE_X, EXAMPLE_K, {1, 0, 2, 0, -1, 0}, {2, 0, 0, 2, 0, -1, -1, 0, 0, -1, -2, 0}},
    {1, 5, 1, 2, 1, 0, 2, ROW5, TAP2, {1, 0, 1}, {1, 0, 0, 0, -1}},
};

// _i = case·3 + form.
START_TEST(test_forms_hand_values) {
    const HandCase *c = &HAND[_i / 3];
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, c->h, c->w, 1, c->kh, c->kw, c->stride, c->pad, c->pad, c->dil));
    double dx[12] = {0};
    FORMS[_i % 3](dx, c->dy, c->k, &s);
    char what[40];
    snprintf(what, sizeof what, "case %d %s dX", _i / 3, FORM_NAMES[_i % 3]);
    assert_all(dx, c->want_dx, c->h * c->w, what);
    // They accumulate: a second call doubles the result.
    FORMS[_i % 3](dx, c->dy, c->k, &s);
    ck_assert_double_eq_tol(dx[0], 2 * c->want_dx[0], EXACT_TOL);
}
END_TEST

// C for the running example (3x4 input, 2x2 kernel [1 1; 1 2], stride 1):
// row (i,j) holds K at the columns of pixels (i..i+1, j..j+1). Row 0 reads
// pixels 0, 1, 4, 5; row 5 (i=1, j=2) reads 6, 7, 10, 11.
START_TEST(test_conv_matrix_hand) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    ck_assert_int_eq(conv_matrix_rows(&s), 6);
    ck_assert_int_eq(conv_matrix_cols(&s), 12);
    double cm[72];
    conv_matrix(cm, EXAMPLE_K, &s);
    const double row0[12] = {1, 1, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0}, row5[12] = {0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 2};
    assert_all(cm, row0, 12, "C row 0");
    assert_all(cm + 60, row5, 12, "C row 5");
}
END_TEST

// Two output channels from one input: ∂L/∂X sums over them.
// X = [1 2; 3 4], K[0] = [1], K[1] = [2] (1x1), dY[0] = [1 2; 3 4], dY[1] = [1 0; 0 1]:
//   dX = 1·dY[0] + 2·dY[1] = [3 2; 3 6]
//   dK[0] = Σ X∘dY[0] = 1+4+9+16 = 30,  dK[1] = Σ X∘dY[1] = 1+4 = 5
//   db = [1+2+3+4, 1+1] = [10, 2]
START_TEST(test_channels_sum) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 2, 2, 2, 1, 1, 1, 0, 0, 1));
    const double x[4] = {1, 2, 3, 4}, k[2] = {1, 2}, dy[8] = {1, 2, 3, 4, 1, 0, 0, 1};
    double dx[4] = {0}, dk[2] = {0}, db[2] = {0};
    conv_backward(dx, dk, db, dy, x, k, &s);
    const double want_dx[4] = {3, 2, 3, 6}, want_dk[2] = {30, 5}, want_db[2] = {10, 2};
    assert_all(dx, want_dx, 4, "dX");
    assert_all(dk, want_dk, 2, "dK");
    assert_all(db, want_db, 2, "db");
    for (int f = 0; f < ARRAY_LEN(FORMS); f++) {
        double form_dx[4] = {0};
        FORMS[f](form_dx, dy, k, &s);
        assert_all(form_dx, want_dx, 4, FORM_NAMES[f]);
    }
}
END_TEST

// The backward pass accumulates: run twice, get twice the gradient.
START_TEST(test_backward_accumulates) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    const double dy[6] = {1, 0, 0, 0, 0, 2};
    double dx[12] = {0}, dk[4] = {0}, db = 0;
    conv_backward(dx, dk, &db, dy, EXAMPLE_X, EXAMPLE_K, &s);
    conv_backward(dx, dk, &db, dy, EXAMPLE_X, EXAMPLE_K, &s);
    const double want_dk[4] = {16, 50, 36, 42};
    assert_all(dk, want_dk, 4, "dK");
    ck_assert_double_eq_tol(db, 6, EXACT_TOL);
}
END_TEST

// convolve2d, the textbook convolution.
// Valid, running X and K: X * K = X ⋆ rot180(K), rot180(K) = [2 1; 1 1]:
//   [0,0] = 2·8+9+0+3 = 28   [0,1] = 2·9+2+3+0 = 23   [0,2] = 2·2+7+0+8 = 19
//   [1,0] = 0+3+8+8 = 19     [1,1] = 2·3+0+8+9 = 23   [1,2] = 0+8+9+9 = 26
START_TEST(test_convolve2d_valid) {
    double out[6];
    convolve2d(out, EXAMPLE_X, EXAMPLE_K, 3, 4, 2, 2, CONV_VALID);
    const double want[6] = {28, 23, 19, 19, 23, 26};
    assert_all(out, want, 6, "X * K");
}
END_TEST

// Full, x = [1 2; 3 4], k = [1 0; 0 −1]: out[i,j] = x[i,j] − x[i−1,j−1]:
//   [1 2 0; 3 4−1 −2; 0 −3 −4] = [1 2 0; 3 3 −2; 0 −3 −4]
START_TEST(test_convolve2d_full) {
    const double x[4] = {1, 2, 3, 4}, k[4] = {1, 0, 0, -1};
    double out[9];
    convolve2d(out, x, k, 2, 2, 2, 2, CONV_FULL);
    const double want[9] = {1, 2, 0, 3, 3, -2, 0, -3, -4};
    assert_all(out, want, 9, "x * k full");
}
END_TEST

// ---------------------------------------------------------------- conv_shape_init

typedef struct {
    int in_c, h, w, out_c, kh, kw, stride, pad, dil;
    const char *why;
} BadShape;

static const BadShape BAD_SHAPES[] = {
    {1, 3, 4, 1, 2, 2, 0, 0, 1, "stride 0"},
    {1, 3, 4, 1, 2, 2, -1, 0, 1, "negative stride"},
    {1, 3, 4, 1, 2, 2, 1, 0, 0, "dilation 0"},
    {1, 3, 4, 1, 2, 2, 1, -1, 1, "negative padding"},
    {1, 3, 4, 1, 4, 2, 1, 0, 1, "kernel taller than the input"},
    {1, 3, 4, 1, 2, 5, 1, 0, 1, "kernel wider than the input"},
    {1, 3, 4, 1, 2, 2, 1, 0, 3, "dilated kernel spans 4x4 > 3x4"},
    {1, 3, 4, 1, 6, 2, 1, 1, 1, "6 rows > 3 + 2·1"},
    {0, 3, 4, 1, 2, 2, 1, 0, 1, "no input channels"},
    {1, 3, 4, 0, 2, 2, 1, 0, 1, "no output channels"},
    {1, 0, 4, 1, 1, 1, 1, 0, 1, "empty input"},
    {1, 3, 4, 1, 0, 2, 1, 0, 1, "empty kernel"},
};

START_TEST(test_shape_rejects) {
    const BadShape *b = &BAD_SHAPES[_i];
    ConvShape s;
    ck_assert_msg(!conv_shape_init(&s, b->in_c, b->h, b->w, b->out_c, b->kh, b->kw, b->stride, b->pad, b->pad, b->dil),
                  "accepted: %s", b->why);
}
END_TEST

// The limits themselves are accepted: a 3x4 kernel with padding 0 gives 1x1;
// 5x6 with padding 1 too; dilation 2 of a 2x2 kernel spans 3x3 (≤ 3x4), 1x2.
START_TEST(test_shape_accepts_exact_fit) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 3, 4, 1, 0, 0, 1));
    ck_assert_int_eq(s.out_h * 10 + s.out_w, 11);
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 5, 6, 1, 1, 1, 1));
    ck_assert_int_eq(s.out_h * 10 + s.out_w, 11);
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 2));
    ck_assert_int_eq(s.out_h * 10 + s.out_w, 12);
    // Stride 3 on 3 + 2·2 − 1 − 1 = 5: ⌊5/3⌋ + 1 = 2 rows, 2 leftover.
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 3, 2, 2, 1));
    ck_assert_int_eq(s.out_h, 2);
    ck_assert_int_eq(s.out_w, 3);
}
END_TEST

// ---------------------------------------------------------------- three forms of ∂L/∂X

// Insert s−1 zeros between entries (s = 1: a copy).
static Tensor spread(const Tensor *t, int s) {
    Tensor out = tensor_alloc(1, s * (t->h - 1) + 1, s * (t->w - 1) + 1);
    for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) *tensor_at(&out, 0, s * i, s * j) = *tensor_at(t, 0, i, j);
    return out;
}

// An independent fourth form, built from the textbook convolution: the gradient of the padded
// input is spread(dY, s) * spread(K, d) in full mode (the leftover rows and
// columns beyond it stay zero); cropping p gives ∂L/∂X.
static void input_grad_by_full_convolution(Tensor *dx, const Tensor *dy, const Tensor *k, const ConvShape *s) {
    Tensor sdy = spread(dy, s->stride), sk = spread(k, s->dilation);
    Tensor full = tensor_alloc(1, sdy.h + sk.h - 1, sdy.w + sk.w - 1);
    convolve2d(full.data, sdy.data, sk.data, sdy.h, sdy.w, sk.h, sk.w, CONV_FULL);
    for (int a = 0; a < dx->h; a++)
        for (int b = 0; b < dx->w; b++) {
            int i = a + s->pad_h, j = b + s->pad_w;
            *tensor_at(dx, 0, a, b) = (i < full.h && j < full.w) ? *tensor_at(&full, 0, i, j) : 0.0;
        }
    tensor_free(&sdy);
    tensor_free(&sk);
    tensor_free(&full);
}

typedef struct {
    int h, w, kh, kw, stride, pad, dil;
} FormCase;

static const FormCase FORM_CASES[] = {
    {3, 4, 2, 2, 1, 0, 1}, {3, 4, 2, 2, 2, 1, 1}, {5, 5, 3, 2, 2, 0, 1}, {6, 7, 2, 3, 3, 2, 1},
    {6, 6, 2, 2, 1, 0, 2}, {7, 6, 3, 2, 2, 1, 2}, {4, 9, 1, 3, 3, 1, 2}, {8, 8, 3, 3, 3, 2, 2},
    // kernels nearly as large as the input, where conv_input_grad_full skips
    // the taps outside ∂L/∂Y: every edge of that range, with stride,
    // padding and dilation
    {12, 11, 11, 10, 1, 0, 1}, {13, 13, 12, 5, 2, 3, 1}, {20, 17, 7, 6, 3, 4, 2}, {9, 30, 4, 14, 2, 1, 2},
};

START_TEST(test_three_forms_equal) {
    const FormCase *c = &FORM_CASES[_i];
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, c->h, c->w, 1, c->kh, c->kw, c->stride, c->pad, c->pad, c->dil));
    Rng rng = rng_make(100 + (uint64_t)_i);
    Tensor x = tensor_alloc(1, c->h, c->w), k = tensor_alloc(1, c->kh, c->kw), dy = tensor_alloc(1, s.out_h, s.out_w);
    for (size_t q = 0; q < tensor_size(&x); q++) x.data[q] = rng_range(&rng, -1, 1);
    for (size_t q = 0; q < tensor_size(&k); q++) k.data[q] = rng_range(&rng, -1, 1);
    for (size_t q = 0; q < tensor_size(&dy); q++) dy.data[q] = rng_range(&rng, -1, 1);
    Tensor ref = tensor_alloc_like(&x), got = tensor_alloc_like(&x);
    input_grad_by_full_convolution(&ref, &dy, &k, &s);
    for (int f = 0; f < ARRAY_LEN(FORMS); f++) {
        tensor_zero(&got);
        FORMS[f](got.data, dy.data, k.data, &s);
        for (size_t q = 0; q < tensor_size(&x); q++)
            ck_assert_msg(fabs(got.data[q] - ref.data[q]) <= FORMS_TOL, "case %d entry %zu: %s %.17g, textbook %.17g",
                          _i, q, FORM_NAMES[f], got.data[q], ref.data[q]);
    }
    Tensor *all[] = {&x, &k, &dy, &ref, &got};
    for (size_t q = 0; q < sizeof all / sizeof *all; q++) tensor_free(all[q]);
}
END_TEST

// Issue 32: a 1000x1000 input under a 999x999 kernel spent 45 minutes in
// conv_input_grad_full, which visited all kh·kw taps for every input pixel
// (1e12 steps) though only the taps over the 2x2 ∂L/∂Y are non-zero. At
// 300x300 under 299x299 (8e9 steps before, about 10 s; 4 taps a pixel now)
// it must take well under a second, and equal the scatter form exactly (the
// integers below sum without rounding).
#define BIG_KERNEL_SECONDS 1.0

START_TEST(test_full_form_big_kernel_visits_only_live_taps) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 300, 300, 1, 299, 299, 1, 0, 0, 1));
    Rng rng = rng_make(32);
    Tensor x = tensor_alloc(1, 300, 300), k = tensor_alloc(1, 299, 299), dy = tensor_alloc(1, s.out_h, s.out_w);
    for (size_t q = 0; q < tensor_size(&k); q++) k.data[q] = floor(rng_range(&rng, -3, 3));
    for (size_t q = 0; q < tensor_size(&dy); q++) dy.data[q] = floor(rng_range(&rng, -3, 3));
    Tensor scatter = tensor_alloc_like(&x), full = tensor_alloc_like(&x);
    conv_input_grad_scatter(scatter.data, dy.data, k.data, &s);
    clock_t start = clock();
    conv_input_grad_full(full.data, dy.data, k.data, &s);
    double seconds = (double)(clock() - start) / CLOCKS_PER_SEC;
    ck_assert_msg(seconds < BIG_KERNEL_SECONDS, "conv_input_grad_full took %.2f s", seconds);
    ck_assert_int_eq(memcmp(full.data, scatter.data, tensor_size(&x) * sizeof *x.data), 0);
    Tensor *all[] = {&x, &k, &dy, &scatter, &full};
    for (size_t q = 0; q < sizeof all / sizeof *all; q++) tensor_free(all[q]);
}
END_TEST

// The rotation is what makes form 2 right: with K itself in place of
// rot180(K) (convolve2d with rot180(K) is a cross-correlation with K), the
// running example's ∂L/∂X comes out wrong. dY = [1 0 0; 0 0 2] as above:
// the right answer is [1 1 0 0; 1 2 2 2; 0 0 2 4]; unrotated, dY[0,0]'s block
// is [2 1; 1 1] instead of [1 1; 1 2].
START_TEST(test_unrotated_kernel_is_wrong) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    Tensor dy = tensor_alloc(1, 2, 3), k = tensor_alloc(1, 2, 2), rot = tensor_alloc(1, 2, 2), dx = tensor_alloc(1, 3, 4);
    dy.data[0] = 1;
    dy.data[5] = 2;
    memcpy(k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    tensor_rot180(&rot, &k);
    input_grad_by_full_convolution(&dx, &dy, &rot, &s);
    ck_assert_double_eq_tol(dx.data[0], 2, EXACT_TOL);
    ck_assert_double_eq_tol(dx.data[5], 1, EXACT_TOL);
    Tensor *all[] = {&dy, &k, &rot, &dx};
    for (size_t q = 0; q < sizeof all / sizeof *all; q++) tensor_free(all[q]);
}
END_TEST

// ---------------------------------------------------------------- the configuration sweep

typedef struct {
    ConvShape s;
    Tensor x, k, b, g;
} Layer;

// _i = ((((s−1)·3 + p)·2 + (d−1))·2 + C_in index)·2 + C_out index, 72 in all.
static Layer sweep_layer(int i) {
    int co = i % 2 + 1, ci = (i / 2) % 2 ? 3 : 1, dil = (i / 4) % 2 + 1, pad = (i / 8) % 3, stride = i / 24 + 1;
    Rng rng = rng_make(7000 + (uint64_t)i);
    int kh = 1 + rng_below(&rng, 3), kw = 1 + rng_below(&rng, 3);
    int h = dil * (kh - 1) + 1 + rng_below(&rng, 2 * stride + 1), w = dil * (kw - 1) + 1 + rng_below(&rng, 2 * stride + 1);
    Layer l;
    ck_assert(conv_shape_init(&l.s, ci, h, w, co, kh, kw, stride, pad, pad, dil));
    l.x = tensor_alloc(ci, h, w);
    l.k = tensor_alloc(co * ci, kh, kw);
    l.b = tensor_alloc(1, 1, co);
    l.g = tensor_alloc(co, l.s.out_h, l.s.out_w);
    Tensor *fill[] = {&l.x, &l.k, &l.b, &l.g};
    for (int t = 0; t < ARRAY_LEN(fill); t++)
        for (size_t q = 0; q < tensor_size(fill[t]); q++) fill[t]->data[q] = rng_range(&rng, -2, 2);
    return l;
}

static void layer_free(Layer *l) {
    Tensor *all[] = {&l->x, &l->k, &l->b, &l->g};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
}

static BoundedSummary check_block(Layer *l, Tensor *param, ConvBlock block, const double *analytic) {
    ConvObjective ctx = {&l->s, l->x.data, l->k.data, l->b.data, l->g.data, block, 0};
    Objective obj = conv_objective(&ctx);
    int n = (int)tensor_size(param);
    NumericalDerivative *num = malloc(sizeof *num * (size_t)n);
    ck_assert_ptr_nonnull(num);
    numerical_gradient_bounded(num, param->data, n, &obj);
    BoundedSummary sum = compare_bounded(analytic, num, NULL, NULL, n, GRADCHECK_REL_TOL);
    free(num);
    return sum;
}

START_TEST(test_sweep_gradcheck) {
    Layer l = sweep_layer(_i);
    Tensor dx = tensor_alloc_like(&l.x), dk = tensor_alloc_like(&l.k), db = tensor_alloc_like(&l.b);
    conv_backward(dx.data, dk.data, db.data, l.g.data, l.x.data, l.k.data, &l.s);
    BoundedSummary sx = check_block(&l, &l.x, CONV_BLOCK_INPUT, dx.data);
    BoundedSummary sk = check_block(&l, &l.k, CONV_BLOCK_KERNEL, dk.data);
    BoundedSummary sb = check_block(&l, &l.b, CONV_BLOCK_BIAS, db.data);
    ck_assert_msg(sx.passed && sk.passed && sb.passed, "case %d: dX %s dK %s db %s", _i, verdict_name(sx.verdict),
                  verdict_name(sk.verdict), verdict_name(sb.verdict));
    // The checker must also catch a wrong gradient: one kernel entry off by 1%.
    dk.data[0] += 0.01 * (1.0 + fabs(dk.data[0]));
    ck_assert_int_eq(check_block(&l, &l.k, CONV_BLOCK_KERNEL, dk.data).verdict, VERDICT_FAIL);
    Tensor *all[] = {&dx, &dk, &db};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
    layer_free(&l);
}
END_TEST

// Local finite differences: the terms that one entry touches, differenced,
// equal the whole loss differenced, up to rounding, for every entry of X, K
// and b. The local difference is checked to be the derivative itself (from
// conv_backward, exact for this linear loss) at least as well as the global
// one, plus rounding.
START_TEST(test_local_matches_global) {
    Layer l = sweep_layer(_i * 7 % 72);
    Tensor dx = tensor_alloc_like(&l.x), dk = tensor_alloc_like(&l.k), db = tensor_alloc_like(&l.b);
    conv_backward(dx.data, dk.data, db.data, l.g.data, l.x.data, l.k.data, &l.s);
    Tensor *params[] = {&l.x, &l.k, &l.b}, *grads[] = {&dx, &dk, &db};
    const ConvBlock blocks[] = {CONV_BLOCK_INPUT, CONV_BLOCK_KERNEL, CONV_BLOCK_BIAS};
    const double h = 1e-3;
    for (int t = 0; t < ARRAY_LEN(params); t++) {
        ConvObjective ctx = {&l.s, l.x.data, l.k.data, l.b.data, l.g.data, blocks[t], 0};
        Objective obj = conv_objective(&ctx);
        double whole_scale, local_scale;
        obj.whole(obj.ctx, &whole_scale);
        for (int q = 0; q < (int)tensor_size(params[t]); q++) {
            double *p = &params[t]->data[q], saved = *p, su, sd;
            *p = saved + h;
            double gu = obj.whole(obj.ctx, &su), lu = obj.local(obj.ctx, q, &local_scale);
            *p = saved - h;
            double gd = obj.whole(obj.ctx, &sd), ld = obj.local(obj.ctx, q, &local_scale);
            *p = saved;
            double global = (gu - gd) / (2 * h), local = (lu - ld) / (2 * h);
            // Rounding of two whole-loss sums, over 2h.
            double rounding = 16 * 2.3e-16 * (su + sd) / (2 * h);
            ck_assert_msg(fabs(global - local) <= rounding, "case %d block %d entry %d: global %.17g local %.17g",
                          _i, t, q, global, local);
            ck_assert_msg(fabs(local - grads[t]->data[q]) <= rounding, "block %d entry %d: local %.17g analytic %.17g",
                          t, q, local, grads[t]->data[q]);
        }
    }
    Tensor *all[] = {&dx, &dk, &db};
    for (int q = 0; q < ARRAY_LEN(all); q++) tensor_free(all[q]);
    layer_free(&l);
}
END_TEST

// The loss over a region by hand: running example, G = [1 0 0; 0 0 2]:
// L = 23 + 2·35 = 93; scale = Σ|G|·Σ|x·k| = 23 + 2·35 = 93 (all positive).
// Rows [1,2) only: 70.
START_TEST(test_loss_region_hand) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    const double g[6] = {1, 0, 0, 0, 0, 2}, b = 0;
    double scale;
    ck_assert_double_eq_tol(conv_loss_region(&scale, g, EXAMPLE_X, EXAMPLE_K, &b, &s, conv_region_all(&s)), 93,
                            EXACT_TOL);
    ck_assert_double_eq_tol(scale, 93, EXACT_TOL);
    ConvRegion r = {0, 1, 1, 2, 0, 3};
    ck_assert_double_eq_tol(conv_loss_region(&scale, g, EXAMPLE_X, EXAMPLE_K, &b, &s, r), 70, EXACT_TOL);
}
END_TEST

// The round-off scale with signs mixed, so that every |·| in it matters:
// two input channels of 1×1, x = (3, −2), k = (2, 5), b = −1, G = −2:
// y = −1 + 6 − 10 = −5, L = G·y = 10; scale = |G|·(|b| + |6| + |−10|)
// = 2·17 = 34. Without any one of the absolute values it is 30, −6 or −34.
START_TEST(test_loss_region_scale_mixed_signs) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 2, 1, 1, 1, 1, 1, 1, 0, 0, 1));
    const double x[2] = {3, -2}, k[2] = {2, 5}, b = -1, g[1] = {-2};
    double scale = 0.0;
    ck_assert_double_eq_tol(conv_loss_region(&scale, g, x, k, &b, &s, conv_region_all(&s)), 10, EXACT_TOL);
    ck_assert_double_eq_tol(scale, 34, EXACT_TOL);
}
END_TEST

// The checker's local loss (conv_objective's local: the products that hold
// one entry) and its round-off scale, by hand, with signs mixed so that
// dropping an |·| changes the scale: one channel, X = [3 −2], K = [2] (1×1),
// b = 1, G = [−2 1], so Y = [7 −3]. The products: G·x·k = −12 and −4,
// G·b = −2 and 1.
//   x₀: −12, scale 12;   x₁: −4, scale 4;
//   k₀: −12 − 4 = −16, scale 16;   b₀: −2 + 1 = −1, scale 3.
START_TEST(test_local_loss_scale_mixed_signs) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 1, 2, 1, 1, 1, 1, 0, 0, 1));
    const double x[2] = {3, -2}, k[1] = {2}, b[1] = {1}, g[2] = {-2, 1};
    const struct {
        ConvBlock block;
        int entry;
        double loss, scale;
    } want[] = {{CONV_BLOCK_INPUT, 0, -12, 12}, {CONV_BLOCK_INPUT, 1, -4, 4},
                {CONV_BLOCK_KERNEL, 0, -16, 16}, {CONV_BLOCK_BIAS, 0, -1, 3}};
    for (int q = 0; q < ARRAY_LEN(want); q++) {
        ConvObjective ctx = {&s, x, k, b, g, want[q].block, 0};
        Objective obj = conv_objective(&ctx);
        double scale = 0.0;
        ck_assert_double_eq_tol(obj.local(obj.ctx, want[q].entry, &scale), want[q].loss, EXACT_TOL);
        ck_assert_msg(fabs(scale - want[q].scale) <= EXACT_TOL, "case %d: scale %g, expected %g", q, scale,
                      want[q].scale);
    }
}
END_TEST

// A real mistake, not a perturbation: ∂L/∂X with the kernel unrotated, on the
// running example, fails the bounded check, while the right one passes.
// The textbook full convolution dY * K already is pad(dY) ⋆ rot180(K);
// handing it rot180(K) instead undoes the rotation.
START_TEST(test_unrotated_gradient_caught) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 4, 1, 2, 2, 1, 0, 0, 1));
    double x[12], k[4], b = 0, g[6] = {1, -2, 0, 3, 1, -1};
    NumericalDerivative num[12];
    memcpy(x, EXAMPLE_X, sizeof x);
    memcpy(k, EXAMPLE_K, sizeof k);
    Tensor dy = tensor_view(g, 1, 2, 3), kv = tensor_view(k, 1, 2, 2);
    Tensor rot = tensor_alloc(1, 2, 2), right = tensor_alloc(1, 3, 4), unrotated = tensor_alloc(1, 3, 4);
    tensor_rot180(&rot, &kv);
    input_grad_by_full_convolution(&right, &dy, &kv, &s);
    input_grad_by_full_convolution(&unrotated, &dy, &rot, &s);
    ConvObjective ctx = {&s, x, k, &b, g, CONV_BLOCK_INPUT, 0};
    Objective obj = conv_objective(&ctx);
    numerical_gradient_bounded(num, x, 12, &obj);
    ck_assert(compare_bounded(right.data, num, NULL, NULL, 12, GRADCHECK_REL_TOL).passed);
    ck_assert_int_eq(compare_bounded(unrotated.data, num, NULL, NULL, 12, GRADCHECK_REL_TOL).verdict, VERDICT_FAIL);
    tensor_free(&rot);
    tensor_free(&right);
    tensor_free(&unrotated);
}
END_TEST

// conv_input_grad_scatter skips zero upstream entries only where that
// changes no bit: with a -0 already in din (-0 + 0 is +0) or an infinite
// weight (0·∞ is NaN) it adds them, as the plain loop does.
START_TEST(test_scatter_zero_skip_keeps_bits) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 3, 3, 1, 2, 2, 1, 0, 0, 1));
    double g[4] = {0.0, 0.5, 0.0, 0.0}, w[4] = {1.0, 2.0, 3.0, 4.0}, din[9];
    for (int k = 0; k < 9; k++) din[k] = -0.0;
    conv_input_grad_scatter(din, g, w, &s);
    for (int k = 0; k < 9; k++) ck_assert_msg(!signbit(din[k]), "din[%d] stayed -0", k); // 1·(+0) reached all
    double w_inf[4] = {1.0, INFINITY, 3.0, 4.0}, din2[9] = {0};
    conv_input_grad_scatter(din2, g, w_inf, &s);
    ck_assert(isnan(din2[1]));  // g[0,0] = 0 times w[0,1] = ∞ lands at din[0,1]
    ck_assert(isinf(din2[2]));  // g[0,1] = 0.5 times ∞
    double din3[9] = {0};
    conv_input_grad_scatter(din3, g, w, &s);
    const double want[9] = {0, 0.5, 1.0, 0, 1.5, 2.0, 0, 0, 0}; // hand: only g[0,1] = 0.5 scatters
    for (int k = 0; k < 9; k++) ck_assert_double_eq(din3[k], want[k]);
}
END_TEST

// ∂L/∂K[m,n] = Σ_ij dout[i,j]·in[i·s + m·d − p, j·s + n·d − p] as the
// textbook writes it: every (i,j), zero or not, in order.
static void kernel_grad_plain(double *dw, const double *dout, const double *in, const ConvShape *s) {
    for (int m = 0; m < s->kh; m++)
        for (int n = 0; n < s->kw; n++) {
            double sum = 0.0;
            for (int i = 0; i < s->out_h; i++)
                for (int j = 0; j < s->out_w; j++) {
                    int y = i * s->stride + m * s->dilation - s->pad_h, x = j * s->stride + n * s->dilation - s->pad_w;
                    if (y >= 0 && y < s->in_h && x >= 0 && x < s->in_w) sum += dout[i * s->out_w + j] * in[y * s->in_w + x];
                }
            dw[m * s->kw + n] += sum;
        }
}

// conv_kernel_grad visits only the non-zero upstream entries (three in four
// behind a 2x2 max pool): bit for bit the plain sum, accumulated onto what
// dw held, with stride, padding and dilation; and with an infinite input,
// where 0·∞ is NaN, the plain sum too.
START_TEST(test_kernel_grad_zero_skip_keeps_bits) {
    ConvShape s;
    ck_assert(conv_shape_init(&s, 1, 9, 8, 1, 3, 2, 2, 1, 1, 2));
    Rng rng = rng_make(61);
    double in[72], dout[64], got[6], want[6];
    for (int k = 0; k < 72; k++) in[k] = rng_range(&rng, -3, 3);
    for (int k = 0; k < s.out_h * s.out_w; k++) dout[k] = k % 4 ? 0.0 : rng_range(&rng, -1, 1);
    for (int k = 0; k < 6; k++) got[k] = want[k] = rng_range(&rng, -1, 1);
    conv_kernel_grad(got, dout, in, &s);
    kernel_grad_plain(want, dout, in, &s);
    ck_assert_int_eq(memcmp(got, want, sizeof got), 0);
    in[9] = INFINITY; // X[1,1], read by zero and non-zero entries of dout: NaN or ±∞ as in the plain loop
    for (int k = 0; k < 6; k++) got[k] = want[k] = 0.0;
    conv_kernel_grad(got, dout, in, &s);
    kernel_grad_plain(want, dout, in, &s);
    for (int k = 0; k < 6; k++)
        ck_assert_msg(memcmp(&got[k], &want[k], sizeof got[k]) == 0 || (isnan(got[k]) && isnan(want[k])),
                      "dK[%d]: %g, plain %g", k, got[k], want[k]);
}
END_TEST

Suite *make_conv_suite(void) {
    Suite *s = suite_create("conv");
    TCase *hand = tcase_create("hand examples");
    tcase_add_test(hand, test_forward_running_example);
    tcase_add_test(hand, test_backward_stride1);
    tcase_add_test(hand, test_stride2_padding1);
    tcase_add_test(hand, test_dilation2);
    tcase_add_test(hand, test_channels_sum);
    tcase_add_test(hand, test_backward_accumulates);
    tcase_add_test(hand, test_scatter_zero_skip_keeps_bits);
    tcase_add_test(hand, test_kernel_grad_zero_skip_keeps_bits);
    tcase_add_test(hand, test_convolve2d_valid);
    tcase_add_test(hand, test_convolve2d_full);
    tcase_add_loop_test(hand, test_forms_hand_values, 0, 3 * ARRAY_LEN(HAND));
    tcase_add_test(hand, test_conv_matrix_hand);
    tcase_add_test(hand, test_loss_region_hand);
    tcase_add_test(hand, test_loss_region_scale_mixed_signs);
    tcase_add_test(hand, test_local_loss_scale_mixed_signs);
    suite_add_tcase(s, hand);
    TCase *shape = tcase_create("shape");
    tcase_add_loop_test(shape, test_shape_rejects, 0, ARRAY_LEN(BAD_SHAPES));
    tcase_add_test(shape, test_shape_accepts_exact_fit);
    suite_add_tcase(s, shape);
    TCase *forms = tcase_create("three forms");
    tcase_add_loop_test(forms, test_three_forms_equal, 0, ARRAY_LEN(FORM_CASES));
    tcase_add_test(forms, test_unrotated_kernel_is_wrong);
    tcase_add_test(forms, test_full_form_big_kernel_visits_only_live_taps);
    suite_add_tcase(s, forms);
    TCase *sweep = tcase_create("sweep");
    tcase_add_loop_test(sweep, test_sweep_gradcheck, 0, 72);
    tcase_add_test(sweep, test_unrotated_gradient_caught);
    tcase_add_loop_test(sweep, test_local_matches_global, 0, 12);
    suite_add_tcase(s, sweep);
    return s;
}
