#!/usr/bin/env python3
"""Writes a small RGBA PNG of a handwritten-looking stroke on a transparent background, the kind
of signature image a profile carries. Usage: make_png.py OUT [WIDTH HEIGHT]"""
import math
import struct
import sys
import zlib


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def main():
    out = sys.argv[1]
    w = int(sys.argv[2]) if len(sys.argv) > 2 else 240
    h = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    pixels = [[(0, 0, 0, 0)] * w for _ in range(h)]
    for i in range(w * 4):
        t = i / (w * 4)
        x = int(10 + t * (w - 20))
        y = int(h / 2 + math.sin(t * 14) * h * 0.28 * (1 - t * 0.5))
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                if 0 <= x + dx < w and 0 <= y + dy < h:
                    pixels[y + dy][x + dx] = (20, 40, 160, 255)
    raw = b"".join(b"\x00" + b"".join(struct.pack("4B", *p) for p in row) for row in pixels)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
