#!/usr/bin/env python3
"""Writes a tiny 2-pCPU trace on which xenalyze stops with FATAL (a CONTINUE_RUNNING on pCPU1
of a vCPU that pCPU0 shows running): smclat must count the mismatch and go on.
usage: fatal-trace.py OUT"""
import struct
import sys

def rec(ev, tsc, extra):
    h = ev | (len(extra) << 28) | (1 << 31)
    return struct.pack('<III', h, tsc & 0xffffffff, tsc >> 32) + b''.join(struct.pack('<I', x) for x in extra)
def chunk(cpu, recs):
    body = b''.join(recs)
    return struct.pack('<III', 0x0001f003 | (2 << 28), cpu, len(body)) + body
RS = lambda o, n: 0x00021001 | (o << 8) | (n << 4)
c0 = [rec(0x2800a, 900, [0x7fff, 0, 1, 0]), rec(RS(1,0), 1000, [1 << 16]), rec(0x28004, 1500, [2, 0]), rec(RS(2,1), 1510, [2 << 16]), rec(RS(0,2), 3000, [1 << 16]), rec(0x28004, 5000, [3,0])]
c1 = [rec(0x28004, 100, [3, 0]), rec(RS(1,0), 2000, [2 << 16]), rec(0x21002, 2500, [1 << 16]), rec(RS(0, 2), 4000, [2 << 16]), rec(0x28004, 6000, [3,0])]
open(sys.argv[1], 'wb').write(chunk(0, c0) + chunk(1, c1))
