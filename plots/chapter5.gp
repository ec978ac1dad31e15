# Chapter 5: heatmaps of the convolution layer's input, kernel and their
# gradients, and how many output windows touch each input pixel.
# Data: build/chapter5 --plot DIR writes chapter5_{x,k,dx,dk,touch}.dat,
# each a matrix with one row per line.
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

set xlabel "column j"
# On the text terminal the label would share a line with the middle tick.
set ylabel "row i" offset 0, (dumb ? 2 : 0)
set tics out nomirror front
set xtics 1
set ytics 1
unset key
set size ratio -1
# Values are written in the cells while they fit (up to this many columns).
max_labelled_cols = 12

# One heatmap of the matrix file f: its own symmetric colour range (each
# panel is a different quantity), row 0 at the top as the chapter prints it.
heatmap = "stats f matrix nooutput; cbmax = nonzero(absmax(STATS_min, STATS_max)); eval signed_palette; " . \
    "set xrange [-0.5:STATS_size_x - 0.5]; set yrange [STATS_size_y - 0.5:-0.5]; " . \
    "if (STATS_size_x <= max_labelled_cols) { eval heatmap_plot(f, '') } else { plot f matrix @cells }"

# ---------------------------------------------------------------- X, K, dL/dX, dL/dK
canvas_h = 960
panels = 4
eval set_canvas
set output outfile("chapter5_gradients")
ml = layout(2, 2)
set multiplot layout @ml title "Chapter 5: the running example and the gradients of the convolution layer\n(each panel on its own scale: 0 white, negative blue, positive red)"
set autoscale
f = datafile("chapter5_x.dat"); set title "input X"
@heatmap
set autoscale
f = datafile("chapter5_k.dat"); set title "kernel K"
@heatmap
set autoscale
f = datafile("chapter5_dx.dat"); set title ascii("∂L/∂X (full convolution of ∂L/∂Y with K)", "dL/dX (full convolution of dL/dY with K)")
@heatmap
set autoscale
f = datafile("chapter5_dk.dat"); set title ascii("∂L/∂K = X ⋆ ∂L/∂Y", "dL/dK = X (cross-correlated with) dL/dY")
@heatmap
unset multiplot

# ---------------------------------------------------------------- touch counts
canvas_h = 800
panels = 1
eval set_canvas
set output outfile("chapter5_touch")
f = datafile("chapter5_touch.dat")
set autoscale
stats f matrix nooutput
cbmax = nonzero(STATS_max)
eval count_palette
set xrange [-0.5:STATS_size_x - 0.5]
set yrange [STATS_size_y - 0.5:-0.5]
set cblabel "output windows reading the pixel" offset char 1
set title "How many output windows touch each input pixel\n(border pixels are read by fewer windows, so their gradients sum fewer terms)"
plot f matrix @cells, '' matrix using 1:2:(sprintf('%d', $3)):(label_rgb($3)) @cell_labels
