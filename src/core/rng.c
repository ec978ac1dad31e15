#include "rng.h"
#include "mathfn.h"

#include <math.h>

Rng rng_make(uint64_t seed) { return (Rng){seed}; }

uint64_t rng_next(Rng *r) {
    uint64_t z = (r->state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double rng_uniform(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }

double rng_range(Rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

double rng_normal(Rng *r) {
    double u1 = 1.0 - rng_uniform(r); // (0, 1], so log() stays finite
    double u2 = rng_uniform(r);
    return sqrt(-2.0 * wb_log(u1)) * wb_cos(6.283185307179586 * u2);
}

int rng_below(Rng *r, int n) { return (int)(rng_uniform(r) * n); }
