#ifndef GRADCHECK_H_PUBLIC
#define GRADCHECK_H_PUBLIC
/*
 * gradcheck: error-bounded gradient checking for C code.
 *
 * Compares an analytic gradient (your backward pass) with finite
 * differences of your loss. Every numerical derivative carries a bound on
 * its own error (truncation by Richardson from steps h and h/2, plus
 * round-off ε·scale/h), and every check ends in one of three verdicts:
 *
 *   GC_PASS          every compared entry has |a − n| ≤ rtol·max(|a|,|n|) +
 *                    bound, and every bound is small (≤ 1e-4) next to the
 *                    error a mistake would make;
 *   GC_FAIL          some entry is outside that allowance (the bound holds,
 *                    so a right gradient does not land here); a non-finite
 *                    analytic entry always fails;
 *   GC_INCONCLUSIVE  nothing failed, but some bound is too large to tell a
 *                    right gradient from a wrong one.
 *
 * Cost: 4 loss evaluations per entry (two central differences), more only
 * where the first bound is poor; with a local callback each evaluation
 * costs what the entry touches. A directional check costs about 4.
 *
 * Conventions: no global state, every function reentrant; the caller owns
 * every buffer (sizes from gc_workspace_size and friends). θ is perturbed
 * in place during a call and restored bit for bit before it returns. No
 * function aborts, exits or prints unless asked to write a report: errors
 * come back as a gc_status, with a one-line message in the result.
 *
 * See gradcheck(3) and the pages it lists.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's exported symbols; everything else in it is hidden. */
#if defined(__GNUC__)
#define GC_API __attribute__((visibility("default")))
#else
#define GC_API
#endif

#define GRADCHECK_VERSION_MAJOR 1
#define GRADCHECK_VERSION_MINOR 0
#define GRADCHECK_VERSION_PATCH 0

/* What a call returned. GC_OK is 0; every other value is an error, and the
 * result's message says what was wrong in one line. */
typedef enum {
    GC_OK = 0,
    GC_ERR_SIZE = 1,           /* n ≤ 0, m ≤ 0, n_blocks ≤ 0 */
    GC_ERR_NULL = 2,           /* a required pointer or callback is NULL */
    GC_ERR_OPTION = 3,         /* rtol not in (0, 1), max_entries < 0 */
    GC_ERR_NONFINITE_INPUT = 4, /* θ, the upstream gradient or an output holds NaN or ±∞ */
    GC_ERR_NONFINITE_LOSS = 5, /* the loss returned NaN or ±∞ at some evaluation */
    GC_ERR_PARAM_CHANGED = 6,  /* the loss callback changed θ */
    GC_ERR_NONDETERMINISTIC = 7, /* two evaluations at the same θ differ (an
                                    unfixed random mask, uninitialised memory) */
    GC_ERR_WRITE = 8           /* a report could not be written to its FILE* */
} gc_status;

typedef enum { GC_PASS = 0, GC_FAIL = 1, GC_INCONCLUSIVE = 2, GC_NOTHING_COMPARED = 3 } gc_verdict;

/* "ok", "n must be positive", …: a static string for a status. */
GC_API const char *gc_status_string(gc_status s);
/* "pass", "fail", "inconclusive", "nothing compared". */
GC_API const char *gc_verdict_string(gc_verdict v);

/* The loss, reading θ through ctx. *scale arrives as 0: set it to Σ|t| over
 * the terms t summed into L (≥ |L|) for the tightest correct round-off
 * bound; left at 0, |L| is used, which is right when L's terms do not
 * cancel. */
typedef double (*gc_loss_fn)(void *ctx, double *scale);
/* Optional: only the terms of L that entry k can change (same differences
 * as the whole loss in exact arithmetic, cheaper and with less
 * cancellation). NULL to use the whole loss. */
typedef double (*gc_local_fn)(void *ctx, int k, double *scale);
/* A layer's forward pass for gc_check_layer: writes its m outputs to y.
 * y_scale (m entries, arriving as 0) may receive each output's Σ|parts|
 * (for y = Σ x·k, Σ|x·k|); left at 0, |y| is used. */
typedef void (*gc_forward_fn)(void *ctx, double *y, double *y_scale);

typedef struct {
    double rtol;      /* relative tolerance; default 1e-6 */
    int max_entries;  /* 0: every entry; else a seeded sample of at most this
                         many entries, plus a directional check over all */
    uint64_t seed;    /* the sample's and the direction's seed; default 1 */
    int smooth;       /* nonzero: L has no kink (max, ReLU, |·|) in θ, so a
                         step may also grow when round-off hides the
                         derivative; default 0 */
    int directional;  /* nonzero: also one directional check over the
                         whole block; default 0 (always on when sampled) */
} gc_options;

/* rtol 1e-6, every entry, seed 1, not smooth, no directional check. */
GC_API gc_options gc_options_default(void);

/* One entry's comparison. */
typedef struct {
    double analytic;   /* your value */
    double numerical;  /* the finite-difference estimate */
    double bound;      /* |numerical − true derivative| ≤ bound */
    double allowed;    /* rtol·max(|a|, |n|) + bound */
    double step;       /* the step the estimate was made with */
    int evaluations;   /* loss evaluations spent on it */
    gc_verdict verdict; /* GC_NOTHING_COMPARED: not in the sample, or a kink */
} gc_entry;

/* The directional check: d/dt L(θ + t·u) for a seeded unit direction u. */
typedef struct {
    int done;           /* 0 when no directional check ran */
    double numerical, analytic, bound, abs_error;
    int evaluations;
    gc_verdict verdict;
} gc_direction;

/* What a check compared and found. */
typedef struct {
    gc_verdict verdict;  /* FAIL if any entry (or the direction) failed;
                            else INCONCLUSIVE if any was; else
                            NOTHING_COMPARED if none was compared; else PASS */
    int n;               /* entries in the block */
    int compared;        /* entries decided (pass or fail) */
    int failed, inconclusive;
    int skipped;         /* not in the sample, or a kink */
    double max_abs_error, max_rel_error; /* over compared entries */
    int max_rel_entry;   /* the entry of max_rel_error (-1: none) */
    int worst;           /* the entry furthest over (or closest to) its
                            allowance (-1: none) */
    double tolerance;    /* rtol */
    double bound;        /* the largest bound among compared entries */
    long evaluations;    /* loss evaluations in all */
    gc_direction direction;
    char message[200];   /* a non-OK status: what was wrong; otherwise why
                            entries were skipped or inconclusive, or "" */
} gc_result;

/* Bytes of workspace gc_check needs for a block of n entries (0 for n ≤ 0).
 * Any malloc'd block, or an array of doubles, of that size will do. */
GC_API size_t gc_workspace_size(int n);
/* Bytes of workspace gc_check_layer needs for n entries and m outputs. */
GC_API size_t gc_layer_workspace_size(int n, int m);
/* Bytes of workspace gc_check_direction needs for n_blocks blocks of
 * n_total entries in all. */
GC_API size_t gc_direction_workspace_size(int n_blocks, int n_total);

/* Checks grad (n entries, your ∂L/∂θ) against finite differences of loss
 * over θ (n entries, perturbed in place and restored). entries (n, may be
 * NULL) receives each entry's comparison; res the summary. local may be
 * NULL; opt may be NULL for the defaults; work holds gc_workspace_size(n)
 * bytes. Returns GC_OK when the check ran, whatever its verdict. */
GC_API gc_status gc_check(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                   gc_loss_fn loss, gc_local_fn local, void *ctx, const gc_options *opt, void *work);

/* Checks a layer with matrix output Y = forward(θ) (m outputs) through the
 * scalar L = Σ_i upstream_i·Y_i, whose gradient is exactly what your
 * backward pass returns for dY = upstream: grad (n) is that ∂L/∂θ. work
 * holds gc_layer_workspace_size(n, m) bytes. Otherwise as gc_check. */
GC_API gc_status gc_check_layer(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                         gc_forward_fn forward, void *ctx, const double *upstream, int m,
                         const gc_options *opt, void *work);

/* One block of parameters for the directional check. */
typedef struct {
    double *theta;       /* perturbed in place and restored */
    const double *grad;  /* your ∂L/∂θ for this block */
    int n;
} gc_block;

/* Only the directional check, over several blocks at once (every parameter
 * of a network in ~4 loss evaluations): passes, fails or is inconclusive by
 * the same rule. work holds gc_direction_workspace_size(n_blocks, Σ n)
 * bytes. Returns GC_OK when the check ran, whatever its verdict. */
GC_API gc_status gc_check_direction(gc_direction *out, const gc_block *blocks, int n_blocks, gc_loss_fn loss,
                             void *ctx, uint64_t seed, double rtol, void *work);

/* Writes a check as text: a per-entry table (entries may be NULL for the
 * summary only), then the verdict with what was compared, the largest
 * error, the tolerance and the bound. name labels it ("dW"). Returns
 * GC_ERR_WRITE when the stream reports an error. */
GC_API gc_status gc_report_text(FILE *out, const char *name, const gc_result *res, const gc_entry *entries);
/* The same as one JSON object on one line, keys: name, verdict, n, compared,
 * failed, inconclusive, skipped, max_abs_error, max_rel_error,
 * max_rel_entry, worst, tolerance, bound, evaluations, message, direction
 * (or null) and entries (an array, or null). */
GC_API gc_status gc_report_json(FILE *out, const char *name, const gc_result *res, const gc_entry *entries);

#ifdef __cplusplus
}
#endif
#endif
