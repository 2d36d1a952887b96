#!/bin/bash
# smclat analyze against the ground truth of a synthetic trace (smclat-synth --truth): every
# call found and complete, per-call figure counts, means within 0.1% and min/max within the
# histogram's bucket, per-vCPU runstate totals exact (to the ns rounding).
set -u
: "${SMCLAT_BIN:?}"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$SMCLAT_BIN/smclat-synth" --calls 3000 --seed 7 --chunk 4096 --truth "$tmp/truth.json" "$tmp/t.bin" || {
    echo "smclat-synth failed"; exit 1; }
"$SMCLAT_BIN/smclat" analyze --cpu-hz 62.5M --client 2 --mediator 1 --json "$tmp/t.bin" > "$tmp/a.json" || {
    echo "smclat analyze failed"; exit 1; }
python3 - "$tmp/truth.json" "$tmp/a.json" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1])); a = json.load(open(sys.argv[2]))
bad = 0
def check(what, ok, detail):
    global bad
    print(('ok   ' if ok else 'FAIL ') + what + ': ' + detail)
    bad += not ok
c = a['calls']
check('calls', c['complete'] == truth['calls'] and c['incomplete'] == 0,
      '%d complete, %d incomplete, truth %d' % (c['complete'], c['incomplete'], truth['calls']))
check('records', a['records'] == truth['records'], '%d vs %d' % (a['records'], truth['records']))
for k in ('e2e_ns', 'mediator_wake_ns', 'mediator_run_ns', 'client_wake_ns'):
    t, m = truth[k], c[k]
    ok = (m['n'] == t['n'] and abs(m['mean'] - t['mean']) <= 0.001 * t['mean']
          and m['min'] == t['min'] and m['max'] == t['max'])
    check(k, ok, 'n %d/%d mean %.0f/%.0f min %s/%s max %s/%s' % (m['n'], t['n'], m['mean'], t['mean'],
          m['min'], t['min'], m['max'], t['max']))
ours = {(d['domid'], v['vcpu']): v for d in a['domains'] for v in d['vcpus']}
for key, name in (((1, 0), 'd1v0'), ((2, 0), 'd2v0')):
    for st in ('running', 'runnable', 'blocked'):
        want, got = truth[name][st + '_ns'], ours[key]['runstate_ns'][st]
        check('%s %s' % (name, st), abs(want - got) <= 16, '%d vs truth %d ns' % (got, want))
print('analyze-synth: %d failures' % bad)
sys.exit(1 if bad else 0)
PY
