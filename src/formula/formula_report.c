// --formula inside a chapter's report: every formula parsed first (a bad one
// is a usage error before any output), then checked, written as preformatted
// text and as the JSON list "formulas". The engine itself (formula.c) knows
// nothing of the report; this is the few lines every chapter would repeat.
#include <stdio.h>
#include <stdlib.h>

#include "formula.h"
#include "progress.h"
#include "report.h"

void formula_parse_all_or_exit(Formula *out, const FormulaSpec *spec, const char *const *args, int n) {
    for (int i = 0; i < n; i++) formula_parse_or_exit(&out[i], spec, args[i]);
}

void formula_parse_options_or_exit(Formula *out, const FormulaSpec *spec, const CommonOptions *opt) {
    if (opt->n_formulas == 1 && formula_is_list(opt->formulas[0])) formula_list_and_exit(spec);
    formula_parse_all_or_exit(out, spec, opt->formulas, opt->n_formulas);
}

void formula_free_all(Formula *f, int n) {
    for (int i = 0; i < n; i++) formula_free(&f[i]);
}

int formula_exit_status(int report_status, bool held) {
    return held || report_status == EXIT_WRITE_ERROR ? report_status : EXIT_CHECK_FAILED;
}

void formula_list_and_exit(const FormulaSpec *spec) {
    StrBuf b = {0};
    formula_write_list(&b, spec);
    bool ok = fputs(sb_str(&b), stdout) >= 0;
    ok = fflush(stdout) == 0 && ok && !ferror(stdout);
    sb_free(&b);
    if (!ok) usage_error("--formula list: cannot write to standard output");
    exit(0);
}

bool formula_report_all(Report *r, const FormulaSpec *spec, const Formula *formulas, int n, uint64_t seed) {
    StrBuf json = {0}, text = {0};
    bool all = true;
    sb_putc(&json, '[');
    for (int i = 0; i < n; i++) {
        char what[96];
        snprintf(what, sizeof what, "checking --formula %d of %d (%.40s)", i + 1, n, formulas[i].name);
        progress_activity(what);
        FormulaResult res;
        formula_check(&res, &formulas[i], spec, seed);
        all = all && res.passed;
        sb_clear(&text);
        formula_write_text(&text, &formulas[i], &res);
        report_verbatim(r, "%s", sb_str(&text));
        // A verdict too, so that the Result line counts a formula that fails.
        char name[80], detail[96];
        snprintf(name, sizeof name, "--formula %.60s", formulas[i].name);
        snprintf(detail, sizeof detail, "%d of %d cases agree%s%s", res.cases_agreeing, res.cases,
                 res.mistake ? "; it matches " : "", res.mistake ? res.mistake : "");
        report_verdict(r, name, res.passed, detail);
        if (i > 0) sb_puts(&json, ", ");
        formula_write_json(&json, &formulas[i], &res);
        formula_result_free(&res);
    }
    sb_putc(&json, ']');
    if (n > 0) report_json_raw(r, "formulas", sb_str(&json));
    sb_free(&json);
    sb_free(&text);
    return all;
}
