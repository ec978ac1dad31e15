// The data sets of chapter 6 (src/layers/dataset.h): synthetic strokes, the CSV
// reader on good and bad text, and the files it reads: NUL bytes, a BOM,
// CR line ends, the size cap, devices, FIFOs and directories, each refused
// or read within a second.
#include <check.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "arraylen.h"
#include "dataset.h"
#include "parse.h"

START_TEST(test_synthetic_images) {
    Dataset d;
    ck_assert(dataset_synthetic(&d, 200, 8, 8, 3));
    int ones = 0;
    for (int k = 0; k < d.n; k++) {
        ck_assert(d.y[k] == 0.0 || d.y[k] == 1.0);
        ones += d.y[k] == 1.0;
        // The stroke shows: the brightest column (label 1) or row (label 0)
        // sum beats every row (column) sum, since a stroke of 4 to 8 ones
        // adds at least 4 over noise of σ = 0.25 per pixel.
        const double *img = d.x + (size_t)k * 64;
        double best_row = -1e9, best_col = -1e9;
        for (int i = 0; i < 8; i++) {
            double row = 0, col = 0;
            for (int j = 0; j < 8; j++) row += img[i * 8 + j], col += img[j * 8 + i];
            best_row = fmax(best_row, row), best_col = fmax(best_col, col);
        }
        ck_assert_msg((best_col > best_row) == (d.y[k] == 1.0), "image %d", k);
    }
    ck_assert_int_gt(ones, 60); // both classes, roughly balanced
    ck_assert_int_lt(ones, 140);
    dataset_free(&d);
    ck_assert(!dataset_synthetic(&d, 1 << 13, 8, 8, 3)); // 2^19 values, above the memory bound
    Dataset again;
    ck_assert(dataset_synthetic(&d, 10, 8, 8, 3) && dataset_synthetic(&again, 10, 8, 8, 3));
    ck_assert_int_eq(memcmp(d.x, again.x, 640 * sizeof(double)), 0);
    dataset_free(&d);
    dataset_free(&again);
}
END_TEST

// ---------------------------------------------------------------- CSV

typedef struct {
    const char *text;
    int n;
    double y0, last; // the first label and the last pixel of the last image
} CsvGood;

static const CsvGood CSV_GOOD[] = {
    {"1,0,1,0,1\n0,1,1,1,1\n", 2, 1, 1},
    {" 1 , 0.5,1e-1, -2 ,3 \r\n", 1, 1, 3},          // blanks and CRLF
    {"\n0,1,2,3,4\n\n  \n1,5,6,7,8", 2, 0, 8},         // blank lines, no final newline
    {"0,-0,+1,1000,-1000\n", 1, 0, -1000},             // sign forms and the pixel bounds
    {"1,0,1,0,1\r0,1,1,1,7\r", 2, 1, 7},                // lone CRs end lines (normalised by the reader)
    // a 104-character number (0.00...05, 5e-102) is still a number
    {"1,0,1,0,0.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000005\n", 1, 1, 5e-102},
    {"1,0,1,0,2.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n", 1, 1, 2},  // 1023 characters: the longest field read
};

static bool read_text(Dataset *d, const char *text, int h, int w, char *err, size_t errlen) {
    return dataset_parse_csv(d, text, strlen(text), h, w, err, errlen);
}

START_TEST(test_csv_accepts) {
    const CsvGood *c = &CSV_GOOD[_i];
    Dataset d;
    char err[300] = "";
    ck_assert_msg(read_text(&d, c->text, 2, 2, err, sizeof err), "%s", err);
    ck_assert_int_eq(d.n, c->n);
    ck_assert_int_eq(d.h, 2);
    ck_assert_double_eq(d.y[0], c->y0);
    ck_assert_double_eq(d.x[d.n * 4 - 1], c->last);
    dataset_free(&d);
}
END_TEST

typedef struct {
    const char *text, *expect; // expect: a piece of the error message
} CsvBad;

static const CsvBad CSV_BAD[] = {
    {"1,0,1,0,1\n0,1,1,1\n", "line 2 has 4 fields, expected 5"},
    {"1,0,1,0,1,9\n", "line 1 has more than 5 fields"},
    {"2,0,1,0,1\n", "line 1: the label is '2'"},
    {"0.5,0,1,0,1\n", "line 1: the label is '0.5'"},
    {"1,0,,0,1\n", "line 1, field 3 is empty"},
    {"1,0,1,0,\n", "line 1, field 5 is empty"},
    {"1,0,1,0,1\n\n1,0,abc,0,1\n", "line 3, field 3: 'abc' is not a finite decimal number"},
    {"1,nan,1,0,1\n", "line 1, field 2"},
    {"1,0x10,1,0,1\n", "line 1, field 2"},
    {"1,0,1,0,1e4\n", "line 1, field 5: pixel '1e4' is outside"},
    {"1,0,1,0,2.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000\n", "line 1, field 5: '2.00000000000000000000000000000000000000...' is longer than 1024"},
    {"label,a,b,c,d\n1,0,1,0,1\n", "line 1, field 1"},
    {"1,0,1,0,11111111111111111111111111111111111111111111111111111111111111111111111\n", "line 1, field 5"},
    {"", "no images"},
    {"\n \n", "no images"},
    {"1 0 1 0 1\n", "line 1, field 1"},
};

START_TEST(test_csv_rejects) {
    const CsvBad *c = &CSV_BAD[_i];
    Dataset d;
    char err[300] = "";
    ck_assert_msg(!read_text(&d, c->text, 2, 2, err, sizeof err), "accepted: %s", c->text);
    ck_assert_msg(strstr(err, c->expect) != NULL, "'%s' does not contain '%s'", err, c->expect);
    ck_assert_ptr_null(d.x);
    ck_assert_int_eq(d.n, 0);
}
END_TEST

START_TEST(test_csv_memory_bound) {
    // A 256x256 image holds 65536 values; four of them fill the bound of
    // 2^18 values, and the reader stops at the fifth instead of growing.
    int side = 256, images = 5;
    size_t len = (size_t)images * (2 + 2 * (size_t)side * side) + 1;
    char *text = malloc(len), *p = text;
    ck_assert_ptr_nonnull(text);
    for (int img = 0; img < images; img++) {
        *p++ = '1';
        for (int k = 0; k < side * side; k++) *p++ = ',', *p++ = '0';
        *p++ = '\n';
    }
    *p = '\0';
    Dataset d;
    char err[300] = "";
    ck_assert(!read_text(&d, text, side, side, err, sizeof err));
    ck_assert_msg(strstr(err, "5 images of 256x256 are more than") != NULL, "%s", err);
    p[-(2 + 2 * side * side) + 0] = '\0'; // the first four images alone are accepted
    ck_assert_msg(read_text(&d, text, side, side, err, sizeof err), "%s", err);
    ck_assert_int_eq(d.n, 4);
    dataset_free(&d);
    free(text);
}
END_TEST


// A NUL byte inside a field is refused with its line, never read as a cut field.
START_TEST(test_csv_nul_refused) {
    const char text[] = "1,0,1,0,1\n1\0xyz,0,1,0,1\n";
    Dataset d;
    char err[300] = "";
    ck_assert(!dataset_parse_csv(&d, text, sizeof text - 1, 2, 2, err, sizeof err));
    ck_assert_msg(strstr(err, "line 2 holds a NUL byte") != NULL, "%s", err);
}
END_TEST

// A long non-ASCII field is cut at a character boundary in the message.
START_TEST(test_csv_cut_at_character) {
    char text[200] = "1,0,1,0,";
    strcat(text, "x"); // 1 byte, then 2-byte characters: the 40-byte cut falls inside one
    for (int k = 0; k < 30; k++) strcat(text, "é");
    strcat(text, "x\n");
    Dataset d;
    char err[300] = "";
    ck_assert(!dataset_parse_csv(&d, text, strlen(text), 2, 2, err, sizeof err));
    // Every byte of the message belongs to a whole UTF-8 character.
    const unsigned char *p = (const unsigned char *)err;
    while (*p) {
        int len = *p < 0x80 ? 1 : (*p & 0xE0) == 0xC0 ? 2 : (*p & 0xF0) == 0xE0 ? 3 : 4;
        ck_assert_msg(*p < 0x80 || (*p & 0xC0) == 0xC0, "a continuation byte starts a character: %s", err);
        for (int k = 1; k < len; k++) ck_assert_msg((p[k] & 0xC0) == 0x80, "cut character in: %s", err);
        p += len;
    }
}
END_TEST

static char path[64];

static void write_file(const char *text, size_t len) {
    strcpy(path, "/tmp/check_dataset_XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq((int)write(fd, text, len), (int)len);
    close(fd);
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

// A UTF-8 BOM is skipped; CRLF and lone CR both end lines.
START_TEST(test_load_bom_and_cr) {
    const char text[] = "\xEF\xBB\xBF" "1,0,1,0,1\r\n0,1,1,1,1\r1,2,2,2,2\r";
    write_file(text, sizeof text - 1);
    Dataset d;
    char err[300] = "";
    bool ok = dataset_load_csv(&d, path, 2, 2, err, sizeof err);
    unlink(path);
    ck_assert_msg(ok, "%s", err);
    ck_assert_int_eq(d.n, 3);
    ck_assert_double_eq(d.y[0], 1.0);
    ck_assert_double_eq(d.x[11], 2.0);
    dataset_free(&d);
}
END_TEST

// A file above the cap is refused from its size, before any byte is read:
// a sparse file of 1 GiB costs nothing to make and would take seconds to read.
START_TEST(test_load_huge_refused_fast) {
    write_file("1", 1);
    ck_assert_int_eq(truncate(path, 1L << 30), 0);
    Dataset d;
    char err[300] = "";
    double t0 = seconds();
    bool ok = dataset_load_csv(&d, path, 2, 2, err, sizeof err);
    double took = seconds() - t0;
    unlink(path);
    ck_assert(!ok);
    ck_assert_msg(strstr(err, "is larger than") != NULL, "%s", err);
    ck_assert_double_lt(took, 0.1);
}
END_TEST

// /dev/zero never ends: refused at once, as a device.
START_TEST(test_load_device_refused) {
    Dataset d;
    char err[300] = "";
    double t0 = seconds();
    ck_assert(!dataset_load_csv(&d, "/dev/zero", 2, 2, err, sizeof err));
    ck_assert_double_lt(seconds() - t0, 1.0);
    ck_assert_msg(strstr(err, "not a regular file or a pipe") != NULL, "%s", err);
    ck_assert(!dataset_load_csv(&d, "/tmp", 2, 2, err, sizeof err));
    ck_assert_msg(strstr(err, "is a directory") != NULL, "%s", err);
}
END_TEST

// A FIFO whose writer keeps it open without finishing: refused after about
// PARSE_READ_SECONDS, never a hang. A FIFO whose writer finishes is read.
START_TEST(test_load_fifo) {
    strcpy(path, "/tmp/check_dataset_fifo_XXXXXX");
    int tmp = mkstemp(path);
    ck_assert_int_ge(tmp, 0);
    close(tmp);
    unlink(path);
    ck_assert_int_eq(mkfifo(path, 0600), 0);
    for (int finish = 0; finish < 2; finish++) {
        pid_t writer = fork();
        ck_assert_int_ge(writer, 0);
        if (writer == 0) {
            int fd = open(path, O_WRONLY);
            if (fd < 0) _exit(1);
            if (write(fd, "1,0,1,0,1\n", 10) != 10) _exit(1);
            if (!finish) sleep(5);
            _exit(0);
        }
        nanosleep(&(struct timespec){0, 100000000}, NULL); // let the writer open its end
        Dataset d;
        char err[300] = "";
        double t0 = seconds();
        bool ok = dataset_load_csv(&d, path, 2, 2, err, sizeof err);
        double took = seconds() - t0;
        kill(writer, SIGKILL);
        waitpid(writer, NULL, 0);
        if (finish) {
            ck_assert_msg(ok, "%s", err);
            ck_assert_int_eq(d.n, 1);
            dataset_free(&d);
        } else {
            ck_assert(!ok);
            ck_assert_msg(strstr(err, "still being written") != NULL, "%s", err);
            ck_assert_double_lt(took, PARSE_READ_SECONDS + 0.5);
        }
    }
    unlink(path);
}
END_TEST

START_TEST(test_split) {
    Dataset all, train, test;
    ck_assert(dataset_synthetic(&all, 20, 4, 4, 5));
    ck_assert(dataset_split(&train, &test, &all, 5, 9));
    ck_assert_int_eq(train.n, 15);
    ck_assert_int_eq(test.n, 5);
    // Every image lands exactly once: the label sums agree.
    double a = 0, b = 0;
    for (int k = 0; k < all.n; k++) a += all.y[k];
    for (int k = 0; k < train.n; k++) b += train.y[k];
    for (int k = 0; k < test.n; k++) b += test.y[k];
    ck_assert_double_eq(a, b);
    dataset_free(&all), dataset_free(&train), dataset_free(&test);
}
END_TEST

// The chapters' split of a loaded set: ⌊20·0.25⌋ = 5 for test; ⌊3·0.1⌋ = 0
// is raised to 1; a single image cannot be split. all is freed each time.
START_TEST(test_split_loaded) {
    Dataset all, train, test;
    ck_assert(dataset_synthetic(&all, 20, 4, 4, 5));
    ck_assert_ptr_null(dataset_split_loaded(&train, &test, &all, 0.25, 9));
    ck_assert_int_eq(train.n, 15);
    ck_assert_int_eq(test.n, 5);
    dataset_free(&train), dataset_free(&test);
    ck_assert(dataset_synthetic(&all, 3, 4, 4, 5));
    ck_assert_ptr_null(dataset_split_loaded(&train, &test, &all, 0.1, 9));
    ck_assert_int_eq(train.n, 2);
    ck_assert_int_eq(test.n, 1);
    dataset_free(&train), dataset_free(&test);
    ck_assert(dataset_synthetic(&all, 1, 4, 4, 5));
    ck_assert_str_eq(dataset_split_loaded(&train, &test, &all, 0.25, 9),
                     "only 1 image; a train/test split needs at least 2");
}
END_TEST

Suite *make_dataset_suite(void) {
    Suite *s = suite_create("dataset");
    TCase *t = tcase_create("synthetic");
    tcase_add_test(t, test_synthetic_images);
    tcase_add_test(t, test_split);
    tcase_add_test(t, test_split_loaded);
    suite_add_tcase(s, t);
    TCase *csv = tcase_create("csv");
    tcase_add_loop_test(csv, test_csv_accepts, 0, ARRAY_LEN(CSV_GOOD));
    tcase_add_loop_test(csv, test_csv_rejects, 0, ARRAY_LEN(CSV_BAD));
    tcase_add_test(csv, test_csv_memory_bound);
    tcase_add_test(csv, test_csv_nul_refused);
    tcase_add_test(csv, test_csv_cut_at_character);
    suite_add_tcase(s, csv);
    TCase *files = tcase_create("files");
    tcase_set_timeout(files, 20);
    tcase_add_test(files, test_load_bom_and_cr);
    tcase_add_test(files, test_load_huge_refused_fast);
    tcase_add_test(files, test_load_device_refused);
    tcase_add_test(files, test_load_fifo);
    suite_add_tcase(s, files);
    return s;
}
