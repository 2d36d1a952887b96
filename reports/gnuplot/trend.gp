# One metric's trend over a regression history: value per run, the newest marked.
# Variables: file (index commit value), metric, unit; optional cpfile (smclat regress's change
# points: index 0 "run commit" per change point, index 1 "first_run last_run median" per segment
# between them): a dashed line before each change point's first run, its commit on top, and each
# segment's median as a flat line; optional cptics ('("commit" run, ...)', the change points).
# Commit ids label every run when there are at most 20, else the axis counts runs and the change
# points carry their commits.
load dir."/common.gp"
set xlabel "run (commit)"
set ylabel metric." (".unit.")"
set xtics rotate by -45
set yrange [0:*]
set key off
set autoscale xfix
set offsets 0.5, 0.5, 0, 0
stats file using 1 nooutput
last = STATS_records - 1
few = STATS_records <= 20
stats file using 3 nooutput
ymax = STATS_max > 0 ? STATS_max * 1.15 : 1
# commit ids on the axis: every run's when few, else run numbers and the change points' commits
main = few ? "1:3:xtic(2)" : "1:3"
# cptics: '("commit" run, ...)' of the change points, added to the run numbers past 20 runs
if (!few && exists("cptics")) { eval("set xtics add ".cptics) }
if (!exists("cpfile") || cpfile eq "") {
    plot file using @main with linespoints pt 7 lw 2 lc rgb "#4472c4", \
         file using 1:3 every ::last::last with points pt 7 ps 2 lc rgb "red"
} else {
    set yrange [0:ymax]
    plot file using @main with linespoints pt 7 lw 2 lc rgb "#4472c4", \
         file using 1:3 every ::last::last with points pt 7 ps 2 lc rgb "red", \
         cpfile index 1 using ($1 - 0.3):3:($2 - $1 + 0.6):(0) with vectors nohead lw 3 lc rgb "#2e7d32", \
         cpfile index 0 using ($1 - 0.5):(0):(0):(ymax) with vectors nohead dt 2 lw 2 lc rgb "#e07000", \
         cpfile index 0 using ($1 - 0.5):(ymax * 0.97):2 with labels left offset 0.3,0 tc rgb "#e07000"
}
