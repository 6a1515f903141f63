import { CancelledError, LensError } from '../errors';
import { startWorker } from '../util/workerPath';
import { resolveSettings, type EpochReport, type FineTuneOptions, type FineTuneResult, type StepReport } from './options';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { probeWritable } from '../io/outputs';
import { assertWritableOutDir, defaultOutDir } from './checkpointWriter';
import type { Progress } from '../types';

/** What crosses into the training worker: the options minus the signal and callbacks. */
export type FineTuneJob = Omit<FineTuneOptions, 'signal' | 'onProgress' | 'onStep' | 'onEpoch'>;

export type TrainMessage =
  | { type: 'progress'; p: Progress }
  | { type: 'step'; s: StepReport }
  | { type: 'epoch'; e: EpochReport }
  | { type: 'done'; result: FineTuneResult }
  | { type: 'error'; name: string; message: string; code?: string; syscall?: string; path?: string };

/**
 * Fine-tunes a checkpoint with the EET loss in a worker thread, so the extension host's event loop
 * stays free. Progress, steps and epochs are relayed to the callbacks; aborting `signal` asks the
 * worker to stop after its current step, and the promise then resolves with `cancelled: true` and
 * the best epoch so far already written at `outDir`. Bad input rejects with a LensError.
 */
export async function fineTune(opts: FineTuneOptions): Promise<FineTuneResult> {
  const { signal, onProgress, onStep, onEpoch, ...job } = opts;
  if (signal?.aborted) throw new CancelledError();
  // Checked here, before the worker loads a single image: a wrong, unwritable or full output
  // location fails at once instead of after the dataset loaded.
  resolveSettings(job);
  job.outDir = resolvePath(job.outDir ?? defaultOutDir(job.checkpoint));
  await assertWritableOutDir(job.outDir, job.checkpoint, job.dataset);
  await probeWritable(nearestFolder(dirname(job.outDir)), job.outDir);
  return new Promise<FineTuneResult>((resolve, reject) => {
    // Until the worker's first message (thread start, tfjs and the model loading: seconds, longer
    // from source under tsx) the run would be silent; say what it is doing, at least every second.
    const t0 = performance.now();
    const starting = () => onProgress?.({ stage: 'Starting', done: 0, total: 1, message: `starting the training worker (${Math.round((performance.now() - t0) / 1000)} s)` });
    starting();
    let heartbeat: NodeJS.Timeout | undefined = setInterval(starting, 1000);
    const stopHeartbeat = () => {
      clearInterval(heartbeat);
      heartbeat = undefined;
    };
    const worker = startWorker('train', { workerData: job });
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      stopHeartbeat();
      signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = () => worker.postMessage({ type: 'cancel' });
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: TrainMessage) => {
      stopHeartbeat();
      try {
        if (m.type === 'progress') onProgress?.(m.p);
        else if (m.type === 'step') onStep?.(m.s);
        else if (m.type === 'epoch') onEpoch?.(m.e);
        else if (m.type === 'done') finish(() => resolve(m.result));
        else if (m.type === 'error') finish(() => reject(reviveError(m)));
      } catch (err) {
        // A throwing callback must not leave the worker running unobserved.
        worker.postMessage({ type: 'cancel' });
        finish(() => reject(err));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the training worker exited (code ${code}) without a result`))));
  });
}

/** The folder itself, or its nearest existing ancestor (the output's parents are created when written). */
function nearestFolder(dir: string): string {
  let d = dir;
  while (!(existsSync(d) && statSync(d).isDirectory()) && dirname(d) !== d) d = dirname(d);
  return d;
}

/**
 * From source (tests under tsx) the entry is TypeScript, which a worker cannot import even with
 * inherited --import flags on Node 20; tsx's CommonJS hook, required first in an eval'd stub, can.
 */
function reviveError(m: Extract<TrainMessage, { type: 'error' }>): Error {
  if (m.name === 'CancelledError') return new CancelledError(m.message);
  if (m.name === 'LensError') return new LensError(m.message, undefined, m.code);
  const e: NodeJS.ErrnoException = new Error(m.message);
  e.name = m.name;
  if (m.syscall) Object.assign(e, { code: m.code, syscall: m.syscall, path: m.path });
  return e;
}
