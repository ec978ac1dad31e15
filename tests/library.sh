#!/bin/sh
# The checker as an installed library (make test-lib): install with DESTDIR
# and uninstall; install into a temporary prefix and build examples/ only
# through pkg-config, shared and static; the planted bug must fail with
# exit 1 and name its worst entry; the header compiles as C11 and C++;
# the library holds no writable global data; every man page renders
# without a warning.
#   sh tests/library.sh CC BUILD
set -u
cc=${1:-cc}
build=${2:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "error: test-lib: $*" >&2; exit 1; }
quiet() { "$@" > "$tmp/log" 2>&1 || { cat "$tmp/log" >&2; fail "$*"; }; }

# 1. DESTDIR staging, then uninstall leaves nothing behind.
quiet make --no-print-directory install PREFIX=/opt/gc DESTDIR="$tmp/stage" BUILD="$build"
for f in include/gradcheck.h lib/libgradcheck.a lib/libgradcheck.so lib/libgradcheck.so.1 \
    lib/pkgconfig/gradcheck.pc share/man/man3/gradcheck.3 share/man/man3/gc_check.3 \
    share/man/man3/gc_check_layer.3 share/man/man3/gc_report_text.3; do
    [ -e "$tmp/stage/opt/gc/$f" ] || fail "make install did not install $f"
done
grep -q '^prefix=/opt/gc$' "$tmp/stage/opt/gc/lib/pkgconfig/gradcheck.pc" || fail "gradcheck.pc does not name PREFIX"
soname=$(readelf -d "$tmp/stage/opt/gc/lib/libgradcheck.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libgradcheck.so.1 ] || fail "soname is '$soname', not libgradcheck.so.1"
quiet make --no-print-directory uninstall PREFIX=/opt/gc DESTDIR="$tmp/stage" BUILD="$build"
left=$(find "$tmp/stage" ! -type d)
[ -z "$left" ] || fail "make uninstall left: $left"

# 2. A real prefix; the examples see only what pkg-config says.
prefix="$tmp/prefix"
quiet make --no-print-directory install PREFIX="$prefix" BUILD="$build"
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs gradcheck) || fail "pkg-config does not find gradcheck"
cp -r examples "$tmp/examples"
for e in layernorm mlp; do
    quiet make --no-print-directory -C "$tmp/examples/$e" CC="$cc"
done
run() { LD_LIBRARY_PATH="$prefix/lib" "$@"; }
run "$tmp/examples/layernorm/layernorm" > "$tmp/ln.txt"; st=$?
[ $st -eq 0 ] || { cat "$tmp/ln.txt"; fail "layernorm exited $st, not 0"; }
grep -q '^dinp: PASS' "$tmp/ln.txt" || fail "layernorm: dinp did not pass"
ratio=$(sed -n 's/.*evaluations: \([0-9.]*\) x 2P/\1/p' "$tmp/ln.txt")
awk -v r="$ratio" 'BEGIN { exit !(r > 0 && r <= 2.5) }' || fail "layernorm cost $ratio x 2P, over 2.5"
run "$tmp/examples/layernorm/layernorm" --bug > "$tmp/bug.txt"; st=$?
[ $st -eq 1 ] || { cat "$tmp/bug.txt"; fail "layernorm --bug exited $st, not 1"; }
grep -q '^dinp: FAIL' "$tmp/bug.txt" || fail "layernorm --bug: dinp did not fail"
grep -q 'worst entry: dinp\[b=[0-9], t=[0-9], c=[0-9]\]' "$tmp/bug.txt" || fail "layernorm --bug names no worst entry"
run "$tmp/examples/layernorm/layernorm" --json | while read -r line; do
    case $line in "{\"name\":"*"}") ;; *) fail "layernorm --json: not a JSON object per line: $line" ;; esac
done || exit 1
run "$tmp/examples/mlp/mlp" > "$tmp/mlp.txt"; st=$?
[ $st -eq 0 ] || { cat "$tmp/mlp.txt"; fail "mlp exited $st, not 0"; }
[ "$(grep -c ': PASS$' "$tmp/mlp.txt")" -eq 4 ] || fail "mlp: not all four blocks passed"
grep -q '^training accuracy' "$tmp/mlp.txt" || fail "mlp did not train"

# The README's example, as printed there, builds and passes.
awk '/^## Use the checker in your own C code/ { on = 1 } on && /^```c$/ { code = 1; next }
     code && /^```$/ { exit } code { print }' README.md > "$tmp/readme.c"
[ -s "$tmp/readme.c" ] || fail "README.md has no C example under 'Use the checker in your own C code'"
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror "$tmp/readme.c" $flags -o "$tmp/readme" || fail "README's example does not build"
run "$tmp/readme" > "$tmp/readme.txt" || { cat "$tmp/readme.txt"; fail "README's example does not pass"; }
grep -q '^dL/dtheta: PASS' "$tmp/readme.txt" || fail "README's example prints no PASS"

# 3. The static library, linked by path: the same verdicts.
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags gradcheck) \
    "$tmp/examples/layernorm/layernorm.c" "$prefix/lib/libgradcheck.a" -lm -o "$tmp/ln_static" || fail "static link"
"$tmp/ln_static" --bug > /dev/null; [ $? -eq 1 ] || fail "static layernorm --bug did not exit 1"

# 4. The header as C11 and as C++, warnings as errors.
echo '#include <gradcheck.h>' > "$tmp/h.c"
"$cc" -std=c11 -Wall -Wextra -Wpedantic -Werror -fsyntax-only $(pkg-config --cflags gradcheck) "$tmp/h.c" \
    || fail "the header is not clean C11"
if command -v g++ > /dev/null 2>&1; then
    printf '#include <gradcheck.h>\nint main() { gc_options o = gc_options_default(); return o.seed == 1 ? 0 : 1; }\n' \
        > "$tmp/h.cpp"
    g++ -std=c++11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags gradcheck) "$tmp/h.cpp" \
        $(pkg-config --libs gradcheck) -o "$tmp/hpp" || fail "the header is not clean C++"
    run "$tmp/hpp" || fail "a C++ program cannot call the library"
else
    echo "test-lib: g++ not installed; the C++ check is skipped"
fi

# 5. No global state: no writable data in the library.
data=$(nm "$prefix/lib/libgradcheck.a" | awk '$2 ~ /^[BbDdGgSs]$/')
[ -z "$data" ] || fail "writable global data in the library: $data"

# 6. Every man page renders without a warning, and man finds them.
for page in "$prefix"/share/man/man3/*.3; do
    out=$(cd "$prefix/share/man" && groff -s -man -ww -z -Tutf8 "$page" 2>&1) || fail "groff failed on $page"
    [ -z "$out" ] || fail "groff warns on $(basename "$page"): $out"
done
if command -v man > /dev/null 2>&1; then
    MANPAGER=cat man -M "$prefix/share/man" 3 gc_check_layer 2>/dev/null | grep -q 'gc_check_layer' \
        || fail "man 3 gc_check_layer does not show the page"
fi
quiet make --no-print-directory uninstall PREFIX="$prefix" BUILD="$build"
echo "test-lib: installed, built the examples through pkg-config, the planted bug fails: all passed"
