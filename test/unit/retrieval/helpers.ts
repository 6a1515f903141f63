/** Deterministic test data for the retrieval tests (mulberry32 + Box–Muller). */
import { mulberry32 } from '../../../src/core/util/random';
export const rng = mulberry32;

/** Gaussian blobs: `classes` centres, each row a centre plus noise; labels cycle through classes. */
export function blobs(n: number, dim: number, classes: number, seed: number, noise = 0.6): { data: Float32Array; labels: Int32Array } {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centres = Array.from({ length: classes }, () => Array.from({ length: dim }, gauss));
  const data = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % classes;
    for (let k = 0; k < dim; k++) data[i * dim + k] = centres[labels[i]][k] + noise * gauss();
  }
  return { data, labels };
}

/** Float64 brute-force neighbours of row q, self excluded, ties by index. */
export function bruteNeighbours(data: Float32Array, n: number, dim: number, q: number, normalize: boolean): { j: number; d: number }[] {
  const row = (i: number) => {
    const v = Array.from(data.subarray(i * dim, (i + 1) * dim));
    if (!normalize) return v;
    const s = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / s);
  };
  const a = row(q);
  const out: { j: number; d: number }[] = [];
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    const b = row(j);
    out.push({ j, d: Math.sqrt(a.reduce((s, x, t) => s + (x - b[t]) ** 2, 0)) });
  }
  return out.sort((x, y) => x.d - y.d || x.j - y.j);
}
