// --answer NAME=MATRIX: the user's hand-computed value of a reported
// quantity, compared entry by entry (relative tolerance ANSWER_REL_TOL).
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "report_internal.h"

// |yours − computed| / max(|yours|, |computed|): the relative error chapter 0
// and the README define (not over |a| + |n|, which would make the printed
// tolerance of 1e-6 an effective 2e-6); 0 when both are 0.
static double answer_rel_error(double yours, double computed) {
    double size = fmax(fabs(yours), fabs(computed));
    return size > 0.0 ? fabs(yours - computed) / size : 0.0;
}

static int find_answer(const Report *r, const char *key) {
    for (int i = 0; i < r->opt.n_answers; i++)
        if (strcmp(r->opt.answers[i].name, key) == 0) return i;
    return -1;
}

static void require_shape(const char *key, const Tensor *yours, const Tensor *computed) {
    // Several channels are typed as their matrices stacked row-wise.
    if (yours->h == computed->c * computed->h && yours->w == computed->w) return;
    char want[32], got[32];
    snprintf(want, sizeof want, "%dx%d", computed->c * computed->h, computed->w);
    tensor_shape_str(got, sizeof got, yours);
    usage_error("--answer %s: wrong shape %s (expected %s)", key, got, want);
}

// The entry-by-entry table; returns the number of wrong entries and lists
// their names as JSON strings in wrong_list.
void report_answer_rounding(Report *r, const Tensor *mag) { r->answer_rounding = mag; }

// Entry k of your answer y against the computed c: 1e-6 relative, or within
// the computed value's own rounding when the chapter gave its magnitudes.
static bool answer_entry_right(const Report *r, const Tensor *computed, long k, double y, double c) {
    const Tensor *mag = r->answer_rounding;
    bool rounding = mag && tensor_size(mag) == tensor_size(computed) &&
                    fabs(y - c) <= ANSWER_ROUNDING_ULPS * DBL_EPSILON * mag->data[k];
    return answer_rel_error(y, c) <= ANSWER_REL_TOL || rounding;
}

static int answer_table(Report *r, const char *label, const Tensor *yours, const Tensor *computed,
                        StrBuf *wrong_list) {
    int n = (int)tensor_size(computed), wrong = 0;
    const char *headers[] = {"entry", "yours", "computed", ""};
    report_text(r, "Your answer for %s, entry by entry:", label);
    report_table_begin(r, 4, headers);
    for (int k = 0; k < n; k++) {
        double y = yours->data[k], c = computed->data[k];
        bool ok = answer_entry_right(r, computed, k, y, c);
        char name[40], ys[40], cs[40];
        report_entry_name(name, sizeof name, computed, k);
        format_number(ys, sizeof ys, y, "--answer");
        // Ten digits: at six, a value one typed from a rounded printout
        // could look identical to the computed one and still be WRONG.
        if (!isfinite(c)) report_not_finite(label, c);
        snprintf(cs, sizeof cs, "%.10g", c == 0.0 ? 0.0 : c);
        const char *row[] = {name, ys, cs, ok ? "ok" : "WRONG"};
        report_table_row(r, row);
        if (!ok) {
            sb_printf(wrong_list, "%s\"%s\"", wrong ? ", " : "", name);
            wrong++;
        }
    }
    report_table_end(r);
    return wrong;
}

// An answer whose every entry agrees to at least this many significant
// digits (1e-3 relative) is under-precise, not a mistake: −10.95 typed for
// −10.9486794. A real slip (a sign, a factor, an index) is off by far more.
#define UNDER_PRECISE_MIN_DIGITS 3

// The fewest significant digits to which any entry of yours agrees with the
// computed one (entries that pass count as fully agreeing).
static int digits_every_entry_agrees(const Tensor *yours, const Tensor *computed) {
    int fewest = 17;
    for (size_t k = 0; k < tensor_size(computed); k++) {
        if (answer_rel_error(yours->data[k], computed->data[k]) <= ANSWER_REL_TOL) continue;
        int d = significant_digits_agreeing(yours->data[k], computed->data[k]);
        if (d < fewest) fewest = d;
    }
    return fewest;
}

static void record_answer(Report *r, const char *key, bool passed, int n, const char *wrong, const char *mistake) {
    sb_puts(&r->answers, r->answers.len ? ",\n    " : "    ");
    sb_puts(&r->answers, "{\"name\": ");
    json_append_string(&r->answers, key);
    sb_printf(&r->answers, ", \"passed\": %s, \"entries\": %d, \"wrong_entries\": [%s], \"matches_mistake\": ",
              passed ? "true" : "false", n, wrong);
    if (mistake)
        json_append_string(&r->answers, mistake);
    else
        sb_puts(&r->answers, "null");
    sb_putc(&r->answers, '}');
}

// An answer typed in the transposed shape that is the transpose of the
// right value: wrong, and the mistake is named, rather than a shape error.
static bool transposed_shape(Report *r, const char *key, const char *label, const Tensor *yours,
                             const Tensor *computed) {
    if (computed->h == computed->w || !report_transposed_answer(yours, computed)) return false;
    char detail[200], name[200];
    snprintf(detail, sizeof detail, "shape %dx%d where %s is %dx%d", yours->h, yours->w, label, computed->h,
             computed->w);
    snprintf(name, sizeof name, "your %s", label);
    r->fmt->verdict(r, name, detail, "WRONG", false);
    report_text(r, "Your %s is the transpose of the right value (the slip \"transposed\").", label);
    r->n_answers_checked++;
    r->n_answers_wrong++;
    record_answer(r, key, false, (int)tensor_size(computed), "", "transposed");
    return true;
}

static const Tensor *right_value_under_bug(Report *r, const char *key, const char *label,
                                           const Tensor *computed, Tensor *right);
static void check_answer_against(Report *r, const char *key, const char *label, const Tensor *yours,
                                 const Tensor *computed);

void report_check_answer(Report *r, const char *key, const char *label, const Tensor *computed) {
    int a = find_answer(r, key);
    if (a < 0) {
        r->answer_rounding = NULL;
        return;
    }
    r->answer_matched[a] = true;
    const Tensor *yours = &r->opt.answers[a].value;
    Tensor right = {0};
    if (r->opt.bug) {
        computed = right_value_under_bug(r, key, label, computed, &right);
        if (!computed) return;
    }
    check_answer_against(r, key, label, yours, computed);
    tensor_free(&right);
}

// Under --bug: the right code's value of key (into right), which the answer
// is compared with; NULL (and a line saying so) when it cannot be had.
static const Tensor *right_value_under_bug(Report *r, const char *key, const char *label,
                                           const Tensor *computed, Tensor *right) {
    *right = tensor_alloc_like(computed);
    r->answer_rounding = NULL; // the magnitudes are the mistake's run's
    if (report_right_value(r, key, right)) {
        report_text(r, "Under --bug %s your %s is compared with the right code's value (this run without --bug), "
                       "not with the mistake's shown above.",
                    r->opt.bug, label);
        return right;
    }
    usage_error("--answer %s: under --bug %s the right value could not be computed; run without --bug", key,
                r->opt.bug);
}

static void check_answer_against(Report *r, const char *key, const char *label, const Tensor *yours,
                                 const Tensor *computed) {
    if (transposed_shape(r, key, label, yours, computed)) return;
    require_shape(key, yours, computed);
    StrBuf wrong_list = {0};
    int n = (int)tensor_size(computed);
    int wrong = answer_table(r, label, yours, computed, &wrong_list);
    r->n_answers_checked++;
    if (wrong) r->n_answers_wrong++;
    char detail[160], name[200];
    if (wrong)
        snprintf(detail, sizeof detail, "%d of %d entries wrong (relative tolerance %g)", wrong, n, ANSWER_REL_TOL);
    else
        snprintf(detail, sizeof detail, "all %d entries right (relative tolerance %g)", n, ANSWER_REL_TOL);
    snprintf(name, sizeof name, "your %s", label);
    r->fmt->verdict(r, name, detail, wrong ? "WRONG" : "RIGHT", !wrong);
    int digits = wrong ? digits_every_entry_agrees(yours, computed) : 0;
    if (digits >= UNDER_PRECISE_MIN_DIGITS) {
        // Right, but typed too short: no mistake to name.
        report_text(r, "Every entry of your %s agrees with the computed value to %d significant digit%s: right, "
                       "but typed too short for the tolerance of %g. Type about 7 significant digits.",
                    label, digits, digits == 1 ? "" : "s", ANSWER_REL_TOL);
        record_answer(r, key, false, n, sb_str(&wrong_list), NULL);
        sb_free(&wrong_list);
        return;
    }
    const char *mistake = wrong ? report_name_mistake(r, key, label, yours, computed) : NULL;
    record_answer(r, key, !wrong, n, sb_str(&wrong_list), mistake);
    sb_free(&wrong_list);
}

// The keys --answer takes (marked '=' in r->keys), comma-separated.
static void answerable_names(const Report *r, StrBuf *names) {
    for (const char *p = sb_str(&r->keys); *p;) {
        size_t n = strcspn(p, "\n");
        if (n > 0 && p[n - 1] == '=') sb_printf(names, "%s%.*s", names->len ? ", " : "", (int)(n - 1), p);
        p += n + (p[n] == '\n');
    }
}

// True when key was reported as something other than a number or matrix.
static bool reported_as_other(const Report *r, const char *key) {
    size_t n = strlen(key);
    for (const char *p = sb_str(&r->keys); *p;) {
        size_t len = strcspn(p, "\n");
        if (len == n && strncmp(p, key, n) == 0) return true;
        p += len + (p[len] == '\n');
    }
    return false;
}

void report_require_answers_matched(const Report *r) {
    for (int i = 0; i < r->opt.n_answers; i++) {
        if (r->answer_matched[i]) continue;
        const char *name = r->opt.answers[i].name;
        if (r->answer_hidden[i])
            usage_error("--answer %.40s: it is reported in a section that --section does not show", name);
        StrBuf names = {0};
        answerable_names(r, &names);
        if (reported_as_other(r, name))
            usage_error("--answer: '%.40s' is not a number, vector or matrix (it is text or a list), so it cannot "
                        "be checked; names --answer takes: %s",
                        name, sb_str(&names));
        usage_error("--answer: unknown name '%.40s' (names --answer takes: %s)", name, sb_str(&names));
    }
}
