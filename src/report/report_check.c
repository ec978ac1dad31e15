// Verdicts: the per-entry tables of gradient checks, identities, scalar
// checks and demonstrations, each with its JSON entry in "checks". A check in
// a section not shown (--section) is neither printed nor counted.
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report_internal.h"

// A per-entry table longer than this lists only the entries that need a
// look (failed, kinks, inconclusive) and the worst one, unless --full-matrices.
#define ENTRY_TABLE_MAX 64
// At most this many entries needing a look are listed in a summarised table.
#define ENTRY_TABLE_LISTED 16

// One JSON entry in "checks": what was compared and the verdict. The old
// keys (name, max_abs_error, max_rel_error, tolerance, passed) stay.
typedef struct {
    int compared, skipped;
    double max_abs, max_rel, tolerance, bound;
    Verdict verdict;
    bool measured; // a value against a target: "value" and "target" are written too
    double value, target;
} CheckRecord;

// "id": the section and the name, unique in the document (chapter 6 checks
// "∂L/∂K" in 6.4 and again in 6.8), with " #2", " #3"... should the same
// section repeat a name. "name" stays as it was: graders may match on it.
static void append_check_id(Report *r, const char *name) {
    StrBuf id = {0}, quoted = {0};
    for (int k = 1;; k++) {
        sb_clear(&id);
        sb_clear(&quoted);
        sb_printf(&id, "%s%s%s", r->section, r->section[0] ? " " : "", name);
        if (k > 1) sb_printf(&id, " #%d", k);
        sb_puts(&quoted, "\"id\": ");
        json_append_string(&quoted, sb_str(&id));
        if (!r->checks.len || !strstr(sb_str(&r->checks), sb_str(&quoted))) break;
    }
    sb_printf(&r->checks, ", %s", sb_str(&quoted));
    sb_free(&id);
    sb_free(&quoted);
}

static void record_check_full(Report *r, const char *name, CheckRecord c) {
    char a[40], b[40], t[40], bd[40];
    format_json_number(a, sizeof a, c.max_abs, name);
    format_json_number(b, sizeof b, c.max_rel, name);
    format_json_number(t, sizeof t, c.tolerance, name);
    format_json_number(bd, sizeof bd, c.bound, name);
    sb_puts(&r->checks, r->checks.len ? ",\n    " : "    ");
    sb_puts(&r->checks, "{\"name\": ");
    json_append_string(&r->checks, name);
    sb_printf(&r->checks,
              ", \"max_abs_error\": %s, \"max_rel_error\": %s, \"tolerance\": %s, \"passed\": %s, "
              "\"compared\": %d, \"skipped\": %d, \"bound\": %s, \"verdict\": \"%s\"",
              a, b, t, c.verdict == VERDICT_PASS ? "true" : "false", c.compared, c.skipped, bd,
              verdict_name(c.verdict));
    if (r->section[0]) sb_printf(&r->checks, ", \"section\": \"%s\"", r->section);
    if (c.measured) {
        char v[40], tg[40];
        format_json_number(v, sizeof v, c.value, name);
        format_json_number(tg, sizeof tg, c.target, name);
        sb_printf(&r->checks, ", \"value\": %s, \"target\": %s", v, tg);
    }
    append_check_id(r, name);
    sb_putc(&r->checks, '}');
    r->n_checks++;
    if (c.verdict == VERDICT_FAIL) r->n_checks_failed++;
    if (c.verdict == VERDICT_INCONCLUSIVE || c.verdict == VERDICT_NOTHING_COMPARED) r->n_checks_undecided++;
}

static void record_check(Report *r, const char *name, double max_abs, double max_rel, double tol, bool passed) {
    record_check_full(r, name,
                      (CheckRecord){.compared = 1, .max_abs = max_abs, .max_rel = max_rel, .tolerance = tol,
                                    .verdict = passed ? VERDICT_PASS : VERDICT_FAIL});
}

static const char *verdict_word(Verdict v) {
    switch (v) {
    case VERDICT_PASS: return "PASS";
    case VERDICT_FAIL: return "FAIL";
    case VERDICT_INCONCLUSIVE: return "INCONCLUSIVE";
    case VERDICT_NOTHING_COMPARED: return "NOTHING TO COMPARE";
    }
    return "?";
}

static void verdict_line(Report *r, const char *name, const char *detail, bool passed) {
    r->fmt->verdict(r, name, detail, passed ? "PASS" : "FAIL", passed);
}

// Which rows of an n-entry table are listed: all, or (summarised) those whose
// status is not "ok"/"skipped", up to ENTRY_TABLE_LISTED, and those the
// verdict line names (must).
static bool entry_listed(const Report *r, int n, bool must, const char *status, int *listed) {
    if (n <= ENTRY_TABLE_MAX || r->opt.full_matrices) return true;
    bool look = strcmp(status, "ok") != 0 && strncmp(status, "skipped", 7) != 0;
    if (must || (look && *listed < ENTRY_TABLE_LISTED)) {
        ++*listed;
        return true;
    }
    return false;
}

// Under a summarised table (not in it: a long first cell would widen the
// whole entry column).
static void entry_table_note(Report *r, int n, int listed) {
    if (n <= ENTRY_TABLE_MAX || r->opt.full_matrices) return;
    report_verbatim(r, "  ... %d of %d entries listed (--full-matrices lists all)", listed, n);
}

bool report_check(Report *r, const char *name, const Tensor *analytic, const Tensor *numerical, const bool *skip,
                  CheckSummary s) {
    if (!r->shown) return s.passed;
    const char *headers[] = {"entry", "analytic", "numerical", "abs error", "rel error", ""};
    report_table_begin(r, 6, headers);
    int n = (int)tensor_size(analytic), listed = 0;
    for (int k = 0; k < n; k++) {
        char e[40], a[40], nu[40], ae[40], re[40];
        if (!isfinite(analytic->data[k])) report_not_finite(name, analytic->data[k]);
        if (!isfinite(numerical->data[k])) report_not_finite(name, numerical->data[k]);
        const char *status = skip && skip[k] ? "skipped (kink)"
                             : gradient_entry_passes(analytic->data[k], numerical->data[k], s.tolerance) ? "ok"
                                                                                                         : "FAIL";
        if (!entry_listed(r, n, k == s.worst, status, &listed)) continue;
        report_entry_name(e, sizeof e, analytic, k);
        snprintf(a, sizeof a, "%.10g", analytic->data[k] == 0.0 ? 0.0 : analytic->data[k]);
        snprintf(nu, sizeof nu, "%.10g", numerical->data[k] == 0.0 ? 0.0 : numerical->data[k]);
        snprintf(ae, sizeof ae, "%.1e", fabs(analytic->data[k] - numerical->data[k]));
        snprintf(re, sizeof re, "%.1e", relative_error(analytic->data[k], numerical->data[k]));
        const char *row[] = {e, a, nu, ae, re, status};
        report_table_row(r, row);
    }
    report_table_end(r);
    entry_table_note(r, n, listed);
    char detail[200], where[40] = "";
    if (s.worst >= 0) report_entry_name(where, sizeof where, analytic, s.worst);
    if (s.worst < 0)
        snprintf(detail, sizeof detail, "no entry could be compared (%d skipped)", s.skipped);
    else if (s.failed)
        snprintf(detail, sizeof detail, "%d of %d entries over tolerance %g, worst relative error %.1e at %s",
                 s.failed, s.n - s.skipped, s.tolerance, s.max_rel_error, where);
    else
        snprintf(detail, sizeof detail, "max relative error %.1e at %s (tolerance %g)%s", s.max_rel_error, where,
                 s.tolerance, s.skipped ? ", kinks skipped" : "");
    verdict_line(r, name, detail, s.passed);
    record_check(r, name, s.max_abs_error, s.max_rel_error, s.tolerance, s.passed);
    return s.passed;
}

bool report_verdict(Report *r, const char *name, bool passed, const char *detail) {
    if (!r->shown) return passed;
    verdict_line(r, name, detail, passed);
    record_check(r, name, 0.0, 0.0, 0.0, passed);
    return passed;
}

bool report_verdict_measured(Report *r, const char *name, double value, double target, bool passed,
                             const char *detail) {
    if (!r->shown) return passed;
    verdict_line(r, name, detail, passed);
    record_check_full(r, name,
                      (CheckRecord){.compared = 1, .verdict = passed ? VERDICT_PASS : VERDICT_FAIL, .measured = true,
                                    .value = value, .target = target});
    return passed;
}

// An entry's status word from its own verdict (compare_bounded_entries).
static const char *bounded_status(const bool *skip, const NumericalDerivative *num, int k, Verdict v) {
    switch (v) {
    case VERDICT_PASS: return "ok";
    case VERDICT_FAIL: return "FAIL";
    case VERDICT_INCONCLUSIVE: return "inconclusive";
    case VERDICT_NOTHING_COMPARED: return (skip && skip[k]) ? "skipped" : num[k].kink ? "kink" : "skipped";
    }
    return "?";
}

// The compared entry whose relative error is the summary's max rel error
// (compare_bounded's formula), the first of equals; 0 when none compared.
// s.worst is another entry: the one nearest its allowance, often a 0-vs-0
// entry of a passing block, so the verdict line names this one instead.
static int max_rel_entry(const Verdict *verdicts, const double *analytic, const NumericalDerivative *num, int n) {
    int at = 0;
    double best = -1.0;
    for (int k = 0; k < n; k++) {
        if (verdicts[k] != VERDICT_PASS && verdicts[k] != VERDICT_FAIL) continue;
        double a = analytic[k], v = num[k].value;
        double rel = fabs(a - v) / fmax(fmax(fabs(a), fabs(v)), GRADCHECK_TINY);
        if (rel > best) best = rel, at = k;
    }
    return at;
}

// The entry table; *max_rel_at receives max_rel_entry's entry (listed too).
static void bounded_table(Report *r, const char *name, const Tensor *analytic, const NumericalDerivative *num,
                          const bool *skip, BoundedSummary s, int *max_rel_at) {
    const char *headers[] = {"entry", "analytic", "numerical", "|a - n|", "allowed", ""};
    report_table_begin(r, 6, headers);
    int n = (int)tensor_size(analytic), listed = 0;
    Verdict *verdicts = malloc((size_t)(n > 0 ? n : 1) * sizeof *verdicts);
    if (!verdicts) usage_error("out of memory for the table of %s", name);
    compare_bounded_entries(verdicts, analytic->data, num, skip, n, s.tolerance);
    *max_rel_at = max_rel_entry(verdicts, analytic->data, num, n);
    for (int k = 0; k < n; k++) {
        char e[40], a[40], nu[40], ae[40], al[40];
        double av = analytic->data[k], nv = num[k].value;
        if (!isfinite(av)) report_not_finite(name, av);
        if (!isfinite(nv)) report_not_finite(name, nv);
        double err = fabs(av - nv), allowed = s.tolerance * fmax(fabs(av), fabs(nv)) + num[k].bound;
        const char *status = bounded_status(skip, num, k, verdicts[k]);
        if (!entry_listed(r, n, k == s.worst || k == *max_rel_at, status, &listed)) continue;
        report_entry_name(e, sizeof e, analytic, k);
        snprintf(a, sizeof a, "%.10g", av == 0.0 ? 0.0 : av);
        snprintf(nu, sizeof nu, "%.10g", nv == 0.0 ? 0.0 : nv);
        snprintf(ae, sizeof ae, "%.1e", err);
        snprintf(al, sizeof al, "%.1e", allowed);
        const char *row[] = {e, a, nu, ae, al, status};
        report_table_row(r, row);
    }
    free(verdicts);
    report_table_end(r);
    entry_table_note(r, n, listed);
}

// The verdict line (naming what was compared, skipped and inconclusive) and
// the JSON entry of a bounded check; where names the worst entry, or is ""
// for a summary without a table, which also says out of how many entries.
static Verdict gradient_verdict(Report *r, const char *name, BoundedSummary s, const char *where, bool of_total) {
    char detail[400];
    int len = of_total ? snprintf(detail, sizeof detail, "%d of %d compared", s.compared, s.n)
                       : snprintf(detail, sizeof detail, "%d compared", s.compared);
    if (s.skipped)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d skipped (%s)", s.skipped,
                        s.skip_reason ? s.skip_reason : "not compared");
    if (s.inconclusive)
        len += snprintf(detail + len, sizeof detail - (size_t)len, ", %d inconclusive (%s)", s.inconclusive,
                        s.undecided_reason ? s.undecided_reason : "error bound too large");
    if (s.compared)
        snprintf(detail + len, sizeof detail - (size_t)len,
                 "; max abs error %.1e, max rel error %.1e%s%s (tolerance %g, bound %.1e)", s.max_abs_error,
                 s.max_rel_error, where[0] ? " at " : "", where, s.tolerance, s.bound);
    r->fmt->verdict(r, name, detail, verdict_word(s.verdict), s.verdict == VERDICT_PASS);
    record_check_full(r, name,
                      (CheckRecord){.compared = s.compared, .skipped = s.skipped, .max_abs = s.max_abs_error,
                                    .max_rel = s.max_rel_error, .tolerance = s.tolerance, .bound = s.bound,
                                    .verdict = s.verdict});
    return s.verdict;
}

Verdict report_gradient_check(Report *r, const char *name, const Tensor *analytic, const NumericalDerivative *num,
                              const bool *skip, BoundedSummary s) {
    if (!r->shown) return s.verdict;
    int max_rel_at;
    bounded_table(r, name, analytic, num, skip, s, &max_rel_at);
    char where[40] = "";
    if (s.compared) report_entry_name(where, sizeof where, analytic, max_rel_at);
    return gradient_verdict(r, name, s, where, false);
}

Verdict report_gradient_summary(Report *r, const char *name, BoundedSummary s) {
    if (!r->shown) return s.verdict;
    return gradient_verdict(r, name, s, "", true);
}

Verdict report_identity(Report *r, const char *name, int compared, double max_abs, double max_rel, double tolerance,
                        const char *detail) {
    Verdict v = compared == 0 ? VERDICT_NOTHING_COMPARED : max_rel <= tolerance ? VERDICT_PASS : VERDICT_FAIL;
    if (!r->shown) return v;
    char line[600];
    snprintf(line, sizeof line, "%s; %d compared, max abs difference %.1e, max rel difference %.1e (tolerance %g)",
             detail, compared, max_abs, max_rel, tolerance);
    r->fmt->verdict(r, name, line, verdict_word(v), v == VERDICT_PASS);
    record_check_full(r, name,
                      (CheckRecord){.compared = compared, .max_abs = max_abs, .max_rel = max_rel,
                                    .tolerance = tolerance, .verdict = v});
    return v;
}

void report_demonstration(Report *r, const char *name, const char *detail) {
    if (!r->shown) return;
    report_text(r, "%s: %s", name, detail);
    sb_puts(&r->demos, r->demos.len ? ",\n    " : "    ");
    sb_puts(&r->demos, "{\"name\": ");
    json_append_string(&r->demos, name);
    sb_puts(&r->demos, ", \"detail\": ");
    json_append_string(&r->demos, detail);
    sb_puts(&r->demos, "}");
}
