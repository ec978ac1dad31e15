# Settings shared by every chapter's plot script. A script loads it with
#   dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
#   load dirof(ARG0, strlen(ARG0)) . "/common.gp"
# so that it runs from any directory (ARG0 is the script's own path).
# plots/render.sh (make plots) passes:
#   term  png (pngcairo, default), svg, pdf (pdfcairo) or dumb (text)
#   data  the directory the chapters wrote with --plot (default plots/out/data)
#   out   where images go (default plots/out)
# Every image is one file out/NAME.EXT; dumb writes out/NAME.txt, which
# render.sh prints, so no plot ever reopens /dev/stdout.

dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
plots_dir = dirof(ARG0, strlen(ARG0))
if (!exists("term")) term = "png"
if (!exists("data")) data = plots_dir . "/out/data"
if (!exists("out")) out = plots_dir . "/out"
if (term ne "png" && term ne "svg" && term ne "pdf" && term ne "dumb") {
    print sprintf("error: PLOT_TERM: unknown terminal '%s' (choices: png, svg, pdf, dumb)", term)
    exit status 2
}

# ---------------------------------------------------------------- canvas
# The canvas is canvas_w x canvas_h pixels (PNG, SVG; PDF at 160 px per inch);
# a script may change canvas_h and `eval set_canvas` to fit its picture.
# (eval works inside loops too; gnuplot expands @macros only outside them.)
# Fonts: 14 pt on a 1280 px wide canvas, readable on a projector.
canvas_w = 1280
canvas_h = 800
font_size = 14
dumb = (term eq "dumb")
# On the text terminal a multiplot's panels are stacked, one under the other,
# 26 lines each: set panels before `eval set_canvas`, and lay the multiplot
# out with `set multiplot layout @ml` after ml = layout(rows, columns).
panels = 1
layout(r, c) = dumb ? sprintf("%d,1", r * c) : sprintf("%d,%d", r, c)
set_canvas = "eval canvas_cmd(canvas_w, canvas_h)"  # eval set_canvas
# dumb: 80 columns.
canvas_cmd(w, h) = \
    (term eq "png") ? sprintf("set terminal pngcairo size %d,%d enhanced font 'Sans,%d' linewidth 1.5", w, h, font_size) : \
    (term eq "svg") ? sprintf("set terminal svg size %d,%d enhanced font 'Sans,%d' linewidth 1.5 background rgb 'white'", w, h, font_size) : \
    (term eq "pdf") ? sprintf("set terminal pdfcairo size %.2fin,%.2fin enhanced font 'Sans,%d' linewidth 1", w / 160.0, h / 160.0, font_size * 11 / 14) : \
                      sprintf("set terminal dumb size 80,%d", 26 * panels)
eval set_canvas
# A smaller font for secondary labels, at the same scale as the main one.
font_small = sprintf(",%d", (term eq "pdf") ? 9 : 12)
ext = (term eq "png") ? ".png" : (term eq "svg") ? ".svg" : (term eq "pdf") ? ".pdf" : ".txt"
# outfile("chapter0_error") is the image's path.
outfile(name) = out . "/" . name . ext
# datafile("chapter0.dat") is a data file written by a chapter's --plot.
datafile(name) = data . "/" . name

# The dumb terminal prints no markup: log axes read 1e-16 there, 10^{-16} elsewhere.
# Its titles are ASCII too (it counts bytes, not characters): ascii(u, a).
log_format = dumb ? "1e%L" : "10^{%L}"
ascii(u, a) = dumb ? a : u

# ---------------------------------------------------------------- colours
# One diverging map everywhere: 0 is white, negative blue, positive red, on a
# range symmetric about 0 (cbmax = the largest |value| that shares the scale).
# Counts (never negative) use its positive half, with integer ticks.
#   cbmax = 3.5; eval signed_palette        cbmax = 4; eval count_palette
signed_palette = "set palette defined (-1 '#2166ac', -0.5 '#92c5de', 0 '#ffffff', 0.5 '#f4a582', 1 '#b2182b'); set cbrange [-cbmax:cbmax]; set cbtics autofreq; set format cb '%g'"
count_palette = "set palette defined (0 '#ffffff', 0.5 '#f4a582', 1 '#b2182b'); set cbrange [0:cbmax]; set cbtics 0, (cbmax <= 10 ? 1 : ceil(cbmax / 10.0)); set format cb '%.0f'"
absmax(a, b) = (abs(a) > abs(b)) ? abs(a) : abs(b)
# A range of 0 would be empty: an all-zero matrix is drawn on [-1, 1].
nonzero(m) = (m > 0) ? m : 1
# Cell labels are white on dark cells (|v| over 60% of the scale), else black.
label_rgb(v) = (abs(v) > 0.6 * cbmax) ? 0xffffff : 0x000000
# Heatmap cells are vector rectangles, crisp in SVG and PDF at any zoom:
#   plot FILE matrix @cells, '' matrix using 1:2:(sprintf('%g', $3)):(label_rgb($3)) @cell_labels
# The dumb terminal has no colour: there the cells are a grid of their values
# (cell_format: 3 significant digits, 2 on the text terminal).
cell_format = dumb ? "%.2g" : "%.3g"
cells = "using 1:2:($1-0.5):($1+0.5):($2-0.5):($2+0.5):3 with boxxy fc palette fs solid 1.0 border lc rgb '#808080' notitle"
cell_labels = "with labels tc rgb variable notitle"
# The whole plot command of one heatmap with its values, for eval (which,
# unlike @macros, works inside loops); sel selects a block, e.g. "index 2":
#   eval heatmap_plot(datafile("chapter6_kernels.dat"), sprintf("index %d", c))
heatmap_plot(f, sel) = sprintf("plot '%s' %s matrix %s, '' %s matrix using 1:2:(sprintf(cell_format, $3)):(label_rgb($3)) %s", \
                               f, sel, cells, sel, cell_labels)
if (dumb) { unset colorbox }
