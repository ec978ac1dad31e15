// Numbers as every format writes them (number.h).
#include "number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "progress.h"

_Noreturn void report_not_finite(const char *what, double v) {
    usage_error("input: computing %s gave %s: the entries are too large for double precision "
                "here; use smaller magnitudes",
                what, isnan(v) ? "NaN" : "infinity");
}

void format_number(char *buf, size_t len, double v, const char *what) {
    progress_tick(); // sizing a 4096x4096 matrix formats every entry
    if (!isfinite(v)) report_not_finite(what, v);
    if (v == 0.0) v = 0.0; // no "-0"
    snprintf(buf, len, "%.6g", v);
}

void format_json_number(char *buf, size_t len, double v, const char *what) {
    progress_tick();
    if (!isfinite(v)) report_not_finite(what, v);
    if (v == 0.0) v = 0.0;
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, len, "%.*g", digits, v);
        if (strtod(buf, NULL) == v) return;
    }
}

// A number for a LaTeX document: 1.5e-07 becomes 1.5 \times 10^{-7}.
void format_latex_number(char *buf, size_t len, double v, const char *what) {
    char plain[64];
    format_number(plain, sizeof plain, v, what);
    char *e = strchr(plain, 'e');
    if (!e) {
        snprintf(buf, len, "%s", plain);
        return;
    }
    *e = '\0';
    int exponent = atoi(e + 1);
    if (strcmp(plain, "1") == 0)
        snprintf(buf, len, "10^{%d}", exponent);
    else
        snprintf(buf, len, "%s \\times 10^{%d}", plain, exponent);
}
