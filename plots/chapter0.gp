# Chapter 0: the error of four finite-difference derivatives against the
# step h, on log-log axes; one curve per method, with the textbook optimal
# steps u^(1/(p+1)) marked.
# Data (build/chapter0 --plot DIR): chapter0_error.dat, one line per step,
#   h  forward  central  five_point  complex_step   (absolute errors; '-' = not run)
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

set datafile missing "-"
file = datafile("chapter0_error.dat")
# An error of exactly 0 has no place on a log axis: it is drawn on this floor.
floor = 1e-18
clip(e) = (e > floor) ? e : floor
eps = 2.220446049250313e-16

set output outfile("chapter0_error")
set title "Error of f'(x) by finite differences against the step h\n(errors of exactly 0 drawn at 1e-18; the complex step also runs at h = 1e-20 and 1e-100)"
set logscale xy
set format x log_format
set format y log_format
set xtics 100
set xrange [1e-20:1]
set yrange [floor/2:10]
set xlabel "step h"
set ylabel "absolute error |D - f'(x)|"
# Below the axes, so that it hides no point.
set key at screen 0.5, screen 0.015 center bottom horizontal maxrows 1 box
if (dumb) { set key nobox }
set bmargin 6
set grid
set arrow 1 from eps**0.5, graph 0 to eps**0.5, graph 1 nohead dt 2 lc rgb "#1f77b4"
set arrow 2 from eps**(1.0/3), graph 0 to eps**(1.0/3), graph 1 nohead dt 2 lc rgb "#d62728"
set arrow 3 from eps**0.2, graph 0 to eps**0.2, graph 1 nohead dt 2 lc rgb "#2ca02c"
set label 1 "textbook h* (dashed)" at eps**0.5, graph 0.96 right offset -1,0
plot file using 1:(clip($2)) with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "forward (p = 1)", \
     file using 1:(clip($3)) with linespoints lw 2 pt 5 lc rgb "#d62728" title "central (p = 2)", \
     file using 1:(clip($4)) with linespoints lw 2 pt 9 lc rgb "#2ca02c" title "5-point (p = 4)", \
     file using 1:(clip($5)) with linespoints lw 2 pt 13 lc rgb "#9467bd" title "complex step"
unset arrow
unset label
