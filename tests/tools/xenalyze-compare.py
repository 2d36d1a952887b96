#!/usr/bin/env python3
"""Compares smclat analyze --json runstate totals with xenalyze -s on the same trace.

usage: xenalyze-compare.py XENALYZE_OUTPUT SMCLAT_JSON [TOLERANCE_PERCENT]
Prints one line per vCPU and state; exits 1 when a total differs from xenalyze's by more than
the tolerance (default 0.5%) or by more than `count + 1` ticks, whichever is larger, or a count
by more than the tolerance (or 1) (xenalyze
prints the count and the mean in ticks, truncated: count * mean is at most `count` ticks off),
2 on unreadable input, 3 when xenalyze stopped with FATAL (nothing to compare). Idle vCPUs
(d32767) are compared too. Also compares the counts and means of the wake and preempt parts of
runnable (xenalyze's "wake:" and "preempt:" lines) with wake_latency_ns and preempt_wait_ns.
"""
import json
import re
import sys


def parse_xenalyze(path):
    totals = {}  # (domid, vcpu) -> {state: ticks}
    dom = vcpu = None
    row = re.compile(
        r'^\s*(running|runnable|blocked|offline|wake|preempt):\s+(\d+)\s+[\d.]+s\s+(\d+)')
    with open(path, errors='replace') as f:
        for line in f:
            m = re.match(r'^\|-- Domain (\d+) --\|', line)
            if m:
                dom, vcpu = int(m.group(1)), None
                continue
            m = re.match(r'^-- v(\d+) --', line)
            if m and dom is not None:
                vcpu = int(m.group(1))
                totals.setdefault((dom, vcpu), {})
                continue
            if line.startswith('Emulate eip list'):
                vcpu = None
            m = row.match(line)
            if m and vcpu is not None:
                totals[(dom, vcpu)][m.group(1)] = (int(m.group(2)), int(m.group(2)) * int(m.group(3)))
    return totals


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    tol = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    xa = parse_xenalyze(sys.argv[1])
    with open(sys.argv[2]) as f:
        sm = json.load(f)
    hz = sm['cpu_hz']
    ours = {}
    for d in sm['domains']:
        for v in d['vcpus']:
            ours[(d['domid'], v['vcpu'])] = v
    if not xa:
        fatal = [l.strip() for l in open(sys.argv[1], errors='replace') if 'FATAL' in l]
        if fatal:
            # xenalyze gave up on this trace (pCPU streams that start apart, a vCPU first seen
            # mid-state): nothing to compare; smclat must still have produced totals.
            print('skip: xenalyze stopped: %s; smclat: %d vCPUs, %d first-state mismatches'
                  % (fatal[0], len(ours), sm['model']['first_state_mismatches']))
            return 3 if ours else 1
        print('xenalyze printed no vCPU', file=sys.stderr)
        return 2
    bad = 0
    checked = 0
    for key in sorted(xa):
        dom, vcpu = key
        mine = ours.get(key)
        for state in ('running', 'runnable', 'blocked', 'wake', 'preempt'):
            cnt, ref = xa[key].get(state, (0, 0))
            if state in ('wake', 'preempt'):
                st = mine[state + ('_latency_ns' if state == 'wake' else '_wait_ns')] if mine else None
                got = round((st['mean'] or 0) * st['n'] * hz / 1e9) if st else 0
                mine_count = st['n'] if st else '-'
            else:
                got = round(mine['runstate_ns'][state] * hz / 1e9) if mine else 0
                mine_count = mine['runstate_count'][state] if mine else '-'
            diff = abs(got - ref)
            limit = max(tol / 100 * ref, cnt + 1)
            mc = mine_count if isinstance(mine_count, int) else 0
            ok = diff <= limit and abs(mc - cnt) <= max(1, tol / 100 * cnt)
            checked += 1
            pct = 100.0 * diff / ref if ref else 0.0
            print('%s d%dv%d %-8s xenalyze %12d  smclat %12d ticks  diff %.3f%% (count %d vs %s)'
                  % ('ok  ' if ok else 'FAIL', dom, vcpu, state, ref, got, pct, cnt, mine_count))
            bad += not ok
    print('%d totals compared, %d beyond %.2f%%' % (checked, bad, tol))
    return 1 if bad or not checked else 0


if __name__ == '__main__':
    sys.exit(main())
