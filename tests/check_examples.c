// Every example the workbook shows runs as shown. The examples are read at
// test time, never copied here:
//  - README.md and every docs/*.md: inside ``` blocks, each line starting with "build/chapter",
//    "$ build/chapter" or "make chapterN"; it must exit 0, unless the block
//    shows "$ echo $?" and another status right after its output, or the
//    line's comment says "exit N" ("# ...: FAIL, exit 1");
//  - each chapter's --help: the lines under "Example:", "Examples:" or
//    "e.g." that start with "chapterN" or "build/chapter"; they must exit 0.
// Each runs with /bin/sh in a fresh directory that links every entry of the
// repository (so data/ and @files resolve, and files an example writes, such
// as `--plot DIR` or `> chapter3.tex`, land in the scratch directory), with
// build/ linked to the build under test and `make chapterN ARGS='...'` run
// as the Makefile runs it: ./build/chapterN $(ARGS). An example that needs a
// file the repository does not ship fails.
#include <check.h>
#include <dirent.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arraylen.h"
#include "proc.h"

#ifndef BUILD_DIR
#define BUILD_DIR "build"
#endif
#ifndef CHAPTER_LIST
#define CHAPTER_LIST ""
#endif

typedef struct {
    char source[48]; // "README.md:92" or "chapter6 --help"
    char command[512];
    int expected; // exit status
} Example;

// More than the README and all the --help texts together hold today.
enum { MAX_EXAMPLES = 512 };

static Example examples[MAX_EXAMPLES];
static int n_examples;
static int help_examples[16]; // per chapter number
static int readme_examples;
static int docs_examples;

static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

static const char *skip_spaces(const char *s) {
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

// A README line that is an example command: the command, or NULL.
static const char *readme_command(const char *line) {
    const char *s = skip_spaces(line);
    if (starts_with(s, "$ ")) s = skip_spaces(s + 2);
    if (starts_with(s, "build/chapter")) return s;
    if (starts_with(s, "make chapter") && s[12] >= '0' && s[12] <= '9') return s;
    return NULL;
}

static bool add_example(Example *out, int *n, int max, const char *source, const char *prefix, const char *cmd,
                        size_t len, int expected) {
    if (*n == max) return false;
    Example *e = &out[*n];
    snprintf(e->source, sizeof e->source, "%s", source);
    snprintf(e->command, sizeof e->command, "%s%.*s", prefix, (int)len, cmd);
    e->expected = expected;
    (*n)++;
    return true;
}

// Splits text into lines: line k (0-based) starts at lines[k]; returns the
// count. Each line ends at '\n' or '\0'.
static int split_lines(const char *text, const char **lines, int max) {
    int n = 0;
    for (const char *p = text; *p && n < max; n++) {
        lines[n] = p;
        const char *nl = strchr(p, '\n');
        if (!nl) {
            n++;
            break;
        }
        p = nl + 1;
    }
    return n;
}

static size_t line_len(const char *line) { return strcspn(line, "\n"); }

static bool is_fence(const char *line) { return starts_with(skip_spaces(line), "```"); }

// The shell comment of a command line ("# ..." after a space, outside
// quotes), or NULL.
static const char *comment_of(const char *line) {
    char quote = 0;
    for (const char *p = line; *p && *p != '\n'; p++) {
        if (quote) {
            if (*p == quote) quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == '#' && p > line && (p[-1] == ' ' || p[-1] == '\t')) {
            return p;
        }
    }
    return NULL;
}

// The status the README shows for the command at lines[k]: the number after
// "$ echo $?" if that comes before the next command, or "exit N" in the
// line's own comment ("# ... FAIL, exit 1"); otherwise 0.
static int shown_status(const char **lines, int n, int k) {
    const char *comment = comment_of(lines[k]);
    const char *exit_word = comment ? strstr(comment, "exit ") : NULL;
    if (exit_word && exit_word < comment + line_len(comment) && exit_word[5] >= '0' && exit_word[5] <= '9')
        return atoi(exit_word + 5);
    for (int j = k + 1; j < n && !is_fence(lines[j]) && !readme_command(lines[j]); j++) {
        if (starts_with(skip_spaces(lines[j]), "$ echo $?") && j + 1 < n) return atoi(skip_spaces(lines[j + 1]));
        if (starts_with(skip_spaces(lines[j]), "$ ")) break;
    }
    return 0;
}

// Adds the examples of one Markdown file (README.md or docs/NAME.md, named
// by file for the source column); returns how many.
static int parse_markdown(const char *file, const char *text, Example *out, int *n, int max) {
    enum { MAX_LINES = 4096 };
    static const char *lines[MAX_LINES];
    int count = split_lines(text, lines, MAX_LINES), found = 0;
    bool in_block = false;
    for (int k = 0; k < count; k++) {
        if (is_fence(lines[k])) {
            in_block = !in_block;
            continue;
        }
        const char *cmd = in_block ? readme_command(lines[k]) : NULL;
        if (!cmd) continue;
        char source[48];
        snprintf(source, sizeof source, "%s:%d", file, k + 1);
        size_t len = line_len(cmd);
        found += add_example(out, n, max, source, "", cmd, len, shown_status(lines, count, k));
    }
    return found;
}

// "chapter6 --kernels 2" or "build/chapter6 ..." at the start of s: the
// prefix that makes it a path from the repository root, or NULL.
static const char *help_command_prefix(const char *s) {
    if (starts_with(s, "build/chapter")) return "";
    if (starts_with(s, "chapter") && s[7] >= '0' && s[7] <= '9') return "build/";
    return NULL;
}

// After an "Example:"/"Examples:"/"e.g." label on this line: the rest of the
// line, or NULL when the line has no label.
static const char *after_label(const char *line) {
    const char *s = skip_spaces(line);
    if (starts_with(s, "Examples:")) return skip_spaces(s + 9);
    if (starts_with(s, "Example:")) return skip_spaces(s + 8);
    const char *eg = strstr(line, "e.g.");
    if (eg && eg < line + line_len(line)) return skip_spaces(eg + 4);
    return NULL;
}

// Adds the examples of one --help text; returns how many. An example is the
// rest of a label line, the line after a label that ends its line, or an
// indented line right after another example.
static int parse_help(const char *text, const char *source, Example *out, int *n, int max) {
    enum { MAX_LINES = 512 };
    static const char *lines[MAX_LINES];
    int count = split_lines(text, lines, MAX_LINES), found = 0;
    bool label_open = false, after_example = false;
    for (int k = 0; k < count; k++) {
        const char *rest = after_label(lines[k]);
        bool continues = label_open || (after_example && (lines[k][0] == ' ' || lines[k][0] == '\t'));
        const char *s = rest ? rest : skip_spaces(lines[k]);
        const char *prefix = (rest || continues) ? help_command_prefix(s) : NULL;
        label_open = rest && line_len(rest) == 0;
        after_example = prefix != NULL;
        if (prefix) found += add_example(out, n, max, source, prefix, s, line_len(s), 0);
    }
    return found;
}

static int compare_names(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

// The examples of docs/*.md, in file-name order; returns how many.
static int collect_docs_examples(void) {
    DIR *dir = opendir("docs");
    if (!dir) return 0;
    enum { MAX_DOCS = 64 };
    char *names[MAX_DOCS];
    int n_names = 0, found = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL && n_names < MAX_DOCS;) {
        size_t len = strlen(e->d_name);
        if (len > 3 && strcmp(e->d_name + len - 3, ".md") == 0) names[n_names++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, (size_t)n_names, sizeof names[0], compare_names);
    for (int i = 0; i < n_names; i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof path, "docs/%s", names[i]);
        char *text = read_file(path);
        if (text) found += parse_markdown(path, text, examples, &n_examples, MAX_EXAMPLES);
        free(text);
        free(names[i]);
    }
    return found;
}

static void collect_examples(void) {
    char *readme = read_file("README.md");
    if (readme) readme_examples = parse_markdown("README.md", readme, examples, &n_examples, MAX_EXAMPLES);
    free(readme);
    docs_examples = collect_docs_examples();
    const char *p = CHAPTER_LIST;
    for (;;) {
        char *end;
        long ch = strtol(p, &end, 10);
        if (end == p || ch < 0 || ch >= (long)ARRAY_LEN(help_examples)) break;
        p = end;
        char program[32], source[48];
        snprintf(program, sizeof program, "chapter%ld", ch);
        snprintf(source, sizeof source, "%s --help", program);
        ProcResult r = run_chapter(program, (const char *const[]){"--help", NULL});
        help_examples[ch] = parse_help(r.out, source, examples, &n_examples, MAX_EXAMPLES);
        proc_free(&r);
    }
}

// The scratch directory: a link to every entry of the repository, and build
// linked to the build under test. Returns false (with errno set) on failure.
static bool make_sandbox(char *dir, size_t size) {
    char root[PATH_MAX], build[PATH_MAX * 2 + 2], path[PATH_MAX * 2 + 2];
    if (!getcwd(root, sizeof root)) return false;
    if (BUILD_DIR[0] == '/')
        snprintf(build, sizeof build, "%s", BUILD_DIR);
    else
        snprintf(build, sizeof build, "%s/%s", root, BUILD_DIR);
    snprintf(dir, size, "/tmp/check_examples.XXXXXX");
    if (!mkdtemp(dir)) return false;
    DIR *d = opendir(".");
    if (!d) return false;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || strcmp(e->d_name, "build") == 0) continue;
        char target[PATH_MAX * 2 + 2];
        snprintf(target, sizeof target, "%s/%s", root, e->d_name);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (symlink(target, path) != 0) {
            closedir(d);
            return false;
        }
    }
    closedir(d);
    snprintf(path, sizeof path, "%s/build", dir);
    return symlink(build, path) == 0;
}

// `make chapterN ARGS='...'` as the Makefile's recipe runs it.
static const char MAKE_STANDIN[] =
    "make() {\n"
    "  target=; args=\n"
    "  for a do case $a in ARGS=*) args=${a#ARGS=};; -*|*=*) ;; *) target=$a;; esac; done\n"
    "  case $target in\n"
    "  chapter[0-9]*) eval \"./build/$target $args\";;\n"
    "  *) echo \"check_examples: cannot run make $target\" >&2; return 127;;\n"
    "  esac\n"
    "}\n";

START_TEST(test_example) {
    const Example *e = &examples[_i];
    char dir[64];
    ck_assert_msg(make_sandbox(dir, sizeof dir), "cannot make a scratch directory for %s", e->source);
    char script[sizeof MAKE_STANDIN + sizeof e->command + 1];
    snprintf(script, sizeof script, "%s%s\n", MAKE_STANDIN, e->command);
    ProcResult r = run_shell(script, dir);
    char cleanup[128];
    snprintf(cleanup, sizeof cleanup, "rm -rf '%s'", dir);
    ProcResult c = run_shell(cleanup, NULL);
    proc_free(&c);
    ck_assert_msg(r.status == e->expected, "%s: `%s` exited %d, expected %d; stderr: %.400s", e->source, e->command,
                  r.status, e->expected, r.err);
    proc_free(&r);
}
END_TEST

// The parser itself, on a sample with a known answer, so that the loop
// above cannot pass by finding nothing.
START_TEST(test_readme_parser) {
    static const char sample[] = "make chapter1\n"
                                 "```sh\n"
                                 "make chapters\n"
                                 "make chapter2 ARGS='--x 1'   # note\n"
                                 "build/chapter0 --format json\n"
                                 "build/chapter1 --bug x   # FAIL, exit 1\n"
                                 "```\n"
                                 "build/chapter9 outside a block\n"
                                 "```\n"
                                 "$ build/chapter1 --answer \"a=1\"\n"
                                 "output\n"
                                 "$ echo $?\n"
                                 "1\n"
                                 "$ build/chapter3 --W \"1 2 3\"\n"
                                 "error: --W: ...\n"
                                 "```\n";
    Example got[8];
    int n = 0;
    ck_assert_int_eq(parse_markdown("README.md", sample, got, &n, ARRAY_LEN(got)), 5);
    ck_assert_str_eq(got[0].command, "make chapter2 ARGS='--x 1'   # note");
    ck_assert_str_eq(got[0].source, "README.md:4");
    ck_assert_str_eq(got[1].command, "build/chapter0 --format json");
    ck_assert_int_eq(got[1].expected, 0);
    ck_assert_int_eq(got[2].expected, 1);
    ck_assert_str_eq(got[3].command, "build/chapter1 --answer \"a=1\"");
    ck_assert_int_eq(got[3].expected, 1);
    ck_assert_str_eq(got[4].command, "build/chapter3 --W \"1 2 3\"");
    ck_assert_int_eq(got[4].expected, 0);
}
END_TEST

START_TEST(test_help_parser) {
    static const char sample[] = "  --at X     the point (e.g. 0.5)\n"
                                 "Examples: chapter2 --y \"1 0\"\n"
                                 "          chapter2 --z 3\n"
                                 "\n"
                                 "Matrix literals: rows separated by ';', e.g.\n"
                                 "\"1 2 3; 4 5 6\"; a single row\n"
                                 "Example: build/chapter2 --seed 2\n"
                                 "chapter2 is not indented, so not an example\n"
                                 "See e.g.\n"
                                 "chapter2 --seed 3\n";
    Example got[8];
    int n = 0;
    ck_assert_int_eq(parse_help(sample, "x", got, &n, ARRAY_LEN(got)), 4);
    ck_assert_str_eq(got[0].command, "build/chapter2 --y \"1 0\"");
    ck_assert_str_eq(got[1].command, "build/chapter2 --z 3");
    ck_assert_str_eq(got[2].command, "build/chapter2 --seed 2");
    ck_assert_str_eq(got[3].command, "build/chapter2 --seed 3");
}
END_TEST

// Every chapter's --help shows an example, and the README shows some.
START_TEST(test_every_chapter_has_examples) {
    ck_assert_msg(readme_examples > 0, "no example found in README.md");
    ck_assert_msg(docs_examples > 0, "no example found in docs/*.md");
    ck_assert_msg(n_examples < MAX_EXAMPLES, "more than %d examples: raise MAX_EXAMPLES", MAX_EXAMPLES - 1);
    const char *p = CHAPTER_LIST;
    int chapters = 0;
    for (char *end;; p = end) {
        long ch = strtol(p, &end, 10);
        if (end == p) break;
        chapters++;
        ck_assert_msg(ch < (long)ARRAY_LEN(help_examples) && help_examples[ch] > 0,
                      "chapter%ld --help shows no example", ch);
    }
    ck_assert_int_gt(chapters, 0);
}
END_TEST

Suite *make_examples_suite(void) {
    collect_examples();
    Suite *s = suite_create("examples");
    TCase *tc = tcase_create("examples");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_readme_parser);
    tcase_add_test(tc, test_help_parser);
    tcase_add_test(tc, test_every_chapter_has_examples);
    tcase_add_loop_test(tc, test_example, 0, n_examples);
    suite_add_tcase(s, tc);
    return s;
}
