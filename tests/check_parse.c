// The matrix-literal parser (src/core/parse.c): every accepted form gives exactly
// the matrix typed, and every bad input the issue lists is refused with a
// message that says what is wrong and where (row, entry, file).
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arraylen.h"
#include "parse.h"

#define MAX_ENTRIES 8

// ---------------------------------------------------------------- accepted

typedef struct {
    const char *text;
    int rows, cols;
    double v[MAX_ENTRIES];
} AcceptCase;

// The expected values are the decimal literals as typed; strtod and the
// compiler both round them correctly, so equality is exact.
static const AcceptCase ACCEPT[] = {
    {"1 2 3; 4 5 6", 2, 3, {1, 2, 3, 4, 5, 6}},
    {"1,2,3", 1, 3, {1, 2, 3}},
    {"1, 2 ,3", 1, 3, {1, 2, 3}},
    {"29, 35", 1, 2, {29, 35}}, // a single row is a vector
    {"1;2;3", 3, 1, {1, 2, 3}},
    {"  7  ", 1, 1, {7}},
    {"\t1\t2 ;3 4\t", 2, 2, {1, 2, 3, 4}},
    {"1 2;3 4", 2, 2, {1, 2, 3, 4}},
    {"-0", 1, 1, {0}},
    {"+0.0 -0.000", 1, 2, {0, 0}},
    {".5 +2 -3.25 1E2 2.", 1, 5, {0.5, 2, -3.25, 100, 2}},
    {"1e300 -1e300", 1, 2, {1e300, -1e300}},
    {"1e-300 -1e-300", 1, 2, {1e-300, -1e-300}},
    {"1.5e+3,2.5E-1", 1, 2, {1500, 0.25}},
};

START_TEST(test_accepts) {
    const AcceptCase *c = &ACCEPT[_i];
    Tensor t;
    char err[256] = "";
    ck_assert_msg(parse_matrix(&t, c->text, err, sizeof err), "'%s' refused: %s", c->text, err);
    ck_assert_int_eq(t.c, 1);
    ck_assert_int_eq(t.h, c->rows);
    ck_assert_int_eq(t.w, c->cols);
    for (int k = 0; k < c->rows * c->cols; k++) {
        ck_assert_msg(t.data[k] == c->v[k], "'%s' entry %d: got %.17g, expected %.17g", c->text, k, t.data[k],
                      c->v[k]);
        // "-0" must read as +0 so that no "-0" is ever printed back.
        ck_assert_msg(!signbit(t.data[k]) || t.data[k] != 0.0, "'%s' entry %d is a negative zero", c->text, k);
    }
    tensor_free(&t);
}
END_TEST

// ---------------------------------------------------------------- refused

typedef struct {
    const char *text;
    const char *where; // the place the message must name
    const char *what;  // and the problem
} RejectCase;

static const RejectCase REJECT[] = {
    {"1 2; 3", "row 2", "ragged"},
    {"1 2 3; 4 5 6; 7 8", "row 3 has 2 entries but row 1 has 3", "ragged"},
    {"", "empty matrix", "no entries"},
    {"   ", "empty matrix", "no entries"},
    {"1 2;; 3 4", "row 2", "empty"},
    {"; 1", "row 1", "empty"},
    {"1 2;", "row 2", "empty"},
    {"1,,2", "row 1, entry 2", "stray comma"},
    {",1", "row 1, entry 1", "stray comma"},
    {"1 2; ,3 4", "row 2, entry 1", "stray comma"},
    {"1 2,", "row 1", "ends with a comma"},
    {"1 2x", "row 1, entry 2", "'2x' is not a finite decimal number"},
    {"1 2; 3 nan", "row 2, entry 2", "'nan' is not a finite decimal number"},
    {"NaN", "row 1, entry 1", "not a finite decimal number"},
    {"inf", "row 1, entry 1", "'inf' is not a finite decimal number"},
    {"1 -inf", "row 1, entry 2", "not a finite decimal number"},
    {"infinity", "row 1, entry 1", "not a finite decimal number"},
    {"1e999", "row 1, entry 1", "'1e999' is out of range"},
    {"2 -1e301", "row 1, entry 2", "out of range"},
    {"1e-999", "row 1, entry 1", "'1e-999' is out of range"},
    {"1e-301", "row 1, entry 1", "out of range"},
    {"0x10", "row 1, entry 1", "'0x10' is not a finite decimal number"},
    {"one two", "row 1, entry 1", "'one' is not a finite decimal number"},
    {"1 2; 3 four", "row 2, entry 2", "'four'"},
    {"1.2.3", "row 1, entry 1", "not a finite decimal number"},
    {"1..2", "row 1, entry 1", "not a finite decimal number"},
    {"1e", "row 1, entry 1", "not a finite decimal number"},
    {"1e+", "row 1, entry 1", "not a finite decimal number"},
    {".", "row 1, entry 1", "not a finite decimal number"},
    {"-", "row 1, entry 1", "not a finite decimal number"},
    {"--1", "row 1, entry 1", "not a finite decimal number"},
    {"1_000", "row 1, entry 1", "not a finite decimal number"},
    {"1 2\n3 4", "newline", "';'"},
    {"1 2\n", "newline", "';'"},
    {"@", "'@'", "file name"},
    {"@/nonexistent-dir/matrix.txt", "'/nonexistent-dir/matrix.txt'", "cannot read"},
    {"@/tmp", "'/tmp'", "is a directory"},
};

START_TEST(test_rejects) {
    const RejectCase *c = &REJECT[_i];
    Tensor t = {7, 7, 7, NULL};
    char err[256] = "";
    ck_assert_msg(!parse_matrix(&t, c->text, err, sizeof err), "'%s' was accepted", c->text);
    ck_assert_msg(strstr(err, c->where) != NULL, "'%s': message '%s' does not name '%s'", c->text, err, c->where);
    ck_assert_msg(strstr(err, c->what) != NULL, "'%s': message '%s' does not say '%s'", c->text, err, c->what);
    // The caller adds "error: --option: "; the parser must not.
    ck_assert_msg(strncmp(err, "error", 5) != 0, "message has its own prefix: %s", err);
    ck_assert_ptr_null(t.data);
    ck_assert_int_eq(t.h, 0);
    ck_assert_int_eq(t.w, 0);
}
END_TEST

// A very long token is refused too, and the message stays short.
START_TEST(test_rejects_long_token) {
    char text[1200];
    memset(text, '9', 1000);
    text[1000] = 'x';
    text[1001] = '\0';
    Tensor t;
    char err[256];
    ck_assert(!parse_matrix(&t, text, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "row 1, entry 1"));
    ck_assert_ptr_null(t.data);
    ck_assert_uint_lt(strlen(err), 200);
}
END_TEST

// ---------------------------------------------------------------- side limits

// "0 0 ... 0" with n entries separated by sep.
static char *repeated_zeros(int n, char sep) {
    char *s = malloc((size_t)n * 2 + 1);
    ck_assert_ptr_nonnull(s);
    for (int k = 0; k < n; k++) {
        s[2 * k] = '0';
        s[2 * k + 1] = sep;
    }
    s[2 * n - 1] = '\0';
    return s;
}

START_TEST(test_side_limit_columns) {
    char err[256];
    Tensor t;
    char *ok = repeated_zeros(TENSOR_MAX_SIDE, ' ');
    ck_assert_msg(parse_matrix(&t, ok, err, sizeof err), "4096 columns refused: %s", err);
    ck_assert_int_eq(t.h, 1);
    ck_assert_int_eq(t.w, TENSOR_MAX_SIDE);
    tensor_free(&t);
    free(ok);
    char *too_many = repeated_zeros(TENSOR_MAX_SIDE + 1, ',');
    ck_assert(!parse_matrix(&t, too_many, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "row 1 has more than 4096 entries"));
    ck_assert_ptr_null(t.data);
    free(too_many);
}
END_TEST

START_TEST(test_side_limit_rows) {
    char err[256];
    Tensor t;
    char *ok = repeated_zeros(TENSOR_MAX_SIDE, ';');
    ck_assert_msg(parse_matrix(&t, ok, err, sizeof err), "4096 rows refused: %s", err);
    ck_assert_int_eq(t.h, TENSOR_MAX_SIDE);
    ck_assert_int_eq(t.w, 1);
    tensor_free(&t);
    free(ok);
    char *too_many = repeated_zeros(TENSOR_MAX_SIDE + 1, ';');
    ck_assert(!parse_matrix(&t, too_many, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "more than 4096 rows"));
    ck_assert_ptr_null(t.data);
    free(too_many);
}
END_TEST

// ---------------------------------------------------------------- @file

// Writes len bytes to a fresh temporary file; returns "@path" (caller frees).
static char *temp_matrix_file(const char *bytes, size_t len) {
    char path[] = "/tmp/check_parse_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, bytes, len), (ssize_t)len);
    close(fd);
    char *arg = malloc(strlen(path) + 2);
    ck_assert_ptr_nonnull(arg);
    arg[0] = '@';
    strcpy(arg + 1, path);
    return arg;
}

typedef struct {
    const char *bytes;
    int rows, cols;
    double v[MAX_ENTRIES];
} FileCase;

static const FileCase FILE_ACCEPT[] = {
    {"1 2\n3 4", 2, 2, {1, 2, 3, 4}},
    {"1 2 3\n", 1, 3, {1, 2, 3}},          // trailing newline
    {"\n1, 2\n\n\n3, 4\n\n", 2, 2, {1, 2, 3, 4}}, // blank lines ignored
    {"1 2\r\n3 4\r\n", 2, 2, {1, 2, 3, 4}}, // Windows line ends
    {"1 2; 3 4\n5 6\n", 3, 2, {1, 2, 3, 4, 5, 6}}, // ';' still works
    {"1 2\r3 4\r", 2, 2, {1, 2, 3, 4}},     // lone CRs (old Mac line ends) end rows
    {"\xEF\xBB\xBF" "1 2\n", 1, 2, {1, 2}},  // a UTF-8 byte-order mark is skipped
};

START_TEST(test_file_accepts) {
    const FileCase *c = &FILE_ACCEPT[_i];
    char *arg = temp_matrix_file(c->bytes, strlen(c->bytes));
    Tensor t;
    char err[512] = "";
    ck_assert_msg(parse_matrix(&t, arg, err, sizeof err), "file case %d refused: %s", _i, err);
    ck_assert_int_eq(t.h, c->rows);
    ck_assert_int_eq(t.w, c->cols);
    for (int k = 0; k < c->rows * c->cols; k++) ck_assert_double_eq(t.data[k], c->v[k]);
    tensor_free(&t);
    unlink(arg + 1);
    free(arg);
}
END_TEST

typedef struct {
    const char *bytes;
    size_t len;
    const char *what;
} FileRejectCase;

static const FileRejectCase FILE_REJECT[] = {
    {"", 0, "empty matrix"},
    {"\n\n  \n", 4, "empty matrix"},
    {"1 2\n3\n", 6, "row 2 has 1 entry but row 1 has 2"},
    {"1 2\n3 oops\n", 11, "row 2, entry 2: 'oops'"},
    {"1 2\0 3\n", 7, "NUL byte"},
};

START_TEST(test_file_rejects) {
    const FileRejectCase *c = &FILE_REJECT[_i];
    char *arg = temp_matrix_file(c->bytes, c->len);
    Tensor t;
    char err[512] = "";
    ck_assert_msg(!parse_matrix(&t, arg, err, sizeof err), "file case %d accepted", _i);
    ck_assert_msg(strstr(err, c->what) != NULL, "message '%s' does not say '%s'", err, c->what);
    // The message names the file, so the user knows which @argument is bad.
    ck_assert_msg(strstr(err, arg + 1) != NULL, "message '%s' does not name %s", err, arg + 1);
    ck_assert_ptr_null(t.data);
    unlink(arg + 1);
    free(arg);
}
END_TEST


static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// /dev/zero never ends and a 1 GiB (sparse) file is too large: both refused
// at once, before any byte is read.
START_TEST(test_file_refused_fast) {
    char *arg = temp_matrix_file("1", 1);
    ck_assert_int_eq(truncate(arg + 1, 1L << 30), 0);
    const char *paths[] = {"@/dev/zero", arg};
    const char *what[] = {"not a regular file or a pipe", "is larger than"};
    for (int k = 0; k < 2; k++) {
        Tensor t;
        char err[512] = "";
        double t0 = now();
        ck_assert(!parse_matrix(&t, paths[k], err, sizeof err));
        ck_assert_double_lt(now() - t0, 0.1);
        ck_assert_msg(strstr(err, what[k]) != NULL, "%s", err);
    }
    unlink(arg + 1);
    free(arg);
}
END_TEST

// A FIFO whose writer never finishes is refused within about a second.
START_TEST(test_file_fifo_refused) {
    char path[] = "/tmp/check_parse_fifo_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    unlink(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    pid_t writer = fork();
    ck_assert_int_ge(writer, 0);
    if (writer == 0) {
        int w = open(path, O_WRONLY);
        if (w >= 0 && write(w, "1 2\n", 4) == 4) sleep(5);
        _exit(0);
    }
    nanosleep(&(struct timespec){0, 100000000}, NULL); // the writer opens its end
    char arg[64];
    snprintf(arg, sizeof arg, "@%s", path);
    Tensor t;
    char err[512] = "";
    double t0 = now();
    bool ok = parse_matrix(&t, arg, err, sizeof err);
    double took = now() - t0;
    kill(writer, SIGKILL);
    waitpid(writer, NULL, 0);
    unlink(path);
    ck_assert(!ok);
    ck_assert_msg(strstr(err, "still being written") != NULL, "%s", err);
    ck_assert_double_lt(took, PARSE_READ_SECONDS + 0.5);
}
END_TEST

// Echoed text is cut at a character boundary: 39 ASCII bytes then 'é' (2
// bytes) straddles the 40-byte cut, and the message keeps no half of it.
START_TEST(test_quote_cuts_at_character) {
    char text[64] = "", out[64];
    for (int k = 0; k < 39; k++) strcat(text, "x");
    strcat(text, "\xC3\xA9yz");
    quote_text(out, sizeof out, text, 40);
    ck_assert_int_eq((int)strlen(out), 39 + 3); // the 39 x's and "..."
    ck_assert_str_eq(out + 39, "...");
    quote_text(out, sizeof out, "short", 40);
    ck_assert_str_eq(out, "short");
}
END_TEST

// ---------------------------------------------------------------- numbers

typedef struct {
    const char *text;
    bool ok;
    double value;
    const char *what; // for refused text: a phrase of the message
} NumberCase;

static const NumberCase NUMBERS[] = {
    {"2.5", true, 2.5, NULL},
    {"-0", true, 0.0, NULL},
    {"-7e2", true, -700, NULL},
    {"1e300", true, 1e300, NULL},
    {"1e-300", true, 1e-300, NULL},
    {"", false, 0, "empty number"},
    {"1 ", false, 0, "not a finite decimal number"},
    {"abc", false, 0, "'abc' is not a finite decimal number"},
    {"nan", false, 0, "not a finite decimal number"},
    {"1e400", false, 0, "out of range"},
    {"-1e-400", false, 0, "out of range"},
};

START_TEST(test_parse_number) {
    const NumberCase *c = &NUMBERS[_i];
    double x = -123.0;
    char err[256] = "";
    bool ok = parse_number(&x, c->text, err, sizeof err);
    ck_assert_msg(ok == c->ok, "'%s': parse_number returned %d (%s)", c->text, ok, err);
    if (ok) {
        ck_assert_double_eq(x, c->value);
        ck_assert(!signbit(x) || x != 0.0);
    } else {
        ck_assert_msg(strstr(err, c->what) != NULL, "'%s': message '%s' lacks '%s'", c->text, err, c->what);
        ck_assert_double_eq(x, -123.0); // untouched on failure
    }
}
END_TEST

typedef struct {
    const char *text;
    int min, max;
    bool ok;
    int value;
    const char *what;
} IntCase;

static const IntCase INTS[] = {
    {"42", 0, 100, true, 42, NULL},
    {"-5", -10, 10, true, -5, NULL},
    {"+7", 0, 10, true, 7, NULL},
    {"0", 0, 0, true, 0, NULL},
    {"100", 0, 100, true, 100, NULL},
    {"101", 0, 100, false, 0, "out of range (expected 0 to 100)"},
    {"-1", 0, 100, false, 0, "out of range"},
    {"99999999999999999999", 0, 100, false, 0, "out of range"},
    {"1.5", 0, 100, false, 0, "'1.5' is not a whole number"},
    {"", 0, 100, false, 0, "not a whole number"},
    {"-", 0, 100, false, 0, "not a whole number"},
    {"12a", 0, 100, false, 0, "not a whole number"},
    {" 3", 0, 100, false, 0, "not a whole number"},
    {"0x10", 0, 100, false, 0, "not a whole number"},
};

START_TEST(test_parse_int) {
    const IntCase *c = &INTS[_i];
    int v = -999;
    char err[256] = "";
    bool ok = parse_int(&v, c->text, c->min, c->max, err, sizeof err);
    ck_assert_msg(ok == c->ok, "'%s' in [%d,%d]: returned %d (%s)", c->text, c->min, c->max, ok, err);
    if (ok)
        ck_assert_int_eq(v, c->value);
    else
        ck_assert_msg(strstr(err, c->what) != NULL, "'%s': message '%s' lacks '%s'", c->text, err, c->what);
}
END_TEST


Suite *make_parse_suite(void) {
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("literals");
    tcase_add_loop_test(tc, test_accepts, 0, ARRAY_LEN(ACCEPT));
    tcase_add_loop_test(tc, test_rejects, 0, ARRAY_LEN(REJECT));
    tcase_add_test(tc, test_rejects_long_token);
    tcase_add_test(tc, test_side_limit_columns);
    tcase_add_test(tc, test_side_limit_rows);
    suite_add_tcase(s, tc);
    TCase *files = tcase_create("files");
    tcase_add_loop_test(files, test_file_accepts, 0, ARRAY_LEN(FILE_ACCEPT));
    tcase_add_loop_test(files, test_file_rejects, 0, ARRAY_LEN(FILE_REJECT));
    tcase_add_test(files, test_file_refused_fast);
    tcase_add_test(files, test_file_fifo_refused);
    tcase_add_test(files, test_quote_cuts_at_character);
    suite_add_tcase(s, files);
    TCase *numbers = tcase_create("numbers");
    tcase_add_loop_test(numbers, test_parse_number, 0, ARRAY_LEN(NUMBERS));
    tcase_add_loop_test(numbers, test_parse_int, 0, ARRAY_LEN(INTS));
    suite_add_tcase(s, numbers);
    return s;
}
