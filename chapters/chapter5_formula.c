// Chapter 5: see chapter5_formula.h.
#include "chapter5_formula.h"

#include <string.h>

#include "arraylen.h"

static const FormulaSymbol FORMULA_OPERANDS[] = {
    {"X", "the input, n x m"},   {"K", "the kernel, kh x kw"}, {"b", "the bias"},
    {"G", "∂L/∂Y, shaped like Y"}, {"Y", "X ⋆ K + b, the output"}, {"n", "rows of X"},
    {"m", "columns of X"},       {"kh", "rows of K"},          {"kw", "columns of K"},
    {"s", "the stride"},         {"p", "the padding"},         {"d", "the dilation"},
};

static const FormulaSymbol FORMULA_GRADIENTS[] = {
    {"dK", "∂L/∂K (5.2)"}, {"dX", "∂L/∂X (5.3)"}, {"db", "∂L/∂b (5.4)"}};

// The chapter's layer (rng NULL) or a random one: K of 1 to 3 rows and
// columns (fewer when the dilation is large), X from just big enough to 4
// more, values in [-2,2]; every gradient computed under bug_id.
static void formula_fill(FormulaCase *c, Rng *rng, int bug_id, void *ctx) {
    const Layer *cur = ctx;
    const ConvShape *cs = &cur->s;
    int k_max = 1 + 8 / cs->dilation; // a dilated kernel spans d(k − 1) + 1
    if (k_max > 3) k_max = 3;
    int kh = rng ? formula_draw_int(rng, 1, k_max) : cs->kh, kw = rng ? formula_draw_int(rng, 1, k_max) : cs->kw;
    int min_h = cs->dilation * (kh - 1) + 1 - 2 * cs->pad_h, min_w = cs->dilation * (kw - 1) + 1 - 2 * cs->pad_w;
    min_h = min_h < 1 ? 1 : min_h, min_w = min_w < 1 ? 1 : min_w;
    int n = rng ? formula_draw_int(rng, min_h, min_h + 4) : cs->in_h;
    int m = rng ? formula_draw_int(rng, min_w, min_w + 4) : cs->in_w;
    ConvShape s;
    if (!conv_shape_init(&s, 1, n, m, 1, kh, kw, cs->stride, cs->pad_h, cs->pad_w, cs->dilation))
        usage_error("--formula: internal error: a random case does not fit"); // the sizes above always fit
    double *x = formula_case_operand(c, "X", n, m), *k = formula_case_operand(c, "K", kh, kw);
    double *b = formula_case_operand(c, "b", 1, 1), *g = formula_case_operand(c, "G", s.out_h, s.out_w);
    double *const to[] = {x, k, b, g};
    const Tensor *from[] = {&cur->x, &cur->k, &cur->b, &cur->g};
    const long len[] = {(long)n * m, (long)kh * kw, 1, (long)s.out_h * s.out_w};
    for (int i = 0; i < ARRAY_LEN(to); i++) {
        if (rng) formula_draw_values(to[i], len[i], rng, -2, 2);
        else memcpy(to[i], from[i]->data, (size_t)len[i] * sizeof *to[i]);
    }
    conv_forward(formula_case_operand(c, "Y", s.out_h, s.out_w), x, k, b, &s);
    const char *sizes[] = {"n", "m", "kh", "kw", "s", "p", "d"};
    const int values[] = {n, m, kh, kw, s.stride, s.pad_h, s.dilation};
    for (int i = 0; i < ARRAY_LEN(sizes); i++) formula_case_scalar(c, sizes[i], values[i]);
    double *dk = formula_case_gradient(c, "dK", kh, kw);
    Bug bug = (Bug)bug_id;
    backward_with_bug(formula_case_gradient(c, "dX", n, m), dk, formula_case_gradient(c, "db", 1, 1), g, x, k, &s,
                      &bug);
}

// BUGS with what each means for a formula: the same names, in the same order
// (the ids of formula_fill).
static const BugInfo FORMULA_BUGS[] = {
    {"no-rot180", "⋆ and * confused: ∂L/∂X with K where rot180(K) belongs (5.3)"},
    {"valid-not-full", "∂L/∂X: ∂L/∂Y not zero-padded: only the interior is filled (5.3)"},
    {"no-dilate", "∂L/∂X: stride > 1 but no zeros between ∂L/∂Y's entries (5.7)"},
    {"bias-one-axis", "∂L/∂b: the sum over j only (∂L/∂Y's first row), as the article (5.4)"},
    {"kernel-conv", "⋆ and * confused: ∂L/∂K as the article's X * ∂L/∂Y = X ⋆ rot180(∂L/∂Y) where the "
                    "layer's X ⋆ ∂L/∂Y belongs (5.2; the kernel-side twin of no-rot180)"},
};

FormulaSpec chapter5_formula_spec(Layer *l) {
    _Static_assert(ARRAY_LEN(FORMULA_BUGS) == CHAPTER5_N_BUGS, "one formula description per --bug");
    return (FormulaSpec){FORMULA_OPERANDS, ARRAY_LEN(FORMULA_OPERANDS), FORMULA_GRADIENTS, ARRAY_LEN(FORMULA_GRADIENTS),
                         FORMULA_BUGS,     ARRAY_LEN(FORMULA_BUGS),     formula_fill,      l};
}

bool section_5_11_your_formulas(Report *r, const FormulaSpec *fs, const Formula *f, const CommonOptions *opt) {
    if (opt->n_formulas == 0) return true;
    const ConvShape *s = &((const Layer *)fs->ctx)->s;
    report_heading(r, "5.11 Your formulas");
    if (!r->shown) return true; // --section hides it: its checks do not count, as any other
    report_text(r, "Each --formula is evaluated on this layer and on %d random ones of other sizes with the same "
                   "stride %d, padding %d and dilation %d, and compared with the gradients checked in 5.2 to 5.4:",
                FORMULA_RANDOM_CASES, s->stride, s->pad_h, s->dilation);
    return formula_report_all(r, fs, f, opt->n_formulas, opt->seed);
}
