#!/bin/sh
# make test-browser: installs puppeteer-core from tests/browser/package-lock.json
# (npm ci, once) and runs tests/browser/test_live.mjs on the live pages with
# Debian's /usr/bin/chromium (tests/test_html.sh installs it when missing),
# after tidy has validated every live page.
# Usage: tests/browser/run.sh LIVE_DIR BUILD_DIR
set -u
live=$1 build=$2
dir=$(dirname "$0")
[ -x /usr/bin/chromium ] || { echo "error: test-browser needs Debian's chromium; run: sudo apt-get install chromium" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "error: test-browser needs node and npm" >&2; exit 1; }
if [ ! -d "$dir/node_modules/puppeteer-core" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    # No browser download: puppeteer-core drives the system's chromium.
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "error: npm ci in $dir failed" >&2; exit 1; }
fi
# Each live page is valid HTML as well (tidy: no errors, no warnings).
if command -v tidy >/dev/null 2>&1; then
    for page in "$live"/*.html; do
        out=$(tidy -errors -q "$page" 2>&1 >/dev/null)
        [ -z "$out" ] || { echo "$out" >&2; echo "error: $page: tidy found problems" >&2; exit 1; }
    done
    echo "test-browser: tidy finds nothing in $live/*.html"
fi
exec node "$dir/test_live.mjs" "$live" "$build"
