#ifndef WORKBOOK_DENSE_CASE_H
#define WORKBOOK_DENSE_CASE_H
// One dense layer with a BCE loss, as chapter 3 works it through:
//   z = W x + b,  ŷ = σ(z),  L = (1/n) Σ_i [softplus(z_i) − y_i z_i]
// W is (1,n,m); x is (1,1,m); b, y, z, ŷ and the gradients are vectors.
// The case owns every tensor in it (dense_case_free frees them); who fills
// the gradients (the right code or a mistake) is the chapter's business.
//
// Also here: the loss as the error-bounded checker sees it (gradcheck.h),
// and the worked arithmetic the chapter prints.

#include "eqtext.h"
#include "report.h"
#include "tensor.h"

typedef struct {
    int n, m;
    Tensor x, W, b, y;
    Tensor z, yhat, dz, dW, dx, db;
    double loss;
} DenseCase;

// Takes ownership of x, W, b and y; allocates the rest (zero).
void dense_case_init(DenseCase *d, Tensor x, Tensor W, Tensor b, Tensor y);
void dense_case_free(DenseCase *d);

// ---- the loss as a function of one block (Objective in gradcheck.h)
typedef enum { BLOCK_Z, BLOCK_W, BLOCK_X, BLOCK_B } Block;

// For BLOCK_Z, z is the copy the checker perturbs (n entries); otherwise
// z_i is recomputed from W, x and b at every evaluation (z may be NULL).
// z0, when set, is z at the unperturbed parameters: the loss is then
// measured as L − L(θ₀) term by term (the same derivative), so an output
// whose z_i the step leaves bit-identical contributes exactly 0, with only
// z_i's own rounding as its round-off (none when z_i sums exact zeros).
typedef struct {
    DenseCase *d;
    Block block;
    double *z;
    const double *z0;
} LossCtx;

// L, with *scale = the magnitudes summed into it (the terms, and the
// products summed into each z_i, weighted by |∂L/∂z_i|).
double dense_loss_whole(void *ctx, double *scale);
// Only the terms entry k of the block can change: an entry of W, b or z
// reaches one output; an entry of x reaches all (then the whole L).
double dense_loss_local(void *ctx, int k, double *scale);
// The array the checker perturbs for block (z: the LossCtx's copy).
double *dense_block_param(DenseCase *d, Block block, double *z);

// ---- worked arithmetic (the first few entries, wrapped to 80 columns)
void dense_show_forward_lines(Report *r, const DenseCase *d);     // z_i = Σ_j W[i,j]·x_j + b_i
void dense_show_output_grad_lines(Report *r, const DenseCase *d); // ∂L/∂z_i = ∂L/∂ŷ_i · σ′(z_i)
void dense_show_weight_grad_lines(Report *r, const DenseCase *d); // ∂L/∂W[i,j] = ∂L/∂z_i · x_j
void dense_show_input_grad_lines(Report *r, const DenseCase *d);  // ∂L/∂x_j = Σ_i ∂L/∂z_i · W[i,j]
// The matrix forms, with the numbers when W is small.
void dense_show_weight_grad_product(Report *r, const DenseCase *d);
void dense_show_input_grad_product(Report *r, const DenseCase *d);

// ---- one step of gradient descent along −g, g = (∂L/∂W, ∂L/∂b) as filled in
// W − η ∂L/∂W and b − η ∂L/∂b into W_new, b_new and the z they give into
// z_new (each caller-allocated, or NULL); returns L there. Exits 2 naming
// --lr when the step leaves double precision.
double dense_loss_after_step(const DenseCase *d, double eta, Tensor *W_new, Tensor *b_new, Tensor *z_new);
// ‖g‖² = ‖∂L/∂W‖² + ‖∂L/∂b‖².
double dense_grad_norm2(const DenseCase *d);
// M = (‖x‖² + 1)/(4n): the Hessian of L in (W_i, b_i) is (σ′(z_i)/n)·[x;1][x;1]ᵀ
// with σ′ ≤ 1/4, so M bounds L's curvature along any direction of (W, b),
// and any step η ≤ 1/M lowers L by at least η‖g‖²/2.
double dense_curvature_bound(const DenseCase *d);
// --plot data: chapter3_descent.dat (η, L(θ − ηg), the first-order line,
// the curvature bound, and L where it rose above L(0)) over a log range of
// η around lr and 1/M; chapter3_marks.dat (η, L, label) for 1/M and lr.
// The same as an inline chart (html; other formats leave it to --plot).
void dense_descent_chart(Report *r, const DenseCase *d, double lr);
void dense_write_descent_plot(const char *dir, const DenseCase *d, double lr);

// ---- statements computed from the numbers
// What the step with lr did (L went from d->loss to after, z to z_new):
// within 1/M, an overshoot, or beyond 1/M yet lowering L, with the numbers.
void dense_describe_step(Report *r, const DenseCase *d, double lr, double after, const Tensor *z_new,
                         bool gradients_passed);

// ---- objectives for the chapter's batch and hidden-layer sections
// L = (1/B) Σ_e (1/n) Σ_i [softplus(z_ei) − y_ei z_ei], z_e = W x_e + b;
// X is B×m, Y is B×n, row-major; the checker perturbs W or b.
typedef struct {
    int B, n, m;
    const double *X, *Y;
    double *W, *b;
} DenseBatch;
double dense_batch_loss(void *ctx, double *scale);

// x (m) → h = σ(W1 x + b1) (h entries) → z = W2·h + b2 (one output) → BCE
// with label y; the checker perturbs W1.
typedef struct {
    int m, h;
    const double *x, *b1, *W2;
    double *W1;
    double b2, y;
} TwoLayer;
double dense_two_layer_loss(void *ctx, double *scale);

#endif
