// The randomized corpus (issue 12): seeded random problems whose exact
// gradients are derived by hand (tests/gradcheck_problems.h), each checked
// with its correct gradient and with several wrong ones, and every verdict
// compared with that truth. Zero false PASS, zero false FAIL, at most 2%
// INCONCLUSIVE; the counts are printed.
//
// Part 1 (this file's "library" case) drives the checker directly:
// cross-correlation and convolution layers, a dense layer with sigmoid and
// BCE (some saturated), max pooling with unique maxima (some by margins far
// below the usual step), a small network (conv → max pool → dense → BCE),
// blocks whose gradient is exactly zero, integer pixel inputs, and inputs
// scaled from 1e-9 to 1e6.
// Part 2 (the chapters 1, 3 and 5 run as processes, with and without each
// --bug) goes in a second TCase: write make_chapter_case() beside
// make_library_case() and add it in make_corpus_suite(); Tally and judge()
// are shared.
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "gradcheck.h"
#include "gradcheck_problems.h"
#include "rng.h"

// Problems per kind; 4 kinds × 2 modes × 6 scales × this many.
#define PROBLEMS_PER_CELL 12
// A wrong gradient counts as wrong when it differs from the truth by more
// than this fraction of the block's largest true entry (or of the size of
// the terms making up the derivatives, for a block that is exactly zero):
// below it, "wrong" would mean a different rounding of the same number.
#define WRONG_MIN 1e-4
// At most this fraction of the checks may be INCONCLUSIVE (issue 12).
#define MAX_INCONCLUSIVE 0.02
// Today's check costs 2 loss evaluations per entry; the issue allows 2×,
// which ordinary problems meet (one Richardson pair each). The hard half of
// the corpus is built to need other steps (near-ties shrink, saturated
// losses grow), and may spend a little more.
#define MAX_EVALUATIONS_ORDINARY 4.0
#define MAX_EVALUATIONS_HARD 5.0
// A block's first entry may adapt its step; the rest start from its step.
#define ORDINARY_SLACK 1.01

static const double SCALES[] = {1e-9, 1e-6, 1e-3, 1.0, 1e3, 1e6};

typedef struct {
    int checks, right, wrong, ambiguous;
    int false_pass, false_fail, inconclusive, nothing;
    bool hard; // the problem being checked is a near-tie, saturated or zero-gradient one
    long evaluations[2], entries[2]; // [ordinary, hard]
    char first_problem[200]; // the first false verdict, for the message
} Tally;

static void judge(Tally *t, Verdict v, bool truly_right, const char *what) {
    t->checks++;
    truly_right ? t->right++ : t->wrong++;
    bool bad = (v == VERDICT_PASS && !truly_right) || (v == VERDICT_FAIL && truly_right);
    if (v == VERDICT_PASS && !truly_right) t->false_pass++;
    if (v == VERDICT_FAIL && truly_right) t->false_fail++;
    if (v == VERDICT_INCONCLUSIVE) t->inconclusive++;
    if (v == VERDICT_NOTHING_COMPARED) t->nothing++;
    if (bad && !t->first_problem[0])
        snprintf(t->first_problem, sizeof t->first_problem, "%s: %s gradient judged %s", what,
                 truly_right ? "right" : "wrong", verdict_name(v));
}

// One block: the numerical derivatives once, then the right gradient and
// every wrong one compared with them.
typedef struct {
    const char *name;
    double *param;
    int n;
    const double *right;
    double terms; // the size of the terms making up the derivatives (≥ max|right|)
    bool smooth;  // L has no kink in these entries: numerical_gradient_bounded_smooth
} Block;

#define MAX_WRONG 6

typedef struct {
    const char *mistake;
    double g[GP_MAX];
} Wrong;

static void check_block(Tally *t, const Block *b, const Objective *obj, const Wrong *wrong, int n_wrong,
                        const char *problem) {
    NumericalDerivative num[GP_MAX];
    (b->smooth ? numerical_gradient_bounded_smooth : numerical_gradient_bounded)(num, b->param, b->n, obj);
    char what[160];
    snprintf(what, sizeof what, "%s, %s", problem, b->name);
    for (int k = 0; k < b->n; k++) t->evaluations[t->hard] += num[k].evaluations;
    t->entries[t->hard] += b->n;
    BoundedSummary rs = compare_bounded(b->right, num, NULL, NULL, b->n, GRADCHECK_REL_TOL);
    if (getenv("CORPUS_DEBUG") && rs.verdict != VERDICT_PASS) {
        printf("%s: right %s\n", what, verdict_name(rs.verdict));
        for (int k = 0; k < b->n; k++)
            printf("  %d a %.17g n %.17g bound %.3g step %.3g lever %.3g kink %d ev %d%s\n", k, b->right[k],
                   num[k].value, num[k].bound, num[k].step, num[k].lever, num[k].kink, num[k].evaluations,
                   fabs(b->right[k] - num[k].value) > GRADCHECK_REL_TOL * fmax(fabs(b->right[k]), fabs(num[k].value)) +
                           num[k].bound ? "  <- outside" : "");
    }
    judge(t, rs.verdict, true, what);
    double ref = b->terms;
    for (int k = 0; k < b->n; k++) ref = fmax(ref, fabs(b->right[k]));
    for (int w = 0; w < n_wrong; w++) {
        double diff = 0.0;
        for (int k = 0; k < b->n; k++) diff = fmax(diff, fabs(wrong[w].g[k] - b->right[k]));
        if (diff == 0.0) continue; // the "mistake" changes nothing here (a symmetric kernel, a zero block)
        if (diff <= WRONG_MIN * ref) {
            t->ambiguous++;
            continue;
        }
        snprintf(what, sizeof what, "%s, %s, %s", problem, b->name, wrong[w].mistake);
        Verdict v = compare_bounded(wrong[w].g, num, NULL, NULL, b->n, GRADCHECK_REL_TOL).verdict;
        if (getenv("CORPUS_DEBUG") && v != VERDICT_FAIL) {
            printf("%s: wrong %s\n", what, verdict_name(v));
            for (int k = 0; k < b->n; k++)
                printf("  %d a %.17g w %.17g n %.17g bound %.3g step %.3g lever %.3g\n", k, b->right[k], wrong[w].g[k],
                       num[k].value, num[k].bound, num[k].step, num[k].lever);
        }
        judge(t, v, false, what);
    }
}

// CORPUS_SEED=N draws another corpus (default 12); CORPUS_DEBUG=1 lists every check whose verdict is not
// the expected one (PASS for right, FAIL for wrong), entry by entry.

// The mistakes every block can make: a sign, a factor, 1e-3 relative.
static int common_wrongs(Wrong *w, const double *g, int n) {
    w[0].mistake = "sign", w[1].mistake = "missing factor 2", w[2].mistake = "off by 1e-3 relative";
    for (int k = 0; k < n; k++) w[0].g[k] = -g[k], w[1].g[k] = 0.5 * g[k], w[2].g[k] = g[k] * (1 + 1e-3);
    return 3;
}

// rot180 of a kh×kw matrix, and its transpose when square.
static void rot180(double *out, const double *g, int rows, int cols) {
    for (int k = 0; k < rows * cols; k++) out[k] = g[rows * cols - 1 - k];
}

static void transpose(double *out, const double *g, int n) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++) out[j * n + i] = g[i * n + j];
}

// ---------------------------------------------------------------- problems

// pixels: integer inputs 0..255 (times s/255) on up to 8×8, where sums of
// hundreds of large products cancel to small or zero gradients.
static void xcorr_problem(Tally *t, Rng *rng, double s, bool zero_block, bool pixels) {
    int extra = pixels ? 3 : 0;
    XcorrProblem p = {.h = 2 + rng_below(rng, 4 + extra), .w = 2 + rng_below(rng, 4 + extra),
                      .convolution = rng_below(rng, 2)};
    p.kh = 1 + rng_below(rng, p.h < 3 ? p.h : 3), p.kw = 1 + rng_below(rng, p.w < 3 ? p.w : 3);
    int nx = p.h * p.w, nk = p.kh * p.kw, ny = xc_oh(&p) * xc_ow(&p);
    for (int e = 0; e < 9; e++) p.k[e] = rng_range(rng, -2, 2);
    for (int e = 0; e < ny; e++) p.g[e] = rng_range(rng, -1, 1);
    // X = s·(a ramp 3i + j + 1) and G = [1 −1; −1 1] make ∂L/∂K exactly 0.
    if (zero_block) p.kh = p.kw = 2, p.h = p.w = 3, nx = 9, nk = 4, ny = 4;
    for (int i = 0; i < p.h; i++)
        for (int j = 0; j < p.w; j++)
            p.x[i * p.w + j] = zero_block ? s * (3 * i + j + 1)
                               : pixels   ? s / 255 * rng_below(rng, 256)
                                          : s * rng_range(rng, -1, 1);
    if (zero_block) p.g[0] = p.g[3] = 1, p.g[1] = p.g[2] = -1;
    double dk[GP_MAX], dx[GP_MAX];
    xcorr_grads(&p, dk, dx);
    double terms = 0.0; // max over K entries of Σ|G|·|X| in its windows
    for (int m = 0; m < p.kh; m++)
        for (int n = 0; n < p.kw; n++) {
            double sum = 0.0;
            for (int i = 0; i < xc_oh(&p); i++)
                for (int j = 0; j < xc_ow(&p); j++) sum += fabs(p.g[i * xc_ow(&p) + j] * p.x[(i + m) * p.w + j + n]);
            terms = fmax(terms, sum);
        }
    Objective obj = {xcorr_loss, NULL, &p};
    char name[80];
    snprintf(name, sizeof name, "%s %dx%d * %dx%d%s, scale %g", p.convolution ? "conv" : "xcorr", p.h, p.w, p.kh,
             p.kw, pixels ? " pixels" : "", s);
    Wrong w[MAX_WRONG];
    int n = common_wrongs(w, dk, nk);
    w[n].mistake = "rot180", rot180(w[n++].g, dk, p.kh, p.kw);
    if (p.kh == p.kw) w[n].mistake = "transposed", transpose(w[n++].g, dk, p.kh);
    w[n].mistake = "upstream G ignored";
    XcorrProblem ones = p;
    for (int e = 0; e < ny; e++) ones.g[e] = 1.0;
    double ddx[GP_MAX];
    xcorr_grads(&ones, w[n++].g, ddx);
    check_block(t, &(Block){"dL/dK", p.k, nk, dk, terms, true}, &obj, w, n, name);
    n = common_wrongs(w, dx, nx);
    XcorrProblem flipped = p; // the other layer's input gradient: K not rotated
    flipped.convolution = !p.convolution;
    double dkk[GP_MAX];
    w[n].mistake = "kernel not rotated", xcorr_grads(&flipped, dkk, w[n++].g);
    check_block(t, &(Block){"dL/dX", p.x, nx, dx, 0.0, true}, &obj, w, n, name);
}

static void dense_problem(Tally *t, Rng *rng, double s, bool saturated) {
    DenseProblem p = {.m = 1 + rng_below(rng, 3), .n = 1 + rng_below(rng, 4)};
    for (int j = 0; j < p.n; j++) p.x[j] = s * rng_range(rng, -1, 1);
    // z = W·x + b of order 1 (W ~ 1/(s·n)), or of order 30 (saturated σ).
    for (int e = 0; e < p.m * p.n; e++) p.W[e] = rng_range(rng, -1, 1) * (saturated ? 30.0 : 2.0) / (s * p.n);
    for (int i = 0; i < p.m; i++) p.b[i] = rng_range(rng, -0.5, 0.5), p.y[i] = rng_below(rng, 2);
    double dW[GP_MAX], dx[GP_MAX], db[GP_MAX];
    dense_grads(&p, dW, dx, db);
    Objective obj = {dense_loss, NULL, &p};
    char name[80];
    snprintf(name, sizeof name, "dense %dx%d%s, scale %g", p.m, p.n, saturated ? " saturated" : "", s);
    // δ without σ′'s share: (−y)/M instead of (σ(z) − y)/M.
    DenseProblem no_sigma = p;
    double nW[GP_MAX], nx[GP_MAX], nb[GP_MAX];
    for (int i = 0; i < p.m; i++) no_sigma.b[i] = -INFINITY; // σ(z) = 0: δ = −y/M
    dense_grads(&no_sigma, nW, nx, nb);
    Wrong w[MAX_WRONG];
    int n = common_wrongs(w, dW, p.m * p.n);
    w[n].mistake = "sigma forgotten", memcpy(w[n++].g, nW, sizeof nW);
    if (p.m == p.n && p.m > 1) w[n].mistake = "transposed", transpose(w[n++].g, dW, p.m);
    check_block(t, &(Block){"dL/dW", p.W, p.m * p.n, dW, 0.0, true}, &obj, w, n, name);
    n = common_wrongs(w, dx, p.n);
    w[n].mistake = "sigma forgotten", memcpy(w[n++].g, nx, sizeof nx);
    check_block(t, &(Block){"dL/dx", p.x, p.n, dx, 0.0, true}, &obj, w, n, name);
    n = common_wrongs(w, db, p.m);
    w[n].mistake = "mean forgotten";
    for (int i = 0; i < p.m; i++) w[n].g[i] = db[i] * p.m;
    n += p.m > 1;
    check_block(t, &(Block){"dL/db", p.b, p.m, db, 0.0, true}, &obj, w, n, name);
}

// Distinct values k·s (shuffled), so every window has a unique maximum; with
// near_tie, one value sits a relative 1e-6 above another.
static void pool_problem(Tally *t, Rng *rng, double s, bool near_tie) {
    PoolProblem p = {.h = 2 + rng_below(rng, 4), .w = 2 + rng_below(rng, 4), .win = 2, .stride = 1 + rng_below(rng, 2)};
    int n = p.h * p.w;
    for (int e = 0; e < n; e++) p.x[e] = s * (e + 1);
    for (int e = n - 1; e > 0; e--) {
        int j = rng_below(rng, e + 1);
        double tmp = p.x[e];
        p.x[e] = p.x[j], p.x[j] = tmp;
    }
    if (near_tie) { // window (0,0)'s runner-up moves to just below its maximum
        int top = pool_argmax(&p, 0, 0), second = -1;
        for (int m = 0; m < 2; m++)
            for (int k = 0; k < 2; k++) {
                int at = m * p.w + k;
                if (at != top && (second < 0 || p.x[at] > p.x[second])) second = at;
            }
        p.x[second] = p.x[top] * (1 - 1e-6);
    }
    for (int e = 0; e < pool_oh(&p) * pool_ow(&p); e++) p.g[e] = rng_range(rng, 0.5, 2) * (rng_below(rng, 2) ? 1 : -1);
    double dx[GP_MAX];
    pool_grad(&p, dx);
    Objective obj = {pool_loss, NULL, &p};
    char name[80];
    snprintf(name, sizeof name, "maxpool %dx%d stride %d%s, scale %g", p.h, p.w, p.stride, near_tie ? " near-tie" : "",
             s);
    Wrong w[MAX_WRONG];
    int k = common_wrongs(w, dx, n);
    w[k].mistake = "average pooling's backward"; // G/4 to every cell of the window
    for (int e = 0; e < n; e++) w[k].g[e] = 0.0;
    for (int i = 0; i < pool_oh(&p); i++)
        for (int j = 0; j < pool_ow(&p); j++)
            for (int m = 0; m < 2; m++)
                for (int q = 0; q < 2; q++) w[k].g[(i * p.stride + m) * p.w + j * p.stride + q] += p.g[i * pool_ow(&p) + j] / 4;
    k++;
    check_block(t, &(Block){"dL/dX", p.x, n, dx, 0.0, false}, &obj, w, k, name);
}

// A small network, chapter 6's pipeline: Y = X ⋆ K (valid), P = 2×2 max
// pooling with stride 2 of Y, z = W·flatten(P) + b, L = softplus(z) − y·z.
// By hand: δ = σ(z) − y, ∂L/∂P_j = δ·W_j, routed to each window's maximum in
// Y (dY), then ∂L/∂K = X ⋆ dY and ∂L/∂X[i+m, j+n] += dY[i,j]·K[m,n].
typedef struct {
    XcorrProblem c; // X, K and (as g) the routed upstream dY
    double W[GP_MAX], b, y;
    int calls;
} NetProblem;

static int net_pooled(const NetProblem *p, const double *yv, int *argmax, double *pooled) {
    int oh = xc_oh(&p->c), ow = xc_ow(&p->c), n = 0;
    for (int i = 0; i + 1 < oh; i += 2)
        for (int j = 0; j + 1 < ow; j += 2, n++) {
            int best = i * ow + j;
            for (int m = 0; m < 2; m++)
                for (int q = 0; q < 2; q++)
                    if (yv[(i + m) * ow + j + q] > yv[best]) best = (i + m) * ow + j + q;
            argmax[n] = best, pooled[n] = yv[best];
        }
    return n;
}

// Y and each entry's Σ|x·k|.
static void net_conv(const NetProblem *p, double *yv, double *ymag) {
    for (int e = 0; e < xc_oh(&p->c) * xc_ow(&p->c); e++) {
        XcorrProblem one = p->c;
        for (int f = 0; f < xc_oh(&p->c) * xc_ow(&p->c); f++) one.g[f] = f == e;
        one.calls = 0;
        yv[e] = xcorr_loss(&one, &ymag[e]);
    }
}

static double net_loss(void *ctx, double *scale) {
    NetProblem *p = ctx;
    p->calls++;
    double yv[GP_MAX], ymag[GP_MAX], pooled[GP_MAX];
    int argmax[GP_MAX];
    net_conv(p, yv, ymag);
    int n = net_pooled(p, yv, argmax, pooled);
    double z = p->b, zmag = fabs(p->b), inner = 0.0;
    for (int j = 0; j < n; j++) z += p->W[j] * pooled[j], zmag += fabs(p->W[j] * pooled[j]);
    for (int j = 0; j < n; j++) inner += fabs(p->W[j]) * ymag[argmax[j]];
    double sp = gp_softplus(z), sens = fabs(gp_sigmoid(z) - p->y); // |∂L/∂z|
    *scale = fabs(sp) + fabs(p->y * z) + sens * (zmag + inner);
    return sp - p->y * z;
}

static void net_grads(NetProblem *p, double *dk, double *dx) {
    double yv[GP_MAX], ymag[GP_MAX], pooled[GP_MAX], z = p->b;
    int argmax[GP_MAX];
    net_conv(p, yv, ymag);
    int n = net_pooled(p, yv, argmax, pooled);
    for (int j = 0; j < n; j++) z += p->W[j] * pooled[j];
    double delta = (1.0 - p->y) * gp_sigmoid(z) - p->y * gp_sigmoid(-z);
    for (int e = 0; e < xc_oh(&p->c) * xc_ow(&p->c); e++) p->c.g[e] = 0.0;
    for (int j = 0; j < n; j++) p->c.g[argmax[j]] += delta * p->W[j];
    xcorr_grads(&p->c, dk, dx);
}

static void net_problem(Tally *t, Rng *rng, double s, bool saturated) {
    NetProblem p = {.c = {.h = 3 + rng_below(rng, 5), .w = 3 + rng_below(rng, 5), .kh = 2, .kw = 2}};
    for (int e = 0; e < p.c.h * p.c.w; e++) p.c.x[e] = s * rng_range(rng, -1, 1);
    for (int e = 0; e < 4; e++) p.c.k[e] = rng_range(rng, -1, 1);
    for (int e = 0; e < GP_MAX; e++) p.W[e] = rng_range(rng, -1, 1) * (saturated ? 10.0 : 2.0) / s;
    p.b = rng_range(rng, -0.5, 0.5), p.y = rng_below(rng, 2);
    double dk[GP_MAX], dx[GP_MAX];
    net_grads(&p, dk, dx);
    Objective obj = {net_loss, NULL, &p};
    char name[80];
    snprintf(name, sizeof name, "net %dx%d%s, scale %g", p.c.h, p.c.w, saturated ? " saturated" : "", s);
    Wrong w[MAX_WRONG];
    int n = common_wrongs(w, dk, 4);
    w[n].mistake = "rot180", rot180(w[n++].g, dk, 2, 2);
    w[n].mistake = "transposed", transpose(w[n++].g, dk, 2);
    check_block(t, &(Block){"dL/dK", p.c.k, 4, dk, 0.0, false}, &obj, w, n, name);
    n = common_wrongs(w, dx, p.c.h * p.c.w);
    check_block(t, &(Block){"dL/dX", p.c.x, p.c.h * p.c.w, dx, 0.0, false}, &obj, w, n, name);
}

START_TEST(test_library_corpus) {
    Tally t = {0};
    const char *seed = getenv("CORPUS_SEED");
    Rng rng = rng_make(seed ? strtoull(seed, NULL, 10) : 12);
    for (int si = 0; si < ARRAY_LEN(SCALES); si++)
        for (int r = 0; r < PROBLEMS_PER_CELL; r++)
            for (int mode = 0; mode < 2; mode++) {
                t.hard = mode;
                xcorr_problem(&t, &rng, SCALES[si], mode && r % 3 == 0, mode && r % 3 == 1);
                dense_problem(&t, &rng, SCALES[si], mode);
                pool_problem(&t, &rng, SCALES[si], mode);
                net_problem(&t, &rng, SCALES[si], mode);
            }
    double ordinary = (double)t.evaluations[0] / (double)t.entries[0];
    double hard = (double)t.evaluations[1] / (double)t.entries[1];
    printf("corpus (library): %d checks (%d right, %d wrong; %d wrong by less than %g not judged): "
           "false PASS %d, false FAIL %d, inconclusive %d (%.2f%%), nothing compared %d; loss evaluations "
           "per entry %.3f on ordinary problems, %.3f on near-ties, saturated and zero gradients\n",
           t.checks, t.right, t.wrong, t.ambiguous, WRONG_MIN, t.false_pass, t.false_fail, t.inconclusive,
           100.0 * t.inconclusive / t.checks, t.nothing, ordinary, hard);
    fflush(stdout);
    ck_assert_msg(t.false_pass == 0 && t.false_fail == 0, "false PASS %d, false FAIL %d; first: %s", t.false_pass,
                  t.false_fail, t.first_problem);
    ck_assert_int_eq(t.nothing, 0);
    ck_assert_msg(t.inconclusive <= MAX_INCONCLUSIVE * t.checks, "%d of %d inconclusive", t.inconclusive, t.checks);
    ck_assert_msg(ordinary <= MAX_EVALUATIONS_ORDINARY * ORDINARY_SLACK, "%.3f evaluations per entry", ordinary);
    ck_assert_msg(hard <= MAX_EVALUATIONS_HARD, "%.3f evaluations per entry", hard);
    ck_assert_int_gt(t.wrong, t.right); // the corpus really tests mistakes
}
END_TEST

static TCase *make_library_case(void) {
    TCase *tc = tcase_create("library");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_library_corpus);
    return tc;
}

Suite *make_corpus_suite(void) {
    Suite *s = suite_create("corpus");
    suite_add_tcase(s, make_library_case());
    return s;
}
