import { CancelledError, LensError } from '../errors';
import { startWorker } from '../util/workerPath';
import type { EmbedJob, EmbedTimings, ModelInfo, SkippedItem, WorkerMessage } from './protocol';

export interface WorkerRunResult {
  info: ModelInfo;
  vectors: Float32Array;
  ok: Uint8Array;
  skipped: SkippedItem[];
  timings: EmbedTimings;
}

/** From source (tests under tsx) the entry is .ts; Node 20 does not pass tsx's hooks to workers, so register tsx there first. */
/**
 * Runs one embed job in a worker thread. Aborting rejects at once with CancelledError; the worker
 * stops after the batch in flight.
 */
export function runEmbedWorker(
  job: Omit<EmbedJob, 'spawnedAt'>,
  hooks: { signal?: AbortSignal; onModel?: (info: ModelInfo) => void; onProgress?: (done: number, skipped: number) => void },
): Promise<WorkerRunResult> {
  return new Promise((resolve, reject) => {
    if (hooks.signal?.aborted) return reject(new CancelledError());
    const worker = startWorker('embed', { workerData: { ...job, spawnedAt: performance.timeOrigin + performance.now() } });
    let info: ModelInfo | undefined;
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    // Ask the worker to stop after its current batch and reject at once; the thread is terminated
    // only once it has answered (idle), since terminating it inside an onnxruntime run aborts the
    // whole process. A worker stuck in one very long batch is terminated after a grace period.
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' });
      finish(() => reject(new CancelledError()));
      setTimeout(() => void worker.terminate(), 60_000).unref();
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'model') {
        // A second 'model' comes only when a GPU run fell back to the CPU: the result carries it, the start hook ran once.
        if (!info) hooks.onModel?.(m.info);
        info = m.info;
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
