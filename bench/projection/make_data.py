"""Builds the bench input once: all 70,000 Fashion-MNIST images (Debian's dataset-fashion-mnist,
train then test) as a 64-d PCA of the pixels, float32 row-major, plus int32 labels.
Usage: python3 make_data.py IMAGES_DIR OUT_PREFIX  → OUT_PREFIX.f32, OUT_PREFIX.labels.i32
The PCA axes are the top-64 eigenvectors of the pixel covariance (numpy eigh), sign-fixed so the
largest-magnitude entry of each axis is positive: the same file comes out on every machine."""
import gzip, os, sys
import numpy as np

def idx(path):
    opener = gzip.open if path.endswith('.gz') else open
    with opener(path, 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)

def find(d, stem):
    for ext in ('', '.gz'):
        p = os.path.join(d, stem + ext)
        if os.path.exists(p):
            return p
    raise SystemExit(f'{stem}[.gz] not found in {d}')

src, out = sys.argv[1], sys.argv[2]
x = np.concatenate([idx(find(src, 'train-images-idx3-ubyte')), idx(find(src, 't10k-images-idx3-ubyte'))]).reshape(70000, -1).astype(np.float64) / 255.0
y = np.concatenate([idx(find(src, 'train-labels-idx1-ubyte')), idx(find(src, 't10k-labels-idx1-ubyte'))]).astype(np.int32)
x -= x.mean(axis=0)
vals, vecs = np.linalg.eigh(x.T @ x / (len(x) - 1))
axes = vecs[:, np.argsort(vals)[::-1][:64]]
axes *= np.sign(axes[np.abs(axes).argmax(axis=0), np.arange(64)])
(x @ axes).astype('<f4').tofile(out + '.f32')
y.astype('<i4').tofile(out + '.labels.i32')
print(f'wrote {out}.f32 (70000×64 float32) and labels')
