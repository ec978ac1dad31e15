# Chapter 6: the training curves and the learned kernels.
# Data from build/chapter6 --plot DIR:
#   chapter6_losses.dat   epoch, train loss, test loss, test accuracy, train accuracy
#   chapter6_kernels.dat  one K x K matrix block per kernel (index 0, 1, ...)
#   chapter6_kernels.gp   kernels = C, ksize = K
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"
load datafile("chapter6_kernels.gp")

set output outfile("chapter6_losses")
set title "Chapter 6: BCE loss and accuracy per epoch (SGD)"
set xlabel "epoch (0 = before training)"
set ylabel "mean BCE loss"
set y2label "accuracy (%)"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:100]
set key center right
set grid
plot datafile("chapter6_losses.dat") using 1:2 with linespoints lw 2 pt 7 title "train loss", \
     "" using 1:3 with linespoints lw 2 pt 5 title "test loss", \
     "" using 1:($4*100) axes x1y2 with lines dt 2 lw 2 title "test accuracy (right axis)", \
     "" using 1:($5*100) axes x1y2 with lines dt 3 lw 2 title "train accuracy (right axis)"
unset y2label
unset y2tics
unset grid

# One colour scale for every kernel, so that their weights compare.
stats datafile("chapter6_kernels.dat") matrix using 3 nooutput
cbmax = nonzero(absmax(STATS_min, STATS_max))
eval signed_palette
cols = int(ceil(sqrt(kernels)))
rows = int(ceil(kernels / real(cols)))
panels = rows * cols
eval set_canvas
set output outfile("chapter6_kernels")
ml = layout(rows, cols)
set multiplot layout @ml title ascii("Chapter 6: the learned kernels K[c] (red positive, blue negative)", "Chapter 6: the learned kernels K[c]")
set size ratio -1
set xlabel "kernel column n"
set ylabel "kernel row m"
set xtics 1
set ytics 1
unset key
do for [c = 0:kernels-1] {
    set title sprintf("kernel %d", c)
    # row 0 at the top, as the kernel is printed
    set xrange [-0.5:ksize-0.5]
    set yrange [ksize-0.5:-0.5]
    eval heatmap_plot(datafile("chapter6_kernels.dat"), sprintf("index %d", c))
}
unset multiplot
