import { CancelledError } from '../errors';
import { invokeWorker } from '../util/workerCall';
import type { handleFineTune } from '../workers/train';
import { resolveSettings, type FineTuneOptions, type FineTuneResult } from './options';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { probeWritable } from '../io/outputs';
import { assertWritableOutDir, defaultOutDir } from './checkpointWriter';

/** What crosses into the training worker: the options minus the signal and callbacks. */
export type FineTuneJob = Omit<FineTuneOptions, 'signal' | 'onProgress' | 'onStep' | 'onEpoch'>;

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
  // Until the worker's first event (thread start, tfjs and the model loading: seconds, longer
  // from source under tsx) the run would be silent; say what it is doing, at least every second.
  const t0 = performance.now();
  const starting = () =>
    onProgress?.({
      stage: 'Starting',
      done: 0,
      total: 1,
      message: `starting the training worker (${Math.round((performance.now() - t0) / 1000)} s)`,
    });
  starting();
  const heartbeat = setInterval(starting, 1000);
  try {
    return await invokeWorker<typeof handleFineTune>('train', job, {
      signal,
      // The worker stops after its current step and replies with the best epoch so far.
      onCancel: 'wait',
      onProgress: (m) => {
        clearInterval(heartbeat);
        if (m.type === 'progress') onProgress?.(m.p);
        else if (m.type === 'step') onStep?.(m.s);
        else onEpoch?.(m.e);
      },
    });
  } finally {
    clearInterval(heartbeat);
  }
}

/** The folder itself, or its nearest existing ancestor (the output's parents are created when written). */
function nearestFolder(dir: string): string {
  let d = dir;
  while (!(existsSync(d) && statSync(d).isDirectory()) && dirname(d) !== d) d = dirname(d);
  return d;
}
