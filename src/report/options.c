#include "options.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "parse.h"
#include "progress.h"
#include "strbuf.h"

// The in-process re-run under way (rerun_begin), if any.
static StrBuf *rerun_out;
static const char *rerun_bug;

void rerun_begin(StrBuf *out, const char *bug) { rerun_out = out, rerun_bug = bug; }
void rerun_end(void) { rerun_out = NULL, rerun_bug = NULL; }
StrBuf *rerun_output(void) { return rerun_out; }

static _Noreturn void error_exit(int status, const char *fmt, va_list ap) {
    // The message quotes user input, so it is flattened to one line.
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    message_one_line(msg);
    progress_clear(); // the error starts its own line on a terminal
    if (rerun_bug)
        fprintf(stderr, "error: --answer: naming the mistake ran --bug %s, which stopped: %s\n", rerun_bug, msg);
    else
        fprintf(stderr, "error: %s\n", msg);
    fflush(stderr);
    exit(status);
}

_Noreturn void usage_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_exit(2, fmt, ap);
}

_Noreturn void write_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    error_exit(EXIT_WRITE_ERROR, fmt, ap);
}

void require_stdout_open(void) {
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1) write_error("cannot write the output: stdout is closed");
}

void finish_stdout(void) {
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        write_error("cannot write the output: %s", strerror(errno ? errno : EIO));
}

static const char *const FORMAT_NAMES[FORMAT_COUNT] = {
#define FORMAT_NAME_(e, name) #name,
    FORMAT_LIST(FORMAT_NAME_)
#undef FORMAT_NAME_
};

const char *format_name(Format f) { return (unsigned)f < FORMAT_COUNT ? FORMAT_NAMES[f] : NULL; }

// Before "--section N.M", in a chapter that checks formulas.
static const char *const FORMULA_HELP =
    "  --formula NAME=EXPR    check a formula you derived for the gradient NAME on\n"
    "                         your inputs and 20 random cases (repeatable), e.g.\n"
    "                         --formula 'dK = xcorr(X, G)'; '--formula list' names\n"
    "                         the symbols and functions\n";

// After "--format FMT" (the %s: FORMULA_HELP or nothing).
static const char *const COMMON_HELP =
    "  --no-color             plain text even on a terminal (NO_COLOR is honoured)\n"
    "  --seed N               seed for every random choice (default 1)\n"
    "  --answer NAME=MATRIX   check your own hand-computed value of NAME\n"
    "                         (repeatable); NAME is a key the chapter reports with a\n"
    "                         number, vector or matrix, MATRIX a literal; a wrong\n"
    "                         answer is matched against the classic mistakes\n"
    "  --bug NAME             inject a classic mistake; '--bug list' names them\n"
    "  --plot DIR             write gnuplot data files into DIR\n"
    "  --step                 pause for Enter between sections (text on a terminal\n"
    "                         only; ignored otherwise)\n"
    "%s"
    "  --section N.M          show only section N.M, its checks and verdicts\n"
    "                         (repeatable); '--section list' names the sections\n"
    "  --full-matrices        print every entry of big matrices (by default a side\n"
    "                         over 16 entries, or too wide for the line, shows its\n"
    "                         first and last entries around ...)\n"
    "  --check-all            check every entry, however long it takes (by default\n"
    "                         a big check samples entries and says so)\n"
    "\n"
    "Matrix literals: rows separated by ';', entries by spaces or commas, e.g.\n"
    "\"1 2 3; 4 5 6\"; a single row is a vector; @FILE reads the same syntax from a\n"
    "file (newlines also separate rows). Entries are decimal numbers with magnitude\n"
    "0 or between 1e-300 and 1e300; every side is at most 4096.\n"
    "\n"
    "Exit status: 0 all checks passed, 1 a gradient check or an --answer failed,\n"
    "2 bad input, 3 nothing failed but a check could not decide, 4 the output\n"
    "could not be written (full disk, closed stdout, broken pipe, --plot file).\n";

// --help fits this many columns: an 80-column terminal.
#define HELP_WIDTH 80

// Writes s from column col, wrapped to HELP_WIDTH, with continuation lines
// indented by indent; each broken line ends with cont (" \\" for a command
// line, so that it still pastes into a shell).
static void print_wrapped_cont(FILE *f, const char *s, size_t col, size_t indent, const char *cont) {
    size_t width = HELP_WIDTH - strlen(cont);
    bool line_start = true;
    while (*s) {
        s += strspn(s, " ");
        size_t n = wrap_unit_len(s, true);
        if (n == 0) break;
        // In a command line an option stays with its value.
        if (*cont && strncmp(s, "--", 2) == 0 && s[n] == ' ' && s[n + 1] && s[n + 1] != '-')
            n += 1 + wrap_unit_len(s + n + 1, true);
        size_t w = utf8_width_n(s, n);
        if (!line_start && col + 1 + w > width) {
            fprintf(f, "%s\n%*s", cont, (int)indent, "");
            col = indent;
            line_start = true;
        }
        if (!line_start) {
            fputc(' ', f);
            col++;
        }
        fwrite(s, 1, n, f);
        col += w;
        line_start = false;
        s += n;
    }
    fputc('\n', f);
}

static void print_wrapped(FILE *f, const char *s, size_t col, size_t indent) {
    print_wrapped_cont(f, s, col, indent, "");
}

void print_help(FILE *f, const ChapterSpec *spec) {
    fprintf(f, "%s\n\nUsage: %s [options]\n\n", spec->title, spec->program);
    if (spec->n_options > 0) {
        fputs("Chapter options:\n", f);
        for (int i = 0; i < spec->n_options; i++) {
            char left[64];
            snprintf(left, sizeof left, "%s %s", spec->options[i].name, spec->options[i].metavar);
            fprintf(f, "  %-22s ", left);
            size_t col = 25 > 3 + strlen(left) ? 25 : 3 + strlen(left);
            print_wrapped(f, spec->options[i].help, col, 25);
        }
        fputc('\n', f);
    }
    if (spec->notes) {
        // Each line of the notes is a paragraph or an indented example.
        for (const char *p = spec->notes; *p;) {
            size_t n = strcspn(p, "\n");
            char line[1024];
            snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), p);
            size_t lead = strspn(line, " ");
            fprintf(f, "%.*s", (int)lead, line);
            bool command = strncmp(line + lead, "Example", 7) == 0;
            print_wrapped_cont(f, line + lead, lead, command ? lead + 4 : lead ? lead + 2 : 0, command ? " \\" : "");
            p += n;
            if (*p) p++;
        }
        fputc('\n', f);
    }
    fputs("Common options:\n  --help                 show this help and exit\n"
          "  --version              show the version and the licence and exit\n", f);
    fputs("  --format FMT           ", f);
    for (int k = 0; k < FORMAT_COUNT; k++)
        fprintf(f, "%s%s", k == 0 ? "" : k + 1 == FORMAT_COUNT ? " or " : ", ", FORMAT_NAMES[k]);
    fputs("\n                         (default text)\n", f);
    fprintf(f, COMMON_HELP, spec->formulas ? FORMULA_HELP : "");
}

// The workbook's release, printed by every program's --version.
#define WORKBOOK_VERSION "1.0"

void print_version(FILE *f, const char *program) {
    fprintf(f, "%s (backpropagation workbook) %s\n"
               "MIT licence (LICENSE); data/ keeps its own, CC BY 4.0 (data/README.md)\n",
            program, WORKBOOK_VERSION);
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

static bool parse_format(CommonOptions *o, const char *value, char *err, size_t errlen) {
    for (int f = 0; f < FORMAT_COUNT; f++)
        if (strcmp(value, FORMAT_NAMES[f]) == 0) {
            o->format = (Format)f;
            return true;
        }
    int len = snprintf(err, errlen, "--format: unknown format '%.40s' (expected", value);
    for (int f = 0; f < FORMAT_COUNT && len > 0 && (size_t)len < errlen; f++)
        len += snprintf(err + len, errlen - (size_t)len, "%s%s", f == 0 ? " " : f + 1 == FORMAT_COUNT ? " or " : ", ",
                        FORMAT_NAMES[f]);
    if (len > 0 && (size_t)len < errlen) snprintf(err + len, errlen - (size_t)len, ")");
    return false;
}

// "N.M" with N and M whole numbers of at most three digits, or "list".
static bool parse_section(CommonOptions *o, const char *value, char *err, size_t errlen) {
    if (strcmp(value, "list") == 0) {
        o->section_list = true;
        return true;
    }
    const char *p = value;
    int digits = 0, dots = 0;
    for (; *p; p++) {
        if (*p == '.' && digits > 0 && dots == 0) {
            dots++;
            digits = 0;
        } else if (*p >= '0' && *p <= '9' && digits < 3) {
            digits++;
        } else {
            break;
        }
    }
    if (*p || dots != 1 || digits == 0) {
        snprintf(err, errlen, "--section: '%.40s' is not a section number N.M (e.g. 5.3) or 'list'", value);
        return false;
    }
    if (o->n_sections == MAX_SECTIONS) {
        snprintf(err, errlen, "--section: more than %d sections", MAX_SECTIONS);
        return false;
    }
    o->sections[o->n_sections++] = value;
    return true;
}

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
        // A word (mode=valid, ties=first) names a text setting, which no
        // hand computation checks: say so, beside what was wrong.
        const char *v = eq + 1 + strspn(eq + 1, " \t");
        bool word = isalpha((unsigned char)*v) && strncmp(v, "nan", 3) != 0 && strncmp(v, "inf", 3) != 0;
        snprintf(err, errlen, "--answer %.*s: %s%s", (int)(name_len > 40 ? 40 : name_len), text, why,
                 word ? " (--answer checks numbers, vectors and matrices; a setting such as a mode or a rule is "
                        "text and cannot be checked)"
                      : "");
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

// A flag (an option without a value); false when arg is not one.
static bool parse_flag(CommonOptions *o, const char *arg, bool *want_help) {
    struct {
        const char *name;
        bool *flag;
    } const FLAGS[] = {
        {"--help", want_help},        {"-h", want_help},
        {"--no-color", &o->no_color}, {"--step", &o->step},
        {"--full-matrices", &o->full_matrices}, {"--check-all", &o->check_all},
    };
    for (int k = 0; k < ARRAY_LEN(FLAGS); k++)
        if (strcmp(arg, FLAGS[k].name) == 0) return *FLAGS[k].flag = true;
    return false;
}

static bool parse_seed(CommonOptions *o, const char *value, char *err, size_t errlen) {
    bool digits = *value != '\0';
    for (const char *p = value; *p; p++)
        if (*p < '0' || *p > '9') digits = false;
    errno = 0;
    unsigned long long s = digits ? strtoull(value, NULL, 10) : 0;
    if (!digits || errno == ERANGE) {
        snprintf(err, errlen, "--seed: '%.40s' is not a whole number from 0 to %" PRIu64, value, UINT64_MAX);
        return false;
    }
    o->seed = (uint64_t)s;
    return true;
}

static bool parse_plot(CommonOptions *o, const char *value, char *err, size_t errlen) {
    if (*value == '\0') {
        snprintf(err, errlen, "--plot: the directory name is empty");
        return false;
    }
    o->plot_dir = value;
    return true;
}

static bool parse_formula(CommonOptions *o, const char *value, char *err, size_t errlen) {
    if (!o->spec->formulas) {
        snprintf(err, errlen, "--formula: this chapter has no formulas to check (chapters 1, 2, 3 and 5 do)");
        return false;
    }
    if (o->n_formulas == MAX_FORMULAS) {
        snprintf(err, errlen, "--formula: more than %d formulas", MAX_FORMULAS);
        return false;
    }
    o->formulas[o->n_formulas++] = value;
    return true;
}

static bool parse_bug(CommonOptions *o, const char *value, char *err, size_t errlen) {
    (void)err, (void)errlen;
    o->bug = value;
    return true;
}

typedef bool (*ValueParser)(CommonOptions *o, const char *value, char *err, size_t errlen);

static const struct {
    const char *name;
    ValueParser parse;
} COMMON_VALUED[] = {
    {"--format", parse_format}, {"--seed", parse_seed}, {"--answer", parse_answer},
    {"--bug", parse_bug},       {"--plot", parse_plot}, {"--section", parse_section},
    {"--formula", parse_formula},
};

// --bug NAME resolved to its id (k + 1 for spec->bugs[k]).
static bool resolve_bug(CommonOptions *o, const ChapterSpec *spec, char *err, size_t errlen) {
    for (int k = 0; k < spec->n_bugs; k++)
        if (strcmp(o->bug, spec->bugs[k].name) == 0) {
            o->bug_id = k + 1;
            return true;
        }
    if (spec->n_bugs == 0)
        snprintf(err, errlen, "--bug: this chapter has no bugs to inject");
    else
        snprintf(err, errlen, "--bug: unknown bug '%.40s' ('--bug list' names them)", o->bug);
    return false;
}

// A word that is no option ("", "-", "stray", or anything after "--"): the
// error names the option whose value it follows, when there is one (an
// unquoted value with spaces: --input 1 2), else "--", the place of
// positional arguments, which no program here takes.
static void stray_argument(char **argv, int i, char *err, size_t errlen) {
    const char *before = i > 1 ? argv[i - 2] : "";
    if (strncmp(before, "--", 2) == 0 && before[2] && !strchr(before, '=') && strncmp(argv[i - 1], "-", 1) != 0)
        snprintf(err, errlen, "%.40s: '%.60s' follows its value '%.40s' (a value with spaces must be quoted: "
                              "%.40s \"%.40s %.40s\")", before, argv[i], argv[i - 1], before, argv[i - 1], argv[i]);
    else
        snprintf(err, errlen, "--: '%.60s' is not an option, and this program takes no other arguments "
                              "(see --help)", argv[i]);
}

// One option with a value at argv[*i] (advancing *i past a separate value).
static bool parse_valued(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv, int *i, char *err,
                         size_t errlen) {
    const char *arg = argv[*i], *inline_value = NULL, *name = NULL;
    const char **chapter_slot = NULL;
    ValueParser parse = NULL;
    for (int k = 0; k < ARRAY_LEN(COMMON_VALUED) && !name; k++)
        if (option_matches(arg, COMMON_VALUED[k].name, &inline_value)) {
            name = COMMON_VALUED[k].name;
            parse = COMMON_VALUED[k].parse;
        }
    for (int k = 0; k < spec->n_options && !name; k++)
        if (option_matches(arg, spec->options[k].name, &inline_value)) {
            name = spec->options[k].name;
            chapter_slot = spec->options[k].value;
        }
    if (!name) {
        if (strncmp(arg, "-", 1) == 0 && arg[1] != '\0')
            snprintf(err, errlen, "%.60s: unknown option (see --help)", arg);
        else
            stray_argument(argv, *i, err, errlen);
        return false;
    }
    const char *value = inline_value;
    if (!value) {
        if (*i + 1 >= argc) {
            snprintf(err, errlen, "%s: missing value", name);
            return false;
        }
        value = argv[++*i];
    }
    if (chapter_slot) {
        *chapter_slot = value;
        return true;
    }
    return parse(o, value, err, errlen);
}

ArgsStatus parse_args(CommonOptions *o, const ChapterSpec *spec, int argc, char **argv, char *err,
                      size_t errlen) {
    *o = (CommonOptions){.format = FORMAT_TEXT, .seed = DEFAULT_SEED, .argc = argc, .argv = argv, .spec = spec};
    bool want_help = false;
    bool want_version = false;
    for (int i = 1; i < argc; i++) {
        // "--" ends the options; what follows is an argument, and none is taken.
        if (strcmp(argv[i], "--") == 0) {
            if (i + 1 < argc) {
                snprintf(err, errlen, "--: '%.60s' after '--' is an argument, and this program takes none "
                                      "(see --help)", argv[i + 1]);
                goto fail;
            }
            break;
        }
        if (strcmp(argv[i], "--version") == 0) {
            want_version = true;
            continue;
        }
        if (!parse_flag(o, argv[i], &want_help) && !parse_valued(o, spec, argc, argv, &i, err, errlen)) goto fail;
    }
    if (want_help) return ARGS_HELP;
    if (want_version) return ARGS_VERSION;
    if (o->bug && strcmp(o->bug, "list") == 0) return ARGS_BUG_LIST;
    if (o->bug && !resolve_bug(o, spec, err, errlen)) goto fail;
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
        options_free(o);
        require_stdout_open();
        print_help(stdout, spec);
        finish_stdout();
        exit(0);
    case ARGS_VERSION:
        options_free(o);
        require_stdout_open();
        print_version(stdout, spec->program);
        finish_stdout();
        exit(0);
    case ARGS_BUG_LIST:
        options_free(o);
        require_stdout_open();
        print_bug_list(stdout, spec);
        finish_stdout();
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
    char err[400], what[80];
    snprintf(what, sizeof what, "reading %.60s", option);
    progress_activity(what); // a 4096x4096 @file takes seconds
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
