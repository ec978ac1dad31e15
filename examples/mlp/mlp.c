// A tiny MLP trained in plain C, whose every gradient libgradcheck checks
// at step 0 before training starts.
//
//   x (2) → h = tanh(W1·x + b1) (8) → p = σ(w2·h + b2) → BCE, mean over N
//
// on two interleaved spirals of N points. Each parameter block is checked
// entry by entry, then all four together along one random direction; the
// training then runs only if every check passed.
//
// Build: cc mlp.c $(pkg-config --cflags --libs gradcheck) -lm
#include <gradcheck.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

enum { N = 64, IN = 2, HID = 8, STEPS = 3000 };

typedef struct {
    double W1[HID * IN], b1[HID], w2[HID], b2[1];
} Params;

typedef struct {
    double x[N * IN], y[N];
    Params p;
} Model;

static double uniform(uint64_t *state) { // xorshift64*, in [−1, 1)
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (double)((*state * 2685821657736338717ull) >> 11) / 4503599627370496.0 - 1.0;
}

// Two spirals, labels 0 and 1, a little noise.
static void make_data(Model *m, uint64_t *rng) {
    for (int i = 0; i < N; i++) {
        double t = 0.5 + 2.5 * (i / 2) / (N / 2.0), sign = i % 2 ? -1.0 : 1.0;
        m->x[i * IN] = sign * t * cos(t) / 3.0 + 0.02 * uniform(rng);
        m->x[i * IN + 1] = sign * t * sin(t) / 3.0 + 0.02 * uniform(rng);
        m->y[i] = i % 2;
    }
}

// z = w2·tanh(W1·x + b1) + b2, with the hidden layer in h (HID).
static double logit(const Params *p, const double *x, double *h) {
    double z = p->b2[0];
    for (int j = 0; j < HID; j++) {
        h[j] = tanh(p->W1[j * IN] * x[0] + p->W1[j * IN + 1] * x[1] + p->b1[j]);
        z += p->w2[j] * h[j];
    }
    return z;
}

// The loss and, when g is not NULL, its gradient accumulated into g (+=).
// log(1 + e^z) − y·z is BCE in the logit form (no log of 0 at saturation).
static double loss_and_grad(const Model *m, Params *g, double *scale) {
    const Params *p = &m->p;
    double sum = 0.0, terms = 0.0;
    for (int i = 0; i < N; i++) {
        const double *x = m->x + i * IN;
        double h[HID], z = logit(p, x, h);
        double softplus = z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
        sum += (softplus - m->y[i] * z) / N;
        terms += (softplus + fabs(m->y[i] * z)) / N;
        if (!g) continue;
        double dz = (1.0 / (1.0 + exp(-z)) - m->y[i]) / N;
        g->b2[0] += dz;
        for (int j = 0; j < HID; j++) {
            g->w2[j] += dz * h[j];
            double dpre = dz * p->w2[j] * (1.0 - h[j] * h[j]);
            g->b1[j] += dpre;
            g->W1[j * IN] += dpre * x[0];
            g->W1[j * IN + 1] += dpre * x[1];
        }
    }
    if (scale) *scale = terms;
    return sum;
}

static double loss(void *ctx, double *scale) { return loss_and_grad(ctx, NULL, scale); }

int main(void) {
    static Model m;
    uint64_t rng = 0x9E3779B97F4A7C15ull;
    make_data(&m, &rng);
    for (int k = 0; k < HID * IN; k++) m.p.W1[k] = 1.5 * uniform(&rng);
    for (int k = 0; k < HID; k++) m.p.w2[k] = 0.5 * uniform(&rng);

    Params g = {0};
    loss_and_grad(&m, &g, NULL);
    struct {
        const char *name;
        double *theta;
        const double *grad;
        int n;
    } blocks[] = {{"dW1", m.p.W1, g.W1, HID * IN}, {"db1", m.p.b1, g.b1, HID}, {"dw2", m.p.w2, g.w2, HID},
                  {"db2", m.p.b2, g.b2, 1}};
    enum { N_BLOCKS = sizeof blocks / sizeof blocks[0] };
    void *work = malloc(gc_workspace_size(HID * IN) + gc_direction_workspace_size(N_BLOCKS, HID * IN + 2 * HID + 1));
    if (!work) return 2;
    gc_options opt = gc_options_default();
    opt.smooth = 1; // tanh and softplus have no kinks
    int failed = 0, undecided = 0;
    for (int b = 0; b < N_BLOCKS; b++) {
        gc_entry entries[HID * IN];
        gc_result r;
        gc_status st = gc_check(&r, entries, blocks[b].theta, blocks[b].grad, blocks[b].n, loss, NULL, &m, &opt, work);
        if (st != GC_OK || gc_report_text(stdout, blocks[b].name, &r, entries) != GC_OK) {
            fprintf(stderr, "error: %s: %s\n", blocks[b].name, st != GC_OK ? r.message : "cannot write");
            free(work);
            return 2;
        }
        failed += r.verdict == GC_FAIL;
        undecided += r.verdict != GC_PASS && r.verdict != GC_FAIL;
    }
    gc_block all[N_BLOCKS];
    for (int b = 0; b < N_BLOCKS; b++) all[b] = (gc_block){blocks[b].theta, blocks[b].grad, blocks[b].n};
    gc_direction d;
    gc_status st = gc_check_direction(&d, all, N_BLOCKS, loss, &m, 7, opt.rtol, work);
    free(work);
    if (st != GC_OK) {
        fprintf(stderr, "error: direction: %s\n", gc_status_string(st));
        return 2;
    }
    printf("all parameters along one direction: %s (numerical %.9g, analytic %.9g, bound %.1e)\n",
           gc_verdict_string(d.verdict), d.numerical, d.analytic, d.bound);
    failed += d.verdict == GC_FAIL;
    if (failed || undecided) return failed ? 1 : 3;

    double lr = 0.5;
    for (int step = 0; step <= STEPS; step++) {
        Params grad = {0};
        double l = loss_and_grad(&m, &grad, NULL);
        if (step % 1000 == 0) printf("step %4d  loss %.6f\n", step, l);
        double *p = (double *)&m.p, *q = (double *)&grad;
        for (size_t k = 0; k < sizeof m.p / sizeof(double); k++) p[k] -= lr * q[k];
    }
    int right = 0;
    for (int i = 0; i < N; i++) {
        double h[HID];
        right += (logit(&m.p, m.x + i * IN, h) > 0) == (m.y[i] > 0.5);
    }
    printf("training accuracy %d/%d\n", right, N);
    return 0;
}
