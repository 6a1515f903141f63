/**
 * Recall@k of an approximate kNN graph, measured against exact search for an evenly spread sample
 * of rows. It runs inside the usearch worker right after the search, on the rows already there
 * (starting a separate pool of distance workers for it used to cost more than the check itself).
 *
 * Each exact search starts with the approximate graph's k-th distance as its bound: an approximate
 * neighbour is never closer than the true k-th, so every true neighbour lies within it.
 */
import { createKeyEngine } from './distanceKeys';
import { squaredNorms } from './prepare';
import { sortedInsert } from './sortedInsert';

/**
 * Rows sampled when the caller does not say. 200 rows × k neighbours put recall's standard error
 * near 0.003 at the recalls usearch reaches (~0.97); more would buy a third decimal nobody acts on.
 */
export const RECALL_SAMPLE = 200;

/** Evenly spread row indices, m of n. */
export function recallSample(n: number, m = RECALL_SAMPLE): Int32Array {
  const count = Math.min(n, m);
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/**
 * Share of the exact k nearest neighbours (squared L2, self excluded, ties by lower index) of each
 * sampled row that the approximate graph found. `distances` are the graph's (non-squared) L2
 * distances.
 *
 * One pass over all n rows for the whole sample, the samples as the Gemm's small side: blocks of
 * rows against the S sampled rows give every row's distance to every sample at Gemm speed
 * (distanceKeys), and a row becomes a candidate of sample s only when that float32 estimate is
 * within a rounding margin of s's current k-th. A candidate's distance is then computed exactly as
 * exactNeighbours does (float32 differences summed in float64, four dimensions at a time), so the
 * neighbours found are exactly exactNeighbours'. 200 samples at 10^6 × 128: one row pass at a time
 * took ≈11 s (bench/scale).
 *
 * `afterBlock(done)` runs after each block of rows with the rows done so far; returning true stops
 * (a cancel), and the value is then NaN.
 */
export async function sampledRecall(
  rows: Float32Array,
  n: number,
  dim: number,
  k: number,
  indices: Int32Array,
  distances: Float32Array,
  sample: Int32Array,
  afterBlock?: (done: number) => boolean,
  threads = 1,
): Promise<number> {
  const S = sample.length;
  if (S === 0) return 1;
  const picked = new Float32Array(S * dim);
  sample.forEach((q, s) => picked.set(rows.subarray(q * dim, (q + 1) * dim), s * dim));
  const pickedSq = squaredNorms(picked, S, dim);
  const rowSq = squaredNorms(rows, n, dim);
  const bestD = new Float64Array(S * k);
  const bestI = new Int32Array(S * k).fill(-1);
  for (let s = 0; s < S; s++) {
    // The graph's k-th distance bounds the true k-th (widened a hair for float32 rounding).
    const approxK = distances[sample[s] * k + k - 1];
    bestD.fill(Number.isFinite(approxK) ? approxK * approxK * (1 + 1e-5) + 1e-12 : Infinity, s * k, (s + 1) * k);
  }
  const engine = await createKeyEngine(picked, S, dim, pickedSq, threads);
  try {
    // Up to 8,192 rows (and 4M keys) a block: a cancel or a progress line every few milliseconds.
    const block = Math.max(64, Math.min(8192, Math.floor((4 * 1024 * 1024) / S)));
    for (let b0 = 0; b0 < n; b0 += block) {
      const m = Math.min(block, n - b0);
      // key = ‖g_s‖² − 2·x_j·g_s, so ‖x_j − g_s‖² ≈ key + ‖x_j‖².
      const keys = await engine.keys(rows.subarray(b0 * dim, (b0 + m) * dim), m);
      for (let r = 0; r < m; r++) {
        const j = b0 + r;
        const xs = rowSq[j];
        const o = r * S;
        for (let s = 0; s < S; s++) {
          const limit = bestD[s * k + k - 1];
          // The float32 estimate's error grows with the norms involved: 1e-4 of them is far outside it.
          if (keys[o + s] + xs > limit + 1e-4 * (xs + pickedSq[s]) + 1e-12) continue;
          const q = sample[s];
          if (j === q) continue;
          const d = squaredDistance(rows, dim, q, j, limit);
          if (d < limit) sortedInsert(bestD.subarray(s * k, (s + 1) * k), bestI.subarray(s * k, (s + 1) * k), d, j);
        }
      }
      if (afterBlock?.(b0 + m)) return NaN;
    }
  } finally {
    await engine.dispose();
  }
  let found = 0;
  for (let s = 0; s < S; s++) {
    const got = new Set(indices.subarray(sample[s] * k, (sample[s] + 1) * k));
    for (let t = 0; t < k; t++) if (bestI[s * k + t] >= 0 && got.has(bestI[s * k + t])) found++;
  }
  return found / (S * k);
}

/**
 * ‖row q − row j‖²: float32 differences summed in float64, four dimensions a step. Stops early
 * (returning a partial sum above `limit`) once the sum passes `limit`, as most rows of a nearest-
 * neighbour search do within the first few dimensions.
 */
function squaredDistance(rows: Float32Array, dim: number, q: number, j: number, limit = Infinity): number {
  const qo = q * dim;
  const jo = j * dim;
  let s = 0;
  let d = 0;
  for (; d + 4 <= dim && s <= limit; d += 4) {
    const t0 = rows[qo + d] - rows[jo + d];
    const t1 = rows[qo + d + 1] - rows[jo + d + 1];
    const t2 = rows[qo + d + 2] - rows[jo + d + 2];
    const t3 = rows[qo + d + 3] - rows[jo + d + 3];
    s += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
  }
  if (s > limit) return s;
  for (; d < dim; d++) {
    const t = rows[qo + d] - rows[jo + d];
    s += t * t;
  }
  return s;
}

/**
 * Exact nearest rows of row q (squared L2, self excluded, ties by lower index) into the top-k
 * buffers `bestD`/`bestI` (k = their length), considering only distances below `bound`. Each
 * candidate is abandoned as soon as its partial sum passes the current k-th.
 */
export function exactNeighbours(
  rows: Float32Array,
  n: number,
  dim: number,
  q: number,
  bestD: Float64Array,
  bestI: Int32Array,
  bound = Infinity,
): void {
  const k = bestD.length;
  bestD.fill(bound);
  bestI.fill(-1);
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    const limit = bestD[k - 1];
    const s = squaredDistance(rows, dim, q, j, limit);
    if (s <= limit) sortedInsert(bestD, bestI, s, j);
  }
}
