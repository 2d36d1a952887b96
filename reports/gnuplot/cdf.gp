# Latency CDF on log axes, one curve per configuration.
# Variables: files (space-separated data files: latency_us, F, 1-F), titles (same order),
#            what (axis label, e.g. "end-to-end latency").
load dir."/common.gp"
set multiplot layout 1,2 title what." distribution"
set logscale x
set xlabel what." (us, log)"
set ylabel "fraction of calls at most x"
set yrange [0:1]
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lw 2 title word(titles,i)
set logscale y
set yrange [*:1]
set ylabel "fraction of calls above x (log)"
plot for [i=1:words(files)] word(files,i) using 1:3 with steps lw 2 title word(titles,i)
unset multiplot
