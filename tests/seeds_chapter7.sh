#!/bin/sh
# Chapters 7 and 8 for --seed FIRST..LAST (default 1..100): every run must
# exit 0 (all checks pass), and chapter 7's held-out accuracy must be at
# least 0.95 for seeds 1..20 (docs/chapter7.md quotes it). Prints chapter 7's
# test accuracy minimum, median and maximum.
#   sh tests/seeds_chapter7.sh [BUILD_DIR [FIRST [LAST]]]
build=${1:-build}
first=${2:-1}
last=${3:-100}
failed=0
list=$(mktemp)
seed=$first
while [ "$seed" -le "$last" ]; do
    out=$("$build/chapter7" --seed "$seed" --format json)
    status=$?
    [ "$status" -eq 0 ] || { echo "chapter7 seed $seed: exit status $status" >&2; failed=$((failed + 1)); }
    acc=$(printf '%s\n' "$out" | sed -n 's/^ *"test_accuracy": \([0-9.e+-]*\),*$/\1/p')
    printf '%s\n' "$acc" >> "$list"
    if [ "$seed" -le 20 ] && ! awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }'; then
        echo "chapter7 seed $seed: test accuracy $acc below 0.95" >&2
        failed=$((failed + 1))
    fi
    "$build/chapter8" --seed "$seed" > /dev/null
    status=$?
    [ "$status" -eq 0 ] || { echo "chapter8 seed $seed: exit status $status" >&2; failed=$((failed + 1)); }
    seed=$((seed + 1))
done
sort -g "$list" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "no accuracies read"; exit 1 }
    printf "chapter 7 seeds: %d  test accuracy: min %.3f  median %.3f  max %.3f\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
rm -f "$list"
[ "$failed" -eq 0 ] || { echo "error: $failed run(s) failed" >&2; exit 1; }
