# Chapter 1: the input X, the kernel K, the cross-correlation X ⋆ K and the
# convolution X * K as heatmaps. The window the kernel covers for output
# (0,0) is outlined on X, and that output is outlined on X ⋆ K and X * K.
# Data (build/chapter1 --plot DIR):
#   chapter1_x.dat, chapter1_k.dat, chapter1_xcorr.dat, chapter1_conv.dat
#       one matrix row per line
#   chapter1_window.dat   column_centre row_centre half_width half_height
#       of the kernel's window for output (0,0), in X's cell coordinates
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

# Diverging: negative blue, zero white, positive red; each range symmetric.
set palette defined (-1 "#2166ac", 0 "#f7f7f7", 1 "#b2182b")
set tics out nomirror
set xtics 1
set ytics 1
unset key
set size ratio -1
set xlabel "column j"
set ylabel "row i"

stats datafile("chapter1_window.dat") using (wx = $1, wy = $2, ww = $3, wh = $4, 0) nooutput

# symrange(file) sets cbrange to [-m, m] for the file's largest |value|.
symrange(f) = sprintf('set xrange [*:*]; set yrange [*:*]; stats "%s" matrix nooutput; m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)); m = (m > 0 ? m : 1); set cbrange [-m:m]', f)
cellsize(f) = sprintf('set xrange [*:*]; set yrange [*:*]; stats "%s" matrix nooutput; cols = STATS_size_x; rows = STATS_size_y', f)

set output outfile("chapter1_maps")
set multiplot layout 2,2 title "Chapter 1: cross-correlation X ⋆ K and convolution X * K"

fx = datafile("chapter1_x.dat")
eval symrange(fx)
eval cellsize(fx)
# X, widened to show the window when it hangs over the border (full mode).
set xrange [(wx - ww < -0.5 ? wx - ww : -0.5):(cols - 0.5)]
set yrange [(rows - 0.5):(wy - wh < -0.5 ? wy - wh : -0.5)]
# The window's outline is drawn in front of the cells, but behind the labels
# on the text terminal, whose rectangles blank the characters inside them.
window_layer = dumb ? "back" : "front"
set object 1 rect from wx - ww, wy - wh to wx + ww, wy + wh @window_layer fillstyle empty border lc rgb "black" lw 3
set title "input X, with K's window for output (0,0)"
plot fx matrix with image, fx matrix using 1:2:(sprintf('%.3g', $3)) with labels
unset object 1

fk = datafile("chapter1_k.dat")
eval symrange(fk)
eval cellsize(fk)
set xrange [-0.5:cols - 0.5]
set yrange [rows - 0.5:-0.5]
set title "kernel K"
plot fk matrix with image, fk matrix using 1:2:(sprintf('%.3g', $3)) with labels

set object 2 rect from -0.5, -0.5 to 0.5, 0.5 @window_layer fillstyle empty border lc rgb "black" lw 3
xc = datafile("chapter1_xcorr.dat")
eval symrange(xc)
eval cellsize(xc)
set xrange [-0.5:cols - 0.5]
set yrange [rows - 0.5:-0.5]
set title "X ⋆ K (what CNN layers compute)"
plot xc matrix with image, xc matrix using 1:2:(sprintf('%.3g', $3)) with labels

cv = datafile("chapter1_conv.dat")
eval symrange(cv)
set xrange [-0.5:cols - 0.5]
set yrange [rows - 0.5:-0.5]
set title "X * K = X ⋆ rot180(K)"
plot cv matrix with image, cv matrix using 1:2:(sprintf('%.3g', $3)) with labels
unset object 2
unset multiplot
