import { Worker } from 'node:worker_threads';
import { CancelledError, LensError } from '../errors';
import { workerPath } from '../util/workerPath';
import type { EmbedJob, EmbedTimings, ModelInfo, SkippedItem, WorkerMessage } from './protocol';

export interface WorkerRunResult {
  info: ModelInfo;
  vectors: Float32Array;
  ok: Uint8Array;
  skipped: SkippedItem[];
  timings: EmbedTimings;
}

/** From source (tests under tsx) the entry is .ts; Node 20 does not pass tsx's hooks to workers, so register tsx there first. */
function startWorker(path: string, workerData: EmbedJob): Worker {
  if (!path.endsWith('.ts')) return new Worker(path, { workerData });
  return new Worker(`require('tsx/cjs'); require(${JSON.stringify(path)});`, { eval: true, workerData });
}

/**
 * Runs one embed job in a worker thread. Aborting terminates the thread at once (inference
 * calls cannot be interrupted from inside), and the promise rejects with CancelledError.
 */
export function runEmbedWorker(
  job: Omit<EmbedJob, 'spawnedAt'>,
  hooks: { signal?: AbortSignal; onModel?: (info: ModelInfo) => void; onProgress?: (done: number, skipped: number) => void },
): Promise<WorkerRunResult> {
  return new Promise((resolve, reject) => {
    if (hooks.signal?.aborted) return reject(new CancelledError());
    const worker = startWorker(workerPath('embed'), { ...job, spawnedAt: performance.timeOrigin + performance.now() });
    let info: ModelInfo | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      finish(() => reject(new CancelledError()));
      void worker.terminate();
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'model') {
        info = m.info;
        hooks.onModel?.(m.info);
      } else if (m.type === 'progress') hooks.onProgress?.(m.done, m.skipped);
      else if (m.type === 'done') {
        finish(() => resolve({ info: info!, vectors: m.vectors, ok: m.ok, skipped: m.skipped, timings: m.timings }));
        void worker.terminate();
      } else if (m.type === 'error') {
        const err = m.name === 'LensError' ? new LensError(m.message, m.file, m.code) : new Error(m.message);
        finish(() => reject(err));
        void worker.terminate();
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the embed worker exited (code ${code}) before finishing`))));
  });
}
