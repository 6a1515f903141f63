import { LensError } from '../errors';

/**
 * Checks N×D embeddings before any distance is computed and returns the rows to rank with:
 * L2-normalised copies by default (Euclidean on unit vectors ranks as cosine), the input itself
 * when raw. A NaN/Inf anywhere or an all-zero row under normalisation has no meaningful distance,
 * so it is an error naming the row — never a silently shuffled ranking.
 */
export function prepareEmbeddings(data: Float32Array, n: number, dim: number, normalize: boolean, file?: string): Float32Array {
  if (!Number.isInteger(n) || n < 1 || !Number.isInteger(dim) || dim < 1) {
    throw new LensError(`expected at least one embedding of dimension ≥ 1, got ${n}×${dim}`, file);
  }
  if (data.length !== n * dim) throw new LensError(`expected ${n}×${dim} = ${n * dim} values, got ${data.length}`, file);
  const out = normalize ? new Float32Array(n * dim) : data;
  for (let i = 0; i < n; i++) {
    const o = i * dim;
    let s = 0;
    for (let k = 0; k < dim; k++) {
      const v = data[o + k];
      if (!Number.isFinite(v)) throw new LensError(`row ${i} has a non-finite value (${v}) in column ${k}; embeddings must be finite`, file);
      s += v * v;
    }
    if (!normalize) continue;
    if (s === 0) throw new LensError(`row ${i} is an all-zero vector, which cannot be L2-normalised (use raw distances, or drop the row)`, file);
    const inv = 1 / Math.sqrt(s);
    for (let k = 0; k < dim; k++) out[o + k] = data[o + k] * inv;
  }
  return out;
}

export function checkLabels(labels: ArrayLike<number>, n: number, file?: string): void {
  if (labels.length !== n) throw new LensError(`${labels.length} labels for ${n} embeddings; there must be exactly one label per row`, file);
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
