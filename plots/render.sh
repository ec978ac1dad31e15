#!/bin/sh
# Renders every plots/chapterN.gp: runs build/chapterN --plot to write its
# data, then gnuplot on the script, and lists the images this run wrote (or,
# for the text terminal, prints every plot).
#   plots/render.sh TERM BUILD_DIR OUT_DIR     (what `make plots` runs)
#   TERM: png (default), svg, pdf (pdfcairo, for LaTeX) or dumb (text)
set -u
term=${1:-png} build=${2:-build} out=${3:-plots/out}
case $term in
png | svg | pdf | dumb) ;;
*) echo "error: PLOT_TERM: unknown terminal '$term' (choices: png, svg, pdf, dumb)" >&2; exit 2 ;;
esac
command -v gnuplot >/dev/null 2>&1 || {
    echo "error: gnuplot is not installed; run: sudo apt-get install gnuplot-nox" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
ext=$term
[ "$term" = dumb ] && ext=txt
mkdir -p "$out/data" || exit 1
stamp=$out/data/.render-stamp
: >"$stamp" || exit 1
for gp in "$here"/chapter*.gp; do
    n=$(basename "$gp" .gp | sed 's/^chapter//')
    case $n in "" | *[!0-9]*) continue ;; esac # only chapterN.gp
    "$build/chapter$n" --plot "$out/data" --format json >/dev/null || {
        echo "error: $build/chapter$n --plot $out/data failed" >&2; exit 1; }
    # From the repository root, so that a script that loads 'plots/common.gp'
    # by a relative path works too.
    (cd "$here/.." && gnuplot -e "term='$term'; data='$(cd "$out/data" && pwd)'; out='$(cd "$out" && pwd)'" "$gp") || exit 1
done
# Only what this run wrote, oldest first: never stale images of another terminal.
written=$(find "$out" -maxdepth 1 -type f -name "*.$ext" -newer "$stamp" | xargs -r ls -tr)
rm -f "$stamp"
# A heatmap drawn `with image` is a tiny bitmap in SVG that viewers smooth
# into gradients; drawn pixelated, its cells stay crisp.
if [ "$term" = svg ] && [ -n "$written" ]; then
    sed -i "s/<image /<image style='image-rendering:optimizeSpeed;image-rendering:pixelated' /" $written || exit 1
fi
if [ "$term" = dumb ]; then
    for f in $written; do
        printf '%s\n' "== $(basename "$f" .txt)"
        tr -d "\f" <"$f" # the text terminal starts each page with a form feed
    done
else
    printf '%s\n' $written
fi
