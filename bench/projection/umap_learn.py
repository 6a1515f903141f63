"""Peer for bench/projection: umap-learn (Debian) on the same float32 matrix, defaults otherwise.
Usage: python3 umap_learn.py DATA.f32 N DIM SEED OUT.f32
Prints one JSON line: {"seconds": wall time of fit_transform incl. its own kNN, "peak_rss_mb": VmHWM}.
No random_state is passed: umap-learn then runs its parallel (non-reproducible) path, its fast mode."""
import json, sys, time
import numpy as np
import umap

path, n, dim, seed, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
x = np.fromfile(path, dtype='<f4', count=n * dim).reshape(n, dim)
np.random.seed(seed)
t0 = time.perf_counter()
y = umap.UMAP(n_neighbors=15, min_dist=0.1, spread=1.0, metric='euclidean').fit_transform(x)
secs = time.perf_counter() - t0
y.astype('<f4').tofile(out)
hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]
print(json.dumps({'seconds': round(secs, 3), 'peak_rss_mb': round(int(hwm.split()[1]) / 1024, 1)}))
