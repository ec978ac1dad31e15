#!/bin/sh
# make test-autograder: the Gradescope autograder and the GitHub Classroom
# config, run as their services would run them.
#   1. For the last lab: unpack build/autograder/labN.zip into a fake
#      /autograder tree (AUTOGRADER_ROOT), run setup.sh, then run_autograder
#      with a right submission (full marks), the untouched skeleton (0, "not
#      implemented"), and a submission without the lab's file (0, a message).
#      Every results.json must be valid JSON (build/labs/jsoncheck).
#   2. .github/classroom/autograding.json is valid JSON, has a test for every
#      lab, and each test's command passes with a right answer in place and
#      fails with the skeleton (make exits 2 when the grader exits 1).
# Usage: tests/autograder_test.sh BUILD_DIR "LAB_NUMS"
set -u
build=$1 labs=$2
jsoncheck=$build/labs/jsoncheck
failed=0
fail() { echo "error: $*" >&2; failed=1; }
for lab in $labs; do last=$lab; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/autograder
mkdir -p "$root/source" "$root/submission"
(cd "$root/source" && unzip -q "$OLDPWD/$build/autograder/lab$last.zip") || { echo "error: cannot unpack" >&2; exit 1; }
file=$(cd "$root/source" && ls labs/lab"$last"_*.c)
name=$(basename "$file")
AUTOGRADER_ROOT=$root sh "$root/source/setup.sh" > "$tmp/setup.log" 2>&1 || { cat "$tmp/setup.log"; fail "setup.sh failed"; }

# submit SOURCE|none EXPECTED_SCORE "TEXT": runs run_autograder and checks results.json.
submit() {
    rm -rf "$root/submission" "$root/results"
    mkdir -p "$root/submission/upload"
    [ "$1" = none ] || cp "$1" "$root/submission/upload/$name"
    AUTOGRADER_ROOT=$root sh "$root/source/run_autograder" > "$tmp/run.log" 2>&1
    st=$? res=$root/results/results.json
    if [ $st -ne 0 ] || ! "$jsoncheck" "$res"; then cat "$tmp/run.log"; fail "run_autograder ($1): exit $st or invalid results.json"; return; fi
    if ! grep -q "^  \"score\": $2,\$" "$res" || ! grep -qF "$3" "$res"; then
        cat "$res"; fail "run_autograder ($1): expected score $2 and '$3'"; return
    fi
    echo "run_autograder, lab$last, $1: results.json valid, score $2"
}
submit tests/labs/mistakes.c 21 "\"max_score\": "
submit "labs/$name" 0 "is not implemented yet"
submit none 0 "Your submission has no file named $name"

# GitHub Classroom: each "run" command in the student's repository (here, the unpacked source).
config=.github/classroom/autograding.json
"$jsoncheck" "$config" || fail "$config is not valid JSON"
for lab in $labs; do
    grep -qF "\"run\": \"make lab$lab\"," "$config" || { fail "$config has no test running make lab$lab"; continue; }
    f=$(ls labs/lab"$lab"_*.c)
    (cd "$root/source" && make --no-print-directory "lab$lab" > "$tmp/classroom.log" 2>&1)
    st_skeleton=$?
    cp tests/labs/mistakes.c "$root/source/$f"
    (cd "$root/source" && make --no-print-directory "lab$lab" > "$tmp/classroom.log" 2>&1)
    st_right=$?
    cp "$f" "$root/source/$f"
    if [ $st_skeleton -ne 0 ] && [ $st_right -eq 0 ]; then echo "classroom: make lab$lab fails the skeleton, passes a right answer"
    else cat "$tmp/classroom.log"; fail "classroom: make lab$lab: skeleton exit $st_skeleton (want non-zero), right exit $st_right (want 0)"; fi
done
exit $failed
