#include "options.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

_Noreturn void usage_error(const char *fmt, ...) {
    // The message quotes user input, so it is flattened to one line.
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    message_one_line(msg);
    fprintf(stderr, "error: %s\n", msg);
    fflush(stderr);
    exit(2);
}

static const char *const COMMON_HELP =
    "Common options:\n"
    "  --help                 show this help and exit\n"
    "  --format FMT           text (default), latex, markdown or json\n"
    "  --no-color             plain text even on a terminal (NO_COLOR is honoured too)\n"
    "  --seed N               seed for every random choice (default 1)\n"
    "  --answer NAME=MATRIX   check your own hand-computed value of NAME (repeatable);\n"
    "                         NAME is any JSON key of this chapter, MATRIX a literal\n"
    "  --bug NAME             inject a classic mistake; '--bug list' names them\n"
    "  --plot DIR             write gnuplot data files into DIR\n"
    "  --step                 pause for Enter between sections (only on a terminal)\n"
    "\n"
    "Matrix literals: rows separated by ';', entries by spaces or commas, e.g.\n"
    "\"1 2 3; 4 5 6\"; a single row is a vector; @FILE reads the same syntax from a\n"
    "file (newlines also separate rows). Entries are decimal numbers with magnitude\n"
    "0 or between 1e-300 and 1e300; every side is at most 4096.\n"
    "\n"
    "Exit status: 0 all checks passed, 1 a gradient check or an --answer failed,\n"
    "2 bad input.\n";

void print_help(FILE *f, const ChapterSpec *spec) {
    fprintf(f, "%s\n\nUsage: %s [options]\n\n", spec->title, spec->program);
    if (spec->n_options > 0) {
        fputs("Chapter options:\n", f);
        for (int i = 0; i < spec->n_options; i++) {
            char left[64];
            snprintf(left, sizeof left, "%s %s", spec->options[i].name, spec->options[i].metavar);
            fprintf(f, "  %-22s %s\n", left, spec->options[i].help);
        }
        fputc('\n', f);
    }
    if (spec->notes) fprintf(f, "%s\n\n", spec->notes);
    fputs(COMMON_HELP, f);
}

// One bug a line: the name first, then its description, in aligned columns.
static void print_bug_list(FILE *f, const ChapterSpec *spec) {
    int width = 0;
    for (int k = 0; k < spec->n_bugs; k++) {
        int n = (int)strlen(spec->bugs[k].name);
        if (n > width) width = n;
    }
    for (int k = 0; k < spec->n_bugs; k++)
        fprintf(f, "%-*s  %s\n", width, spec->bugs[k].name, spec->bugs[k].description);
}

static const char *const FORMAT_NAMES[] = {"text", "latex", "markdown", "json"};

// Matches "--name" or "--name=value"; on a match sets *inline_value (NULL for
// the separate-argument form).
static bool option_matches(const char *arg, const char *name, const char **inline_value) {
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return false;
    if (arg[n] == '\0') {
        *inline_value = NULL;
        return true;
    }
    if (arg[n] == '=') {
        *inline_value = arg + n + 1;
        return true;
    }
    return false;
}

static bool parse_answer(CommonOptions *o, const char *text, char *err, size_t errlen) {
    const char *eq = strchr(text, '=');
    if (!eq) {
        snprintf(err, errlen, "--answer: '%.60s' has no '=' (expected NAME=MATRIX, e.g. dK=\"1 2; 3 4\")",
                 text);
        return false;
    }
    if (eq == text) {
        snprintf(err, errlen, "--answer: the name before '=' is empty (expected NAME=MATRIX)");
        return false;
    }
    if (o->n_answers == MAX_ANSWERS) {
        snprintf(err, errlen, "--answer: more than %d answers", MAX_ANSWERS);
        return false;
    }
    size_t name_len = (size_t)(eq - text);
    for (int i = 0; i < o->n_answers; i++)
        if (strlen(o->answers[i].name) == name_len && strncmp(o->answers[i].name, text, name_len) == 0) {
            snprintf(err, errlen, "--answer: '%.*s' is given twice", (int)name_len, text);
            return false;
        }
    char why[300];
    Tensor value;
    if (!parse_matrix(&value, eq + 1, why, sizeof why)) {
        snprintf(err, errlen, "--answer %.*s: %s", (int)(name_len > 40 ? 40 : name_len), text, why);
        return false;
    }
    char *name = malloc(name_len + 1);
    if (!name) {
        tensor_free(&value);
        snprintf(err, errlen, "--answer: out of memory");
        return false;
    }
    memcpy(name, text, name_len);
    name[name_len] = '\0';
    o->answers[o->n_answers++] = (Answer){name, value};
    return true;
}

ArgsStatus parse_args(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv, char *err,
                      size_t errlen) {
    *o = (CommonOptions){.format = FORMAT_TEXT, .seed = DEFAULT_SEED};
    bool want_help = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *inline_value;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            want_help = true;
            continue;
        }
        if (strcmp(arg, "--no-color") == 0) {
            o->no_color = true;
            continue;
        }
        if (strcmp(arg, "--step") == 0) {
            o->step = true;
            continue;
        }
        // Every remaining option takes a value: find which one this is.
        static const char *const COMMON_VALUED[] = {"--format", "--seed", "--answer", "--bug", "--plot"};
        const char *name = NULL;
        const char **chapter_slot = NULL;
        for (size_t k = 0; k < sizeof COMMON_VALUED / sizeof *COMMON_VALUED && !name; k++)
            if (option_matches(arg, COMMON_VALUED[k], &inline_value)) name = COMMON_VALUED[k];
        for (int k = 0; k < spec->n_options && !name; k++)
            if (option_matches(arg, spec->options[k].name, &inline_value)) {
                name = spec->options[k].name;
                chapter_slot = spec->options[k].value;
            }
        if (!name) {
            if (strncmp(arg, "-", 1) == 0)
                snprintf(err, errlen, "%.60s: unknown option (see --help)", arg);
            else
                snprintf(err, errlen, "'%.60s': unexpected argument (options start with --; see --help)", arg);
            goto fail;
        }
        const char *value = inline_value;
        if (!value) {
            if (i + 1 >= argc) {
                snprintf(err, errlen, "%s: missing value", name);
                goto fail;
            }
            value = argv[++i];
        }
        if (chapter_slot) {
            *chapter_slot = value;
        } else if (strcmp(name, "--format") == 0) {
            bool found = false;
            for (int f = 0; f < 4; f++)
                if (strcmp(value, FORMAT_NAMES[f]) == 0) {
                    o->format = (Format)f;
                    found = true;
                }
            if (!found) {
                snprintf(err, errlen, "--format: unknown format '%.40s' (expected text, latex, markdown or json)",
                         value);
                goto fail;
            }
        } else if (strcmp(name, "--seed") == 0) {
            const char *p = value;
            bool digits = *p != '\0';
            for (; *p; p++)
                if (*p < '0' || *p > '9') digits = false;
            errno = 0;
            unsigned long long s = digits ? strtoull(value, NULL, 10) : 0;
            if (!digits || errno == ERANGE) {
                snprintf(err, errlen, "--seed: '%.40s' is not a whole number from 0 to %" PRIu64, value,
                         UINT64_MAX);
                goto fail;
            }
            o->seed = (uint64_t)s;
        } else if (strcmp(name, "--answer") == 0) {
            if (!parse_answer(o, value, err, errlen)) goto fail;
        } else if (strcmp(name, "--bug") == 0) {
            o->bug = value;
        } else if (strcmp(name, "--plot") == 0) {
            if (*value == '\0') {
                snprintf(err, errlen, "--plot: the directory name is empty");
                goto fail;
            }
            o->plot_dir = value;
        }
    }
    if (want_help) return ARGS_HELP;
    if (o->bug && strcmp(o->bug, "list") == 0) return ARGS_BUG_LIST;
    if (o->bug) {
        bool known = false;
        for (int k = 0; k < spec->n_bugs; k++)
            if (strcmp(o->bug, spec->bugs[k].name) == 0) {
                known = true;
                o->bug_id = k + 1;
            }
        if (!known) {
            if (spec->n_bugs == 0)
                snprintf(err, errlen, "--bug: this chapter has no bugs to inject");
            else
                snprintf(err, errlen, "--bug: unknown bug '%.40s' ('--bug list' names them)", o->bug);
            goto fail;
        }
    }
    return ARGS_OK;
fail:
    message_one_line(err);
    options_free(o);
    return ARGS_ERROR;
}

void parse_args_or_exit(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv) {
    char err[512];
    switch (parse_args(o, spec, argc, argv, err, sizeof err)) {
    case ARGS_OK:
        return;
    case ARGS_HELP:
        print_help(stdout, spec);
        options_free(o);
        exit(0);
    case ARGS_BUG_LIST:
        print_bug_list(stdout, spec);
        options_free(o);
        exit(0);
    case ARGS_ERROR:
        usage_error("%s", err);
    }
}

void options_free(CommonOptions *o) {
    for (int i = 0; i < o->n_answers; i++) {
        free((char *)o->answers[i].name);
        tensor_free(&o->answers[i].value);
    }
    o->n_answers = 0;
}

bool bug_is(const CommonOptions *o, const char *name) { return o->bug && strcmp(o->bug, name) == 0; }

Tensor option_matrix(const char *option, const char *text) {
    Tensor t;
    char err[400];
    if (!parse_matrix(&t, text, err, sizeof err)) usage_error("%s: %s", option, err);
    return t;
}

Tensor option_vector(const char *option, const char *text) {
    Tensor t = option_matrix(option, text);
    if (t.h != 1) {
        int rows = t.h;
        tensor_free(&t);
        usage_error("%s: expected a vector (one row), got %d rows", option, rows);
    }
    return t;
}

double option_number(const char *option, const char *text) {
    double x;
    char err[300];
    if (!parse_number(&x, text, err, sizeof err)) usage_error("%s: %s", option, err);
    return x;
}

int option_int(const char *option, const char *text, int min, int max) {
    int v;
    char err[300];
    if (!parse_int(&v, text, min, max, err, sizeof err)) usage_error("%s: %s", option, err);
    return v;
}

void option_size(const char *option, const char *text, int *rows, int *cols) {
    const char *x = strchr(text, 'x');
    char err[300];
    if (!x) {
        if (!parse_int(rows, text, 1, TENSOR_MAX_SIDE, err, sizeof err))
            usage_error("%s: %s; a size is K or KHxKW, e.g. 2 or 2x3", option, err);
        *cols = *rows;
        return;
    }
    char first[32];
    size_t n = (size_t)(x - text);
    if (n == 0 || n >= sizeof first) usage_error("%s: '%.40s' is not K or KHxKW (e.g. 2 or 2x3)", option, text);
    memcpy(first, text, n);
    first[n] = '\0';
    if (!parse_int(rows, first, 1, TENSOR_MAX_SIDE, err, sizeof err) ||
        !parse_int(cols, x + 1, 1, TENSOR_MAX_SIDE, err, sizeof err))
        usage_error("%s: %s; a size is K or KHxKW, e.g. 2 or 2x3", option, err);
}

int option_choice(const char *option, const char *text, const char *choices) {
    int index = 0;
    const char *p = choices;
    size_t len = strlen(text);
    while (*p) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, text, n) == 0) return index;
        index++;
        if (!bar) break;
        p = bar + 1;
    }
    char shown[200];
    snprintf(shown, sizeof shown, "%s", choices);
    for (char *c = shown; *c; c++)
        if (*c == '|') *c = ',';
    usage_error("%s: unknown value '%.40s' (expected one of: %s)", option, text, shown);
}

void require_finite(const Tensor *t, const char *options) {
    if (!tensor_all_finite(t))
        usage_error("%s: the computation overflows double precision with these entries; use smaller "
                    "magnitudes",
                    options);
}
