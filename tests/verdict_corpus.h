#ifndef TESTS_VERDICT_CORPUS_H
#define TESTS_VERDICT_CORPUS_H
// The verdict corpus's tools (tests/check_verdict_corpus.c and
// check_verdict_corpus_extra.c): a seeded generator, small matrices, the
// truth judged against a check's own tolerance, the JSON checks array, and
// running a chapter and scoring each verdict against the truth.
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arraylen.h"
#include "proc.h"

// Problems per chapter in `make check` (each runs once per --bug and once
// without); the script asks for more.
#define DEFAULT_PROBLEMS 40
// Seeds of the default runs: make check samples the first DEFAULT_SEEDS
// (chapter 6, about 0.4 s a run, DEFAULT_CH6_SEEDS) to stay near a minute;
// the script (CI) runs all SEEDS of every chapter.
#define SEEDS 100
#define DEFAULT_SEEDS 20
#define DEFAULT_CH6_SEEDS 3
// At most this fraction of the scored checks may be INCONCLUSIVE (issue 26).
#define MAX_INCONCLUSIVE 0.005
// Whether the gradient a check compares is the true one is judged against
// that check's own printed tolerance tol (its rtol):
//   the same     every entry within SAME_REL of the sum of |terms| making it
//                up (a different rounding of the same sum), plus
//                TOL_SAME·tol of its value (a difference the check allows);
//   different    some entry off by more than TOL_DIFFERENT·tol of its value
//                and by more than DIFFER_MAG of its terms' magnitude (so
//                that cancellation down to rounding noise never counts);
// in between, or when no tolerance is printed, the check is not scored
// (counted as "ambiguous").
#define SAME_REL 1e-10
#define TOL_SAME 0.1
#define TOL_DIFFERENT 10.0
#define DIFFER_MAG 1e-8
// Entries of the matrices here (the largest is a 30×30 input).
#define MAXE 1024
// False verdicts written out in full (the rest are counted).
#define MAX_LOGGED 12

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

// ---------------------------------------------------------------- small tools

typedef struct {
    uint64_t s;
} Rng;

// splitmix64: this file's own generator, independent of src/core/rng.c.
static inline uint64_t rng_next(Rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static inline double uni(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static inline int below(Rng *r, int n) { return (int)(uni(r) * n); }
static inline int between(Rng *r, int lo, int hi) { return lo + below(r, hi - lo + 1); }
static inline double range(Rng *r, double lo, double hi) { return lo + (hi - lo) * uni(r); }
// 10^e for e uniform in [lo, hi].
static inline double log_scale(Rng *r, double lo, double hi) { return pow(10.0, range(r, lo, hi)); }

// A relative change between 1e-7 and 1e-5, of either sign: far above
// rounding, far below what a glance at the numbers shows.
static inline double near_miss(Rng *r) { return (below(r, 2) ? 1 : -1) * log_scale(r, -7, -5); }

typedef struct {
    int h, w;
    double v[MAXE];
} Mat;

static inline void mat_init(Mat *m, int h, int w) {
    ck_assert_msg(h >= 1 && w >= 1 && h * w <= MAXE, "matrix %dx%d", h, w);
    memset(m, 0, sizeof *m);
    m->h = h, m->w = w;
}
static inline int mat_n(const Mat *m) { return m->h * m->w; }
// Entry (i,j), 0 outside the matrix (zero padding).
static inline double mat_get(const Mat *m, int i, int j) {
    return i >= 0 && i < m->h && j >= 0 && j < m->w ? m->v[i * m->w + j] : 0.0;
}
static inline void mat_rot180(Mat *out, const Mat *m) {
    mat_init(out, m->h, m->w);
    for (int e = 0; e < mat_n(m); e++) out->v[e] = m->v[mat_n(m) - 1 - e];
}

typedef enum { FILL_UNIFORM, FILL_INTS, FILL_PIXELS, FILL_CONST } Fill;

// Entries uniform in [−scale, scale), integers in [−3, 3], integers in
// [0, 255] ("pixels") or one constant scale·c.
static inline void mat_fill(Mat *m, Rng *r, Fill fill, double scale) {
    double c = range(r, 0.5, 2.0) * scale;
    for (int e = 0; e < mat_n(m); e++) switch (fill) {
        case FILL_UNIFORM: m->v[e] = range(r, -1.0, 1.0) * scale; break;
        case FILL_INTS: m->v[e] = between(r, -3, 3); break;
        case FILL_PIXELS: m->v[e] = between(r, 0, 255); break;
        case FILL_CONST: m->v[e] = c; break;
        }
}

// m = rot180(m): the second half mirrors the first.
static inline void mat_centrosymmetric(Mat *m) {
    int n = mat_n(m);
    for (int e = 0; e < n / 2; e++) m->v[n - 1 - e] = m->v[e];
}

// Integer entries summing to exactly zero (the last one balances).
static inline void mat_zero_sum_ints(Mat *m, Rng *r) {
    double sum = 0.0;
    for (int e = 0; e + 1 < mat_n(m); e++) sum += m->v[e] = between(r, -3, 3);
    m->v[mat_n(m) - 1] = -sum;
}

// The matrix literal the chapters parse; %.17g reads back the same double.
static inline const char *literal(char *buf, size_t len, const Mat *m) {
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->h; i++)
        for (int j = 0; j < m->w; j++) {
            at += (size_t)snprintf(buf + at, len - at, "%s%.17g", j ? " " : i ? "; " : "", m->v[i * m->w + j]);
            ck_assert(at < len);
        }
    return buf;
}

static inline int env_int(const char *name, int fallback) {
    const char *s = getenv(name);
    return s && atoi(s) > 0 ? atoi(s) : fallback;
}

static inline int corpus_problems(void) {
    return env_int("VERDICT_CORPUS_PROBLEMS", SANITIZED ? DEFAULT_PROBLEMS / 4 : DEFAULT_PROBLEMS);
}

// ---------------------------------------------------------------- truth

typedef enum { TRUTH_SAME, TRUTH_DIFFERS, TRUTH_AMBIGUOUS } Truth;

// t: the true gradient, a: the gradient the run checks, mag: per entry the
// sum of |terms| of both, tol: the check's tolerance (see SAME_REL).
static inline Truth judge(const double *t, const double *a, const double *mag, int n, double tol) {
    bool same = true, differs = false;
    for (int e = 0; e < n; e++) {
        double d = fabs(a[e] - t[e]), size = fmax(fabs(a[e]), fabs(t[e]));
        if (!(d <= SAME_REL * mag[e] + TOL_SAME * tol * size)) same = false;
        if (d > TOL_DIFFERENT * tol * size && d > DIFFER_MAG * mag[e]) differs = true;
    }
    return same ? TRUTH_SAME : differs && tol >= 0 ? TRUTH_DIFFERS : TRUTH_AMBIGUOUS;
}

// One gradient check the run must show, by its name in the JSON, and the
// gradient it checks, printed under JSON key `key` (n entries): the truth
// `t` derived here, and `a`, what the formulas here say the run computes,
// bug included; `mag` per entry is the sum of |terms| of both. The verdict
// is scored against judge(t, printed, mag, its tolerance); the printed one must be
// `a` within SAME_REL of mag (times `slack`, when above 1, for a bug that is
// itself badly conditioned): the bug does what the formulas say.
typedef struct {
    const char *name, *key;
    const double *t, *a, *mag;
    int n;
    double slack;
} Expect;

// ---------------------------------------------------------------- the JSON checks array

typedef struct {
    char name[160], verdict[32];
    double tolerance; // −1 when not printed
} CheckRow;

typedef struct {
    int n;
    CheckRow row[192];
} Checks;

// Past the JSON string starting at p (at its opening quote).
static inline const char *skip_string(const char *p) {
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

// The string value of "key" inside [obj, end), unescaped (\" and \\ only).
static inline bool string_field(char *out, size_t len, const char *obj, const char *end, const char *key) {
    char pat[48];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(obj, pat);
    if (!p || p >= end) return false;
    size_t n = 0;
    for (p += strlen(pat); *p && *p != '"' && n + 1 < len; p++) {
        if (*p == '\\' && p[1]) p++;
        out[n++] = *p;
    }
    out[n] = '\0';
    return true;
}

// The number value of "key" inside [obj, end), or −1.
static inline double number_field(const char *obj, const char *end, const char *key) {
    char pat[48];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(obj, pat);
    char *after;
    double v = p && p < end ? strtod(p + strlen(pat), &after) : -1.0;
    return p && p < end && after != p + strlen(pat) ? v : -1.0;
}

// Every entry of the top-level "checks" array: name, verdict, tolerance.
static inline bool parse_checks(Checks *c, const char *json) {
    c->n = 0;
    const char *p = strstr(json, "\"checks\": [");
    if (!p) return false;
    p += strlen("\"checks\": [");
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == ',') p++;
        if (*p == ']') return true;
        if (*p != '{' || c->n == ARRAY_LEN(c->row)) return false;
        const char *obj = p;
        int depth = 0;
        for (; *p; p++) {
            if (*p == '"') p = skip_string(p) - 1;
            else if (*p == '{') depth++;
            else if (*p == '}' && --depth == 0) break;
        }
        if (!*p) return false;
        CheckRow *row = &c->row[c->n++];
        if (!string_field(row->name, sizeof row->name, obj, p, "name") ||
            !string_field(row->verdict, sizeof row->verdict, obj, p, "verdict"))
            return false;
        row->tolerance = number_field(obj, p, "tolerance");
        p++;
    }
}

// The numbers of top-level key `key` (a number, vector or matrix, in
// reading order; null reads as NaN) into out; their count, or −1.
static inline int json_numbers(double *out, int max, const char *json, const char *key) {
    char pat[48];
    snprintf(pat, sizeof pat, "\n  \"%s\": ", key);
    const char *p = strstr(json, pat);
    if (!p) return -1;
    p += strlen(pat);
    int n = 0, depth = 0;
    do {
        if (*p == '[') depth++, p++;
        else if (*p == ']') depth--, p++;
        else if (*p == ',' || *p == ' ' || *p == '\n') p++;
        else if (strncmp(p, "null", 4) == 0) {
            if (n == max) return -1;
            out[n++] = NAN, p += 4;
        } else {
            char *end;
            double v = strtod(p, &end);
            if (end == p || n == max) return -1;
            out[n++] = v, p = end;
        }
    } while (depth > 0 && *p);
    return depth == 0 ? n : -1;
}

// ---------------------------------------------------------------- running and scoring

typedef struct {
    const char *chapter;
    int problems, runs, scored, right, false_pass, false_fail, inconclusive, ambiguous, other;
    int inconclusive_zero; // of them, on a gradient that is zero up to rounding
    int result_line;       // runs exiting 3 whose text Result line says PASS
    int logged_bad, logged_inconclusive; // messages written so far, of each kind
} Tally;

// The command as a user would type it, for the messages.
static inline void command_line(char *buf, size_t len, const char *program, const char *const *args) {
    size_t at = (size_t)snprintf(buf, len, "build/%s", program);
    for (int i = 0; args[i] && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, strncmp(args[i], "--", 2) == 0 ? " %s" : " \"%s\"", args[i]);
}

// A message on stderr with the command; at most MAX_LOGGED per counter.
static inline void note(int *logged, const char *cmd, const char *fmt, ...) {
    if ((*logged)++ >= MAX_LOGGED) return;
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "verdict_corpus: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n  %s\n", cmd);
    va_end(ap);
}

// Which expectation a check belongs to: its name exactly, or the name and
// " along a random direction" (the budget's directional check).
static inline const Expect *expect_for(const char *name, const Expect *ex, int n) {
    for (int q = 0; q < n; q++) {
        size_t len = strlen(ex[q].name);
        if (strncmp(name, ex[q].name, len) == 0 && (name[len] == '\0' || strncmp(name + len, " along", 6) == 0))
            return &ex[q];
    }
    return NULL;
}

static inline void score(Tally *t, const CheckRow *row, Truth truth, bool zero, const char *cmd) {
    if (truth == TRUTH_AMBIGUOUS) {
        t->ambiguous++;
        return;
    }
    t->scored++;
    bool pass = strcmp(row->verdict, "pass") == 0, fail = strcmp(row->verdict, "fail") == 0;
    if (strcmp(row->verdict, "inconclusive") == 0) {
        t->inconclusive++;
        t->inconclusive_zero += zero;
        note(&t->logged_inconclusive, cmd, "INCONCLUSIVE \"%s\" (expected %s%s)", row->name,
             truth == TRUTH_SAME ? "pass" : "fail", zero ? "; the true gradient is zero" : "");
    } else if (truth == TRUTH_SAME && !pass) {
        t->false_fail++;
        note(&t->logged_bad, cmd, "false FAIL: \"%s\" says %s, but the gradient it checks is the true one", row->name,
             row->verdict);
    } else if (truth == TRUTH_DIFFERS && !fail) {
        t->false_pass++;
        note(&t->logged_bad, cmd, "false PASS: \"%s\" says %s, but the gradient it checks is wrong", row->name,
             row->verdict);
    } else {
        t->right++;
    }
}

// The gradient a check compares, as the run printed it (into out), which
// must be the one derived here; else an "other" problem, and the one
// derived here stands in.
static inline const double *printed_gradient(double *out, Tally *t, const Expect *ex, const char *json, const char *cmd) {
    int n = json_numbers(out, MAXE, json, ex->key), worst = -1;
    for (int e = 0; e < n && n == ex->n; e++)
        if (!(fabs(out[e] - ex->a[e]) <= SAME_REL * ex->mag[e] * fmax(1.0, ex->slack))) worst = e;
    if (n == ex->n && worst < 0) return out;
    t->other++;
    note(&t->logged_bad, cmd, "\"%s\" is not the gradient derived here (%d entries, expected %d; entry %d: "
         "%.17g, expected %.17g)", ex->key, n, ex->n, worst, worst >= 0 ? out[worst] : 0.0,
         worst >= 0 ? ex->a[worst] : 0.0);
    return ex->a;
}

// A run that exits 3 (nothing failed, something undecided) must not end its
// text output with a Result line that says PASS: the student reads it.
static inline void check_result_line(Tally *t, const char *program, const char *const *json_argv, const char *cmd) {
    const char *argv[40];
    int argc = 0;
    for (int i = 0; json_argv[i]; i++)
        if (strcmp(json_argv[i], "--format") == 0) i++; // and its value
        else argv[argc++] = json_argv[i];
    argv[argc++] = "--no-color", argv[argc] = NULL;
    ProcResult p = run_chapter(program, argv);
    const char *line = NULL;
    for (const char *q = p.out; (q = strstr(q, "Result:")) != NULL; q++) line = q;
    size_t len = line ? strcspn(line, "\n") : 0;
    if (p.status != 3 || !line || (len >= 4 && strncmp(line + len - 4, "PASS", 4) == 0)) {
        t->result_line++;
        note(&t->logged_bad, cmd, "exits 3 (a check inconclusive), yet its text output (exit %d) ends \"%.*s\"",
             p.status, (int)len, line ? line : "");
    }
    proc_free(&p);
}

// Runs program with args, --format json and --bug (when bug is set), and
// scores every check named in ex. In a run without a bug every other check
// (the chapter's own examples) must pass too.
static inline void run_scored(Tally *t, const char *program, const char *const *args, const char *bug, const Expect *ex,
                       int n_ex) {
    const char *argv[40];
    int argc = 0;
    for (; args[argc]; argc++) argv[argc] = args[argc];
    argv[argc++] = "--format", argv[argc++] = "json";
    if (bug) argv[argc++] = "--bug", argv[argc++] = bug;
    argv[argc] = NULL;
    ck_assert(argc < ARRAY_LEN(argv));
    char cmd[16384];
    command_line(cmd, sizeof cmd, program, argv);
    ProcResult p = run_chapter(program, argv);
    t->runs++;
    static Checks checks;
    ck_assert_msg(p.status != 2 && parse_checks(&checks, p.out), "the corpus made a bad run (status %d): %s\n%s",
                  p.status, cmd, p.err);
    bool any_fail = false, any_undecided = false;
    int seen[4] = {0};
    static double printed[4][MAXE];
    const double *grad[4];
    bool zero[4];
    ck_assert(n_ex <= 4);
    static const double zeros[MAXE];
    for (int q = 0; q < n_ex; q++) {
        grad[q] = printed_gradient(printed[q], t, &ex[q], p.out, cmd);
        zero[q] = judge(zeros, ex[q].t, ex[q].mag, ex[q].n, 0.0) == TRUTH_SAME;
    }
    for (int c = 0; c < checks.n; c++) {
        const CheckRow *row = &checks.row[c];
        any_fail |= strcmp(row->verdict, "fail") == 0;
        any_undecided |= strcmp(row->verdict, "pass") != 0;
        const Expect *e = expect_for(row->name, ex, n_ex);
        if (e) {
            int q = (int)(e - ex);
            seen[q]++;
            score(t, row, judge(e->t, grad[q], e->mag, e->n, row->tolerance), zero[q], cmd);
        } else if (!bug && strcmp(row->verdict, "pass") != 0) {
            t->other++;
            note(&t->logged_bad, cmd, "\"%s\" says %s in a run without a bug", row->name, row->verdict);
        }
    }
    for (int q = 0; q < n_ex; q++)
        if (!seen[q]) {
            t->other++;
            note(&t->logged_bad, cmd, "no check named \"%s\"", ex[q].name);
        }
    int expected = any_fail ? 1 : any_undecided ? 3 : 0;
    if (p.status != expected) {
        t->other++;
        note(&t->logged_bad, cmd, "exit status %d, but the checks say %d", p.status, expected);
    }
    if (p.status == 3) check_result_line(t, program, argv, cmd);
    proc_free(&p);
}

static inline void tally_add(Tally *sum, const Tally *t) {
    sum->problems += t->problems, sum->runs += t->runs, sum->scored += t->scored, sum->right += t->right;
    sum->false_pass += t->false_pass, sum->false_fail += t->false_fail, sum->inconclusive += t->inconclusive;
    sum->ambiguous += t->ambiguous, sum->other += t->other, sum->inconclusive_zero += t->inconclusive_zero;
    sum->result_line += t->result_line;
}

static inline void tally_print(const Tally *t) {
    double rate = t->scored ? (double)t->inconclusive / t->scored : 0.0;
    fprintf(stderr,
            "verdict_corpus %s: %d problems, %d runs, %d gradient checks scored: %d false PASS, %d false FAIL, "
            "%d inconclusive (%.2f%%, %d on a zero gradient), %d right\n"
            "  not scored (truth ambiguous): %d; other problems: %d; exit-3 runs whose Result says PASS: %d\n",
            t->chapter, t->problems, t->runs, t->scored, t->false_pass, t->false_fail, t->inconclusive, 100.0 * rate,
            t->inconclusive_zero, t->right, t->ambiguous, t->other, t->result_line);
}

static inline void tally_assert_no_false_verdict(const Tally *t) {
    ck_assert_msg(t->scored > 0, "%s: nothing scored", t->chapter);
    ck_assert_msg(t->false_pass == 0, "%s: %d false PASS (see stderr)", t->chapter, t->false_pass);
    ck_assert_msg(t->false_fail == 0, "%s: %d false FAIL (see stderr)", t->chapter, t->false_fail);
    ck_assert_msg(t->other == 0, "%s: %d other problems (see stderr)", t->chapter, t->other);
}

// σ(z), as the chapters 2 and 3 problems' truths use it.
static inline double sigmoid_of(double z) { return 1.0 / (1.0 + exp(-z)); }

#endif
