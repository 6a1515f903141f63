"""Peers for bench/metrics: Fashion-MNIST → 64-d PCA embeddings, and brute-force leave-one-out
retrieval metrics in PyTorch (and faiss when importable), each timed on the same machine.

  python3 peer.py prepare OUT_DIR         writes fmnist-test.npy/-labels.npy (10k) and fmnist-all.npy/-labels.npy (70k)
  python3 peer.py metrics E.npy L.npy     prints one JSON line: {"torch": {...}, "faiss": {...}}

The metric code follows SPEC §2: L2-normalised rows, the query removed by index, R = same-label
items other than the query, recall@K, r_precision and map@r over the top R.
"""
import gzip
import json
import os
import sys
import time

import numpy as np

DATA = '/usr/share/datasets/fashion-mnist'


def idx(path):
    with gzip.open(path, 'rb') as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def prepare(out):
    os.makedirs(out, exist_ok=True)
    train = idx(f'{DATA}/train-images-idx3-ubyte.gz').reshape(60000, -1).astype(np.float64) / 255
    test = idx(f'{DATA}/t10k-images-idx3-ubyte.gz').reshape(10000, -1).astype(np.float64) / 255
    ytr = idx(f'{DATA}/train-labels-idx1-ubyte.gz').astype(np.int32)
    yte = idx(f'{DATA}/t10k-labels-idx1-ubyte.gz').astype(np.int32)
    # One PCA basis (fitted on the training pixels) for both sets, so they share a space.
    mean = train.mean(0)
    cov = np.cov(train - mean, rowvar=False)
    w, v = np.linalg.eigh(cov)
    basis = v[:, np.argsort(w)[::-1][:64]]
    np.save(f'{out}/fmnist-test.npy', ((test - mean) @ basis).astype(np.float32))
    np.save(f'{out}/fmnist-test-labels.npy', yte)
    allx = np.concatenate([test, train])
    np.save(f'{out}/fmnist-all.npy', ((allx - mean) @ basis).astype(np.float32))
    np.save(f'{out}/fmnist-all-labels.npy', np.concatenate([yte, ytr]))


def metrics_from_topk(nbr_labels, labels, r, ks):
    """nbr_labels: n×kmax labels of the ranked neighbours (self already removed)."""
    rel = nbr_labels == labels[:, None]
    out = {}
    for k in ks:
        out[f'recall@{k}'] = float(rel[:, :k].any(1).mean())
    pos = np.arange(rel.shape[1])[None, :]
    in_r = pos < r[:, None]
    relr = rel & in_r
    out['r_precision'] = float((relr.sum(1) / r).mean())
    prec = np.cumsum(relr, 1) / (pos + 1)
    out['map@r'] = float(((prec * relr).sum(1) / r).mean())
    return out


def torch_loo(x, labels, ks):
    import torch
    torch.set_num_threads(os.cpu_count() or 1)
    t0 = time.perf_counter()
    c0 = time.process_time()
    xt = torch.from_numpy(x)
    xt = xt / xt.norm(dim=1, keepdim=True)
    lab = torch.from_numpy(labels.astype(np.int64))
    counts = torch.bincount(lab)
    r = (counts[lab] - 1).numpy()
    kmax = int(max(r.max(), max(ks)))
    n = xt.shape[0]
    idx_all = torch.empty((n, kmax), dtype=torch.int64)
    sq = (xt * xt).sum(1)
    for s in range(0, n, 1024):
        e = min(n, s + 1024)
        d = sq[s:e, None] + sq[None, :] - 2 * xt[s:e] @ xt.T
        d[torch.arange(e - s), torch.arange(s, e)] = float('inf')
        idx_all[s:e] = torch.topk(d, kmax, dim=1, largest=False, sorted=True).indices
    nbr = lab[idx_all].numpy()
    out = metrics_from_topk(nbr, labels, r, ks)
    out['seconds'] = time.perf_counter() - t0
    out['cpuSeconds'] = time.process_time() - c0
    out['version'] = torch.__version__
    return out


def faiss_loo(x, labels, ks):
    import faiss
    t0 = time.perf_counter()
    c0 = time.process_time()
    xn = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    counts = np.bincount(labels)
    r = counts[labels] - 1
    kmax = int(max(r.max(), max(ks)))
    index = faiss.IndexFlatL2(xn.shape[1])
    index.add(xn)
    _, I = index.search(xn, kmax + 1)
    n = xn.shape[0]
    # Drop the query by index (not by position: a duplicate can come first).
    keep = I != np.arange(n)[:, None]
    nbr_idx = np.where(keep.all(1)[:, None], I[:, :kmax], np.array([row[k][:kmax] for row, k in zip(I, keep)], dtype=np.int64))
    out = metrics_from_topk(labels[nbr_idx], labels, r, ks)
    out['seconds'] = time.perf_counter() - t0
    out['cpuSeconds'] = time.process_time() - c0
    out['version'] = faiss.__version__
    return out


def main():
    if sys.argv[1] == 'prepare':
        prepare(sys.argv[2])
        return
    x = np.load(sys.argv[2]).astype(np.float32)
    labels = np.load(sys.argv[3]).astype(np.int64)
    ks = [1, 2, 4, 8]
    res = {'torch': torch_loo(x, labels, ks)}
    try:
        res['faiss'] = faiss_loo(x, labels, ks)
    except ImportError as e:
        res['faiss'] = {'skipped': str(e)}
    print(json.dumps(res))


if __name__ == '__main__':
    main()
