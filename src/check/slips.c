#include "slips.h"

static const char *const NAMES[SLIP_COUNT] = {
    [SLIP_SIGN] = "sign",     [SLIP_TRANSPOSED] = "transposed", [SLIP_ROT180] = "rot180",
    [SLIP_DOWN] = "shifted",  [SLIP_UP] = "shifted",            [SLIP_RIGHT] = "shifted",
    [SLIP_LEFT] = "shifted",  [SLIP_SWAPPED] = "swapped",
};

const char *slip_name(Slip s) { return NAMES[s]; }

double slip_factor(Slip s) { return s == SLIP_SIGN ? -1.0 : 1.0; }

long slip_source(Slip s, long k, int h, int w) {
    long plane = (long)h * w, ch = k / plane, at = k % plane;
    long i = at / w, j = at % w;
    switch (s) {
    case SLIP_SIGN: return k;
    case SLIP_ROT180: return ch * plane + (h - 1 - i) * w + (w - 1 - j);
    case SLIP_DOWN: return i > 0 ? k - w : -1;
    case SLIP_UP: return i + 1 < h ? k + w : -1;
    case SLIP_RIGHT: return j > 0 ? k - 1 : -1;
    case SLIP_LEFT: return j + 1 < w ? k + 1 : -1;
    case SLIP_TRANSPOSED:
    case SLIP_SWAPPED: {
        // Entry k of gᵀ (w×h) read row by row: row k / h, column k % h of
        // gᵀ, which is g's (k % h, k / h).
        long a = at / h, b = at % h;
        return ch * plane + b * w + a;
    }
    }
    return -1;
}
