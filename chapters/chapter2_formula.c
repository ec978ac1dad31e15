// Chapter 2: see chapter2_formula.h.
#include "chapter2_formula.h"

#include "arraylen.h"
#include "loss.h"

#include <math.h>
#include <string.h>

static const FormulaSymbol FORMULA_OPERANDS[] = {
    {"y", "the labels, 1 x n"}, {"z", "the logits, 1 x n"}, {"yhat", "sigmoid(z) = ŷ"}, {"n", "outputs"}};

static const FormulaSymbol FORMULA_GRADIENTS[] = {{"dL_dyhat", "∂L/∂ŷ (2.2, eq. 1)"}, {"dL_dz", "∂L/∂z (2.3)"}};

// The chapter's data (rng NULL) or n = 1..5 random labels in [0,1] and
// logits in [-4,4], both gradients computed under bug_id.
static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    const Data *cur = ctx;
    int n = rng ? formula_draw_int(rng, 1, 5) : cur->n;
    double *y = formula_case_operand(c, "y", 1, n), *z = formula_case_operand(c, "z", 1, n);
    double *yhat = formula_case_operand(c, "yhat", 1, n);
    if (rng) {
        formula_draw_values(y, n, rng, 0, 1);
        formula_draw_values(z, n, rng, -4, 4);
        for (int i = 0; i < n; i++) yhat[i] = sigmoid(z[i]);
    } else {
        memcpy(y, cur->y.data, (size_t)n * sizeof *y);
        memcpy(z, cur->z.data, (size_t)n * sizeof *z);
        memcpy(yhat, cur->yhat.data, (size_t)n * sizeof *yhat);
    }
    formula_case_scalar(c, "n", n);
    double *dyhat = formula_case_gradient(c, "dL_dyhat", 1, n), *dz = formula_case_gradient(c, "dL_dz", 1, n);
    grad_yhat_chosen(dyhat, y, yhat, n, bug_id);
    bool finite = true;
    for (int i = 0; i < n; i++) finite = finite && isfinite(dyhat[i]);
    if (finite || bug_id != BUG_SKIP_SIGMOID)
        grad_z_chosen(dz, y, z, dyhat, n, bug_id);
    else // what skip-sigmoid passes on, without its usage error (saturated inputs)
        memcpy(dz, dyhat, (size_t)n * sizeof *dz);
}

FormulaSpec formula_spec(Data *d, const BugInfo *bugs, int n_bugs) {
    return (FormulaSpec){FORMULA_OPERANDS, ARRAY_LEN(FORMULA_OPERANDS), FORMULA_GRADIENTS, ARRAY_LEN(FORMULA_GRADIENTS),
                         bugs,             n_bugs,                      formula_fill,      d};
}

bool section_2_5_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt) {
    if (opt->n_formulas == 0) return true;
    report_heading(r, "2.5 Your formulas");
    if (!r->shown) return true; // --section hides it: its checks do not count, as any other
    report_text(r, "Each --formula is evaluated on these labels and predictions and on %d random cases of 1 to 5 "
                   "outputs, and compared with the gradients checked in 2.2 and 2.3:",
                FORMULA_RANDOM_CASES);
    return formula_report_all(r, fs, f, opt->n_formulas, opt->seed);
}
