# One metric's trend over a regression history: value per run, the newest marked.
# Variables: file (index commit value), metric, unit.
load dir."/common.gp"
set xlabel "run (commit)"
set ylabel metric." (".unit.")"
set xtics rotate by -45
set yrange [0:*]
set key off
stats file using 1 nooutput
last = STATS_records - 1
plot file using 1:3:xtic(2) with linespoints pt 7 lw 2 lc rgb "#4472c4", \
     file using 1:3 every ::last::last with points pt 7 ps 2 lc rgb "red"
