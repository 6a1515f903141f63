import type { ProgressFn } from '../types';
import { CancelledError, LensError, throwIfAborted } from '../errors';
import { startWorker } from '../util/workerPath';
import { prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import type { TopKResult } from './scan';

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
/** Rows whose exact neighbours are computed to measure the approximate graph's recall. */
const RECALL_SAMPLE = 500;

export async function knnGraph(
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  opts?: { normalize?: boolean; approximate?: 'auto' | 'exact' | 'usearch'; signal?: AbortSignal; onProgress?: ProgressFn },
): Promise<KnnGraph> {
  if (!Number.isInteger(k) || k < 1) throw new LensError(`k must be a positive integer, got ${k}`);
  if (n < 2) throw new LensError(`a kNN graph needs at least 2 embeddings, got ${n}`);
  if (k > n - 1) throw new LensError(`k = ${k} neighbours requested but only ${n - 1} other items exist`);
  const rows = prepareEmbeddings(data, n, dim, opts?.normalize ?? true);
  const mode = opts?.approximate ?? 'auto';
  const useApprox = mode === 'usearch' || (mode === 'auto' && n > APPROXIMATE_THRESHOLD);
  if (!useApprox) {
    const r = (await exactKnn(rows, n, dim, k, null, opts?.signal, opts?.onProgress)) as TopKResult;
    return { n, k, indices: r.indices, distances: r.distances };
  }
  const approx = await usearchKnn(rows, n, dim, k, opts?.signal, opts?.onProgress);
  // Recall of the approximate graph, measured against exact search on an evenly spread sample.
  const m = Math.min(n, RECALL_SAMPLE);
  const sample = Int32Array.from({ length: m }, (_, i) => Math.floor((i * n) / m));
  const exact = await exactKnn(rows, n, dim, k, sample, opts?.signal);
  let found = 0;
  for (let s = 0; s < m; s++) {
    const want = new Set(exact.indices.subarray(s * k, (s + 1) * k));
    const q = sample[s];
    for (let t = 0; t < k; t++) if (want.has(approx.indices[q * k + t])) found++;
  }
  return { n, k, indices: approx.indices, distances: approx.distances, approximate: { method: 'usearch', recall: found / (m * k), sampled: m } };
}

/** Exact top-k of the given rows (all when `subset` is null) against every row, self excluded. */
async function exactKnn(rows: Float32Array, n: number, dim: number, k: number, subset: Int32Array | null, signal?: AbortSignal, onProgress?: ProgressFn): Promise<TopKResult> {
  let queries = rows;
  let selfIndex: Int32Array;
  if (subset) {
    queries = new Float32Array(subset.length * dim);
    subset.forEach((q, i) => queries.set(rows.subarray(q * dim, (q + 1) * dim), i * dim));
    selfIndex = subset;
  } else {
    selfIndex = Int32Array.from({ length: n }, (_, i) => i);
  }
  const nq = subset ? subset.length : n;
  return (await runScan({ queries, nQueries: nq, gallery: rows, nGallery: n, dim, selfIndex }, { kind: 'topk', k }, { signal, onProgress, stage: 'kNN (exact)' })) as TopKResult;
}

function usearchKnn(rows: Float32Array, n: number, dim: number, k: number, signal?: AbortSignal, onProgress?: ProgressFn): Promise<TopKResult> {
  throwIfAborted(signal);
  return new Promise((resolve, reject) => {
    const w = startWorker('usearch');
    // Cooperative stop between chunks: terminating during a native call can abort the process.
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const onAbort = () => Atomics.store(cancel, 0, 1);
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = () => signal?.removeEventListener('abort', onAbort);
    w.on('message', (m: { type: 'progress'; stage: string; done: number; total: number } | { type: 'done'; indices: Int32Array; distances: Float32Array } | { type: 'cancelled' } | { type: 'error'; message: string }) => {
      if (m.type === 'progress') onProgress?.({ stage: `kNN (usearch ${m.stage})`, done: m.done, total: m.total });
      else if (m.type === 'done') {
        finish();
        resolve({ indices: m.indices, distances: m.distances });
      } else if (m.type === 'cancelled') {
        finish();
        reject(new CancelledError());
      } else {
        finish();
        reject(new Error(`usearch worker failed: ${m.message}`));
      }
    });
    w.on('error', (e) => {
      finish();
      reject(e);
    });
    w.on('exit', () => {
      finish();
      reject(new Error('usearch worker exited without a result'));
    });
    w.postMessage({ data: rows, n, dim, k, cancel });
  });
}
