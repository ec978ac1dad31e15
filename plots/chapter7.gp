# Chapter 7: the loss curves, the confusion matrix and conv 1's kernels.
# Data from build/chapter7 --plot DIR:
#   chapter7_losses.dat     epoch, train loss, test loss, test accuracy
#   chapter7_confusion.dat  10 x 10 counts, row = true digit, column = predicted
#   chapter7_kernels.dat    one 3 x 3 matrix block per conv 1 kernel (index 0, 1, ...)
#   chapter7_kernels.gp     kernels = C1, ksize = 3
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"
load datafile("chapter7_kernels.gp")

set output outfile("chapter7_losses")
set title "Chapter 7: softmax-CE loss and test accuracy per epoch"
set xlabel "epoch (0 = before training)"
set ylabel "mean cross-entropy"
set y2label "accuracy (%)"
set y2tics
set ytics nomirror
set yrange [0:*]
set y2range [0:100]
set key center right
set grid
plot datafile("chapter7_losses.dat") using 1:2 with linespoints lw 2 pt 7 title "train loss", \
     "" using 1:3 with linespoints lw 2 pt 5 title "test loss", \
     "" using 1:($4*100) axes x1y2 with lines dt 2 lw 2 title "test accuracy (right axis)"
unset y2label
unset y2tics
unset grid

# The confusion matrix: counts, true digit down, prediction across.
set output outfile("chapter7_confusion")
set title "Chapter 7: test confusion matrix (row: true digit, column: prediction)"
set xlabel "predicted digit"
set ylabel "true digit"
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
set xtics 1
set ytics 1
set size ratio -1
set palette defined (0 "white", 1 "#08306b")
set cbrange [0:*]
unset key
plot datafile("chapter7_confusion.dat") matrix with image, \
     "" matrix using 1:2:($3 > 0 ? sprintf("%d", $3) : "") with labels
set size noratio
set autoscale xy
set xtics autofreq
set ytics autofreq

# One colour scale for every kernel, so that their weights compare.
stats datafile("chapter7_kernels.dat") matrix using 3 nooutput
cbmax = nonzero(absmax(STATS_min, STATS_max))
eval signed_palette
cols = int(ceil(sqrt(kernels)))
rows = int(ceil(kernels / real(cols)))
panels = rows * cols
eval set_canvas
set output outfile("chapter7_kernels")
ml = layout(rows, cols)
set multiplot layout @ml title ascii("Chapter 7: the learned kernels K[c] (red positive, blue negative)", "Chapter 7: the learned kernels K[c]")
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
    eval heatmap_plot(datafile("chapter7_kernels.dat"), sprintf("index %d", c))
}
unset multiplot
