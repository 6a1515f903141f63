import type { ProgressFn } from '../types';
import { LensError, throwIfAborted } from '../errors';
import { invokeWorker } from '../util/workerCall';
import type { handleUsearch, UsearchResult } from '../workers/usearch';
import { prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import type { TopKResult } from './scan';
import { RECALL_SAMPLE } from './sampledRecall';

/** Row-major n×k, ascending distance, ties by index, self excluded by index. */
export interface KnnGraph {
  n: number;
  k: number;
  indices: Int32Array;
  distances: Float32Array;
  /** Present when the graph came from the approximate index: its recall@k against exact search on a sample of rows. */
  approximate?: { method: 'usearch'; recall: number; sampled: number };
}

/** Above this many rows `approximate: 'auto'` switches to usearch: exact search grows as n². */
export const APPROXIMATE_THRESHOLD = 100_000;
/** An `exactLimit` below this is not followed: exact search of this many rows is about a second. */
export const MIN_APPROXIMATE_ROWS = 5_000;

export async function knnGraph(
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts?: {
    normalize?: boolean;
    approximate?: 'auto' | 'exact' | 'usearch';
    /** 'auto' switches above this many rows (an inspection passes embeddingLens.metrics.exactLimit); default APPROXIMATE_THRESHOLD. */
    exactLimit?: number;
    signal?: AbortSignal;
    onProgress?: ProgressFn;
  },
): Promise<KnnGraph> {
  if (!Number.isInteger(k) || k < 1) throw new LensError(`k must be a positive integer, got ${k}`);
  if (n < 2) throw new LensError(`a kNN graph needs at least 2 embeddings, got ${n}`);
  if (k > n - 1) throw new LensError(`k = ${k} neighbours requested but only ${n - 1} other items exist`);
  const rows = prepareEmbeddings(data, n, dim, opts?.normalize ?? true);
  const mode = opts?.approximate ?? 'auto';
  const limit = Math.max(MIN_APPROXIMATE_ROWS, opts?.exactLimit ?? APPROXIMATE_THRESHOLD);
  const useApprox = mode === 'usearch' || (mode === 'auto' && n > limit);
  if (!useApprox) {
    const r = await exactKnn(rows, n, dim, k, opts?.signal, opts?.onProgress);
    return { n, k, indices: r.indices, distances: r.distances };
  }
  const approx = await usearchKnn(rows, n, dim, k, opts?.signal, opts?.onProgress);
  return {
    n,
    k,
    indices: approx.indices,
    distances: approx.distances,
    approximate: { method: 'usearch', recall: approx.recall, sampled: approx.sampled },
  };
}

/** Exact top-k of every row against every row, self excluded. */
async function exactKnn(
  rows: Float32Array,
  n: number,
  dim: number,
  k: number,
  signal?: AbortSignal,
  onProgress?: ProgressFn,
): Promise<TopKResult> {
  const selfIndex = Int32Array.from({ length: n }, (_, i) => i);
  return (await runScan(
    { queries: rows, nQueries: n, gallery: rows, nGallery: n, dim, selfIndex },
    { kind: 'topk', k },
    { signal, onProgress, stage: 'kNN (exact)' },
  )) as TopKResult;
}

async function usearchKnn(
  rows: Float32Array,
  n: number,
  dim: number,
  k: number,
  signal?: AbortSignal,
  onProgress?: ProgressFn,
): Promise<UsearchResult> {
  throwIfAborted(signal);
  // Cooperative stop between chunks: terminating during a native call can abort the process.
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(cancel, 0, 1);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await invokeWorker<typeof handleUsearch>(
      'usearch',
      { data: rows, n, dim, k, cancel, recallRows: RECALL_SAMPLE },
      {
        signal,
        onCancel: 'wait',
        onProgress: (p) => onProgress?.({ stage: `kNN (usearch ${p.stage})`, done: p.done, total: p.total }),
      },
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
