#!/usr/bin/env python3
"""Independent helpers for tests: pull signatures out of a PDF without neac's code.

  pdfsigtool.py count FILE                 number of /ByteRange entries
  pdfsigtool.py extract FILE OUTDIR [N]    N-th signature (0-based, default last): writes
                                           OUTDIR/sig.der (the CMS, padding removed) and
                                           OUTDIR/content.bin (the signed byte ranges)
  pdfsigtool.py byterange FILE [N]         prints the four numbers
"""
import os
import re
import sys

BR = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def ranges(data):
    return [tuple(int(x) for x in m.groups()) for m in BR.finditer(data)]


def der_length(blob):
    if len(blob) < 2:
        raise ValueError("CMS too short")
    first = blob[1]
    if first < 0x80:
        return 2 + first
    n = first & 0x7F
    if n == 0:  # indefinite length (BER): keep everything up to the padding
        return len(blob.rstrip(b"\x00"))
    return 2 + n + int.from_bytes(blob[2:2 + n], "big")


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    data = open(path, "rb").read()
    rs = ranges(data)
    if cmd == "count":
        print(len(rs))
        return
    if cmd == "byterange":
        idx = int(sys.argv[3]) if len(sys.argv) > 3 else -1
        print(" ".join(str(x) for x in rs[idx]))
        return
    if cmd == "extract":
        out = sys.argv[3]
        idx = int(sys.argv[4]) if len(sys.argv) > 4 else -1
        a, b, c, d = rs[idx]
        gap = data[a + b:c]
        if not (gap.startswith(b"<") and gap.endswith(b">")):
            sys.exit("gap is not a hex string")
        blob = bytes.fromhex(gap[1:-1].decode())
        os.makedirs(out, exist_ok=True)
        open(os.path.join(out, "sig.der"), "wb").write(blob[:der_length(blob)])
        open(os.path.join(out, "content.bin"), "wb").write(data[a:a + b] + data[c:c + d])
        return
    sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
