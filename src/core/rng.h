#ifndef WORKBOOK_RNG_H
#define WORKBOOK_RNG_H
// A seeded pseudo-random generator (splitmix64): the same seed gives the same
// numbers on every run and machine, so every chapter's output is repeatable.

#include <stdint.h>

typedef struct {
    uint64_t state;
} Rng;

Rng rng_make(uint64_t seed);
uint64_t rng_next(Rng *r);
// Uniform in [0, 1), 53 random bits.
double rng_uniform(Rng *r);
// Uniform in [lo, hi).
double rng_range(Rng *r, double lo, double hi);
// Standard normal (Box-Muller).
double rng_normal(Rng *r);
// Uniform integer in [0, n).
int rng_below(Rng *r, int n);

#endif
