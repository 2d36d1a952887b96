# Latency histogram (log-spaced bins) with the worst case marked.
# Variables: file (bin_lo_us bin_hi_us calls), title, worst (us), what.
load dir."/common.gp"
set logscale x
set xlabel what." (us, log)"
set ylabel "calls"
set yrange [0:*]
set style fill solid 0.6 border -1
set arrow 1 from worst, graph 0 to worst, graph 0.9 nohead lc rgb "red" lw 2 dt 2
set label 1 sprintf("worst %.1f us", worst) at worst, graph 0.93 right tc rgb "red"
set title title
plot file using (sqrt($1*$2)):($3/2):1:2:(0):3 with boxxyerror lc rgb "#4472c4" notitle
