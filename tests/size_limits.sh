#!/bin/sh
# Small files with one purpose: no C file over MAX_LINES lines and no C
# function over MAX_FUNCTION_LINES, in chapters/, src/, labs/, tests/,
# docs/, sheets/ and bench/. Run by `make check`.
#
#   sh tests/size_limits.sh [ROOT]   check ROOT (default .): exit 0 or 1
#   sh tests/size_limits.sh --selftest
#       plants a file of MAX_LINES + 1 lines and a function of
#       MAX_FUNCTION_LINES + 1 lines in a copy of src/, and fails unless
#       both are caught and named: the test can fail.
#
# A function is counted from the line of its opening brace to the line of
# its closing one, both included (the signature above it is not). Braces in
# strings, character constants and comments are ignored.

# The project's limits (the guide: files <= 700 lines; a function longer
# than a screenful and a half does more than one thing).
MAX_LINES=700
MAX_FUNCTION_LINES=80
# Files allowed over the line limit (their functions are still checked),
# one "path reason" a line; none in chapters/ or src/.
EXCEPTIONS='
'

set -u

selftest() {
    tmp=$(mktemp -d) || exit 2
    trap 'rm -rf "$tmp"' EXIT
    status=0
    mkdir -p "$tmp/root"
    cp -R src "$tmp/root/src"
    awk -v n=$((MAX_LINES + 1)) 'BEGIN { for (k = 1; k <= n; k++) print "// line " k }' \
        >"$tmp/root/src/core/long_file.c"
    awk -v n=$((MAX_FUNCTION_LINES - 1)) 'BEGIN {
            print "static int long_function(void) {"; print "    int s = 0; // a \"}\" and a '\''{'\''"
            for (k = 3; k < n + 1; k++) print "    s += " k ";"
            print "    return s;"; print "}" }' >>"$tmp/root/src/core/rng.c"
    if sh "$0" "$tmp/root" >"$tmp/out" 2>&1; then
        echo "size_limits selftest: a long file and a long function passed" >&2
        status=1
    else
        grep -q "src/core/long_file.c: $((MAX_LINES + 1)) lines" "$tmp/out" || {
            echo "size_limits selftest: the long file was not named:" >&2; cat "$tmp/out" >&2; status=1; }
        grep -q "src/core/rng.c:[0-9]*: long_function is $((MAX_FUNCTION_LINES + 1)) lines" "$tmp/out" || {
            echo "size_limits selftest: the long function was not named:" >&2; cat "$tmp/out" >&2; status=1; }
    fi
    # A function of exactly the limit passes.
    mkdir -p "$tmp/ok"
    cp -R src "$tmp/ok/src"
    awk -v n=$MAX_FUNCTION_LINES 'BEGIN {
            print "static int fits(void) {"; for (k = 2; k < n; k++) print "    (void)0;"; print "}" }' \
        >>"$tmp/ok/src/core/rng.c"
    if sh "$0" "$tmp/ok" 2>&1 | grep -q ' fits is '; then
        echo "size_limits selftest: a function of exactly $MAX_FUNCTION_LINES lines failed" >&2
        status=1
    fi
    [ $status -eq 0 ] && echo "size_limits selftest: a long file and a long function both fail"
    exit $status
}

[ "${1:-}" = "--selftest" ] && selftest
ROOT=${1:-.}

# The project's own C: npm's node_modules (make test-browser installs one
# under tests/browser) holds other people's.
files=$(cd "$ROOT" && find chapters src labs tests docs sheets bench -name node_modules -prune -o \
            \( -name '*.c' -o -name '*.h' -o -name '*.inc' \) -type f -print 2>/dev/null | sort)
[ -n "$files" ] || { echo "size_limits: no C file under $ROOT" >&2; exit 2; }

report=$(cd "$ROOT" && printf '%s\n' "$files" | awk -v max_lines=$MAX_LINES -v max_fn=$MAX_FUNCTION_LINES \
                                                     -v exceptions="$EXCEPTIONS" '
    BEGIN {
        n = split(exceptions, ex, "\n")
        for (k = 1; k <= n; k++) if (split(ex[k], w, " ") >= 1) excepted[w[1]] = 1
    }
    # The line without strings, character constants and comments.
    function code(s) {
        if (in_comment) {
            if (index(s, "*/") == 0) return ""
            s = substr(s, index(s, "*/") + 2); in_comment = 0
        }
        gsub(/\\./, "", s)
        gsub(/"[^"]*"/, "\"\"", s)
        gsub(/'\''[^'\'']*'\''/, "0", s)
        gsub(/\/\*([^*]|\*[^\/])*\*\//, "", s)
        sub(/\/\/.*/, "", s)
        if (index(s, "/*")) { s = substr(s, 1, index(s, "/*") - 1); in_comment = 1 }
        return s
    }
    {
        file = $0
        lines = 0; depth = 0; head = ""; in_comment = 0; fn = ""
        while ((getline line < file) > 0) {
            lines++
            c = code(line)
            for (k = 1; k <= length(c); k++) {
                ch = substr(c, k, 1)
                if (ch == "{") {
                    if (depth == 0) {
                        fn = ""
                        if (head ~ /\(/ && head !~ /=/ && head !~ /^[ \t]*(typedef|struct|enum|union)[ \t]/) {
                            name = head; sub(/\(.*/, "", name); gsub(/.*[^A-Za-z0-9_]/, "", name)
                            fn = name; start = lines
                        }
                    }
                    depth++
                } else if (ch == "}") {
                    depth--
                    if (depth == 0) {
                        if (fn != "" && lines - start + 1 > max_fn)
                            printf "size_limits: %s:%d: %s is %d lines (the limit is %d)\n",
                                   file, start, fn, lines - start + 1, max_fn
                        fn = ""; head = ""
                    }
                } else if (depth == 0) {
                    if (ch == ";") head = ""; else head = head ch
                }
            }
            if (depth == 0 && c ~ /^[ \t]*#/) head = ""
            if (depth == 0) head = head " "
        }
        close(file)
        if (lines > max_lines && !(file in excepted)) printf "size_limits: %s: %d lines (the limit is %d)\n", file, lines, max_lines
    }')
if [ -n "$report" ]; then
    printf '%s\n' "$report"
    exit 1
fi
echo "size_limits: no C file over $MAX_LINES lines, no function over $MAX_FUNCTION_LINES"
