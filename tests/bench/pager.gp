# tests/bench/pager.gp — the bar chart of `make bench`: the median of each figure for Nimbus and
# Linux side by side, on a log scale (figures range from a few MiB/s to millions of pages/s).
# A kernel without a figure has no bar (NaN in the data). Called as:
#   gnuplot -e "dat='build/bench/pager.dat'; png='build/bench/pager.png'; nimbus=0|1" pager.gp
# nimbus=0 when Nimbus produced no figure at all: then only Linux is drawn.
set terminal pngcairo size 1200,600 noenhanced font ",10"
set output png
set title "Pager throughput, median of the runs (higher is faster)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set ylabel "rate (unit in the label)"
set xtics rotate by -35 scale 0
set key top right
set rmargin 10
set bmargin 8
set grid ytics
set datafile missing "NaN"
if (nimbus) {
	plot dat using 2:xtic(1) title "Nimbus", "" using 3 title "Linux"
} else {
	plot dat using 3:xtic(1) title "Linux (Nimbus: n/a, see pager.md)"
}
