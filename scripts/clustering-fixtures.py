#!/usr/bin/python3
"""Reference NMI/AMI for test/unit/retrieval/clustering-sklearn.test.ts, from Debian's python3-sklearn.

    /usr/bin/python3 scripts/clustering-fixtures.py > test/fixtures/clustering-sklearn.json

Each case is a pair of labelings (classes, clusters) drawn from a seeded mulberry32 generator that
the test re-implements draw for draw (test/unit/retrieval/labelingPairs.ts), so the fixture stores
only the recipe, scikit-learn's two numbers and the same two in 40-digit decimal arithmetic — a
couple of kilobytes, not 60,502-item arrays.

Recipe: item i < R gets class i (every class exists); later items get class 0 with probability
`giant`, else a uniform class. Each item's cluster is its class mod C with probability `keep`, else
a uniform cluster in [0, C).
"""
import json
import sys
import time
from collections import Counter
from decimal import Decimal, getcontext

import numpy as np
import sklearn
from sklearn.metrics import adjusted_mutual_info_score, normalized_mutual_info_score

M32 = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & M32

    def imul(a, b):
        return (a * b) & M32

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return draw


def labeling_pair(seed, n, R, C, keep, giant):
    r = mulberry32(seed)
    labels = np.empty(n, dtype=np.int64)
    clusters = np.empty(n, dtype=np.int64)
    for i in range(n):
        if i < R:
            label = i
        elif r() < giant:
            label = 0
        else:
            label = int(r() * R)
        labels[i] = label
        clusters[i] = label % C if r() < keep else int(r() * C)
    return labels, clusters


def exact_scores(labels, clusters):
    """NMI and AMI in 40-digit decimal arithmetic: the reference both float64 implementations are
    judged against. (At the SOP shape scikit-learn's own AMI is off by ~9e-10: its EMI adds 1.3·10⁸
    float64 terms one by one.) Equal marginals are grouped, as the TypeScript does — an identity."""
    getcontext().prec = 40
    n = len(labels)
    N = Decimal(n)
    a = Counter(labels.tolist())
    b = Counter(clusters.tolist())
    if len(a) == len(b) == 1:
        return 1.0, 1.0
    cells = Counter(zip(labels.tolist(), clusters.tolist()))
    mi = sum(Decimal(v) / N * (N * v / (Decimal(a[i]) * b[j])).ln() for (i, j), v in cells.items())
    ent = lambda sizes: -sum(Decimal(x) / N * (Decimal(x) / N).ln() for x in sizes)
    mean = (ent(a.values()) + ent(b.values())) / 2
    lf = [Decimal(0)]
    for i in range(1, n + 1):
        lf.append(lf[-1] + Decimal(i).ln())
    emi = Decimal(0)
    if len(a) > 1 and len(b) > 1:
        for ai, ma in Counter(a.values()).items():
            for bj, mb in Counter(b.values()).items():
                fixed = lf[ai] + lf[bj] + lf[n - ai] + lf[n - bj] - lf[n]
                t = Decimal(0)
                for nij in range(max(1, ai + bj - n), min(ai, bj) + 1):
                    g = fixed - lf[nij] - lf[ai - nij] - lf[bj - nij] - lf[n - ai - bj + nij]
                    t += Decimal(nij) / N * (N * nij / (Decimal(ai) * bj)).ln() * g.exp()
                emi += ma * mb * t
    nmi = mi / mean if mi != 0 else Decimal(0)
    ami = (mi - emi) / (mean - emi) if mean != emi else Decimal(1)
    return float(nmi), float(ami)


CASES = [
    # SOP's test split: 60,502 items, 11,316 classes, clusters as many — EMI over 1.3·10⁸ pairs.
    dict(name='sop-shaped', seed=1, n=60502, R=11316, C=11316, keep=0.6, giant=0),
    dict(name='classes above n/2 (mostly singletons)', seed=2, n=3000, R=2000, C=2000, keep=0.5, giant=0),
    dict(name='one giant class', seed=3, n=20000, R=200, C=300, keep=0.3, giant=0.9),
    dict(name='small', seed=4, n=300, R=5, C=6, keep=0.5, giant=0),
    dict(name='independent', seed=5, n=5000, R=50, C=40, keep=0, giant=0),
    dict(name='near-perfect, many classes', seed=6, n=20000, R=4000, C=4000, keep=0.98, giant=0),
    dict(name='one cluster', seed=7, n=1000, R=10, C=1, keep=0, giant=0),
    dict(name='all singletons both sides', seed=8, n=500, R=500, C=500, keep=1, giant=0),
]


def main():
    out = {'generator': 'scripts/clustering-fixtures.py', 'sklearn': sklearn.__version__, 'cases': []}
    for c in CASES:
        labels, clusters = labeling_pair(c['seed'], c['n'], c['R'], c['C'], c['keep'], c['giant'])
        t = time.time()
        nmi = normalized_mutual_info_score(labels, clusters)
        ami = adjusted_mutual_info_score(labels, clusters)
        print(f"{c['name']}: nmi {nmi!r} ami {ami!r} ({time.time() - t:.1f} s)", file=sys.stderr)
        exact_nmi, exact_ami = exact_scores(labels, clusters)
        print(f"  40-digit: nmi {exact_nmi!r} ami {exact_ami!r}", file=sys.stderr)
        out['cases'].append({**c, 'nmi': float(nmi), 'ami': float(ami), 'exact_nmi': exact_nmi, 'exact_ami': exact_ami})
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
