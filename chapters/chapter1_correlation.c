// Chapter 1: cross-correlation vs convolution.
//
// Follows the article's "Forward Pass in Convolution Layer" and "Difference
// between Convolution and Cross-Correlation": what a CNN layer computes (a
// cross-correlation, ⋆), how a true convolution (*) differs (the kernel is
// rotated 180°), and the kernel gradient of each, checked numerically.
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "conv.h"
#include "example.h"
#include "gradcheck.h"
#include "options.h"
#include "report.h"
#include "rng.h"
#include "tensor.h"

// conv(X,K) and xcorr(X, rot180 K) add the same products in another order,
// so they agree to a few ulps of the largest partial sum, never worse.
#define SAME_RESULT_REL_TOL 1e-12

typedef enum { MODE_VALID, MODE_FULL } Mode;

// Everything the loss needs: L(K) = Σ G∘Y(K) for a fixed upstream G.
typedef struct {
    const Tensor *x;
    Tensor *k;
    const Tensor *g;
    Mode mode;
    bool flipped; // true: Y = X * K (convolution); false: Y = X ⋆ K
    Tensor *y;    // scratch for the output, same shape as g
} Problem;

static ConvShape shape_for(const Tensor *x, const Tensor *k, Mode mode) {
    ConvShape s;
    int ph = mode == MODE_FULL ? k->h - 1 : 0, pw = mode == MODE_FULL ? k->w - 1 : 0;
    conv_shape_init(&s, 1, x->h, x->w, 1, k->h, k->w, 1, ph, pw, 1);
    return s;
}

// Y = X ⋆ K: the layer's forward pass, no flip.
static void cross_correlate(Tensor *y, const Tensor *x, const Tensor *k, Mode mode) {
    ConvShape s = shape_for(x, k, mode);
    const double no_bias = 0.0;
    conv_forward(y->data, x->data, k->data, &no_bias, &s);
}

// Y = X * K from the textbook definition (kernel index runs backwards).
static void convolve(Tensor *y, const Tensor *x, const Tensor *k, Mode mode) {
    convolve2d(y->data, x->data, k->data, x->h, x->w, k->h, k->w, mode == MODE_FULL ? CONV_FULL : CONV_VALID);
}

static double loss(void *ctx) {
    Problem *p = ctx;
    if (p->flipped)
        convolve(p->y, p->x, p->k, p->mode);
    else
        cross_correlate(p->y, p->x, p->k, p->mode);
    double sum = 0.0;
    for (size_t i = 0; i < tensor_size(p->g); i++) sum += p->g->data[i] * p->y->data[i];
    return sum;
}

// ∂L/∂K for Y = X ⋆ K is X ⋆ G: K[m,n] multiplies X[i+m, j+n] in every
// output (i,j), so it collects G[i,j]·X[i+m, j+n]. In full mode X is padded.
static void kernel_grad_xcorr(Tensor *dk, const Tensor *x, const Tensor *g, Mode mode) {
    ConvShape s;
    int ph = mode == MODE_FULL ? dk->h - 1 : 0, pw = mode == MODE_FULL ? dk->w - 1 : 0;
    conv_shape_init(&s, 1, x->h, x->w, 1, g->h, g->w, 1, ph, pw, 1);
    const double no_bias = 0.0;
    conv_forward(dk->data, x->data, g->data, &no_bias, &s);
}

// ∂L/∂K for Y = X * K: X * K = X ⋆ rot180(K), so the gradient is the
// cross-correlation's gradient rotated back: rot180(X ⋆ G).
static void kernel_grad_conv(Tensor *dk, const Tensor *x, const Tensor *g, Mode mode) {
    Tensor unrotated = tensor_alloc_like(dk);
    kernel_grad_xcorr(&unrotated, x, g, mode);
    tensor_rot180(dk, &unrotated);
    tensor_free(&unrotated);
}

// Bug "no-rot180": the convolution's kernel gradient taken as X ⋆ G, as if
// it were a cross-correlation; the rotation is forgotten.
static void kernel_grad_conv_no_rot180(Tensor *dk, const Tensor *x, const Tensor *g, Mode mode) {
    kernel_grad_xcorr(dk, x, g, mode);
}

static const BugInfo BUGS[] = {
    {"no-rot180", "the convolution's kernel gradient computed as X ⋆ G, without rotating it 180°"},
};

// Writes "Y[0,0] = 8·1 + 9·1 + 0·1 + 3·2 = 23" for output (0,0).
static void write_out_entry(Report *r, const Tensor *x, const Tensor *k, const Tensor *y, Mode mode) {
    char buf[2048] = "";
    size_t len = 0;
    ConvShape s = shape_for(x, k, mode);
    len += (size_t)snprintf(buf + len, sizeof buf - len, "Y[0,0] =");
    int terms = 0;
    for (int m = 0; m < k->h && len < sizeof buf - 200; m++)
        for (int n = 0; n < k->w && len < sizeof buf - 200; n++) {
            int yy = m - s.pad_h, xx = n - s.pad_w;
            char xs[40], ks[40];
            double xv = (yy >= 0 && xx >= 0) ? *tensor_at(x, 0, yy, xx) : 0.0;
            format_number(xs, sizeof xs, xv, "--input");
            format_number(ks, sizeof ks, *tensor_at(k, 0, m, n), "--kernel");
            // Negative factors in parentheses, so "3·(-1)" never reads as a subtraction.
            len += (size_t)snprintf(buf + len, sizeof buf - len, "%s %s%s%s·%s%s%s", terms++ ? " +" : "",
                                    xv < 0 ? "(" : "", xs, xv < 0 ? ")" : "", *tensor_at(k, 0, m, n) < 0 ? "(" : "",
                                    ks, *tensor_at(k, 0, m, n) < 0 ? ")" : "");
        }
    char ys[40];
    format_number(ys, sizeof ys, y->data[0], "the cross-correlation");
    snprintf(buf + len, sizeof buf - len, " = %s", ys);
    report_verbatim(r, "%s", buf);
}

static double max_rel_difference(const Tensor *a, const Tensor *b) {
    double worst = 0.0;
    for (size_t i = 0; i < tensor_size(a); i++) worst = fmax(worst, relative_error(a->data[i], b->data[i]));
    return worst;
}

static bool is_own_rotation(const Tensor *k) {
    for (int i = 0; i < k->h; i++)
        for (int j = 0; j < k->w; j++)
            if (*tensor_at(k, 0, i, j) != *tensor_at(k, 0, k->h - 1 - i, k->w - 1 - j)) return false;
    return true;
}

// Checks one kernel gradient against central differences of L(K).
static void check_kernel_gradient(Report *r, const char *name, Problem *p, const Tensor *analytic) {
    Tensor numerical = tensor_alloc_like(analytic);
    numerical_gradient(numerical.data, p->k->data, (int)tensor_size(p->k), loss, p, GRADCHECK_H);
    CheckSummary s = compare_gradients(analytic->data, numerical.data, NULL, (int)tensor_size(analytic),
                                       GRADCHECK_REL_TOL);
    report_check(r, name, analytic, &numerical, NULL, s);
    tensor_free(&numerical);
}

int main(int argc, char **argv) {
    const char *input_text = NULL, *kernel_text = NULL, *mode_text = NULL, *upstream_text = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the input X (default: the article's running example, 3x4)", &input_text},
        {"--kernel", "M", "the kernel K (default: [1 1; 1 2])", &kernel_text},
        {"--mode", "MODE", "valid (default): kernel inside X; full: X zero-padded by K's size - 1", &mode_text},
        {"--upstream", "M", "the upstream gradient G of L = sum(G*Y) (default: seeded integers)", &upstream_text},
    };
    const ChapterSpec spec = {
        .program = "chapter1",
        .title = "Chapter 1: cross-correlation vs convolution",
        .options = options,
        .n_options = 4,
        .bugs = BUGS,
        .n_bugs = 1,
        .notes = "Example: chapter1 --input \"1 2 3; 4 5 6; 7 8 9\" --kernel \"1 0; 0 -1\" --mode full",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);

    // ---- input, all validated before anything is printed
    Tensor x = input_text ? option_matrix("--input", input_text) : tensor_alloc(1, EXAMPLE_X_H, EXAMPLE_X_W);
    Tensor k = kernel_text ? option_matrix("--kernel", kernel_text) : tensor_alloc(1, EXAMPLE_K_SIZE, EXAMPLE_K_SIZE);
    if (!input_text) memcpy(x.data, EXAMPLE_X, sizeof EXAMPLE_X);
    if (!kernel_text) memcpy(k.data, EXAMPLE_K, sizeof EXAMPLE_K);
    Mode mode = mode_text ? (Mode)option_choice("--mode", mode_text, "valid|full") : MODE_VALID;
    if (mode == MODE_VALID && (k.h > x.h || k.w > x.w))
        usage_error("--kernel: a %dx%d kernel does not fit the %dx%d input in valid mode (use a kernel at most "
                    "%dx%d, or --mode full)",
                    k.h, k.w, x.h, x.w, x.h, x.w);
    int out_h = mode == MODE_VALID ? x.h - k.h + 1 : x.h + k.h - 1;
    int out_w = mode == MODE_VALID ? x.w - k.w + 1 : x.w + k.w - 1;
    if (out_h > TENSOR_MAX_SIDE || out_w > TENSOR_MAX_SIDE)
        usage_error("--kernel: the full-mode output would be %dx%d, above the %d limit", out_h, out_w,
                    TENSOR_MAX_SIDE);
    Tensor g;
    if (upstream_text) {
        g = option_matrix("--upstream", upstream_text);
        if (g.h != out_h || g.w != out_w)
            usage_error("--upstream: shape %dx%d does not match the output, which is %dx%d", g.h, g.w, out_h,
                        out_w);
    } else {
        // Small integers keep every gradient readable by hand.
        g = tensor_alloc(1, out_h, out_w);
        Rng rng = rng_make(opt.seed);
        for (size_t i = 0; i < tensor_size(&g); i++) g.data[i] = rng_below(&rng, 7) - 3;
    }

    Tensor k_rot = tensor_alloc_like(&k);
    tensor_rot180(&k_rot, &k);
    Tensor y_xcorr = tensor_alloc(1, out_h, out_w), y_conv = tensor_alloc(1, out_h, out_w);
    Tensor y_via_rot = tensor_alloc(1, out_h, out_w), scratch = tensor_alloc(1, out_h, out_w);
    cross_correlate(&y_xcorr, &x, &k, mode);
    convolve(&y_conv, &x, &k, mode);
    cross_correlate(&y_via_rot, &x, &k_rot, mode);
    require_finite(&y_xcorr, "--input/--kernel");
    require_finite(&y_conv, "--input/--kernel");

    Tensor dk_xcorr = tensor_alloc_like(&k), dk_conv = tensor_alloc_like(&k);
    kernel_grad_xcorr(&dk_xcorr, &x, &g, mode);
    if (bug_is(&opt, "no-rot180"))
        kernel_grad_conv_no_rot180(&dk_conv, &x, &g, mode);
    else
        kernel_grad_conv(&dk_conv, &x, &g, mode);
    require_finite(&dk_xcorr, "--input/--upstream");

    Report r;
    report_init(&r, &opt, spec.title);
    const char *mode_name = mode == MODE_VALID ? "valid" : "full";
    report_json_string(&r, "mode", mode_name);

    // ---- 1.1 the article's formula
    report_heading(&r, "1.1 The forward pass of a convolution layer");
    report_text(&r, "The article writes the layer's forward pass as");
    report_equation(&r, "(I * K)(i,j) = Σ_{i=1..m} Σ_{j=1..n} ( I_(i+m-1)(j+n-1) ⋆ rot180(K_ij) ) + b_i",
                    "(I * K)(i,j) = \\sum_{i=1}^{m}\\sum_{j=1}^{n} \\left(I_{(i+m-1)(j+n-1)} \\star "
                    "\\mathrm{rot180}(K_{ij})\\right) + b_i");
    report_erratum(&r, "this formula is muddled. i and j name the output position on the left and are "
                       "reused as the summation indices on the right, while m and n are both the kernel size "
                       "and part of the input index. It also puts a rot180 inside a ⋆ and calls the result "
                       "I * K, which mixes the two operations this chapter separates. What a CNN layer "
                       "computes, with the output position (i,j) and the kernel offset (m,n) kept apart, is:");
    report_equation(&r, "Y[i,j] = b + Σ_m Σ_n X[i+m, j+n] · K[m,n]      (cross-correlation, X ⋆ K)",
                    "Y_{ij} = b + \\sum_{m}\\sum_{n} X_{i+m,\\,j+n}\\, K_{mn} \\qquad (X \\star K)");
    report_text(&r, "A true convolution runs the kernel index backwards, which is the same as "
                    "cross-correlating with the kernel rotated by 180°:");
    report_equation(&r, "(X * K)[i,j] = Σ_m Σ_n X[i-m, j-n] · K[m,n] = (X ⋆ rot180(K))[i,j]",
                    "(X * K)_{ij} = \\sum_{m}\\sum_{n} X_{i-m,\\,j-n}\\, K_{mn} = (X \\star "
                    "\\mathrm{rot180}(K))_{ij}");

    // ---- 1.2 the numbers
    report_heading(&r, "1.2 The worked example");
    if (!input_text && !kernel_text)
        report_text(&r, "The running example of this workbook: a 3x4 input X and a 2x2 kernel K whose "
                        "cross-correlation (bias b = 0) is exactly the feature map the article max-pools "
                        "later, [23 14 25; 27 29 35]. Chapter 4 pools it, chapter 3 feeds the result to a "
                        "dense layer, and chapter 5 sends the gradient back here.");
    report_matrix_quantity(&r, "input", "X", &x);
    report_matrix_quantity(&r, "kernel", "K", &k);
    report_matrix_quantity(&r, "kernel_rot180", "rot180(K)", &k_rot);
    if (mode == MODE_FULL)
        report_text(&r, "Mode full: X is zero-padded by %d row(s) and %d column(s) on each side, so every "
                        "position where the kernel overlaps X at all gives an output (%dx%d).",
                    k.h - 1, k.w - 1, out_h, out_w);

    // ---- 1.3 cross-correlation
    report_heading(&r, "1.3 Cross-correlation Y = X ⋆ K (what CNN layers compute)");
    report_text(&r, "Slide K over X without flipping it; each output is the sum of the element-wise products "
                    "of K with the patch of X under it. The first entry, written out:");
    write_out_entry(&r, &x, &k, &y_xcorr, mode);
    report_matrix_quantity(&r, "cross_correlation", "X ⋆ K", &y_xcorr);

    // ---- 1.4 convolution
    report_heading(&r, "1.4 Convolution Y = X * K (the kernel rotated 180°)");
    report_text(&r, "Computed straight from the definition, with the kernel index running backwards:");
    report_matrix_quantity(&r, "convolution", "X * K", &y_conv);
    report_text(&r, "And as a cross-correlation with the rotated kernel:");
    report_matrix(&r, "X ⋆ rot180(K)", &y_via_rot);
    char detail[160];
    double diff = max_rel_difference(&y_conv, &y_via_rot);
    snprintf(detail, sizeof detail, "largest relative difference %.1e (tolerance %g)", diff, SAME_RESULT_REL_TOL);
    report_verdict(&r, "X * K = X ⋆ rot180(K)", diff <= SAME_RESULT_REL_TOL, detail);
    if (is_own_rotation(&k)) {
        report_text(&r, "This kernel equals its own 180° rotation, so here convolution and cross-correlation "
                        "give the same matrix. Try an asymmetric kernel to see them differ.");
    } else {
        double apart = max_rel_difference(&y_conv, &y_xcorr);
        report_text(&r, "K is not symmetric under rotation, so the two operations differ: X * K and X ⋆ K "
                        "disagree by up to %.0f%% (relative) here. Libraries call their layer "
                        "\"convolution\" but compute X ⋆ K; since the kernel is learned, the network simply "
                        "learns the rotated kernel and nothing is lost.",
                    100 * apart);
    }

    // ---- 1.5 gradient check
    report_heading(&r, "1.5 The kernel gradient, checked numerically");
    report_text(&r, "To check a layer whose output is a matrix, take the scalar L = Σ G∘Y for a fixed "
                    "upstream gradient G; then ∂L/∂K is exactly what backpropagation sends to the kernel "
                    "when ∂L/∂Y = G.");
    report_matrix_quantity(&r, "upstream", "G", &g);
    report_equation(&r, "Y = X ⋆ K:  ∂L/∂K[m,n] = Σ_i Σ_j G[i,j] · X[i+m, j+n],  i.e.  ∂L/∂K = X ⋆ G",
                    "Y = X \\star K:\\quad \\frac{\\partial L}{\\partial K_{mn}} = \\sum_{i}\\sum_{j} G_{ij}\\, "
                    "X_{i+m,\\,j+n} \\;\\Rightarrow\\; \\frac{\\partial L}{\\partial K} = X \\star G");
    report_matrix_quantity(&r, "dL_dK_xcorr", "∂L/∂K (cross-correlation)", &dk_xcorr);
    Problem p = {&x, &k, &g, mode, false, &scratch};
    check_kernel_gradient(&r, "∂L/∂K for X ⋆ K", &p, &dk_xcorr);

    report_equation(&r, "Y = X * K = X ⋆ rot180(K):  ∂L/∂K = rot180(X ⋆ G)",
                    "Y = X * K = X \\star \\mathrm{rot180}(K):\\quad \\frac{\\partial L}{\\partial K} = "
                    "\\mathrm{rot180}(X \\star G)");
    report_matrix_quantity(&r, "dL_dK_conv", "∂L/∂K (convolution)", &dk_conv);
    if (bug_is(&opt, "no-rot180"))
        report_text(&r, "--bug no-rot180: the gradient above is X ⋆ G, not rotated back. Watch the check:");
    p.flipped = true;
    check_kernel_gradient(&r, "∂L/∂K for X * K", &p, &dk_conv);

    int status = report_finish(&r);
    Tensor *all[] = {&x, &k, &g, &k_rot, &y_xcorr, &y_conv, &y_via_rot, &scratch, &dk_xcorr, &dk_conv};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) tensor_free(all[i]);
    options_free(&opt);
    return status;
}
