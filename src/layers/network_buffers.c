// The buffers of one network in one allocation (network_buffers.h).
#include "network_buffers.h"

#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "network_fast.h"

bool net_buffers_alloc(NetBuffers *b, const NetShape *s) {
    memset(b, 0, sizeof *b);
    b->s = *s;
    size_t P = (size_t)s->n_params, X = (size_t)s->n_input, acts = net_act_doubles(s);
    size_t sizes[] = {P, P, X, X, P, X, P, X, P + X, net_cache_doubles(s), acts, acts};
    size_t total = 0;
    for (int k = 0; k < ARRAY_LEN(sizes); k++) total += sizes[k];
    b->block = calloc(total, sizeof(double));
    b->iblock = calloc(2 * net_act_ints(s) + net_cache_ints(s), sizeof(int));
    if (!b->block || !b->iblock) {
        net_buffers_free(b);
        return false;
    }
    double **slots[] = {&b->params, &b->grads, &b->x, &b->dx, &b->num, &b->num_x, &b->num2, &b->num_x2, &b->scratch,
                        &b->cache};
    double *at = b->block;
    for (int k = 0; k < ARRAY_LEN(slots); k++) *slots[k] = at, at += sizes[k];
    net_acts_point(&b->a, at, b->iblock, s);
    net_acts_point(&b->a2, at + acts, b->iblock + net_act_ints(s), s);
    b->icache = b->iblock + 2 * net_act_ints(s);
    return true;
}

void net_buffers_free(NetBuffers *b) {
    free(b->block);
    free(b->iblock);
    memset(b, 0, sizeof *b);
}
