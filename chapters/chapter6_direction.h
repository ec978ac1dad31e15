#ifndef CHAPTER6_DIRECTION_H
#define CHAPTER6_DIRECTION_H
// Chapter 6's directional check over all P entries at once (sections 6.5
// and 6.8): the parameters and the input as two blocks of one direction.

#include <stdint.h>

#include "network_buffers.h"
#include "report.h"

// gradcheck.h's directional_check_bounded along one seeded direction over
// b's parameters and input (their gradients in b->grads and b->dx, label
// y), reported as a one-entry check named name. b->a2 and b->scratch are
// the working buffers; every entry is restored bit for bit.
void chapter6_check_direction(Report *r, const char *name, NetBuffers *b, double y, uint64_t seed);

#endif
