#include "sheet_problems.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "dense.h"
#include "loss.h"
#include "pool.h"
#include "sheet_discriminate.h"

// ------------------------------------------------------------ helpers

// The check command, built twice: with placeholders for the sheet and with
// the right answers for the key.
typedef struct {
    StrBuf sheet, key;
} Command;

static void command_begin(Command *c, int chapter) {
    *c = (Command){0};
    sb_printf(&c->sheet, "build/chapter%d", chapter);
    sb_printf(&c->key, "build/chapter%d", chapter);
}

static void command_matrix(Command *c, const char *option, const Tensor *t) {
    StrBuf lit = {0};
    doc_literal(&lit, t);
    sb_printf(&c->sheet, " %s \"%s\"", option, sb_str(&lit));
    sb_printf(&c->key, " %s \"%s\"", option, sb_str(&lit));
    sb_free(&lit);
}

static void command_int(Command *c, const char *option, int v) {
    sb_printf(&c->sheet, " %s %d", option, v);
    sb_printf(&c->key, " %s %d", option, v);
}

static void command_answer(Command *c, const char *key, const Tensor *answer) {
    StrBuf lit = {0};
    doc_literal(&lit, answer);
    sb_printf(&c->sheet, " --answer \"%s=<your %s>\"", key, key);
    sb_printf(&c->key, " --answer \"%s=%s\"", key, sb_str(&lit));
    sb_free(&lit);
}

static void command_emit(Command *c, Doc *sheet, Doc *key) {
    doc_para(sheet, "Check your answer (it exits 0 when every entry is right):",
             "Check your answer (it exits 0 when every entry is right):");
    doc_command(sheet, sb_str(&c->sheet));
    doc_para(key, "The check, with the right answer filled in (exits 0):",
             "The check, with the right answer filled in (exits 0):");
    doc_command(key, sb_str(&c->key));
    sb_free(&c->sheet);
    sb_free(&c->key);
}

static int rand_int(Rng *rng, int lo, int hi) { return lo + rng_below(rng, hi - lo + 1); }

static void fill_ints(Tensor *t, Rng *rng, int lo, int hi, bool nonzero) {
    for (size_t k = 0; k < tensor_size(t); k++) {
        int v;
        do v = rand_int(rng, lo, hi);
        while (nonzero && v == 0);
        t->data[k] = v;
    }
}

// A kernel that is not its own 180-degree rotation, so that X * K and
// X (star) K differ.
static void fill_asymmetric_kernel(Tensor *k, Rng *rng) {
    for (;;) {
        fill_ints(k, rng, -3, 3, false);
        Tensor r = tensor_alloc_like(k);
        tensor_rot180(&r, k);
        bool same = memcmp(r.data, k->data, tensor_size(k) * sizeof(double)) == 0;
        tensor_free(&r);
        if (!same) return;
    }
}

// "a*b" with negative factors in parentheses, appended to b.
static void append_product(StrBuf *b, bool first, double x, double y) {
    char xs[40], ys[40];
    doc_number(xs, sizeof xs, x);
    doc_number(ys, sizeof ys, y);
    sb_printf(b, "%s%s%s%s*%s%s%s", first ? "" : " + ", x < 0 ? "(" : "", xs, x < 0 ? ")" : "", y < 0 ? "(" : "",
              ys, y < 0 ? ")" : "");
}

static void append_number(StrBuf *b, double v) {
    char s[40];
    doc_number(s, sizeof s, v);
    sb_puts(b, s);
}

// ------------------------------------------------------------ chapter 1

// One line per output entry: "Y[i,j] = x*k + ... = v" for a valid-mode
// cross-correlation (flip false) or convolution (flip true) of x with k.
static void work_sliding(StrBuf *b, const char *name, const Tensor *x, const Tensor *k, const Tensor *y,
                         bool flip) {
    for (int i = 0; i < y->h; i++)
        for (int j = 0; j < y->w; j++) {
            sb_printf(b, "%s[%d,%d] = ", name, i, j);
            bool first = true;
            for (int m = 0; m < k->h; m++)
                for (int n = 0; n < k->w; n++) {
                    int km = flip ? k->h - 1 - m : m, kn = flip ? k->w - 1 - n : n;
                    append_product(b, first, *tensor_at(x, 0, i + m, j + n), *tensor_at(k, 0, km, kn));
                    first = false;
                }
            sb_puts(b, " = ");
            append_number(b, *tensor_at(y, 0, i, j));
            sb_putc(b, '\n');
        }
}

static void xcorr_valid(Tensor *y, const Tensor *x, const Tensor *k) {
    ConvShape s;
    conv_shape_init(&s, 1, x->h, x->w, 1, k->h, k->w, 1, 0, 0, 1);
    const double no_bias = 0.0;
    conv_forward(y->data, x->data, k->data, &no_bias, &s);
}

static void correlation_outputs(Doc *sheet, Doc *key, const Tensor *x, const Tensor *k, Command *c) {
    Tensor yc = tensor_alloc(1, x->h - k->h + 1, x->w - k->w + 1), yv = tensor_alloc_like(&yc);
    xcorr_valid(&yc, x, k);
    convolve2d(yv.data, x->data, k->data, x->h, x->w, k->h, k->w, CONV_VALID);
    const char *ask = "Compute the cross-correlation `Y = X (star) K` (what a CNN layer computes, no flip) "
                      "and the convolution `Y = X * K` (the kernel rotated 180 degrees), both in valid mode.";
    doc_para(sheet, ask, "Compute the cross-correlation $Y = X \\star K$ (what a CNN layer computes, no flip) "
                         "and the convolution $Y = X * K$ (the kernel rotated $180^\\circ$), both in valid mode.");
    doc_para(key, ask, "Compute $X \\star K$ and $X * K$ in valid mode.");
    doc_space(sheet, "6cm");
    StrBuf w = {0};
    sb_puts(&w, "Cross-correlation: K slides over X as it is.\n");
    work_sliding(&w, "(X star K)", x, k, &yc, false);
    sb_puts(&w, "Convolution: the same, with K rotated 180 degrees.\n");
    work_sliding(&w, "(X * K)", x, k, &yv, true);
    doc_work(key, sb_str(&w));
    sb_free(&w);
    const char *names_md[] = {"X star K", "X * K"}, *names_tex[] = {"X \\star K", "X * K"};
    const Tensor *ts[] = {&yc, &yv};
    doc_matrices(key, 2, names_md, names_tex, ts);
    command_answer(c, "cross_correlation", &yc);
    command_answer(c, "convolution", &yv);
    tensor_free(&yc);
    tensor_free(&yv);
}

static void correlation_kernel_gradient(Doc *sheet, Doc *key, const Tensor *x, const Tensor *k, Rng *rng,
                                        Command *c) {
    Tensor g = tensor_alloc(1, x->h - k->h + 1, x->w - k->w + 1), dk = tensor_alloc_like(k);
    fill_ints(&g, rng, -2, 2, false);
    xcorr_valid(&dk, x, &g); // dL/dK = X (star) G
    doc_matrix(sheet, "G", "G", &g);
    doc_matrix(key, "G", "G", &g);
    const char *ask = "The layer computes `Y = X (star) K` (valid mode) and `L = sum(G o Y)` for the upstream "
                      "gradient G above. Compute `dL/dK`.";
    doc_para(sheet, ask, "The layer computes $Y = X \\star K$ (valid mode) and $L = \\sum G \\circ Y$ for the "
                         "upstream gradient $G$ above. Compute $\\partial L/\\partial K$.");
    doc_para(key, ask, "Compute $\\partial L/\\partial K$ for $Y = X \\star K$, $L = \\sum G\\circ Y$.");
    doc_space(sheet, "5cm");
    StrBuf w = {0};
    sb_puts(&w, "K[m,n] multiplies X[i+m, j+n] in output (i,j), so dL/dK = X (star) G:\n");
    work_sliding(&w, "dK", x, &g, &dk, false);
    doc_work(key, sb_str(&w));
    sb_free(&w);
    doc_matrix(key, "dL/dK", "\\frac{\\partial L}{\\partial K}", &dk);
    command_matrix(c, "--upstream", &g);
    command_answer(c, "dL_dK_xcorr", &dk);
    tensor_free(&g);
    tensor_free(&dk);
}

void problem_correlation(Doc *sheet, Doc *key, int number, Rng *rng) {
    Tensor x = tensor_alloc(1, rand_int(rng, 3, 4), rand_int(rng, 3, 4)), k = tensor_alloc(1, 2, 2);
    bool gradient = rng_below(rng, 2) == 1;
    for (;;) { // the outputs problem needs X ⋆ K ≠ X * K (sheet_discriminate.h)
        fill_ints(&x, rng, 0, 9, false);
        fill_asymmetric_kernel(&k, rng);
        if (gradient) break;
        Tensor yc = tensor_alloc(1, x.h - 1, x.w - 1), yv = tensor_alloc_like(&yc);
        xcorr_valid(&yc, &x, &k);
        convolve2d(yv.data, x.data, k.data, x.h, x.w, k.h, k.w, CONV_VALID);
        bool ok = outputs_discriminate(&yc, &yv);
        tensor_free(&yc);
        tensor_free(&yv);
        if (ok) break;
    }
    const char *title = gradient ? "the kernel gradient of a cross-correlation" : "cross-correlation vs convolution";
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, title);
        const char *names_md[] = {"X", "K"}, *names_tex[] = {"X", "K"};
        const Tensor *ts[] = {&x, &k};
        doc_matrices(doc, 2, names_md, names_tex, ts);
    }
    Command c;
    command_begin(&c, 1);
    command_matrix(&c, "--input", &x);
    command_matrix(&c, "--kernel", &k);
    if (gradient)
        correlation_kernel_gradient(sheet, key, &x, &k, rng, &c);
    else
        correlation_outputs(sheet, key, &x, &k, &c);
    command_emit(&c, sheet, key);
    tensor_free(&x);
    tensor_free(&k);
}

// ------------------------------------------------------------ chapter 2

// Predictions whose reciprocals are short decimals, so eq. (1) works by hand.
static const double EASY_PREDICTIONS[] = {0.2, 0.25, 0.4, 0.5, 0.6, 0.75, 0.8};

static void bce_work(StrBuf *w, const Tensor *y, const Tensor *yhat, const Tensor *dyhat, const Tensor *dz) {
    int n = y->w;
    sb_printf(w, "n = %d. Eq. (1): dL/dyhat_i = -(1/n) (y_i/yhat_i - (1-y_i)/(1-yhat_i))\n", n);
    for (int i = 0; i < n; i++) {
        char ys[40], ps[40], ds[40];
        doc_number(ys, sizeof ys, y->data[i]);
        doc_number(ps, sizeof ps, yhat->data[i]);
        doc_number(ds, sizeof ds, dyhat->data[i]);
        sb_printf(w, "  dL/dyhat_%d = -(1/%d) (%s/%s - (1-%s)/(1-%s)) = %s\n", i, n, ys, ps, ys, ps, ds);
    }
    sb_puts(w, "Through the sigmoid, dyhat/dz = yhat(1-yhat), so dL/dz_i = (yhat_i - y_i)/n\n");
    for (int i = 0; i < n; i++) {
        char ys[40], ps[40], ds[40];
        doc_number(ys, sizeof ys, y->data[i]);
        doc_number(ps, sizeof ps, yhat->data[i]);
        doc_number(ds, sizeof ds, dz->data[i]);
        sb_printf(w, "  dL/dz_%d = (%s - %s)/%d = %s\n", i, ps, ys, n, ds);
    }
}

void problem_bce(Doc *sheet, Doc *key, int number, Rng *rng) {
    const int n = 2;
    Tensor y = tensor_alloc(1, 1, n), yhat = tensor_alloc(1, 1, n), dyhat = tensor_alloc(1, 1, n),
           dz = tensor_alloc(1, 1, n);
    for (int i = 0; i < n; i++) {
        y.data[i] = rng_below(rng, 2);
        yhat.data[i] = EASY_PREDICTIONS[rng_below(rng, (int)(sizeof EASY_PREDICTIONS / sizeof *EASY_PREDICTIONS))];
    }
    bce_grad_yhat(dyhat.data, y.data, yhat.data, n);
    for (int i = 0; i < n; i++) dz.data[i] = (yhat.data[i] - y.data[i]) / n; // (sigma(z) - y)/n, exact here
    const char *ask_md = "A network ends in a sigmoid, `yhat = sigmoid(z)`, and the mean binary cross-entropy "
                         "`L = -(1/n) sum_i [y_i log yhat_i + (1 - y_i) log(1 - yhat_i)]` over n = 2 outputs. "
                         "Compute `dL/dyhat` (the article's eq. (1)) and `dL/dz`.";
    const char *ask_tex = "A network ends in a sigmoid, $\\hat y = \\sigma(z)$, and the mean binary "
                          "cross-entropy $L = -\\frac{1}{n}\\sum_i [y_i \\log \\hat y_i + (1-y_i)\\log(1-\\hat y_i)]$ "
                          "over $n = 2$ outputs. Compute $\\partial L/\\partial \\hat y$ (the article's eq.~(1)) "
                          "and $\\partial L/\\partial z$.";
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, "the BCE derivative through the sigmoid");
        const char *names_md[] = {"y", "yhat"}, *names_tex[] = {"y", "\\hat y"};
        const Tensor *ts[] = {&y, &yhat};
        doc_matrices(doc, 2, names_md, names_tex, ts);
        doc_para(doc, ask_md, ask_tex);
    }
    doc_space(sheet, "5cm");
    StrBuf w = {0};
    bce_work(&w, &y, &yhat, &dyhat, &dz);
    doc_work(key, sb_str(&w));
    sb_free(&w);
    const char *names_md[] = {"dL/dyhat", "dL/dz"},
               *names_tex[] = {"\\frac{\\partial L}{\\partial \\hat y}", "\\frac{\\partial L}{\\partial z}"};
    const Tensor *ts[] = {&dyhat, &dz};
    doc_matrices(key, 2, names_md, names_tex, ts);
    Command c;
    command_begin(&c, 2);
    command_matrix(&c, "--y", &y);
    command_matrix(&c, "--yhat", &yhat);
    command_answer(&c, "dL_dyhat", &dyhat);
    command_answer(&c, "dL_dz", &dz);
    command_emit(&c, sheet, key);
    Tensor *all[] = {&y, &yhat, &dyhat, &dz};
    for (int k = 0; k < 4; k++) tensor_free(all[k]);
}

// ------------------------------------------------------------ chapter 3

static void dense_work(StrBuf *w, const Tensor *W, const Tensor *y, const Tensor *dz) {
    int n = W->h, m = W->w;
    sb_printf(w, "b makes z = Wx + b = 0, so yhat = sigmoid(0) = 1/2 for every output.\n"
                 "dL/dz_i = (yhat_i - y_i)/n with n = %d:\n",
              n);
    for (int i = 0; i < n; i++) {
        sb_printf(w, "  dL/dz_%d = (0.5 - ", i);
        append_number(w, y->data[i]);
        sb_printf(w, ")/%d = ", n);
        append_number(w, dz->data[i]);
        sb_putc(w, '\n');
    }
    sb_puts(w, "dL/dW[i,j] = dL/dz_i * x_j (an outer product); dL/db = dL/dz\n");
    sb_puts(w, "dL/dx_j = sum_i dL/dz_i * W[i,j] (W transposed):\n");
    for (int j = 0; j < m; j++) {
        sb_printf(w, "  dL/dx_%d = ", j);
        double sum = 0.0;
        for (int i = 0; i < n; i++) {
            append_product(w, i == 0, dz->data[i], *tensor_at(W, 0, i, j));
            sum += dz->data[i] * *tensor_at(W, 0, i, j);
        }
        sb_puts(w, " = ");
        append_number(w, sum);
        sb_putc(w, '\n');
    }
}

void problem_dense(Doc *sheet, Doc *key, int number, Rng *rng) {
    // n = 2 outputs: with one, no-mean and outer-product-swapped give the right answer.
    int n = 2, m = rand_int(rng, 2, 3);
    Tensor x = tensor_alloc(1, 1, m), W = tensor_alloc(1, n, m), b = tensor_alloc(1, 1, n), y = tensor_alloc(1, 1, n);
    Tensor dz = tensor_alloc(1, 1, n), dW = tensor_alloc(1, n, m), dx = tensor_alloc(1, 1, m), db = tensor_alloc(1, 1, n);
    do { // until every classic mistake changes an answer (sheet_discriminate.h)
        fill_ints(&x, rng, -3, 3, true);
        fill_ints(&W, rng, -2, 2, true);
        for (int i = 0; i < n; i++) {
            y.data[i] = rng_below(rng, 2);
            double wx = 0.0;
            for (int j = 0; j < m; j++) wx += *tensor_at(&W, 0, i, j) * x.data[j];
            b.data[i] = wx == 0.0 ? 0.0 : -wx;
        }
        tensor_zero(&dW), tensor_zero(&dx), tensor_zero(&db);
        for (int i = 0; i < n; i++) dz.data[i] = (0.5 - y.data[i]) / n;
        dense_backward(dx.data, dW.data, db.data, dz.data, x.data, W.data, n, m);
    } while (!dense_discriminates(&x, &W, &y, &dz, &dW, &dx));
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, "gradients of a dense layer");
        const char *names_md[] = {"x", "W", "b", "y"}, *names_tex[] = {"x", "W", "b", "y"};
        const Tensor *ts[] = {&x, &W, &b, &y};
        doc_matrices(doc, 4, names_md, names_tex, ts);
        doc_para(doc,
                 "The layer computes `z = W x + b`, `yhat = sigmoid(z)` and the mean BCE loss over its outputs. "
                 "Compute `dL/dz`, `dL/dW`, `dL/dx` and `dL/db`.",
                 "The layer computes $z = Wx + b$, $\\hat y = \\sigma(z)$ and the mean BCE loss over its "
                 "outputs. Compute $\\partial L/\\partial z$, $\\partial L/\\partial W$, $\\partial L/\\partial x$ "
                 "and $\\partial L/\\partial b$.");
    }
    doc_space(sheet, "6cm");
    StrBuf w = {0};
    dense_work(&w, &W, &y, &dz);
    doc_work(key, sb_str(&w));
    sb_free(&w);
    const char *names_md[] = {"dL/dz", "dL/dW", "dL/dx", "dL/db"}, *names_tex[] = {
        "\\frac{\\partial L}{\\partial z}", "\\frac{\\partial L}{\\partial W}", "\\frac{\\partial L}{\\partial x}",
        "\\frac{\\partial L}{\\partial b}"};
    const Tensor *ts[] = {&dz, &dW, &dx, &db};
    doc_matrices(key, 4, names_md, names_tex, ts);
    Command c;
    command_begin(&c, 3);
    command_matrix(&c, "--x", &x);
    command_matrix(&c, "--W", &W);
    command_matrix(&c, "--b", &b);
    command_matrix(&c, "--y", &y);
    command_answer(&c, "dL_dz", &dz);
    command_answer(&c, "dW", &dW);
    command_answer(&c, "dx", &dx);
    command_answer(&c, "db", &db);
    command_emit(&c, sheet, key);
    Tensor *all[] = {&x, &W, &b, &y, &dz, &dW, &dx, &db};
    for (int k = 0; k < 8; k++) tensor_free(all[k]);
}

// ------------------------------------------------------------ chapter 4

// Distinct values 1..h*w in random order: every window has one maximum.
static void fill_distinct(Tensor *t, Rng *rng) {
    int n = (int)tensor_size(t);
    for (int k = 0; k < n; k++) t->data[k] = k + 1;
    for (int k = n - 1; k > 0; k--) {
        int j = rng_below(rng, k + 1);
        double tmp = t->data[k];
        t->data[k] = t->data[j];
        t->data[j] = tmp;
    }
}

static void maxpool_work(StrBuf *w, const Tensor *x, const Tensor *g, const int *argmax, const PoolShape *s) {
    sb_printf(w, "Windows %dx%d, stride %d; each window's maximum receives its G:\n", s->kh, s->kw, s->stride);
    for (int i = 0; i < s->out_h; i++)
        for (int j = 0; j < s->out_w; j++) {
            int k = i * s->out_w + j, at = argmax[k];
            sb_printf(w, "  window (%d,%d): rows %d-%d, cols %d-%d, max ", i, j, i * s->stride,
                      i * s->stride + s->kh - 1, j * s->stride, j * s->stride + s->kw - 1);
            append_number(w, x->data[at]);
            sb_printf(w, " at X[%d,%d] -> dX[%d,%d] += ", at / x->w, at % x->w, at / x->w, at % x->w);
            append_number(w, g->data[k]);
            sb_putc(w, '\n');
        }
    if (s->stride < s->kh || s->stride < s->kw)
        sb_puts(w, "Windows overlap: a cell that is the maximum of several windows collects the sum.\n");
}

void problem_maxpool(Doc *sheet, Doc *key, int number, Rng *rng) {
    static const int SHAPES[][3] = {{3, 3, 1}, {3, 4, 1}, {4, 4, 1}, {4, 4, 2}}; // h, w, stride
    const int *shape = SHAPES[rng_below(rng, 4)];
    Tensor x = tensor_alloc(1, shape[0], shape[1]);
    PoolShape s;
    pool_shape_init(&s, 1, x.h, x.w, 2, 2, shape[2]);
    Tensor y = tensor_alloc(1, s.out_h, s.out_w), g = tensor_alloc_like(&y), dx = tensor_alloc_like(&x);
    int argmax[16];
    do { // overlapping windows: some cell must win two (sheet_discriminate.h)
        fill_distinct(&x, rng);
        fill_ints(&g, rng, -3, 3, true);
        tensor_zero(&dx);
        maxpool_forward(y.data, argmax, x.data, &s);
        maxpool_backward(dx.data, g.data, argmax, &s);
    } while (!maxpool_discriminates(&g, argmax, &s, &dx));
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, shape[2] == 1 ? "max pooling with overlapping windows" : "max pooling");
        const char *names_md[] = {"X", "G"}, *names_tex[] = {"X", "G"};
        const Tensor *ts[] = {&x, &g};
        doc_matrices(doc, 2, names_md, names_tex, ts);
        char md[300], tex[300];
        snprintf(md, sizeof md,
                 "Max pooling with a 2x2 window and stride %d. Compute the pooled output `Y` and, for the "
                 "upstream gradient `G = dL/dY` above, the routed gradient `dL/dX`.",
                 shape[2]);
        snprintf(tex, sizeof tex,
                 "Max pooling with a $2\\times 2$ window and stride %d. Compute the pooled output $Y$ and, for "
                 "the upstream gradient $G = \\partial L/\\partial Y$ above, the routed gradient "
                 "$\\partial L/\\partial X$.",
                 shape[2]);
        doc_para(doc, md, tex);
    }
    doc_space(sheet, "5cm");
    StrBuf w = {0};
    maxpool_work(&w, &x, &g, argmax, &s);
    doc_work(key, sb_str(&w));
    sb_free(&w);
    const char *names_md[] = {"Y", "dL/dX"}, *names_tex[] = {"Y", "\\frac{\\partial L}{\\partial X}"};
    const Tensor *ts[] = {&y, &dx};
    doc_matrices(key, 2, names_md, names_tex, ts);
    Command c;
    command_begin(&c, 4);
    command_matrix(&c, "--input", &x);
    command_int(&c, "--window", 2);
    command_int(&c, "--stride", shape[2]);
    command_matrix(&c, "--upstream", &g);
    command_answer(&c, "pooled", &y);
    command_answer(&c, "dX", &dx);
    command_emit(&c, sheet, key);
    Tensor *all[] = {&x, &y, &g, &dx};
    for (int k = 0; k < 4; k++) tensor_free(all[k]);
}

// ------------------------------------------------------------ chapter 5

typedef struct {
    const Tensor *x, *k, *g;
    const ConvShape *s;
} ConvProblem;

static double padded_at(const ConvProblem *p, int r, int c) {
    r -= p->s->pad_h;
    c -= p->s->pad_w;
    return (r < 0 || c < 0 || r >= p->x->h || c >= p->x->w) ? 0.0 : *tensor_at(p->x, 0, r, c);
}

static void conv_work_dk(StrBuf *w, const ConvProblem *p, const Tensor *dk) {
    sb_printf(w, "dK[m,n] = sum_ij G[i,j] * Xp[%d i + m, %d j + n]   (Xp: X with its zero padding)\n",
              p->s->stride, p->s->stride);
    for (int m = 0; m < p->k->h; m++)
        for (int n = 0; n < p->k->w; n++) {
            sb_printf(w, "  dK[%d,%d] = ", m, n);
            for (int i = 0; i < p->g->h; i++)
                for (int j = 0; j < p->g->w; j++)
                    append_product(w, i == 0 && j == 0, *tensor_at(p->g, 0, i, j),
                                   padded_at(p, i * p->s->stride + m, j * p->s->stride + n));
            sb_puts(w, " = ");
            append_number(w, *tensor_at(dk, 0, m, n));
            sb_putc(w, '\n');
        }
}

// dX[r,c] collects G[i,j]*K[m,n] over every (i,j,m,n) that read X[r,c].
static void conv_work_dx(StrBuf *w, const ConvProblem *p, const Tensor *dx) {
    sb_puts(w, "dX[r,c] = sum of G[i,j] * K[m,n] over the windows that read X[r,c]:\n");
    for (int r = 0; r < p->x->h; r++)
        for (int c = 0; c < p->x->w; c++) {
            sb_printf(w, "  dX[%d,%d] = ", r, c);
            bool first = true;
            for (int i = 0; i < p->g->h; i++)
                for (int j = 0; j < p->g->w; j++) {
                    int m = r + p->s->pad_h - i * p->s->stride, n = c + p->s->pad_w - j * p->s->stride;
                    if (m < 0 || n < 0 || m >= p->k->h || n >= p->k->w) continue;
                    append_product(w, first, *tensor_at(p->g, 0, i, j), *tensor_at(p->k, 0, m, n));
                    first = false;
                }
            sb_puts(w, first ? "0 (no window reads it)" : " = ");
            if (!first) append_number(w, *tensor_at(dx, 0, r, c));
            sb_putc(w, '\n');
        }
}

static void conv_statement(Doc *doc, int number, const ConvProblem *p) {
    doc_problem(doc, number, "gradients of a convolution layer");
    const char *names_md[] = {"X", "K", "G"}, *names_tex[] = {"X", "K", "G"};
    const Tensor *ts[] = {p->x, p->k, p->g};
    doc_matrices(doc, 3, names_md, names_tex, ts);
    char md[400], tex[400];
    snprintf(md, sizeof md,
             "The layer computes the cross-correlation `Y = X (star) K + b` with stride %d and zero padding %d "
             "(Y is %dx%d), and `G = dL/dY` is given above. Compute `dL/dK`, `dL/dX` and `dL/db`.",
             p->s->stride, p->s->pad_h, p->s->out_h, p->s->out_w);
    snprintf(tex, sizeof tex,
             "The layer computes the cross-correlation $Y = X \\star K + b$ with stride %d and zero padding %d "
             "($Y$ is $%d\\times %d$), and $G = \\partial L/\\partial Y$ is given above. Compute "
             "$\\partial L/\\partial K$, $\\partial L/\\partial X$ and $\\partial L/\\partial b$.",
             p->s->stride, p->s->pad_h, p->s->out_h, p->s->out_w);
    doc_para(doc, md, tex);
}

void problem_conv(Doc *sheet, Doc *key, int number, Rng *rng) {
    static const int SHAPES[][4] = {{3, 3, 1, 0}, {3, 4, 1, 0}, {4, 4, 1, 0}, {4, 4, 2, 0}, {3, 3, 2, 1}};
    const int *sh = SHAPES[rng_below(rng, 5)];
    Tensor x = tensor_alloc(1, sh[0], sh[1]), k = tensor_alloc(1, 2, 2);
    ConvShape s;
    conv_shape_init(&s, 1, x.h, x.w, 1, 2, 2, sh[2], sh[3], sh[3], 1);
    Tensor g = tensor_alloc(1, s.out_h, s.out_w), dx = tensor_alloc_like(&x), dk = tensor_alloc_like(&k),
           db = tensor_alloc(1, 1, 1);
    do { // until every classic mistake changes an answer (sheet_discriminate.h)
        fill_ints(&x, rng, 0, 9, false);
        fill_ints(&k, rng, -2, 2, true);
        fill_ints(&g, rng, -2, 2, false);
        tensor_zero(&dx), tensor_zero(&dk), tensor_zero(&db);
        conv_backward(dx.data, dk.data, db.data, g.data, x.data, k.data, &s);
    } while (!conv_discriminates(&x, &k, &g, &s, &dx, &dk, db.data[0]));
    ConvProblem p = {&x, &k, &g, &s};
    conv_statement(sheet, number, &p);
    conv_statement(key, number, &p);
    doc_space(sheet, "7cm");
    StrBuf w = {0};
    conv_work_dk(&w, &p, &dk);
    conv_work_dx(&w, &p, &dx);
    sb_puts(&w, "dL/db = sum of all G = ");
    append_number(&w, db.data[0]);
    sb_putc(&w, '\n');
    doc_work(key, sb_str(&w));
    sb_free(&w);
    const char *names_md[] = {"dL/dK", "dL/dX", "dL/db"}, *names_tex[] = {
        "\\frac{\\partial L}{\\partial K}", "\\frac{\\partial L}{\\partial X}", "\\frac{\\partial L}{\\partial b}"};
    const Tensor *ts[] = {&dk, &dx, &db};
    doc_matrices(key, 3, names_md, names_tex, ts);
    Command c;
    command_begin(&c, 5);
    command_matrix(&c, "--input", &x);
    command_matrix(&c, "--kernel", &k);
    command_int(&c, "--stride", sh[2]);
    command_int(&c, "--padding", sh[3]);
    command_matrix(&c, "--upstream", &g);
    command_answer(&c, "dK", &dk);
    command_answer(&c, "dX", &dx);
    command_answer(&c, "db", &db);
    command_emit(&c, sheet, key);
    Tensor *all[] = {&x, &k, &g, &dx, &dk, &db};
    for (int i = 0; i < 6; i++) tensor_free(all[i]);
}

// ------------------------------------------------------------ a formula

typedef struct {
    int chapter;
    const char *name;  // the gradient the formula is for
    const char *ask_md, *ask_tex, *answer, *why;
} FormulaProblem;

static const FormulaProblem FORMULA_PROBLEMS[] = {
    {2, "dL_dz", "`dL/dz` of the mean BCE of `yhat = sigmoid(z)` over n outputs",
     "$\\partial L/\\partial z$ of the mean BCE of $\\hat y = \\sigma(z)$ over $n$ outputs", "(yhat - y) / n",
     "eq. (1) times sigmoid'(z) = yhat(1 - yhat) leaves (yhat - y), and the mean divides by n."},
    {3, "dW", "`dL/dW` of a dense layer `z = W x + b` with sigmoid and mean BCE",
     "$\\partial L/\\partial W$ of a dense layer $z = Wx + b$ with a sigmoid and the mean BCE", "outer((yhat - y) / n, x)",
     "dL/dz = (yhat - y)/n, and dL/dW[i,j] = dL/dz_i * x_j: an outer product, dL/dz first."},
    {3, "dx", "`dL/dx` of a dense layer `z = W x + b` with sigmoid and mean BCE",
     "$\\partial L/\\partial x$ of a dense layer $z = Wx + b$ with a sigmoid and the mean BCE", "W' @ ((yhat - y) / n)",
     "dL/dx_j = sum_i dL/dz_i * W[i,j]: W transposed times dL/dz."},
    {5, "dK", "`dL/dK` of a convolution layer `Y = X (star) K + b` given `G = dL/dY`",
     "$\\partial L/\\partial K$ of a convolution layer $Y = X \\star K + b$ given $G = \\partial L/\\partial Y$",
     "xcorr(X, G)", "K[m,n] multiplies X[i+m, j+n] in output (i,j), so dK collects G[i,j] * X[i+m, j+n]."},
    {5, "dX", "`dL/dX` of a convolution layer `Y = X (star) K + b` (stride 1) given `G = dL/dY`",
     "$\\partial L/\\partial X$ of a convolution layer $Y = X \\star K + b$ (stride 1) given $G$",
     "xcorr(pad(G, kh-1, kw-1), rot180(K))", "a full convolution of G with K: G padded, K rotated 180 degrees."},
    {1, "dL_dK_xcorr", "`dL/dK` of `L = sum(G o (X (star) K))`",
     "$\\partial L/\\partial K$ of $L = \\sum G \\circ (X \\star K)$", "xcorr(X, G)",
     "the kernel gradient of a cross-correlation is the cross-correlation of X with G."},
};

void problem_formula(Doc *sheet, Doc *key, int number, Rng *rng) {
    int n_problems = (int)(sizeof FORMULA_PROBLEMS / sizeof *FORMULA_PROBLEMS);
    const FormulaProblem *f = &FORMULA_PROBLEMS[rng_below(rng, n_problems)];
    char md[500], tex[700], cmd[300];
    snprintf(md, sizeof md,
             "Derive %s as a formula in the workbook's expression language (`build/chapter%d --formula list` "
             "names the symbols; functions include `xcorr`, `pad`, `crop`, `rot180`, `outer`, `sum`, `sigmoid`, `@` "
             "and `'` for the transpose). The check runs it on the chapter's inputs and 20 random cases.",
             f->ask_md, f->chapter);
    snprintf(tex, sizeof tex,
             "Derive %s as a formula in the workbook's expression language (\\texttt{build/chapter%d "
             "-{}-formula list} names the symbols; functions include \\texttt{xcorr}, \\texttt{pad}, "
             "\\texttt{crop}, \\texttt{rot180}, \\texttt{outer}, \\texttt{sum}, \\texttt{sigmoid}, "
             "\\texttt{@} and \\texttt{\\textquotesingle} for the transpose). The check runs it on the chapter's inputs and 20 "
             "random cases.",
             f->ask_tex, f->chapter);
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, "derive the formula");
        doc_para(doc, md, tex);
    }
    doc_space(sheet, "4cm");
    snprintf(cmd, sizeof cmd, "build/chapter%d --formula \"%s = <your formula>\"", f->chapter, f->name);
    doc_para(sheet, "Check your formula (it exits 0 when it holds in every case):",
             "Check your formula (it exits 0 when it holds in every case):");
    doc_command(sheet, cmd);
    doc_work(key, f->why);
    snprintf(cmd, sizeof cmd, "build/chapter%d --formula \"%s = %s\"", f->chapter, f->name, f->answer);
    doc_para(key, "The check, with the formula filled in (exits 0):", "The check, with the formula filled in (exits 0):");
    doc_command(key, cmd);
}

// ------------------------------------------------------------ chapter 7

// Softmax cross-entropy over a batch of two samples of three whole-number
// logits: p by hand (e ≈ 2.71828), then ∂L/∂z = (p − onehot)/N.
void problem_softmax_ce(Doc *sheet, Doc *key, int number, Rng *rng) {
    enum { N = 2, K = 3 };
    Tensor z = tensor_alloc(1, N, K), y = tensor_alloc(1, 1, N), p = tensor_alloc(1, N, K), dz = tensor_alloc(1, N, K);
    fill_ints(&z, rng, -1, 2, false);
    for (int b = 0; b < N; b++) {
        y.data[b] = rng_below(rng, K);
        double m = z.data[b * K], sum = 0.0;
        for (int j = 1; j < K; j++) m = fmax(m, z.data[b * K + j]);
        for (int j = 0; j < K; j++) sum += exp(z.data[b * K + j] - m);
        for (int j = 0; j < K; j++) {
            p.data[b * K + j] = exp(z.data[b * K + j] - m) / sum;
            dz.data[b * K + j] = (p.data[b * K + j] - (j == (int)y.data[b])) / N; // (p − onehot)/N
        }
    }
    const char *ask_md = "A batch of N = 2 samples ends in softmax and the mean cross-entropy "
                         "`L = -(1/N) sum_b log p[b, y_b]`, `p[b,k] = exp(z[b,k]) / sum_j exp(z[b,j])`. The logits "
                         "`z` have one sample a row; `y` holds each sample's class (0, 1 or 2). Compute `p` and `dL/dz`.";
    const char *ask_tex = "A batch of $N = 2$ samples ends in softmax and the mean cross-entropy "
                          "$L = -\\frac{1}{N}\\sum_b \\log p_{b,y_b}$, $p_{bk} = e^{z_{bk}}/\\sum_j e^{z_{bj}}$. The "
                          "logits $z$ have one sample a row; $y$ holds each sample's class (0, 1 or 2). Compute $p$ "
                          "and $\\partial L/\\partial z$.";
    for (int d = 0; d < 2; d++) {
        Doc *doc = d ? key : sheet;
        doc_problem(doc, number, "softmax cross-entropy over a batch");
        const char *names[] = {"z", "y"};
        const Tensor *ts[] = {&z, &y};
        doc_matrices(doc, 2, names, names, ts);
        doc_para(doc, ask_md, ask_tex);
    }
    doc_space(sheet, "5cm");
    doc_work(key, "p = softmax of each row (subtract the row's largest logit first)\n"
                  "dL/dz = (p - onehot(y)) / N, N = 2: each row of p, minus 1 at its label, halved");
    // One matrix a line: two of ten-digit entries side by side overflow the page.
    doc_matrix(key, "p", "p", &p);
    doc_matrix(key, "dL/dz", "\\frac{\\partial L}{\\partial z}", &dz);
    Command c;
    command_begin(&c, 7);
    sb_printf(&c.sheet, " --section 7.2");
    sb_printf(&c.key, " --section 7.2");
    command_matrix(&c, "--logits", &z);
    command_matrix(&c, "--labels", &y);
    command_answer(&c, "ce_p", &p);
    command_answer(&c, "ce_dz", &dz);
    command_emit(&c, sheet, key);
    Tensor *all[] = {&z, &y, &p, &dz};
    for (int k = 0; k < 4; k++) tensor_free(all[k]);
}
