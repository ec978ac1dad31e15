#!/bin/sh
# make test-html: every chapter's HTML page, as a browser shows it.
#   - validates with tidy (no errors);
#   - loads in headless Chromium: no console message, the verdicts are in the
#     DOM, every MathML element has a non-zero size, no horizontal scrolling
#     at 400 px, and a screenshot that is not blank;
#   - build/html/chapterN.html is byte-identical to build/chapterN --format html.
# Installs Debian's chromium and tidy when missing and it runs as root (or
# with password-less sudo); otherwise it says what to install and fails.
# Usage: tests/test_html.sh BUILD_DIR
set -u
build=${1:-build}
html=$build/html
work=$build/html-test
mkdir -p "$work"

need=""
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v tidy >/dev/null 2>&1 || need="$need tidy"
if [ -n "$need" ]; then
    if [ "$(id -u)" = 0 ]; then sudo=""; elif sudo -n true 2>/dev/null; then sudo="sudo -n"; else sudo=none; fi
    if [ "$sudo" = none ]; then
        echo "error: test-html needs$need; run: sudo apt-get install$need" >&2
        exit 1
    fi
    $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null ||
        { echo "error: could not install$need" >&2; exit 1; }
fi

browser() {
    timeout 120 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
        --no-first-run --disable-extensions --enable-logging=stderr --v=0 "$@"
}

# The measuring page: loads one chapter page in a frame of a given width and
# writes what it finds into its own DOM, which --dump-dom prints. It lives in
# the test's own folder: build/html is what gets published.
cat > "$work/measure.html" <<'PAGE'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>measure</title></head>
<body><iframe id="f" style="border:0;height:900px"></iframe><pre id="result">pending</pre>
<script>
const q = new URLSearchParams(location.search), f = document.getElementById('f');
f.style.width = q.get('width') + 'px';
f.onload = () => {
  const d = f.contentDocument, maths = d.querySelectorAll('math');
  let zero = 0;
  for (const m of maths) { const b = m.getBoundingClientRect(); if (b.width <= 0 || b.height <= 0) zero++; }
  const e = d.documentElement;
  document.getElementById('result').textContent =
    'math=' + maths.length + ' zero=' + zero + ' verdicts=' + d.querySelectorAll('.verdict .word').length +
    ' scroll=' + (e.scrollWidth > e.clientWidth ? 'yes' : 'no');
};
f.src = q.get('page');
</script></body></html>
PAGE

failed=0
fail() { echo "error: $*" >&2; failed=1; }
for page in "$html"/chapter*.html; do
    name=$(basename "$page" .html)
    n=${name#chapter}
    "$build/$name" --format html > "$work/$name.expected" 2>/dev/null
    cmp -s "$work/$name.expected" "$page" || fail "$page differs from $build/$name --format html"
    tidy -errors -q "$page" > "$work/$name.tidy" 2>&1
    [ $? -lt 2 ] && [ ! -s "$work/$name.tidy" ] || { cat "$work/$name.tidy" >&2; fail "$page: tidy found errors"; }
    browser --screenshot="$work/$name.png" --window-size=1280,1600 "file://$(cd "$html" && pwd)/$name.html" \
        2> "$work/$name.log" > /dev/null
    grep -q 'CONSOLE' "$work/$name.log" && { grep CONSOLE "$work/$name.log" >&2; fail "$page: console messages"; }
    size=$(wc -c < "$work/$name.png" 2>/dev/null || echo 0)
    [ "$size" -gt 20000 ] || fail "$page: the screenshot looks blank ($size bytes)"
    for width in 1280 400; do
        browser --dump-dom --virtual-time-budget=10000 \
            "file://$(cd "$work" && pwd)/measure.html?page=$(cd "$html" && pwd)/$name.html&width=$width" \
            > "$work/$name-$width.dom" 2>/dev/null
        result=$(sed -n 's/.*<pre id="result">\(.*\)<\/pre>.*/\1/p' "$work/$name-$width.dom")
        case $result in
        math=0*|*zero=[1-9]*|*verdicts=0*|pending|"") fail "$page at $width px: $result" ;;
        *scroll=yes*) [ "$width" = 400 ] && fail "$page scrolls sideways at 400 px" ;;
        esac
        echo "$name at $width px: $result"
    done
done
# build/html holds the pages and nothing the test made.
for f in "$html"/*; do
    case $(basename "$f") in index.html|chapter*.html) ;; *) fail "$f is not a page of the workbook" ;; esac
done
[ $failed = 0 ] && echo "test-html: every page passed"
exit $failed
