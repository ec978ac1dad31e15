#!/bin/sh
# Chapter 6's default run for --seed FIRST..LAST (default 1..100): every run
# must exit 0 (all checks pass, the 90% target met). Prints the final test
# accuracy's minimum, median and maximum, the numbers chapter 6 quotes
# (SEEDS_*_ACCURACY in chapters/chapter6_network.c).
#   sh tests/seeds_chapter6.sh [BUILD_DIR [FIRST [LAST]]]
# make check runs seeds 1..10 (check_chapter6.c); CI runs all 100 with this.
bin=${1:-build}/chapter6
first=${2:-1}
last=${3:-100}
failed=0
list=$(mktemp)
seed=$first
while [ "$seed" -le "$last" ]; do
    out=$("$bin" --seed "$seed" --format json)
    status=$?
    if [ "$status" -ne 0 ]; then
        echo "seed $seed: exit status $status" >&2
        failed=$((failed + 1))
    fi
    printf '%s\n' "$out" | sed -n 's/^ *"test_accuracy": \([0-9.e+-]*\),*$/\1/p' >> "$list"
    seed=$((seed + 1))
done
sort -g "$list" | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "no accuracies read"; exit 1 }
    printf "seeds: %d  test accuracy: min %.3f  median %.3f  max %.3f\n", NR, v[1], v[int((NR + 1) / 2)], v[NR] }'
rm -f "$list"
[ "$failed" -eq 0 ] || { echo "error: $failed seed(s) failed" >&2; exit 1; }
