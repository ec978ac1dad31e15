// plot_file_open/close: the --plot DIR contract (mkdir -p, one error line,
// exit 2 for a directory that cannot be made, 4 for a file not written).
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "plotfile.h"
#include "report.h"

// A fresh directory name under /tmp for each test.
static void temp_dir(char *buf, size_t len) {
    snprintf(buf, len, "/tmp/workbook-plotfile-%ld", (long)getpid());
}

START_TEST(test_creates_missing_parents_and_writes) {
    char base[128], dir[256], path[300];
    temp_dir(base, sizeof base);
    snprintf(dir, sizeof dir, "%s/a/b", base);
    FILE *f = plot_file_open(dir, "data.dat");
    fputs("1 2\n", f);
    plot_file_close(f, dir, "data.dat");
    snprintf(path, sizeof path, "%s/data.dat", dir);
    FILE *r = fopen(path, "r");
    ck_assert_ptr_nonnull(r);
    char line[16] = "";
    ck_assert_ptr_nonnull(fgets(line, sizeof line, r));
    ck_assert_str_eq(line, "1 2\n");
    fclose(r);
    remove(path);
    rmdir(dir);
    snprintf(dir, sizeof dir, "%s/a", base);
    rmdir(dir);
    rmdir(base);
}
END_TEST

START_TEST(test_existing_directory_is_fine) {
    FILE *f = plot_file_open("/tmp", "workbook-plotfile-existing.dat");
    plot_file_close(f, "/tmp", "workbook-plotfile-existing.dat");
    ck_assert_int_eq(remove("/tmp/workbook-plotfile-existing.dat"), 0);
}
END_TEST

static int open_under_a_file(void *ctx) {
    (void)ctx;
    // /dev/null is a file, so no directory can be made beneath it.
    plot_file_open("/dev/null/sub", "x.dat");
    return 0;
}

START_TEST(test_unwritable_directory_is_one_error_line) {
    Captured c = capture_run(open_under_a_file, NULL);
    ck_assert_int_eq(c.status, 2);
    ck_assert_str_eq(c.out, "");
    ck_assert_str_eq(c.err, "error: --plot: cannot write '/dev/null/sub': Not a directory\n");
    captured_free(&c);
}
END_TEST

// /dev/full accepts the open and fails the write: the close reports it.
static int write_to_full_disk(void *ctx) {
    (void)ctx;
    FILE *f = plot_file_open("/dev", "full");
    for (int k = 0; k < 10000; k++) fputs("0 0 0\n", f);
    plot_file_close(f, "/dev", "full");
    return 0;
}

START_TEST(test_full_disk_is_write_error) {
    Captured c = capture_run(write_to_full_disk, NULL);
    ck_assert_int_eq(c.status, EXIT_WRITE_ERROR);
    ck_assert_str_eq(c.out, "");
    ck_assert_str_eq(c.err, "error: --plot: cannot write '/dev/full': No space left on device\n");
    captured_free(&c);
}
END_TEST

// A file that cannot be created in an existing directory: exit 4.
static int open_in_proc(void *ctx) {
    (void)ctx;
    plot_file_open("/proc", "workbook-x.dat");
    return 0;
}

START_TEST(test_unopenable_file_is_write_error) {
    Captured c = capture_run(open_in_proc, NULL);
    ck_assert_int_eq(c.status, EXIT_WRITE_ERROR);
    ck_assert_str_eq(c.out, "");
    ck_assert_int_eq(captured_lines(c.err), 1);
    ck_assert_ptr_nonnull(strstr(c.err, "error: --plot: cannot write '/proc/workbook-x.dat': "));
    captured_free(&c);
}
END_TEST

// A file too large for the disk (here RLIMIT_FSIZE, which fails writes the
// way a full disk does) leaves neither a cut file under its name nor the
// temporary one: chapter 2's curves are 47 kB, the limit 8 kB.
START_TEST(test_full_disk_leaves_no_cut_file) {
    char script[512];
    snprintf(script, sizeof script,
             "d=$(mktemp -d /tmp/workbook-plotfull-XXXXXX); (ulimit -f 16; trap '' XFSZ; "
             "exec %s/chapter2 --plot $d --format json > /dev/null 2>&1); st=$?; ls -A $d; rm -rf $d; exit $st",
             BUILD_DIR);
    ProcResult p = run_shell(script, NULL);
    ck_assert_msg(p.status == 4, "status %d", p.status);
    ck_assert_msg(strstr(p.out, "chapter2_curves.dat") == NULL, "a cut file is left: %s", p.out);
    ck_assert_msg(strstr(p.out, ".tmp") == NULL, "a temporary file is left: %s", p.out);
    proc_free(&p);
}
END_TEST

// make html on a full disk leaves no cut page: the page is written aside
// and renamed once complete (the Makefile's html rule, on a copy of BUILD's
// programs so that build/html is untouched).
START_TEST(test_full_disk_leaves_no_cut_page) {
    char script[1024];
    snprintf(script, sizeof script,
             "d=$(mktemp -d /tmp/workbook-htmlfull-XXXXXX); cp %s/chapter[0-9]* $d/ && "
             "old=$(cd $d && for c in chapter[0-9]*; do printf ' -o %%s/%%s' $d $c; done) && "
             "(ulimit -f 16; trap '' XFSZ; env -u MAKEFLAGS -u MAKELEVEL make --no-print-directory -s BUILD=$d $old "
             "html > /dev/null 2>&1); st=$?; for f in $d/html/*; do [ -e \"$f\" ] || continue; "
             "case $f in *.tmp) echo \"left $f\";; *) tail -c 8 $f | grep -q '</html>' || echo \"cut $f\";; esac; "
             "done; rm -rf $d; exit $st",
             BUILD_DIR);
    ProcResult p = run_shell(script, NULL);
    ck_assert_msg(p.status != 0, "make html passed on a full disk");
    ck_assert_msg(p.out_len == 0, "%s", p.out);
    proc_free(&p);
}
END_TEST

Suite *make_plotfile_suite(void) {
    Suite *s = suite_create("plotfile");
    TCase *tc = tcase_create("plotfile");
    tcase_add_test(tc, test_creates_missing_parents_and_writes);
    tcase_add_test(tc, test_existing_directory_is_fine);
    tcase_add_test(tc, test_unwritable_directory_is_one_error_line);
    tcase_add_test(tc, test_full_disk_is_write_error);
    tcase_add_test(tc, test_unopenable_file_is_write_error);
    tcase_add_test(tc, test_full_disk_leaves_no_cut_file);
    tcase_add_test(tc, test_full_disk_leaves_no_cut_page);
    suite_add_tcase(s, tc);
    return s;
}
