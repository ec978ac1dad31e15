// Naming the mistake a wrong --answer matches (issue 17): the chapter's own
// --bug variants at the same inputs, and generic slips of the right value.
// A bug variant is obtained by calling this program's main again, in this
// process, with the same arguments plus --bug NAME --format json, and reading
// the key's value from the JSON it would print (captured, src/report/options.h):
// the chapter's code, not a copy of it. No fork or exec, so it runs the same
// under WASI (make wasm) and costs one chapter run per variant, once for
// every --answer of the run. A re-run renders only the answered keys and
// skips the gradient checks that ask report_check_wanted (chapter 5's), the
// slow part: only a variant that matches runs again, with its checks up to
// the first that fails, for the section that explains it.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "progress.h"
#include "report_internal.h"
#include "slips.h"

// Arguments of the re-run: the user's (at most this many) plus four.
#define MAX_RERUN_ARGS 256
// Scale factors tried for the "scaled" slip: p/q with these bounds.
#define MAX_FACTOR_NUM 12
#define MAX_FACTOR_DEN 12
// Wrong entries named in the line when no mistake matches (the table has all).
#define WRONG_LISTED 6

static bool close_enough(double y, double c) { return relative_error(y, c) <= ANSWER_REL_TOL; }

// ---------------------------------------------------------------- generic slips

// yours is computed after the slip (slips.h): entry k against slip_factor
// times the source entry, or 0 in a shift's gap.
static bool matches(const Tensor *yours, const Tensor *c, Slip slip) {
    long n = (long)tensor_size(c);
    for (long k = 0; k < n; k++) {
        long s = slip_source(slip, k, c->h, c->w);
        if (!close_enough(yours->data[k], s < 0 ? 0.0 : slip_factor(slip) * c->data[s])) return false;
    }
    return true;
}

static bool matches_times(const Tensor *yours, const Tensor *c, double factor) {
    for (size_t k = 0; k < tensor_size(c); k++)
        if (!close_enough(yours->data[k], factor * c->data[k])) return false;
    return true;
}

// A factor p/q that turns computed into yours, written into name.
static bool scaled(const Tensor *yours, const Tensor *c, char *name, size_t len) {
    int n = (int)tensor_size(c), big = 0;
    for (int k = 1; k < n; k++)
        if (fabs(c->data[k]) > fabs(c->data[big])) big = k;
    if (c->data[big] == 0.0) return false;
    double ratio = yours->data[big] / c->data[big];
    for (int q = 1; q <= MAX_FACTOR_DEN; q++)
        for (int p = -MAX_FACTOR_NUM; p <= MAX_FACTOR_NUM; p++) {
            if (p == 0 || p == q || p == -q || !close_enough(ratio, (double)p / q)) continue;
            if (!matches_times(yours, c, (double)p / q)) continue;
            if (q == 1)
                snprintf(name, len, "%d", p);
            else
                snprintf(name, len, "%s%d/%d", p < 0 ? "-" : "", abs(p), q);
            return true;
        }
    return false;
}

// The slip yours matches ("sign", "transposed", ...), described in what.
static const char *find_slip(const Tensor *yours, const Tensor *c, char *what, size_t len) {
    bool square = c->h == c->w && c->h > 1, matrix = c->h > 1 && c->w > 1;
    char factor[32];
    if (matches(yours, c, SLIP_SIGN))
        return snprintf(what, len, "the right value with its sign flipped"), slip_name(SLIP_SIGN);
    if (square && matches(yours, c, SLIP_TRANSPOSED))
        return snprintf(what, len, "the transpose of the right value"), slip_name(SLIP_TRANSPOSED);
    if ((c->h > 1 || c->w > 1) && matches(yours, c, SLIP_ROT180))
        return snprintf(what, len, "the right value rotated by 180 degrees"), slip_name(SLIP_ROT180);
    if (scaled(yours, c, factor, sizeof factor))
        return snprintf(what, len, "the right value times %s", factor), "scaled";
    static const Slip SHIFTS[] = {SLIP_DOWN, SLIP_UP, SLIP_RIGHT, SLIP_LEFT};
    static const char *const WHERE[] = {"down one row", "up one row", "right one column", "left one column"};
    for (int v = 0; v < 4; v++)
        if ((v < 2 ? c->h : c->w) > 1 && matches(yours, c, SHIFTS[v]))
            return snprintf(what, len, "the right value shifted %s", WHERE[v]), slip_name(SHIFTS[v]);
    if (matrix && !square && c->c == 1 && matches(yours, c, SLIP_SWAPPED))
        return snprintf(what, len, "outer(v, u) where outer(u, v) is right: rows and columns swapped"),
               slip_name(SLIP_SWAPPED);
    return NULL;
}

// ---------------------------------------------------------------- bug variants

// Common options left out of the re-run (each takes a value). --section
// stays: an answered key is in a shown section, and a chapter skips the
// work of the sections it does not show (chapter 7 its training).
static bool dropped_option(const char *arg, bool *takes_next) {
    static const char *const DROPPED[] = {"--answer", "--plot", "--format", "--bug"};
    for (size_t k = 0; k < sizeof DROPPED / sizeof *DROPPED; k++) {
        size_t n = strlen(DROPPED[k]);
        if (strncmp(arg, DROPPED[k], n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
            *takes_next = arg[n] == '\0';
            return true;
        }
    }
    return false;
}

static bool chapter_option(const ChapterSpec *spec, const char *arg) {
    for (int k = 0; k < spec->n_options; k++)
        if (strcmp(arg, spec->options[k].name) == 0) return true;
    return false;
}

// The arguments of the re-run: the user's without --answer, --plot, --step,
// --format and --bug, then --bug NAME (none when NULL) --format json.
static int rerun_args(const ReportOptions *o, const char *bug, const char **args) {
    int n = 0;
    args[n++] = o->argv[0];
    for (int i = 1; i < o->argc && n < MAX_RERUN_ARGS; i++) {
        bool takes_next = false;
        if (chapter_option(o->spec, o->argv[i]) && i + 1 < o->argc) {
            args[n++] = o->argv[i++];
            args[n++] = o->argv[i];
        } else if (dropped_option(o->argv[i], &takes_next)) {
            i += takes_next;
        } else if (strcmp(o->argv[i], "--step") != 0) {
            args[n++] = o->argv[i];
        }
    }
    if (bug) args[n++] = "--bug", args[n++] = bug;
    args[n++] = "--format";
    args[n++] = "json";
    args[n] = NULL;
    return n;
}

// This program's own entry point: a re-run calls it again (C allows it).
int main(int argc, char **argv);

// The JSON of each --bug variant's run, by spec->bugs index, kept for every
// --answer of this run (a variant runs at most once, and once more with its
// checks when it matches); NULL when not run yet.
static char **variant_json;
static bool *variant_ran, *variant_section_found;
static char (*variant_sections)[16];
static int n_variants;
// The right code's run (no --bug), for answers given under --bug.
static char *right_json;
static bool right_ran;

void report_mistake_free(void) {
    for (int b = 0; b < n_variants; b++) free(variant_json[b]);
    free(variant_json), free(variant_ran), free(variant_section_found), free(variant_sections);
    variant_json = NULL, variant_ran = variant_section_found = NULL, variant_sections = NULL, n_variants = 0;
    free(right_json);
    right_json = NULL, right_ran = false;
}

// The answers of the run a re-run under way is for (rerun_for NULL outside
// a re-run): the re-run renders only the keys they need. It runs
// its gradient checks (up to the first that fails) only when rerun_checks:
// a value does not depend on them, and only a variant that matches needs
// the section of its first failed check.
static const Answer *rerun_for;
static int rerun_n_answers;
static bool rerun_checks;
// Whether the re-run under way left out a check (a chapter whose checks do
// not ask report_check_wanted runs them all, and its JSON has the section).
static bool rerun_skipped_check;

// key is answered, or is X where X_new is (find_related_slip reads X).
static bool key_answered(const char *key) {
    size_t n = strlen(key);
    for (int a = 0; a < rerun_n_answers; a++) {
        const char *name = rerun_for[a].name;
        if (strcmp(name, key) == 0 || (strncmp(name, key, n) == 0 && strcmp(name + n, "_new") == 0)) return true;
    }
    return false;
}

void report_rerun_scope_begin(const Answer *answers, int n_answers, bool checks) {
    rerun_for = answers, rerun_n_answers = n_answers, rerun_checks = checks, rerun_skipped_check = false;
}

void report_rerun_scope_end(void) { rerun_for = NULL; }

bool report_member_needed(const Report *r, const char *key) {
    return r->fmt == &format_json && (!rerun_for || key_answered(key));
}

bool report_check_wanted(const Report *r) {
    bool wanted = !rerun_for || (rerun_checks && r->n_checks_failed == 0);
    if (!wanted) rerun_skipped_check = true;
    return wanted;
}

// stdout of this program's main run again in this process with --bug bug
// (the right code when bug is NULL) and --format json, or NULL when it
// failed (malloc'd). The JSON holds only the answered keys' values, and
// with checks the records of the checks up to the first that failed.
static char *run_bug_variant(const ReportOptions *o, const char *bug, bool checks) {
    const char *args[MAX_RERUN_ARGS + 8];
    int n = rerun_args(o, bug, args);
    StrBuf out = {0};
    char context[100];
    snprintf(context, sizeof context, "naming the mistake: running %s%s", bug ? "--bug " : "the right code",
             bug ? bug : "");
    progress_context(context);
    rerun_begin(&out, bug);
    report_rerun_scope_begin(o->answers, o->n_answers, checks);
    int status = main(n, (char **)args);
    report_rerun_scope_end();
    rerun_end();
    progress_context(NULL);
    if (status == 2 || status >= 4) {
        sb_free(&out);
        return NULL;
    }
    return out.s;
}

// The section of the first failing check in the re-run's JSON, if any.
static void first_failing_section(const char *json, char *section, size_t len) {
    const char *fail = strstr(json, "\"passed\": false");
    const char *s = fail ? strstr(fail, "\"section\": \"") : NULL;
    const char *next = fail ? strstr(fail, "}") : NULL;
    if (!s || (next && s > next)) return;
    s += strlen("\"section\": \"");
    snprintf(section, len, "%.*s", (int)strcspn(s, "\""), s);
}

// The cached JSON of spec->bugs[b]'s run (NULL if it failed).
static const char *bug_variant_json(const ReportOptions *o, int b) {
    if (!variant_json) {
        variant_json = calloc((size_t)o->spec->n_bugs, sizeof *variant_json);
        variant_ran = calloc((size_t)o->spec->n_bugs, sizeof *variant_ran);
        variant_section_found = calloc((size_t)o->spec->n_bugs, sizeof *variant_section_found);
        variant_sections = calloc((size_t)o->spec->n_bugs, sizeof *variant_sections);
        if (!variant_json || !variant_ran || !variant_section_found || !variant_sections) {
            fprintf(stderr, "error: out of memory naming the mistake\n");
            exit(2);
        }
        n_variants = o->spec->n_bugs;
    }
    if (!variant_ran[b]) {
        variant_json[b] = run_bug_variant(o, o->spec->bugs[b].name, false), variant_ran[b] = true;
        if (!rerun_skipped_check && variant_json[b]) { // its checks ran: the section is there
            first_failing_section(variant_json[b], variant_sections[b], sizeof variant_sections[b]);
            variant_section_found[b] = true;
        }
    }
    return variant_json[b];
}

// The numbers of top-level member key in json, flattened into values (n of
// them); false when the key is absent or has another size.
static bool json_values(const char *json, const char *key, double *values, int n) {
    char pattern[256];
    snprintf(pattern, sizeof pattern, "\n  \"%s\": ", key);
    const char *p = strstr(json, pattern);
    if (!p) return false;
    p += strlen(pattern);
    int depth = 0, k = 0;
    do {
        if (*p == '[') depth++, p++;
        else if (*p == ']') depth--, p++;
        else if (*p == ',' || *p == ' ' || *p == '\n') p++;
        else {
            char *end;
            double v = strtod(p, &end);
            if (end == p || k >= n) return false;
            values[k++] = v;
            p = end;
        }
    } while (depth > 0 && *p);
    return k == n;
}

// The section of the first failed check of spec->bugs[b]'s run, from a run
// with its checks (once per variant; "" when none failed).
static void variant_section(const ReportOptions *o, int b, char *section, size_t len) {
    if (!variant_section_found[b]) {
        char *json = run_bug_variant(o, o->spec->bugs[b].name, true);
        if (json) first_failing_section(json, variant_sections[b], sizeof variant_sections[b]);
        free(json);
        variant_section_found[b] = true;
    }
    snprintf(section, len, "%s", variant_sections[b]);
}

// The --bug whose value of key equals yours; its section in section.
static const BugInfo *find_bug(const Report *r, const char *key, const Tensor *yours, char *section,
                               size_t len) {
    const ChapterSpec *spec = r->opt.spec;
    if (!spec || !r->opt.argv || spec->n_bugs == 0) return NULL;
    int n = (int)tensor_size(yours);
    double *values = malloc((size_t)n * sizeof *values);
    if (!values) return NULL;
    const BugInfo *found = NULL;
    for (int b = 0; b < spec->n_bugs && !found; b++) {
        const char *json = bug_variant_json(&r->opt, b);
        if (!json) continue;
        bool same = json_values(json, key, values, n);
        for (int k = 0; k < n && same; k++) same = close_enough(yours->data[k], values[k]);
        if (same) {
            found = &spec->bugs[b];
            variant_section(&r->opt, b, section, len);
        }
    }
    free(values);
    return found;
}

// ---------------------------------------------------------------- slips of a step or a product

// A slip that needs another quantity of the same run, read from its JSON:
// an ascent step (key X_new, yours = X + η∇ = 2X − (X − η∇)). W where Wᵀ
// belongs is chapter 3's --bug W-not-transposed, found before this.
static const char *find_related_slip(const Report *r, const char *key, const Tensor *yours, const Tensor *c,
                                     char *what, size_t len) {
    size_t kl = strlen(key);
    if (kl <= 4 || strcmp(key + kl - 4, "_new") != 0 || !r->opt.argv) return NULL;
    char *json = run_bug_variant(&r->opt, NULL, false);
    if (!json) return NULL;
    int n = (int)tensor_size(c);
    double *base = malloc((size_t)n * sizeof *base);
    const char *slip = NULL;
    char base_key[64];
    snprintf(base_key, sizeof base_key, "%.*s", (int)(kl - 4), key);
    if (base && json_values(json, base_key, base, n)) {
        bool same = true;
        for (int k = 0; k < n && same; k++) same = close_enough(yours->data[k], 2.0 * base[k] - c->data[k]);
        if (same) snprintf(what, len, "a step uphill, %s + η∇ where %s − η∇ is right", base_key, base_key),
                slip = "ascent";
    }
    free(base);
    free(json);
    return slip;
}

// ---------------------------------------------------------------- patterns

// "only row 2", "only column 0", "only the border" when the wrong entries
// are exactly there.
static bool wrong_pattern(const Tensor *yours, const Tensor *c, char *what, size_t len) {
    if (c->c != 1 || c->h < 2 || c->w < 2) return false;
    int row = -1, col = -1;
    bool one_row = true, one_col = true, border = true;
    for (int i = 0; i < c->h; i++)
        for (int j = 0; j < c->w; j++) {
            if (close_enough(yours->data[i * c->w + j], c->data[i * c->w + j])) continue;
            if (row < 0) row = i, col = j;
            one_row = one_row && i == row;
            one_col = one_col && j == col;
            border = border && (i == 0 || j == 0 || i == c->h - 1 || j == c->w - 1);
        }
    if (row < 0) return false;
    if (one_row && one_col) return false; // a single entry: the table says it
    if (one_row) return snprintf(what, len, "only row %d", row), true;
    if (one_col) return snprintf(what, len, "only column %d", col), true;
    if (border && c->h > 2 && c->w > 2) return snprintf(what, len, "only on the border"), true;
    return false;
}

// "(0,1), (2,2) and 3 more": the first few wrong entries by name.
static const char *wrong_list(const Tensor *yours, const Tensor *c, char *buf, size_t len) {
    int n = (int)tensor_size(c), shown = 0, wrong = 0;
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < n; k++) {
        if (close_enough(yours->data[k], c->data[k])) continue;
        if (wrong++ >= WRONG_LISTED) continue;
        char name[40];
        report_entry_name(name, sizeof name, c, k);
        used += (size_t)snprintf(buf + used, len - used, "%s%s", shown++ ? ", " : "", name);
        if (used >= len) break;
    }
    if (wrong > WRONG_LISTED && used < len) snprintf(buf + used, len - used, " and %d more", wrong - WRONG_LISTED);
    return buf;
}

// ---------------------------------------------------------------- the line

const char *report_name_mistake(Report *r, const char *key, const char *label, const Tensor *yours,
                                const Tensor *computed) {
    char what[200], section[16] = "";
    // The chapter's own mistakes first: when one matches it names the
    // section that explains it and the --bug that shows it.
    const BugInfo *bug = find_bug(r, key, yours, section, sizeof section);
    if (bug) {
        report_text(r, "Your %s is exactly what the chapter computes with the mistake --bug=%s (%s): see %s.",
                    label, bug->name, bug->description, section[0] ? section : r->section);
        return bug->name;
    }
    const char *slip = find_slip(yours, computed, what, sizeof what);
    if (!slip) slip = find_related_slip(r, key, yours, computed, what, sizeof what);
    if (slip) {
        report_text(r, "Your %s is %s (the slip \"%s\").", label, what, slip);
        return slip;
    }
    if (wrong_pattern(yours, computed, what, sizeof what))
        report_text(r, "Your %s matches no classic mistake; the wrong entries are %s.", label, what);
    else
        report_text(r, "Your %s matches no classic mistake the chapter knows (a bug variant, a flipped sign, "
                       "a transpose, rot180, a factor, a shift); the wrong entries are %s.",
                    label, wrong_list(yours, computed, what, sizeof what));
    return NULL;
}

bool report_transposed_answer(const Tensor *yours, const Tensor *computed) {
    if (computed->c != 1 || yours->h != computed->w || yours->w != computed->h) return false;
    for (int i = 0; i < computed->h; i++)
        for (int j = 0; j < computed->w; j++)
            if (!close_enough(yours->data[j * yours->w + i], computed->data[i * computed->w + j])) return false;
    return true;
}

bool report_right_value(const Report *r, const char *key, Tensor *right) {
    if (!r->opt.argv || !r->opt.spec) return false;
    if (!right_ran) right_json = run_bug_variant(&r->opt, NULL, false), right_ran = true;
    return right_json && json_values(right_json, key, right->data, (int)tensor_size(right));
}
