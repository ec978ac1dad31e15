#include "harness.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// A student's entry equals a mistake's (or the reference's) when it agrees
// to 1e-6 relative, the workbook's --answer rule: far below any real slip.
#define LAB_MATCH_REL_TOL 1e-6
// Entries this small count as zero when matching (round-off of sums of
// products of the order-one numbers the cases use).
#define LAB_MATCH_ABS_TOL 1e-12
// Rows of a failing block printed at most; the rest are counted.
#define LAB_MAX_ROWS 36
// Blocks up to this many entries are shown whole, larger ones by their
// wrong entries only.
#define LAB_FULL_TABLE_MAX 12

static bool same(double a, double b) {
    // inf − x is inf, and inf ≤ 1e-6·inf: a non-finite entry equals only itself.
    if (!isfinite(a) || !isfinite(b)) return a == b;
    return fabs(a - b) <= LAB_MATCH_REL_TOL * fmax(fabs(a), fabs(b)) + LAB_MATCH_ABS_TOL;
}

static bool all_same(const double *a, const double *b, int n) {
    for (int k = 0; k < n; k++)
        if (!same(a[k], b[k])) return false;
    return true;
}

static void *zalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p) {
        fprintf(stderr, "error: out of memory\n");
        exit(2);
    }
    return p;
}

Block *case_block(Case *c, int b, const char *name, int h, int w, bool differentiable) {
    Block *bl = &c->blocks[b];
    size_t n = (size_t)h * (size_t)w;
    *bl = (Block){.name = name, .h = h, .w = w};
    bl->student = zalloc(n, sizeof(double));
    bl->reference = zalloc(n, sizeof(double));
    if (differentiable) bl->numerical = zalloc(n, sizeof(NumericalDerivative));
    if (b + 1 > c->n_blocks) c->n_blocks = b + 1;
    return bl;
}

double *block_mistake(Block *b, int m) {
    if (!b->mistake[m]) b->mistake[m] = zalloc((size_t)b->h * (size_t)b->w, sizeof(double));
    return b->mistake[m];
}

void case_input(Case *c, const char *name, const double *v, int n) {
    if (c->n_in == WIRE_MAX_ARRAYS) abort(); // a lab with more inputs than the wire carries is a bug
    c->in_name[c->n_in] = name;
    c->in[c->n_in] = zalloc((size_t)n, sizeof(double));
    if (n) memcpy(c->in[c->n_in], v, sizeof(double) * (size_t)n);
    c->in_len[c->n_in++] = n;
}

void case_int(Case *c, int v) {
    if (c->n_ints == WIRE_MAX_INTS) abort();
    c->ints[c->n_ints++] = v;
}

void case_free(Case *c) {
    for (int k = 0; k < c->n_in; k++) free(c->in[k]);
    for (int b = 0; b < c->n_blocks; b++) {
        Block *bl = &c->blocks[b];
        free(bl->student);
        free(bl->reference);
        free(bl->numerical);
        for (int m = 0; m < MAX_MISTAKES; m++) free(bl->mistake[m]);
    }
    *c = (Case){0};
}

// One row per line, aligned under the first, so the inputs fit 80 columns.
void case_describe(Case *c, const char *name, const double *v, int h, int w) {
    size_t len = strlen(c->inputs);
    int indent = (int)strlen(name) + 6;
    len += (size_t)snprintf(c->inputs + len, sizeof c->inputs - len, "  %s = [", name);
    for (int i = 0; i < h && len < sizeof c->inputs; i++) {
        if (i) len += (size_t)snprintf(c->inputs + len, sizeof c->inputs - len, "\n%*s", indent, "");
        for (int j = 0; j < w && len < sizeof c->inputs; j++)
            len += (size_t)snprintf(c->inputs + len, sizeof c->inputs - len, "%s%7.4g", j ? " " : "",
                                    v[i * w + j] == 0.0 ? 0.0 : v[i * w + j]);
    }
    if (len < sizeof c->inputs) snprintf(c->inputs + len, sizeof c->inputs - len, " ]\n");
}

void case_describe_int(Case *c, const char *name, int v) {
    size_t len = strlen(c->inputs);
    if (len < sizeof c->inputs) snprintf(c->inputs + len, sizeof c->inputs - len, "  %s = %d\n", name, v);
}

// ------------------------------------------------------------ judging

// A block passes when finite differences confirm it; where they cannot
// decide (a tie, an inconclusive bound), it must equal the reference.
static bool block_passes(const Block *b) {
    // (compare_bounded fails a non-finite entry; the reference never is one)
    int n = b->h * b->w;
    if (b->numerical) {
        BoundedSummary s = compare_bounded(b->student, b->numerical, NULL, NULL, n, GRADCHECK_REL_TOL);
        if (s.verdict == VERDICT_PASS) return true;
        if (s.verdict == VERDICT_FAIL) return false;
    }
    return all_same(b->student, b->reference, n);
}

bool case_passes(const Case *c) {
    bool ok = true;
    for (int b = 0; b < c->n_blocks; b++) ok = block_passes(&c->blocks[b]) && ok;
    return ok;
}

bool block_is_zero(const double *v, int n) {
    for (int k = 0; k < n; k++)
        if (v[k] != 0.0) return false;
    return true;
}

// ------------------------------------------------------------ naming the mistake

// "1/2", "3", "-1/4": the factor f when it is a small integer or its inverse.
static bool name_factor(char *buf, size_t len, double f) {
    for (int q = 1; q <= 16; q++) {
        if (fabs(f * q - round(f * q)) < 1e-9 && round(f * q) != 0.0) {
            long p = lround(f * q);
            if (q == 1) snprintf(buf, len, "%ld", p);
            else snprintf(buf, len, "%ld/%d", p, q);
            return true;
        }
    }
    return false;
}

// Generic slips of the right answer r: the student's s is r with a sign
// flipped, transposed, rotated, scaled or shifted. Writes its name.
static bool match_slip(char *out, size_t len, const Block *b) {
    int h = b->h, w = b->w, n = h * w;
    const double *s = b->student, *r = b->reference;
    if (block_is_zero(r, n)) return false;
    bool neg = true, rot = true, tr = h > 1 && w > 1, up = h > 1, down = h > 1, left = w > 1, right = w > 1;
    for (int k = 0; k < n; k++) {
        int i = k / w, j = k % w;
        neg = neg && same(s[k], -r[k]);
        rot = rot && same(s[k], r[n - 1 - k]);
        // Transposed into the same buffer: the w×h transpose, row-major.
        tr = tr && same(s[k], r[(k % h) * w + k / h]);
        up = up && same(s[k], i + 1 < h ? r[k + w] : 0.0);
        down = down && same(s[k], i > 0 ? r[k - w] : 0.0);
        left = left && same(s[k], j + 1 < w ? r[k + 1] : 0.0);
        right = right && same(s[k], j > 0 ? r[k - 1] : 0.0);
    }
    rot = rot && n > 1 && !all_same(r, s, n);
    tr = tr && !all_same(r, s, n);
    if (neg) return snprintf(out, len, "sign (your %s is the right one negated)", b->name) > 0;
    if (tr) return snprintf(out, len, "transposed (your %s is the right one transposed)", b->name) > 0;
    if (rot) return snprintf(out, len, "rot180 (your %s is the right one rotated 180 degrees)", b->name) > 0;
    if (up || down || left || right)
        return snprintf(out, len, "shifted (your %s is the right one shifted by one %s)", b->name,
                        up || down ? "row" : "column") > 0;
    double f = NAN;
    for (int k = 0; k < n; k++) {
        if (r[k] == 0.0) {
            if (!same(s[k], 0.0)) return false;
            continue;
        }
        double q = s[k] / r[k];
        if (isnan(f)) f = q;
        else if (!same(q, f)) return false;
    }
    char fs[32];
    if (!isnan(f) && !same(f, 1.0) && name_factor(fs, sizeof fs, f))
        return snprintf(out, len, "scaled (your %s is the right one times %s)", b->name, fs) > 0;
    return false;
}

// Says which entries are wrong and whether they form a pattern.
static void describe_wrong_entries(FILE *f, const Block *b) {
    int h = b->h, w = b->w, wrong = 0, border = 0, row = -2, col = -2;
    for (int k = 0; k < h * w; k++) {
        if (same(b->student[k], b->reference[k])) continue;
        int i = k / w, j = k % w;
        wrong++;
        border += i == 0 || j == 0 || i == h - 1 || j == w - 1;
        row = row == -2 ? i : (row == i ? i : -1);
        col = col == -2 ? j : (col == j ? j : -1);
    }
    fprintf(f, "  %d of %d entries of %s are wrong", wrong, h * w, b->name);
    // A row (column) is news only when the block has more than one.
    if (wrong > 1 && row >= 0 && h > 1) fprintf(f, ", all in row %d", row);
    else if (wrong > 1 && col >= 0 && w > 1) fprintf(f, ", all in column %d", col);
    else if (wrong > 1 && border == wrong && h > 2 && w > 2) fprintf(f, ", all on the border");
    fprintf(f, ".\n");
}

static void name_mistake(FILE *f, const Lab *lab, const Block *b) {
    int n = b->h * b->w, non_finite = 0;
    for (int k = 0; k < n; k++) non_finite += !isfinite(b->student[k]);
    if (non_finite) {
        fprintf(f, "  %d entr%s of your %s %s not a number (inf or nan), which a gradient\n"
                   "  never is here. Look for a division by zero or a log of 0.\n",
                non_finite, non_finite == 1 ? "y" : "ies", b->name, non_finite == 1 ? "is" : "are");
        return;
    }
    for (int m = 0; m < lab->n_mistakes; m++)
        if (b->mistake[m] && !all_same(b->mistake[m], b->reference, n) && all_same(b->student, b->mistake[m], n)) {
            fprintf(f, "  Your %s is exactly what the classic mistake `%s` gives:\n    %s.\n  See %s.\n", b->name,
                   lab->mistakes[m].name, lab->mistakes[m].about, lab->mistakes[m].see);
            return;
        }
    char slip[200];
    if (match_slip(slip, sizeof slip, b)) {
        fprintf(f, "  Your %s matches the slip `%s`.\n", b->name, slip);
        return;
    }
    describe_wrong_entries(f, b);
}

// ------------------------------------------------------------ printing

// Small blocks are shown whole; in a larger one only the wrong entries.
static void print_block_table(FILE *f, const Block *b) {
    int n = b->h * b->w, shown = 0, right = 0;
    bool only_wrong = n > LAB_FULL_TABLE_MAX;
    fprintf(f, "  %s, %s:\n  %-9s %-16s %-16s %-16s\n", b->name, only_wrong ? "its wrong entries" : "entry by entry",
           "entry", "yours", "finite diff.", "reference");
    for (int k = 0; k < n; k++) {
        double s = b->student[k], r = b->reference[k];
        bool ok = same(s, r);
        right += ok;
        if ((ok && only_wrong) || shown == LAB_MAX_ROWS) continue;
        char e[32], fd[32];
        snprintf(e, sizeof e, "(%d,%d)", k / b->w, k % b->w);
        if (b->numerical) snprintf(fd, sizeof fd, "%.8g", b->numerical[k].value);
        else snprintf(fd, sizeof fd, "(a tie: none)");
        fprintf(f, "  %-9s %-16.8g %-16s %-16.8g %s\n", e, s == 0.0 ? 0.0 : s, fd, r == 0.0 ? 0.0 : r, ok ? "ok" : "WRONG");
        shown++;
    }
    if (only_wrong && right == 0) fprintf(f, "  (none of its %d entries is right)\n", n);
    else if (only_wrong) fprintf(f, "  (the other %d entr%s right)\n", right, right == 1 ? "y is" : "ies are");
    else if (n > shown) fprintf(f, "  ... and %d more entries\n", n - shown);
}

void case_print_failure(FILE *f, const Lab *lab, const Case *c) {
    for (int b = 0; b < c->n_blocks; b++) {
        if (block_passes(&c->blocks[b])) {
            fprintf(f, "  %s: right.\n", c->blocks[b].name);
            continue;
        }
        print_block_table(f, &c->blocks[b]);
        name_mistake(f, lab, &c->blocks[b]);
    }
}

