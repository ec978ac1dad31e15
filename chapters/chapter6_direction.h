#ifndef CHAPTER6_DIRECTION_H
#define CHAPTER6_DIRECTION_H
// Chapter 6's directional checks (sections 6.5 and 6.8) with the bounded
// checker; chapters/chapter6_network.c, the only includer, defines Net.

// The directional check over all P entries with the bounded checker
// (gradcheck.h's directional_check_bounded), reported as a one-entry check.
static void check_direction_bounded(Report *r, const char *name, Net *n, uint64_t seed) {
    const NetShape *s = &n->b.s;
    NetProblem prob = {s, n->b.params, n->b.x, n->y, &n->b.a2};
    ParamBlock blocks[] = {{prob.params, n->b.grads, s->n_params}, {prob.x, n->b.dx, s->n_input}};
    Objective obj = {net_objective_whole, NULL, &prob};
    DirectionalBounded dr = directional_check_bounded(blocks, 2, &obj, seed, GRADCHECK_REL_TOL, n->b.scratch);
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

#endif
