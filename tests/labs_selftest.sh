#!/bin/sh
# make labs-selftest: proves each lab's harness can pass and can fail.
#   1. every harness built with tests/labs/reference.c (the library) passes;
#   2. every harness built with each classic mistake of tests/labs/mistakes.c
#      fails (exit 1) and names that mistake in its output.
# Usage: tests/labs_selftest.sh BUILD_DIR CC "CFLAGS" "LIBS"
set -u
build=$1 cc=$2 cflags=$3 libs=$4
dir=$build/labs/selftest
mkdir -p "$dir"
failed=0

# lab number, then the mistakes it must name (STUDENT_MISTAKE_ macro = the
# name in capitals with '-' as '_').
mistakes_of() {
    case $1 in
    2) echo "sign no-mean skip-sigmoid" ;;
    3) echo "outer-product-swapped W-not-transposed" ;;
    4) echo "overwrite all-cells average" ;;
    5) echo "no-rot180 valid-not-full no-dilate bias-one-axis sign rot180 kernel-conv" ;;
    esac
}

link() { # link OUTPUT STUDENT_OBJECT LAB
    $cc $cflags "$build/labs/harness.o" "$build/labs/harness_lab$3.o" "$2" $libs -o "$1"
}

for lab in 2 3 4 5; do
    $cc $cflags -Ilabs -c tests/labs/reference.c -o "$dir/reference.o" || exit 1
    link "$dir/lab$lab-reference" "$dir/reference.o" $lab || exit 1
    if "$dir/lab$lab-reference" > "$dir/out" 2>&1; then
        echo "lab$lab with the reference: $(tail -n 1 "$dir/out")"
    else
        cat "$dir/out"; echo "error: lab$lab fails the library's own reference" >&2; failed=1
    fi
    for m in $(mistakes_of $lab); do
        macro=STUDENT_MISTAKE_$(echo "$m" | tr 'a-z-' 'A-Z_')
        $cc $cflags -Ilabs -D"$macro" -c tests/labs/mistakes.c -o "$dir/mistake.o" || exit 1
        link "$dir/lab$lab-$m" "$dir/mistake.o" $lab || exit 1
        "$dir/lab$lab-$m" > "$dir/out" 2>&1; st=$?
        if [ $st -eq 1 ] && grep -qF "\`$m" "$dir/out"; then
            echo "lab$lab with the mistake $m: fails and names it ($(tail -n 1 "$dir/out"))"
        else
            cat "$dir/out"
            echo "error: lab$lab with the mistake $m: exit $st, expected 1 and the name \`$m'" >&2; failed=1
        fi
    done
done
exit $failed
