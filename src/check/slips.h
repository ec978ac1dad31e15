#ifndef WORKBOOK_SLIPS_H
#define WORKBOOK_SLIPS_H
// The student slips a wrong gradient is compared with: one catalogue for
// --answer (src/report/report_mistake.c) and --formula
// (src/formula/formula_mistake.c). Each is a rearrangement of the right
// value g: its sign flipped, transposed, turned by 180 degrees, shifted by
// one row or column (zeros fill the gap), or an outer product's rows and
// columns swapped (gᵀ's entries read row by row into g's shape). The
// scaled slip, c·g, is searched by each caller: its factor is found, not
// given. Which slips apply to which shapes, and how they are worded, is the
// caller's.

typedef enum { SLIP_SIGN, SLIP_TRANSPOSED, SLIP_ROT180, SLIP_DOWN, SLIP_UP, SLIP_RIGHT, SLIP_LEFT, SLIP_SWAPPED } Slip;

#define SLIP_COUNT (SLIP_SWAPPED + 1)

// The JSON name: "sign", "transposed", "rot180", "shifted" (all four
// shifts) or "swapped".
const char *slip_name(Slip s);

// Entry k of the slipped value is slip_factor(s) times entry
// slip_source(s, k, h, w) of g (channels of h×w one after another,
// row-major), or 0 where the source is −1 (a shift's gap). The slipped
// value has g's shape, except SLIP_TRANSPOSED: w×h in each channel.
long slip_source(Slip s, long k, int h, int w);
double slip_factor(Slip s);

#endif
