# Chapter 5: heatmaps of the convolution layer's input, kernel and their
# gradients, and how many output windows touch each input pixel.
# Data: build/chapter5 --plot DIR writes chapter5_{x,k,dx,dk,touch}.dat,
# each a matrix with one row per line.
load 'plots/common.gp'

set palette defined (-1 "#2166ac", 0 "#f7f7f7", 1 "#b2182b")
set yrange [*:*] reverse
set autoscale xfix
set autoscale yfix
set xlabel "column j"
set ylabel "row i"
set tics out nomirror
set xtics 1
set ytics 1
unset key
set size ratio -1
# Each heatmap's colour range is symmetric about 0, so zero is always white;
# the values are written in the cells.


# ---------------------------------------------------------------- X, K, dL/dX, dL/dK
set output outfile("chapter5_gradients")
set multiplot layout 2,2 title "Chapter 5: the running example and the gradients of the convolution layer"

stats datafile("chapter5_x.dat") matrix nooutput
m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)); m = (m > 0 ? m : 1)
set cbrange [-m:m]
set title "input X"
plot datafile("chapter5_x.dat") matrix with image, \
     datafile("chapter5_x.dat") matrix using 1:2:(sprintf('%.2g', $3)) with labels font ',8'

stats datafile("chapter5_k.dat") matrix nooutput
m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)); m = (m > 0 ? m : 1)
set cbrange [-m:m]
set title "kernel K"
plot datafile("chapter5_k.dat") matrix with image, \
     datafile("chapter5_k.dat") matrix using 1:2:(sprintf('%.2g', $3)) with labels font ',8'

stats datafile("chapter5_dx.dat") matrix nooutput
m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)); m = (m > 0 ? m : 1)
set cbrange [-m:m]
set title "∂L/∂X (full convolution of ∂L/∂Y with K)"
plot datafile("chapter5_dx.dat") matrix with image, \
     datafile("chapter5_dx.dat") matrix using 1:2:(sprintf('%.2g', $3)) with labels font ',8'

stats datafile("chapter5_dk.dat") matrix nooutput
m = (abs(STATS_min) > abs(STATS_max) ? abs(STATS_min) : abs(STATS_max)); m = (m > 0 ? m : 1)
set cbrange [-m:m]
set title "∂L/∂K = X ⋆ ∂L/∂Y"
plot datafile("chapter5_dk.dat") matrix with image, \
     datafile("chapter5_dk.dat") matrix using 1:2:(sprintf('%.2g', $3)) with labels font ',8'
unset multiplot

# ---------------------------------------------------------------- touch counts
set output outfile("chapter5_touch")
set palette defined (0 "#ffffff", 1 "#fdae61", 2 "#d7191c")
stats datafile("chapter5_touch.dat") matrix nooutput
set cbrange [0:(STATS_max > 0 ? STATS_max : 1)]
set cblabel "output windows reading the pixel"
set title "How many output windows touch each input pixel\n(border pixels are read by fewer windows, so their gradients sum fewer terms)"
plot datafile("chapter5_touch.dat") matrix with image, \
     datafile("chapter5_touch.dat") matrix using 1:2:(sprintf('%d', $3)) with labels font ',12'
