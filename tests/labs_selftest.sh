#!/bin/sh
# make labs-selftest: proves each lab's grader can pass, can fail, and
# cannot be fooled.
#   1. every lab graded with a right answer (tests/labs/mistakes.c without a
#      mistake) passes every case;
#   2. every lab graded with each classic mistake of tests/labs/mistakes.c
#      fails (exit 1) and names that mistake;
#   3. every hostile student of tests/labs/hostile.c (and tests/labs/reference.c,
#      which calls the library) scores 0 with its message, exit 1, and a
#      valid results.json that says "score": 0.
# A student file is built as `make labN` builds it (but -O0, which compiles
# faster): without -Werror, with runner.c and libm only; when it does not
# build, the grader gets the log.
# Usage: tests/labs_selftest.sh BUILD_DIR CC "STUDENT_CFLAGS" "LIBS" "LAB_NUMS"
# The labs' checks run as parallel jobs (each starts a process per case,
# and starting processes is most of the time), each in a directory of its own.
set -u
build=$1 cc=$2 cflags=$3 libs=$4 labs=$5
top=$build/labs/selftest
failed=0

# lab number, then the mistakes it must name (STUDENT_MISTAKE_ macro = the
# name in capitals with '-' as '_').
mistakes_of() {
    case $1 in
    2) echo "sign no-mean skip-sigmoid" ;;
    3) echo "outer-product-swapped W-not-transposed overwrite" ;;
    4) echo "overwrite all-cells average" ;;
    5) echo "no-rot180 valid-not-full no-dilate bias-one-axis sign rot180 kernel-conv overwrite pad-off-by-one" ;;
    7) echo "ce-grad-not-divided-by-batch sign" ;;
    esac
}

# student LAB SOURCE FLAGS: builds $dir/student (or leaves none and a log)
# and grades it; $dir/out holds the grader's output, $st its exit status.
student() {
    rm -f "$dir/student" "$dir/results.json"
    $cc $cflags -O0 $3 -c "$2" -o "$dir/student.o" 2> "$dir/build.log" &&
        $cc "$dir/student.o" "$build/labs/student/runner.o" "$build/labs/student/wire.o" \
            "$build/labs/student/harness_lab$1.o" $libs -o "$dir/student" 2>> "$dir/build.log"
    "$build/labs/lab$1" --student "$dir/student" --build-log "$dir/build.log" \
        --gradescope "$dir/results.json" $4 > "$dir/out" 2>&1
    st=$?
}

fail() { cat "$dir/out"; echo "error: $*" >&2; failed=1; }

mistakes_job() { # LAB
    lab=$1
    student "$lab" tests/labs/mistakes.c "" ""
    if [ $st -eq 0 ]; then echo "lab$lab with a right answer: $(tail -n 1 "$dir/out")"
    else fail "lab$lab fails a right answer (exit $st)"; fi
    for m in $(mistakes_of "$lab"); do
        macro=STUDENT_MISTAKE_$(echo "$m" | tr 'a-z-' 'A-Z_')
        student "$lab" tests/labs/mistakes.c "-D$macro" ""
        if [ $st -eq 1 ] && grep -qF "\`$m" "$dir/out"; then
            echo "lab$lab mistake $m: named, $(tail -n 1 "$dir/out" | cut -d' ' -f2-)"
        else
            fail "lab$lab with the mistake $m: exit $st, expected 1 and the name \`$m'"
        fi
    done
}

# hostile LAB NAME "MESSAGE" [GRADER OPTIONS]: every case scores 0, the
# output says MESSAGE, results.json is valid with "score": 0.
hostile() {
    src=tests/labs/hostile.c flag=-DHOSTILE_$(echo "$2" | tr 'a-z-' 'A-Z_')
    [ "$2" = calls-library ] && src=tests/labs/reference.c flag=$(for d in src/*/; do printf -- "-I%s " "$d"; done)
    student "$1" "$src" "$flag" "${4:-}"
    if [ $st -ne 1 ]; then fail "lab$1 hostile $2: exit $st, expected 1"; return; fi
    if ! grep -qF "$3" "$dir/out"; then fail "lab$1 hostile $2: no '$3' in the output"; return; fi
    if [ "$(tail -n 1 "$dir/out")" != "lab$1: 0 of 21 cases passed" ]; then fail "lab$1 hostile $2: not scored 0"; return; fi
    if ! "$build/labs/jsoncheck" "$dir/results.json" || ! grep -q '^  "score": 0,$' "$dir/results.json"; then
        cat "$dir/results.json"; fail "lab$1 hostile $2: results.json is not valid with score 0"; return
    fi
    echo "lab$1 hostile $2: every case scores 0, with its message"
}

non_finite_job() { # LAB
    hostile "$1" infinity "not a number (inf or nan)"
    [ "$1" = 3 ] && hostile "$1" nan "not a number (inf or nan)"
}

crash_job() {
hostile 3 segfault "A segmentation fault: it read or wrote outside an array"
hostile 3 heap-overflow "wrote outside dx: at index"
hostile 3 loop "did not finish within the limit of 0.05 s" "--time-limit 0.05"
hostile 3 alloc-2gib "the memory limit of 256 MiB"
}

escape_job() {
hostile 3 exit0 "ended (exit status 0) before your function returned"
hostile 3 constructor "ended (exit status 0) before your function returned"
hostile 3 fake-pass "is not implemented yet"
hostile 3 flood "printed more than 1024 KiB"
}

library_job() {
hostile 3 zero-upstream "changed its input dL/dz, which is const"
hostile 3 modify-inputs "changed its input x, which is const"
hostile 3 calls-library "Your code calls functions your file does not define:"
hostile 3 defines-library "is not implemented yet"
hostile 3 compile-error "Your file did not build"

# A vector with every entry wrong: no "all in row 0" (it has one row).
student 3 tests/labs/hostile.c -DHOSTILE_OFF_BY_HALF ""
if [ $st -eq 1 ] && grep -qxF "  2 of 2 entries of dx are wrong." "$dir/out" && ! grep -q "in row 0" "$dir/out"; then
    echo "lab3 with every entry of dx wrong: said without 'all in row 0'"
else fail "lab3 with every entry of dx wrong: exit $st, or the wording"; fi

# Warnings in the student's file are shown, and do not stop the grading.
student 3 tests/labs/hostile.c -DHOSTILE_WARNINGS ""
if [ $st -eq 0 ] && grep -q "unused" "$dir/build.log"; then echo "lab3 with compiler warnings: graded, all pass"
else fail "lab3 with compiler warnings: exit $st, expected 0 and a warning in the log"; fi
}

# job NAME FUNCTION ARGS...: runs FUNCTION in $top/NAME in the background;
# its report goes to $top/NAME.log, and $top/NAME.failed marks a failure.
job() {
    name=$1; shift
    (dir=$top/$name; mkdir -p "$dir"; rm -f "$top/$name.failed"
     "$@" > "$top/$name.log" 2>&1; [ $failed -eq 0 ] || touch "$top/$name.failed") &
}
mkdir -p "$top"
jobs_run=""
for lab in $labs; do job "mistakes$lab" mistakes_job "$lab"; job "nonfinite$lab" non_finite_job "$lab"; jobs_run="$jobs_run mistakes$lab nonfinite$lab"; done
for j in crash escape library; do job "$j" "${j}_job"; jobs_run="$jobs_run $j"; done
wait
for j in $jobs_run; do
    cat "$top/$j.log"
    [ -e "$top/$j.failed" ] && failed=1
done
exit $failed
