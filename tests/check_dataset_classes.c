// Ten-class CSVs (dataset_parse_csv_classes): labels 0..classes−1 are read,
// a label out of range or not whole is refused with its line, and the
// shipped data/digits-10.csv holds 1797 images with the class counts that
// data/README.md states.
#include <check.h>
#include <string.h>

#include "dataset.h"

START_TEST(test_labels_in_range) {
    const char *text = "9,0.5,1\n0,0,0\n";
    Dataset d;
    char err[200];
    ck_assert(dataset_parse_csv_classes(&d, text, strlen(text), 1, 2, 10, err, sizeof err));
    ck_assert_int_eq(d.n, 2);
    ck_assert_double_eq(d.y[0], 9);
    ck_assert_double_eq(d.x[1], 1);
    dataset_free(&d);
}
END_TEST

START_TEST(test_labels_refused) {
    const char *bad[] = {"10,0,0\n", "-1,0,0\n", "2.5,0,0\n"};
    for (int k = 0; k < 3; k++) {
        Dataset d;
        char err[200];
        ck_assert(!dataset_parse_csv_classes(&d, bad[k], strlen(bad[k]), 1, 2, 10, err, sizeof err));
        ck_assert_str_eq(err + strlen(err) - strlen("expected a whole number 0 to 9"), "expected a whole number 0 to 9");
    }
    // Two classes keep the binary reader's own message.
    Dataset d;
    char err[200];
    ck_assert(!dataset_parse_csv_classes(&d, "2,0,0\n", 6, 1, 2, 2, err, sizeof err));
    ck_assert_str_eq(err, "line 1: the label is '2', expected 0 or 1");
}
END_TEST

START_TEST(test_shipped_file) {
    Dataset d;
    char err[200];
    ck_assert_msg(dataset_load_csv_classes(&d, "data/digits-10.csv", 8, 8, 10, err, sizeof err), "%s", err);
    ck_assert_int_eq(d.n, 1797);
    const int want[10] = {178, 182, 177, 183, 181, 182, 181, 179, 174, 180};
    int count[10] = {0};
    for (int k = 0; k < d.n; k++) count[(int)d.y[k]]++;
    for (int c = 0; c < 10; c++) ck_assert_int_eq(count[c], want[c]);
    dataset_free(&d);
}
END_TEST

Suite *make_dataset_classes_suite(void) {
    Suite *s = suite_create("dataset_classes");
    TCase *t = tcase_create("dataset_classes");
    tcase_add_test(t, test_labels_in_range);
    tcase_add_test(t, test_labels_refused);
    tcase_add_test(t, test_shipped_file);
    suite_add_tcase(s, t);
    return s;
}
