# Chapter 3: the loss along the negative gradient, L(θ − η g), against the
# step η (log axis), with the first-order prediction L − η‖g‖², the
# curvature bound L − η‖g‖² + Mη²‖g‖²/2 that guarantees descent up to
# η = 1/M, and, in red, where the step overshoots (L above L(0)).
# Data (build/chapter3 --plot DIR):
#   chapter3_descent.dat  eta  L  first_order  bound  L_if_above_L0 ('-' otherwise)
#   chapter3_marks.dat    eta  L  label: L(0) (eta = 0), 1/M and this run's --lr
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

set datafile missing "-"
file = datafile("chapter3_descent.dat")
marks = datafile("chapter3_marks.dat")
stats marks using 2 every ::0::0 nooutput
L0 = STATS_max
stats marks using 1 every ::1::1 nooutput
safe = STATS_max
stats marks using 1 every ::2::2 nooutput
lr = STATS_max

set output outfile("chapter3_descent")
set title "Loss along -g against the step: L(0) dashed; the first-order line and the bound hold up to 1/M"
set logscale x
set format x "10^{%L}"
set xlabel "step η"
set ylabel "loss L(θ − η g)"
set yrange [0:2.2 * L0]
set grid
# Inside, top left, where the curves have not come yet: below the plot its two
# columns sat on either side of the x label. The text terminal keeps it below
# (a boxed key there is cut by the grid), where the label has its own line.
if (dumb) { set key below } else { set key inside top left opaque box samplen 2 width -3 }
set arrow 1 from graph 0, first L0 to graph 1, first L0 nohead dt 2 lc rgb "#555555"
set arrow 2 from safe, graph 0 to safe, graph 1 nohead dt 3 lw 2 lc rgb "#2ca02c"
set arrow 3 from lr, graph 0 to lr, graph 1 nohead dt 3 lw 2 lc rgb "#1f77b4"
set label 1 "1/M" at safe, graph 0.06 right offset -0.5,0 tc rgb "#2ca02c"
set label 2 "--lr" at lr, graph 0.06 left offset 0.5,0 tc rgb "#1f77b4"
plot file using 1:2 with lines lw 3 lc rgb "black" title "L(θ − η g)", \
     file using 1:3 with lines lw 2 dt 2 lc rgb "#1f77b4" title "first order: L − η‖g‖²", \
     file using 1:4 with lines lw 2 dt 4 lc rgb "#2ca02c" title "bound: L − η‖g‖² + Mη²‖g‖²/2", \
     file using 1:($2 > L0 ? $2 : 1/0) with lines lw 5 lc rgb "#d62728" title "overshoot: L above L(0)"
unset arrow
unset label
unset logscale x
set format x "% h"
set yrange [*:*]
