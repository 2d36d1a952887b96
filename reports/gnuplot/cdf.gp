# Latency CDF on log axes, one curve per configuration: above, the CDF (log x); below, the
# tail (fraction of calls above x, log-log). The legend sits in the CDF's empty lower right.
# Variables: files (space-separated data files: value_us, F, 1-F), titles (same order),
#            what (axis label, e.g. "end-to-end latency").
load dir."/common.gp"
if (term eq "svg") {
    set terminal svg size 900,900 dynamic font "sans,12" background "white"
} else {
    set terminal pngcairo size 900,900 font "sans,10"
}
set output out
set multiplot layout 2,1 title what." distribution"
set logscale x
set xlabel what." (us, log)"
set ylabel "fraction of calls at most x"
set yrange [0:1]
set key inside bottom right font ",9" spacing 0.9 box opaque
plot for [i=1:words(files)] word(files,i) using 1:2 with steps lw 2 title word(titles,i)
set logscale y
set yrange [*:1]
set ylabel "fraction of calls above x (log)"
unset key
plot for [i=1:words(files)] word(files,i) using 1:3 with steps lw 2 title word(titles,i)
unset multiplot
