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

set output outfile("chapter2_bce")
set multiplot layout 1,2 title "Binary cross-entropy of one output: the loss and eq. (1)"
set grid
set key top center box opaque
set xrange [0:1]
set xlabel "prediction ŷ"
set ylabel "L(y, ŷ)"
set yrange [0:6]
set title "the loss L"
plot curves using 1:2 with lines lw 2 lc rgb "#1f77b4" title "y = 0: -log(1-ŷ)", \
     curves using 1:3 with lines lw 2 lc rgb "#d62728" title "y = 1: -log ŷ"
set ylabel "dL/dŷ"
set yrange [-25:25]
set title "its derivative, eq. (1), with central differences"
plot curves using 1:4 with lines lw 2 lc rgb "#1f77b4" title "y = 0: 1/(1-ŷ)", \
     curves using 1:5 with lines lw 2 lc rgb "#d62728" title "y = 1: -1/ŷ", \
     points using 1:4 with points pt 7 ps 1.2 lc rgb "#1f77b4" title "finite differences", \
     points using 1:5 with points pt 7 ps 1.2 lc rgb "#d62728" notitle
unset multiplot

set output outfile("chapter2_logit")
set title "L for y = 0 against the logit z: through ŷ = σ(z) (the article) and in logit form\n(the article's form reads 0 below z = -37 and log 0 above z = 37: those points are missing)"
set logscale y
set format y log_format
set xrange [-50:50]
set yrange [*:*]
set xlabel "logit z"
set ylabel "L(0, σ(z))"
set key top left box opaque
plot datafile("chapter2_logit.dat") using 1:3 with lines lw 4 lc rgb "#aaaaaa" title "logit form: softplus(z)", \
     datafile("chapter2_logit.dat") using 1:2 with points pt 7 ps 0.6 lc rgb "#d62728" title "article: -log(1 - σ(z))"
