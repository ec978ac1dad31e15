// Lab 5's cases: the convolution layer's three gradients, with stride and
// padding. Finite differences of L = Σ G∘Y check ∂L/∂X, ∂L/∂K and ∂L/∂b.
#ifdef LAB_STUDENT_PROCESS
// The student's side (runner.c): the call, in the lab function's argument order.
#include "../lab.h"
#include "wire.h"

void lab_call_student(double *const *out, const double *const *in, const int *v) {
    lab_conv_backward(out[0], out[1], out[2], in[0], in[1], in[2], v[0], v[1], v[2], v[3], v[4], v[5]);
}

#else
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../lab.h"
#include "arraylen.h"
#include "conv.h"
#include "example.h"
#include "harness.h"
#include "rng.h"

enum {
    MISTAKE_NO_ROT180,
    MISTAKE_VALID_NOT_FULL,
    MISTAKE_NO_DILATE,
    MISTAKE_BIAS_ONE_AXIS,
    MISTAKE_OVERWRITE,
    MISTAKE_PAD_PLUS_ONE,
    MISTAKE_PAD_MINUS_ONE,
    MISTAKE_KERNEL_CONV
};

static const Mistake MISTAKES[] = {
    [MISTAKE_NO_ROT180] = {"no-rot180", "dL/dX from the padded dL/dY cross-correlated with K itself, not rot180(K)",
                           "chapter 5, section 5.3 (build/chapter5 --bug no-rot180)"},
    [MISTAKE_VALID_NOT_FULL] = {"valid-not-full", "dL/dY not zero-padded, so only the interior of dL/dX is filled",
                                "chapter 5, section 5.3 (build/chapter5 --bug valid-not-full)"},
    [MISTAKE_NO_DILATE] = {"no-dilate", "with stride > 1, no zeros inserted between the entries of dL/dY",
                           "chapter 5, section 5.7 (build/chapter5 --bug no-dilate)"},
    [MISTAKE_BIAS_ONE_AXIS] = {"bias-one-axis", "dL/db summed over the first row of dL/dY only",
                               "chapter 5, section 5.4 (build/chapter5 --bug bias-one-axis)"},
    [MISTAKE_OVERWRITE] = {"overwrite", "= where += belongs: each entry keeps only the last term of its sum",
                           "labs/lab.h (the function adds into its outputs) and chapter 5, 5.2-5.4"},
    [MISTAKE_PAD_PLUS_ONE] = {"pad-off-by-one", "reads X[i*stride + m - pad + 1]: the padding offset one too small",
                              "chapter 5, section 5.7 (stride and padding)"},
    [MISTAKE_PAD_MINUS_ONE] = {"pad-off-by-one", "reads X[i*stride + m - pad - 1]: the padding offset one too large",
                               "chapter 5, section 5.7 (stride and padding)"},
    [MISTAKE_KERNEL_CONV] = {"kernel-conv", "dL/dK as the article writes it, X * dL/dY: a true convolution, "
                                            "dL/dY flipped, where the cross-correlation X ⋆ dL/dY belongs",
                             "chapter 5, section 5.2 (build/chapter5 --bug kernel-conv)"},
};

typedef struct {
    double *x, *k, b, *g, *y, *abs_y;
    ConvShape s;
} ConvCase;

// L = Σ G∘Y; scale: Σ |G|·(|b| + Σ|X||K|), what the sums are made of.
static double conv_loss(void *ctx, double *scale) {
    ConvCase *c = ctx;
    conv_forward(c->y, c->x, c->k, &c->b, &c->s);
    double sum = 0.0, mag = 0.0;
    for (int o = 0; o < c->s.out_h * c->s.out_w; o++) {
        sum += c->g[o] * c->y[o];
        mag += fabs(c->g[o]) * c->abs_y[o];
    }
    *scale = mag;
    return sum;
}

static void numerical(NumericalDerivative *out, double *param, int n, ConvCase *c) {
    Objective obj = {.whole = conv_loss, .ctx = c};
    numerical_gradient_bounded(out, param, n, &obj);
}

// The chapter's mistakes, computed from the library: the same scatter with
// rot180(K), with the stride forgotten, or with the border left empty.
static void mistakes(Case *c, ConvCase *cc) {
    const ConvShape *s = &cc->s;
    int kn = s->kh * s->kw;
    double rk[9], db = 0.0, scratch_k[9] = {0}, scratch_b = 0.0;
    for (int i = 0; i < kn; i++) rk[i] = cc->k[kn - 1 - i];
    conv_backward(block_mistake(&c->blocks[0], MISTAKE_NO_ROT180), scratch_k, &scratch_b, cc->g, cc->x, rk, s);
    double *valid = block_mistake(&c->blocks[0], MISTAKE_VALID_NOT_FULL);
    double *undilated = block_mistake(&c->blocks[0], MISTAKE_NO_DILATE);
    for (int r = 0; r < s->in_h; r++)
        for (int q = 0; q < s->in_w; q++) {
            bool interior = r >= s->kh - 1 && r <= s->in_h - s->kh && q >= s->kw - 1 && q <= s->in_w - s->kw;
            int at = r * s->in_w + q;
            valid[at] = interior ? c->blocks[0].reference[at] : 0.0;
        }
    // No dilation: dX[r,q] = Σ G[i,j]·K[r + p − i, q + p − j], as if the stride were 1.
    for (int r = 0; r < s->in_h; r++)
        for (int q = 0; q < s->in_w; q++)
            for (int i = 0; i < s->out_h; i++)
                for (int j = 0; j < s->out_w; j++) {
                    int m = r + s->pad_h - i, n = q + s->pad_w - j;
                    if (m >= 0 && n >= 0 && m < s->kh && n < s->kw)
                        undilated[r * s->in_w + q] +=
                            cc->g[i * s->out_w + j] * cc->k[m * s->kw + n];
                }
    for (int j = 0; j < s->out_w; j++) db += cc->g[j];
    *block_mistake(&c->blocks[2], MISTAKE_BIAS_ONE_AXIS) = db;
    // The article's dK = X * dL/dY: the right code given dL/dY turned by 180 degrees.
    int ny = s->out_h * s->out_w;
    double *rg = malloc(sizeof(double) * (size_t)ny), *scratch_x = calloc((size_t)(s->in_h * s->in_w), sizeof(double));
    if (!rg || !scratch_x) abort();
    for (int o = 0; o < ny; o++) rg[o] = cc->g[ny - 1 - o];
    scratch_b = 0.0;
    conv_backward(scratch_x, block_mistake(&c->blocks[1], MISTAKE_KERNEL_CONV), &scratch_b, rg, cc->x, cc->k, s);
    free(rg);
    free(scratch_x);
}

// The backward pass as loops over the output and the kernel, written
// independently of the library: X[i*stride + m − offset] for each term, and
// each entry's sum either accumulated (+=) or overwritten by its last term (=).
static void scatter(double *dx, double *dk, double *db, const ConvCase *cc, int offset, bool overwrite) {
    const ConvShape *s = &cc->s;
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            double g = cc->g[i * s->out_w + j];
            *db = overwrite ? g : *db + g;
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    int r = i * s->stride + m - offset, q = j * s->stride + n - offset;
                    if (r < 0 || q < 0 || r >= s->in_h || q >= s->in_w) continue;
                    double *x = &dx[r * s->in_w + q], *k = &dk[m * s->kw + n];
                    *x = (overwrite ? 0.0 : *x) + g * cc->k[m * s->kw + n];
                    *k = (overwrite ? 0.0 : *k) + g * cc->x[r * s->in_w + q];
                }
        }
}

// = instead of +=, and the padding offset one off either way, in every block.
static void slips(Case *c, const ConvCase *cc) {
    const int which[] = {MISTAKE_OVERWRITE, MISTAKE_PAD_PLUS_ONE, MISTAKE_PAD_MINUS_ONE};
    const int offset[] = {cc->s.pad_h, cc->s.pad_h - 1, cc->s.pad_h + 1};
    for (int t = 0; t < ARRAY_LEN(which); t++)
        scatter(block_mistake(&c->blocks[0], which[t]), block_mistake(&c->blocks[1], which[t]),
                block_mistake(&c->blocks[2], which[t]), cc, offset[t], which[t] == MISTAKE_OVERWRITE);
}

static void fill(double *v, int n, Rng *rng) {
    for (int i = 0; i < n; i++) v[i] = round(rng_range(rng, -2.0, 2.0) * 100.0) / 100.0;
}

// Case 0 is the article's running example; then stride 1, stride 2 or 3,
// and padding, with random shapes.
static const char *choose_shape(ConvShape *s, int k, Rng *rng) {
    if (k == 0) {
        conv_shape_init(s, 1, EXAMPLE_X_H, EXAMPLE_X_W, 1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE, 1, 0, 0, 1);
        return "article example";
    }
    int stride = k <= 7 ? 1 : 2 + rng_below(rng, 2), pad = k <= 14 ? 0 : 1 + rng_below(rng, 2);
    for (;;) {
        int h = 3 + rng_below(rng, 5), w = 3 + rng_below(rng, 5), kh = 1 + rng_below(rng, 3),
            kw = 1 + rng_below(rng, 3);
        if (kh * kw > 1 && conv_shape_init(s, 1, h, w, 1, kh, kw, stride, pad, pad, 1)) break;
    }
    return pad ? "padding 1 or 2" : stride > 1 ? "stride 2 or 3" : "stride 1";
}

static void make_case(Case *c, int k, uint64_t seed) {
    Rng rng = rng_make(seed * 1000003u + (uint64_t)k);
    ConvCase cc = {0};
    c->group = choose_shape(&cc.s, k, &rng);
    const ConvShape *s = &cc.s;
    int nx = s->in_h * s->in_w, nk = s->kh * s->kw, ny = s->out_h * s->out_w;
    Block *bx = case_block(c, 0, "dX", s->in_h, s->in_w, true);
    Block *bk = case_block(c, 1, "dK", s->kh, s->kw, true);
    Block *bb = case_block(c, 2, "db", 1, 1, true);
    cc.x = malloc(sizeof(double) * (size_t)(nx + nk + 3 * ny));
    if (!cc.x) abort();
    cc.k = cc.x + nx, cc.g = cc.k + nk, cc.y = cc.g + ny, cc.abs_y = cc.y + ny;
    if (k == 0) {
        memcpy(cc.x, EXAMPLE_X, sizeof EXAMPLE_X);
        memcpy(cc.k, EXAMPLE_K, sizeof EXAMPLE_K);
        const double g[] = {0, 2, 3, 0, 0, 2};
        memcpy(cc.g, g, sizeof g);
    } else {
        fill(cc.x, nx, &rng);
        fill(cc.k, nk, &rng);
        fill(cc.g, ny, &rng);
        cc.b = round(rng_range(&rng, -1.0, 1.0) * 100.0) / 100.0;
    }
    case_describe(c, "X", cc.x, s->in_h, s->in_w);
    case_describe(c, "K", cc.k, s->kh, s->kw);
    case_describe(c, "dL/dY", cc.g, s->out_h, s->out_w);
    case_describe_int(c, "stride", s->stride);
    case_describe_int(c, "pad", s->pad_h);
    case_input(c, "dL/dY", cc.g, ny);
    case_input(c, "X", cc.x, nx);
    case_input(c, "K", cc.k, nk);
    const int ints[] = {s->in_h, s->in_w, s->kh, s->kw, s->stride, s->pad_h};
    for (int i = 0; i < ARRAY_LEN(ints); i++) case_int(c, ints[i]);
    conv_backward(bx->reference, bk->reference, bb->reference, cc.g, cc.x, cc.k, &cc.s);
    double *ax = calloc((size_t)(nx + nk), sizeof(double)), ab = fabs(cc.b);
    if (!ax) abort();
    for (int i = 0; i < nx + nk; i++) ax[i] = fabs(cc.x[i]);
    conv_forward(cc.abs_y, ax, ax + nx, &ab, &cc.s);
    free(ax);
    numerical(bx->numerical, cc.x, nx, &cc);
    numerical(bk->numerical, cc.k, nk, &cc);
    numerical(bb->numerical, &cc.b, 1, &cc);
    mistakes(c, &cc);
    slips(c, &cc);
    free(cc.x);
}

int main(int argc, char **argv) {
    const Lab lab = {.lab = "lab5", .function = "lab_conv_backward", .file = "labs/lab5_conv.c", .n_cases = 21,
                     .mistakes = MISTAKES, .n_mistakes = ARRAY_LEN(MISTAKES), .make_case = make_case};
    return lab_main(&lab, argc, argv);
}
#endif
