/**
 * UMAP worker. Role 'main' (spawned by runUmap): prepares the run, spawns threads−1 'helper'
 * copies of this file that share its buffers, optimises as thread 0 and streams layouts and
 * progress to the host. Role 'helper': optimises its own vertex range and exits.
 * Messages to the host: {type:'progress'|'layout'|'done'|'cancelled'|'error', ...}.
 */
import { parentPort, workerData, type Worker } from 'node:worker_threads';
import { startWorker } from '../util/workerPath';
import { CTRL, PREPARE_PHASES, prepareRun, RunStopped, runThread, type SharedRun, type UmapJob } from '../projection/umapJob';

interface MainData {
  role: 'main';
  job: UmapJob;
  ctrl: Int32Array;
}
interface HelperData {
  role: 'helper';
  run: SharedRun;
  t: number;
}

const port = parentPort;
if (!port) throw new Error('umap worker must run in a worker thread');

function errorMessage(err: unknown): { type: 'error'; name: string; message: string; file?: string } {
  const e = err instanceof Error ? err : new Error(String(err));
  return { type: 'error', name: e.name, message: e.message, file: (e as { file?: string }).file };
}

const data = workerData as MainData | HelperData;

if (data.role === 'helper') {
  try {
    runThread(data.run, data.t);
  } catch (err) {
    if (!(err instanceof RunStopped)) {
      Atomics.store(data.run.ctrl, CTRL.FAILED, 1);
      port.postMessage(errorMessage(err));
    }
  }
} else {
  const { job } = data;
  const started = Date.now();
  try {
    port.postMessage({ type: 'progress', stage: 'UMAP graph', done: 0, total: PREPARE_PHASES });
    const run = prepareRun(job, (done) => port.postMessage({ type: 'progress', stage: 'UMAP graph', done, total: PREPARE_PHASES }));
    port.postMessage({ type: 'progress', stage: 'UMAP graph', done: PREPARE_PHASES, total: PREPARE_PHASES });
    // The host's control block replaces ours so its abort flag reaches every thread.
    run.ctrl = data.ctrl;
    const helpers: Worker[] = [];
    for (let t = 1; t < run.threads; t++) {
      // This very file: bundled, workerPath() would look for dist/workers/workers/umap.js.
      const w = startWorker(__filename, { workerData: { role: 'helper', run, t } satisfies HelperData });
      w.on('message', (m) => port.postMessage(m));
      w.on('error', (err) => {
        Atomics.store(run.ctrl, CTRL.FAILED, 1);
        port.postMessage(errorMessage(err));
      });
      helpers.push(w);
    }
    let lastProgress = 0;
    const replayed = (epochs: number) => {
      const now = Date.now();
      if (now - lastProgress < 250 && epochs < run.startEpoch) return;
      lastProgress = now;
      port.postMessage({ type: 'progress', stage: 'UMAP', done: epochs, total: run.nEpochs, message: `resuming: replaying the schedule of epoch ${epochs} of ${run.startEpoch}` });
    };
    if (run.startEpoch === 0) port.postMessage({ type: 'progress', stage: 'UMAP', done: 0, total: run.nEpochs });
    const result = runThread(run, 0, (live, epochsDone) => {
      if (job.sendLayouts) {
        const xy = Float32Array.from(live);
        port.postMessage({ type: 'layout', xy, epoch: epochsDone, nEpochs: run.nEpochs }, [xy.buffer]);
      }
      const now = Date.now();
      if (now - lastProgress > 100) {
        lastProgress = now;
        const rate = (epochsDone - run.startEpoch) / Math.max((now - started) / 1000, 1e-3);
        port.postMessage({ type: 'progress', stage: 'UMAP', done: epochsDone, total: run.nEpochs, rate, etaSeconds: (run.nEpochs - epochsDone) / rate });
      }
    }, replayed);
    if (result === 'stopped') {
      port.postMessage({ type: 'cancelled' });
    } else {
      const xy = Float32Array.from(run.live);
      port.postMessage({ type: 'progress', stage: 'UMAP', done: run.nEpochs, total: run.nEpochs });
      port.postMessage({ type: 'done', xy }, [xy.buffer]);
    }
  } catch (err) {
    if (err instanceof RunStopped && err.reason === 'aborted') port.postMessage({ type: 'cancelled' });
    else port.postMessage(errorMessage(err));
  }
}
