// Chapter 1: see chapter1_formula.h.
#include "chapter1_formula.h"

#include <string.h>

#include "arraylen.h"

static const FormulaSymbol FORMULA_OPERANDS[] = {
    {"X", "the input, n x m"},       {"K", "the kernel, kh x kw"}, {"G", "∂L/∂Y, the upstream gradient"},
    {"Y", "X ⋆ K (the output)"},     {"b", "the bias: 0 here"},    {"n", "rows of X"},
    {"m", "columns of X"},           {"kh", "rows of K"},          {"kw", "columns of K"},
    {"s", "the stride: 1 here"},     {"d", "the dilation: 1 here"},
};

static const FormulaSymbol FORMULA_GRADIENTS[] = {{"dL_dK_xcorr", "∂L/∂K for Y = X ⋆ K (1.5)"},
                                                  {"dL_dK_conv", "∂L/∂K for Y = X * K (1.5)"}};

// The chapter's layer (rng NULL) or a random one in the same mode: X of 2..6
// rows and columns, K up to 4x4 (inside X in valid mode), values in [-3,3].
static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    const Layer *cur = ctx;
    bool full = cur->mode == MODE_FULL;
    int n = rng ? formula_draw_int(rng, 2, 6) : cur->x.h, m = rng ? formula_draw_int(rng, 2, 6) : cur->x.w;
    int kh_max = full || n > 4 ? 4 : n, kw_max = full || m > 4 ? 4 : m; // inside X in valid mode
    int kh = rng ? formula_draw_int(rng, 1, kh_max) : cur->k.h, kw = rng ? formula_draw_int(rng, 1, kw_max) : cur->k.w;
    int oh = full ? n + kh - 1 : n - kh + 1, ow = full ? m + kw - 1 : m - kw + 1;
    Layer l = {tensor_view(formula_case_operand(c, "X", n, m), 1, n, m),
               tensor_view(formula_case_operand(c, "K", kh, kw), 1, kh, kw),
               tensor_view(formula_case_operand(c, "G", oh, ow), 1, oh, ow), cur->mode, oh, ow};
    const Tensor *from[] = {&cur->x, &cur->k, &cur->g}, *to[] = {&l.x, &l.k, &l.g};
    for (int i = 0; i < ARRAY_LEN(to); i++) {
        if (rng) formula_draw_values(to[i]->data, (long)tensor_size(to[i]), rng, -3, 3);
        else memcpy(to[i]->data, from[i]->data, tensor_size(to[i]) * sizeof *to[i]->data);
    }
    Tensor y = tensor_view(formula_case_operand(c, "Y", oh, ow), 1, oh, ow);
    chapter1_forward(&y, &l.x, &l.k, l.mode, OP_XCORR);
    formula_case_scalar(c, "b", 0);
    const char *sizes[] = {"n", "m", "kh", "kw", "s", "d"};
    const int values[] = {n, m, kh, kw, 1, 1};
    for (int i = 0; i < ARRAY_LEN(sizes); i++) formula_case_scalar(c, sizes[i], values[i]);
    Tensor dk_xcorr = tensor_view(formula_case_gradient(c, "dL_dK_xcorr", kh, kw), 1, kh, kw);
    Tensor dk_conv = tensor_view(formula_case_gradient(c, "dL_dK_conv", kh, kw), 1, kh, kw);
    chapter1_kernel_grad_xcorr(&dk_xcorr, &l);
    chapter1_kernel_grad_conv_chosen(&dk_conv, &l, bug_id);
}

FormulaSpec chapter1_formula_spec(Layer *l, const BugInfo *bugs, int n_bugs) {
    return (FormulaSpec){FORMULA_OPERANDS, ARRAY_LEN(FORMULA_OPERANDS), FORMULA_GRADIENTS, ARRAY_LEN(FORMULA_GRADIENTS),
                         bugs,             n_bugs,                      formula_fill,      l};
}

bool section_1_6_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt) {
    if (opt->n_formulas == 0) return true;
    report_heading(r, "1.6 Your formulas");
    if (!r->shown) return true; // --section hides it: its checks do not count, as any other
    report_text(r, "Each --formula is evaluated on this layer and on %d random ones of other sizes in the same "
                   "mode, and compared with the kernel gradients checked in 1.5:",
                FORMULA_RANDOM_CASES);
    return formula_report_all(r, fs, f, opt->n_formulas, opt->seed);
}
