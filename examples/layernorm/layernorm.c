// A layer written the way llm.c writes its layers (train_gpt2.c's
// layernorm, in double precision), checked with libgradcheck: dinp with
// local terms (entry (b,t,c) moves only row (b,t) of the output), dweight
// and dbias through L = Σ G∘out.
//
//   ./layernorm              every gradient checked: PASS, exit 0
//   ./layernorm --bug        the backward pass forgets the mean term of
//                            dnorm: FAIL, exit 1, the worst entry named
//   ./layernorm --json       the reports as JSON lines
//
// Build: cc layernorm.c $(pkg-config --cflags --libs gradcheck) -lm
#include <gradcheck.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, T = 3, C = 8 };

// ---------------------------------------------------------------- the layer

// out, mean, rstd: (B,T,C), (B,T), (B,T); inp (B,T,C); weight, bias (C).
// out = (inp − mean)·rstd·weight + bias over the C channels of each (b,t).
static void layernorm_forward(double *out, double *mean, double *rstd, const double *inp, const double *weight,
                              const double *bias, int b_, int t_, int c_) {
    const double eps = 1e-5;
    for (int bt = 0; bt < b_ * t_; bt++) {
        const double *x = inp + bt * c_;
        double m = 0.0, v = 0.0;
        for (int i = 0; i < c_; i++) m += x[i];
        m /= c_;
        for (int i = 0; i < c_; i++) v += (x[i] - m) * (x[i] - m);
        v /= c_;
        double s = 1.0 / sqrt(v + eps);
        for (int i = 0; i < c_; i++) out[bt * c_ + i] = (x[i] - m) * s * weight[i] + bias[i];
        mean[bt] = m;
        rstd[bt] = s;
    }
}

// dinp (B,T,C), dweight, dbias (C) accumulate (+=) from dout (B,T,C).
static void layernorm_backward(double *dinp, double *dweight, double *dbias, const double *dout, const double *inp,
                               const double *weight, const double *mean, const double *rstd, int b_, int t_, int c_,
                               int bug) {
    for (int bt = 0; bt < b_ * t_; bt++) {
        const double *dy = dout + bt * c_, *x = inp + bt * c_;
        double dnorm_mean = 0.0, dnorm_norm_mean = 0.0;
        for (int i = 0; i < c_; i++) {
            double norm = (x[i] - mean[bt]) * rstd[bt];
            dnorm_mean += weight[i] * dy[i];
            dnorm_norm_mean += weight[i] * dy[i] * norm;
        }
        dnorm_mean /= c_;
        dnorm_norm_mean /= c_;
        for (int i = 0; i < c_; i++) {
            double norm = (x[i] - mean[bt]) * rstd[bt];
            double dnorm = weight[i] * dy[i];
            dbias[i] += dy[i];
            dweight[i] += norm * dy[i];
            // The planted bug: the mean's own gradient (−dnorm_mean) left out.
            double dval = bug ? dnorm - norm * dnorm_norm_mean : dnorm - dnorm_mean - norm * dnorm_norm_mean;
            dinp[bt * c_ + i] += dval * rstd[bt];
        }
    }
}

// ---------------------------------------------------------------- the check

typedef struct {
    double inp[B * T * C], weight[C], bias[C], upstream[B * T * C];
    double out[B * T * C], mean[B * T], rstd[B * T];
} Layer;

// The forward pass as gc_check_layer sees it; y_scale gets each output's
// parts |norm·w| + |b|, so that the bound covers their rounding.
static void forward(void *ctx, double *y, double *y_scale) {
    Layer *l = ctx;
    layernorm_forward(y, l->mean, l->rstd, l->inp, l->weight, l->bias, B, T, C);
    for (int k = 0; k < B * T * C; k++) y_scale[k] = fabs(y[k] - l->bias[k % C]) + fabs(l->bias[k % C]);
}

// Row (b,t) of L = Σ G∘out: all that entry k of inp can change.
static double row_loss(const Layer *l, int bt, double *scale) {
    double m = 0.0, v = 0.0, sum = 0.0, terms = 0.0;
    const double *x = l->inp + bt * C;
    for (int i = 0; i < C; i++) m += x[i];
    m /= C;
    for (int i = 0; i < C; i++) v += (x[i] - m) * (x[i] - m);
    v /= C;
    double s = 1.0 / sqrt(v + 1e-5);
    for (int i = 0; i < C; i++) {
        double part = (x[i] - m) * s * l->weight[i];
        sum += l->upstream[bt * C + i] * (part + l->bias[i]);
        terms += fabs(l->upstream[bt * C + i]) * (fabs(part) + fabs(l->bias[i]));
    }
    *scale = terms;
    return sum;
}

static double whole_loss(void *ctx, double *scale) {
    Layer *l = ctx;
    double sum = 0.0, terms = 0.0, s;
    for (int bt = 0; bt < B * T; bt++) {
        sum += row_loss(l, bt, &s);
        terms += s;
    }
    *scale = terms;
    return sum;
}

static double local_loss(void *ctx, int k, double *scale) { return row_loss(ctx, k / C, scale); }

static double uniform(uint64_t *state) { // xorshift64*, in [−1, 1)
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    return (double)((*state * 2685821657736338717ull) >> 11) / 4503599627370496.0 - 1.0;
}

static int report(const char *name, const gc_result *res, const gc_entry *entries, int json) {
    gc_status st = json ? gc_report_json(stdout, name, res, entries) : gc_report_text(stdout, name, res, entries);
    if (st != GC_OK) fprintf(stderr, "error: %s\n", gc_status_string(st));
    return st == GC_OK;
}

int main(int argc, char **argv) {
    int bug = 0, json = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--bug") == 0) bug = 1;
        else if (strcmp(argv[i], "--json") == 0) json = 1;
        else {
            fprintf(stderr, "error: %s: unknown option (use --bug or --json)\n", argv[i]);
            return 2;
        }
    }
    static Layer l;
    uint64_t rng = 88172645463325252ull;
    for (int k = 0; k < B * T * C; k++) l.inp[k] = 2.0 * uniform(&rng);
    for (int k = 0; k < B * T * C; k++) l.upstream[k] = uniform(&rng);
    for (int i = 0; i < C; i++) l.weight[i] = 1.0 + 0.5 * uniform(&rng);
    for (int i = 0; i < C; i++) l.bias[i] = 0.1 * uniform(&rng);

    static double dinp[B * T * C], dweight[C], dbias[C];
    layernorm_forward(l.out, l.mean, l.rstd, l.inp, l.weight, l.bias, B, T, C);
    layernorm_backward(dinp, dweight, dbias, l.upstream, l.inp, l.weight, l.mean, l.rstd, B, T, C, bug);

    gc_options opt = gc_options_default();
    opt.smooth = 1; // no max or |·| in a layernorm: steps may grow
    static gc_entry entries[B * T * C];
    void *work = malloc(gc_layer_workspace_size(B * T * C, B * T * C));
    if (!work) {
        fprintf(stderr, "error: out of memory\n");
        return 2;
    }
    gc_result r_inp, r_w, r_b;
    int ok = 1;
    gc_status st = gc_check(&r_inp, entries, l.inp, dinp, B * T * C, whole_loss, local_loss, &l, &opt, work);
    ok = st == GC_OK && report("dinp", &r_inp, entries, json);
    int worst = r_inp.worst;
    if (ok && r_inp.verdict == GC_FAIL && !json)
        printf("  worst entry: dinp[b=%d, t=%d, c=%d]\n", worst / (T * C), worst / C % T, worst % C);
    st = gc_check_layer(&r_w, entries, l.weight, dweight, C, forward, &l, l.upstream, B * T * C, &opt, work);
    ok = ok && st == GC_OK && report("dweight", &r_w, entries, json);
    st = gc_check_layer(&r_b, entries, l.bias, dbias, C, forward, &l, l.upstream, B * T * C, &opt, work);
    ok = ok && st == GC_OK && report("dbias", &r_b, entries, json);
    free(work);
    if (!ok) {
        fprintf(stderr, "error: check: %s\n", gc_status_string(st));
        return 2;
    }
    long evals = r_inp.evaluations + r_w.evaluations + r_b.evaluations;
    int params = B * T * C + 2 * C;
    if (!json)
        printf("%d parameters, %ld loss evaluations: %.2f x 2P\n", params, evals, (double)evals / (2.0 * params));
    gc_verdict v[] = {r_inp.verdict, r_w.verdict, r_b.verdict};
    int failed = 0, undecided = 0;
    for (int i = 0; i < 3; i++) {
        failed += v[i] == GC_FAIL;
        undecided += v[i] != GC_PASS && v[i] != GC_FAIL;
    }
    return failed ? 1 : undecided ? 3 : 0;
}
