/**
 * PCA to 2-D: the instant preview shown before UMAP has run, and UMAP's initial layout.
 * Works from the D×D covariance (one pass over the data, no N×N matrix) and finds its top
 * eigenvectors by orthogonal (block power) iteration, which needs only D×D products.
 */

import { throwIfAborted } from '../errors';
import type { ProgressFn } from '../types';
import { ticker } from '../util/ticker';

/** Top-`k` principal axes of the covariance, each a unit vector of length `dim`, sign-fixed. */
export interface PcaAxes {
  mean: Float64Array;
  /** k×dim, row-major. */
  axes: Float64Array;
  /** Variance along each axis. */
  variances: Float64Array;
}

/** Running covariance sums: add rows in any number of chunks, then finish. */
class CovarianceAccumulator {
  readonly mean: Float64Array;
  readonly cov: Float64Array;
  /** Four centred rows, reused. */
  private readonly rows: Float64Array[];
  constructor(
    private readonly data: Float32Array,
    private readonly n: number,
    private readonly dim: number,
  ) {
    this.mean = new Float64Array(dim);
    this.cov = new Float64Array(dim * dim);
    this.rows = Array.from({ length: 4 }, () => new Float64Array(dim));
    for (let i = 0; i < n; i++) {
      const o = i * dim;
      for (let d = 0; d < dim; d++) this.mean[d] += data[o + d];
    }
    for (let d = 0; d < dim; d++) this.mean[d] /= Math.max(n, 1);
  }
  /**
   * Upper triangle only, accumulated in float64 from centred rows: float32 sums over 10^5 rows would
   * lose the small trailing variances. Four rows at a time: each covariance entry is read and
   * written once per four rows instead of once per row (the loop is bound by those loads and stores;
   * 10^6 × 128 took ≈10 s one row at a time).
   */
  add(from: number, to: number): void {
    const { dim, cov } = this;
    const [r0, r1, r2, r3] = this.rows;
    let i = from;
    for (; i + 4 <= to; i += 4) {
      this.centre(i, r0);
      this.centre(i + 1, r1);
      this.centre(i + 2, r2);
      this.centre(i + 3, r3);
      for (let a = 0; a < dim; a++) {
        const x0 = r0[a];
        const x1 = r1[a];
        const x2 = r2[a];
        const x3 = r3[a];
        const ca = a * dim;
        for (let b = a; b < dim; b++) cov[ca + b] += x0 * r0[b] + x1 * r1[b] + x2 * r2[b] + x3 * r3[b];
      }
    }
    for (; i < to; i++) {
      this.centre(i, r0);
      for (let a = 0; a < dim; a++) {
        const xa = r0[a];
        if (xa === 0) continue;
        const ca = a * dim;
        for (let b = a; b < dim; b++) cov[ca + b] += xa * r0[b];
      }
    }
  }

  /** Row i minus the mean, into `out`. */
  private centre(i: number, out: Float64Array): void {
    const { data, dim, mean } = this;
    const o = i * dim;
    for (let d = 0; d < dim; d++) out[d] = data[o + d] - mean[d];
  }

  finish(): { mean: Float64Array; cov: Float64Array } {
    const { dim, cov } = this;
    const denom = Math.max(this.n - 1, 1);
    for (let a = 0; a < dim; a++) {
      for (let b = a; b < dim; b++) {
        const v = cov[a * dim + b] / denom;
        cov[a * dim + b] = v;
        cov[b * dim + a] = v;
      }
    }
    return { mean: this.mean, cov };
  }
}

export function covariance(data: Float32Array, n: number, dim: number): { mean: Float64Array; cov: Float64Array } {
  const acc = new CovarianceAccumulator(data, n, dim);
  acc.add(0, n);
  return acc.finish();
}

/** Eigen-decomposition of a small symmetric matrix by cyclic Jacobi rotations; eigenvalues descending. */
export function symmetricEigen(m: Float64Array, size: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(m);
  const v = new Float64Array(size * size);
  for (let i = 0; i < size; i++) v[i * size + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < size; p++) for (let q = p + 1; q < size; q++) off += a[p * size + q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < size; p++) {
      for (let q = p + 1; q < size; q++) {
        const apq = a[p * size + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * size + q] - a[p * size + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < size; k++) {
          const akp = a[k * size + p];
          const akq = a[k * size + q];
          a[k * size + p] = c * akp - s * akq;
          a[k * size + q] = s * akp + c * akq;
        }
        for (let k = 0; k < size; k++) {
          const apk = a[p * size + k];
          const aqk = a[q * size + k];
          a[p * size + k] = c * apk - s * aqk;
          a[q * size + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < size; k++) {
          const vkp = v[k * size + p];
          const vkq = v[k * size + q];
          v[k * size + p] = c * vkp - s * vkq;
          v[k * size + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: size }, (_, i) => i).sort((x, y) => a[y * size + y] - a[x * size + x] || x - y);
  const values = new Float64Array(size);
  const vectors = new Float64Array(size * size); // column j = eigenvector j
  order.forEach((src, j) => {
    values[j] = a[src * size + src];
    for (let k = 0; k < size; k++) vectors[k * size + j] = v[k * size + src];
  });
  return { values, vectors };
}

/**
 * Top-k eigenvectors of a symmetric PSD matrix by orthogonal iteration on a block of k+2 vectors
 * (the extra vectors speed convergence when eigenvalues k and k+1 are close), finished with a
 * Rayleigh–Ritz step so the returned axes are eigenvectors, not just a basis of their span.
 */
export function topEigenvectors(cov: Float64Array, dim: number, k: number): { values: Float64Array; vectors: Float64Array } {
  const b = Math.min(dim, k + 2);
  if (dim <= 8) {
    const { values, vectors } = symmetricEigen(cov, dim);
    const out = new Float64Array(k * dim);
    for (let j = 0; j < Math.min(k, dim); j++) for (let d = 0; d < dim; d++) out[j * dim + d] = vectors[d * dim + j];
    return { values: values.slice(0, k), vectors: out };
  }
  // Deterministic, well-spread start: no randomness so the preview is reproducible.
  let q = new Float64Array(b * dim);
  for (let j = 0; j < b; j++)
    for (let d = 0; d < dim; d++) q[j * dim + d] = Math.cos((d + 1) * (j + 1) * 0.7071) + (d % (j + 2) === 0 ? 1 : 0);
  orthonormalize(q, b, dim);
  const z = new Float64Array(b * dim);
  let prev = new Float64Array(b);
  for (let iter = 0; iter < 2000; iter++) {
    z.fill(0);
    for (let j = 0; j < b; j++) {
      const qj = j * dim;
      for (let r = 0; r < dim; r++) {
        const cr = r * dim;
        let s = 0;
        for (let c = 0; c < dim; c++) s += cov[cr + c] * q[qj + c];
        z[qj + r] = s;
      }
    }
    const norms = new Float64Array(b);
    for (let j = 0; j < b; j++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += z[j * dim + d] * q[j * dim + d];
      norms[j] = s;
    }
    q = Float64Array.from(z);
    orthonormalize(q, b, dim);
    let delta = 0;
    for (let j = 0; j < k; j++) delta = Math.max(delta, Math.abs(norms[j] - prev[j]) / Math.max(Math.abs(norms[j]), 1e-300));
    prev = norms;
    if (iter > 5 && delta < 1e-13) break;
  }
  // Rayleigh–Ritz: T = Qᵀ C Q, rotate Q by T's eigenvectors.
  const t = new Float64Array(b * b);
  for (let i = 0; i < b; i++) {
    for (let j = 0; j < b; j++) {
      let s = 0;
      for (let r = 0; r < dim; r++) {
        let cr = 0;
        for (let c = 0; c < dim; c++) cr += cov[r * dim + c] * q[j * dim + c];
        s += q[i * dim + r] * cr;
      }
      t[i * b + j] = s;
    }
  }
  const ritz = symmetricEigen(t, b);
  const out = new Float64Array(k * dim);
  for (let j = 0; j < k; j++) {
    for (let d = 0; d < dim; d++) {
      let s = 0;
      for (let i = 0; i < b; i++) s += ritz.vectors[i * b + j] * q[i * dim + d];
      out[j * dim + d] = s;
    }
  }
  return { values: ritz.values.slice(0, k), vectors: out };
}

function orthonormalize(q: Float64Array, b: number, dim: number): void {
  for (let j = 0; j < b; j++) {
    for (let pass = 0; pass < 2; pass++) {
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += q[i * dim + d] * q[j * dim + d];
        for (let d = 0; d < dim; d++) q[j * dim + d] -= s * q[i * dim + d];
      }
    }
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += q[j * dim + d] ** 2;
    norm = Math.sqrt(norm);
    if (norm < 1e-150) {
      // Rank-deficient: replace by a unit vector orthogonal to the previous ones.
      for (let d = 0; d < dim; d++) q[j * dim + d] = d === j % dim ? 1 : 0;
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let d = 0; d < dim; d++) s += q[i * dim + d] * q[j * dim + d];
        for (let d = 0; d < dim; d++) q[j * dim + d] -= s * q[i * dim + d];
      }
      norm = Math.sqrt(q.subarray(j * dim, (j + 1) * dim).reduce((a, x) => a + x * x, 0)) || 1;
    }
    for (let d = 0; d < dim; d++) q[j * dim + d] /= norm;
  }
}

function axesFromCovariance(mean: Float64Array, cov: Float64Array, dim: number, k: number): PcaAxes {
  const kk = Math.min(k, dim);
  const { values, vectors } = topEigenvectors(cov, dim, kk);
  const axes = new Float64Array(k * dim);
  axes.set(vectors.subarray(0, kk * dim));
  for (let j = 0; j < kk; j++) {
    let best = 0;
    for (let d = 0; d < dim; d++) if (Math.abs(axes[j * dim + d]) > Math.abs(axes[j * dim + best]) + 1e-12) best = d;
    if (axes[j * dim + best] < 0) for (let d = 0; d < dim; d++) axes[j * dim + d] = -axes[j * dim + d];
  }
  const variances = new Float64Array(k);
  variances.set(values.subarray(0, kk).map((x) => Math.max(x, 0)));
  return { mean, axes, variances };
}

/** The principal axes of the data; each axis's sign makes its largest-magnitude entry positive. */
export function pcaAxes(data: Float32Array, n: number, dim: number, k = 2): PcaAxes {
  const { mean, cov } = covariance(data, n, dim);
  return axesFromCovariance(mean, cov, dim, k);
}

function project2d(data: Float32Array, n: number, dim: number, { mean, axes }: PcaAxes, out: Float32Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const o = i * dim;
    let x = 0;
    let y = 0;
    for (let d = 0; d < dim; d++) {
      const c = data[o + d] - mean[d];
      x += c * axes[d];
      y += c * axes[dim + d];
    }
    out[2 * i] = x;
    out[2 * i + 1] = y;
  }
}

/** N×dim row-major data → N×2 PCA coordinates (centred). A missing second axis (dim = 1) gives 0. */
export function pca2d(data: Float32Array, n: number, dim: number): Float32Array {
  if (data.length !== n * dim) throw new Error(`pca2d: data has ${data.length} values, expected ${n}×${dim}`);
  const out = new Float32Array(n * 2);
  if (n === 0 || dim === 0) return out;
  project2d(data, n, dim, pcaAxes(data, n, dim, 2), out, 0, n);
  return out;
}

/**
 * pca2d in slices that yield to the event loop (about 50 M multiply-adds each), for callers on
 * the extension host: the covariance of 100k × 512 embeddings is ~10^10 operations. Same result
 * as pca2d, bit for bit.
 */
export async function pca2dAsync(
  data: Float32Array,
  n: number,
  dim: number,
  signal?: AbortSignal,
  onProgress?: ProgressFn,
): Promise<Float32Array> {
  if (data.length !== n * dim) throw new Error(`pca2d: data has ${data.length} values, expected ${n}×${dim}`);
  const out = new Float32Array(n * 2);
  if (n === 0 || dim === 0) return out;
  // Covariance then projection, one row each: 2n steps, reported at a time-based cadence.
  const tick = ticker('PCA', 2 * n, { signal, onProgress });
  tick.report(0);
  const acc = new CovarianceAccumulator(data, n, dim);
  const rows = Math.max(1, Math.floor(1e8 / Math.max(dim * dim, 1)));
  for (let i = 0; i < n; i += rows) {
    throwIfAborted(signal);
    acc.add(i, Math.min(n, i + rows));
    await tick(Math.min(n, i + rows));
  }
  const { mean, cov } = acc.finish();
  const axes = axesFromCovariance(mean, cov, dim, 2);
  const prow = Math.max(1, Math.floor(5e7 / Math.max(dim, 1)));
  for (let i = 0; i < n; i += prow) {
    throwIfAborted(signal);
    project2d(data, n, dim, axes, out, i, Math.min(n, i + prow));
    await tick(n + Math.min(n, i + prow));
  }
  tick.report(2 * n);
  return out;
}
