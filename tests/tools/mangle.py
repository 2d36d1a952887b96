#!/usr/bin/env python3
"""Writes mangled copies of a xentrace file, for tests/e2e/mangled.sh.

usage: mangle.py TRACE OUTDIR SEED [TRACE2]

Walks the file's chunk structure (TRACE_CPU_CHANGE headers: pCPU, bytes of records) and
writes, into OUTDIR, copies cut or damaged where a reader is most likely to go wrong. Prints
one line per copy: `NAME KIND`, where KIND is `trunc` (the file was cut: a reader that exits 0
must say the result is partial), `damaged` (anything may happen but a crash), `whole` (the
copy is a complete trace: it must be read without error) or `tsc` (one timestamp made absurd:
the trace's duration must not change).
"""
import os
import random
import struct
import sys

CPU_CHANGE = 0x0001F003


def chunks(data):
    """(offset of the header, header size, offset after the chunk) of every whole chunk."""
    out, off = [], 0
    while off + 4 <= len(data):
        (h,) = struct.unpack_from("<I", data, off)
        if h & 0x0FFFFFFF != CPU_CHANGE:
            break
        hsz = 4 + (8 if h >> 31 else 0) + 4 * ((h >> 28) & 7)
        if off + hsz > len(data):
            break
        (nbytes,) = struct.unpack_from("<I", data, off + hsz - 4)
        end = off + hsz + nbytes
        if end > len(data):
            break
        out.append((off, hsz, end))
        off = end
    return out


def main():
    src, outdir, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    other = sys.argv[4] if len(sys.argv) > 4 else None
    rnd = random.Random(seed)
    data = open(src, "rb").read()
    ch = chunks(data)
    if len(ch) < 3:
        sys.exit("mangle.py: %s: fewer than 3 chunks" % src)
    made = []

    def put(name, kind, blob):
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(blob)
        made.append((name, kind))

    # Truncations: inside the first and a middle chunk header, inside a record (not on a
    # word boundary and on one), exactly at a chunk boundary, and at random offsets.
    mid = ch[len(ch) // 2]
    put("cut-hdr0.bin", "trunc", data[:6])
    put("cut-hdr-mid.bin", "trunc", data[: mid[0] + 6])
    put("cut-hdr-mid-word.bin", "trunc", data[: mid[0] + 8])
    put("cut-rec-odd.bin", "trunc", data[: mid[0] + mid[1] + 10])
    put("cut-rec-word.bin", "trunc", data[: mid[0] + mid[1] + 8])
    put("cut-boundary.bin", "whole", data[: mid[0]])
    for i in range(6):
        put("cut-rand%d.bin" % i, "trunc", data[: rnd.randrange(1, len(data))])

    # Bit flips at random positions: one per copy, then many in one copy.
    for i in range(8):
        b = bytearray(data)
        pos = rnd.randrange(len(b))
        b[pos] ^= 1 << rnd.randrange(8)
        put("flip%d.bin" % i, "damaged", bytes(b))
    b = bytearray(data)
    for _ in range(64):
        b[rnd.randrange(len(b))] ^= 1 << rnd.randrange(8)
    put("flip-many.bin", "damaged", bytes(b))
    # Bit flips in chunk headers only (cpu and size words).
    for i in range(3):
        b = bytearray(data)
        off, hsz, _ = ch[rnd.randrange(len(ch))]
        pos = off + rnd.randrange(4, hsz)
        b[pos] ^= 1 << rnd.randrange(8)
        put("flip-hdr%d.bin" % i, "damaged", bytes(b))

    # A high bit of one timestamp flipped (bit 30 of its upper word), in the middle of a chunk:
    # kind `tsc`, the analysis must give the undamaged trace's duration.
    b = bytearray(data)
    pos, seen = mid[0] + mid[1], 0
    while pos + 12 <= mid[2]:
        (h,) = struct.unpack_from("<I", b, pos)
        if h >> 31:
            seen += 1
            if seen == 5:
                b[pos + 11] ^= 0x40
                put("tsc-high.bin", "tsc", bytes(b))
                break
        pos += 4 + (8 if h >> 31 else 0) + 4 * ((h >> 28) & 7)

    # A chunk header's size field made huge (first and middle chunk).
    for name, c in (("huge-first.bin", ch[0]), ("huge-mid.bin", mid)):
        b = bytearray(data)
        struct.pack_into("<I", b, c[0] + c[1] - 4, 0xFFFFFFF0)
        put(name, "trunc", bytes(b))

    # Zero-filled regions: inside the records of a chunk, and across a chunk header.
    b = bytearray(data)
    start = mid[0] + mid[1] + 64
    b[start : start + 512] = bytes(min(512, len(b) - start))
    put("zeros-records.bin", "damaged", bytes(b))
    b = bytearray(data)
    start = max(0, mid[0] - 256)
    b[start : start + 512] = bytes(min(512, len(b) - start))
    put("zeros-header.bin", "damaged", bytes(b))

    # Chunks swapped (whole chunks, so the structure stays valid): first two, two middle ones.
    def swap(i, j):
        a, c = ch[i], ch[j]
        return data[: a[0]] + data[c[0] : c[2]] + data[a[2] : c[0]] + data[a[0] : a[2]] + data[c[2] :]

    put("swap-first.bin", "whole", swap(0, 1))
    put("swap-mid.bin", "whole", swap(len(ch) // 2, len(ch) // 2 + 2))

    # Two traces concatenated (the same one twice, and with another trace).
    put("concat-self.bin", "whole", data + data)
    if other:
        put("concat-other.bin", "whole", data + open(other, "rb").read())
    put("empty.bin", "damaged", b"")

    for name, kind in made:
        print(name, kind)


if __name__ == "__main__":
    main()
