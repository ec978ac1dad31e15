// Chapter 0's section 0.10 (chapter0_kinks.h).
#include "chapter0_kinks.h"

#include <math.h>
#include <stdio.h>

#include "arraylen.h"
#include "chapter0_functions.h"
#include "chapter0_loss.h"
#include "gradcheck.h"

typedef struct {
    const char *what;
    FdFunction f;
    const void *ctx;
    double x, analytic;
    bool tie; // a real tie: the chapter marks it
} KinkCase;

static void kink_row(Report *r, const KinkCase *k, double *step) {
    Loss l = {k->f, k->ctx, k->x, 1.0, 0.0};
    double ce = loss_central(&l, OLD_STEP);
    NumericalDerivative d = bounded_derivative(&l, false);
    BoundedSummary s = compare_bounded(&k->analytic, &d, &k->tie, "a tie, marked by the chapter", 1,
                                       GRADCHECK_REL_TOL);
    char c[32], a[32], n[32], h[32];
    snprintf(c, sizeof c, "%.3g", ce == 0.0 ? 0.0 : ce);
    snprintf(a, sizeof a, "%g", k->analytic);
    snprintf(n, sizeof n, "%.3g", d.value == 0.0 ? 0.0 : d.value);
    snprintf(h, sizeof h, "%.0e", d.step);
    const char *verdict = s.skipped_marked ? "skipped: tie" : s.skipped_kink ? "skipped: kink" : verdict_name(s.verdict);
    const char *row[] = {k->what, c, a, n, h, verdict};
    report_table_row(r, row);
    *step = d.step;
}

void section_0_10_kinks(Report *r) {
    report_heading(r, "0.10 Kinks");
    report_text(r, "Every error formula above assumes f is smooth between x − h and x + h. ReLU, |x| and max "
                   "are not: at a kink the derivative jumps, and a difference quotient across it averages the "
                   "two sides. The fixed step h = 1e-6 against the checker:");
    const double two = 2.0, above = nextafter(1.0, 2.0);
    const KinkCase cases[] = {
        {"|x| at x = 1e-7", f_abs, NULL, 1e-7, 1.0, false},
        {"max(a, 2) at a = 2.0001", f_max_with, &two, 2.0001, 1.0, false},
        {"max(a, 2) at a = 2", f_max_with, &two, 2.0, 1.0, true},
        {"|x - x0|, x0 = 1 + ulp", f_abs_from, &above, 1.0, -1.0, false},
    };
    const char *headers[] = {"function", "h = 1e-6", "analytic", "checker", "step", "verdict"};
    report_table_begin(r, 6, headers);
    double steps[ARRAY_LEN(cases)];
    for (int k = 0; k < ARRAY_LEN(cases); k++) kink_row(r, &cases[k], &steps[k]);
    report_table_end(r);
    report_text(r,
                "At x = 1e-7, |x| is smooth with derivative exactly 1, yet the kink at 0 lies inside "
                "[x − h, x + h] for h = 1e-6, and the fixed-step quotient is 0.1: a right gradient would FAIL. "
                "The checker steps in proportion to x (here h = %.0e) and shrinks any step that truncation "
                "dominates, so it measures the true slope.",
                steps[0]);
    report_text(r, "At a tie (two equal values in a max-pooling window) no step helps: the quotient is 0.5 at "
                   "every h and looks perfectly smooth. Only the code knows it is a tie, so the chapters mark "
                   "real ties, and values closer than the checker's smallest step (64 ulps), and report them "
                   "as skipped, with the reason. When a kink sits closer than any step the checker may take "
                   "and truncation still dominates at its smallest step, the checker flags the entry itself "
                   "(\"skipped: kink\"); it never calls a smooth entry a kink.");
}
