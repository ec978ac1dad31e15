// gc_report_text and gc_report_json: a check written to the caller's FILE*.
#include "../../include/gradcheck.h"

#include <math.h>
#include <stdio.h>

// The longest entry table gc_report_text prints in full; past it, only the
// entries that failed or could not be decided (the summary counts all).
enum { REPORT_FULL_ROWS = 64 };

static const char *upper_verdict(gc_verdict v) {
    switch (v) {
    case GC_PASS: return "PASS";
    case GC_FAIL: return "FAIL";
    case GC_INCONCLUSIVE: return "INCONCLUSIVE";
    case GC_NOTHING_COMPARED: return "NOTHING COMPARED";
    }
    return "?";
}

static const char *entry_word(gc_verdict v) {
    switch (v) {
    case GC_PASS: return "ok";
    case GC_FAIL: return "FAIL";
    case GC_INCONCLUSIVE: return "undecided";
    case GC_NOTHING_COMPARED: return "skipped";
    }
    return "?";
}

static void text_entries(FILE *out, const gc_result *res, const gc_entry *e) {
    fprintf(out, "  %6s  %13s  %13s  %8s  %8s\n", "entry", "analytic", "numerical", "|a - n|", "allowed");
    for (int k = 0; k < res->n; k++) {
        if (res->n > REPORT_FULL_ROWS && (e[k].verdict == GC_PASS || e[k].verdict == GC_NOTHING_COMPARED)) continue;
        if (e[k].verdict == GC_NOTHING_COMPARED) {
            fprintf(out, "  %6d  %13.6g  %13s  %8s  %8s  %s\n", k, e[k].analytic, "-", "-", "-", "skipped");
            continue;
        }
        fprintf(out, "  %6d  %13.6g  %13.6g  %8.1e  %8.1e  %s\n", k, e[k].analytic, e[k].numerical,
                fabs(e[k].analytic - e[k].numerical), e[k].allowed, entry_word(e[k].verdict));
    }
    if (res->n > REPORT_FULL_ROWS)
        fprintf(out, "  (%d entries: only those not ok are listed)\n", res->n);
}

gc_status gc_report_text(FILE *out, const char *name, const gc_result *res, const gc_entry *entries) {
    if (!out || !res) return GC_ERR_NULL;
    if (!name) name = "gradient";
    if (entries && res->n > 0) text_entries(out, res, entries);
    fprintf(out, "%s: %s\n", name, upper_verdict(res->verdict));
    fprintf(out, "  %d of %d compared, %d skipped", res->compared, res->n, res->skipped);
    if (res->failed) fprintf(out, ", %d failed", res->failed);
    if (res->inconclusive) fprintf(out, ", %d undecided", res->inconclusive);
    fprintf(out, "; %ld loss evaluations\n", res->evaluations);
    if (res->compared > 0) {
        fprintf(out, "  max abs error %.1e, max rel error %.1e at entry %d\n", res->max_abs_error,
                res->max_rel_error, res->max_rel_entry);
        fprintf(out, "  tolerance %.0e, largest bound %.1e\n", res->tolerance, res->bound);
        if (res->failed > 0) fprintf(out, "  worst entry: %d, furthest outside its allowance\n", res->worst);
        else if (res->worst >= 0 && res->worst != res->max_rel_entry)
            fprintf(out, "  closest to its allowance: entry %d\n", res->worst);
        if (res->failed == 0 && res->max_rel_error > res->tolerance)
            fputs("  (above the tolerance, within the bound: an entry is allowed\n"
                  "  tolerance*max(|a|, |n|) plus its numerical derivative's bound)\n",
                  out);
    }
    const gc_direction *d = &res->direction;
    if (d->done)
        fprintf(out, "  direction: %s (numerical %.6g, analytic %.6g, |a - n| %.1e, bound %.1e)\n",
                gc_verdict_string(d->verdict), d->numerical, d->analytic, d->abs_error, d->bound);
    if (res->message[0]) fprintf(out, "  %s\n", res->message);
    return fflush(out) == 0 && !ferror(out) ? GC_OK : GC_ERR_WRITE;
}

// A double as JSON: NaN and ±∞ have no JSON spelling and become null.
static void json_number(FILE *out, double v) {
    if (isfinite(v)) fprintf(out, "%.17g", v);
    else fputs("null", out);
}

static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

static void json_key_number(FILE *out, const char *key, double v) {
    fprintf(out, ",\"%s\":", key);
    json_number(out, v);
}

static void json_direction(FILE *out, const gc_direction *d) {
    if (!d->done) {
        fputs(",\"direction\":null", out);
        return;
    }
    fprintf(out, ",\"direction\":{\"verdict\":\"%s\"", gc_verdict_string(d->verdict));
    json_key_number(out, "numerical", d->numerical);
    json_key_number(out, "analytic", d->analytic);
    json_key_number(out, "abs_error", d->abs_error);
    json_key_number(out, "bound", d->bound);
    fprintf(out, ",\"evaluations\":%d}", d->evaluations);
}

static void json_entries(FILE *out, const gc_result *res, const gc_entry *e) {
    fputs(",\"entries\":", out);
    if (!e) {
        fputs("null", out);
        return;
    }
    fputc('[', out);
    for (int k = 0; k < res->n; k++) {
        fprintf(out, "%s{\"entry\":%d,\"verdict\":\"%s\"", k ? "," : "", k, gc_verdict_string(e[k].verdict));
        json_key_number(out, "analytic", e[k].analytic);
        json_key_number(out, "numerical", e[k].numerical);
        json_key_number(out, "bound", e[k].bound);
        json_key_number(out, "allowed", e[k].allowed);
        json_key_number(out, "step", e[k].step);
        fprintf(out, ",\"evaluations\":%d}", e[k].evaluations);
    }
    fputc(']', out);
}

gc_status gc_report_json(FILE *out, const char *name, const gc_result *res, const gc_entry *entries) {
    if (!out || !res) return GC_ERR_NULL;
    fputs("{\"name\":", out);
    json_string(out, name ? name : "gradient");
    fprintf(out, ",\"verdict\":\"%s\",\"n\":%d,\"compared\":%d,\"failed\":%d,\"inconclusive\":%d,\"skipped\":%d",
            gc_verdict_string(res->verdict), res->n, res->compared, res->failed, res->inconclusive, res->skipped);
    json_key_number(out, "max_abs_error", res->max_abs_error);
    json_key_number(out, "max_rel_error", res->max_rel_error);
    fprintf(out, ",\"max_rel_entry\":%d,\"worst\":%d", res->max_rel_entry, res->worst);
    json_key_number(out, "tolerance", res->tolerance);
    json_key_number(out, "bound", res->bound);
    fprintf(out, ",\"evaluations\":%ld,\"message\":", res->evaluations);
    json_string(out, res->message);
    json_direction(out, &res->direction);
    json_entries(out, res, entries);
    fputs("}\n", out);
    return fflush(out) == 0 && !ferror(out) ? GC_OK : GC_ERR_WRITE;
}
