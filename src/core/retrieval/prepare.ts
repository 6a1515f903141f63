import { LensError } from '../errors';

/**
 * Checks N×D embeddings before any distance is computed and returns the rows to rank with:
 * L2-normalised copies by default (Euclidean on unit vectors ranks as cosine), the input itself
 * when raw. A NaN/Inf anywhere or an all-zero row under normalisation has no meaningful distance,
 * so it is an error naming the row — never a silently shuffled ranking.
 */
export function prepareEmbeddings(data: Float32Array, n: number, dim: number, normalize: boolean, file?: string): Float32Array {
  const h = held.get(data);
  if (h && h.normalize === normalize && data.length === n * dim) return h.rows;
  // Shared memory from the start: the scan, k-means and usearch workers then read these very
  // rows instead of each taking a copy (n×dim floats: 512 MB at 10^6 × 128).
  const out = normalize ? sharedFloats(checkedSize(data, n, dim, file)) : data;
  checkRows(data, n, dim, normalize, normalize ? out : null, file);
  return out;
}

/** Rows prepared once for a whole inspection, by the embeddings they were prepared from. */
const held = new WeakMap<Float32Array, { normalize: boolean; rows: Float32Array }>();

export interface HeldRows {
  /** The prepared rows, in a SharedArrayBuffer. */
  rows: Float32Array;
  /** Ends the hold: later calls prepare afresh and the rows can be collected. */
  release(): void;
}

/**
 * Prepares `data` once (checked, normalised when asked, in shared memory) and, until release(),
 * has every prepareEmbeddings(data, n, dim, normalize) return those same rows: the inspection's
 * kNN graph, metrics, k-means and geometry then share one array, handed to their workers without
 * copies, instead of each stage normalising and sharing its own. The caller must not modify
 * `data` while it holds it. Raw rows (normalize false) are shared as one copy of `data`.
 */
export function holdPreparedRows(data: Float32Array, n: number, dim: number, normalize: boolean, file?: string): HeldRows {
  let rows = prepareEmbeddings(data, n, dim, normalize, file);
  if (!(rows.buffer instanceof SharedArrayBuffer)) {
    const copy = sharedFloats(rows.length);
    copy.set(rows);
    rows = copy;
  }
  const entry = { normalize, rows };
  held.set(data, entry);
  return {
    rows,
    release: () => {
      if (held.get(data) === entry) held.delete(data);
    },
  };
}

function sharedFloats(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * 4));
}

/** The checks of prepareEmbeddings without the normalised copy (n×dim floats: 512 MB at 10^6 × 128). */
export function validateEmbeddings(data: Float32Array, n: number, dim: number, normalize: boolean, file?: string): void {
  checkedSize(data, n, dim, file);
  checkRows(data, n, dim, normalize, null, file);
}

function checkedSize(data: Float32Array, n: number, dim: number, file?: string): number {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new LensError(`expected at least one embedding of dimension ≥ 1, got ${n}×${dim}`, file);
  }
  if (data.length !== n * dim) throw new LensError(`expected ${n}×${dim} = ${n * dim} values, got ${data.length}`, file);
  return n * dim;
}

/** Finite values everywhere, no zero row under normalisation; writes the unit rows into `out` when given. */
function checkRows(data: Float32Array, n: number, dim: number, normalize: boolean, out: Float32Array | null, file?: string): void {
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = data[o + k];
      if (!Number.isFinite(v))
        throw new LensError(`row ${i} has a non-finite value (${v}) in column ${k}; embeddings must be finite`, file);
      s += v * v;
    }
    if (!normalize) continue;
    if (s === 0)
      throw new LensError(`row ${i} is an all-zero vector, which cannot be L2-normalised (use raw distances, or drop the row)`, file);
    if (!out) continue;
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[o + k] = data[o + k] * inv;
  }
}

export function checkLabels(labels: ArrayLike<number>, n: number, file?: string): void {
  if (labels.length !== n)
    throw new LensError(`${labels.length} labels for ${n} embeddings; there must be exactly one label per row`, file);
}

/** Squared norms ‖x_i‖², accumulated in float64 and stored as float32 for the Gemm. */
export function squaredNorms(data: Float32Array, n: number, dim: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += data[i * dim + k] * data[i * dim + k];
    out[i] = s;
  }
  return out;
}
