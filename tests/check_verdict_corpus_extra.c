// The verdict corpus, continued (tests/check_verdict_corpus.c has the
// account of what it checks and chapters 1, 3 and 5): seeded problems for
// chapter 4 (max pooling, near-ties included) and chapter 2 (BCE, no bug),
// each verdict against a truth derived here; and every chapter's default run
// exits 0 for --seed 1 … 20 (tests/verdict_corpus.sh: 1 … 100).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"
#include "verdict_corpus.h"

// ---------------------------------------------------------------- chapter 4

// L = Σ_k G_k·max(window k), windows kh×kw at stride s over X, no exact tie
// anywhere (a tied cell is skipped by the chapter, so a bug there could not
// show). The kinds: generic, a near-tie (a window's runner-up within a
// relative 1e-16 … 1e-8 of its maximum, issue 31), zeros beside entries of
// ±1e-12 and huge ones (±1e7 … 1e8), and entries of 1e-290 … 1e290.
typedef struct {
    Mat x, g;
    int kh, kw, s;
} Ch4;

enum { CH4_GENERIC, CH4_NEAR_TIE, CH4_ZERO_BESIDE, CH4_EXTREME, CH4_KINDS };
enum { CH4_NONE, CH4_OVERWRITE, CH4_ALL_CELLS, CH4_AVERAGE, CH4_BUGS };
static const char *const CH4_BUG_NAMES[] = {NULL, "overwrite", "all-cells", "average"};

static int ch4_cell(const Ch4 *c, int i, int j, int m, int n) { return (i * c->s + m) * c->x.w + j * c->s + n; }

// Window (i,j)'s first strict maximum, or −1 when two cells tie.
static int ch4_argmax(const Ch4 *c, int i, int j) {
    int best = ch4_cell(c, i, j, 0, 0);
    bool tie = false;
    for (int m = 0; m < c->kh; m++)
        for (int n = 0; n < c->kw; n++) {
            int at = ch4_cell(c, i, j, m, n);
            if (c->x.v[at] > c->x.v[best]) best = at, tie = false;
            else if (at != best && c->x.v[at] == c->x.v[best]) tie = true;
        }
    return tie ? -1 : best;
}

static bool ch4_generate(Ch4 *c, Rng *r, int kind) {
    c->kh = between(r, 1, 3), c->kw = between(r, 1, 3), c->s = between(r, 1, 3);
    int oh = between(r, 1, 3), ow = between(r, 1, 3);
    if (c->kh * c->kw == 1) c->kw = 2;
    mat_init(&c->x, (oh - 1) * c->s + c->kh, (ow - 1) * c->s + c->kw), mat_init(&c->g, oh, ow);
    mat_fill(&c->x, r, FILL_UNIFORM, log_scale(r, -12, 8));
    mat_fill(&c->g, r, below(r, 2) ? FILL_INTS : FILL_UNIFORM, log_scale(r, -12, 8));
    if (kind == CH4_NEAR_TIE) {
        int i = below(r, oh), j = below(r, ow), top = ch4_argmax(c, i, j), other;
        do other = ch4_cell(c, i, j, below(r, c->kh), below(r, c->kw));
        while (other == top);
        double v = c->x.v[top], d = log_scale(r, -16, -8);
        c->x.v[other] = v - fabs(v) * d; // just below the maximum
    }
    if (kind == CH4_ZERO_BESIDE)
        for (int e = 0; e < mat_n(&c->x); e++) {
            int pick = below(r, 4);
            c->x.v[e] = pick == 0 ? 0.0 : pick == 1 ? range(r, -1, 1) * 1e-12 : pick == 2 ? range(r, -1, 1) * log_scale(r, 7, 8) : c->x.v[e];
        }
    if (kind == CH4_EXTREME)
        for (int e = 0; e < mat_n(&c->x); e++) c->x.v[e] = range(r, -1, 1) * log_scale(r, -290, 290); // the parser takes 1e-300 … 1e300
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
            if (ch4_argmax(c, i, j) < 0) return false;
    return true;
}

// By hand: the max routes G_k to window k's maximum (+=); overwrite assigns
// (the last window in row-major order wins a shared cell); all-cells gives
// G_k to every cell of window k; average G_k/(kh·kw) to every cell.
static void ch4_grads(Mat *d, Mat *mag, const Ch4 *c, int bug) {
    mat_init(d, c->x.h, c->x.w), mat_init(mag, c->x.h, c->x.w);
    for (int i = 0; i < c->g.h; i++)
        for (int j = 0; j < c->g.w; j++) {
            double g = c->g.v[i * c->g.w + j];
            int top = ch4_argmax(c, i, j);
            if (bug == CH4_NONE) d->v[top] += g, mag->v[top] += fabs(g);
            if (bug == CH4_OVERWRITE) d->v[top] = g, mag->v[top] = fabs(g);
            for (int m = 0; m < c->kh && (bug == CH4_ALL_CELLS || bug == CH4_AVERAGE); m++)
                for (int n = 0; n < c->kw; n++) {
                    double share = bug == CH4_AVERAGE ? g / (c->kh * c->kw) : g;
                    d->v[ch4_cell(c, i, j, m, n)] += share, mag->v[ch4_cell(c, i, j, m, n)] += fabs(share);
                }
        }
}

static void run_chapter4_problem(Tally *t, const Ch4 *c) {
    char xs[8192], gs[2048], ws[16], ss[8];
    snprintf(ws, sizeof ws, "%dx%d", c->kh, c->kw), snprintf(ss, sizeof ss, "%d", c->s);
    const char *args[] = {"--input", literal(xs, sizeof xs, &c->x), "--window", ws, "--stride", ss,
                          "--upstream", literal(gs, sizeof gs, &c->g), NULL};
    t->problems++;
    static Mat truth, tmag, run, rmag;
    ch4_grads(&truth, &tmag, c, CH4_NONE);
    for (int bug = CH4_NONE; bug < CH4_BUGS; bug++) {
        ch4_grads(&run, &rmag, c, bug);
        for (int e = 0; e < mat_n(&run); e++) rmag.v[e] += tmag.v[e];
        Expect ex[] = {{"∂L/∂X of max pooling", "dX", truth.v, run.v, rmag.v, mat_n(&c->x), 1}};
        run_scored(t, "chapter4", args, CH4_BUG_NAMES[bug], ex, 1);
    }
}

// ---------------------------------------------------------------- chapter 2

// L = (1/n) Σ_i BCE(y_i, σ(z_i)); by hand ∂L/∂z_i = ((1 − y_i)σ(z_i) −
// y_i σ(−z_i))/n, each part to full relative precision. Kinds: saturated
// (|z| from 12 to 700, y = 0 or 1: σ(40) rounds to 1), tiny z (1e-300 …
// 1e-8: ∂L/∂z of order one moves L by nothing a step in proportion sees),
// ŷ = y (a zero gradient up to rounding), and generic. Right gradients
// only: no --bug (its gradients are not this file's to derive), so every
// check must PASS.
enum { CH2_SATURATED, CH2_TINY, CH2_AT_LABEL, CH2_GENERIC, CH2_KINDS };

static void run_chapter2_problem(Tally *t, Rng *r, int kind) {
    int n = between(r, 1, 3);
    double y[3], z[3], dz[3], mz[3];
    for (int i = 0; i < n; i++) {
        y[i] = below(r, 2) ? below(r, 2) : range(r, 0.0, 1.0);
        z[i] = range(r, -5.0, 5.0);
        if (kind == CH2_SATURATED) y[i] = below(r, 2), z[i] = (below(r, 2) ? 1 : -1) * log_scale(r, log10(12.0), log10(700.0));
        if (kind == CH2_TINY) z[i] = (below(r, 2) ? 1 : -1) * log_scale(r, -300, -8);
        if (kind == CH2_AT_LABEL) y[i] = range(r, 0.05, 0.95), z[i] = log(y[i] / (1.0 - y[i]));
        double s = sigmoid_of(z[i]), sn = sigmoid_of(-z[i]);
        dz[i] = ((1 - y[i]) * s - y[i] * sn) / n;
        mz[i] = ((1 - y[i]) * s + y[i] * sn) / n;
    }
    Mat ym, zm;
    mat_init(&ym, 1, n), mat_init(&zm, 1, n);
    memcpy(ym.v, y, sizeof y[0] * n), memcpy(zm.v, z, sizeof z[0] * n);
    char ys[1024], zs[1024];
    const char *args[] = {"--y", literal(ys, sizeof ys, &ym), "--z", literal(zs, sizeof zs, &zm), NULL};
    t->problems++;
    Expect ex[] = {{"∂L/∂z", "dL_dz", dz, dz, mz, n, 1}};
    run_scored(t, "chapter2", args, NULL, ex, 1);
}

// Chapter 4's and chapter 2's corpora, each with its own seeded stream; the
// false verdicts are asserted per chapter, the INCONCLUSIVE rate over both.
START_TEST(test_chapter_corpus_extra) {
    int problems = corpus_problems();
    Tally t[2] = {{.chapter = "chapter 4"}, {.chapter = "chapter 2"}};
    Tally all = {.chapter = "chapters 4 and 2"};
    Rng r4 = {0xC0A4}, r2 = {0xC0A2};
    static Ch4 p4;
    for (int q = 0; q < problems; q++)
        if (ch4_generate(&p4, &r4, q % CH4_KINDS)) run_chapter4_problem(&t[0], &p4);
    for (int q = 0; q < problems; q++) run_chapter2_problem(&t[1], &r2, q % CH2_KINDS);
    for (int c = 0; c < 2; c++) {
        tally_print(&t[c]);
        tally_add(&all, &t[c]);
    }
    tally_print(&all);
    for (int c = 0; c < 2; c++) tally_assert_no_false_verdict(&t[c]);
    double rate = all.scored ? (double)all.inconclusive / all.scored : 0.0;
    ck_assert_msg(rate <= MAX_INCONCLUSIVE, "%.2f%% of the corpus's checks are inconclusive, above %.0f%%",
                  100.0 * rate, 100.0 * MAX_INCONCLUSIVE);
    ck_assert_msg(all.result_line == 0, "%d runs exit 3 (inconclusive) under a text Result line saying PASS",
                  all.result_line);
}
END_TEST

// ---------------------------------------------------------------- seeds 1 … 100

static const char *const PROGRAMS[] = {"chapter0", "chapter1", "chapter2", "chapter3",
                                       "chapter4", "chapter5", "chapter6"};

// Every chapter's default run, --seed 1 … VERDICT_CORPUS_SEEDS, exits 0
// (chapter 6: the first VERDICT_CORPUS_CH6_SEEDS of them).
START_TEST(test_default_seeds) {
    const char *program = PROGRAMS[_i];
    int seeds = strcmp(program, "chapter6") == 0
                    ? env_int("VERDICT_CORPUS_CH6_SEEDS", SANITIZED ? 1 : DEFAULT_CH6_SEEDS)
                    : env_int("VERDICT_CORPUS_SEEDS", SANITIZED ? DEFAULT_SEEDS / 2 : DEFAULT_SEEDS);
    if (seeds > SEEDS) seeds = SEEDS;
    int failed = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        char num[16];
        snprintf(num, sizeof num, "%d", seed);
        const char *args[] = {"--seed", num, "--no-color", NULL};
        ProcResult p = run_chapter(program, args);
        if (p.status != 0 && failed++ < MAX_LOGGED)
            fprintf(stderr, "verdict_corpus: build/%s --seed %d exits %d\n", program, seed, p.status);
        proc_free(&p);
    }
    fprintf(stderr, "verdict_corpus %s: --seed 1 … %d, %d not exiting 0\n", program, seeds, failed);
    ck_assert_msg(failed == 0, "%s: %d of seeds 1 … %d do not exit 0 (see stderr)", program, failed, seeds);
}
END_TEST

Suite *make_verdict_corpus_extra_suite(void) {
    Suite *s = suite_create("verdict_corpus_extra");
    TCase *tc = tcase_create("chapters");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_chapter_corpus_extra);
    tcase_add_loop_test(tc, test_default_seeds, 0, ARRAY_LEN(PROGRAMS));
    suite_add_tcase(s, tc);
    return s;
}
