# Context switches per call: fraction of calls with each count, one bar per configuration.
# Variables: file (switches, then one column per configuration), titles.
load dir."/common.gp"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.7 border -1
set boxwidth 0.9
set xlabel "context switches during the call"
set ylabel "fraction of calls"
set yrange [0:*]
plot for [i=1:words(titles)] file using (column(i+1)):xtic(1) title word(titles,i)
