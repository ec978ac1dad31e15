// Runs every suite in tests/check_*.c (the Makefile lists them in
// suites.inc) and exits non-zero when any test fails.
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *make_##name##_suite(void);
#include "suites.inc"
#undef SUITE

int main(void) {
    SRunner *runner = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(runner, make_##name##_suite());
#include "suites.inc"
#undef SUITE
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
