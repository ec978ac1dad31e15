#!/bin/sh
# Includes point only down the layers of src/, and no two units include
# each other (directly or round a loop). Run by `make check`.
#
#   sh tests/include_layers.sh [SRC]   check SRC (default src): exit 0 or 1
#   sh tests/include_layers.sh --selftest
#       plants an upward include (src/core/tensor.c including "report.h") and
#       a new two-file loop in copies of src/, and fails unless both are
#       caught: the test can fail.
#
# A unit is a .c file with its .h; a private header NAME_impl.h or
# NAME_internal.h belongs to unit NAME. "May include" of each folder (keep
# src/*/README.md in step with ALLOWED below):
ALLOWED='
core:core
check:core check
api:core check api
layers:core check layers
report:core check report
formula:core check report formula
show:core check layers report formula show
'
# Loops that exist and are to be cut, each listed by its units in
# alphabetical order, one a line; a loop not listed fails, and so does a
# listed one that no longer exists. None today: issue 27 cut the last two
# (network <-> network_fast, by network_buffers; format, options and report,
# by number and format_list).
KNOWN_LOOPS='
'

set -u

selftest() {
    tmp=$(mktemp -d) || exit 2
    trap 'rm -rf "$tmp"' EXIT
    status=0
    cp -R src "$tmp/up"
    printf '#include "report.h"\n' >>"$tmp/up/core/tensor.c"
    if sh "$0" "$tmp/up" >"$tmp/out" 2>&1; then
        echo "include_layers selftest: an upward include core -> report passed" >&2
        status=1
    elif ! grep -q 'core/tensor.c includes report.h (src/report)' "$tmp/out"; then
        echo "include_layers selftest: the upward include was not named:" >&2
        cat "$tmp/out" >&2
        status=1
    fi
    cp -R src "$tmp/loop"
    printf '#include "tensor.h"\n' >>"$tmp/loop/core/rng.h"
    printf '#include "rng.h"\n' >>"$tmp/loop/core/tensor.c"
    if sh "$0" "$tmp/loop" >"$tmp/out" 2>&1; then
        echo "include_layers selftest: a loop rng <-> tensor passed" >&2
        status=1
    elif ! grep -q 'loop: rng tensor' "$tmp/out"; then
        echo "include_layers selftest: the loop was not named:" >&2
        cat "$tmp/out" >&2
        status=1
    fi
    [ $status -eq 0 ] && echo "include_layers selftest: an upward include and a new loop both fail"
    exit $status
}

[ "${1:-}" = "--selftest" ] && selftest
SRC=${1:-src}

unit_of() { # a file name without folder -> its unit
    n=${1%.*}
    n=${n%_impl}
    echo "${n%_internal}"
}

failed=0
edges=$(mktemp) || exit 2
trap 'rm -f "$edges"' EXIT
# One awk pass: the folder of every header, then each include line checked
# against ALLOWED; the units' edges go to $edges.
report=$(ls "$SRC"/*/*.h "$SRC"/*/*.c | awk -v allowed="$ALLOWED" -v edges="$edges" '
    function folder(path, n, p) { n = split(path, p, "/"); return p[n - 1] }
    function base(path, n, p) { n = split(path, p, "/"); return p[n] }
    function unit(name) { sub(/\.[ch]$/, "", name); sub(/_impl$|_internal$/, "", name); return name }
    BEGIN {
        n = split(allowed, lines, "\n")
        for (k = 1; k <= n; k++) if (split(lines[k], kv, ":") == 2) may[kv[1]] = " " kv[2] " "
    }
    { files[++nf] = $0; if ($0 ~ /\.h$/) where[base($0)] = folder($0) }
    END {
        for (k = 1; k <= nf; k++) {
            f = files[k]; dir = folder(f)
            if (!(dir in may)) { print "include_layers: " dir "/ has no line in ALLOWED"; bad = 1; continue }
            while ((getline line < f) > 0) {
                if (line !~ /^[ \t]*#[ \t]*include[ \t]*"/) continue
                h = line; sub(/^[^"]*"/, "", h); sub(/".*/, "", h)
                if (!(h in where)) continue
                if (index(may[dir], " " where[h] " ") == 0) {
                    list = may[dir]; gsub(/^ | $/, "", list)
                    print "include_layers: " dir "/" base(f) " includes " h " (src/" where[h] "): src/" dir \
                          " may include only " list
                    bad = 1
                }
                if (unit(base(f)) != unit(h)) print unit(base(f)), unit(h) > edges
            }
            close(f)
        }
        exit bad
    }') || failed=1
[ -n "$report" ] && printf '%s\n' "$report"

# Units that reach each other through includes form a loop: the transitive
# closure of the edges (a few dozen units), then each group of mutually
# reachable units on one line, sorted.
loops=$(sort -u "$edges" | awk '
    { r[$1, $2] = 1; u[$1] = 1; u[$2] = 1 }
    END {
        for (k in u) for (i in u) if ((i, k) in r) for (j in u) if ((k, j) in r) r[i, j] = 1
        for (i in u) {
            line = i
            for (j in u) if (j != i && (i, j) in r && (j, i) in r) line = line " " j
            if (line != i) print line
        }
    }' | while read -r line; do printf '%s\n' $line | sort | tr '\n' ' ' | sed 's/ $//'; echo; done | sort -u)
known=$(printf '%s\n' "$KNOWN_LOOPS" | sed '/^$/d' | sort -u)
new=$(printf '%s\n' "$loops" | sed '/^$/d' | while read -r l; do
    printf '%s\n' "$known" | grep -qx "$l" || echo "$l"; done)
gone=$(printf '%s\n' "$known" | while read -r l; do
    printf '%s\n' "$loops" | grep -qx "$l" || echo "$l"; done)
for l in $(printf '%s\n' "$new" | tr ' ' ':'); do
    echo "include_layers: loop: $(echo "$l" | tr ':' ' ') (these units include each other)"
    failed=1
done
for l in $(printf '%s\n' "$gone" | tr ' ' ':'); do
    echo "include_layers: the known loop '$(echo "$l" | tr ':' ' ')' is gone: delete it from KNOWN_LOOPS"
    failed=1
done
[ $failed -eq 0 ] && echo "include_layers: every include points down the layers; no new loop"
exit $failed
