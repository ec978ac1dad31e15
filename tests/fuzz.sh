#!/bin/sh
# Runs each built libFuzzer target (make fuzz builds them) for a while on a
# copy of its committed seeds, so that the inputs it discovers never land in
# the repository. A crash input is saved to FUZZ_DIR/crashes/T/ and fails.
#   tests/fuzz.sh FUZZ_DIR SECONDS T:MAXLEN ...
#   e.g. tests/fuzz.sh build/fuzz 30 options:4096 parse:16384
set -u
[ $# -ge 3 ] || { echo "usage: tests/fuzz.sh FUZZ_DIR SECONDS TARGET:MAXLEN ..." >&2; exit 2; }
dir=$1 seconds=$2
shift 2
for spec in "$@"; do
    t=${spec%%:*} maxlen=${spec#*:}
    corpus=$dir/corpus/$t crashes=$dir/crashes/$t log=$dir/fuzz_$t.log
    mkdir -p "$corpus" "$crashes" && cp "tests/fuzz/corpus/$t/"* "$corpus/" || exit 1
    echo "fuzz_$t: $seconds s, log in $log"
    if ! "./$dir/fuzz_$t" -max_total_time="$seconds" -max_len="$maxlen" -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        echo "error: fuzz_$t FOUND A CRASH; the input is in $crashes/ (replay: ./$dir/fuzz_$t FILE)" >&2
        exit 1
    fi
    grep -E 'stat::(number_of_executed_units|peak_rss_mb)|^Done' "$log"
done
