/**
 * Embeddings → 2-D map in one call, for the CLI and the panel: input checks, PCA, and UMAP fed by
 * the retrieval engine's kNN graph. The documented fallbacks for awkward input live here:
 * - NaN/Inf rows: LensError naming the rows (never a silently wrong map).
 * - fewer points than n_neighbors: n_neighbors is lowered to the number of points, with a warning.
 * - duplicate rows: kept; they land (almost) on top of each other, with a warning. If every row
 *   is the same point, the map is all zeros.
 */
import { LensError, throwIfAborted } from '../errors';
import { clampThreads, enforceCap } from '../limits';
import { knnGraph, type KnnGraph } from '../retrieval/knn';
import { pca2dAsync } from './pca';
import { resolveUmapParams, runUmap, type UmapOptions, type UmapParams } from './umap';

export interface ProjectOptions extends UmapOptions {
  method?: 'umap' | 'pca';
  /** UMAP n_neighbors, counting the point itself (umap-learn's meaning). Default 15. */
  nNeighbors?: number;
  /** kNN search mode passed to knnGraph. Default 'auto'. */
  approximate?: 'auto' | 'exact' | 'usearch';
  /** Names the input in error messages. */
  source?: string;
  /** An already computed graph over the same rows (k ≥ nNeighbors − 1) — skips the kNN search. */
  graph?: KnnGraph;
}

export interface ProjectResult {
  xy: Float32Array;
  method: 'umap' | 'pca';
  /** The resolved UMAP parameters (absent for PCA). */
  params?: UmapParams;
  warnings: string[];
  /** Recall of the approximate kNN graph when usearch built it. */
  knnRecall?: number;
}

/** Throws a LensError naming the first non-finite rows. */
export function checkFiniteRows(data: Float32Array, n: number, dim: number, source?: string): void {
  const bad: number[] = [];
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      if (!Number.isFinite(data[i * dim + d])) {
        count++;
        if (bad.length < 5) bad.push(i);
        break;
      }
    }
  }
  if (count > 0) {
    throw new LensError(
      `${count} row(s) contain NaN or Inf (first: ${bad.join(', ')}); expected finite embeddings — drop or fix those rows`,
      source,
    );
  }
}

/**
 * How many rows repeat an earlier row exactly (bit for bit). Rows are bucketed by a 32-bit hash of
 * their bits and compared in full within a bucket, so a collision never counts as a duplicate;
 * about ten times cheaper than a cryptographic hash per row.
 */
export function countDuplicateRows(data: Float32Array, n: number, dim: number): number {
  const bits = new Uint32Array(data.buffer, data.byteOffset, n * dim);
  // First row per hash; rows whose hash is taken by a different row wait in `others`.
  const first = new Map<number, number>();
  const others = new Map<number, number[]>();
  const sameRow = (a: number, b: number): boolean => {
    for (let c = 0; c < dim; c++) if (bits[a * dim + c] !== bits[b * dim + c]) return false;
    return true;
  };
  let dup = 0;
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5;
    for (let c = 0; c < dim; c++) h = Math.imul(h ^ bits[i * dim + c], 0x01000193);
    const j = first.get(h);
    if (j === undefined) first.set(h, i);
    else if (sameRow(i, j)) dup++;
    else {
      const list = others.get(h) ?? [];
      if (list.some((k) => sameRow(i, k))) dup++;
      else list.push(i);
      others.set(h, list);
    }
  }
  return dup;
}

/** Keeps the first k of each row's neighbours (the graph is sorted ascending). */
export function truncateGraph(g: KnnGraph, k: number): KnnGraph {
  if (g.k === k) return g;
  const indices = new Int32Array(g.n * k);
  const distances = new Float32Array(g.n * k);
  for (let i = 0; i < g.n; i++) {
    indices.set(g.indices.subarray(i * g.k, i * g.k + k), i * k);
    distances.set(g.distances.subarray(i * g.k, i * g.k + k), i * k);
  }
  return { n: g.n, k, indices, distances };
}

export async function projectEmbeddings(data: Float32Array, n: number, dim: number, opts: ProjectOptions = {}): Promise<ProjectResult> {
  const source = opts.source;
  if (data.length !== n * dim) throw new LensError(`expected ${n}×${dim} = ${n * dim} values, got ${data.length}`, source);
  if (n === 0) throw new LensError('no embeddings to project (0 rows)', source);
  checkFiniteRows(data, n, dim, source);
  throwIfAborted(opts.signal);
  const method = opts.method ?? 'umap';
  const warnings: string[] = [];
  // Caps before any work, so an absurd setting fails at once (VS Code settings are not bounded by their schema).
  if (opts.nNeighbors !== undefined) enforceCap('umapNeighbors', opts.nNeighbors);
  if (opts.nEpochs !== undefined) enforceCap('umapEpochs', opts.nEpochs);
  const threadNote = opts.threads === undefined ? undefined : clampThreads(opts.threads).note;
  if (threadNote) warnings.push(threadNote);
  const duplicates = countDuplicateRows(data, n, dim);
  if (duplicates === n - 1 && n > 1) {
    warnings.push(`all ${n} rows are the same point; the map is all zeros`);
    return { xy: new Float32Array(n * 2), method, warnings };
  }
  if (duplicates > 0)
    warnings.push(`${duplicates} row(s) repeat an earlier row exactly; duplicates are drawn (almost) on top of each other`);
  const init = await pca2dAsync(data, n, dim, opts.signal, opts.onProgress);
  if (method === 'pca') return { xy: init, method, warnings };
  if (method !== 'umap') throw new LensError(`unknown projection method "${String(method)}" (expected umap or pca)`);
  if (n === 1) return { xy: new Float32Array(2), method, warnings };

  let nNeighbors = opts.nNeighbors ?? 15;
  if (!Number.isInteger(nNeighbors) || nNeighbors < 2) throw new LensError(`n_neighbors must be an integer ≥ 2, got ${nNeighbors}`, source);
  if (nNeighbors > n) {
    warnings.push(`only ${n} points: n_neighbors lowered from ${nNeighbors} to ${n}`);
    nNeighbors = n;
  }
  const k = nNeighbors - 1;
  let graph: KnnGraph;
  if (opts.graph) {
    if (opts.graph.n !== n || opts.graph.k < k)
      throw new LensError(
        `the supplied kNN graph is ${opts.graph.n}×${opts.graph.k}; expected ${n} rows and at least ${k} neighbours`,
        source,
      );
    graph = truncateGraph(opts.graph, k);
  } else {
    graph = await knnGraph(data, n, dim, k, {
      normalize: opts.metric === 'cosine',
      approximate: opts.approximate ?? 'auto',
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
  }
  const params = resolveUmapParams(graph, opts);
  const xy = await runUmap(graph, { ...opts, init: opts.init ?? init });
  return { xy, method, params, warnings, knnRecall: graph.approximate?.recall };
}
