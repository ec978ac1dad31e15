#!/bin/sh
# make check: runs the Check suites of BUILD/run_tests in parallel, one
# process per suite (CK_RUN_SUITE=name), the slowest first; then prints
# every failure with its suite's log, the lines where a suite says it
# skipped something, and one closing line in Check's own format:
#   100%: Checks: N, Failures: 0, Errors: 0
# Exits 1 when any suite failed.
# Usage: tests/run_suites.sh BUILD_DIR JOBS
set -u
build=$1 jobs=${2:-2}
# A test without a timeout of its own gets a minute (Check's default is 4 s,
# too tight for the suites that run chapters while others run beside them).
: "${CK_DEFAULT_TIMEOUT:=60}"
export CK_DEFAULT_TIMEOUT
logs=$build/tests/logs
rm -rf "$logs" && mkdir -p "$logs" || exit 1
all=$(sed -n 's/^SUITE(\(.*\))$/\1/p' "$build/tests/suites.inc")
# The suites that take seconds (pdflatex, many chapter runs) start first.
slow="latex chapter6 verdict_corpus verdict_corpus_extra chapter5 plots network dataset chapter3 parse sheets examples"
order=""
for s in $slow; do case " $(echo $all) " in *" $s "*) order="$order $s" ;; esac; done
for s in $all; do case " $order " in *" $s "*) ;; *) order="$order $s" ;; esac; done
printf '%s\n' $order | xargs -P "$jobs" -I{} sh -c \
    'CK_RUN_SUITE={} "$0/run_tests" > "$1/{}.log" 2>&1; echo $? > "$1/{}.status"' "$build" "$logs"
checks=0 failures=0 errors=0 failed=0
for s in $order; do
    line=$(grep -E '^[0-9]+%: Checks: [0-9]+' "$logs/$s.log" | tail -n 1)
    set -- $(echo "$line" | sed 's/.*Checks: \([0-9]*\), Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2 \3/')
    if [ $# -ne 3 ] || [ "$(cat "$logs/$s.status" 2>/dev/null)" != 0 ]; then
        failed=1
        echo "---- suite $s failed (log: $logs/$s.log)"
        grep -v '^Running suite' "$logs/$s.log" | tail -n 40
        [ $# -eq 3 ] || { errors=$((errors + 1)); continue; }
    fi
    checks=$((checks + $1)) failures=$((failures + $2)) errors=$((errors + $3))
    grep -ih 'skipped' "$logs/$s.log" | sed "s/^/$s: /"
done
passed=$((checks - failures - errors))
[ "$checks" -gt 0 ] && percent=$((100 * passed / checks)) || percent=0
echo "$percent%: Checks: $checks, Failures: $failures, Errors: $errors"
exit $failed
