// The Makefile with BUILD set to an absolute folder: every target that runs
// a program runs BUILD/program (not ".//tmp/x/program"), and `make clean`
// removes BUILD, whatever it is called.
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

// A recursive make inherits the jobserver of `make check`; the child here
// must not, so its MAKEFLAGS are cleared.
#define CLEAN_MAKE "env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make --no-print-directory "

// The targets that run something out of BUILD.
static const char *const RUNNING_TARGETS[] = {"chapter3", "chapters", "html", "sheet", "lab3", "golden"};

START_TEST(test_targets_run_from_an_absolute_build) {
    char script[256];
    snprintf(script, sizeof script, CLEAN_MAKE "-n BUILD=/tmp/workbook-make-abs %s", RUNNING_TARGETS[_i]);
    ProcResult p = run_shell(script, NULL);
    ck_assert_msg(p.status == 0, "make -n %s: status %d (%s)", RUNNING_TARGETS[_i], p.status, p.err);
    ck_assert_msg(strstr(p.out, "/tmp/workbook-make-abs/") != NULL, "%s: BUILD is not used:\n%.400s",
                  RUNNING_TARGETS[_i], p.out);
    const char *dot = strstr(p.out, ".//tmp/");
    ck_assert_msg(dot == NULL, "%s runs .//tmp/...: %.200s", RUNNING_TARGETS[_i], dot);
    proc_free(&p);
}
END_TEST

START_TEST(test_clean_removes_build) {
    char dir[] = "/tmp/workbook-make-clean-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char script[512];
    snprintf(script, sizeof script, "touch %s/marker && " CLEAN_MAKE "-n BUILD=%s clean", dir, dir);
    ProcResult p = run_shell(script, NULL);
    ck_assert_int_eq(p.status, 0);
    // Only BUILD: never the default build/ when BUILD is something else.
    ck_assert_msg(strstr(p.out, dir) != NULL, "make clean does not remove BUILD:\n%s", p.out);
    ck_assert_msg(strstr(p.out, "rm -rf build ") == NULL && strstr(p.out, "rm -rf build\n") == NULL,
                  "make clean removes build/ too:\n%s", p.out);
    proc_free(&p);
    snprintf(script, sizeof script, CLEAN_MAKE "-s BUILD=%s clean > /dev/null && test ! -e %s", dir, dir);
    p = run_shell(script, NULL);
    ck_assert_msg(p.status == 0, "make BUILD=%s clean left the folder (%s)", dir, p.err);
    proc_free(&p);
}
END_TEST

// A BUILD that holds the sources is refused, not removed.
START_TEST(test_clean_refuses_the_checkout) {
    ProcResult p = run_shell(CLEAN_MAKE "-s BUILD=. clean 2>&1; test -f Makefile", NULL);
    ck_assert_msg(p.status == 0, "make BUILD=. clean removed the checkout");
    ck_assert_msg(strstr(p.out, "is not a build folder") != NULL, "%s", p.out);
    proc_free(&p);
}
END_TEST

Suite *make_make_suite(void) {
    Suite *s = suite_create("make");
    TCase *tc = tcase_create("make");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_targets_run_from_an_absolute_build, 0,
                        (int)(sizeof RUNNING_TARGETS / sizeof *RUNNING_TARGETS));
    tcase_add_test(tc, test_clean_removes_build);
    tcase_add_test(tc, test_clean_refuses_the_checkout);
    suite_add_tcase(s, tc);
    return s;
}
