// jsoncheck FILE: exit 0 when FILE is exactly one valid JSON object
// (tests/jsonlint.h), 1 when it is not, 2 when it cannot be read. The lab
// selftest and the autograder test check every results.json with it.
#include <stdio.h>
#include <stdlib.h>

#include "jsonlint.h"

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "error: usage: jsoncheck FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        fprintf(stderr, "error: %s: cannot open\n", argv[1]);
        return 2;
    }
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    bool whole = feof(f);
    fclose(f);
    buf[n] = '\0';
    if (!whole || !jsonlint_is_one_object(buf)) {
        fprintf(stderr, "error: %s: not one JSON object\n", argv[1]);
        return 1;
    }
    return 0;
}
