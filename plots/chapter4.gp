# Chapter 4: where max pooling sends the gradient.
# Each image shows the input X twice, each cell labelled with its value:
# left coloured by how many windows pick the cell (the mask summed over
# windows), right by the gradient routed to it.
# Data (build/chapter4 --plot DIR): one line per cell,
#   column  row  x  windows_picking  dL/dX
load 'plots/common.gp'

set size ratio -1
set xlabel "column j"
set ylabel "row i"
set xtics 1
set ytics 1
set key off

do for [example in "main overlap"] {
    file = datafile("chapter4_" . example . ".dat")
    what = (example eq "main") ? "this run's input (default: the article's feature map, G from chapter 3)" \
                               : "the overlap example [1 2 1; 1 9 1], 2x2 window, stride 1, G = [3 5]"
    # stats obeys the axis ranges, so measure everything before setting them.
    set autoscale
    stats file using 4 nooutput
    most = STATS_max > 1 ? STATS_max : 1
    stats file using 5 nooutput
    lim = (abs(STATS_min) > abs(STATS_max)) ? abs(STATS_min) : abs(STATS_max)
    if (lim == 0) { lim = 1 }
    stats file using 1:2 nooutput
    set xrange [-0.5:STATS_max_x + 0.5]
    set yrange [STATS_max_y + 0.5:-0.5]
    set output outfile("chapter4_" . example)
    set multiplot layout 1,2 title "Max pooling backward pass: " . what
    set title "windows whose maximum is each cell"
    set cblabel "windows picking the cell"
    set rmargin 12
    set cbrange [0:most]
    set cbtics 1
    set palette defined (0 "white", 1 "#9ecae1", 2 "#4292c6")
    plot file using 1:2:4 with image, \
         '' using 1:2:(sprintf("x=%g\n%g win.", $3, $4)) with labels font ",9"
    set title "routed gradient dL/dX"
    set cblabel "dL/dX"
    set cbrange [-lim:lim]
    set cbtics autofreq
    set palette defined (-1 "#ef8a62", 0 "white", 1 "#67a9cf")
    plot file using 1:2:5 with image, \
         '' using 1:2:(sprintf("x=%g\n%.3g", $3, $5)) with labels font ",9"
    unset multiplot
}
