"""bench/scale peer: exact leave-one-out retrieval metrics from faiss's flat search (Debian's python3-faiss).

  /usr/bin/python3 faiss_peer.py E.npy L.npy 1,10,100,1000     prints one JSON line

IndexFlatIP over L2-normalised rows: inner product ranks exactly as the Euclidean distance between
unit vectors, which is what the CLI ranks by default (cosine; --raw would be plain L2). Metrics as
pytorch-metric-learning's AccuracyCalculator computes them with the query set also the reference
set: the query itself is removed from its neighbours, R = the class size − 1, precision_at_1,
r_precision and mean_average_precision_at_r over the top R; recall@K (metric-learning papers' R@K)
is whether a same-class item is among the top K. Timed from loaded arrays to final numbers.
"""
import json
import sys
import time

import numpy as np


def main():
    x = np.load(sys.argv[1]).astype(np.float32)
    labels = np.load(sys.argv[2]).astype(np.int64)
    ks = [int(k) for k in sys.argv[3].split(',')]
    import faiss
    faiss.omp_set_num_threads(faiss.omp_get_max_threads())
    t0 = time.perf_counter()
    c0 = time.process_time()
    xn = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    n = xn.shape[0]
    r = np.bincount(labels)[labels] - 1
    kmax = int(min(n - 1, max(r.max(), max(ks))))
    index = faiss.IndexFlatIP(xn.shape[1])
    index.add(xn)
    _, nbr = index.search(xn, kmax + 1)
    search_s = time.perf_counter() - t0
    # The query removed by index (AccuracyCalculator drops the self match), not by position:
    # an exact duplicate may rank first.
    is_self = nbr == np.arange(n)[:, None]
    # Self (True) moves to the end; a row whose self match fell beyond kmax + 1 keeps its first kmax.
    order = np.argsort(is_self, axis=1, kind='stable')
    nbr = np.take_along_axis(nbr, order, axis=1)[:, :kmax]
    scored = r > 0
    rel = labels[nbr] == labels[:, None]
    out = {}
    for k in ks:
        out[f'recall@{k}'] = float(rel[scored, :k].any(1).mean())
    out['precision@1'] = float(rel[scored, 0].mean())
    pos = np.arange(kmax)[None, :]
    relr = rel & (pos < r[:, None])
    rs = np.maximum(r, 1)
    out['r_precision'] = float((relr.sum(1) / rs)[scored].mean())
    prec = np.cumsum(relr, 1) / (pos + 1)
    out['map@r'] = float(((prec * relr).sum(1) / rs)[scored].mean())
    out['queries'] = int(scored.sum())
    out['seconds'] = time.perf_counter() - t0
    out['searchSeconds'] = search_s
    out['cpuSeconds'] = time.process_time() - c0
    out['threads'] = faiss.omp_get_max_threads()
    out['version'] = faiss.__version__
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                out['peakRssMB'] = int(line.split()[1]) / 1024
    print(json.dumps(out))


if __name__ == '__main__':
    main()
