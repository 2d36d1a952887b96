#!/bin/bash
# smclat report on results folders with known content: summary rows, plot data, plots, HTML;
# bad input gives a one-line error and exit 2.
. "$(dirname "$0")/report-lib.sh"

make_results "$T/res/a" cfg-a 100 1000    # e2e 1000..100000 ns
make_results "$T/res/b" cfg-b 200 2000    # e2e 2000..400000 ns
printf '{"xen": {"version": "4.17.5+72-g01140da4e8-1", "build": "source"}}' > "$T/res/b/metadata.json"
expect_rc 0 "$SMCLAT" report "$T/res" -o "$T/rep"
# which Xen each configuration ran on (metadata.json), side by side
expect_grep '<td>source 4\.17\.5\+72-g01140da4e8-1</td></tr>' "$T/rep/index.html" "cfg-b's Xen build in the table"
expect_grep '"build": "source"' "$T/rep/summary.json" "cfg-b's Xen build in summary.json"
# an smp-mode run whose boot shared the host with other work (run.json host): said
expect_eq "$(jq -c '[.configurations[] | [.host_other_share, .loaded_host]]' "$T/rep/summary.json")" \
    '[[null,false],[null,false]]' "no run.json: no host, not loaded"
printf '{"mode": "smp", "host": {"cpus": 2, "other_share": 0.59}}' > "$T/res/b/run.json"
printf '{"mode": "smp", "host": {"cpus": 2, "other_share": 0.1}}' > "$T/res/a/run.json"
expect_rc 0 "$SMCLAT" report "$T/res" -o "$T/rep-host" --no-plots
expect_eq "$(jq -c '[.configurations[] | [.host_other_share, .loaded_host]]' "$T/rep-host/summary.json")" \
    '[[0.1,false],[0.59,true]]' "summary.json: each run's host share, the loaded one"
expect_grep '^warning: cfg-b: other work took 59% of the host.s CPUs during its smp-mode boot' "$T/err" \
    "a loaded smp run: the warning on stderr"
expect_grep 'cfg-b: other work took 59% of the host.s CPUs during its smp-mode boot' "$T/rep-host/index.html" \
    "a loaded smp run: a note in the HTML"
expect_eq "$(grep -c 'cfg-a.*other work took' "$T/rep-host/index.html")" 0 "a quiet smp run: no note"
rm -f "$T/res/a/run.json" "$T/res/b/run.json"
s=$T/rep/summary.csv
expect_eq "$(wc -l < "$s")" 3 "summary.csv lines"
expect_grep '^cfg-a,0,calls-trace.csv,100,1000,50500,50500,' "$s" "cfg-a: calls, min, mean, p50 (GSL interpolation)"
expect_grep '^cfg-b,0,calls-trace.csv,200,2000,201000,201000,' "$s" "cfg-b: calls, min, mean, p50"
expect_grep ',100000,1,1000,2000,3000,4,5,' "$s" "cfg-a: max, incomplete, mediator wake from analysis.json, switches"
# the JSON says the same
j=$T/rep/summary.json
expect_grep '"e2e_p50_ns": 50500' "$j" "summary.json p50 of cfg-a"
# plot data: one CDF row per distinct value ending at fraction 1, histogram counts sum to n
expect_eq "$(grep -vc '^#' "$T/rep/data/cfg-a.cdf.dat")" 100 "cfg-a CDF rows"
expect_eq "$(tail -1 "$T/rep/data/cfg-a.cdf.dat" | awk '{print $1, $2}')" "100.000 1.000000" "cfg-a CDF last point (us, fraction)"
expect_eq "$(awk '!/^#/ { s += $3 } END { print s }' "$T/rep/data/cfg-b.hist.dat")" 200 "cfg-b histogram total"
expect_eq "$(grep -vc '^#' "$T/rep/data/cfg-b.timeline.dat")" 200 "cfg-b timeline rows"
# switches = 3 + i % 3: 34 of cfg-a's 100 calls and 67 of cfg-b's 200 have 3
expect_eq "$(awk '!/^#/ && $1 == 3 { print $2, $3 }' "$T/rep/data/switches.dat")" "0.340000 0.335000" "switches.dat row for 3 switches"
expect_grep '^cfg-a 1\.000 2\.000 3\.000$' "$T/rep/data/wake.dat" "wake.dat row of cfg-a (us)"
# the HTML table and the plots
expect_grep '<td>cfg-b</td><td>200</td><td>2.0</td><td>201.0</td>' "$T/rep/index.html" "HTML row of cfg-b"
if command -v gnuplot > /dev/null; then
    for p in cdf wake switches hist-cfg-a timeline-cfg-b; do
        [ -s "$T/rep/$p.png" ] && [ -s "$T/rep/$p.svg" ] && ok "$p.png and $p.svg" || fail "$p plots missing"
    done
    expect_grep "cfg-b" "$T/rep/cdf.svg" "the CDF's SVG names cfg-b's curve"
    expect_grep 'worst 400.0 us' "$T/rep/hist-cfg-b.svg" "the histogram marks the worst case"
else
    fail "gnuplot missing (scripts/deps.sh report)"
fi
# a long run: the CDF is thinned to about 5000 points but keeps the last (the worst call)
make_results "$T/long" long 12000 1000
expect_rc 0 "$SMCLAT" report "$T/long" -o "$T/rep-long" -q --no-plots
rows=$(grep -vc '^#' "$T/rep-long/data/long.cdf.dat")
[ "$rows" -ge 5000 ] && [ "$rows" -le 6001 ] && ok "thinned CDF: $rows rows" || fail "thinned CDF: $rows rows"
expect_eq "$(tail -1 "$T/rep-long/data/long.cdf.dat" | awk '{print $1, $2}')" "12000.000 1.000000" "thinned CDF ends at the worst call"

# --no-plots: data only
expect_rc 0 "$SMCLAT" report "$T/res/a" -o "$T/rep2" --no-plots -q
[ ! -e "$T/rep2/cdf.png" ] && ok "no plots with --no-plots" || fail "plots drawn with --no-plots"

# the analyzer's own columns (docs/analyze.md): window start in ticks, switches by kind
mkdir -p "$T/an"
printf '[scenario]\nname = an\n' > "$T/an/scenario.ini"
echo '{"smclat_analyze": 1, "cpu_hz": 62500000, "partial": false}' > "$T/an/analysis.json"
{ echo "index,shape,reason,client_pcpu,t_client_block,e2e_ns,mediator_wake_ns,sw_client,sw_mediator,sw_idle,sw_other"
  echo "0,textbook,complete,0,62500000,100000,5000,1,1,1,1"
  echo "1,textbook,complete,0,68750000,200000,6000,1,2,0,0"
  echo "2,,client_never_blocked,0,75000000,,,1,,0,0"; } > "$T/an/calls-trace.csv"
expect_rc 0 "$SMCLAT" report "$T/an" -o "$T/rep-an" -q --no-plots
expect_eq "$(grep -v '^#' "$T/rep-an/data/an.timeline.dat" | tr '\n' ' ')" "0.000000 100.000 0.100000 200.000 " "timeline from ticks at cpu_hz (incomplete call left out)"
expect_grep '^an,0,calls-trace.csv,2,100000,150000,150000,.*,3.500,4,' "$T/rep-an/summary.csv" "switches = sum of sw_* columns"

# with the real analyzer in this build: the whole path from a real trace
if "$SMCLAT" analyze --help > /dev/null 2>&1; then
    mkdir -p "$T/real"
    cp "$SHARED/traces/evping-100hz-icount/t3.bin" "$T/real/trace.bin"
    expect_rc 0 "$SMCLAT" analyze --cpu-hz 62.5M --client 2 --mediator 1 --json --calls-csv "$T/real/calls-trace.csv" "$T/real/trace.bin"
    cp "$T/out" "$T/real/analysis.json"
    expect_rc 0 "$SMCLAT" report "$T/real" -o "$T/rep-real" -q --no-plots
    calls=$(awk -F, 'NR == 2 { print $4 }' "$T/rep-real/summary.csv")
    [ "${calls:-0}" -ge 400 ] && ok "real trace: $calls calls with a latency" || fail "real trace: $calls calls"
else
    echo "skipped: this smclat has no analyze (the analyzer is not merged yet)"
fi

# partial results are marked
make_results "$T/res/p" cfg-p 10 1000
sed -i 's/"partial": false/"partial": true/' "$T/res/p/analysis.json"
expect_rc 0 "$SMCLAT" report "$T/res/p" -o "$T/rep3" -q --no-plots
expect_grep '^cfg-p,1,' "$T/rep3/summary.csv" "partial run marked in the CSV"
expect_grep 'cfg-p \(partial\)' "$T/rep3/index.html" "partial run marked in the HTML"

# bad input: exit 2, one line naming the file and where
mkdir -p "$T/bad1" && echo '{"smclat_analyze": 1,' > "$T/bad1/analysis.json"
expect_rc 2 "$SMCLAT" report "$T/bad1" -o "$T/x"
expect_grep "^smclat: $T/bad1/analysis.json: line [0-9]+ column [0-9]+: " "$T/err" "broken JSON: file, line, column"
expect_eq "$(wc -l < "$T/err")" 1 "one line of error"
make_results "$T/bad2" b 5 1000
sed -i '4s/.*/3,1030000000,12x,3,5/' "$T/bad2/calls-trace.csv"
expect_rc 2 "$SMCLAT" report "$T/bad2" -o "$T/x"
expect_grep "^smclat: $T/bad2/calls-trace.csv:4: e2e_ns: expected a number, found '12x'$" "$T/err" "bad number: file, line, column name"
make_results "$T/bad3" b 5 1000
sed -i '4s/.*/3,1030000000,inf,3,5/' "$T/bad3/calls-trace.csv"
expect_rc 2 "$SMCLAT" report "$T/bad3" -o "$T/x"
expect_grep "^smclat: $T/bad3/calls-trace.csv:4: e2e_ns: expected a number, found 'inf'$" "$T/err" "infinite value refused"
mkdir -p "$T/empty"
expect_rc 2 "$SMCLAT" report "$T/empty"
expect_grep "expected a results folder .* or a folder of them, found none" "$T/err" "no results folder"
expect_rc 2 "$SMCLAT" report
finish
