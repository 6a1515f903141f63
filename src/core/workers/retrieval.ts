import { parentPort } from 'node:worker_threads';
import { runJob, type WorkerMessage } from '../retrieval/parallel';
import { CancelledError, isCancelled } from '../errors';

// One slice of a retrieval scan (see retrieval/parallel.ts); the inputs arrive as SharedArrayBuffers.
// The worker finishes by itself (result, cancellation or error) and then exits as its event loop
// empties; it is never terminated from outside while onnxruntime is running.
parentPort!.once('message', async (m: WorkerMessage) => {
  try {
    const input = { ...m.req, start: m.start, end: m.end, threads: m.threads };
    const hook = (done: number) => {
      if (Atomics.load(m.cancel, 0) !== 0) throw new CancelledError();
      parentPort!.postMessage({ type: 'progress', done });
    };
    const result = await runJob(input, m.job, hook);
    const buffers = Object.values(result).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ type: 'done', result }, buffers);
  } catch (err) {
    if (isCancelled(err)) parentPort!.postMessage({ type: 'cancelled' });
    else parentPort!.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
