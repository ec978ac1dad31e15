#!/bin/sh
# Regenerates every image of plots/gallery/ (shown in docs/instructors.md and
# docs/html.md) from the current build, so that none is stale:
#   chapter0_error, chapter4_overlap, chapter6_kernels  make plots (PNG)
#   html-chapter5   build/html/chapter5.html in headless Chromium, 1100 px wide
#   sheet-1-page1   page 1 of build/sheet --seed 1, pdflatex then pdftoppm
# tests/check_plots.c fails when a plot image differs from a fresh render.
# Usage: scripts/gallery.sh [BUILD_DIR]    (after make, make html and the sheet)
set -eu
build=${1:-build}
gallery=plots/gallery
work=$(mktemp -d /tmp/workbook-gallery-XXXXXX)
trap 'rm -rf "$work"' EXIT
sh plots/render.sh png "$build" "$work/plots" > /dev/null
for name in chapter0_error chapter4_overlap chapter6_kernels; do
    cp "$work/plots/$name.png" "$gallery/$name.png"
done
page=$(cd "$build/html" && pwd)/chapter5.html
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
    --hide-scrollbars --user-data-dir="$work/profile" --screenshot="$gallery/html-chapter5.png" \
    --window-size=1100,1500 "file://$page" > /dev/null 2>&1
"$build/sheet" --seed 1 --out "$work/sheet" > /dev/null
(cd "$work/sheet" && pdflatex -interaction=nonstopmode -halt-on-error sheet-1.tex > /dev/null)
pdftoppm -r 80 -png -f 1 -l 1 -singlefile "$work/sheet/sheet-1.pdf" "$gallery/sheet-1-page1"
ls "$gallery"
