// Chapter 3: gradients of the dense (fully connected) layer.
//
// Follows the article's "Backpropagation Through the Fully Connected (DenseCase)
// layer": the forward pass z = W x + b, ŷ = σ(z), L = BCE(y, ŷ); the chain
// rule down to ∂L/∂z, ∂L/∂W, ∂L/∂x and ∂L/∂b, each checked by error-bounded
// finite differences; one step of gradient descent, shown as a
// demonstration. The article drops the sigmoid in its backward pass, so its
// eqs. (2) and (3) and its bias equation lack the factor σ′(z); the chapter
// shows with numbers what that costs. Then what the article leaves out: the
// batch form and the hidden-layer δ.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "chapter3_errata.h"
#include "chapter3_formula.h"
#include "chapter3_layer.h"
#include "check_block.h"
#include "dense_cstep.h"
#include "dense.h"
#include "dense_case.h"
#include "eqtext.h"
#include "example.h"
#include "gradcheck.h"
#include "loss.h"
#include "options.h"
#include "plotfile.h"
#include "report.h"
#include "report_block.h"
#include "rng.h"
#include "strbuf.h"
#include "tensor.h"

#define DEFAULT_LR 0.1

// Forward pass and loss, then every gradient, with the --bug (if any) where it acts.
static void dense_run(DenseCase *d, Bug bug) {
    dense_forward(d->z.data, d->x.data, d->W.data, d->b.data, d->n, d->m);
    require_finite(&d->z, "--x/--W/--b");
    for (int i = 0; i < d->n; i++) {
        d->yhat.data[i] = sigmoid(d->z.data[i]);
        // The chapter shows the article's ∂L/∂ŷ, which is 1/0 once ŷ rounds
        // to exactly 0 or 1; chapter 2 shows how the logit form avoids it.
        if (d->yhat.data[i] == 0.0 || d->yhat.data[i] == 1.0)
            usage_error("--x/--W/--b: z_%d = %g saturates the sigmoid (ŷ rounds to %g in double precision, "
                        "where the article's ∂L/∂ŷ is infinite); use values with |z| below about 36",
                        i, d->z.data[i], d->yhat.data[i]);
    }
    d->loss = bce_loss_logits(d->y.data, d->z.data, d->n);
    chapter3_output_grad_with(bug, d->dz.data, d->y.data, d->z.data, d->n);
    require_finite(&d->dz, "--y (ŷ rounds to 0 or 1 here)");
    tensor_zero(&d->dW);
    tensor_zero(&d->dx);
    tensor_zero(&d->db);
    chapter3_layer_backward_with(bug, d->dx.data, d->dW.data, d->db.data, d->dz.data, d->x.data, d->W.data, d->n, d->m);
    require_finite(&d->dx, "--x/--W");
    require_finite(&d->dW, "--x/--W");
}

// ---------------------------------------------------------------- checks

// Entries central differences cannot decide (1e-300 in an O(1) loss): the
// complex step (src/show/dense_cstep.h), check_block's second method.
typedef struct {
    const LossCtx *loss;
    const double *param;
} DenseRescue;

static int dense_rescue(void *ctx, NumericalDerivative *num, const double *a, const bool *skip, const int *idx,
                        int count) {
    (void)skip; // a dense layer has no ties
    const DenseRescue *d = ctx;
    return dense_complex_rescue(num, a, idx, count, d->loss, d->param);
}

// Checks the analytic gradient of one block entry by entry against
// error-bounded central differences (check_block: within the work budget
// every entry, beyond it a seeded sample plus one directional derivative).
static bool check_dense_block(Report *r, const char *name, DenseCase *d, Block block, const Tensor *analytic,
                              const CommonOptions *opt) {
    Tensor z = tensor_clone(&d->z);
    LossCtx c = {d, block, z.data, d->z.data};
    double *param = dense_block_param(d, block, z.data);
    DenseRescue rescue = {&c, param};
    BlockSpec spec = {.param = param,
                      .analytic = analytic->data,
                      .n = (int)tensor_size(analytic),
                      .obj = {dense_loss_whole, dense_loss_local, &c},
                      .shape = LOSS_SMOOTH,
                      .ops_per_eval = block == BLOCK_X ? (double)d->n * d->m : block == BLOCK_Z ? 1.0 : d->m,
                      .second = dense_rescue,
                      .second_ctx = &rescue,
                      .rtol = GRADCHECK_REL_TOL,
                      .check_all = opt->check_all,
                      .seed = opt->seed};
    BlockCheck check;
    if (!block_check_run(&check, &spec)) usage_error("--W: out of memory for the check of %d entries", spec.n);
    report_block_plan(r, name, &check);
    if (check.by_second > 0)
        report_text(r, "Central differences could not decide %d of these entries: the complex step Im L(θ + ih)/h "
                       "did (2 complex forward passes each).", check.by_second);
    Verdict v = report_block_entries(r, name, &check, analytic);
    char label[160];
    snprintf(label, sizeof label, "%s along a random direction u (∇L·u)", name);
    v = verdict_worse(v, report_block_directions(r, label, &check));
    block_check_free(&check);
    tensor_free(&z);
    return v == VERDICT_PASS;
}

// Says where the --bug acts. visible is false when this layer's shape hides
// it (a 1/n or an index swap changes nothing with one output or one input).
static void note_bug(Report *r, const CommonOptions *opt, Bug bug, Bug here, bool visible) {
    if (bug != here) return;
    if (visible)
        report_text(r, "--bug %s is on: the result below comes from the code with that mistake. Watch the "
                       "check.",
                    opt->bug);
    else
        report_text(r, "--bug %s is on, but with one output (or one input) it gives the right numbers here by "
                       "accident; sections 3.8 to 3.10 catch it.",
                    opt->bug);
}

// ---------------------------------------------------------------- 3.1 to 3.5: one layer

static void section_3_1_forward(Report *r, const DenseCase *d, bool example) {
    report_heading(r, "3.1 The forward pass: z = W x + b, ŷ = σ(z), L = BCE(y, ŷ)");
    if (example)
        report_text(r, "The running example continues. x is the output of chapter 4's max-pooling, [29 35], "
                       "taken from chapter 1's feature map [23 14 25; 27 29 35]. It is used unscaled: the "
                       "weights are small, so z = 0.5 and the sigmoid is far from flat. One output (n = 1) "
                       "with label y = 1.");
    else
        report_text(r, "Your layer (--x, --W, --b, --y): n = %d output%s, m = %d input%s.", d->n,
                    d->n == 1 ? "" : "s", d->m, d->m == 1 ? "" : "s");
    report_text(r, "W has one row per output and one column per input: it is n×m = %dx%d, x has m = %d "
                   "entries, and b and y have n = %d each. Index i counts outputs (rows of W), j counts inputs "
                   "(columns of W); both count from 0, as in the check tables.",
                d->n, d->m, d->m, d->n);
    report_equation(r, "z_i = Σ_j W[i,j] x_j + b_i,    i.e.  z = W x + b",
                    "z_i = \\sum_{j} W_{ij}\\, x_j + b_i \\quad\\Longleftrightarrow\\quad z = W x + b");
    report_equation(r, "ŷ_i = σ(z_i) = 1 / (1 + e^(−z_i))", "\\hat{y}_i = \\sigma(z_i) = \\frac{1}{1 + e^{-z_i}}");
    report_equation(r, "L = −(1/n) Σ_i [ y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i) ]",
                    "L = -\\frac{1}{n} \\sum_{i} \\left[ y_i \\log \\hat{y}_i + (1 - y_i) \\log(1 - \\hat{y}_i) "
                    "\\right]");
    report_quantity(r, "x", "x", &d->x);
    report_matrix_quantity(r, "W", "W", &d->W);
    report_quantity(r, "b", "b", &d->b);
    report_quantity(r, "y", "y", &d->y);
    dense_show_forward_lines(r, d);
    report_quantity(r, "z", "z", &d->z);
    report_quantity(r, "yhat", "ŷ = σ(z)", &d->yhat);
    report_scalar(r, "loss", "L", d->loss);
    report_erratum(r, "the article writes this layer as ŷ_i = x_j·w_ij + b_j. The sum over j is missing, and the "
                      "bias carries j, the input index, though there is one bias per output: b_i. Read w_ij as "
                      "W[i,j], i the output (row) and j the input (column); the article's ∂L/∂b_j is ∂L/∂b_i.");
    report_erratum(r, "its forward pass applies an activation Φ, but its backward pass uses ŷ = x·w + b with none, "
                      "and feeds that ŷ to BCE, which needs ŷ in (0,1). This chapter keeps the sigmoid; section "
                      "3.7 shows with numbers what leaving it out costs.");
}

static bool section_3_2_output_grad(Report *r, DenseCase *d, const CommonOptions *opt) {
    report_heading(r, "3.2 ∂L/∂z: the chain through the sigmoid");
    report_text(r, "The loss reaches z through ŷ, so the chain rule has two links: the article's eq. (1), and "
                   "the sigmoid's derivative σ′(z) = σ(z)(1 − σ(z)) = ŷ(1 − ŷ).");
    report_equation(r, "∂L/∂ŷ_i = −(1/n) ( y_i/ŷ_i − (1 − y_i)/(1 − ŷ_i) )   (article eq. 1)",
                    "\\frac{\\partial L}{\\partial \\hat{y}_i} = -\\frac{1}{n} \\left( \\frac{y_i}{\\hat{y}_i} - "
                    "\\frac{1 - y_i}{1 - \\hat{y}_i} \\right) \\qquad \\text{(article eq. 1)}");
    report_equation(r, "∂L/∂z_i = ∂L/∂ŷ_i · ŷ_i(1 − ŷ_i) = (ŷ_i − y_i)/n",
                    "\\frac{\\partial L}{\\partial z_i} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\, "
                    "\\hat{y}_i (1 - \\hat{y}_i) = \\frac{\\hat{y}_i - y_i}{n}");
    report_text(r, "The two denominators of eq. (1) cancel against ŷ(1 − ŷ), leaving the simple difference. "
                   "With the numbers:");
    dense_show_output_grad_lines(r, d);
    note_bug(r, opt, (Bug)opt->bug_id, BUG_NO_SIGMOID_DERIVATIVE, true);
    note_bug(r, opt, (Bug)opt->bug_id, BUG_NO_MEAN, d->n > 1);
    report_quantity(r, "dL_dz", "∂L/∂z", &d->dz);
    report_text(r, "Checked against central differences of L as a function of z:");
    return check_dense_block(r, "∂L/∂z", d, BLOCK_Z, &d->dz, opt);
}

static bool section_3_3_weight_grad(Report *r, DenseCase *d, const CommonOptions *opt) {
    report_heading(r, "3.3 ∂L/∂W: an outer product (article eq. 2)");
    report_text(r, "W[i,j] reaches the loss only through z_i, and ∂z_i/∂W[i,j] = x_j:");
    report_equation(r, "∂L/∂W[i,j] = ∂L/∂z_i · x_j",
                    "\\frac{\\partial L}{\\partial W_{ij}} = \\frac{\\partial L}{\\partial z_i}\\, x_j");
    dense_show_weight_grad_lines(r, d);
    report_text(r, "As matrices: the column ∂L/∂z (n×1) times the row xᵀ (1×m), an n×m matrix shaped like W.");
    report_verbatim(r, "Check a formula you derived:\n  build/chapter3 --formula 'dW = outer((yhat - y) / n, x)'");
    dense_show_weight_grad_product(r, d);
    note_bug(r, opt, (Bug)opt->bug_id, BUG_OUTER_PRODUCT_SWAPPED, d->n > 1 && d->m > 1);
    report_matrix_quantity(r, "dW", "∂L/∂W", &d->dW);
    report_text(r, "Entry W[i,j] changes only output i's term of L, so each difference re-evaluates that "
                   "term alone (a local finite difference: less work, less cancellation).");
    return check_dense_block(r, "∂L/∂W", d, BLOCK_W, &d->dW, opt);
}

static bool section_3_4_input_grad(Report *r, DenseCase *d, const CommonOptions *opt) {
    report_heading(r, "3.4 ∂L/∂x: a sum over the outputs (article eq. 3)");
    report_text(r, "x_j feeds every output z_i (through W[i,j]), so its gradient collects one term per output:");
    report_equation(r, "∂L/∂x_j = Σ_i ∂L/∂z_i · W[i,j]",
                    "\\frac{\\partial L}{\\partial x_j} = \\sum_{i} \\frac{\\partial L}{\\partial z_i}\\, W_{ij}");
    dense_show_input_grad_lines(r, d);
    report_text(r, "As matrices: the sum runs down column j of W, so it is Wᵀ (m×n) times the column ∂L/∂z "
                   "(n×1), m entries shaped like x.");
    dense_show_input_grad_product(r, d);
    note_bug(r, opt, (Bug)opt->bug_id, BUG_W_NOT_TRANSPOSED, d->n > 1 && d->m > 1);
    report_quantity(r, "dx", "∂L/∂x", &d->dx);
    bool passed = check_dense_block(r, "∂L/∂x", d, BLOCK_X, &d->dx, opt);
    dense_erratum_eq3(r, d);
    report_text(r, "∂L/∂x is what the layer sends back: chapter 4 routes it to the pooled maxima, chapter 5 on "
                   "to the kernel.");
    return passed;
}

static bool section_3_5_bias_grad(Report *r, DenseCase *d, const CommonOptions *opt) {
    report_heading(r, "3.5 ∂L/∂b: the bias passes the gradient through");
    report_equation(r, "∂L/∂b_i = ∂L/∂z_i · ∂z_i/∂b_i = ∂L/∂z_i · 1",
                    "\\frac{\\partial L}{\\partial b_i} = \\frac{\\partial L}{\\partial z_i} "
                    "\\frac{\\partial z_i}{\\partial b_i} = \\frac{\\partial L}{\\partial z_i}");
    report_quantity(r, "db", "∂L/∂b", &d->db);
    bool passed = check_dense_block(r, "∂L/∂b", d, BLOCK_B, &d->db, opt);
    Tensor dyhat = tensor_alloc(1, 1, d->n);
    bce_grad_yhat(dyhat.data, d->y.data, d->yhat.data, d->n);
    char a[64], c[64];
    format_number(a, sizeof a, dyhat.data[0], "∂L/∂ŷ");
    format_number(c, sizeof c, d->db.data[0], "∂L/∂b");
    report_erratum(r, "the article's bias equation, ∂L/∂b_j = ∂L/∂ŷ_i, lacks σ′(z_i) too: it gives ∂L/∂b_0 = %s "
                      "where the full chain gives %s. It is also tagged (3), the tag the article has just given "
                      "to ∂L/∂x: two different equations under one number.",
                   a, c);
    tensor_free(&dyhat);
    return passed;
}

// ---------------------------------------------------------------- 3.6 gradient descent

static void section_3_6_descent(Report *r, const DenseCase *d, double lr, bool gradients_passed) {
    report_heading(r, "3.6 One step of gradient descent");
    report_equation(r, "W[i,j] ← W[i,j] − η ∂L/∂W[i,j],    b_i ← b_i − η ∂L/∂b_i",
                    "W_{ij} \\leftarrow W_{ij} - \\eta \\frac{\\partial L}{\\partial W_{ij}}, \\qquad "
                    "b_i \\leftarrow b_i - \\eta \\frac{\\partial L}{\\partial b_i}");
    Tensor w_new = tensor_alloc_like(&d->W), b_new = tensor_alloc_like(&d->b), z_new = tensor_alloc_like(&d->z);
    double after = dense_loss_after_step(d, lr, &w_new, &b_new, &z_new);
    report_matrix_quantity(r, "W_new", "W_new", &w_new);
    report_quantity(r, "b_new", "b_new", &b_new);
    report_matrix(r, "z_new = W_new x + b_new", &z_new);
    report_scalar(r, "loss_after", "L_after", after);
    dense_descent_chart(r, d, lr);
    double g2 = dense_grad_norm2(d), M = dense_curvature_bound(d);
    char g2s[64], ms[64];
    format_number(g2s, sizeof g2s, g2, "‖g‖²");
    format_number(ms, sizeof ms, M, "M");
    report_text(r, "To first order a step of η along −g (g = all of ∂L/∂W and ∂L/∂b, ‖g‖² = %s) lowers L by "
                   "η‖g‖². How far that holds depends on the curvature: along any direction of (W, b) it is at "
                   "most M = (‖x‖² + 1)/(4n) = %s, since σ′ ≤ 1/4, so every η ≤ 1/M lowers L by at least η‖g‖²/2.",
                g2s, ms);
    report_equation(r, "L(θ − η g) ≈ L − η ‖g‖²,    L(θ − η g) ≤ L − η ‖g‖² + M η² ‖g‖² / 2",
                    "L(\\theta - \\eta g) \\approx L - \\eta \\|g\\|^2, \\qquad L(\\theta - \\eta g) \\le L - \\eta "
                    "\\|g\\|^2 + \\tfrac{M}{2} \\eta^2 \\|g\\|^2");
    dense_describe_step(r, d, lr, after, &z_new, gradients_passed);
    char detail[512], l0[64], l1[64], pr[64], eta[64];
    format_number(l0, sizeof l0, d->loss, "L");
    format_number(l1, sizeof l1, after, "L after the step");
    format_number(pr, sizeof pr, d->loss - lr * g2, "the first-order prediction");
    format_number(eta, sizeof eta, lr, "--lr");
    snprintf(detail, sizeof detail, "L went from %s to %s; first order predicted %s", l0, l1, pr);
    char name[96];
    snprintf(name, sizeof name, "the step with η = %s", eta);
    report_demonstration(r, name, detail);
    double safe = dense_loss_after_step(d, 1.0 / M, NULL, NULL, NULL);
    char ls[64], drop[64], least[64];
    format_number(eta, sizeof eta, 1.0 / M, "1/M");
    format_number(ls, sizeof ls, safe, "L after the small step");
    format_number(drop, sizeof drop, d->loss - safe, "the drop");
    format_number(least, sizeof least, g2 / (2 * M), "the guaranteed drop");
    snprintf(detail, sizeof detail, "L went from %s to %s, a drop of %s (at least %s, η‖g‖²/2, for a right g)", l0,
             ls, drop, least);
    snprintf(name, sizeof name, "the step with η = 1/M = %s", eta);
    report_demonstration(r, name, detail);
    Tensor *all[] = {&w_new, &b_new, &z_new};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- 3.7 the article's model

// What eq. (2) gives with the sigmoid kept: ∂L/∂ŷ xᵀ instead of ∂L/∂z xᵀ,
// next to a finite difference of W[0,0].
static void section_3_7_without_sigmoid(Report *r, DenseCase *d, double lr) {
    report_heading(r, "3.7 Erratum: the gradient without σ′");
    dense_erratum_linear_output(r, d, lr);
    int n = d->n, m = d->m;
    Tensor dyhat = tensor_alloc(1, 1, n), article = tensor_alloc(1, n, m), right = tensor_alloc(1, n, m);
    Tensor dz = tensor_alloc(1, 1, n);
    bce_grad_yhat(dyhat.data, d->y.data, d->yhat.data, n);
    chapter3_output_grad_with(BUG_NONE, dz.data, d->y.data, d->z.data, n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            *tensor_at(&article, 0, i, j) = dyhat.data[i] * d->x.data[j];
            *tensor_at(&right, 0, i, j) = dz.data[i] * d->x.data[j];
        }
    report_text(r, "Eq. (2) is the gradient through ŷ alone. With the sigmoid that BCE needs, the chain has one "
                   "more link, and eq. (2) leaves it out. What eq. (2) gives, then the full chain:");
    report_equation(r, "∂L/∂W[i,j] = ∂L/∂ŷ_i · σ′(z_i) · x_j      eq. (2) has ∂L/∂ŷ_i · x_j",
                    "\\frac{\\partial L}{\\partial W_{ij}} = \\frac{\\partial L}{\\partial \\hat{y}_i}\\, "
                    "\\sigma'(z_i)\\, x_j \\qquad \\text{eq. (2) has } \\frac{\\partial L}{\\partial \\hat{y}_i}\\, x_j");
    report_matrix(r, "∂L/∂ŷ · xᵀ", &article);
    report_matrix(r, "∂L/∂z · xᵀ", &right);
    LossCtx c = {d, BLOCK_W, d->z.data, NULL};
    Objective obj = {dense_loss_whole, dense_loss_local, &c};
    NumericalDerivative num;
    numerical_gradient_at_smooth(&num, d->W.data, (const int[]){0}, 1, &obj);
    char a[64], rc[64], nu[64], sp[64], ratio[64];
    double s = d->yhat.data[0] * (1 - d->yhat.data[0]);
    format_number(a, sizeof a, article.data[0], "eq. (2)");
    format_number(rc, sizeof rc, right.data[0], "∂L/∂W");
    format_number(nu, sizeof nu, num.value, "finite differences");
    format_number(sp, sizeof sp, s, "σ′(z)");
    format_number(ratio, sizeof ratio, 1 / s, "1/σ′(z)");
    report_erratum(r, "eq. (2) gives ∂L/∂W[0,0] = %s; the full chain gives %s, and a finite difference agrees "
                      "(%s). The article's value is 1/σ′(z_0) = 1/%s = %s times too large%s. This is --bug "
                      "no-sigmoid-derivative: run it to see the checks fail from ∂L/∂z on.",
                   a, rc, nu, sp, ratio,
                   n > 1 ? ", and since each output has its own σ′(z_i) the direction of the step is wrong too" : "");
    Tensor *all[] = {&dyhat, &article, &right, &dz};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- 3.8, 3.9: shapes that catch the index bugs

// The backward pass of one layer, every gradient checked; tag tells the checks apart.
static void show_backward_compact(Report *r, DenseCase *d, const char *tag, const CommonOptions *opt) {
    char name[96];
    report_equation(r, "∂L/∂z = (ŷ − y)/n", "\\frac{\\partial L}{\\partial z} = \\frac{\\hat{y} - y}{n}");
    report_matrix(r, "∂L/∂z", &d->dz);
    snprintf(name, sizeof name, "∂L/∂z (%s)", tag);
    check_dense_block(r, name, d, BLOCK_Z, &d->dz, opt);
    dense_show_weight_grad_product(r, d);
    report_matrix(r, "∂L/∂W", &d->dW);
    snprintf(name, sizeof name, "∂L/∂W (%s)", tag);
    check_dense_block(r, name, d, BLOCK_W, &d->dW, opt);
    dense_show_input_grad_product(r, d);
    report_matrix(r, "∂L/∂x", &d->dx);
    snprintf(name, sizeof name, "∂L/∂x (%s)", tag);
    check_dense_block(r, name, d, BLOCK_X, &d->dx, opt);
    report_equation(r, "∂L/∂b = ∂L/∂z", "\\frac{\\partial L}{\\partial b} = \\frac{\\partial L}{\\partial z}");
    report_matrix(r, "∂L/∂b", &d->db);
    snprintf(name, sizeof name, "∂L/∂b (%s)", tag);
    check_dense_block(r, name, d, BLOCK_B, &d->db, opt);
}

static void section_3_8_two_outputs(Report *r, const CommonOptions *opt) {
    static const double X3[] = {2, -1, 3}, W23[] = {0.1, -0.2, 0.3, -0.4, 0.5, 0.2}, B2[] = {0.1, -0.1},
                        Y2[] = {1, 0};
    DenseCase d;
    dense_case_init(&d, tensor_from_values(X3, 1, 3), tensor_from_values(W23, 2, 3), tensor_from_values(B2, 1, 2),
                    tensor_from_values(Y2, 1, 2));
    dense_run(&d, (Bug)opt->bug_id);
    report_heading(r, "3.8 Two outputs: every shape visible");
    report_text(r, "With one output, ∂L/∂z is a single number, the outer product is a single row and the sum "
                   "over outputs has one term, so three classic mistakes (a missing 1/n, a swapped outer product, "
                   "W in place of Wᵀ) give the right numbers by accident. Here n = 2 outputs and m = 3 inputs: W "
                   "and ∂L/∂W are 2x3, x and ∂L/∂x have 3 entries, z, b, y and ∂L/∂z have 2.");
    report_matrix(r, "x", &d.x);
    report_matrix(r, "W", &d.W);
    report_matrix(r, "b", &d.b);
    report_matrix(r, "y", &d.y);
    dense_show_forward_lines(r, &d);
    report_matrix(r, "z", &d.z);
    report_matrix(r, "ŷ = σ(z)", &d.yhat);
    if (opt->bug) report_text(r, "--bug %s: the gradients below come from the code with that mistake.", opt->bug);
    show_backward_compact(r, &d, "n = 2", opt);
    dense_case_free(&d);
}

static void section_3_9_square_w(Report *r, const CommonOptions *opt) {
    static const double WSQ[] = {0.05, -0.03, -0.02, 0.04}, BSQ[] = {0.1, -0.3}, Y2[] = {1, 0};
    DenseCase d;
    dense_case_init(&d, tensor_from_values(EXAMPLE_POOLED, 1, 2), tensor_from_values(WSQ, 2, 2),
                    tensor_from_values(BSQ, 1, 2), tensor_from_values(Y2, 1, 2));
    dense_run(&d, (Bug)opt->bug_id);
    report_heading(r, "3.9 Wᵀ, not W: a square W");
    report_text(r, "With a square W, W ∂L/∂z has exactly the shape of x, so no shape check can catch a missing "
                   "transpose; only the numbers can. The running x = [29 35] with a second output neuron:");
    report_matrix(r, "W", &d.W);
    report_matrix(r, "b", &d.b);
    report_matrix(r, "y", &d.y);
    report_matrix(r, "z", &d.z);
    report_matrix(r, "∂L/∂z", &d.dz);
    Tensor wt = tensor_alloc(1, 2, 2), right = tensor_alloc(1, 1, 2), wrong = tensor_alloc(1, 1, 2);
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            *tensor_at(&wt, 0, j, i) = *tensor_at(&d.W, 0, i, j);
            right.data[j] += *tensor_at(&d.W, 0, i, j) * d.dz.data[i];
            wrong.data[j] += *tensor_at(&d.W, 0, j, i) * d.dz.data[i];
        }
    report_matrix(r, "Wᵀ", &wt);
    report_matrix(r, "Wᵀ ∂L/∂z", &right);
    report_matrix(r, "W ∂L/∂z", &wrong);
    report_text(r, "Wᵀ ∂L/∂z is right (entry j sums column j of W); W ∂L/∂z sums rows instead. With a W that "
                   "is not square, W ∂L/∂z is undefined, and code that forgets the transpose reads W's n×m "
                   "buffer as if it were m×n (W.reshape(m,n)·∂L/∂z, --bug W-not-transposed in 3.8). The code's "
                   "∂L/∂x:");
    report_matrix(r, "∂L/∂x", &d.dx);
    check_dense_block(r, "∂L/∂x (square W)", &d, BLOCK_X, &d.dx, opt);
    Tensor *all[] = {&wt, &right, &wrong};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
    dense_case_free(&d);
}

// ---------------------------------------------------------------- 3.10, 3.11: what the article leaves out

// A small block checked entry by entry against L from obj (no budget needed).
static void check_small(Report *r, const char *name, const Tensor *analytic, double *param, const Objective *obj) {
    BlockSpec spec = {.param = param,
                      .analytic = analytic->data,
                      .n = (int)tensor_size(analytic),
                      .obj = *obj,
                      .shape = LOSS_SMOOTH,
                      .ops_per_eval = (double)tensor_size(analytic),
                      .carry_steps = true,
                      .rtol = GRADCHECK_REL_TOL,
                      .check_all = true}; // the chapter's own small examples
    check_block(r, name, &spec, analytic);
}

static void section_3_10_batch(Report *r, const CommonOptions *opt) {
    enum { B = 3, N = 2, M = 3 };
    static const double X[B * M] = {2, -1, 3, 1, 0, -2, 0.5, 1, 1}, Y[B * N] = {1, 0, 0, 1, 1, 1};
    double W[N * M] = {0.1, -0.2, 0.3, -0.4, 0.5, 0.2}, b[N] = {0.1, -0.1};
    Tensor x = tensor_from_values(X, B, M), y = tensor_from_values(Y, B, N), z = tensor_alloc(1, B, N);
    Tensor dZ = tensor_alloc(1, B, N), dW = tensor_alloc(1, N, M), db = tensor_alloc(1, 1, N);
    Tensor dx = tensor_alloc(1, 1, M), w = tensor_from_values(W, N, M), product = tensor_alloc(1, N, M);
    for (int e = 0; e < B; e++) {
        dense_forward(&z.data[e * N], &X[e * M], W, b, N, M);
        chapter3_output_grad_with((Bug)opt->bug_id, &dZ.data[e * N], &Y[e * N], &z.data[e * N], N);
        for (int i = 0; i < N; i++) dZ.data[e * N + i] /= B; // L averages over the batch too
        tensor_zero(&dx);
        chapter3_layer_backward_with((Bug)opt->bug_id, dx.data, dW.data, db.data, &dZ.data[e * N], &X[e * M], W, N, M);
    }
    for (int i = 0; i < N; i++)
        for (int j = 0; j < M; j++)
            for (int e = 0; e < B; e++) product.data[i * M + j] += dZ.data[e * N + i] * X[e * M + j];
    report_heading(r, "3.10 A batch: B examples at once");
    report_text(r, "Libraries run B examples at once: X holds one example per row (B×m), Z = X Wᵀ + b one "
                   "output row per example (B×n), and L averages over the batch as well. Row e of ∂L/∂Z is "
                   "example e's (ŷ − y)/n, divided by B; ∂L/∂W sums the outer products of all examples, one "
                   "matrix product, and ∂L/∂b sums the columns of ∂L/∂Z. The layer of 3.8, B = 3:");
    report_equation(r, "∂L/∂W = (∂L/∂Z)ᵀ X = (1/B) Gᵀ X,    ∂L/∂b = Σ_e ∂L/∂Z[e,·]",
                    "\\frac{\\partial L}{\\partial W} = \\Big(\\frac{\\partial L}{\\partial Z}\\Big)^{\\mathsf{T}} X "
                    "= \\tfrac{1}{B} G^{\\mathsf{T}} X, \\qquad \\frac{\\partial L}{\\partial b} = \\sum_e "
                    "\\frac{\\partial L}{\\partial Z_{e\\cdot}}");
    report_text(r, "(G: the per-example gradients ∂ℓ_e/∂z_e, one row each.)");
    report_matrix(r, "X", &x);
    report_matrix(r, "Y", &y);
    report_matrix(r, "Z = X Wᵀ + b", &z);
    report_matrix(r, "∂L/∂Z", &dZ);
    report_matrix(r, "∂L/∂W, summed example by example", &dW);
    report_matrix(r, "(∂L/∂Z)ᵀ X", &product);
    report_matrix(r, "∂L/∂b", &db);
    DenseBatch c = {B, N, M, X, Y, w.data, b};
    Objective obj = {dense_batch_loss, NULL, &c};
    check_small(r, "∂L/∂W (batch of 3)", &dW, w.data, &obj);
    check_small(r, "∂L/∂b (batch of 3)", &db, b, &obj);
    Tensor *all[] = {&x, &y, &z, &dZ, &dW, &db, &dx, &w, &product};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

static void section_3_11_hidden_layer(Report *r, const CommonOptions *opt) {
    enum { M = 3, H = 2 };
    static const double X[M] = {2, -1, 3}, B1[H] = {0.1, -0.1}, W2[H] = {0.8, -0.6};
    double W1[H * M] = {0.1, -0.2, 0.3, -0.4, 0.5, 0.2}, z1[H], h[H], z2, b2 = 0.2, y = 1, dz2, db2 = 0, dW2[H] = {0};
    Tensor dh = tensor_alloc(1, 1, H), delta = tensor_alloc(1, 1, H), dW1 = tensor_alloc(1, H, M);
    Tensor same = tensor_alloc(1, H, M), db1 = tensor_alloc(1, 1, H), dx = tensor_alloc(1, 1, M);
    dense_forward(z1, X, W1, B1, H, M);
    for (int k = 0; k < H; k++) h[k] = sigmoid(z1[k]);
    dense_forward(&z2, h, W2, &b2, 1, H);
    chapter3_output_grad_with((Bug)opt->bug_id, &dz2, &y, &z2, 1);
    chapter3_layer_backward_with((Bug)opt->bug_id, dh.data, dW2, &db2, &dz2, h, W2, 1, H);
    for (int k = 0; k < H; k++) delta.data[k] = dh.data[k] * h[k] * (1 - h[k]);
    chapter3_layer_backward_with((Bug)opt->bug_id, dx.data, dW1.data, db1.data, delta.data, X, W1, H, M);
    for (int k = 0; k < H; k++)
        for (int j = 0; j < M; j++) same.data[k * M + j] = dh.data[k] * X[j];
    report_heading(r, "3.11 A hidden layer: δ needs φ′ at every layer");
    report_text(r, "The article closes the dense layer with \"for each layer, including the output layer, the "
                   "same set of equations is used to compute the gradients and updated the parameters\". The "
                   "same shape of equations, yes, but not eq. (1) and (2): a hidden layer h = φ(W₁x + b₁) gets "
                   "∂L/∂h from the layer above (Wᵀδ, as in 3.4), and its δ needs its own activation's derivative:");
    report_equation(r, "δ₁ = (W₂ᵀ δ₂) ⊙ φ′(z₁),    ∂L/∂W₁ = δ₁ xᵀ",
                    "\\delta_1 = (W_2^{\\mathsf{T}} \\delta_2) \\odot \\varphi'(z_1), \\qquad "
                    "\\frac{\\partial L}{\\partial W_1} = \\delta_1 x^{\\mathsf{T}}");
    report_text(r, "Here x = [2 -1 3], W₁ and b₁ the layer of 3.8 with φ = σ, then one output z₂ = W₂h + b₂ "
                   "with W₂ = [0.8 -0.6], b₂ = 0.2, y = 1:");
    Tensor hv = tensor_view(h, 1, 1, H);
    report_matrix(r, "h = σ(W₁x + b₁)", &hv);
    report_matrix(r, "W₂ᵀ δ₂ = ∂L/∂h", &dh);
    report_matrix(r, "δ₁ = ∂L/∂h ⊙ h(1 − h)", &delta);
    report_matrix(r, "∂L/∂W₁ = δ₁ xᵀ", &dW1);
    report_matrix(r, "without φ′: ∂L/∂h · xᵀ", &same);
    TwoLayer c = {M, H, X, B1, W2, W1, b2, y};
    Objective obj = {dense_two_layer_loss, NULL, &c};
    check_small(r, "∂L/∂W₁ (hidden layer)", &dW1, W1, &obj);
    char ratio[64];
    format_number(ratio, sizeof ratio, same.data[0] / dW1.data[0], "the ratio");
    report_text(r, "Without φ′ the first entry would be %s times the right value: 1/σ′(z₁) again, as in 3.7.",
                ratio);
    Tensor *all[] = {&dh, &delta, &dW1, &same, &db1, &dx};
    for (int i = 0; i < ARRAY_LEN(all); i++) tensor_free(all[i]);
}

// ---------------------------------------------------------------- input

// A vector option of exactly n entries (what names the expected length), or
// `fill` in every entry when the option is absent.
static Tensor vector_option(const char *option, const char *text, int n, double fill, const Tensor *W,
                            const char *what) {
    if (!text) {
        Tensor t = tensor_alloc(1, 1, n);
        for (int i = 0; i < n; i++) t.data[i] = fill;
        return t;
    }
    Tensor t = option_vector(option, text);
    if (t.w != n)
        usage_error("%s: length %d does not match W of shape %dx%d (expected %d, %s)", option, t.w, W->h, W->w, n,
                    what);
    return t;
}

// Reads and validates the layer (everything before anything is printed).
static void read_layer(DenseCase *d, const char *x_text, const char *w_text, const char *b_text,
                       const char *y_text) {
    Tensor x = x_text ? option_vector("--x", x_text) : tensor_from_values(EXAMPLE_POOLED, 1, 2), W;
    if (w_text) {
        W = option_matrix("--W", w_text);
        if (W.w != x.w)
            usage_error("--W: shape %dx%d does not match x of length %d (expected Nx%d)", W.h, W.w, x.w, x.w);
    } else {
        if (x.w != 2)
            usage_error("--x: length %d does not match the default W of shape 1x2 (give --W with %d columns)", x.w,
                        x.w);
        W = tensor_from_values(EXAMPLE_W, 1, 2);
    }
    Tensor b = vector_option("--b", b_text, W.h, EXAMPLE_B, &W, "one bias per output");
    Tensor y = vector_option("--y", y_text, W.h, EXAMPLE_Y, &W, "one label per output");
    for (int i = 0; i < W.h; i++)
        if (!(y.data[i] >= 0 && y.data[i] <= 1))
            usage_error("--y: entry [%d] is %g, outside [0,1] (a BCE label is a probability)", i, y.data[i]);
    dense_case_init(d, x, W, b, y);
}

int main(int argc, char **argv) {
    const char *x_text = NULL, *w_text = NULL, *b_text = NULL, *y_text = NULL, *lr_text = NULL;
    const ChapterOption options[] = {
        {"--x", "V", "the input x, m entries (default: chapter 4's [29 35])", &x_text},
        {"--W", "M", "weights W, n rows by m columns (default: [0.05 -0.03])", &w_text},
        {"--b", "V", "biases b, one per output (default: 0.1 each)", &b_text},
        {"--y", "V", "labels y in [0,1], one per output (default: 1 each)", &y_text},
        {"--lr", "ETA", "learning rate of the descent step (default: 0.1)", &lr_text},
    };
    const ChapterSpec spec = {
        .program = "chapter3",
        .title = "Chapter 3: gradients of the dense layer",
        .options = options,
        .n_options = ARRAY_LEN(options),
        .bugs = CHAPTER3_BUGS,
        .n_bugs = ARRAY_LEN(CHAPTER3_BUGS),
        .formulas = true,
        .notes = "Sections 3.8 to 3.11 use their own small examples, so that every bug shows.\n"
                 "--formula checks a gradient formula you derived, e.g. --formula \"dx = W' @ ((yhat - y) / n)\"; "
                 "'--formula list' names the symbols.\n"
                 "--plot DIR writes the loss along -g against the step (plots/chapter3.gp).\n"
                 "Example:\n  chapter3 --x \"1 2 3\" --W \"0.1 0.2 0.3; -0.3 0.2 0.1\" --y \"1 0\" --lr 0.5",
    };
    CommonOptions opt;
    parse_args_or_exit(&opt, &spec, argc, argv);
    DenseCase d;
    read_layer(&d, x_text, w_text, b_text, y_text);
    double lr = lr_text ? option_number("--lr", lr_text) : DEFAULT_LR;
    if (!(lr > 0)) usage_error("--lr: the learning rate must be positive, got %g", lr);
    dense_run(&d, (Bug)opt.bug_id);
    dense_loss_after_step(&d, lr, NULL, NULL, NULL); // validates --lr before anything is printed
    FormulaSpec fs = chapter3_formula_spec(&d);
    Formula f[MAX_FORMULAS];
    formula_parse_options_or_exit(f, &fs, &opt);
    if (opt.plot_dir) dense_write_descent_plot(opt.plot_dir, &d, lr);

    Report r;
    report_init(&r, &opt, spec.title);
    section_3_1_forward(&r, &d, !x_text && !w_text && !b_text && !y_text);
    bool passed = section_3_2_output_grad(&r, &d, &opt);
    passed = section_3_3_weight_grad(&r, &d, &opt) && passed;
    passed = section_3_4_input_grad(&r, &d, &opt) && passed;
    passed = section_3_5_bias_grad(&r, &d, &opt) && passed;
    section_3_6_descent(&r, &d, lr, passed);
    section_3_7_without_sigmoid(&r, &d, lr);
    section_3_8_two_outputs(&r, &opt);
    section_3_9_square_w(&r, &opt);
    section_3_10_batch(&r, &opt);
    section_3_11_hidden_layer(&r, &opt);
    bool held = section_3_12_your_formulas(&r, &fs, f, &opt);
    int status = formula_exit_status(report_finish(&r), held);
    formula_free_all(f, opt.n_formulas);
    dense_case_free(&d);
    options_free(&opt);
    return status;
}
