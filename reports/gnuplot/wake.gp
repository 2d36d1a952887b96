# Mediator wake latency per configuration, side by side: p50, p99 and worst.
# Variables: file (name p50_us p99_us max_us), what.
load dir."/common.gp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set logscale y
set ylabel what." (us, log)"
set xtics rotate by -30
set yrange [*:*]
plot file using 2:xtic(1) title "p50", "" using 3 title "p99", "" using 4 title "worst"
