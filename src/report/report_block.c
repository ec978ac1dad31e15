#include "report_block.h"

#include <stdio.h>

#include "options.h"

Verdict verdict_worse(Verdict a, Verdict b) {
    if (a == VERDICT_FAIL || b == VERDICT_FAIL) return VERDICT_FAIL;
    if (a == VERDICT_INCONCLUSIVE || b == VERDICT_INCONCLUSIVE) return VERDICT_INCONCLUSIVE;
    if (a == VERDICT_PASS || b == VERDICT_PASS) return VERDICT_PASS;
    return VERDICT_NOTHING_COMPARED;
}

static const char *plural(int n, const char *one, const char *many) { return n == 1 ? one : many; }

void report_block_plan(Report *r, const char *name, const BlockCheck *c) {
    if (!c->plan.sampled) return;
    report_text(r, "Work budget: a full check of the %d entries of %s would take about %.1e operations, more "
                   "than the budget of %.0e; a seeded sample of %d is checked (rows [s] are entries in order of "
                   "position), plus %d %s over all of them (--check-all checks every entry).",
                c->plan.n, name, c->plan.full_ops, CHECK_BUDGET_OPS, c->count, c->n_directions,
                plural(c->n_directions, "direction", "directions"));
}

Verdict report_block_entries(Report *r, const char *name, const BlockCheck *c, const Tensor *shape) {
    if (!c->plan.sampled) return report_gradient_check(r, name, shape, c->num, c->skip, c->entries);
    BoundedSummary s = c->entries;
    s.skip_reason = s.skipped ? "outside the seeded sample, or no derivative there" : "not in the seeded sample";
    s.n = c->plan.n;
    s.skipped += c->plan.n - c->count;
    Tensor sample = tensor_view(c->analytic, 1, 1, c->count);
    return report_gradient_check(r, name, &sample, c->num, c->skip, s);
}

Verdict report_block_directions(Report *r, const char *label, const BlockCheck *c) {
    if (c->n_directions == 0) return VERDICT_NOTHING_COMPARED;
    Tensor a = tensor_view(c->dir_analytic, 1, 1, c->n_directions);
    return report_gradient_check(r, label, &a, c->dir_num, NULL, c->directions);
}

Verdict check_block(Report *r, const char *name, const BlockSpec *spec, const Tensor *shape) {
    BlockCheck c;
    if (!block_check_run(&c, spec)) usage_error("out of memory checking the %d entries of %s", spec->n, name);
    report_block_plan(r, name, &c);
    Verdict v = report_block_entries(r, name, &c, shape);
    char label[160];
    snprintf(label, sizeof label, "%s along a random direction", name);
    v = verdict_worse(v, report_block_directions(r, label, &c));
    block_check_free(&c);
    return v;
}
