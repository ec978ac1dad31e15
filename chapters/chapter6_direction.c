#include "chapter6_direction.h"

#include "gradcheck.h"
#include "network_local.h"
#include "tensor.h"

void chapter6_check_direction(Report *r, const char *name, NetBuffers *b, double y, uint64_t seed) {
    const NetShape *s = &b->s;
    NetProblem prob = {s, b->params, b->x, y, &b->a2};
    ParamBlock blocks[] = {{prob.params, b->grads, s->n_params}, {prob.x, b->dx, s->n_input}};
    Objective obj = {net_objective_whole, NULL, &prob};
    DirectionalBounded dr = directional_check_bounded(blocks, 2, &obj, seed, GRADCHECK_REL_TOL, b->scratch);
    Tensor a = tensor_alloc(1, 1, 1);
    a.data[0] = dr.analytic;
    NumericalDerivative num = {.value = dr.numerical, .bound = dr.bound, .step = dr.step,
                               .evaluations = dr.evaluations};
    BoundedSummary sum = compare_bounded(a.data, &num, NULL, NULL, 1, GRADCHECK_REL_TOL);
    // The directional check's own verdict also weighs a kink inside its step.
    if (dr.verdict == VERDICT_INCONCLUSIVE && sum.verdict == VERDICT_PASS) sum.verdict = VERDICT_INCONCLUSIVE;
    sum.passed = sum.verdict == VERDICT_PASS;
    report_gradient_check(r, name, &a, &num, NULL, sum);
    tensor_free(&a);
}
