import { parentPort } from 'node:worker_threads';
import { scanStats, scanTopK } from '../retrieval/scan';
import type { WorkerMessage } from '../retrieval/parallel';

// One slice of a retrieval scan (see retrieval/parallel.ts); the inputs arrive as SharedArrayBuffers.
parentPort!.once('message', async (m: WorkerMessage) => {
  try {
    const input = { ...m.req, start: m.start, end: m.end, threads: m.threads };
    const hook = (done: number) => parentPort!.postMessage({ type: 'progress', done });
    const result =
      m.job.kind === 'topk'
        ? await scanTopK(input, m.job.k, hook)
        : await scanStats(input, m.job.queryLabels, m.job.galleryLabels, m.job.rOf, hook);
    const buffers = Object.values(result).map((a: ArrayBufferView) => a.buffer as ArrayBuffer);
    parentPort!.postMessage({ type: 'done', result }, buffers);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', message: (err as Error).stack ?? String(err) });
  }
});
