// Chapter 3: see chapter3_formula.h.
#include "chapter3_formula.h"

#include <string.h>

#include "arraylen.h"
#include "dense.h"
#include "loss.h"

static const FormulaSymbol FORMULA_OPERANDS[] = {
    {"x", "the input, 1 x m"}, {"W", "the weights, n x m"}, {"b", "the biases, 1 x n"},
    {"y", "the labels, 1 x n"}, {"z", "W x + b"},           {"yhat", "sigmoid(z) = ŷ"},
    {"n", "outputs"},           {"m", "inputs"},
};

static const FormulaSymbol FORMULA_GRADIENTS[] = {
    {"dL_dz", "∂L/∂z (3.2)"}, {"dW", "∂L/∂W (3.3)"}, {"dx", "∂L/∂x (3.4)"}, {"db", "∂L/∂b (3.5)"}};

// The current layer (rng NULL) or a random one of 1..4 outputs and 1..4
// inputs, values with |z| < 5, every gradient computed under bug_id.
static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    const DenseCase *cur = ctx;
    int n = rng ? formula_draw_int(rng, 1, 4) : cur->n, m = rng ? formula_draw_int(rng, 1, 4) : cur->m;
    double *x = formula_case_operand(c, "x", 1, m), *W = formula_case_operand(c, "W", n, m);
    double *b = formula_case_operand(c, "b", 1, n), *y = formula_case_operand(c, "y", 1, n);
    if (rng) {
        formula_draw_values(x, m, rng, -1, 1);
        formula_draw_values(W, (long)n * m, rng, -1, 1);
        formula_draw_values(b, n, rng, -0.5, 0.5);
        formula_draw_values(y, n, rng, 0, 1);
    } else {
        memcpy(x, cur->x.data, (size_t)m * sizeof *x);
        memcpy(W, cur->W.data, (size_t)n * m * sizeof *W);
        memcpy(b, cur->b.data, (size_t)n * sizeof *b);
        memcpy(y, cur->y.data, (size_t)n * sizeof *y);
    }
    double *z = formula_case_operand(c, "z", 1, n), *yhat = formula_case_operand(c, "yhat", 1, n);
    dense_forward(z, x, W, b, n, m);
    for (int i = 0; i < n; i++) yhat[i] = sigmoid(z[i]);
    formula_case_scalar(c, "n", n);
    formula_case_scalar(c, "m", m);
    double *dz = formula_case_gradient(c, "dL_dz", 1, n);
    chapter3_output_grad_with((Bug)bug_id, dz, y, z, n);
    chapter3_layer_backward_with((Bug)bug_id, formula_case_gradient(c, "dx", 1, m), formula_case_gradient(c, "dW", n, m),
                        formula_case_gradient(c, "db", 1, n), dz, x, W, n, m);
}

FormulaSpec chapter3_formula_spec(DenseCase *d) {
    return (FormulaSpec){FORMULA_OPERANDS, ARRAY_LEN(FORMULA_OPERANDS), FORMULA_GRADIENTS, ARRAY_LEN(FORMULA_GRADIENTS),
                         CHAPTER3_BUGS,    CHAPTER3_N_BUGS,             formula_fill,      d};
}

bool section_3_12_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt) {
    if (opt->n_formulas == 0) return true;
    report_heading(r, "3.12 Your formulas");
    if (!r->shown) return true; // --section hides it: its checks do not count, as any other
    report_text(r, "Each --formula is evaluated on this layer and on %d random ones of 1 to 4 outputs and "
                   "inputs, and compared with the gradients checked in 3.2 to 3.5:",
                FORMULA_RANDOM_CASES);
    return formula_report_all(r, fs, f, opt->n_formulas, opt->seed);
}
