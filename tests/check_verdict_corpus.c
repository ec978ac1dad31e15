// The verdict corpus (issue 12, item 8, the chapter half; issues 26 and 31):
// seeded random problems for chapters 1, 3 and 5 (and 4; and 2 without a
// bug), each run as a process with and without
// every --bug, and every gradient check's verdict in the JSON `checks` array
// compared with a truth computed here, from formulas derived by hand in this
// file (never from the library): does the gradient the run checks equal the
// true gradient, or does the bug change it?
//   true gradient, check PASS   right        check FAIL  false FAIL
//   changed by the bug, FAIL    right        check PASS  false PASS
//   either, INCONCLUSIVE        counted (at most MAX_INCONCLUSIVE overall)
// Inputs span 1e-9 … 1e6, and 1e-12 … 1e8 per operand independently
// (issue 26), max-pooling near-ties of 1e-16 … 1e-8 relative, zeros beside
// huge entries, tiny entries in an O(1) loss and saturated sigmoids (issue
// 31); they include exactly-zero gradients (constant inputs
// under an upstream that sums to zero, zero upstreams, zero outputs of a
// dense layer), bugs that cannot show (a kernel equal to its rotation, one
// output row, n = 1, stride 1), bugs that change a gradient by only 1e-7 …
// 1e-5 of it, saturated sigmoids, integer "pixels", and issue 12's own
// examples. Each run must also print the gradient the formulas here give
// for it (so the bug is the one described), exit with the status its checks
// imply (0, 1 or 3), and, when that is 3, not say PASS in its text Result.
// Also: every chapter's default run exits 0 for --seed 1 … 20 (the script:
// 1 … 100).
//
// The corpus is small in `make check`; tests/verdict_corpus.sh runs a larger
// one (VERDICT_CORPUS_PROBLEMS, VERDICT_CORPUS_SEEDS, VERDICT_CORPUS_CH6_SEEDS).
// The counts go to stderr.
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
static uint64_t rng_next(Rng *r) {
    uint64_t z = (r->s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}
static double uni(Rng *r) { return (double)(rng_next(r) >> 11) * 0x1.0p-53; }
static int below(Rng *r, int n) { return (int)(uni(r) * n); }
static int between(Rng *r, int lo, int hi) { return lo + below(r, hi - lo + 1); }
static double range(Rng *r, double lo, double hi) { return lo + (hi - lo) * uni(r); }
// 10^e for e uniform in [lo, hi].
static double log_scale(Rng *r, double lo, double hi) { return pow(10.0, range(r, lo, hi)); }

// A relative change between 1e-7 and 1e-5, of either sign: far above
// rounding, far below what a glance at the numbers shows.
static double near_miss(Rng *r) { return (below(r, 2) ? 1 : -1) * log_scale(r, -7, -5); }

typedef struct {
    int h, w;
    double v[MAXE];
} Mat;

static void mat_init(Mat *m, int h, int w) {
    ck_assert_msg(h >= 1 && w >= 1 && h * w <= MAXE, "matrix %dx%d", h, w);
    memset(m, 0, sizeof *m);
    m->h = h, m->w = w;
}
static int mat_n(const Mat *m) { return m->h * m->w; }
// Entry (i,j), 0 outside the matrix (zero padding).
static double mat_get(const Mat *m, int i, int j) {
    return i >= 0 && i < m->h && j >= 0 && j < m->w ? m->v[i * m->w + j] : 0.0;
}
static void mat_rot180(Mat *out, const Mat *m) {
    mat_init(out, m->h, m->w);
    for (int e = 0; e < mat_n(m); e++) out->v[e] = m->v[mat_n(m) - 1 - e];
}

typedef enum { FILL_UNIFORM, FILL_INTS, FILL_PIXELS, FILL_CONST } Fill;

// Entries uniform in [−scale, scale), integers in [−3, 3], integers in
// [0, 255] ("pixels") or one constant scale·c.
static void mat_fill(Mat *m, Rng *r, Fill fill, double scale) {
    double c = range(r, 0.5, 2.0) * scale;
    for (int e = 0; e < mat_n(m); e++) switch (fill) {
        case FILL_UNIFORM: m->v[e] = range(r, -1.0, 1.0) * scale; break;
        case FILL_INTS: m->v[e] = between(r, -3, 3); break;
        case FILL_PIXELS: m->v[e] = between(r, 0, 255); break;
        case FILL_CONST: m->v[e] = c; break;
        }
}

// m = rot180(m): the second half mirrors the first.
static void mat_centrosymmetric(Mat *m) {
    int n = mat_n(m);
    for (int e = 0; e < n / 2; e++) m->v[n - 1 - e] = m->v[e];
}

// Integer entries summing to exactly zero (the last one balances).
static void mat_zero_sum_ints(Mat *m, Rng *r) {
    double sum = 0.0;
    for (int e = 0; e + 1 < mat_n(m); e++) sum += m->v[e] = between(r, -3, 3);
    m->v[mat_n(m) - 1] = -sum;
}

// The matrix literal the chapters parse; %.17g reads back the same double.
static const char *literal(char *buf, size_t len, const Mat *m) {
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; i < m->h; i++)
        for (int j = 0; j < m->w; j++) {
            at += (size_t)snprintf(buf + at, len - at, "%s%.17g", j ? " " : i ? "; " : "", m->v[i * m->w + j]);
            ck_assert(at < len);
        }
    return buf;
}

static int env_int(const char *name, int fallback) {
    const char *s = getenv(name);
    return s && atoi(s) > 0 ? atoi(s) : fallback;
}

static int corpus_problems(void) {
    return env_int("VERDICT_CORPUS_PROBLEMS", SANITIZED ? DEFAULT_PROBLEMS / 4 : DEFAULT_PROBLEMS);
}

// ---------------------------------------------------------------- truth

typedef enum { TRUTH_SAME, TRUTH_DIFFERS, TRUTH_AMBIGUOUS } Truth;

// t: the true gradient, a: the gradient the run checks, mag: per entry the
// sum of |terms| of both, tol: the check's tolerance (see SAME_REL).
static Truth judge(const double *t, const double *a, const double *mag, int n, double tol) {
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
static const char *skip_string(const char *p) {
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

// The string value of "key" inside [obj, end), unescaped (\" and \\ only).
static bool string_field(char *out, size_t len, const char *obj, const char *end, const char *key) {
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
static double number_field(const char *obj, const char *end, const char *key) {
    char pat[48];
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *p = strstr(obj, pat);
    char *after;
    double v = p && p < end ? strtod(p + strlen(pat), &after) : -1.0;
    return p && p < end && after != p + strlen(pat) ? v : -1.0;
}

// Every entry of the top-level "checks" array: name, verdict, tolerance.
static bool parse_checks(Checks *c, const char *json) {
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
static int json_numbers(double *out, int max, const char *json, const char *key) {
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
static void command_line(char *buf, size_t len, const char *program, const char *const *args) {
    size_t at = (size_t)snprintf(buf, len, "build/%s", program);
    for (int i = 0; args[i] && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, strncmp(args[i], "--", 2) == 0 ? " %s" : " \"%s\"", args[i]);
}

// A message on stderr with the command; at most MAX_LOGGED per counter.
static void note(int *logged, const char *cmd, const char *fmt, ...) {
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
static const Expect *expect_for(const char *name, const Expect *ex, int n) {
    for (int q = 0; q < n; q++) {
        size_t len = strlen(ex[q].name);
        if (strncmp(name, ex[q].name, len) == 0 && (name[len] == '\0' || strncmp(name + len, " along", 6) == 0))
            return &ex[q];
    }
    return NULL;
}

static void score(Tally *t, const CheckRow *row, Truth truth, bool zero, const char *cmd) {
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
static const double *printed_gradient(double *out, Tally *t, const Expect *ex, const char *json, const char *cmd) {
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
static void check_result_line(Tally *t, const char *program, const char *const *json_argv, const char *cmd) {
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
static void run_scored(Tally *t, const char *program, const char *const *args, const char *bug, const Expect *ex,
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

static void tally_add(Tally *sum, const Tally *t) {
    sum->problems += t->problems, sum->runs += t->runs, sum->scored += t->scored, sum->right += t->right;
    sum->false_pass += t->false_pass, sum->false_fail += t->false_fail, sum->inconclusive += t->inconclusive;
    sum->ambiguous += t->ambiguous, sum->other += t->other, sum->inconclusive_zero += t->inconclusive_zero;
    sum->result_line += t->result_line;
}

static void tally_print(const Tally *t) {
    double rate = t->scored ? (double)t->inconclusive / t->scored : 0.0;
    fprintf(stderr,
            "verdict_corpus %s: %d problems, %d runs, %d gradient checks scored: %d false PASS, %d false FAIL, "
            "%d inconclusive (%.2f%%, %d on a zero gradient), %d right\n"
            "  not scored (truth ambiguous): %d; other problems: %d; exit-3 runs whose Result says PASS: %d\n",
            t->chapter, t->problems, t->runs, t->scored, t->false_pass, t->false_fail, t->inconclusive, 100.0 * rate,
            t->inconclusive_zero, t->right, t->ambiguous, t->other, t->result_line);
}

static void tally_assert_no_false_verdict(const Tally *t) {
    ck_assert_msg(t->scored > 0, "%s: nothing scored", t->chapter);
    ck_assert_msg(t->false_pass == 0, "%s: %d false PASS (see stderr)", t->chapter, t->false_pass);
    ck_assert_msg(t->false_fail == 0, "%s: %d false FAIL (see stderr)", t->chapter, t->false_fail);
    ck_assert_msg(t->other == 0, "%s: %d other problems (see stderr)", t->chapter, t->other);
}

// ---------------------------------------------------------------- chapter 1

// L = Σ G∘Y with Y = X ⋆ K or Y = X * K (valid, or full: X zero-padded by
// the kernel's size − 1).
typedef struct {
    Mat x, k, g;
    bool full;
} Ch1;

// The kinds of problem, in turn: generic, pixels, constant X under a
// zero-sum G (∂L/∂K = 0 exactly), X and G equal to their own rotation
// (X ⋆ G is too, so no-rot180 cannot show), a 1×1 kernel, G = 0, and X
// symmetric but for one entry off by a relative NEAR_MISS (no-rot180 changes
// ∂L/∂K by about that fraction: a false PASS would hide here).
enum {
    CH1_GENERIC,
    CH1_PIXELS,
    CH1_ZERO_GRAD,
    CH1_SYMMETRIC,
    CH1_ONE_BY_ONE,
    CH1_ZERO_UPSTREAM,
    CH1_NEAR_SYMMETRIC,
    CH1_WILD,          // X, K and G each at its own scale, 1e-12 … 1e8 (issue 26)
    CH1_RAMP_CHECKER,  // an integer ramp X under a checkerboard G of even size: ∂L/∂K exactly 0
    CH1_KINDS
};

// X[i,j] = c0 + c1·i + c2·j (integers), G = ±1 alternating on an even×even
// output: each window sum Σ G[i,j]·X[i+m, j+n] pairs every entry with its
// neighbour of the other sign, and a ramp's pairs differ by the same c, so
// ∂L/∂K = 0 exactly, at any scale of X (times a power of two: still exact).
static void ch1_ramp_checker(Ch1 *p, Rng *r) {
    int oh = 2 * between(r, 1, 2), ow = 2 * between(r, 1, 2), kh = between(r, 1, 3), kw = between(r, 1, 3);
    p->full = false;
    mat_init(&p->x, oh + kh - 1, ow + kw - 1), mat_init(&p->k, kh, kw), mat_init(&p->g, oh, ow);
    double c0 = between(r, -9, 9), c1 = between(r, -5, 5), c2 = between(r, -5, 5), s = ldexp(1.0, between(r, -40, 26));
    for (int i = 0; i < p->x.h; i++)
        for (int j = 0; j < p->x.w; j++) p->x.v[i * p->x.w + j] = (c0 + c1 * i + c2 * j) * s;
    mat_fill(&p->k, r, FILL_UNIFORM, log_scale(r, -12, 8));
    double g = ldexp(1.0, between(r, -40, 26));
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++) p->g.v[i * ow + j] = (i + j) % 2 ? -g : g;
}

static void ch1_generate(Ch1 *p, Rng *r, int kind) {
    p->full = kind != CH1_ZERO_GRAD && below(r, 3) == 0;
    int h = between(r, 1, 5), w = between(r, 1, 5);
    int kh = kind == CH1_ONE_BY_ONE ? 1 : between(r, 1, p->full ? 3 : h < 3 ? h : 3);
    int kw = kind == CH1_ONE_BY_ONE ? 1 : between(r, 1, p->full ? 3 : w < 3 ? w : 3);
    mat_init(&p->x, h, w), mat_init(&p->k, kh, kw);
    if (p->full)
        mat_init(&p->g, h + kh - 1, w + kw - 1);
    else
        mat_init(&p->g, h - kh + 1, w - kw + 1);
    double scale = log_scale(r, -9, 6);
    mat_fill(&p->x, r, kind == CH1_PIXELS ? FILL_PIXELS : kind == CH1_ZERO_GRAD ? FILL_CONST : FILL_UNIFORM, scale);
    mat_fill(&p->k, r, below(r, 2) ? FILL_INTS : FILL_UNIFORM, log_scale(r, -2, 2));
    mat_fill(&p->g, r, kind == CH1_PIXELS || below(r, 3) == 0 ? FILL_UNIFORM : FILL_INTS, log_scale(r, -3, 3));
    if (kind == CH1_ZERO_GRAD) mat_zero_sum_ints(&p->g, r);
    if (kind == CH1_SYMMETRIC || kind == CH1_NEAR_SYMMETRIC) mat_centrosymmetric(&p->x), mat_centrosymmetric(&p->g);
    if (kind == CH1_NEAR_SYMMETRIC) p->x.v[below(r, mat_n(&p->x))] *= 1 + near_miss(r);
    if (kind == CH1_ZERO_UPSTREAM) memset(p->g.v, 0, sizeof p->g.v);
    if (kind == CH1_WILD) {
        mat_fill(&p->x, r, FILL_UNIFORM, log_scale(r, -12, 8));
        mat_fill(&p->k, r, FILL_UNIFORM, log_scale(r, -12, 8));
        mat_fill(&p->g, r, FILL_UNIFORM, log_scale(r, -12, 8));
    }
    if (kind == CH1_RAMP_CHECKER) ch1_ramp_checker(p, r);
}

// D = X ⋆ G (X padded in full mode): ∂L/∂K[m,n] = Σ_ij G[i,j]·X[i+m, j+n]
// for the cross-correlation, since K[m,n] multiplies X[i+m, j+n] in output
// (i,j). mag gets Σ_ij |G[i,j]·X[i+m, j+n]|.
static void ch1_xcorr_grad(Mat *d, Mat *mag, const Ch1 *p) {
    int ph = p->full ? p->k.h - 1 : 0, pw = p->full ? p->k.w - 1 : 0;
    mat_init(d, p->k.h, p->k.w), mat_init(mag, p->k.h, p->k.w);
    for (int m = 0; m < p->k.h; m++)
        for (int n = 0; n < p->k.w; n++)
            for (int i = 0; i < p->g.h; i++)
                for (int j = 0; j < p->g.w; j++) {
                    double t = mat_get(&p->g, i, j) * mat_get(&p->x, i + m - ph, j + n - pw);
                    d->v[m * p->k.w + n] += t;
                    mag->v[m * p->k.w + n] += fabs(t);
                }
}

static void run_chapter1_problem(Tally *t, const Ch1 *pp) {
    const Ch1 p = *pp;
    // (X * K)[i,j] = Σ X[i+kh−1−m, j+kw−1−n]·K[m,n] = (X ⋆ rot180 K)[i,j],
    // so ∂L/∂K[m,n] of the convolution is D[kh−1−m, kw−1−n]: rot180(D).
    static Mat d, mag, rot, rot_mag, both;
    ch1_xcorr_grad(&d, &mag, &p);
    mat_rot180(&rot, &d), mat_rot180(&rot_mag, &mag);
    mat_init(&both, d.h, d.w);
    for (int e = 0; e < mat_n(&d); e++) both.v[e] = mag.v[e] + rot_mag.v[e];
    char xs[8192], ks[8192], gs[8192];
    const char *args[] = {"--input", literal(xs, sizeof xs, &p.x), "--kernel", literal(ks, sizeof ks, &p.k),
                          "--upstream", literal(gs, sizeof gs, &p.g), "--mode", p.full ? "full" : "valid", NULL};
    t->problems++;
    int n = mat_n(&d);
    Expect right[] = {{"∂L/∂K for X ⋆ K", "dL_dK_xcorr", d.v, d.v, both.v, n, 1},
                      {"∂L/∂K for X * K", "dL_dK_conv", rot.v, rot.v, both.v, n, 1}};
    run_scored(t, "chapter1", args, NULL, right, 2);
    // no-rot180 checks D itself against the convolution's gradient rot180(D).
    Expect no_rot[] = {{"∂L/∂K for X ⋆ K", "dL_dK_xcorr", d.v, d.v, both.v, n, 1},
                       {"∂L/∂K for X * K", "dL_dK_conv", rot.v, d.v, both.v, n, 1}};
    run_scored(t, "chapter1", args, "no-rot180", no_rot, 2);
}


// ---------------------------------------------------------------- chapter 3

// z = W x + b (W n×m), ŷ = σ(z), L = (1/n) Σ_i [softplus(z_i) − y_i z_i].
typedef struct {
    int n, m;
    double x[3], W[9], b[3], y[3];
} Ch3;

// Generic, saturated (|z_i| from 15 to 30, L's terms cancel to ~1e-13),
// an output with W row, b and ŷ − y all zero (x = 0 too: every gradient
// exactly 0), a symmetric square W (W-not-transposed cannot show), n = 1
// (no-mean and outer-product-swapped cannot show), m = 1, and a square W
// symmetric but for one entry off by a relative near_miss.
enum {
    CH3_GENERIC,
    CH3_SATURATED,
    CH3_ZERO_GRAD,
    CH3_SYMMETRIC,
    CH3_ONE_OUTPUT,
    CH3_ONE_INPUT,
    CH3_NEAR_SYMMETRIC,
    CH3_WILD,        // x, W and b each at its own scale, 1e-12 … 1e8, |z| kept below 30 (issue 26)
    CH3_ZERO_BESIDE, // an x entry of 0 beside a weight of 1e4 … 1e8 on it (issue 31)
    CH3_KINDS
};

static double sigmoid_of(double z) { return 1.0 / (1.0 + exp(-z)); }

static void ch3_generate(Ch3 *p, Rng *r, int kind) {
    bool square = kind == CH3_SYMMETRIC || kind == CH3_NEAR_SYMMETRIC;
    p->n = kind == CH3_ONE_OUTPUT ? 1 : between(r, square ? 2 : 1, 3);
    p->m = kind == CH3_ONE_INPUT ? 1 : square ? p->n : between(r, 1, 3);
    double scale = log_scale(r, -9, 6);
    for (int j = 0; j < p->m; j++) p->x[j] = range(r, -1.0, 1.0) * scale;
    // W scaled to x, so that z stays of order one (a few for saturation).
    for (int e = 0; e < p->n * p->m; e++) p->W[e] = range(r, -2.0, 2.0) / scale;
    if (square)
        for (int i = 0; i < p->n; i++)
            for (int j = 0; j < i; j++) p->W[i * p->m + j] = p->W[j * p->m + i];
    if (kind == CH3_NEAR_SYMMETRIC) p->W[p->m] *= 1 + near_miss(r); // W[1,0]
    for (int i = 0; i < p->n; i++) {
        p->b[i] = range(r, -1.0, 1.0);
        p->y[i] = below(r, 2) ? below(r, 2) : range(r, 0.0, 1.0);
        if (kind == CH3_SATURATED && below(r, 3)) {
            double wx = 0.0;
            for (int j = 0; j < p->m; j++) wx += p->W[i * p->m + j] * p->x[j];
            p->b[i] = (below(r, 2) ? 1 : -1) * range(r, 15.0, 30.0) - wx;
        }
    }
    if (kind == CH3_WILD) {
        double sx = log_scale(r, -12, 8), sw = fmin(log_scale(r, -12, 8), 10.0 / (sx * p->m));
        for (int j = 0; j < p->m; j++) p->x[j] = range(r, -1.0, 1.0) * sx;
        for (int e = 0; e < p->n * p->m; e++) p->W[e] = range(r, -1.0, 1.0) * sw;
        for (int i = 0; i < p->n; i++) p->b[i] = range(r, -1.0, 1.0) * log_scale(r, -12, 1);
    }
    if (kind == CH3_ZERO_BESIDE) {
        int j0 = below(r, p->m);
        p->x[j0] = 0.0;
        for (int i = 0; i < p->n; i++) p->W[i * p->m + j0] = (below(r, 2) ? 1 : -1) * log_scale(r, 4, 8);
    }
    if (kind == CH3_ZERO_GRAD) {
        int zero_all = below(r, 2), i0 = below(r, p->n);
        for (int i = 0; i < p->n; i++)
            if (zero_all || i == i0) {
                for (int j = 0; j < p->m; j++) p->W[i * p->m + j] = 0.0;
                p->b[i] = 0.0, p->y[i] = 0.5; // z_i = 0, ŷ_i = 1/2 = y_i
            }
        if (zero_all)
            for (int j = 0; j < p->m; j++) p->x[j] = 0.0;
    }
}

// The gradients the checks of one run compare (z, W, x, b blocks) and the
// magnitudes of their terms.
typedef struct {
    double dz[3], dW[9], dx[3], db[3];
    double mz[3], mW[9], mx[3], mb[3];
    // How much more than a plain sum's rounding the chapter's form of a bug
    // may be off: the article's ∂L/∂ŷ divides by ŷ and 1 − ŷ (1 − ŷ loses
    // digits as ŷ → 1); no-mean's ŷ − y cancels. 1 for the rest.
    double condition;
} Ch3Grads;

enum { CH3_NONE, CH3_NO_SIGMOID, CH3_NO_MEAN, CH3_NOT_TRANSPOSED, CH3_SWAPPED, CH3_BUGS };
static const char *const CH3_BUG_NAMES[] = {NULL, "no-sigmoid-derivative", "no-mean", "W-not-transposed",
                                            "outer-product-swapped"};

// By hand: ∂L/∂z_i = (σ(z_i) − y_i)/n = ((1 − y_i)σ(z_i) − y_i σ(−z_i))/n
// (σ(z) + σ(−z) = 1, no cancellation when saturated); ∂L/∂W[i,j] =
// ∂L/∂z_i·x_j; ∂L/∂x_j = Σ_i W[i,j]·∂L/∂z_i; ∂L/∂b = ∂L/∂z. The bugs:
// ∂L/∂ŷ used as ∂L/∂z, −(y/ŷ − (1 − y)/(1 − ŷ))/n; no 1/n; ∂L/∂x read
// through W's buffer as m×n, Σ_i W.v[j·n + i]·∂L/∂z_i; ∂L/∂z_i·x_j written
// at buffer position j·n + i.
static void ch3_grads(Ch3Grads *g, const Ch3 *p, int bug) {
    memset(g, 0, sizeof *g);
    g->condition = 1.0;
    int n = p->n, m = p->m;
    for (int i = 0; i < n; i++) {
        double z = p->b[i];
        for (int j = 0; j < m; j++) z = p->W[i * m + j] * p->x[j] + z;
        double s = sigmoid_of(z), sn = sigmoid_of(-z), y = p->y[i];
        if (bug == CH3_NO_SIGMOID) {
            g->dz[i] = ((1 - y) / sn - y / s) / n;
            g->mz[i] = ((1 - y) / sn + y / s) / n;
            g->condition = fmax(g->condition, 1 / s + 1 / sn);
        } else {
            g->dz[i] = ((1 - y) * s - y * sn) / (bug == CH3_NO_MEAN ? 1 : n);
            g->mz[i] = ((1 - y) * s + y * sn) / (bug == CH3_NO_MEAN ? 1 : n);
            // The chapter's ŷ − y cancels to an absolute error of ε(ŷ + y).
            if (bug == CH3_NO_MEAN) g->condition = fmax(g->condition, (s + y) / g->mz[i]);
        }
        g->db[i] = g->dz[i], g->mb[i] = g->mz[i];
    }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            int at = bug == CH3_SWAPPED ? j * n + i : i * m + j;
            g->dW[at] += g->dz[i] * p->x[j];
            g->mW[at] += g->mz[i] * fabs(p->x[j]);
            double w = bug == CH3_NOT_TRANSPOSED ? p->W[j * n + i] : p->W[i * m + j];
            g->dx[j] += w * g->dz[i];
            g->mx[j] += fabs(w) * g->mz[i];
        }
}

static void run_chapter3_problem(Tally *t, const Ch3 *pp) {
    const Ch3 p = *pp;
    Mat x, W, b, y;
    mat_init(&x, 1, p.m), mat_init(&W, p.n, p.m), mat_init(&b, 1, p.n), mat_init(&y, 1, p.n);
    memcpy(x.v, p.x, sizeof p.x[0] * p.m), memcpy(W.v, p.W, sizeof p.W[0] * p.n * p.m);
    memcpy(b.v, p.b, sizeof p.b[0] * p.n), memcpy(y.v, p.y, sizeof p.y[0] * p.n);
    char xs[2048], ws[4096], bs[2048], ys[2048];
    const char *args[] = {"--x",  literal(xs, sizeof xs, &x), "--W",  literal(ws, sizeof ws, &W),
                          "--b",  literal(bs, sizeof bs, &b), "--y",  literal(ys, sizeof ys, &y),
                          NULL};
    t->problems++;
    Ch3Grads truth, run;
    ch3_grads(&truth, &p, CH3_NONE);
    for (int bug = CH3_NONE; bug < CH3_BUGS; bug++) {
        ch3_grads(&run, &p, bug);
        Ch3Grads mag;
        for (int e = 0; e < 9; e++) mag.mW[e] = truth.mW[e] + run.mW[e];
        for (int e = 0; e < 3; e++)
            mag.mz[e] = truth.mz[e] + run.mz[e], mag.mx[e] = truth.mx[e] + run.mx[e], mag.mb[e] = mag.mz[e];
        Expect ex[] = {
            {"∂L/∂z", "dL_dz", truth.dz, run.dz, mag.mz, p.n, run.condition},
            {"∂L/∂W", "dW", truth.dW, run.dW, mag.mW, p.n * p.m, run.condition},
            {"∂L/∂x", "dx", truth.dx, run.dx, mag.mx, p.m, run.condition},
            {"∂L/∂b", "db", truth.db, run.db, mag.mb, p.n, run.condition},
        };
        run_scored(t, "chapter3", args, CH3_BUG_NAMES[bug], ex, 4);
    }
}


// ---------------------------------------------------------------- chapter 5

// Y = X_p ⋆ K + b with stride s, padding p and dilation d:
// Y[i,j] = Σ_mn X_p[i·s + m·d, j·s + n·d]·K[m,n] + b, and L = Σ G∘Y.
typedef struct {
    Mat x, k, g;
    double bias;
    int s, p, d;
} Ch5;

// Generic, pixels, constant X without padding under a zero-sum G (∂L/∂K = 0
// exactly), G with one nonzero row (bias-one-axis cannot show), G = 0 with a
// large bias, a kernel equal to its rotation at stride 1 (no-rot180 and
// no-dilate cannot show; a 1×1 kernel: valid-not-full neither), and G's
// other rows a near_miss of its first (bias-one-axis changes ∂L/∂b by that
// fraction).
enum {
    CH5_GENERIC,
    CH5_PIXELS,
    CH5_ZERO_GRAD,
    CH5_FIRST_ROW,
    CH5_ZERO_UPSTREAM,
    CH5_SYMMETRIC,
    CH5_NEAR_FIRST_ROW,
    CH5_WILD, // X, K, G and b each at its own scale, 1e-12 … 1e8 (issue 26)
    CH5_KINDS
};

static int ch5_out(int in, int k, const Ch5 *c) { return (in + 2 * c->p - c->d * (k - 1) - 1) / c->s + 1; }

static void ch5_shape(Ch5 *c, Rng *r, int kind) {
    for (;;) {
        int h = between(r, 1, 6), w = between(r, 1, 6), kh = between(r, 1, 3), kw = between(r, 1, 3);
        c->s = kind == CH5_SYMMETRIC ? 1 : between(r, 1, 3);
        c->p = kind == CH5_ZERO_GRAD ? 0 : between(r, 0, 2);
        c->d = between(r, 1, 2);
        if (kind == CH5_SYMMETRIC && below(r, 2)) kh = kw = 1;
        if (c->d * (kh - 1) + 1 > h + 2 * c->p || c->d * (kw - 1) + 1 > w + 2 * c->p) continue;
        mat_init(&c->x, h, w), mat_init(&c->k, kh, kw);
        mat_init(&c->g, ch5_out(h, kh, c), ch5_out(w, kw, c));
        return;
    }
}

static void ch5_generate(Ch5 *c, Rng *r, int kind) {
    ch5_shape(c, r, kind);
    double scale = log_scale(r, -9, 6);
    mat_fill(&c->x, r, kind == CH5_PIXELS ? FILL_PIXELS : kind == CH5_ZERO_GRAD ? FILL_CONST : FILL_UNIFORM, scale);
    mat_fill(&c->k, r, below(r, 2) ? FILL_INTS : FILL_UNIFORM, log_scale(r, -2, 2));
    mat_fill(&c->g, r, kind == CH5_PIXELS || below(r, 3) == 0 ? FILL_UNIFORM : FILL_INTS, log_scale(r, -3, 3));
    c->bias = below(r, 2) ? 0.0 : range(r, -1.0, 1.0) * log_scale(r, -3, 5);
    if (kind == CH5_ZERO_GRAD) mat_zero_sum_ints(&c->g, r);
    if (kind == CH5_FIRST_ROW)
        for (int e = c->g.w; e < mat_n(&c->g); e++) c->g.v[e] = 0.0;
    if (kind == CH5_NEAR_FIRST_ROW)
        for (int e = c->g.w; e < mat_n(&c->g); e++) c->g.v[e] *= near_miss(r);
    if (kind == CH5_ZERO_UPSTREAM) memset(c->g.v, 0, sizeof c->g.v), c->bias = 1e5;
    if (kind == CH5_SYMMETRIC) mat_centrosymmetric(&c->k);
    if (kind == CH5_WILD) {
        mat_fill(&c->x, r, FILL_UNIFORM, log_scale(r, -12, 8));
        mat_fill(&c->k, r, FILL_UNIFORM, log_scale(r, -12, 8));
        mat_fill(&c->g, r, FILL_UNIFORM, log_scale(r, -12, 8));
        c->bias = range(r, -1.0, 1.0) * log_scale(r, -12, 8);
    }
}

enum { CH5_NONE, CH5_NO_ROT180, CH5_VALID_NOT_FULL, CH5_NO_DILATE, CH5_BIAS_ONE_AXIS, CH5_BUGS };
static const char *const CH5_BUG_NAMES[] = {NULL, "no-rot180", "valid-not-full", "no-dilate", "bias-one-axis"};

typedef struct {
    Mat dx, dk, mx, mk;
    double db, mb;
} Ch5Grads;

// ∂L/∂K[m,n] = Σ_ij G[i,j]·X_p[i·s + m·d, j·s + n·d]. ∂L/∂X_p collects
// G[i,j]·K[m,n] at (i·s + m·d, j·s + n·d); ∂L/∂X is its crop by p.
// ∂L/∂b = Σ_ij G[i,j]. The bugs, as the chapter's steps make them (spread
// G by s, pad by d(k−1), cross-correlate with rot180 K at dilation d, place
// at X_p's origin): no-rot180 uses K where rot180 K belongs, which is the
// same sum with rot180 K in place of K; valid-not-full skips the padding,
// so only the window positions inside the spread G survive, rows
// [d(kh−1), s(H_out−1)+1) and columns likewise of X_p; no-dilate spreads
// nothing: the same sum at stride 1, kept inside X_p; bias-one-axis sums
// G's first row only.
static void ch5_grads(Ch5Grads *o, const Ch5 *c, int bug) {
    Mat k;
    if (bug == CH5_NO_ROT180) mat_rot180(&k, &c->k);
    else k = c->k;
    int s = bug == CH5_NO_DILATE ? 1 : c->s, hp = c->x.h + 2 * c->p, wp = c->x.w + 2 * c->p;
    mat_init(&o->dx, c->x.h, c->x.w), mat_init(&o->mx, c->x.h, c->x.w);
    mat_init(&o->dk, c->k.h, c->k.w), mat_init(&o->mk, c->k.h, c->k.w);
    int row0 = c->d * (c->k.h - 1), row1 = c->s * (c->g.h - 1) + 1;
    int col0 = c->d * (c->k.w - 1), col1 = c->s * (c->g.w - 1) + 1;
    for (int i = 0; i < c->g.h; i++)
        for (int j = 0; j < c->g.w; j++)
            for (int m = 0; m < c->k.h; m++)
                for (int n = 0; n < c->k.w; n++) {
                    double g = mat_get(&c->g, i, j);
                    double xv = mat_get(&c->x, i * c->s + m * c->d - c->p, j * c->s + n * c->d - c->p);
                    o->dk.v[m * c->k.w + n] += g * xv;
                    o->mk.v[m * c->k.w + n] += fabs(g * xv);
                    int a = i * s + m * c->d, b = j * s + n * c->d; // on X_p
                    if (a >= hp || b >= wp) continue;
                    if (bug == CH5_VALID_NOT_FULL && (a < row0 || a >= row1 || b < col0 || b >= col1)) continue;
                    a -= c->p, b -= c->p;
                    if (a < 0 || a >= c->x.h || b < 0 || b >= c->x.w) continue;
                    o->dx.v[a * c->x.w + b] += g * mat_get(&k, m, n);
                    o->mx.v[a * c->x.w + b] += fabs(g * mat_get(&k, m, n));
                }
    o->db = o->mb = 0.0;
    for (int i = 0; i < (bug == CH5_BIAS_ONE_AXIS ? 1 : c->g.h); i++)
        for (int j = 0; j < c->g.w; j++) o->db += mat_get(&c->g, i, j), o->mb += fabs(mat_get(&c->g, i, j));
}

static void run_chapter5_problem(Tally *t, const Ch5 *cp) {
    const Ch5 c = *cp;
    char xs[8192], ks[2048], gs[8192], bs[40], ss[8], ps[8], ds[8];
    snprintf(bs, sizeof bs, "%.17g", c.bias);
    snprintf(ss, sizeof ss, "%d", c.s), snprintf(ps, sizeof ps, "%d", c.p), snprintf(ds, sizeof ds, "%d", c.d);
    const char *args[] = {"--input",    literal(xs, sizeof xs, &c.x), "--kernel",  literal(ks, sizeof ks, &c.k),
                          "--upstream", literal(gs, sizeof gs, &c.g), "--bias",    bs,
                          "--stride",   ss,                           "--padding", ps,
                          "--dilation", ds,                           NULL};
    t->problems++;
    static Ch5Grads truth, run;
    ch5_grads(&truth, &c, CH5_NONE);
    for (int bug = CH5_NONE; bug < CH5_BUGS; bug++) {
        ch5_grads(&run, &c, bug);
        static Ch5Grads mag;
        mag = run;
        for (int e = 0; e < mat_n(&c.x); e++) mag.mx.v[e] += truth.mx.v[e];
        for (int e = 0; e < mat_n(&c.k); e++) mag.mk.v[e] += truth.mk.v[e];
        mag.mb += truth.mb;
        Expect ex[] = {
            {"∂L/∂X", "dX", truth.dx.v, run.dx.v, mag.mx.v, mat_n(&c.x), 1},
            {"∂L/∂K", "dK", truth.dk.v, run.dk.v, mag.mk.v, mat_n(&c.k), 1},
            {"∂L/∂b", "db", &truth.db, &run.db, &mag.mb, 1, 1},
        };
        run_scored(t, "chapter5", args, CH5_BUG_NAMES[bug], ex, 3);
    }
}

// ---------------------------------------------------------------- chapter 4

// L = Σ_k G_k·max(window k), windows kh×kw at stride s over X, no exact tie
// anywhere (a tied cell is skipped by the chapter, so a bug there could not
// show). The kinds: generic, a near-tie (a window's runner-up within a
// relative 1e-16 … 1e-8 of its maximum, issue 31), zeros beside entries of
// ±1e-12 and huge ones (±1e7 … 1e8), and entries of 1e-290 … 1e290.
typedef struct {
    Mat x, g;
    int kh, kw, s;
} Ch4;

enum { CH4_GENERIC, CH4_NEAR_TIE, CH4_ZERO_BESIDE, CH4_EXTREME, CH4_KINDS };
enum { CH4_NONE, CH4_OVERWRITE, CH4_ALL_CELLS, CH4_AVERAGE, CH4_BUGS };
static const char *const CH4_BUG_NAMES[] = {NULL, "overwrite", "all-cells", "average"};

static int ch4_cell(const Ch4 *c, int i, int j, int m, int n) { return (i * c->s + m) * c->x.w + j * c->s + n; }

// Window (i,j)'s first strict maximum, or −1 when two cells tie.
static int ch4_argmax(const Ch4 *c, int i, int j) {
    int best = ch4_cell(c, i, j, 0, 0);
    bool tie = false;
    for (int m = 0; m < c->kh; m++)
        for (int n = 0; n < c->kw; n++) {
            int at = ch4_cell(c, i, j, m, n);
            if (c->x.v[at] > c->x.v[best]) best = at, tie = false;
            else if (at != best && c->x.v[at] == c->x.v[best]) tie = true;
        }
    return tie ? -1 : best;
}

static bool ch4_generate(Ch4 *c, Rng *r, int kind) {
    c->kh = between(r, 1, 3), c->kw = between(r, 1, 3), c->s = between(r, 1, 3);
    int oh = between(r, 1, 3), ow = between(r, 1, 3);
    if (c->kh * c->kw == 1) c->kw = 2;
    mat_init(&c->x, (oh - 1) * c->s + c->kh, (ow - 1) * c->s + c->kw), mat_init(&c->g, oh, ow);
    mat_fill(&c->x, r, FILL_UNIFORM, log_scale(r, -12, 8));
    mat_fill(&c->g, r, below(r, 2) ? FILL_INTS : FILL_UNIFORM, log_scale(r, -12, 8));
    if (kind == CH4_NEAR_TIE) {
        int i = below(r, oh), j = below(r, ow), top = ch4_argmax(c, i, j), other;
        do other = ch4_cell(c, i, j, below(r, c->kh), below(r, c->kw));
        while (other == top);
        double v = c->x.v[top], d = log_scale(r, -16, -8);
        c->x.v[other] = v - fabs(v) * d; // just below the maximum
    }
    if (kind == CH4_ZERO_BESIDE)
        for (int e = 0; e < mat_n(&c->x); e++) {
            int pick = below(r, 4);
            c->x.v[e] = pick == 0 ? 0.0 : pick == 1 ? range(r, -1, 1) * 1e-12 : pick == 2 ? range(r, -1, 1) * log_scale(r, 7, 8) : c->x.v[e];
        }
    if (kind == CH4_EXTREME)
        for (int e = 0; e < mat_n(&c->x); e++) c->x.v[e] = range(r, -1, 1) * log_scale(r, -290, 290); // the parser takes 1e-300 … 1e300
    for (int i = 0; i < oh; i++)
        for (int j = 0; j < ow; j++)
            if (ch4_argmax(c, i, j) < 0) return false;
    return true;
}

// By hand: the max routes G_k to window k's maximum (+=); overwrite assigns
// (the last window in row-major order wins a shared cell); all-cells gives
// G_k to every cell of window k; average G_k/(kh·kw) to every cell.
static void ch4_grads(Mat *d, Mat *mag, const Ch4 *c, int bug) {
    mat_init(d, c->x.h, c->x.w), mat_init(mag, c->x.h, c->x.w);
    for (int i = 0; i < c->g.h; i++)
        for (int j = 0; j < c->g.w; j++) {
            double g = c->g.v[i * c->g.w + j];
            int top = ch4_argmax(c, i, j);
            if (bug == CH4_NONE) d->v[top] += g, mag->v[top] += fabs(g);
            if (bug == CH4_OVERWRITE) d->v[top] = g, mag->v[top] = fabs(g);
            for (int m = 0; m < c->kh && (bug == CH4_ALL_CELLS || bug == CH4_AVERAGE); m++)
                for (int n = 0; n < c->kw; n++) {
                    double share = bug == CH4_AVERAGE ? g / (c->kh * c->kw) : g;
                    d->v[ch4_cell(c, i, j, m, n)] += share, mag->v[ch4_cell(c, i, j, m, n)] += fabs(share);
                }
        }
}

static void run_chapter4_problem(Tally *t, const Ch4 *c) {
    char xs[8192], gs[2048], ws[16], ss[8];
    snprintf(ws, sizeof ws, "%dx%d", c->kh, c->kw), snprintf(ss, sizeof ss, "%d", c->s);
    const char *args[] = {"--input", literal(xs, sizeof xs, &c->x), "--window", ws, "--stride", ss,
                          "--upstream", literal(gs, sizeof gs, &c->g), NULL};
    t->problems++;
    static Mat truth, tmag, run, rmag;
    ch4_grads(&truth, &tmag, c, CH4_NONE);
    for (int bug = CH4_NONE; bug < CH4_BUGS; bug++) {
        ch4_grads(&run, &rmag, c, bug);
        for (int e = 0; e < mat_n(&run); e++) rmag.v[e] += tmag.v[e];
        Expect ex[] = {{"∂L/∂X of max pooling", "dX", truth.v, run.v, rmag.v, mat_n(&c->x), 1}};
        run_scored(t, "chapter4", args, CH4_BUG_NAMES[bug], ex, 1);
    }
}

// ---------------------------------------------------------------- chapter 2

// L = (1/n) Σ_i BCE(y_i, σ(z_i)); by hand ∂L/∂z_i = ((1 − y_i)σ(z_i) −
// y_i σ(−z_i))/n, each part to full relative precision. Kinds: saturated
// (|z| from 12 to 700, y = 0 or 1: σ(40) rounds to 1), tiny z (1e-300 …
// 1e-8: ∂L/∂z of order one moves L by nothing a step in proportion sees),
// ŷ = y (a zero gradient up to rounding), and generic. Right gradients
// only: no --bug (its gradients are not this file's to derive), so every
// check must PASS.
enum { CH2_SATURATED, CH2_TINY, CH2_AT_LABEL, CH2_GENERIC, CH2_KINDS };

static void run_chapter2_problem(Tally *t, Rng *r, int kind) {
    int n = between(r, 1, 3);
    double y[3], z[3], dz[3], mz[3];
    for (int i = 0; i < n; i++) {
        y[i] = below(r, 2) ? below(r, 2) : range(r, 0.0, 1.0);
        z[i] = range(r, -5.0, 5.0);
        if (kind == CH2_SATURATED) y[i] = below(r, 2), z[i] = (below(r, 2) ? 1 : -1) * log_scale(r, log10(12.0), log10(700.0));
        if (kind == CH2_TINY) z[i] = (below(r, 2) ? 1 : -1) * log_scale(r, -300, -8);
        if (kind == CH2_AT_LABEL) y[i] = range(r, 0.05, 0.95), z[i] = log(y[i] / (1.0 - y[i]));
        double s = sigmoid_of(z[i]), sn = sigmoid_of(-z[i]);
        dz[i] = ((1 - y[i]) * s - y[i] * sn) / n;
        mz[i] = ((1 - y[i]) * s + y[i] * sn) / n;
    }
    Mat ym, zm;
    mat_init(&ym, 1, n), mat_init(&zm, 1, n);
    memcpy(ym.v, y, sizeof y[0] * n), memcpy(zm.v, z, sizeof z[0] * n);
    char ys[1024], zs[1024];
    const char *args[] = {"--y", literal(ys, sizeof ys, &ym), "--z", literal(zs, sizeof zs, &zm), NULL};
    t->problems++;
    Expect ex[] = {{"∂L/∂z", "dL_dz", dz, dz, mz, n, 1}};
    run_scored(t, "chapter2", args, NULL, ex, 1);
}

static void mat_set(Mat *m, int h, int w, const double *v) {
    mat_init(m, h, w);
    memcpy(m->v, v, sizeof *v * (size_t)(h * w));
}

// Issue 12's own examples first: ∂L/∂K exactly 0 on 100 … 900 (a false
// FAIL), no-rot180 on inputs near 1e-10 (a false PASS), x near 1e6 in
// chapter 3, a 30×30 pixel input in chapter 5.
static void run_issue_examples(Tally t[3]) {
    static const double hundreds[] = {100, 200, 300, 400, 500, 600, 700, 800, 900}, k2[] = {1, 2, 3, 4},
                        g2[] = {1, -1, -1, 1}, tiny[] = {8e-10, 9e-10, 2e-10, 7e-10, 0, 3e-10, 0, 8e-10, 8e-10,
                                                         8e-10, 9e-10, 9e-10},
                        k_example[] = {1, 1, 1, 2}, g_seed1[] = {0, 2, 3, 0, 0, 2};
    static Ch1 p1;
    mat_set(&p1.x, 3, 3, hundreds), mat_set(&p1.k, 2, 2, k2), mat_set(&p1.g, 2, 2, g2), p1.full = false;
    run_chapter1_problem(&t[0], &p1);
    mat_set(&p1.x, 3, 4, tiny), mat_set(&p1.k, 2, 2, k_example), mat_set(&p1.g, 2, 3, g_seed1);
    run_chapter1_problem(&t[0], &p1);
    Ch3 p3 = {.n = 1, .m = 2, .x = {999999.7, 1000000.3}, .W = {1e-6, -2e-6}, .b = {0.1}, .y = {1}};
    run_chapter3_problem(&t[1], &p3);
    static Ch5 p5;
    p5.bias = 0, p5.s = p5.d = 1, p5.p = 0;
    mat_set(&p5.x, 3, 3, hundreds), mat_set(&p5.k, 2, 2, k2), mat_set(&p5.g, 2, 2, g2);
    run_chapter5_problem(&t[2], &p5);
    Rng r = {0x30};
    mat_init(&p5.x, 30, 30), mat_init(&p5.k, 3, 3), mat_init(&p5.g, 28, 28);
    mat_fill(&p5.x, &r, FILL_PIXELS, 1.0), mat_fill(&p5.k, &r, FILL_INTS, 1.0), mat_fill(&p5.g, &r, FILL_INTS, 1.0);
    run_chapter5_problem(&t[2], &p5);
}

// The three chapters' corpora, each with its own seeded stream; the false
// verdicts are asserted per chapter, the INCONCLUSIVE rate over the corpus.
START_TEST(test_chapter_corpus) {
    int problems = corpus_problems();
    Tally t[5] = {{.chapter = "chapter 1"}, {.chapter = "chapter 3"}, {.chapter = "chapter 5"},
                  {.chapter = "chapter 4"}, {.chapter = "chapter 2"}};
    Tally all = {.chapter = "all"};
    Rng r1 = {0xC0A1}, r3 = {0xC0A3}, r5 = {0xC0A5};
    static Ch1 p1;
    static Ch3 p3;
    static Ch5 p5;
    run_issue_examples(t);
    for (int q = 0; q < problems; q++) ch1_generate(&p1, &r1, q % CH1_KINDS), run_chapter1_problem(&t[0], &p1);
    for (int q = 0; q < problems; q++) ch3_generate(&p3, &r3, q % CH3_KINDS), run_chapter3_problem(&t[1], &p3);
    for (int q = 0; q < problems; q++) ch5_generate(&p5, &r5, q % CH5_KINDS), run_chapter5_problem(&t[2], &p5);
    Rng r4 = {0xC0A4}, r2 = {0xC0A2};
    static Ch4 p4;
    for (int q = 0; q < problems; q++)
        if (ch4_generate(&p4, &r4, q % CH4_KINDS)) run_chapter4_problem(&t[3], &p4);
    for (int q = 0; q < problems; q++) run_chapter2_problem(&t[4], &r2, q % CH2_KINDS);
    for (int c = 0; c < 5; c++) {
        tally_print(&t[c]);
        tally_add(&all, &t[c]);
    }
    tally_print(&all);
    for (int c = 0; c < 5; c++) tally_assert_no_false_verdict(&t[c]);
    double rate = (double)all.inconclusive / all.scored;
    ck_assert_msg(rate <= MAX_INCONCLUSIVE, "%.2f%% of the corpus's checks are inconclusive, above %.0f%%",
                  100.0 * rate, 100.0 * MAX_INCONCLUSIVE);
    ck_assert_msg(all.result_line == 0, "%d runs exit 3 (inconclusive) under a text Result line saying PASS",
                  all.result_line);
}
END_TEST

// ---------------------------------------------------------------- seeds 1 … 100

static const char *const PROGRAMS[] = {"chapter0", "chapter1", "chapter2", "chapter3",
                                       "chapter4", "chapter5", "chapter6"};

// Every chapter's default run, --seed 1 … VERDICT_CORPUS_SEEDS, exits 0
// (chapter 6: the first VERDICT_CORPUS_CH6_SEEDS of them).
START_TEST(test_default_seeds) {
    const char *program = PROGRAMS[_i];
    int seeds = strcmp(program, "chapter6") == 0
                    ? env_int("VERDICT_CORPUS_CH6_SEEDS", SANITIZED ? 1 : DEFAULT_CH6_SEEDS)
                    : env_int("VERDICT_CORPUS_SEEDS", SANITIZED ? DEFAULT_SEEDS / 2 : DEFAULT_SEEDS);
    if (seeds > SEEDS) seeds = SEEDS;
    int failed = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        char num[16];
        snprintf(num, sizeof num, "%d", seed);
        const char *args[] = {"--seed", num, "--no-color", NULL};
        ProcResult p = run_chapter(program, args);
        if (p.status != 0 && failed++ < MAX_LOGGED)
            fprintf(stderr, "verdict_corpus: build/%s --seed %d exits %d\n", program, seed, p.status);
        proc_free(&p);
    }
    fprintf(stderr, "verdict_corpus %s: --seed 1 … %d, %d not exiting 0\n", program, seeds, failed);
    ck_assert_msg(failed == 0, "%s: %d of seeds 1 … %d do not exit 0 (see stderr)", program, failed, seeds);
}
END_TEST

Suite *make_verdict_corpus_suite(void) {
    Suite *s = suite_create("verdict_corpus");
    TCase *tc = tcase_create("chapters");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_chapter_corpus);
    tcase_add_loop_test(tc, test_default_seeds, 0, ARRAY_LEN(PROGRAMS));
    suite_add_tcase(s, tc);
    return s;
}
