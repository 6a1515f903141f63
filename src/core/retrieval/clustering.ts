import { LensError, throwIfAborted } from '../errors';
import { checkLabels, prepareEmbeddings } from './prepare';
import { mulberry32 } from '../util/random';

/**
 * NMI and AMI of SPEC §2: k-means (k = number of classes, k-means++ seeding from a fixed seed, so
 * a run is reproducible) on the embeddings, scored against the labels. NMI and AMI use the
 * arithmetic-mean normaliser (scikit-learn's default), AMI with the exact expected mutual
 * information under the hypergeometric model.
 */

/** The engine's seeded generator (util/random), under this module's name. */
export const seededRandom = mulberry32;

export interface KMeansResult {
  assignment: Int32Array;
  centroids: Float32Array;
  inertia: number;
  iterations: number;
}

export async function kmeans(
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts: { seed?: number; maxIter?: number; tol?: number; signal?: AbortSignal } = {},
): Promise<KMeansResult> {
  if (!Number.isInteger(k) || k < 1 || k > n) throw new LensError(`k-means needs 1 ≤ k ≤ ${n} clusters, got ${k}`);
  const rand = seededRandom(opts.seed ?? 0);
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-7;
  const centroids = new Float32Array(k * dim);
  const d2 = new Float64Array(n);
  const sqDist = (i: number, c: number) => {
    let s = 0;
    for (let t = 0; t < dim; t++) {
      const v = data[i * dim + t] - centroids[c * dim + t];
      s += v * v;
    }
    return s;
  };

  // k-means++: the first centre uniformly, each next one with probability ∝ D(x)².
  let first = Math.floor(rand() * n);
  centroids.set(data.subarray(first * dim, (first + 1) * dim), 0);
  for (let i = 0; i < n; i++) d2[i] = sqDist(i, 0);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i];
    let pick = n - 1;
    if (total > 0) {
      let x = rand() * total;
      for (let i = 0; i < n; i++) {
        x -= d2[i];
        if (x < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = Math.floor(rand() * n);
    }
    centroids.set(data.subarray(pick * dim, (pick + 1) * dim), c * dim);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i], sqDist(i, c));
    first = pick;
  }

  const assignment = new Int32Array(n);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  let inertia = Infinity;
  let iterations = 0;
  for (let it = 0; it < maxIter; it++) {
    throwIfAborted(opts.signal);
    iterations = it + 1;
    let cost = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bd = Infinity;
      for (let c = 0; c < k; c++) {
        const d = sqDist(i, c);
        if (d < bd) {
          bd = d;
          best = c;
        }
      }
      assignment[i] = best;
      d2[i] = bd;
      cost += bd;
    }
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignment[i];
      counts[c]++;
      for (let t = 0; t < dim; t++) sums[c * dim + t] += data[i * dim + t];
    }
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // An empty cluster restarts at the point farthest from its centre.
        let far = 0;
        for (let i = 1; i < n; i++) if (d2[i] > d2[far]) far = i;
        centroids.set(data.subarray(far * dim, (far + 1) * dim), c * dim);
        d2[far] = 0;
        continue;
      }
      for (let t = 0; t < dim; t++) centroids[c * dim + t] = sums[c * dim + t] / counts[c];
    }
    const converged = inertia - cost <= tol * Math.max(cost, 1e-300);
    inertia = cost;
    if (converged) break;
    // One iteration at a time, so a big run never holds the event loop for long.
    await new Promise<void>((r) => setImmediate(r));
  }
  return { assignment, centroids, inertia, iterations };
}

/** ln(k!) for k = 0..n, by cumulative sums (exact enough: each step adds one rounding). */
function logFactorials(n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) out[i] = out[i - 1] + Math.log(i);
  return out;
}

export interface ClusterAgreement {
  nmi: number;
  ami: number;
}

/** NMI and AMI (arithmetic normaliser) between two labelings of the same items. */
export function clusterAgreement(a: Int32Array, b: Int32Array): ClusterAgreement {
  if (a.length !== b.length) throw new RangeError(`clusterAgreement: ${a.length} vs ${b.length} labels`);
  const n = a.length;
  const ids = (x: Int32Array) => {
    const m = new Map<number, number>();
    const out = new Int32Array(n);
    x.forEach((v, i) => {
      if (!m.has(v)) m.set(v, m.size);
      out[i] = m.get(v)!;
    });
    return { out, size: m.size };
  };
  const A = ids(a);
  const B = ids(b);
  const R = A.size;
  const C = B.size;
  // Identical trivial partitions agree perfectly (scikit-learn's convention).
  if ((R === 1 && C === 1) || R === n && C === n) return { nmi: 1, ami: 1 };
  const table = new Float64Array(R * C);
  for (let i = 0; i < n; i++) table[A.out[i] * C + B.out[i]]++;
  const ra = new Float64Array(R);
  const cb = new Float64Array(C);
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    ra[i] += table[i * C + j];
    cb[j] += table[i * C + j];
  }
  const entropy = (xs: Float64Array) => xs.reduce((h, x) => (x > 0 ? h - (x / n) * Math.log(x / n) : h), 0);
  const ha = entropy(ra);
  const hb = entropy(cb);
  let mi = 0;
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    const nij = table[i * C + j];
    if (nij > 0) mi += (nij / n) * Math.log((n * nij) / (ra[i] * cb[j]));
  }
  mi = Math.max(mi, 0);
  const mean = (ha + hb) / 2;
  const nmi = mean > 0 ? mi / mean : 1;

  const lf = logFactorials(n);
  let emi = 0;
  for (let i = 0; i < R; i++) for (let j = 0; j < C; j++) {
    const ai = ra[i];
    const bj = cb[j];
    const lo = Math.max(1, ai + bj - n);
    const hi = Math.min(ai, bj);
    const fixed = lf[ai] + lf[bj] + lf[n - ai] + lf[n - bj] - lf[n];
    for (let nij = lo; nij <= hi; nij++) {
      const p = Math.exp(fixed - lf[nij] - lf[ai - nij] - lf[bj - nij] - lf[n - ai - bj + nij]);
      emi += (nij / n) * Math.log((n * nij) / (ai * bj)) * p;
    }
  }
  let denom = mean - emi;
  denom = denom < 0 ? Math.min(denom, -Number.EPSILON) : Math.max(denom, Number.EPSILON);
  return { nmi, ami: (mi - emi) / denom };
}

export interface ClusteringScores extends ClusterAgreement {
  k: number;
  seed: number;
  iterations: number;
  inertia: number;
}

/** k-means with k = number of classes on the (normalised) embeddings, scored against the labels. */
export async function clusteringScores(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: { normalize?: boolean; seed?: number; file?: string; signal?: AbortSignal } = {},
): Promise<ClusteringScores> {
  checkLabels(labels, n, opts.file);
  const rows = prepareEmbeddings(data, n, dim, opts.normalize ?? true, opts.file);
  const k = new Set(labels).size;
  if (k < 2) throw new LensError('NMI/AMI need at least two classes', opts.file);
  const seed = opts.seed ?? 0;
  const km = await kmeans(rows, n, dim, k, { seed, signal: opts.signal });
  return { ...clusterAgreement(labels, km.assignment), k, seed, iterations: km.iterations, inertia: km.inertia };
}
