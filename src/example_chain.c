#include "example_chain.h"

#include "dense.h"
#include "example.h"
#include "loss.h"
#include "pool.h"

bool example_chain_fits(int channels, int h, int w) { return channels == 1 && h == 2 && w == 3; }

double example_chain_forward(ExampleChain *ch, const double *y) {
    PoolShape ps;
    pool_shape_init(&ps, 1, 2, 3, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_STRIDE);
    maxpool_forward(ch->pooled, ch->argmax, y, &ps);
    double db = EXAMPLE_B;
    dense_forward(&ch->z, ch->pooled, EXAMPLE_W, &db, 1, 2);
    ch->yhat = sigmoid(ch->z);
    ch->loss = bce_loss_logits(&EXAMPLE_Y, &ch->z, 1);
    return ch->loss;
}

void example_chain_backward(ExampleChain *ch, double *dy) {
    PoolShape ps;
    pool_shape_init(&ps, 1, 2, 3, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_SIZE, EXAMPLE_POOL_STRIDE);
    bce_grad_logits(&ch->dz, &EXAMPLE_Y, &ch->z, 1);
    double dW[2] = {0, 0}, db = 0;
    ch->dp[0] = ch->dp[1] = 0;
    dense_backward(ch->dp, dW, &db, &ch->dz, ch->pooled, EXAMPLE_W, 1, 2);
    maxpool_backward(dy, ch->dp, ch->argmax, &ps);
}
