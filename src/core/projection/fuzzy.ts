/**
 * UMAP's fuzzy simplicial set from a precomputed kNN graph (the retrieval engine's, so the data is
 * never searched twice), exactly as umap-learn builds it: per point a distance to the nearest
 * neighbour ρ and a bandwidth σ so the memberships sum to log2(n_neighbors), then the fuzzy union
 * P + Pᵀ − P∘Pᵀ, pruning of edges too weak to be sampled, and the epochs-per-sample schedule.
 */
import { LensError } from '../errors';

/**
 * The retrieval engine's graph: row-major n×k, ascending, self excluded. UMAP's n_neighbors counts
 * the point itself, so a graph with k neighbours is n_neighbors = k + 1 (umap-learn's 15 ↔ k = 14).
 */
export type { KnnGraph } from '../retrieval/knn';
import type { KnnGraph } from '../retrieval/knn';

/** Symmetric weighted graph as COO edges grouped by head (both directions of each pair present). */
export interface FuzzyGraph {
  n: number;
  /** rowStart[i]..rowStart[i+1] are the edges whose head is i. */
  rowStart: Int32Array;
  head: Int32Array;
  tail: Int32Array;
  weight: Float32Array;
}

const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;

/** Refuses graphs that would give a wrong map rather than an error: bad indices, NaN distances. */
export function checkKnnGraph(g: KnnGraph, source = 'kNN graph'): void {
  if (!Number.isInteger(g.n) || !Number.isInteger(g.k) || g.n < 0 || g.k < 0) {
    throw new LensError(`expected integer n and k, got n=${g.n}, k=${g.k}`, source);
  }
  if (g.indices.length !== g.n * g.k || g.distances.length !== g.n * g.k) {
    throw new LensError(
      `expected ${g.n}×${g.k} = ${g.n * g.k} neighbours, got ${g.indices.length} indices and ${g.distances.length} distances`,
      source,
    );
  }
  if (g.n >= 2 && g.k < 1) throw new LensError('the graph has no neighbours (k = 0); UMAP needs k ≥ 1', source);
  if (g.k > g.n - 1 && g.n > 0) {
    throw new LensError(
      `${g.n} points cannot have ${g.k} neighbours each (at most ${g.n - 1}); lower n_neighbors to at most ${g.n}`,
      source,
    );
  }
  for (let i = 0; i < g.n; i++) {
    for (let j = 0; j < g.k; j++) {
      const t = g.indices[i * g.k + j];
      const d = g.distances[i * g.k + j];
      if (!(t >= 0 && t < g.n) || t === i) {
        throw new LensError(`row ${i} neighbour ${j} is ${t}; expected an index in [0, ${g.n}) other than the row itself`, source);
      }
      if (!(d >= 0) || !Number.isFinite(d)) {
        throw new LensError(
          `row ${i} neighbour ${j} has distance ${d}; expected a finite distance ≥ 0 (NaN rows in the embeddings?)`,
          source,
        );
      }
    }
  }
}

/** ρ (distance to the first neighbour farther than 0) and σ per point, as umap-learn's smooth_knn_dist with local_connectivity = 1. */
export function smoothKnnDist(g: KnnGraph): { rho: Float64Array; sigma: Float64Array } {
  const { n, k, distances } = g;
  const target = Math.log2(k + 1);
  const rho = new Float64Array(n);
  const sigma = new Float64Array(n);
  let meanAll = 0;
  for (let i = 0; i < n * k; i++) meanAll += distances[i];
  // umap-learn averages over the n×(k+1) matrix that includes each point's zero self-distance.
  meanAll /= Math.max(n * (k + 1), 1);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    let r = 0;
    let rowSum = 0;
    for (let j = 0; j < k; j++) {
      const d = distances[o + j];
      rowSum += d;
      if (r === 0 && d > 0) r = d;
    }
    rho[i] = r;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let it = 0; it < 64; it++) {
      let psum = 0;
      for (let j = 0; j < k; j++) {
        const d = distances[o + j] - r;
        psum += d > 0 ? Math.exp(-d / mid) : 1;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const meanRow = rowSum / (k + 1);
    if (r > 0) {
      if (mid < MIN_K_DIST_SCALE * meanRow) mid = MIN_K_DIST_SCALE * meanRow;
    } else if (mid < MIN_K_DIST_SCALE * meanAll) {
      mid = MIN_K_DIST_SCALE * meanAll;
    }
    sigma[i] = mid;
  }
  return { rho, sigma };
}

/**
 * The symmetrised fuzzy graph. Edges weaker than max/nEpochs are dropped (they would never be
 * sampled), like umap-learn does before optimising.
 */
export function fuzzySimplicialSet(g: KnnGraph, nEpochs: number, afterPhase?: (phase: number) => void): FuzzyGraph {
  const { n, k, indices, distances } = g;
  // afterPhase(1..4): each phase is a pass over n·k edges, ~1 s at 10^6 points; the UMAP worker reports them.
  const { rho, sigma } = smoothKnnDist(g);
  afterPhase?.(1);
  // Directed memberships P (row i → indices[i, j]).
  const p = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const d = distances[i * k + j] - rho[i];
      p[i * k + j] = d <= 0 || sigma[i] === 0 ? 1 : Math.exp(-d / sigma[i]);
    }
  }
  afterPhase?.(2);
  // Pᵀ as in-edge lists by counting sort.
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inStart[indices[e] + 1]++;
  for (let i = 0; i < n; i++) inStart[i + 1] += inStart[i];
  const inFrom = new Int32Array(n * k);
  const inVal = new Float64Array(n * k);
  const fill = inStart.slice(0, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const t = indices[i * k + j];
      const slot = fill[t]++;
      inFrom[slot] = i;
      inVal[slot] = p[i * k + j];
    }
  }
  afterPhase?.(3);
  // Union row by row: a marker array finds a reverse edge in O(1) without sorting rows.
  const cap = 2 * n * k;
  const rowStart = new Int32Array(n + 1);
  const tailTmp = new Int32Array(cap);
  const wTmp = new Float64Array(cap);
  const slotOf = new Int32Array(n).fill(-1);
  let m = 0;
  let wMax = 0;
  for (let i = 0; i < n; i++) {
    const start = m;
    for (let j = 0; j < k; j++) {
      const t = indices[i * k + j];
      if (slotOf[t] >= 0) continue; // a repeated neighbour id: keep the first (nearest)
      slotOf[t] = m;
      tailTmp[m] = t;
      wTmp[m] = p[i * k + j];
      m++;
    }
    for (let s = inStart[i]; s < inStart[i + 1]; s++) {
      const f = inFrom[s];
      const q = inVal[s];
      const slot = slotOf[f];
      if (slot >= start && slot >= 0) {
        const w = wTmp[slot];
        wTmp[slot] = w + q - w * q;
      } else {
        slotOf[f] = m;
        tailTmp[m] = f;
        wTmp[m] = q;
        m++;
      }
    }
    for (let e = start; e < m; e++) {
      slotOf[tailTmp[e]] = -1;
      if (wTmp[e] > wMax) wMax = wTmp[e];
    }
    rowStart[i + 1] = m;
  }
  afterPhase?.(4);
  // Prune and compact.
  const threshold = nEpochs > 0 ? wMax / nEpochs : 0;
  let kept = 0;
  for (let e = 0; e < m; e++) if (wTmp[e] >= threshold && wTmp[e] > 0) kept++;
  const head = new Int32Array(kept);
  const tail = new Int32Array(kept);
  const weight = new Float32Array(kept);
  const outStart = new Int32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    for (let e = rowStart[i]; e < rowStart[i + 1]; e++) {
      const w = wTmp[e];
      if (w >= threshold && w > 0) {
        head[o] = i;
        tail[o] = tailTmp[e];
        weight[o] = w;
        o++;
      }
    }
    outStart[i + 1] = o;
  }
  return { n, rowStart: outStart, head, tail, weight };
}

/** How many epochs apart each edge is sampled: the strongest edge every epoch, weaker ones proportionally less. */
export function epochsPerSample(weight: Float32Array): Float64Array {
  let wMax = 0;
  for (let i = 0; i < weight.length; i++) if (weight[i] > wMax) wMax = weight[i];
  const out = new Float64Array(weight.length);
  for (let i = 0; i < weight.length; i++) out[i] = weight[i] > 0 ? wMax / weight[i] : -1;
  return out;
}

/** umap-learn's default optimisation length: 500 epochs up to 10,000 points, 200 beyond. */
export function defaultEpochs(n: number): number {
  return n <= 10000 ? 500 : 200;
}
