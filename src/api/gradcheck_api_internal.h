#ifndef WORKBOOK_GRADCHECK_API_INTERNAL_H
#define WORKBOOK_GRADCHECK_API_INTERNAL_H
// What the public checker's files share (src/api/gradcheck_api.c,
// gradcheck_layer.c): the watched callbacks and the common check.

#include <stdbool.h>
#include <stddef.h>

#include "../../include/gradcheck.h"

// The caller's callbacks as the check layer calls them: every evaluation
// counted, the first NaN or ±∞ remembered with the entry being perturbed
// (-1 when the checker does not say which).
typedef struct {
    gc_loss_fn loss;
    gc_local_fn local; // may be NULL
    void *ctx;
    int offset;  // added to the entry the check layer names (sampled entries are blocks of one)
    int entry;   // the entry being perturbed when known, else -1
    long evaluations;
    bool nonfinite;
    int nonfinite_entry;
} Watched;

// gc_check with the callbacks already wrapped (the layer form builds its
// own loss around the forward pass).
gc_status gc_check_watched(gc_result *res, gc_entry *entries, double *theta, const double *grad, int n,
                           Watched *w, const gc_options *opt, void *work);
// res cleared, its verdict NOTHING_COMPARED and its message printf-formatted;
// returns s.
gc_status gc_fail(gc_result *res, gc_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
// bytes rounded up so that the next array of the workspace is aligned.
size_t gc_aligned_size(size_t bytes);

#endif
