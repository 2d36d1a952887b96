# Per-call timeline: each call's latency against the time it started.
# Variables: file (t_s latency_us), title, what.
load dir."/common.gp"
set logscale y
set xlabel "time since the first call (s)"
set ylabel what." (us, log)"
set title title
plot file using 1:2 with points pt 7 ps 0.4 lc rgb "#4472c4" notitle
