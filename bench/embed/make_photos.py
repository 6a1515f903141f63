"""Seeded photo-like JPEGs for bench/embed/resnet.ts: 500×375 RGB, quality 90, written once into a
folder of class subfolders (class<k>/img-<i>.jpg, k = i mod 10) and reused by later runs.

"Photo-like" is for the JPEG decoder and the resize filter, not for the model: smooth two-colour
gradients with slow waves (large flat-ish areas, like sky or walls), a few soft-edged shapes
(ellipses, rectangles, polygons: sharp edges and colour changes the DCT must code), and mild
sensor-like noise, so files are tens of KB like real 500×375 photos rather than a few KB of flat
colour. Image i depends only on (seed, i): any count is a prefix of a larger one.

  /usr/bin/python3 bench/embed/make_photos.py --out DIR --n 1000 [--seed 0]
"""
import argparse, json, os, sys, time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

W, H = 500, 375


def photo(rng):
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    a = rng.uniform(0, 2 * np.pi)
    t = (np.cos(a) * x / W + np.sin(a) * y / H + 1) / 2  # 0..1 along a random direction
    c0, c1 = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    img = c0 + (c1 - c0) * t[..., None]
    fx, fy, ph = rng.uniform(0.5, 3, 2), rng.uniform(0.5, 3, 2), rng.uniform(0, 2 * np.pi, 3)
    wave = np.sin(2 * np.pi * (fx[0] * x / W + fy[0] * y / H) + ph[0]) * np.sin(2 * np.pi * (fx[1] * x / W - fy[1] * y / H) + ph[1])
    img += rng.uniform(10, 30) * wave[..., None] * np.cos(ph)[None, None, :]
    canvas = Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")
    for _ in range(rng.integers(3, 9)):
        layer = Image.new("RGBA", (W, H), (0, 0, 0, 0))
        d = ImageDraw.Draw(layer)
        colour = tuple(int(v) for v in rng.uniform(0, 255, 3)) + (int(rng.uniform(150, 255)),)
        cx, cy, r = rng.uniform(0, W), rng.uniform(0, H), rng.uniform(15, 120)
        kind = rng.integers(0, 3)
        if kind == 0:
            d.ellipse([cx - r, cy - r * rng.uniform(0.4, 1), cx + r, cy + r * rng.uniform(0.4, 1)], fill=colour)
        elif kind == 1:
            d.rectangle([cx - r, cy - r * 0.7, cx + r * rng.uniform(0.3, 1.2), cy + r], fill=colour)
        else:
            k = int(rng.integers(3, 7))
            angles = np.sort(rng.uniform(0, 2 * np.pi, k))
            d.polygon([(cx + r * np.cos(t), cy + r * np.sin(t)) for t in angles], fill=colour)
        # Soft edges, as lens blur gives real objects.
        layer = layer.filter(ImageFilter.GaussianBlur(rng.uniform(0.5, 2.5)))
        canvas.paste(layer, (0, 0), layer)
    px = np.asarray(canvas, dtype=np.float32) + rng.normal(0, rng.uniform(2, 5), (H, W, 3))
    return Image.fromarray(np.clip(px, 0, 255).round().astype(np.uint8), "RGB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    t0 = time.perf_counter()
    total = 0
    for i in range(a.n):
        folder = os.path.join(a.out, f"class{i % 10}")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"img-{i:05d}.jpg")
        photo(np.random.default_rng([a.seed, i])).save(path, "JPEG", quality=90)
        total += os.path.getsize(path)
    print(json.dumps({"images": a.n, "meanBytes": total / max(1, a.n), "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    sys.exit(main())
