// lab_main: runs every case of a lab, the student's function each time in a
// process of its own (sandbox.c), prints one line per case as it goes, the
// first failing case in full and a score line, and writes Gradescope's
// results.json. Only this process decides the score and the exit status.
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "sandbox.h"

// The grader's --time-limit, in seconds of CPU time per case, must lie here.
#define LAB_MIN_SECONDS 0.01
#define LAB_MAX_SECONDS 60.0
// Lines of the student's own printing, and of the compiler's messages, shown.
#define LAB_PRINTED_LINES 8
#define LAB_BUILD_LOG_LINES 30
#define MAX_GROUPS 8

typedef struct {
    uint64_t seed;
    const char *gradescope; // NULL: no results.json
    char student[4096];     // the student's program
    const char *build_log;  // the compiler's messages, shown when it did not build
    double seconds;
} LabArgs;

typedef struct {
    const char *name;
    int passed, total;
    char failed[160];  // "3, 5, 7"
    char *diagnosis;   // the first failing case in full (owned)
} Group;

// ------------------------------------------------------------ options

static bool parse_seed(uint64_t *seed, const char *s) {
    char *end;
    errno = 0;
    if (s[0] < '0' || s[0] > '9') return false; // strtoull would take " -1" as 2^64 − 1
    *seed = strtoull(s, &end, 10);
    return !*end && !errno;
}

static bool usage(const char *option, const char *what, const char *got) {
    fprintf(stderr, "error: %s: %s, got '%.40s'\n", option, what, got);
    return false;
}

static bool parse_lab_args(LabArgs *a, int argc, char **argv) {
    *a = (LabArgs){.seed = 1, .seconds = SANDBOX_DEFAULT_SECONDS};
    snprintf(a->student, sizeof a->student, "%s-student", argv[0]);
    for (int i = 1; i < argc; i++) {
        const char *opt = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool known = !strcmp(opt, "--seed") || !strcmp(opt, "--gradescope") || !strcmp(opt, "--student") ||
                     !strcmp(opt, "--build-log") || !strcmp(opt, "--time-limit");
        if (!known) {
            fprintf(stderr, "error: %.60s: unknown option (usage: --seed N --gradescope FILE --student PROGRAM"
                            " --build-log FILE --time-limit SECONDS)\n", opt);
            return false;
        }
        if (!v) {
            fprintf(stderr, "error: %s: expects a value\n", opt);
            return false;
        }
        i++;
        if (!strcmp(opt, "--seed") && !parse_seed(&a->seed, v))
            return usage(opt, "expected a whole number >= 0", v);
        if (!strcmp(opt, "--gradescope")) a->gradescope = v;
        if (!strcmp(opt, "--build-log")) a->build_log = v;
        if (!strcmp(opt, "--student") && snprintf(a->student, sizeof a->student, "%s", v) >= (int)sizeof a->student)
            return usage(opt, "path too long", v);
        if (!strcmp(opt, "--time-limit")) {
            char *end;
            a->seconds = strtod(v, &end);
            if (*end || end == v || !(a->seconds >= LAB_MIN_SECONDS && a->seconds <= LAB_MAX_SECONDS))
                return usage(opt, "expected seconds from 0.01 to 60", v);
        }
    }
    return true;
}

// ------------------------------------------------------------ what went wrong in a run

// What a crash by signal sig usually means in a lab function, as lines.
static const char *signal_hint(int sig) {
    switch (sig) {
    case SIGSEGV:
    case SIGBUS:
        return "  A segmentation fault: it read or wrote outside an array, or through a NULL\n"
               "  pointer (malloc returns NULL past the memory limit of 256 MiB). Check\n"
               "  every index against the shapes in the file's header comment.\n";
    case SIGABRT:
        return "  An abort: an assert failed, or the C library found the heap corrupted\n"
               "  (a write past the end of a malloc'ed array).\n";
    case SIGFPE: return "  An arithmetic exception: an integer division by zero?\n";
    default: return "";
    }
}

static void describe_run(FILE *f, const RunResult *r, const Case *c, double seconds) {
    switch (r->end) {
    case RUN_RETURNED: break;
    case RUN_NO_PROGRAM: fprintf(f, "  The grader could not start your program.\n"); break;
    case RUN_CRASHED:
        fprintf(f, "  Your function crashed: signal %d (%s).\n%s", r->signal, strsignal(r->signal),
                signal_hint(r->signal));
        break;
    case RUN_TIMED_OUT:
        fprintf(f, "  Your function did not finish within the limit of %.3g s (a case takes\n"
                   "  microseconds): an infinite loop? Check each loop's condition and increment.\n", seconds);
        break;
    case RUN_FLOODED:
        fprintf(f, "  Your function printed more than %d KiB: a printf in a loop? Remove it;\n"
                   "  the grader reads your outputs, not what you print.\n", SANDBOX_MAX_PRINT / 1024);
        break;
    case RUN_EXITED:
        fprintf(f, "  Your program ended (exit status %d) before your function returned: do\n"
                   "  not call exit() or end the program; return from the function.\n", r->exit_code);
        break;
    case RUN_OVERRAN: {
        const Block *b = &c->blocks[r->array];
        fprintf(f, "  Your function wrote outside %s: at index %d, but %s has %d entries\n"
                   "  (0 to %d). Check your indices against the shapes in the header comment.\n",
                b->name, r->index, b->name, b->h * b->w, b->h * b->w - 1);
        break;
    }
    case RUN_CHANGED:
        fprintf(f, "  Your function changed its input %s, which is const: write into the\n"
                   "  outputs only (copy an input if you need scratch space).\n", c->in_name[r->array]);
        break;
    }
}

static const char *run_word(RunEnd e) {
    switch (e) {
    case RUN_RETURNED: return "";
    case RUN_NO_PROGRAM: return " (not run)";
    case RUN_CRASHED: return " (crashed)";
    case RUN_TIMED_OUT: return " (time-out)";
    case RUN_FLOODED: return " (printed too much)";
    case RUN_EXITED: return " (exited)";
    case RUN_OVERRAN: return " (wrote outside an output)";
    case RUN_CHANGED: return " (changed an input)";
    }
    return "";
}

// What the student's code printed, marked as theirs.
static void show_printed(FILE *f, const RunResult *r) {
    if (!r->printed[0]) return;
    fprintf(f, "  Your code printed (shown as yours; the grader ignores it):\n");
    const char *p = r->printed;
    for (int line = 0; *p && line < LAB_PRINTED_LINES; line++) {
        size_t len = strcspn(p, "\n");
        fprintf(f, "  | %.*s\n", (int)(len > 72 ? 72 : len), p);
        p += len + (p[len] == '\n');
    }
    if (*p || r->printed_more) fprintf(f, "  | ...\n");
}

// ------------------------------------------------------------ a student file that did not build

// Adds the symbol of an "undefined reference to `name'" line to the
// comma-separated list (once each).
static void note_undefined(char *list, size_t size, const char *line) {
    const char *u = strstr(line, "undefined reference to `");
    char name[128];
    if (!u || sscanf(u + 24, "%127[^']", name) != 1) return;
    for (const char *p = strstr(list, name); p; p = strstr(p + 1, name))
        if ((p == list || p[-1] == ' ') && (p[strlen(name)] == ',' || !p[strlen(name)])) return;
    // Wrapped to fit 80 columns after the 4-space indent it is printed with.
    size_t len = strlen(list), col = len - (strrchr(list, '\n') ? (size_t)(strrchr(list, '\n') - list) + 5 : 0);
    const char *sep = !len ? "" : col + strlen(name) + 2 > 74 ? ",\n    " : ", ";
    if (len + strlen(name) + 8 < size) snprintf(list + len, size - len, "%s%s", sep, name);
}

// The compiler's messages, and what "undefined reference" means here.
static char *build_failure(const char *log_path) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len), *log = log_path ? fopen(log_path, "r") : NULL;
    if (!f) abort();
    fprintf(f, "  Your file did not build, so no case could run.%s\n", log ? " The compiler said:" : "");
    char line[512], undefined[800] = "";
    for (int n = 0; log && fgets(line, sizeof line, log);) {
        note_undefined(undefined, sizeof undefined, line);
        line[strcspn(line, "\n")] = '\0';
        if (n++ < LAB_BUILD_LOG_LINES) fprintf(f, "  | %.74s\n", line);
    }
    if (undefined[0])
        fprintf(f, "  Your code calls functions your file does not define:\n    %s.\n"
                   "  The grader builds your file alone, with the C and math libraries only:\n"
                   "  the workbook's own functions (dense_backward, conv_backward, ...) are not\n"
                   "  there. Write the computation yourself.\n", undefined);
    if (log) fclose(log);
    fclose(f);
    return text;
}

// ------------------------------------------------------------ Gradescope

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

// results.json: "score" plus one test per case group, whose output is the
// group's first failing case in full. Written to FILE.tmp and renamed, so
// that FILE is whole or absent, and whatever was there before is replaced.
static bool write_gradescope(const char *path, const Lab *lab, const Group *g, int n_groups, int passed,
                             const char *note) {
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) return false;
    FILE *f = fopen(tmp, "w");
    if (!f) return false;
    fprintf(f, "{\n  \"score\": %d,\n  \"tests\": [\n", passed);
    for (int k = 0; k < n_groups; k++) {
        char name[200], head[300];
        snprintf(name, sizeof name, "%s: %s", lab->lab, g[k].name);
        snprintf(head, sizeof head, "%d of %d cases passed%s%s", g[k].passed, g[k].total,
                 g[k].failed[0] ? "; failed: case " : "", g[k].failed);
        fprintf(f, "    {\"name\": ");
        json_string(f, name);
        fprintf(f, ", \"score\": %d, \"max_score\": %d, \"output\": ", g[k].passed, g[k].total);
        size_t len = strlen(head) + (g[k].diagnosis ? strlen(g[k].diagnosis) : 0) + (note ? strlen(note) : 0) + 4;
        char *out = malloc(len);
        if (!out) abort();
        snprintf(out, len, "%s\n%s%s", head, g[k].diagnosis ? g[k].diagnosis : "", note ? note : "");
        json_string(f, out);
        free(out);
        fprintf(f, "}%s\n", k + 1 < n_groups ? "," : "");
    }
    fprintf(f, "  ]\n}\n");
    bool ok = !ferror(f);
    ok = fclose(f) == 0 && ok;
    if (ok && rename(tmp, path) == 0) return true;
    remove(tmp);
    return false;
}

// ------------------------------------------------------------ the cases

typedef struct {
    int passed, first_failed;
    bool all_zero, reference_zero;
    char *first_diagnosis;
} Tally;

// Runs the student's function on case c; false when its run went wrong.
static RunResult run_student(const LabArgs *a, Case *c) {
    WireShape s = {.n_in = c->n_in, .n_ints = c->n_ints, .n_out = c->n_blocks};
    double *out[WIRE_MAX_ARRAYS];
    for (int k = 0; k < c->n_in; k++) s.in_len[k] = c->in_len[k];
    for (int k = 0; k < c->n_ints; k++) s.ints[k] = c->ints[k];
    for (int b = 0; b < c->n_blocks; b++) s.out_len[b] = c->blocks[b].h * c->blocks[b].w, out[b] = c->blocks[b].student;
    SandboxLimits lim = {.seconds = a->seconds, .memory_bytes = SANDBOX_MEMORY_BYTES};
    RunResult r = sandbox_run(a->student, &s, (const double *const *)c->in, out, &lim);
    if (r.end != RUN_RETURNED)
        for (int b = 0; b < c->n_blocks; b++) memset(c->blocks[b].student, 0, sizeof(double) * (size_t)s.out_len[b]);
    return r;
}

static char *diagnose(const Lab *lab, const Case *c, int k, const RunResult *r, const char *build, double seconds) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) abort();
    fprintf(f, "Case %d (%s) FAILED. Its inputs:\n%s", k, c->group, c->inputs);
    if (build) fputs(build, f);
    else if (r->end != RUN_RETURNED) describe_run(f, r, c, seconds);
    else case_print_failure(f, lab, c);
    if (!build) show_printed(f, r);
    fclose(f);
    return text;
}

static void one_case(const Lab *lab, const LabArgs *a, int k, const char *build, Group *groups, int *n_groups,
                     Tally *t) {
    Case c = {0};
    lab->make_case(&c, k, a->seed);
    RunResult r = {.end = RUN_NO_PROGRAM};
    if (!build) r = run_student(a, &c);
    bool ok = r.end == RUN_RETURNED && case_passes(&c);
    for (int b = 0; b < c.n_blocks; b++) {
        int n = c.blocks[b].h * c.blocks[b].w;
        t->all_zero = t->all_zero && r.end == RUN_RETURNED && block_is_zero(c.blocks[b].student, n);
        t->reference_zero = t->reference_zero && block_is_zero(c.blocks[b].reference, n);
    }
    Group *g = find_group(groups, n_groups, c.group);
    g->total++;
    g->passed += ok;
    t->passed += ok;
    printf("case %2d  %-28s %s%s\n", k, c.group, ok ? "pass" : "FAIL", build ? " (did not build)" : ok ? "" : run_word(r.end));
    fflush(stdout); // a later crash of the grader itself loses no line
    if (!ok) {
        size_t len = strlen(g->failed);
        if (len + 8 < sizeof g->failed) snprintf(g->failed + len, sizeof g->failed - len, "%s%d", len ? ", " : "", k);
        if (!g->diagnosis || t->first_failed < 0) {
            char *d = diagnose(lab, &c, k, &r, build, a->seconds);
            if (!g->diagnosis) g->diagnosis = d;
            if (t->first_failed < 0) t->first_failed = k, t->first_diagnosis = d;
            if (g->diagnosis != d && t->first_diagnosis != d) free(d);
        }
    }
    case_free(&c);
}

int lab_main(const Lab *lab, int argc, char **argv) {
    LabArgs a;
    if (!parse_lab_args(&a, argc, argv)) return 2;
    printf("%s: checking %s (%s)\non the article's example and %d seeded random cases\n\n", lab->lab,
           lab->function, lab->file, lab->n_cases - 1);
    char *build = access(a.student, X_OK) == 0 ? NULL : build_failure(a.build_log);
    Group groups[MAX_GROUPS];
    int n_groups = 0;
    Tally t = {.first_failed = -1, .all_zero = true, .reference_zero = true};
    for (int k = 0; k < lab->n_cases; k++) one_case(lab, &a, k, build, groups, &n_groups, &t);
    bool not_implemented = t.all_zero && !t.reference_zero;
    char note[400] = "";
    if (not_implemented)
        snprintf(note, sizeof note,
                 "\n%s is not implemented yet: every output it wrote is still zero.\n"
                 "Open %s and replace the TODO with your code, then run make %s again.\n",
                 lab->function, lab->file, lab->lab);
    else if (t.first_diagnosis)
        printf("\n%s\n", t.first_diagnosis);
    printf("%s\n%s: %d of %d cases passed\n", note, lab->lab, t.passed, lab->n_cases);
    int status = t.passed == lab->n_cases ? 0 : 1;
    if (a.gradescope && !write_gradescope(a.gradescope, lab, groups, n_groups, t.passed, note[0] ? note : NULL)) {
        fprintf(stderr, "error: --gradescope: cannot write %s\n", a.gradescope);
        status = 4;
    }
    for (int g = 0; g < n_groups; g++) free(groups[g].diagnosis);
    free(build);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "error: writing to stdout failed\n");
        return 4;
    }
    return status;
}
