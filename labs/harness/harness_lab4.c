// Lab 4's cases: the gradient routed back through max pooling, checked
// through L = Σ G∘maxpool(X). Windows overlap when the stride is below the
// window size; the "ties" cases repeat a maximum, where L has a kink and the
// answer must follow the stated rule (the first maximum in row-major order).
#ifdef LAB_STUDENT_PROCESS
// The student's side (runner.c): the call, in the lab function's argument order.
#include "../lab.h"
#include "wire.h"

void lab_call_student(double *const *out, const double *const *in, const int *v) {
    lab_maxpool_backward(out[0], in[0], in[1], v[0], v[1], v[2], v[3]);
}

#else
#include <math.h>
#include <string.h>

#include "../lab.h"
#include "arraylen.h"
#include "harness.h"
#include "pool.h"
#include "rng.h"

enum { M_OVERWRITE, M_ALL_CELLS, M_AVERAGE };

static const Mistake MISTAKES[] = {
    [M_OVERWRITE] = {"overwrite", "dX[argmax] = G instead of +=: a cell picked by two windows keeps one gradient",
                     "chapter 4, overlapping windows (build/chapter4 --bug overwrite)"},
    [M_ALL_CELLS] = {"all-cells", "the gradient sent to every cell of the window, not only to its maximum",
                     "chapter 4 (build/chapter4 --bug all-cells)"},
    [M_AVERAGE] = {"average", "the gradient divided among the window's cells, as in average pooling",
                   "chapter 4 (build/chapter4 --bug average)"},
};

#define MAX_SIDE 8

typedef struct {
    double x[MAX_SIDE * MAX_SIDE], g[MAX_SIDE * MAX_SIDE], y[MAX_SIDE * MAX_SIDE];
    int argmax[MAX_SIDE * MAX_SIDE];
    PoolShape s;
} PoolCase;

static double pool_loss(void *ctx, double *scale) {
    PoolCase *c = ctx;
    maxpool_forward(c->y, c->argmax, c->x, &c->s);
    double sum = 0.0, mag = 0.0;
    for (int o = 0; o < c->s.out_h * c->s.out_w; o++) {
        sum += c->g[o] * c->y[o];
        mag += fabs(c->g[o] * c->y[o]);
    }
    *scale = mag;
    return sum;
}

// Distinct values, a random permutation of 1..n scaled by 1/4: every
// window has one maximum, at least 1/4 above the rest.
static void fill_distinct(double *x, int n, Rng *rng) {
    for (int i = 0; i < n; i++) x[i] = (i + 1) * 0.25;
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(rng, i + 1);
        double t = x[i];
        x[i] = x[j], x[j] = t;
    }
}

static const char *choose(PoolCase *c, int k, Rng *rng) {
    memset(c, 0, sizeof *c);
    if (k == 0) { // the article's feature map, 2x2 windows, stride 1
        const double x[] = {23, 14, 25, 27, 29, 35}, g[] = {0.5, -1};
        pool_shape_init(&c->s, 1, 2, 3, 2, 2, 1);
        memcpy(c->x, x, sizeof x);
        memcpy(c->g, g, sizeof g);
        return "article example";
    }
    int win = 2 + rng_below(rng, 2), stride = k <= 10 ? 1 + rng_below(rng, win - 1) : win;
    int h = win + rng_below(rng, MAX_SIDE - win + 1), w = win + rng_below(rng, MAX_SIDE - win + 1);
    pool_shape_init(&c->s, 1, h, w, win, win, stride);
    fill_distinct(c->x, h * w, rng);
    for (int o = 0; o < c->s.out_h * c->s.out_w; o++) c->g[o] = round(rng_range(rng, -2.0, 2.0) * 100.0) / 100.0;
    if (k > 18) { // a tie: the first window's maximum copied to a later cell of the same window
        maxpool_forward(c->y, c->argmax, c->x, &c->s);
        c->x[(win - 1) * w + win - 1] = c->y[0];
        c->x[0] = c->y[0];
        return "ties (first maximum wins)";
    }
    return k <= 10 ? "overlapping windows" : "non-overlapping windows";
}

static void mistakes(Case *c, const PoolCase *p) {
    const PoolShape *s = &p->s;
    double *over = block_mistake(&c->blocks[0], M_OVERWRITE), *all = block_mistake(&c->blocks[0], M_ALL_CELLS),
           *avg = block_mistake(&c->blocks[0], M_AVERAGE);
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            int o = i * s->out_w + j;
            over[p->argmax[o]] = p->g[o];
            for (int m = 0; m < s->kh; m++)
                for (int n = 0; n < s->kw; n++) {
                    int at = (i * s->stride + m) * s->w + j * s->stride + n;
                    all[at] += p->g[o];
                    avg[at] += p->g[o] / (s->kh * s->kw);
                }
        }
}

static void make_case(Case *c, int k, uint64_t seed) {
    Rng rng = rng_make(seed * 1000003u + (uint64_t)k);
    PoolCase p;
    c->group = choose(&p, k, &rng);
    const PoolShape *s = &p.s;
    bool tie = k > 18;
    Block *b = case_block(c, 0, "dX", s->h, s->w, !tie);
    case_describe(c, "X", p.x, s->h, s->w);
    case_describe(c, "dL/dY", p.g, s->out_h, s->out_w);
    case_describe_int(c, "window", s->kh);
    case_describe_int(c, "stride", s->stride);
    case_input(c, "dL/dY", p.g, s->out_h * s->out_w);
    case_input(c, "X", p.x, s->h * s->w);
    case_int(c, s->h);
    case_int(c, s->w);
    case_int(c, s->kh);
    case_int(c, s->stride);
    maxpool_forward(p.y, p.argmax, p.x, s);
    maxpool_backward(b->reference, p.g, p.argmax, s);
    if (!tie) {
        Objective obj = {.whole = pool_loss, .ctx = &p};
        numerical_gradient_bounded(b->numerical, p.x, s->h * s->w, &obj);
        maxpool_forward(p.y, p.argmax, p.x, s); // argmax as at the unperturbed X
    }
    mistakes(c, &p);
}

int main(int argc, char **argv) {
    const Lab lab = {.lab = "lab4", .function = "lab_maxpool_backward", .file = "labs/lab4_maxpool.c",
                     .n_cases = 21, .mistakes = MISTAKES, .n_mistakes = ARRAY_LEN(MISTAKES), .make_case = make_case};
    return lab_main(&lab, argc, argv);
}
#endif
