// The public checker (include/gradcheck.h) on top of the check layer
// (src/check/gradcheck.h): argument and callback validation, the sample
// within a budget, the layer form L = Σ G∘Y, and the directional check.
// The numerics are the check layer's own; nothing here estimates a
// derivative or decides a verdict by another rule.
#include "../../include/gradcheck.h"

#include "../check/gradcheck.h"
#include "gradcheck_api_internal.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const char *gc_status_string(gc_status s) {
    switch (s) {
    case GC_OK: return "ok";
    case GC_ERR_SIZE: return "a size is not positive";
    case GC_ERR_NULL: return "a required pointer or callback is NULL";
    case GC_ERR_OPTION: return "an option is out of range";
    case GC_ERR_NONFINITE_INPUT: return "an input holds NaN or infinity";
    case GC_ERR_NONFINITE_LOSS: return "the loss returned NaN or infinity";
    case GC_ERR_PARAM_CHANGED: return "the loss callback changed the parameters";
    case GC_ERR_NONDETERMINISTIC: return "the loss differs between two evaluations at the same parameters";
    case GC_ERR_WRITE: return "the report could not be written";
    }
    return "unknown status";
}

const char *gc_verdict_string(gc_verdict v) {
    switch (v) {
    case GC_PASS: return "pass";
    case GC_FAIL: return "fail";
    case GC_INCONCLUSIVE: return "inconclusive";
    case GC_NOTHING_COMPARED: return "nothing compared";
    }
    return "unknown verdict";
}

gc_options gc_options_default(void) {
    return (gc_options){.rtol = GRADCHECK_REL_TOL, .max_entries = 0, .seed = 1, .smooth = 0, .directional = 0};
}

// ---- workspace: every buffer of one call, carved from the caller's block

// Rounds a byte count up so that the next array starts aligned for doubles.
size_t gc_aligned_size(size_t bytes) {
    const size_t a = _Alignof(max_align_t);
    return (bytes + a - 1) / a * a;
}

size_t gc_workspace_size(int n) {
    if (n <= 0) return 0;
    size_t un = (size_t)n;
    return gc_aligned_size(2 * un * sizeof(double)) + gc_aligned_size(un * sizeof(NumericalDerivative)) +
           gc_aligned_size(un * sizeof(Verdict)) + gc_aligned_size(un * sizeof(bool));
}

size_t gc_layer_workspace_size(int n, int m) {
    if (n <= 0 || m <= 0) return 0;
    return gc_workspace_size(n) + gc_aligned_size(2 * (size_t)m * sizeof(double));
}

size_t gc_direction_workspace_size(int n_blocks, int n_total) {
    if (n_blocks <= 0 || n_total <= 0) return 0;
    return gc_aligned_size(2 * (size_t)n_total * sizeof(double)) + (size_t)n_blocks * sizeof(ParamBlock);
}

typedef struct {
    double *snapshot;         // θ as the caller gave it
    double *scratch;          // the directional check's copy of θ
    NumericalDerivative *num; // n
    Verdict *verdicts;        // n
    bool *skip;               // n
    double *after;            // past the block's buffers: the layer's
} Workspace;

static Workspace carve(void *work, int n) {
    char *p = work;
    size_t un = (size_t)n;
    Workspace w;
    w.snapshot = (double *)(void *)p;
    w.scratch = w.snapshot + un;
    p += gc_aligned_size(2 * un * sizeof(double));
    w.num = (NumericalDerivative *)(void *)p;
    p += gc_aligned_size(un * sizeof(NumericalDerivative));
    w.verdicts = (Verdict *)(void *)p;
    p += gc_aligned_size(un * sizeof(Verdict));
    w.skip = (bool *)(void *)p;
    p += gc_aligned_size(un * sizeof(bool));
    w.after = (double *)(void *)p;
    return w;
}

// ---- errors

gc_status gc_fail(gc_result *res, gc_status s, const char *fmt, ...) {
    if (!res) return s;
    memset(res, 0, sizeof *res);
    res->verdict = GC_NOTHING_COMPARED;
    res->worst = res->max_rel_entry = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    return s;
}

static int first_nonfinite(const double *v, int n) {
    for (int k = 0; k < n; k++)
        if (!isfinite(v[k])) return k;
    return -1;
}

// ---- the callbacks as the check layer sees them, counted and watched

static double watched_whole(void *p, double *scale) {
    Watched *w = p;
    w->evaluations++;
    double v = w->loss(w->ctx, scale);
    if (!isfinite(v) && !w->nonfinite) {
        w->nonfinite = true;
        w->nonfinite_entry = w->entry;
    }
    return v;
}

static double watched_local(void *p, int k, double *scale) {
    Watched *w = p;
    w->evaluations++;
    double v = w->local(w->ctx, k + w->offset, scale);
    if (!isfinite(v) && !w->nonfinite) {
        w->nonfinite = true;
        w->nonfinite_entry = k + w->offset;
    }
    return v;
}

// The loss at θ twice before anything is perturbed: it must be finite,
// leave θ alone and give the same value again.
static gc_status probe(gc_result *res, Watched *w, double *theta, const double *snapshot, int n) {
    double s1 = 0.0, s2 = 0.0;
    double l1 = w->loss(w->ctx, &s1);
    if (memcmp(theta, snapshot, (size_t)n * sizeof *theta) != 0) {
        memcpy(theta, snapshot, (size_t)n * sizeof *theta);
        return gc_fail(res, GC_ERR_PARAM_CHANGED, "the loss changed theta when called at theta (restored)");
    }
    if (!isfinite(l1)) return gc_fail(res, GC_ERR_NONFINITE_LOSS, "the loss is %g at theta itself", l1);
    double l2 = w->loss(w->ctx, &s2);
    if (memcmp(&l1, &l2, sizeof l1) != 0)
        return gc_fail(res, GC_ERR_NONDETERMINISTIC,
                       "the loss gave %.17g, then %.17g at the same theta (fix random masks and seeds)", l1, l2);
    w->evaluations += 2;
    return GC_OK;
}

// After the check: no evaluation may have been NaN or ±∞, and θ must be
// what the caller gave (the checker restores what it perturbs; anything
// else moved was the callback).
static gc_status audit(gc_result *res, const Watched *w, double *theta, const double *snapshot, int n) {
    if (w->nonfinite && w->nonfinite_entry >= 0)
        return gc_fail(res, GC_ERR_NONFINITE_LOSS, "the loss returned NaN or infinity while entry %d was perturbed",
                       w->nonfinite_entry);
    if (w->nonfinite) return gc_fail(res, GC_ERR_NONFINITE_LOSS, "the loss returned NaN or infinity during the check");
    for (int k = 0; k < n; k++) {
        if (memcmp(&theta[k], &snapshot[k], sizeof theta[k]) != 0) {
            memcpy(theta, snapshot, (size_t)n * sizeof *theta);
            return gc_fail(res, GC_ERR_PARAM_CHANGED, "theta[%d] changed during the check (restored)", k);
        }
    }
    return GC_OK;
}

static gc_status check_options(gc_result *res, const gc_options *o) {
    if (!(o->rtol > 0.0 && o->rtol < 1.0))
        return gc_fail(res, GC_ERR_OPTION, "rtol must be in (0, 1), not %g", o->rtol);
    if (o->max_entries < 0)
        return gc_fail(res, GC_ERR_OPTION, "max_entries must be 0 (all) or positive, not %d", o->max_entries);
    return GC_OK;
}

// ---- the numerical derivatives: all entries, or a seeded sample

static void bounded_all(NumericalDerivative *out, double *theta, int n, const Objective *obj, bool smooth) {
    (smooth ? numerical_gradient_bounded_smooth : numerical_gradient_bounded)(out, theta, n, obj);
}

// The sampled entries one at a time, each as a block of one (its local
// terms asked about entry k of the caller's block).
static void bounded_sample(NumericalDerivative *out, double *theta, const bool *skip, int n, Watched *w,
                           bool smooth) {
    for (int k = 0; k < n; k++) {
        if (skip[k]) {
            out[k] = (NumericalDerivative){0};
            continue;
        }
        w->offset = k;
        w->entry = k;
        Objective one = {watched_whole, w->local ? watched_local : NULL, w};
        bounded_all(&out[k], &theta[k], 1, &one, smooth);
    }
    w->offset = 0;
}

static gc_verdict public_verdict(Verdict v) {
    switch (v) {
    case VERDICT_PASS: return GC_PASS;
    case VERDICT_FAIL: return GC_FAIL;
    case VERDICT_INCONCLUSIVE: return GC_INCONCLUSIVE;
    case VERDICT_NOTHING_COMPARED: return GC_NOTHING_COMPARED;
    }
    return GC_NOTHING_COMPARED;
}

static void fill_entries(gc_entry *entries, const double *grad, const Workspace *ws, int n, double rtol) {
    for (int k = 0; k < n; k++) {
        const NumericalDerivative *d = &ws->num[k];
        double a = grad[k];
        entries[k] = (gc_entry){
            .analytic = a,
            .numerical = d->value,
            .bound = d->bound,
            .allowed = rtol * fmax(fabs(a), fabs(d->value)) + d->bound,
            .step = d->step,
            .evaluations = d->evaluations,
            .verdict = public_verdict(ws->verdicts[k]),
        };
    }
}

static void summarise(gc_result *res, const BoundedSummary *s, const double *grad, const Workspace *ws, int n) {
    res->verdict = public_verdict(s->verdict);
    res->n = n;
    res->compared = s->compared;
    res->failed = s->failed;
    res->inconclusive = s->inconclusive;
    res->skipped = s->skipped;
    res->max_abs_error = s->max_abs_error;
    res->tolerance = s->tolerance;
    res->bound = s->bound;
    res->worst = s->worst;
    res->max_rel_error = 0.0;
    res->max_rel_entry = -1;
    for (int k = 0; k < n; k++) {
        if (ws->verdicts[k] != VERDICT_PASS && ws->verdicts[k] != VERDICT_FAIL) continue;
        double a = grad[k], v = ws->num[k].value;
        double denom = fmax(fabs(a), fabs(v));
        double rel = denom > 0.0 ? fabs(a - v) / denom : 0.0;
        if (!isfinite(a)) rel = INFINITY;
        if (res->max_rel_entry < 0 || rel > res->max_rel_error) {
            res->max_rel_error = rel;
            res->max_rel_entry = k;
        }
    }
    if (s->inconclusive > 0)
        snprintf(res->message, sizeof res->message,
                 "%d entr%s: the bound is too large to decide (up to %.1e of the size a mistake would make, "
                 "the limit is %.0e)",
                 s->inconclusive, s->inconclusive == 1 ? "y" : "ies", s->worst_bound_ratio,
                 GRADCHECK_RESOLVE_FRACTION);
    else if (s->skipped > 0 && s->skip_reason)
        snprintf(res->message, sizeof res->message, "%d skipped: %s", s->skipped, s->skip_reason);
    else
        res->message[0] = '\0';
}

// The directional check over one block, folded into the block's verdict:
// a failing direction fails the check; an undecided one leaves a PASS
// inconclusive.
static void fold_direction(gc_result *res, const gc_direction *d) {
    res->direction = *d;
    res->evaluations += d->evaluations;
    if (d->verdict == GC_FAIL) res->verdict = GC_FAIL;
    else if (d->verdict == GC_INCONCLUSIVE && res->verdict == GC_PASS) res->verdict = GC_INCONCLUSIVE;
    else if (d->verdict == GC_PASS && res->verdict == GC_NOTHING_COMPARED) res->verdict = GC_PASS;
}

static gc_direction direction_of(const DirectionalBounded *d) {
    return (gc_direction){.done = 1,
                          .numerical = d->numerical,
                          .analytic = d->analytic,
                          .bound = d->bound,
                          .abs_error = d->abs_error,
                          .evaluations = d->evaluations,
                          .verdict = public_verdict(d->verdict)};
}

gc_status gc_check_watched(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                           Watched *w, const gc_options *opt, void *work) {
    if (!res) return GC_ERR_NULL;
    gc_options o = opt ? *opt : gc_options_default();
    if (n <= 0) return gc_fail(res, GC_ERR_SIZE, "n must be positive, not %d", n);
    if (!theta || !grad || !w->loss || !work)
        return gc_fail(res, GC_ERR_NULL, "%s is NULL",
                       !theta ? "theta" : !grad ? "grad" : !w->loss ? "the loss callback" : "work");
    gc_status st = check_options(res, &o);
    if (st != GC_OK) return st;
    int bad = first_nonfinite(theta, n);
    if (bad >= 0) return gc_fail(res, GC_ERR_NONFINITE_INPUT, "theta[%d] is %g", bad, theta[bad]);

    Workspace ws = carve(work, n);
    memcpy(ws.snapshot, theta, (size_t)n * sizeof *theta);
    st = probe(res, w, theta, ws.snapshot, n);
    if (st != GC_OK) return st;

    bool sampled = o.max_entries > 0 && o.max_entries < n;
    gradcheck_sample(ws.skip, n, sampled ? o.max_entries : n, o.seed);
    Objective obj = {watched_whole, w->local ? watched_local : NULL, w};
    if (sampled) bounded_sample(ws.num, theta, ws.skip, n, w, o.smooth);
    else bounded_all(ws.num, theta, n, &obj, o.smooth);
    DirectionalBounded dir = {0};
    bool directional = sampled || o.directional;
    if (directional) {
        ParamBlock block = {theta, grad, n};
        Objective whole = {watched_whole, NULL, w};
        w->entry = -1;
        dir = directional_check_bounded(&block, 1, &whole, o.seed, o.rtol, ws.scratch);
    }
    st = audit(res, w, theta, ws.snapshot, n);
    if (st != GC_OK) return st;

    const char *reason = sampled ? "not in the seeded sample (a directional check covers every entry)" : NULL;
    BoundedSummary s = compare_bounded(grad, ws.num, sampled ? ws.skip : NULL, reason, n, o.rtol);
    compare_bounded_entries(ws.verdicts, grad, ws.num, sampled ? ws.skip : NULL, n, o.rtol);
    memset(res, 0, sizeof *res);
    summarise(res, &s, grad, &ws, n);
    res->evaluations = w->evaluations - dir.evaluations;
    if (directional) {
        gc_direction d = direction_of(&dir);
        fold_direction(res, &d);
    }
    if (entries) fill_entries(entries, grad, &ws, n, o.rtol);
    return GC_OK;
}

gc_status gc_check(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                   gc_loss_fn loss, gc_local_fn local, void *ctx, const gc_options *opt, void *work) {
    Watched w = {.loss = loss, .local = local, .ctx = ctx, .entry = -1};
    return gc_check_watched(res, entries, theta, grad, n, &w, opt, work);
}

// Restores every block from the snapshot; true when one had changed.
static bool restore_blocks(const gc_block *blocks, int n_blocks, const double *snapshot) {
    bool changed = false;
    for (int b = 0, at = 0; b < n_blocks; at += blocks[b].n, b++) {
        size_t bytes = (size_t)blocks[b].n * sizeof(double);
        if (memcmp(snapshot + at, blocks[b].theta, bytes) != 0) {
            memcpy(blocks[b].theta, snapshot + at, bytes);
            changed = true;
        }
    }
    return changed;
}

// probe for several blocks: finite, θ untouched, the same value twice.
static gc_status probe_blocks(Watched *w, const gc_block *blocks, int n_blocks, const double *snapshot) {
    double s = 0.0;
    double l1 = w->loss(w->ctx, &s);
    if (restore_blocks(blocks, n_blocks, snapshot)) return GC_ERR_PARAM_CHANGED;
    if (!isfinite(l1)) return GC_ERR_NONFINITE_LOSS;
    double l2 = w->loss(w->ctx, &s);
    if (restore_blocks(blocks, n_blocks, snapshot)) return GC_ERR_PARAM_CHANGED;
    return memcmp(&l1, &l2, sizeof l1) == 0 ? GC_OK : GC_ERR_NONDETERMINISTIC;
}

gc_status gc_check_direction(gc_direction *out, const gc_block *blocks, int n_blocks, gc_loss_fn loss,
                             void *ctx, uint64_t seed, double rtol, void *work) {
    if (!out) return GC_ERR_NULL;
    *out = (gc_direction){.verdict = GC_NOTHING_COMPARED};
    if (!blocks || !loss || !work) return GC_ERR_NULL;
    if (n_blocks <= 0) return GC_ERR_SIZE;
    if (!(rtol > 0.0 && rtol < 1.0)) return GC_ERR_OPTION;
    int total = 0;
    for (int b = 0; b < n_blocks; b++) {
        if (!blocks[b].theta || !blocks[b].grad) return GC_ERR_NULL;
        if (blocks[b].n <= 0 || blocks[b].n > INT_MAX - total) return GC_ERR_SIZE;
        if (first_nonfinite(blocks[b].theta, blocks[b].n) >= 0) return GC_ERR_NONFINITE_INPUT;
        total += blocks[b].n;
    }
    double *scratch = work, *snapshot = scratch + total;
    ParamBlock *pb = (ParamBlock *)(void *)((char *)work + gc_aligned_size(2 * (size_t)total * sizeof(double)));
    for (int b = 0, at = 0; b < n_blocks; at += blocks[b].n, b++) {
        pb[b] = (ParamBlock){blocks[b].theta, blocks[b].grad, blocks[b].n};
        memcpy(snapshot + at, blocks[b].theta, (size_t)blocks[b].n * sizeof(double));
    }
    Watched w = {.loss = loss, .ctx = ctx, .entry = -1};
    gc_status st = probe_blocks(&w, blocks, n_blocks, snapshot);
    if (st != GC_OK) return st;
    Objective whole = {watched_whole, NULL, &w};
    DirectionalBounded d = directional_check_bounded(pb, n_blocks, &whole, seed, rtol, scratch);
    if (restore_blocks(blocks, n_blocks, snapshot)) return GC_ERR_PARAM_CHANGED;
    if (w.nonfinite) return GC_ERR_NONFINITE_LOSS;
    *out = direction_of(&d);
    return GC_OK;
}
