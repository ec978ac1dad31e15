# Chapter 4: where max pooling sends the gradient.
# Each image shows the input X twice, each cell labelled with its value, and
# every pooling window outlined: left coloured by how many windows pick the
# cell (the mask summed over windows), right by the gradient routed to it.
# Data (build/chapter4 --plot DIR):
#   chapter4_E.dat          one line per cell: column row x windows_picking dL/dX
#   chapter4_E_windows.dat  one line per window: first_column first_row
#                           last_column last_row dL/dY
# for E = main (this run's input) and overlap (the example of 4.5).
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

set size ratio -1
set xlabel "column j"
# On the text terminal the label would share a line with the middle tick.
set ylabel "row i" offset 0, (dumb ? 2 : 0)
set xtics 1 out nomirror
set ytics 1 out nomirror
set key off
set tics front
# Window k's outline is inset by a little more than window k-1's, so that
# overlapping windows stay distinct; colours cycle through these.
# (dark enough to show on white, red and blue cells).
array WINDOW_RGB[6] = [0x1b9e77, 0xd95f02, 0x7570b3, 0xe7298a, 0x66a61e, 0xa6761d]
window_rgb(k) = WINDOW_RGB[int(k) % 6 + 1]
inset(k) = 0.06 + 0.05 * (int(k) % 4)
# Window k's outline runs from lo(first, k) to hi(last, k) on each axis.
lo(first, k) = first - 0.5 + inset(k)
hi(last, k) = last + 0.5 - inset(k)
window_edges = "windows using (lo($1,$0)):(lo($2,$0)):(hi($3,$0)-lo($1,$0)):(0):(window_rgb($0)) with vectors nohead lw 3 lc rgb variable, " . \
    "'' using (lo($1,$0)):(hi($4,$0)):(hi($3,$0)-lo($1,$0)):(0):(window_rgb($0)) with vectors nohead lw 3 lc rgb variable, " . \
    "'' using (lo($1,$0)):(lo($2,$0)):(0):(hi($4,$0)-lo($2,$0)):(window_rgb($0)) with vectors nohead lw 3 lc rgb variable, " . \
    "'' using (hi($3,$0)):(lo($2,$0)):(0):(hi($4,$0)-lo($2,$0)):(window_rgb($0)) with vectors nohead lw 3 lc rgb variable"

example = "main"
load plots_dir . "/chapter4_panels.gpi"
example = "overlap"
load plots_dir . "/chapter4_panels.gpi"
