// Chapter 7: see chapter7_formula.h.
#include "chapter7_formula.h"

#include <string.h>

#include "arraylen.h"

static const FormulaSymbol FORMULA_OPERANDS[] = {
    {"z", "the logits, N x K (a sample a row)"}, {"p", "softmax(z), row by row"},
    {"Y", "onehot(y), N x K"},                    {"N", "samples in the batch"},
    {"K", "classes"}};

static const FormulaSymbol FORMULA_GRADIENTS[] = {{"dz", "∂L/∂z of the batch-mean cross-entropy (7.2)"}};

// Case 0: 7.2's two samples of three logits; otherwise N = 1..5 samples of
// K = 2..5 logits in [-4, 4) and random labels, ∂L/∂z under bug_id.
static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    (void)ctx;
    const double z0[] = {2, 1, 0, 0.5, 0.5, -1};
    const int y0[] = {0, 2};
    int n = rng ? formula_draw_int(rng, 1, 5) : 2, k = rng ? formula_draw_int(rng, 2, 5) : 3;
    double *z = formula_case_operand(c, "z", n, k), *p = formula_case_operand(c, "p", n, k);
    double *onehot = formula_case_operand(c, "Y", n, k);
    int y[5];
    if (rng) {
        formula_draw_values(z, (long)n * k, rng, -4, 4);
        for (int b = 0; b < n; b++) y[b] = formula_draw_int(rng, 0, k - 1);
    } else {
        memcpy(z, z0, sizeof z0), memcpy(y, y0, sizeof y0);
    }
    for (int b = 0; b < n; b++) onehot[b * k + y[b]] = 1.0;
    formula_case_scalar(c, "N", n);
    formula_case_scalar(c, "K", k);
    softmax_ce_with((Bug)bug_id, p, NULL, z, y, n, k);
    ce_backward_with((Bug)bug_id, formula_case_gradient(c, "dz", n, k), p, y, n, k);
}

FormulaSpec formula_spec(void) {
    return (FormulaSpec){FORMULA_OPERANDS, ARRAY_LEN(FORMULA_OPERANDS), FORMULA_GRADIENTS, ARRAY_LEN(FORMULA_GRADIENTS),
                         BUGS,             ARRAY_LEN(BUGS),             formula_fill,      NULL};
}

bool section_7_8_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt) {
    if (opt->n_formulas == 0) return true;
    report_heading(r, "7.8 Your formulas");
    if (!r->shown) return true; // --section hides it: its checks do not count, as any other
    report_text(r, "Each --formula is evaluated on 7.2's logits and on %d random cases of 1 to 5 samples and 2 to "
                   "5 classes, and compared with the gradient checked in 7.2:", FORMULA_RANDOM_CASES);
    return formula_report_all(r, fs, f, opt->n_formulas, opt->seed);
}
