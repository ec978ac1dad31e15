#include "harness.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

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

void case_free(Case *c) {
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
    int n = b->h * b->w;
    if (b->numerical) {
        BoundedSummary s = compare_bounded(b->student, b->numerical, NULL, NULL, n, GRADCHECK_REL_TOL);
        if (s.verdict == VERDICT_PASS) return true;
        if (s.verdict == VERDICT_FAIL) return false;
    }
    return all_same(b->student, b->reference, n);
}

static bool block_is_zero(const double *v, int n) {
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
static void describe_wrong_entries(const Block *b) {
    int h = b->h, w = b->w, wrong = 0, border = 0, row = -2, col = -2;
    for (int k = 0; k < h * w; k++) {
        if (same(b->student[k], b->reference[k])) continue;
        int i = k / w, j = k % w;
        wrong++;
        border += i == 0 || j == 0 || i == h - 1 || j == w - 1;
        row = row == -2 ? i : (row == i ? i : -1);
        col = col == -2 ? j : (col == j ? j : -1);
    }
    printf("  %d of %d entries of %s are wrong", wrong, h * w, b->name);
    if (wrong > 1 && row >= 0) printf(", all in row %d", row);
    else if (wrong > 1 && col >= 0) printf(", all in column %d", col);
    else if (wrong > 1 && border == wrong && h > 2 && w > 2) printf(", all on the border");
    printf(".\n");
}

static void name_mistake(const Lab *lab, const Block *b) {
    int n = b->h * b->w;
    for (int m = 0; m < lab->n_mistakes; m++)
        if (b->mistake[m] && !all_same(b->mistake[m], b->reference, n) && all_same(b->student, b->mistake[m], n)) {
            printf("  Your %s is exactly what the classic mistake `%s` gives:\n    %s.\n  See %s.\n", b->name,
                   lab->mistakes[m].name, lab->mistakes[m].about, lab->mistakes[m].see);
            return;
        }
    char slip[200];
    if (match_slip(slip, sizeof slip, b)) {
        printf("  Your %s matches the slip `%s`.\n", b->name, slip);
        return;
    }
    describe_wrong_entries(b);
}

// ------------------------------------------------------------ printing

// Small blocks are shown whole; in a larger one only the wrong entries.
static void print_block_table(const Block *b) {
    int n = b->h * b->w, shown = 0, right = 0;
    bool only_wrong = n > LAB_FULL_TABLE_MAX;
    printf("  %s, %s:\n  %-9s %-16s %-16s %-16s\n", b->name, only_wrong ? "its wrong entries" : "entry by entry",
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
        printf("  %-9s %-16.8g %-16s %-16.8g %s\n", e, s == 0.0 ? 0.0 : s, fd, r == 0.0 ? 0.0 : r, ok ? "ok" : "WRONG");
        shown++;
    }
    if (only_wrong) printf("  (the other %d entries are right)\n", right);
    else if (n > shown) printf("  ... and %d more entries\n", n - shown);
}

static void print_failure(const Lab *lab, const Case *c, int k) {
    printf("\nCase %d (%s) FAILED. Its inputs:\n%s", k, c->group, c->inputs);
    for (int b = 0; b < c->n_blocks; b++) {
        if (block_passes(&c->blocks[b])) {
            printf("  %s: right.\n", c->blocks[b].name);
            continue;
        }
        print_block_table(&c->blocks[b]);
        name_mistake(lab, &c->blocks[b]);
    }
    printf("\n");
}

// ------------------------------------------------------------ Gradescope

#define MAX_GROUPS 8

typedef struct {
    const char *name;
    int passed, total;
    char first_failure[160];
} Group;

static Group *find_group(Group *g, int *n, const char *name) {
    for (int k = 0; k < *n; k++)
        if (strcmp(g[k].name, name) == 0) return &g[k];
    if (*n == MAX_GROUPS) return &g[MAX_GROUPS - 1];
    g[*n] = (Group){.name = name};
    return &g[(*n)++];
}

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fprintf(f, "\\%c", *s);
        else if (*s == '\n') fputs("\\n", f);
        else if ((unsigned char)*s < 0x20) fprintf(f, "\\u%04x", *s);
        else fputc(*s, f);
    }
    fputc('"', f);
}

// results.json: "score" plus one test per case group.
static bool write_gradescope(const char *path, const Lab *lab, const Group *g, int n_groups, int passed) {
    FILE *f = fopen(path, "w");
    if (!f) return false;
    fprintf(f, "{\n  \"score\": %d,\n  \"tests\": [\n", passed);
    for (int k = 0; k < n_groups; k++) {
        char name[200], out[300];
        snprintf(name, sizeof name, "%s: %s", lab->lab, g[k].name);
        snprintf(out, sizeof out, "%d of %d cases passed%s%s", g[k].passed, g[k].total,
                 g[k].first_failure[0] ? "; " : "", g[k].first_failure);
        fprintf(f, "    {\"name\": ");
        json_string(f, name);
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"output\": ", g[k].passed, g[k].total);
        json_string(f, out);
        fprintf(f, "}%s\n", k + 1 < n_groups ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    bool ok = !ferror(f);
    return (fclose(f) == 0) && ok;
}

// ------------------------------------------------------------ main loop

typedef struct {
    uint64_t seed;
    const char *gradescope; // NULL: no results.json
} LabArgs;

static bool parse_lab_args(LabArgs *a, int argc, char **argv) {
    *a = (LabArgs){.seed = 1};
    for (int i = 1; i < argc; i++) {
        if (i + 1 >= argc) {
            fprintf(stderr, "error: %s: expects a value (usage: --seed N --gradescope FILE)\n", argv[i]);
            return false;
        }
        if (strcmp(argv[i], "--gradescope") == 0) {
            a->gradescope = argv[++i];
        } else if (strcmp(argv[i], "--seed") == 0) {
            char *end;
            errno = 0;
            a->seed = strtoull(argv[++i], &end, 10);
            if (*end || errno || argv[i][0] == '-' || !argv[i][0]) {
                fprintf(stderr, "error: --seed: expected a whole number >= 0, got '%.40s'\n", argv[i]);
                return false;
            }
        } else {
            fprintf(stderr, "error: %.60s: unknown option (usage: --seed N --gradescope FILE)\n", argv[i]);
            return false;
        }
    }
    return true;
}

// Runs every case and prints one line each; returns the number passed and
// in *first_failed the first failing case (-1: none).
static int run_cases(const Lab *lab, uint64_t seed, Group *groups, int *n_groups, bool *all_zero,
                     int *first_failed) {
    int passed = 0;
    bool reference_zero = true;
    *all_zero = true;
    *first_failed = -1;
    for (int k = 0; k < lab->n_cases; k++) {
        Case c = {0};
        lab->make_case(&c, k, seed);
        bool ok = true;
        for (int b = 0; b < c.n_blocks; b++) {
            int n = c.blocks[b].h * c.blocks[b].w;
            ok = block_passes(&c.blocks[b]) && ok;
            *all_zero = *all_zero && block_is_zero(c.blocks[b].student, n);
            reference_zero = reference_zero && block_is_zero(c.blocks[b].reference, n);
        }
        Group *g = find_group(groups, n_groups, c.group);
        g->total++;
        g->passed += ok;
        passed += ok;
        printf("case %2d  %-28s %s\n", k, c.group, ok ? "pass" : "FAIL");
        if (!ok && !g->first_failure[0]) snprintf(g->first_failure, sizeof g->first_failure, "case %d failed", k);
        if (!ok && *first_failed < 0) *first_failed = k;
        case_free(&c);
    }
    *all_zero = *all_zero && !reference_zero;
    return passed;
}

int lab_main(const Lab *lab, int argc, char **argv) {
    LabArgs a;
    if (!parse_lab_args(&a, argc, argv)) return 2;
    printf("%s: checking %s (%s) on the article's example and %d seeded random cases\n\n", lab->lab,
           lab->function, lab->file, lab->n_cases - 1);
    Group groups[MAX_GROUPS];
    int n_groups = 0;
    bool not_implemented;
    int first_failed;
    int passed = run_cases(lab, a.seed, groups, &n_groups, &not_implemented, &first_failed);
    if (first_failed >= 0 && !not_implemented) {
        Case c = {0}; // the cases are seeded: built again, it is the same case
        lab->make_case(&c, first_failed, a.seed);
        print_failure(lab, &c, first_failed);
        case_free(&c);
    }
    if (not_implemented)
        printf("\n%s is not implemented yet: every output it wrote is still zero.\n"
               "Open %s and replace the TODO with your code, then run make %s again.\n",
               lab->function, lab->file, lab->lab);
    printf("\n%s: %d of %d cases passed\n", lab->lab, passed, lab->n_cases);
    if (a.gradescope && !write_gradescope(a.gradescope, lab, groups, n_groups, passed)) {
        fprintf(stderr, "error: --gradescope: cannot write %s\n", a.gradescope);
        return 4;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "error: writing to stdout failed\n");
        return 4;
    }
    return passed == lab->n_cases ? 0 : 1;
}
