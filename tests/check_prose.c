// The prose of chapters 0 to 3, sentence by sentence: what each says about
// torch, the checker's bound, saturation and the injected bugs must hold
// for the numbers it prints. Expected values come from hand derivation or
// from PyTorch 1.13 (measured once, quoted in the comments).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "flat_text.h"
#include "proc.h"

// The chapter's text output with every line break made a space.
static char *run_flat(const char *program, const char *const *args, int want_status) {
    ProcResult p = run_chapter(program, args);
    ck_assert_msg(p.status == want_status, "%s exited %d, not %d:\n%s", program, p.status, want_status, p.err);
    char *flat = flat_text(p.out);
    proc_free(&p);
    return flat;
}

static void assert_has(const char *text, const char *want) {
    ck_assert_msg(strstr(text, want) != NULL, "missing: %s", want);
}

static void assert_lacks(const char *text, const char *unwanted) {
    ck_assert_msg(strstr(text, unwanted) == NULL, "should not say: %s", unwanted);
}

// torch.autograd.gradcheck(eps=1e-6, atol=1e-5, rtol=1e-3), run on case A
// (f + 1e6) and case B (1e-10·f) with PyTorch 1.13: A right True, A 26% off
// False, B right True, B 26% off True. The old 1e-6/1e-8 rule is not
// torch's.
START_TEST(test_chapter0_torch_gradcheck) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter0", args, 0);
    assert_lacks(t, "torch.autograd.gradcheck decides the same way");
    assert_has(t, "eps 1e-06, atol 1e-05, rtol 0.001, passing when |a − n| ≤ atol + rtol·|n|");
    assert_has(t, "A's right gradient passes");
    assert_has(t, "its 26% mistake fails, but B's 26% mistake passes as well");
    free(t);
}
END_TEST

// No project history, no source paths; the 26% is not tied to chapter 1.
START_TEST(test_chapter0_no_history_or_paths) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter0", args, 0);
    assert_lacks(t, "src/");
    assert_lacks(t, "Objective.local");
    assert_lacks(t, "the workbook took");
    assert_lacks(t, "Until its checker");
    assert_lacks(t, "missing rot180");
    free(t);
}
END_TEST

// 0.7: r(h) = 8ε·(s₊ + s₋)/2h at h = 3e-6 with s₊ + s₋ ≈ 2·f(0.5) =
// 2·(softplus(0.5) − 0.5) = 0.948154 is 2.81e-10; r(h/2) twice that; the
// round-off part (4·r(h/2) + r(h))/3 = 3·r(h) = 8.42e-10, as printed.
START_TEST(test_chapter0_roundoff_combination) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter0", args, 0);
    double f = log1p(exp(0.5)) - 0.5, r = 8.0 * 2.220446049250313e-16 * 2.0 * f / (2.0 * 3e-6);
    char want[80];
    snprintf(want, sizeof want, "r(h) %.2e", r);
    assert_has(t, want);
    snprintf(want, sizeof want, "r(h/2) %.2e", 2.0 * r);
    assert_has(t, want);
    snprintf(want, sizeof want, "round-off part, (4·r(h/2) + r(h))/3 %.2e", 3.0 * r);
    assert_has(t, want);
    assert_has(t, "bound = |D(h) − D(h/2)| + (4·r(h/2) + r(h))/3");
    free(t);
}
END_TEST

// 0.8 says what the step search did on L = f + 1e15, not that it "already
// tries up to 1e-2".
START_TEST(test_chapter0_step_search_told) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter0", args, 0);
    assert_lacks(t, "already tries");
    ck_assert(strstr(t, "stopped after that one attempt") || strstr(t, "attempts and kept h ="));
    free(t);
}
END_TEST

// 0.11 and 0.12: the running example's chain with its numbers (ŷ = σ(0.5)
// = 0.622459, −1/ŷ = −1.60653, ŷ(1 − ŷ) = 0.235004, product −0.377541) and
// a checklist.
START_TEST(test_chapter0_graph_and_checklist) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter0", args, 0);
    assert_has(t, "0.11 Each chain as a computational graph");
    assert_has(t, "∂L/∂ŷ = −1/ŷ = -1.60653");
    assert_has(t, "σ′(z) = ŷ(1 − ŷ) = 0.235004");
    assert_has(t, "-1.60653·0.235004 = -0.377541");
    assert_has(t, "0.12 A gradient-check checklist");
    assert_has(t, "Make sure a check can fail");
    free(t);
}
END_TEST

// Sigmoid → BCELoss in PyTorch 1.13 (float32 and float64 alike): ∂L/∂z at
// y = 1 is −1 at z = −27, −0.69144 at z = −28, −0.0935762 at z = −30,
// −4.24835e-06 at z = −40; at y = 0, z = 30 it is 0.0934808 in float64 and 0
// in float32. BCEWithLogitsLoss gives −1 and 1.
START_TEST(test_chapter2_torch_clamp_measured) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter2", args, 0);
    assert_has(t, "At y = 1, z = −30 it is -0.0935762 instead of -1");
    assert_has(t, "1 -28 6.91e-13 -0.69144 -0.69144 -1");
    assert_has(t, "1 -30 9.36e-14 -0.0935762 -0.0935762 -1");
    assert_has(t, "1 -40 4.25e-18 -4.24835e-06 -4.24835e-06 -1");
    assert_has(t, "1 -27 1.88e-12 -1 -1 -1");
    assert_has(t, "0 30 9.35e-14 0.0934808 0 1");
    assert_lacks(t, "with its overflow");
    free(t);
}
END_TEST

// At z = 37 and 40 (y = 0) σ(z) is exactly 1 and eq. (1) divides by 1 − 1
// = 0; 1/σ(−40) = 2.4e17 is far from overflowing. At z = −740, σ is the
// subnormal 4.2e-322 and 1/ŷ does overflow.
START_TEST(test_chapter2_division_by_zero_not_overflow) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter2", args, 0);
    assert_has(t, "0 37 1/0 (ŷ = 1) 1");
    assert_has(t, "0 40 1/0 (ŷ = 1) 1");
    assert_has(t, "1 -740 overflow -1");
    free(t);
    const char *one[] = {"--no-color", "--y", "0 1", "--z", "37 0.3", NULL};
    t = run_flat("chapter2", one, 0);
    assert_has(t, "∂L/∂ŷ[0] = -(1/2)·(0/1 - 1/0) = 1/0 (ŷ = 1)");
    assert_lacks(t, "overflow (ŷ");
    free(t);
}
END_TEST

// --bug sign: (1/2)·(1/0.622459 − 0) = 0.803265 is what the code computes,
// and its chain product 0.18877 is not (0.622459 − 1)/2 = −0.18877.
START_TEST(test_chapter2_bug_lines_hold) {
    const char *sign[] = {"--no-color", "--bug", "sign", NULL};
    char *t = run_flat("chapter2", sign, 1);
    assert_has(t, "∂L/∂ŷ[0] = (1/2)·(1/0.622459 - 0/0.377541) = 0.803265");
    assert_has(t, "= 0.18877 ≠ (0.622459 - 1)/2 = -0.18877");
    assert_lacks(t, "-(1/2)·(1/0.622459 - 0/0.377541) = 0.803265");
    free(t);
    // --bug no-mean: −(1/0.622459) = −1.60653 and ŷ − y = −0.377541.
    const char *mean[] = {"--no-color", "--bug", "no-mean", NULL};
    t = run_flat("chapter2", mean, 1);
    assert_has(t, "∂L/∂ŷ[0] = -(1/0.622459 - 0/0.377541) = -1.60653");
    assert_has(t, "= -0.377541 = (0.622459 - 1) = -0.377541");
    assert_lacks(t, "(0.622459 - 1)/2 = -0.377541");
    free(t);
}
END_TEST

// no-mean keeps the loss a mean; the 1/n is over n predictions, which are
// not "the batch" in general.
START_TEST(test_chapter2_wording) {
    const char *list[] = {"--bug", "list", NULL};
    ProcResult p = run_chapter("chapter2", list);
    ck_assert_int_eq(p.status, 0);
    ck_assert_ptr_null(strstr(p.out, "loss summed"));
    ck_assert_ptr_nonnull(strstr(p.out, "the loss is still the mean"));
    proc_free(&p);
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter2", args, 0);
    assert_lacks(t, "n outputs (the batch)");
    assert_has(t, "the mean over the n predictions");
    free(t);
}
END_TEST

// --bug no-sigmoid-derivative: the chain (−1.60653)·0.235004 is −0.377541,
// never −1.60653; the line says what the code used instead.
START_TEST(test_chapter3_bug_line_holds) {
    const char *args[] = {"--no-color", "--bug", "no-sigmoid-derivative", NULL};
    char *t = run_flat("chapter3", args, 1);
    assert_lacks(t, "(0.622459 − 1)/1 = -1.60653");
    assert_has(t, "(-1.60653)·0.235004 = (0.622459 − 1)/1 = -0.377541");
    assert_has(t, "the code uses ∂L/∂ŷ_0 = -1.60653 instead, without σ′(z_0)");
    free(t);
}
END_TEST

// Chapter 1's default upstream G is dense: no zero entry for any seed, so
// a 1x1 output (kernel as large as the input) still reaches L, and the
// missing rot180 fails for every seed: with X = [1 2; 3 4] and G = [g],
// ∂L/∂K = g·X and rot180 of it, [4 3; 2 1]·g, differ for every g ≠ 0.
START_TEST(test_chapter1_dense_upstream) {
    for (int seed = 1; seed <= 40; seed++) {
        char s[16];
        snprintf(s, sizeof s, "%d", seed);
        const char *args[] = {"--input", "1 2; 3 4", "--kernel", "1 0; 0 2", "--seed", s, "--bug", "no-rot180", NULL};
        ProcResult p = run_chapter("chapter1", args);
        ck_assert_msg(p.status == 1, "--seed %d: --bug no-rot180 exited %d", seed, p.status);
        proc_free(&p);
        const char *json[] = {"--format", "json", "--seed", s, NULL};
        p = run_chapter("chapter1", json);
        ck_assert_int_eq(p.status, 0);
        const char *g = strstr(p.out, "\"upstream\": ");
        ck_assert_ptr_nonnull(g);
        const char *end = strchr(g, '\n');
        for (const char *c = g + strlen("\"upstream\": "); c < end; c++)
            ck_assert_msg(!(*c == '0' && (c[-1] == '[' || c[-1] == ' ') && (c[1] == ',' || c[1] == ']')),
                          "--seed %d: a zero in G: %.*s", seed, (int)(end - g), g);
        proc_free(&p);
    }
}
END_TEST

// --mode full: X is padded by kh−1, kw−1, so ∂L/∂K = pad(X, kh−1, kw−1) ⋆ G
// (for X = [1 2 3; 4 5 6; 7 8 9], K 2x2, G 4x4); the suggested --formula
// holds there and the valid mode's xcorr(X, G) does not.
START_TEST(test_chapter1_full_mode_formula) {
    const char *args[] = {"--no-color", "--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 -1", "--mode", "full",
                          NULL};
    char *t = run_flat("chapter1", args, 0);
    assert_has(t, "= (pad(X, kh−1, kw−1) ⋆ G)[m,n]");
    assert_has(t, "∂L/∂K = rot180(pad(X, kh−1, kw−1) ⋆ G)");
    assert_has(t, "build/chapter1 --mode full --formula \\ 'dL_dK_xcorr = xcorr(pad(X, kh - 1, kw - 1), G)'");
    assert_lacks(t, "(X ⋆ G)[m,n]");
    free(t);
    const char *good[] = {"--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 -1", "--mode", "full", "--formula",
                          "dL_dK_xcorr = xcorr(pad(X, kh - 1, kw - 1), G)", NULL};
    ProcResult p = run_chapter("chapter1", good);
    ck_assert_int_eq(p.status, 0);
    proc_free(&p);
    const char *bad[] = {"--input", "1 2 3; 4 5 6; 7 8 9", "--kernel", "1 0; 0 -1", "--mode", "full", "--formula",
                         "dL_dK_xcorr = xcorr(X, G)", NULL};
    p = run_chapter("chapter1", bad);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
}
END_TEST

// Erratum (a) names the seed's error: its sums run over the output's own
// i, j with the kernel size m, n as offsets, so read as written it is one
// number, [3 0; 8 9]·[1 1; 1 2] summed = 3 + 0 + 8 + 18 = 29 = Y[1,1].
START_TEST(test_chapter1_erratum_a) {
    const char *args[] = {"--no-color", NULL};
    char *t = run_flat("chapter1", args, 0);
    assert_lacks(t, "already does the sliding");
    assert_has(t, "The sums run over i and j, the output position's own indices");
    assert_has(t, "29 = Y[1,1] on the running example");
    free(t);
}
END_TEST

// --answer's relative error is |y − c| / max(|y|, |c|), as chapter 0 and
// docs/verdicts.md define it: y = c·(1 + 1.5e-6) for c = σ(0.5) − 1 =
// −0.3775406688 is 1.5e-6 off (wrong), where |y| + |c| would have halved it
// to 7.5e-7 (right).
START_TEST(test_answer_uses_max_relative_error) {
    const char *off[] = {"--answer", "dL_dz=-0.3775412351", NULL};
    ProcResult p = run_chapter("chapter3", off);
    ck_assert_int_eq(p.status, 1);
    proc_free(&p);
    const char *near[] = {"--answer", "dL_dz=-0.3775409", NULL}; // 6.1e-7 off
    p = run_chapter("chapter3", near);
    ck_assert_int_eq(p.status, 0);
    proc_free(&p);
}
END_TEST

// An ascent step is named: W + η·∂L/∂W = [0.05 −0.03] + 0.1·(−0.3775406688)·
// [29 35] = [−1.0448679 −1.3513923] (the right W_new has − instead).
START_TEST(test_answer_names_ascent_step) {
    const char *args[] = {"--no-color", "--answer", "W_new=-1.0448679 -1.3513923", NULL};
    char *t = run_flat("chapter3", args, 1);
    assert_has(t, "Your W_new is a step uphill, W + η∇ where W − η∇ is right (the slip \"ascent\")");
    free(t);
    const char *b[] = {"--no-color", "--answer", "b_new=0.06224593", NULL}; // 0.1 + 0.1·(−0.3775407)
    t = run_flat("chapter3", b, 1);
    assert_has(t, "(the slip \"ascent\")");
    free(t);
}
END_TEST

Suite *make_prose_suite(void) {
    Suite *s = suite_create("prose");
    TCase *tc = tcase_create("prose");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_chapter0_torch_gradcheck);
    tcase_add_test(tc, test_chapter0_no_history_or_paths);
    tcase_add_test(tc, test_chapter0_roundoff_combination);
    tcase_add_test(tc, test_chapter0_step_search_told);
    tcase_add_test(tc, test_chapter0_graph_and_checklist);
    tcase_add_test(tc, test_chapter2_torch_clamp_measured);
    tcase_add_test(tc, test_chapter2_division_by_zero_not_overflow);
    tcase_add_test(tc, test_chapter2_bug_lines_hold);
    tcase_add_test(tc, test_chapter2_wording);
    tcase_add_test(tc, test_chapter3_bug_line_holds);
    tcase_add_test(tc, test_chapter1_dense_upstream);
    tcase_add_test(tc, test_chapter1_full_mode_formula);
    tcase_add_test(tc, test_chapter1_erratum_a);
    tcase_add_test(tc, test_answer_uses_max_relative_error);
    tcase_add_test(tc, test_answer_names_ascent_step);
    suite_add_tcase(s, tc);
    return s;
}
