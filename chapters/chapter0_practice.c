// Chapter 0: see chapter0_practice.h.
#include "chapter0_practice.h"
#include "mathfn.h"

#include <math.h>
#include <stdbool.h>

void torch_paragraph(Report *r, double a_right, double n_a, double a_off, double b_off, double n_b) {
    report_text(r,
                "torch.autograd.gradcheck also decides by fixed numbers, looser ones: eps %g, atol %g, rtol %g, "
                "passing when |a − n| ≤ atol + rtol·|n|. With them A's right gradient %s (%.1e ≤ %.1e) and "
                "its 26%% mistake %s, but B's 26%% mistake %s as well (%.1e ≤ %.0e): the floor has moved, not "
                "gone.",
                TORCH_EPS, TORCH_ATOL, TORCH_RTOL, torch_rule_passes_at(a_right, n_a) ? "passes" : "fails",
                fabs(a_right - n_a), TORCH_ATOL + TORCH_RTOL * fabs(n_a),
                torch_rule_passes_at(a_off, n_a) ? "passes" : "fails",
                torch_rule_passes_at(b_off, n_b) ? "passes" : "fails", fabs(b_off - n_b), TORCH_ATOL);
}

void section_0_11_graphs(Report *r, bool running_example, double z) {
    report_heading(r, "0.11 Each chain as a computational graph");
    report_text(r, "Backpropagation is the chain rule read off a graph: each node computes its output from its "
                   "inputs on the way forward, and on the way back multiplies the gradient arriving from the "
                   "loss by its own local derivative. Every check in this workbook tests one such product.");
    if (running_example) {
        double yhat = 1.0 / (1.0 + wb_exp(-z)), loss = -wb_log(yhat), dyhat = -1.0 / yhat, local = yhat * (1.0 - yhat);
        report_text(r, "Chapter 0's own function is the chain z → σ → ŷ → BCE → L, with y = 1:");
        report_equation(r, "forward:  z = 0.5  →  ŷ = σ(z)  →  L = −log ŷ",
                        "z \\to \\hat y = \\sigma(z) \\to L = -\\log \\hat y");
        report_text(r, "Forward, ŷ = %g and L = %g. Backward, ∂L/∂ŷ = −1/ŷ = %g, the sigmoid's local "
                       "derivative is σ′(z) = ŷ(1 − ŷ) = %g, and ∂L/∂z = %g·%g = %g = ŷ − y, the f′(x) checked "
                       "above.",
                    yhat, loss, dyhat, local, dyhat, local, dyhat * local);
    }
    static const Chain chains[] = {
        {"ch. 1:  K → Y = X ⋆ K → L = Σ G∘Y", "\\text{ch. 1: } K \\to Y = X \\star K \\to L = \\sum G \\circ Y",
         "        ∂L/∂Y = G,  ∂L/∂K = X ⋆ G", "\\partial L/\\partial K = X \\star G"},
        {"ch. 2:  z → ŷ = σ(z) → L = BCE(y, ŷ)", "\\text{ch. 2: } z \\to \\hat y = \\sigma(z) \\to L = \\mathrm{BCE}(y, \\hat y)",
         "        ∂L/∂z = ∂L/∂ŷ · ŷ(1 − ŷ) = (ŷ − y)/n",
         "\\partial L/\\partial z = \\partial L/\\partial \\hat y \\cdot \\hat y(1 - \\hat y)"},
        {"ch. 3:  W, x, b → z = Wx + b → ŷ = σ(z) → L", "\\text{ch. 3: } W, x, b \\to z = Wx + b \\to \\hat y \\to L",
         "        ∂L/∂W = ∂L/∂z·xᵀ,  ∂L/∂x = Wᵀ·∂L/∂z,  ∂L/∂b = ∂L/∂z",
         "\\partial L/\\partial W = (\\partial L/\\partial z)\\, x^T, \\ \\partial L/\\partial x = W^T \\partial L/\\partial z"},
        {"ch. 4:  Y → p = maxpool(Y) → x = flatten(p) → L", "\\text{ch. 4: } Y \\to p = \\mathrm{maxpool}(Y) \\to x \\to L",
         "        ∂L/∂Y = ∂L/∂p at each window's maximum, 0 elsewhere",
         "\\partial L/\\partial Y = \\text{mask} \\odot \\partial L/\\partial p"},
        {"ch. 5:  X, K, b → Y = X ⋆ K + b → L", "\\text{ch. 5: } X, K, b \\to Y = X \\star K + b \\to L",
         "        ∂L/∂K = X ⋆ G,  ∂L/∂X = G * K (full),  ∂L/∂b = Σ G",
         "\\partial L/\\partial X = G * K \\ (\\text{full})"},
        {"ch. 6:  X → conv → maxpool → flatten → dense → σ → BCE → L",
         "\\text{ch. 6: } X \\to \\text{conv} \\to \\text{pool} \\to \\text{dense} \\to \\sigma \\to L",
         "        every layer's backward above, right to left", "\\text{every backward, right to left}"},
    };
    report_text(r, "The later chapters' chains, forward and then backward (G = ∂L/∂Y, the gradient arriving "
                   "from above):");
    for (size_t k = 0; k < sizeof chains / sizeof chains[0]; k++) {
        report_equation(r, chains[k].forward, chains[k].forward_tex);
        report_equation(r, chains[k].backward, chains[k].backward_tex);
    }
}

void section_0_12_checklist(Report *r) {
    report_heading(r, "0.12 A gradient-check checklist");
    static const char *const items[] = {
        "Use central differences in double precision, never float (0.3, 0.9).",
        "Compare by relative error, |a − n| / max(|a|, |n|), not by absolute error (0.5).",
        "Step in proportion to the entry, and bound each difference's own error: no fixed h or floor fits "
        "every loss (0.6, 0.7).",
        "Difference only the terms the entry touches when the loss is a big sum (0.8).",
        "Check with the regularisation and every other term the loss has, and on a few entries of every "
        "parameter, not just one.",
        "Switch off randomness (dropout, augmentation) or fix its seed while checking.",
        "Stay away from kinks: mark ties, and check at points where ReLU or max is not at its kink (0.10).",
        "Check on small, dense inputs first: a zero upstream gradient or a 1×1 case hides mistakes.",
        "Make sure a check can fail: inject a known mistake (--bug) and watch it be caught.",
    };
    report_text(r, "When checking a gradient, by hand or in code:");
    for (size_t k = 0; k < sizeof items / sizeof items[0]; k++) report_text(r, "%zu. %s", k + 1, items[k]);
}
