/**
 * Top-k of one query vector against all rows: the panel's on-demand retrievals (a K deeper than the
 * precomputed table, or a dropped image). One pass over N×D floats — milliseconds even for 100k rows,
 * so it needs no worker.
 */
import { LensError } from '../errors';
import { sortedInsert } from '../retrieval/sortedInsert';

export interface NearestResult {
  indices: Int32Array;
  distances: Float32Array;
}

function unit(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  const norm = Math.sqrt(s);
  if (norm === 0) throw new LensError('the query embedding is the zero vector; it has no direction to rank by cosine');
  return v.map((x) => x / norm);
}

/**
 * Exact k nearest rows to `query` (Euclidean; on L2-normalised vectors when `normalize`, so it ranks
 * as cosine), ascending, ties by index; `exclude` (the query's own row) is never returned.
 */
export function nearestRows(
  rows: Float32Array,
  n: number,
  dim: number,
  query: Float32Array,
  k: number,
  opts: { normalize: boolean; exclude?: number },
): NearestResult {
  if (query.length !== dim)
    throw new LensError(`the query embedding has ${query.length} dimensions but the inspected embeddings have ${dim}`);
  const q = opts.normalize ? unit(query) : query;
  const kk = Math.min(k, n - (opts.exclude !== undefined ? 1 : 0));
  const bestD = new Float64Array(kk).fill(Infinity);
  const bestI = new Int32Array(kk).fill(-1);
  for (let i = 0; i < n; i++) {
    if (i === opts.exclude) continue;
    const off = i * dim;
    let s = 0;
    let norm = 0;
    for (let d = 0; d < dim; d++) {
      const x = rows[off + d];
      norm += x * x;
    }
    const scale = opts.normalize ? (norm > 0 ? 1 / Math.sqrt(norm) : 0) : 1;
    for (let d = 0; d < dim; d++) {
      const diff = rows[off + d] * scale - q[d];
      s += diff * diff;
    }
    sortedInsert(bestD, bestI, s, i);
  }
  return { indices: bestI, distances: Float32Array.from(bestD, (x) => Math.sqrt(Math.max(x, 1e-12))) };
}
