#ifndef WORKBOOK_NETWORK_BUFFERS_H
#define WORKBOOK_NETWORK_BUFFERS_H
// The buffers of one network (network.h) and of its fast and caching checks
// (network_fast.h), in one allocation: apart from both, so that neither
// includes the other.
#include <stdbool.h>

#include "network.h"

// Every buffer one network needs, allocated at once (owned by the struct,
// freed by net_buffers_free): parameters and gradients (n_params each), an
// input and its gradient (H·W each), two sets of activations (a for the
// pass backward reads, a2 for checks that perturb), numerical gradients
// (num, num_x and a second pair num2, num_x2), scratch of P = n_params + H·W
// doubles, and the caching check's scratch (network_fast.h).
typedef struct {
    NetShape s;
    double *params, *grads, *x, *dx, *num, *num_x, *num2, *num_x2, *scratch, *cache;
    int *icache;
    NetActs a, a2;
    double *block; // everything above, in one allocation
    int *iblock;
} NetBuffers;

// False when out of memory (b is left empty).
bool net_buffers_alloc(NetBuffers *b, const NetShape *s);
void net_buffers_free(NetBuffers *b);

#endif
