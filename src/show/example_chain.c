#include "example_chain.h"

#include "dense.h"
#include "example.h"
#include "loss.h"
#include "pool.h"

static void num(char *buf, size_t len, double v) { format_number(buf, len, v, "the chain"); }

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

void example_chain_report(Report *r, const ExampleChain *ch) {
    report_text(r, "Where ∂L/∂Y comes from: the running example's chain. Chapter 4 max-pools Y (2x2 windows, "
                   "stride 1), chapter 3 feeds the pooled vector p to a dense layer z = W·p + b_d with W = "
                   "[0.05 −0.03], b_d = 0.1, then ŷ = σ(z) and the BCE loss with label y = 1.");
    char v[8][40];
    const double vals[8] = {ch->pooled[0], ch->pooled[1], ch->z, ch->yhat, ch->loss, ch->dz, ch->dp[0], ch->dp[1]};
    for (int q = 0; q < 8; q++) num(v[q], sizeof v[q], vals[q]);
    report_verbatim(r,
                    "forward:  p = maxpool(Y) = [%s %s]  (maxima at Y[%d,%d], Y[%d,%d])\n"
                    "          z = W·p + b_d = %s,  ŷ = σ(z) = %s,  L = %s\n"
                    "backward: ∂L/∂z = ŷ − y = %s\n"
                    "          ∂L/∂p = ∂L/∂z · W = [%s %s]\n"
                    "          ∂L/∂Y: each ∂L/∂p goes to its window's maximum,\n"
                    "          the rest get 0",
                    v[0], v[1], ch->argmax[0] / 3, ch->argmax[0] % 3, ch->argmax[1] / 3, ch->argmax[1] % 3, v[2],
                    v[3], v[4], v[5], v[6], v[7]);
}
