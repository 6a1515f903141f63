/**
 * Worker-thread entry of the fine-tune: runs the whole training off the caller's event loop.
 * Served by serveWorker: the request is a FineTuneJob, progress events are TrainEvents, the reply
 * the FineTuneResult (cancelling stops after the current step and still replies with the best
 * epoch so far).
 */
import type { Progress } from '../types';
import { loadTrainingData } from '../train/data';
import type { FineTuneJob } from '../train/fineTune';
import type { EpochReport, FineTuneResult, StepReport } from '../train/options';
import { runFineTune } from '../train/run';
import { serveWorker, type WorkerControl } from '../util/workerCall';

export type TrainEvent = { type: 'progress'; p: Progress } | { type: 'step'; s: StepReport } | { type: 'epoch'; e: EpochReport };

export async function handleFineTune(job: FineTuneJob, control: WorkerControl<TrainEvent>): Promise<FineTuneResult> {
  const onProgress = (p: Progress) => control.progress({ type: 'progress', p });
  const data = await loadTrainingData(job.dataset, { signal: control.signal, onProgress });
  return runFineTune(
    {
      ...job,
      signal: control.signal,
      onProgress,
      onStep: (s) => control.progress({ type: 'step', s }),
      onEpoch: (e) => control.progress({ type: 'epoch', e }),
    },
    data,
  );
}

serveWorker(handleFineTune);
