# Chapter 2: binary cross-entropy for one output (n = 1).
#   chapter2_bce: L and dL/dyhat (eq. 1) against yhat for y = 0 and y = 1,
#                 the analytic curves with central-difference points on them.
#   chapter2_logit: L against the logit z for y = 0, computed the article's
#                 way (through yhat = sigmoid(z)) and in logit form.
# Data (build/chapter2 --plot DIR):
#   chapter2_curves.dat  yhat  L(y=0)  L(y=1)  dL/dyhat(y=0)  dL/dyhat(y=1)
#   chapter2_points.dat  yhat  L(y=0)  L(y=1)  numerical dL/dyhat(y=0)  (y=1)
#   chapter2_logit.dat   z  L(article)  L(logit form)   ('-' = not finite or 0)
dirof(p, i) = (i < 1) ? "." : (p[i:i] eq "/") ? p[1:i-1] : dirof(p, i - 1)
load dirof(ARG0, strlen(ARG0)) . "/common.gp"

set datafile missing "-"
curves = datafile("chapter2_curves.dat")
points = datafile("chapter2_points.dat")
# The text terminal counts bytes, not characters: it gets "yhat" for ŷ.
yhat = ascii("ŷ", "yhat")
sigma = ascii("σ", "sigmoid")

panels = 2
eval set_canvas
set output outfile("chapter2_bce")
ml = layout(1, 2)
set multiplot layout @ml title "Binary cross-entropy of one output: the loss and eq. (1)"
set grid
if (dumb) { set key top center nobox } else { set key top center box opaque }
set xrange [0:1]
set xlabel "prediction " . yhat
set ylabel "L(y, " . yhat . ")"
set yrange [0:6]
set title "the loss L"
plot curves using 1:2 with lines lw 2 lc rgb "#1f77b4" title "y = 0: -log(1-" . yhat . ")", \
     curves using 1:3 with lines lw 2 lc rgb "#d62728" title "y = 1: -log " . yhat
set ylabel "dL/d" . yhat
set yrange [-25:25]
set title "its derivative, eq. (1), with central differences"
plot curves using 1:4 with lines lw 2 lc rgb "#1f77b4" title "y = 0: 1/(1-" . yhat . ")", \
     curves using 1:5 with lines lw 2 lc rgb "#d62728" title "y = 1: -1/" . yhat, \
     points using 1:4 with points pt 7 ps 1.2 lc rgb "#1f77b4" title "finite differences", \
     points using 1:5 with points pt 7 ps 1.2 lc rgb "#d62728" notitle
unset multiplot

panels = 1
eval set_canvas
set output outfile("chapter2_logit")
set title ascii("L for y = 0 against the logit z: through ŷ = σ(z) (the article) and in logit form\n(the article's form reads 0 below z = -37 and log 0 above z = 37: those points are missing)", \
                "L for y = 0 against the logit z: through yhat = sigmoid(z) (the article)\nand in logit form (the article's form has no points below -37, above 37)")
set logscale y
set format y log_format
set xrange [-50:50]
set yrange [*:*]
set xlabel "logit z"
set ylabel "L(0, " . sigma . "(z))"
# Bottom right is empty on the text terminal, whose points are larger.
if (dumb) { set key bottom right nobox } else { set key top left box opaque }
plot datafile("chapter2_logit.dat") using 1:3 with lines lw 4 lc rgb "#aaaaaa" title "logit form: softplus(z)", \
     datafile("chapter2_logit.dat") using 1:2 with points pt 7 ps 0.6 lc rgb "#d62728" title "article: -log(1 - " . sigma . "(z))"
