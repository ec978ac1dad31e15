// libFuzzer target for the option parser (src/report/options.c parse_args).
//
// The input is an argument vector: its NUL bytes separate the arguments
// (argv[0] is fixed). A small fake chapter adds two value options and two
// bugs. For every input parse_args must not crash, and:
//   ARGS_ERROR: err is one non-empty line;
//   ARGS_OK:    the format is valid, the bug is NULL or a known one, every
//               answer has a non-empty name without '=' and a parsed matrix,
//               every --section is N.M;
// options_free runs every time, so LeakSanitizer reports any leak.
// Inputs containing '@' are skipped: an @file answer would read arbitrary
// files (even /dev/stdin), which is outside what a fuzzer can check.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"

#define REQUIRE(cond, what)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken: %s (%s)\n", what, #cond);                           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

// Bounds the work one input can ask for; libFuzzer's inputs are short anyway.
#define MAX_ARGS 256

static const BugInfo BUGS[] = {
    {"no-rot180", "forget to rotate the kernel"},
    {"wrong-sign", "subtract instead of add"},
};

static bool points_into(const char *p, char *const *argv, int argc) {
    for (int i = 0; i < argc; i++)
        if (p >= argv[i] && p <= argv[i] + strlen(argv[i])) return true;
    return false;
}

// "N.M": one to three digits, a dot, one to three digits.
static bool is_section_number(const char *s) {
    size_t a = strspn(s, "0123456789");
    if (a < 1 || a > 3 || s[a] != '.') return false;
    size_t b = strspn(s + a + 1, "0123456789");
    return b >= 1 && b <= 3 && s[a + 1 + b] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (memchr(data, '@', size)) return 0;
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';

    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = "fuzz_options";
    for (size_t start = 0; start <= size && argc <= MAX_ARGS; start += strlen(buf + start) + 1)
        argv[argc++] = buf + start;
    if (size == 0) argc = 1; // an empty input is "no arguments"
    argv[argc] = NULL;

    const char *input = NULL, *kernel = NULL;
    const ChapterOption options[] = {
        {"--input", "M", "the input X", &input},
        {"--kernel", "M", "the kernel K", &kernel},
    };
    const ChapterSpec spec = {"fuzz_options", "Fuzz target", options, 2, BUGS, 2, NULL, true};

    CommonOptions o;
    char err[512];
    err[0] = '\0';
    ArgsStatus status = parse_args(&o, &spec, argc, argv, err, sizeof err);
    switch (status) {
    case ARGS_ERROR:
        REQUIRE(err[0] != '\0', "the error message is empty");
        REQUIRE(strchr(err, '\n') == NULL, "the error message spans several lines");
        REQUIRE(o.n_answers == 0, "answers survive an error");
        break;
    case ARGS_OK:
        REQUIRE(o.format >= 0 && o.format < FORMAT_COUNT && format_name(o.format), "invalid format");
        REQUIRE(o.bug == NULL || strcmp(o.bug, BUGS[0].name) == 0 || strcmp(o.bug, BUGS[1].name) == 0,
                "an unknown bug was accepted");
        REQUIRE(o.plot_dir == NULL || o.plot_dir[0] != '\0', "an empty --plot directory was accepted");
        REQUIRE(o.n_sections >= 0 && o.n_sections <= MAX_SECTIONS, "section count out of range");
        for (int i = 0; i < o.n_sections; i++)
            REQUIRE(is_section_number(o.sections[i]) && points_into(o.sections[i], argv, argc),
                    "a malformed --section was accepted");
        /* fall through */
    case ARGS_HELP:
    case ARGS_VERSION:
    case ARGS_BUG_LIST:
        REQUIRE(o.n_answers >= 0 && o.n_answers <= MAX_ANSWERS, "answer count out of range");
        for (int i = 0; i < o.n_answers; i++) {
            const Answer *a = &o.answers[i];
            REQUIRE(a->name[0] != '\0' && strchr(a->name, '=') == NULL, "a malformed answer name");
            REQUIRE(a->value.data != NULL && a->value.c == 1, "an answer without a matrix");
            REQUIRE(a->value.h >= 1 && a->value.h <= TENSOR_MAX_SIDE && a->value.w >= 1 &&
                        a->value.w <= TENSOR_MAX_SIDE,
                    "an answer's shape is out of range");
            for (int j = 0; j < i; j++)
                REQUIRE(strcmp(a->name, o.answers[j].name) != 0, "an answer name is given twice");
        }
        REQUIRE(input == NULL || points_into(input, argv, argc), "--input does not point into argv");
        REQUIRE(kernel == NULL || points_into(kernel, argv, argc), "--kernel does not point into argv");
        break;
    }
    options_free(&o);
    REQUIRE(o.n_answers == 0, "options_free left answers behind");
    free(buf);
    return 0;
}
