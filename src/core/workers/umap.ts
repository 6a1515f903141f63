/**
 * UMAP worker, served by serveWorker and invoked by runUmap (projection/umap.ts): prepares the
 * run, invokes threads−1 umapThread workers that share its buffers, optimises as thread 0 and
 * streams frames to the caller — progress, and the layout every few epochs when asked — before
 * replying with the final layout. A run stopped through the control block's abort flag replies
 * CancelledError; a helper thread's failure stops every thread and is the run's error.
 */
import type { Progress } from '../types';
import { CancelledError } from '../errors';
import { CTRL, PREPARE_PHASES, prepareRun, RunStopped, runThread, type UmapJob } from '../projection/umapJob';
import { invokeWorker, serveWorker, type WorkerControl } from '../util/workerCall';
import type { handleUmapThread } from './umapThread';

export interface UmapRequest {
  job: UmapJob;
  /** The caller's control block: its abort flag reaches every thread. */
  ctrl: Int32Array;
}

/** What the UMAP worker streams before its reply: progress, and intermediate layouts (moved, not copied). */
export type UmapFrame = { type: 'progress'; p: Progress } | { type: 'layout'; xy: Float32Array; epoch: number; nEpochs: number };

export async function handleUmap({ job, ctrl }: UmapRequest, control: WorkerControl<UmapFrame>): Promise<Float32Array> {
  const progress = (p: Progress) => control.progress({ type: 'progress', p });
  const started = Date.now();
  progress({ stage: 'UMAP graph', done: 0, total: PREPARE_PHASES });
  const run = prepareRun(job, (done) => progress({ stage: 'UMAP graph', done, total: PREPARE_PHASES }));
  progress({ stage: 'UMAP graph', done: PREPARE_PHASES, total: PREPARE_PHASES });
  // The caller's control block replaces ours so its abort flag reaches every thread.
  run.ctrl = ctrl;
  const helpers: Promise<void>[] = [];
  for (let t = 1; t < run.threads; t++) {
    helpers.push(
      invokeWorker<typeof handleUmapThread>('umapThread', { run, t }).catch((err: unknown) => {
        // Wakes the threads waiting for this one at a barrier; the error is the run's.
        Atomics.store(run.ctrl, CTRL.FAILED, 1);
        throw err;
      }),
    );
  }
  // This thread's event loop is blocked while it optimises: a helper's error is read afterwards.
  const helpersDone = Promise.all(helpers);
  helpersDone.catch(() => undefined);
  let lastProgress = 0;
  const replayed = (epochs: number) => {
    const now = Date.now();
    if (now - lastProgress < 250 && epochs < run.startEpoch) return;
    lastProgress = now;
    progress({
      stage: 'UMAP',
      done: epochs,
      total: run.nEpochs,
      message: `resuming: replaying the schedule of epoch ${epochs} of ${run.startEpoch}`,
    });
  };
  if (run.startEpoch === 0) progress({ stage: 'UMAP', done: 0, total: run.nEpochs });
  let result: 'done' | 'stopped';
  try {
    result = runThread(
      run,
      0,
      (live, epochsDone) => {
        if (job.sendLayouts) {
          const xy = Float32Array.from(live);
          control.progress({ type: 'layout', xy, epoch: epochsDone, nEpochs: run.nEpochs }, [xy.buffer]);
        }
        const now = Date.now();
        if (now - lastProgress > 100) {
          lastProgress = now;
          const rate = (epochsDone - run.startEpoch) / Math.max((now - started) / 1000, 1e-3);
          progress({ stage: 'UMAP', done: epochsDone, total: run.nEpochs, rate, etaSeconds: (run.nEpochs - epochsDone) / rate });
        }
      },
      replayed,
    );
  } catch (err) {
    if (!(err instanceof RunStopped)) {
      Atomics.store(run.ctrl, CTRL.FAILED, 1);
      throw err;
    }
    result = 'stopped';
  }
  // After another thread's failure: its error.
  await helpersDone;
  if (result === 'stopped') throw new CancelledError('UMAP run cancelled');
  const xy = Float32Array.from(run.live);
  progress({ stage: 'UMAP', done: run.nEpochs, total: run.nEpochs });
  control.transferOnReply([xy.buffer]);
  return xy;
}

serveWorker(handleUmap);
