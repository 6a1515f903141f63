import type { ValidationMetrics } from './loop';

/**
 * Leave-one-out map@r and recall@1 (SPEC §2) on the validation embeddings, the two figures the
 * fine-tune reports before training and after every epoch. Exact ranking in float64; ties go to
 * the lower index; the query is removed by index; queries whose class has no other item are
 * excluded. `normalize` ranks by cosine (Euclidean on L2-normalised rows).
 */
export function looMapAtR(data: Float32Array, n: number, dim: number, labels: Int32Array, normalize = true): ValidationMetrics {
  const v = new Float64Array(n * dim);
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += data[i * dim + j] ** 2;
    const scale = normalize ? 1 / Math.sqrt(Math.max(s, 1e-24)) : 1;
    let t = 0;
    for (let j = 0; j < dim; j++) {
      const x = data[i * dim + j] * scale;
      v[i * dim + j] = x;
      t += x * x;
    }
    sq[i] = t;
  }
  const count = new Map<number, number>();
  for (let i = 0; i < n; i++) count.set(labels[i], (count.get(labels[i]) ?? 0) + 1);

  let queries = 0;
  let mapSum = 0;
  let r1 = 0;
  // One row of squared distances at a time: memory stays O(n) for large validation sets.
  const dist = new Float64Array(n);
  const sorted = new Float64Array(n - 1);
  const cand: number[] = [];
  for (let q = 0; q < n; q++) {
    const r = (count.get(labels[q]) ?? 1) - 1;
    if (r === 0) continue;
    queries++;
    const qo = q * dim;
    let c = 0;
    const dim4 = dim - (dim % 4);
    for (let j = 0; j < n; j++) {
      if (j === q) continue;
      // Four independent partial sums: the hot loop of validation, about 2× a plain loop in V8.
      let d0 = 0;
      let d1 = 0;
      let d2 = 0;
      let d3 = 0;
      const jo = j * dim;
      let t = 0;
      for (; t < dim4; t += 4) {
        d0 += v[qo + t] * v[jo + t];
        d1 += v[qo + t + 1] * v[jo + t + 1];
        d2 += v[qo + t + 2] * v[jo + t + 2];
        d3 += v[qo + t + 3] * v[jo + t + 3];
      }
      for (; t < dim; t++) d0 += v[qo + t] * v[jo + t];
      dist[j] = sq[q] + sq[j] - 2 * (d0 + d1 + (d2 + d3));
      sorted[c++] = dist[j];
    }
    // Only the first R ranks matter: find the R-th smallest distance with a native numeric sort,
    // then order just the items up to it (ties by index) — no comparator sort over all n.
    sorted.sort();
    const cut = sorted[r - 1];
    cand.length = 0;
    for (let j = 0; j < n; j++) if (j !== q && dist[j] <= cut) cand.push(j);
    cand.sort((a, b) => dist[a] - dist[b] || a - b);
    if (labels[cand[0]] === labels[q]) r1++;
    let hits = 0;
    let ap = 0;
    for (let i = 0; i < r; i++) {
      if (labels[cand[i]] === labels[q]) {
        hits++;
        ap += hits / (i + 1);
      }
    }
    mapSum += ap / r;
  }
  return { mapAtR: queries ? mapSum / queries : 0, recallAt1: queries ? r1 / queries : 0, queries };
}
