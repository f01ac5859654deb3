#!/usr/bin/env python3
"""Draws the effect's 16x16 menu icon: make-icon.py icon.png [preview.png]. No dependencies."""
import zlib, struct, math, sys
def png(w, h, px, path):
    raw = b''.join(b'\x00' + bytes(sum((px[y][x] for x in range(w)), ())) for y in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    open(path, 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 6, 0, 0, 0)) + chunk(b'IDAT', zlib.compress(raw, 9)) + chunk(b'IEND', b''))
N = 16
px = [[(0, 0, 0, 0)] * N for _ in range(N)]
for y in range(N):
    for x in range(N):
        # a photo with rounded corners: warm sky above a hill, the sky turning from blue to sunset orange
        r = 2.0
        cx, cy = min(max(x + .5, r), N - r), min(max(y + .5, r), N - r)
        if math.hypot(x + .5 - cx, y + .5 - cy) > r: continue
        hill = 10.5 - 2.5 * math.sin((x + 2) / N * math.pi)
        if y + .5 > hill:
            t = (y - hill) / (N - hill)
            px[y][x] = (int(60 - 25 * t), int(140 - 40 * t), int(60 - 20 * t), 255)
        else:
            t = x / (N - 1)   # blue on the left, painted orange on the right
            s = y / hill
            blue = (90 + 40 * s, 150 + 40 * s, 230)
            orange = (250, 140 + 60 * s, 60 + 40 * s)
            k = min(1, max(0, (t - 0.35) * 2.2))
            px[y][x] = tuple(int(b * (1 - k) + o * k) for b, o in zip(blue, orange)) + (255,)
# the brush stroke: a bold diagonal dab in the sky
for y in range(N):
    for x in range(N):
        d = abs((x - 9) + (y - 5) * 0.9) / 1.35
        if px[y][x][3] and d < 1.2 and 5 <= x <= 14 and 1 <= y <= 8:
            a = min(1, 1.2 - d)
            c = px[y][x]
            px[y][x] = tuple(int(c[i] * (1 - a) + (255, 210, 120)[i] * a) for i in range(3)) + (255,)
png(N, N, px, sys.argv[1])
big = [[px[y // 8][x // 8] for x in range(N * 8)] for y in range(N * 8)]
if len(sys.argv) > 2:
    png(N * 8, N * 8, big, sys.argv[2])   # an 8x preview to look at
