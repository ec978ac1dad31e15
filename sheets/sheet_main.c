// make sheet SEED=N: a seeded exercise sheet and its answer key.
//
//   build/sheet --seed N [--out DIR]
//
// writes DIR/sheet-N.tex, DIR/key-N.tex, DIR/sheet-N.md and DIR/key-N.md
// (DIR defaults to build/sheets). The same seed gives byte-identical files;
// each problem ends with the chapter command that checks an answer.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arraylen.h"
#include "sheet_doc.h"
#include "sheet_problems.h"

// Exit status when a file cannot be written (as the chapters use).
#define EXIT_WRITE_ERROR 4

static _Noreturn void fail(int status, const char *fmt, const char *arg) {
    fprintf(stderr, "error: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(status);
}

// Every chapter once, a formula to derive, then one more problem of a kind
// chosen by the seed.
static const ProblemFn PROBLEMS[] = {problem_correlation, problem_bce, problem_dense, problem_maxpool,
                                     problem_conv, problem_softmax_ce, problem_formula};
static const ProblemFn EXTRA[] = {problem_correlation, problem_bce, problem_dense, problem_maxpool, problem_conv};

static void write_file(const char *dir, const char *stem, uint64_t seed, const char *ext, const StrBuf *text) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-%" PRIu64 ".%s", dir, stem, seed, ext);
    FILE *f = fopen(path, "w");
    if (!f) fail(EXIT_WRITE_ERROR, "--out: cannot write %s", path);
    bool ok = fwrite(sb_str(text), 1, text->len, f) == text->len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) fail(EXIT_WRITE_ERROR, "--out: writing %s failed (disk full?)", path);
    printf("%s\n", path);
}

static void make_dirs(const char *dir) {
    char path[4096];
    if (strlen(dir) >= sizeof path) fail(2, "--out: the directory name is too long (%s)", "over 4095 bytes");
    strcpy(path, dir);
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) fail(EXIT_WRITE_ERROR, "--out: cannot create %s", path);
            if (end) return;
            *p = '/';
        }
    }
}

static uint64_t parse_seed(const char *text) {
    char *end;
    errno = 0;
    // Digits only: strtoull would skip a leading space and wrap " -1" to 2^64 - 1.
    if (!text || strspn(text, "0123456789") != strlen(text) || !*text)
        fail(2, "--seed: expected a whole number >= 0, got '%.40s'", text ? text : "");
    uint64_t v = strtoull(text, &end, 10);
    if (*end || errno) fail(2, "--seed: expected a whole number >= 0, got '%.40s'", text);
    return v;
}

int main(int argc, char **argv) {
    const char *seed_text = NULL, *dir = "build/sheets";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            puts("Usage: sheet --seed N [--out DIR]\n\nWrites a seeded exercise sheet and its key: DIR/sheet-N.tex,"
                 "\nDIR/key-N.tex, DIR/sheet-N.md and DIR/key-N.md (DIR defaults to build/sheets).\n"
                 "Example: build/sheet --seed 7");
            return 0;
        }
        if (i + 1 >= argc) fail(2, "%s: expects a value", argv[i]);
        if (strcmp(argv[i], "--seed") == 0) seed_text = argv[++i];
        else if (strcmp(argv[i], "--out") == 0) dir = argv[++i];
        else fail(2, "%.60s: unknown option (try --help)", argv[i]);
    }
    if (!seed_text) fail(2, "--seed: %s", "required (e.g. --seed 7)");
    uint64_t seed = parse_seed(seed_text);
    if (!*dir) fail(2, "--out: %s", "the directory name is empty");
    char title[80], subtitle[160];
    snprintf(title, sizeof title, "Backpropagation in CNNs: exercise sheet %" PRIu64, seed);
    Doc sheet, key;
    doc_begin(&sheet, title, "Work each problem by hand, then check it with the command under it.");
    snprintf(subtitle, sizeof subtitle, "Answer key for sheet %" PRIu64 ", worked step by step.", seed);
    doc_begin(&key, title, subtitle);
    Rng rng = rng_make(seed);
    int number = 1;
    for (int k = 0; k < ARRAY_LEN(PROBLEMS); k++) PROBLEMS[k](&sheet, &key, number++, &rng);
    EXTRA[rng_below(&rng, ARRAY_LEN(EXTRA))](&sheet, &key, number++, &rng);
    doc_end(&sheet);
    doc_end(&key);
    make_dirs(dir);
    write_file(dir, "sheet", seed, "tex", &sheet.tex);
    write_file(dir, "key", seed, "tex", &key.tex);
    write_file(dir, "sheet", seed, "md", &sheet.md);
    write_file(dir, "key", seed, "md", &key.md);
    doc_free(&sheet);
    doc_free(&key);
    if (fflush(stdout) != 0 || ferror(stdout)) fail(EXIT_WRITE_ERROR, "%s", "writing to stdout failed");
    return 0;
}
