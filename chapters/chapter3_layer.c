// Chapter 3's dense layer, right and wrong: ∂L/∂z and the backward pass
// under each --bug (chapter3_layer.h).
#include "chapter3_layer.h"

#include "dense.h"
#include "loss.h"
#include "tensor.h"

const BugInfo CHAPTER3_BUGS[] = {
    {"no-sigmoid-derivative", "∂L/∂z = the article's ∂L/∂ŷ (eq. 1), without σ′(z)"},
    {"no-mean", "∂L/∂z = ŷ − y, without the 1/n (invisible when n = 1)"},
    {"W-not-transposed", "∂L/∂x reads W (n×m) as m×n: W ∂L/∂z when W is square"},
    {"outer-product-swapped", "∂L/∂W filled with x ∂L/∂zᵀ (invisible when n = 1)"},
};

// ---------------------------------------------------------------- ∂L/∂z, right and wrong

// ∂L/∂z_i = ∂L/∂ŷ_i · σ′(z_i) = (ŷ_i − y_i)/n: the sigmoid's derivative
// ŷ(1 − ŷ) cancels the denominators of the BCE derivative.
static void output_grad(double *dz, const double *y, const double *z, int n) { bce_grad_logits(dz, y, z, n); }

// Bug "no-sigmoid-derivative": the article's eq. (1), ∂L/∂ŷ, used as if it
// were ∂L/∂z, which is what its eq. (2) does.
static void output_grad_no_sigmoid_derivative(double *dz, const double *y, const double *z, int n) {
    Tensor yhat = tensor_alloc(1, 1, n);
    for (int i = 0; i < n; i++) yhat.data[i] = sigmoid(z[i]);
    bce_grad_yhat(dz, y, yhat.data, n);
    tensor_free(&yhat);
}

// Bug "no-mean": ŷ − y, as if the loss were summed rather than averaged.
static void output_grad_no_mean(double *dz, const double *y, const double *z, int n) {
    for (int i = 0; i < n; i++) dz[i] = sigmoid(z[i]) - y[i];
}

void chapter3_output_grad_with(Bug bug, double *dz, const double *y, const double *z, int n) {
    switch (bug) {
    case BUG_NO_SIGMOID_DERIVATIVE: output_grad_no_sigmoid_derivative(dz, y, z, n); return;
    case BUG_NO_MEAN: output_grad_no_mean(dz, y, z, n); return;
    case BUG_NONE:
    case BUG_W_NOT_TRANSPOSED:
    case BUG_OUTER_PRODUCT_SWAPPED: output_grad(dz, y, z, n); return;
    }
}

// ---------------------------------------------------------------- the layer's backward pass, right and wrong

// Bug "W-not-transposed": ∂L/∂x_j = Σ_i W.data[j·n + i] ∂L/∂z_i: the n×m
// buffer read as an m×n matrix, the way the slip looks in code. For a
// square W that is exactly W ∂L/∂z; otherwise it is W.reshape(m,n) ∂L/∂z.
static void layer_backward_w_not_transposed(double *dx, double *dW, double *db, const double *dz,
                                            const double *x, const double *W, int n, int m) {
    for (int i = 0; i < n; i++) {
        db[i] += dz[i];
        for (int j = 0; j < m; j++) {
            dW[i * m + j] += dz[i] * x[j];
            dx[j] += W[j * n + i] * dz[i];
        }
    }
}

// Bug "outer-product-swapped": x ∂L/∂zᵀ (m×n) written into the n×m buffer
// of ∂L/∂W, so ∂L/∂z_i · x_j lands at the wrong entry.
static void layer_backward_outer_product_swapped(double *dx, double *dW, double *db, const double *dz,
                                                 const double *x, const double *W, int n, int m) {
    for (int i = 0; i < n; i++) {
        db[i] += dz[i];
        for (int j = 0; j < m; j++) {
            dW[j * n + i] += dz[i] * x[j];
            dx[j] += W[i * m + j] * dz[i];
        }
    }
}

// The layer's own backward pass is src/layers/dense.c's: dW += dz xᵀ, dx += Wᵀ dz, db += dz.
void chapter3_layer_backward_with(Bug bug, double *dx, double *dW, double *db, const double *dz, const double *x,
                                  const double *W, int n, int m) {
    switch (bug) {
    case BUG_W_NOT_TRANSPOSED: layer_backward_w_not_transposed(dx, dW, db, dz, x, W, n, m); return;
    case BUG_OUTER_PRODUCT_SWAPPED: layer_backward_outer_product_swapped(dx, dW, db, dz, x, W, n, m); return;
    case BUG_NONE:
    case BUG_NO_SIGMOID_DERIVATIVE:
    case BUG_NO_MEAN: dense_backward(dx, dW, db, dz, x, W, n, m); return;
    }
}
