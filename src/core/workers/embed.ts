// Worker-thread entry: loads the checkpoint and embeds the job's items off the caller's event
// loop, so the extension host stays responsive. Cancellation is a 'cancel' message: the batch in
// flight finishes, then the loop stops — terminating the thread inside an onnxruntime run would
// abort the whole process (the extension host).
import { parentPort, workerData } from 'node:worker_threads';
import sharp from 'sharp';
import { loadCheckpoint } from '../checkpoint';
import { LensError } from '../errors';
import { embedItems } from '../embed/batches';
import type { EmbedJob, WorkerMessage } from '../embed/protocol';

const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(m, transfer);
const cancel = new AbortController();
parentPort!.on('message', (m: { type?: string }) => {
  if (m?.type === 'cancel') cancel.abort();
});

async function main(job: EmbedJob): Promise<void> {
  // Decoding 100k distinct files: sharp's operation cache would only grow.
  sharp.cache(false);
  // Many small images decode in parallel on libuv's pool; libvips threads inside each one only add overhead.
  sharp.concurrency(1);
  const t0 = performance.now();
  // Wall-clock epoch ms on both sides of the thread boundary: spawn to here is isolate + module loading.
  const workerStartMs = performance.timeOrigin + t0 - job.spawnedAt;
  const model = await loadCheckpoint(job.checkpoint, job.load);
  const loadModelMs = performance.now() - t0;
  const info = () => ({ kind: model.kind, backend: model.backend, assumptions: [...model.assumptions], runtimeNotes: [...(model.runtimeNotes ?? [])], ...(model.outputCandidates ? { outputCandidates: model.outputCandidates } : {}), dim: model.dim, outputName: model.outputName, output: model.output, preprocess: model.preprocess });
  const announced = info();
  post({ type: 'model', info: announced });
  let last = 0;
  let r: Awaited<ReturnType<typeof embedItems>>;
  try {
    r = await embedItems(model, job.items, job.batchSize, (done, skipped) => {
      const now = performance.now();
      // Throttle: a message per batch is fine for big batches, too chatty for tiny ones.
      if (now - last > 100 || done === job.items.length) {
        last = now;
        post({ type: 'progress', done, skipped });
      }
    }, cancel.signal);
  } finally {
    await model.dispose();
  }
  // A GPU run that fell back to the CPU mid-way relabels the model; the caller keeps the last info it got.
  if (model.backend !== announced.backend || model.assumptions.length !== announced.assumptions.length) post({ type: 'model', info: info() });
  post(
    { type: 'done', vectors: r.vectors, ok: r.ok, skipped: r.skipped, timings: { workerStartMs, loadModelMs, ...r.timings, totalMs: workerStartMs + performance.now() - t0 } },
    [r.vectors.buffer as ArrayBuffer, r.ok.buffer as ArrayBuffer],
  );
}

main(workerData as EmbedJob).catch((err: Error) => {
  post({ type: 'error', name: err.name, message: err instanceof LensError && err.file ? err.message.slice(err.file.length + 2) : err.message, file: (err as LensError).file, code: (err as LensError).code });
});
