# Chapter 4's two panels for one example (loaded by chapter4.gp with
# example = "main" or "overlap"; a file of its own because gnuplot expands
# @macros only outside loops). Not a chapter script: render.sh skips it.
file = datafile("chapter4_" . example . ".dat")
windows = datafile("chapter4_" . example . "_windows.dat")
what = (example eq "main") ? "this run's input (default: the article's feature map, G from chapter 3)" \
                           : "the overlap example [1 2 1; 1 9 1], 2x2 window, stride 1, G = [3 5]"
# stats obeys the axis ranges, so measure everything before setting them.
set autoscale
stats file using 4 nooutput
most = nonzero(STATS_max)
stats file using 5 nooutput
lim = nonzero(absmax(STATS_min, STATS_max))
stats file using 1:2 nooutput
cols = STATS_max_x + 1
rows = STATS_max_y + 1
set xrange [-0.5:cols - 0.5]
set yrange [rows - 0.5:-0.5]
# Fit the canvas to the picture: two panels side by side, each about
# 500 px wide, plus room for the titles and the colour bars.
canvas_h = int(260 + 500.0 * rows / cols)
canvas_h = (canvas_h > 1000) ? 1000 : canvas_h
eval set_canvas
set output outfile("chapter4_" . example)
set multiplot layout 1,2 title "Max pooling backward pass: " . what . "\nevery pooling window outlined"
set title "how many windows pick each cell (their maximum)"
set cblabel "windows" offset char 1
cbmax = most
eval count_palette
plot file using 1:2:($1-0.5):($1+0.5):($2-0.5):($2+0.5):4 with boxxy fc palette fs solid 1.0 border lc rgb '#808080', \
     @window_edges, \
     file using 1:2:(sprintf("x = %g\n%d window%s", $3, $4, $4 == 1 ? "" : "s")):(label_rgb($4)) @cell_labels
set title "the routed gradient dL/dX (G: each window's dL/dY)"
set cblabel "dL/dX" offset char 1
cbmax = lim
eval signed_palette
plot file using 1:2:($1-0.5):($1+0.5):($2-0.5):($2+0.5):5 with boxxy fc palette fs solid 1.0 border lc rgb '#808080', \
     @window_edges, \
     windows using (lo($1, $0)):(lo($2, $0)):(sprintf("G = %.3g", $5)):(window_rgb($0)) \
       with labels left offset char 0.5,-0.7 tc rgb variable font ",12", \
     file using 1:2:(sprintf("x = %g\n%.3g", $3, $5)):(label_rgb($5)) @cell_labels
unset multiplot
