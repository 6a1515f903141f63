/**
 * Recall@k of an approximate kNN graph, measured against exact search for an evenly spread sample
 * of rows. It runs inside the usearch worker right after the search, on the rows already there:
 * a plain scan with early exit is cheap enough for a few hundred rows, and starting a separate
 * pool of distance workers for it used to cost more than the check itself.
 *
 * Each exact search starts with the approximate graph's k-th distance as its bound: an approximate
 * neighbour is never closer than the true k-th, so every true neighbour lies within it, and most
 * rows are rejected after the first few dimensions.
 */
import { sortedInsert } from './sortedInsert';

/**
 * Rows sampled when the caller does not say. 200 rows × k neighbours put recall's standard error
 * near 0.003 at the recalls usearch reaches (~0.97); each row is a full exact pass, so 500 rows
 * cost 5.4 s at 200,000 × 128 for a third decimal nobody acts on (200 rows take 11 s at 10^6 × 128).
 */
export const RECALL_SAMPLE = 200;

/** Evenly spread row indices, m of n. */
export function recallSample(n: number, m = RECALL_SAMPLE): Int32Array {
  const count = Math.min(n, m);
  return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
}

/**
 * Share of the exact k nearest neighbours (squared L2, self excluded) of each sampled row that the
 * approximate graph found. `distances` are the graph's (non-squared) L2 distances.
 */
/**
 * `afterEach(done)` runs after each sampled row (each is a full pass over n rows: ~11 s for the
 * 200 rows of RECALL_SAMPLE at 10^6 × 128, measured by bench/scale); returning true stops early (a cancel), and the value is then NaN.
 */
export function sampledRecall(
  rows: Float32Array,
  n: number,
  dim: number,
  k: number,
  indices: Int32Array,
  distances: Float32Array,
  sample: Int32Array,
  afterEach?: (done: number) => boolean,
): number {
  const bestD = new Float64Array(k);
  const bestI = new Int32Array(k);
  let found = 0;
  let done = 0;
  for (const q of sample) {
    if (done > 0 && afterEach?.(done)) return NaN;
    done++;
    // The graph's k-th distance, widened a hair for float32 rounding; Infinity if the row is short.
    const approxK = distances[q * k + k - 1];
    const bound = Number.isFinite(approxK) ? approxK * approxK * (1 + 1e-5) + 1e-12 : Infinity;
    exactNeighbours(rows, n, dim, q, bestD, bestI, bound);
    const got = new Set(indices.subarray(q * k, (q + 1) * k));
    for (let t = 0; t < k; t++) if (bestI[t] >= 0 && got.has(bestI[t])) found++;
  }
  return sample.length === 0 ? 1 : found / (sample.length * k);
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
  const qo = q * dim;
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    const jo = j * dim;
    const limit = bestD[k - 1];
    let s = 0;
    let d = 0;
    // Four dimensions between checks: cheap enough, and most rows fail within the first few.
    for (; d + 4 <= dim && s <= limit; d += 4) {
      const t0 = rows[qo + d] - rows[jo + d];
      const t1 = rows[qo + d + 1] - rows[jo + d + 1];
      const t2 = rows[qo + d + 2] - rows[jo + d + 2];
      const t3 = rows[qo + d + 3] - rows[jo + d + 3];
      s += t0 * t0 + t1 * t1 + t2 * t2 + t3 * t3;
    }
    if (s > limit) continue;
    for (; d < dim; d++) {
      const t = rows[qo + d] - rows[jo + d];
      s += t * t;
    }
    sortedInsert(bestD, bestI, s, j);
  }
}
