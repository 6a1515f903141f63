import type { KnnGraph } from '../../../src/core/retrieval/knn';

/** Deterministic gaussian blobs: `classes` centres on a simplex-ish layout, `per` points each. */
export function blobs(
  classes: number,
  per: number,
  dim: number,
  seed = 1,
  spreadWithin = 0.3,
): { data: Float32Array; labels: Int32Array; n: number; dim: number } {
  let s = seed >>> 0 || 1;
  const uni = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni());
  const n = classes * per;
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let c = 0; c < classes; c++) {
    const centre = Array.from({ length: dim }, (_, d) => (d === c % dim ? 4 : 0) + (d === (c + 1) % dim ? 2 * Math.floor(c / dim) : 0));
    for (let i = 0; i < per; i++) {
      const r = c * per + i;
      labels[r] = c;
      for (let d = 0; d < dim; d++) data[r * dim + d] = centre[d] + spreadWithin * gauss();
    }
  }
  return { data, labels, n, dim };
}

/** Brute-force kNN graph (self excluded, ascending, ties by index), the shape knnGraph returns. */
export function bruteKnn(data: Float32Array, n: number, dim: number, k: number): KnnGraph {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const d2 = new Float64Array(n);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += (data[i * dim + d] - data[j * dim + d]) ** 2;
      d2[j] = s;
    }
    const sorted = order.filter((j) => j !== i).sort((x, y) => d2[x] - d2[y] || x - y);
    for (let t = 0; t < k; t++) {
      indices[i * k + t] = sorted[t];
      distances[i * k + t] = Math.sqrt(d2[sorted[t]]);
    }
  }
  return { n, k, indices, distances };
}

/** Share of each point's k nearest neighbours in `high` that are among its k nearest in the 2-D `low`. */
export function knnPreservation(high: KnnGraph, low: Float32Array, k: number): number {
  const lowG = bruteKnn(low, high.n, 2, k);
  let hit = 0;
  for (let i = 0; i < high.n; i++) {
    const want = new Set(high.indices.subarray(i * high.k, i * high.k + k));
    for (let t = 0; t < k; t++) if (want.has(lowG.indices[i * k + t])) hit++;
  }
  return hit / (high.n * k);
}

/** Share of points whose k nearest map neighbours' majority label is their own. */
export function knnLabelAccuracy(low: Float32Array, labels: Int32Array, k: number): number {
  const n = labels.length;
  const g = bruteKnn(low, n, 2, k);
  let ok = 0;
  for (let i = 0; i < n; i++) {
    const votes = new Map<number, number>();
    for (let t = 0; t < k; t++) {
      const l = labels[g.indices[i * k + t]];
      votes.set(l, (votes.get(l) ?? 0) + 1);
    }
    let best = -1;
    let bestCount = -1;
    for (const [l, c] of votes) if (c > bestCount || (c === bestCount && l < best)) [best, bestCount] = [l, c];
    if (best === labels[i]) ok++;
  }
  return ok / n;
}
