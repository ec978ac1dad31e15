#!/bin/sh
# Every built chapter with its defaults and a few generic options, plus each
# of its --bug names, under valgrind memcheck: any invalid access or leak
# fails. Status 0, 1 (a check failed, as a bug should make it) or 3 (a check
# could not decide) is fine; a bad --bug name must exit 2 and leak nothing.
#   tests/valgrind.sh BUILD_DIR N ...     e.g. tests/valgrind.sh build 0 1 2
set -u
[ $# -ge 2 ] || { echo "usage: tests/valgrind.sh BUILD_DIR CHAPTER_NUMBER ..." >&2; exit 2; }
command -v valgrind >/dev/null 2>&1 || {
    echo "error: valgrind is not installed; run: sudo apt-get install valgrind" >&2; exit 1; }
build=$1
shift
err=$build/valgrind.err
for n in "$@"; do
    bin=$build/chapter$n
    bugs=$("$bin" --bug list | awk '{print $1}') || exit 1
    # One run per line: its arguments, split on spaces.
    runs=$(printf '%s\n' '' '--format json' '--format latex' '--format markdown' \
        '--no-color --seed 7' '--help' '--bug list' "--plot $build/valgrind-plot --format json"
        for b in $bugs; do echo "--bug=$b"; done
        echo "--bug=no-such-bug")
    echo "$runs" | while IFS= read -r a; do
        # shellcheck disable=SC2086 # the arguments are split on purpose
        valgrind --leak-check=full --error-exitcode=99 -q "$bin" $a >/dev/null 2>"$err"
        st=$?
        case "$st:$a" in
        0:* | 1:* | 3:* | 2:--bug=no-such-bug) echo "valgrind chapter$n $a: ok" ;;
        *)
            cat "$err" >&2
            echo "error: valgrind chapter$n $a: exit status $st (99: memory error or leak)" >&2
            exit 1
            ;;
        esac
    done || exit 1
done
