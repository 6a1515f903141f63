/**
 * One helper thread of a UMAP run, invoked by the UMAP worker (workers/umap.ts): optimises its own
 * vertex range over the run's shared buffers until the run ends. A stop (cancel, or another
 * thread's failure) ends it quietly — the UMAP worker reports the run's outcome; its own failure
 * raises the shared FAILED flag, so the threads waiting for it at a barrier stop too.
 */
import { CTRL, RunStopped, runThread, type SharedRun } from '../projection/umapJob';
import { serveWorker } from '../util/workerCall';

export async function handleUmapThread({ run, t }: { run: SharedRun; t: number }): Promise<void> {
  try {
    runThread(run, t);
  } catch (err) {
    if (err instanceof RunStopped) return;
    Atomics.store(run.ctrl, CTRL.FAILED, 1);
    throw err;
  }
}

serveWorker(handleUmapThread);
