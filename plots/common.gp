# Settings shared by every chapter's plot script.
# make plots passes:  term  (png, svg or dumb; PLOT_TERM)
#                     data  (the directory the chapters wrote with --plot)
#                     out   (where images go)
if (!exists("term")) term = "png"
if (!exists("data")) data = "plots/out/data"
if (!exists("out")) out = "plots/out"
if (term eq "svg") {
    set terminal svg size 900,600 enhanced font "Sans,12" background rgb "white"
    ext = ".svg"
} else {
    if (term eq "dumb") {
        set terminal dumb size 100,32
        ext = ""
    } else {
        set terminal pngcairo size 900,600 enhanced font "Sans,11"
        ext = ".png"
    }
}
# outfile("chapter0_error") is the image's path; dumb draws on the terminal (stdout).
outfile(name) = (term eq "dumb") ? "/dev/stdout" : out . "/" . name . ext
# datafile("chapter0.dat") is a data file written by a chapter's --plot.
datafile(name) = data . "/" . name
