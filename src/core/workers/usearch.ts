import { parentPort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/**
 * Approximate kNN with usearch's HNSW, off the main thread (its add/search calls are synchronous
 * native code that would otherwise hold the event loop for seconds). Input rows are already
 * prepared (normalised or raw); the metric is squared L2 so distances match the exact path.
 */
interface Request {
  data: Float32Array;
  n: number;
  dim: number;
  k: number;
  /** Set to 1 by the main thread to stop; checked between chunks (the worker is never terminated mid-call). */
  cancel: Int32Array;
}

parentPort!.once('message', (m: Request) => {
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const usearch = require('usearch') as typeof import('usearch');
    const { data, n, dim, k } = m;
    const cancelled = () => {
      if (Atomics.load(m.cancel, 0) === 0) return false;
      parentPort!.postMessage({ type: 'cancelled' });
      return true;
    };
    const threads = Math.max(1, availableParallelism());
    const index = new usearch.Index({ dimensions: dim, metric: usearch.MetricKind.L2sq, quantization: usearch.ScalarKind.F32, connectivity: 16, expansion_add: 128, expansion_search: Math.max(64, 2 * (k + 1)), multi: false } as never);
    const chunk = 4096;
    for (let s = 0; s < n; s += chunk) {
      if (cancelled()) return;
      const e = Math.min(n, s + chunk);
      const keys = new BigUint64Array(e - s);
      for (let i = s; i < e; i++) keys[i - s] = BigInt(i);
      index.add(keys, data.subarray(s * dim, e * dim), threads);
      parentPort!.postMessage({ type: 'progress', stage: 'build', done: e, total: n });
    }
    const indices = new Int32Array(n * k).fill(-1);
    const distances = new Float32Array(n * k).fill(Infinity);
    for (let s = 0; s < n; s += chunk) {
      if (cancelled()) return;
      const e = Math.min(n, s + chunk);
      // k + 1 because the query itself is usually its own first hit; it is dropped by index below.
      const res = index.search(data.subarray(s * dim, e * dim), k + 1, threads) as unknown as { keys: BigUint64Array; distances: Float32Array; counts?: BigUint64Array };
      for (let q = s; q < e; q++) {
        const base = (q - s) * (k + 1);
        const count = res.counts ? Number(res.counts[q - s]) : k + 1;
        let w = 0;
        for (let t = 0; t < count && w < k; t++) {
          const j = Number(res.keys[base + t]);
          if (j === q || j < 0 || j >= n) continue;
          indices[q * k + w] = j;
          distances[q * k + w] = Math.sqrt(Math.max(0, res.distances[base + t]));
          w++;
        }
      }
      parentPort!.postMessage({ type: 'progress', stage: 'search', done: e, total: n });
    }
    parentPort!.postMessage({ type: 'done', indices, distances }, [indices.buffer, distances.buffer]);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
