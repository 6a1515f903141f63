import { parentPort } from 'node:worker_threads';
import { runJob, type WorkerMessage } from '../retrieval/parallel';

// One slice of a retrieval scan (see retrieval/parallel.ts); the inputs arrive as SharedArrayBuffers.
parentPort!.once('message', async (m: WorkerMessage) => {
  try {
    const input = { ...m.req, start: m.start, end: m.end, threads: m.threads };
    const hook = (done: number) => parentPort!.postMessage({ type: 'progress', done });
    const result = await runJob(input, m.job, hook);
    const buffers = Object.values(result).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ type: 'done', result }, buffers);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
