// Worker-thread entry: loads the checkpoint and embeds the job's items off the caller's event
// loop, so the extension host stays responsive. Served by serveWorker (util/workerCall.ts): a
// cancel lets the batch in flight finish, then the loop stops — terminating the thread inside an
// onnxruntime run would abort the whole process (the extension host).
import sharp from 'sharp';
import { loadCheckpoint } from '../checkpoint';
import { embedItems } from '../embed/batches';
import type { EmbedJob, EmbedTimings, ModelInfo, SkippedItem } from '../embed/protocol';
import { serveWorker, type WorkerControl } from '../util/workerCall';

/** What the worker reports while it runs: the model once loaded (again if it changed runtime), then rows done. */
export type EmbedEvent = { type: 'model'; info: ModelInfo } | { type: 'progress'; done: number; skipped: number };

export interface EmbedReply {
  vectors: Float32Array;
  ok: Uint8Array;
  skipped: SkippedItem[];
  timings: EmbedTimings;
}

export async function handleEmbed(job: EmbedJob, control: WorkerControl<EmbedEvent>): Promise<EmbedReply> {
  const post = (e: EmbedEvent) => control.progress(e);
  // Decoding 100k distinct files: sharp's operation cache would only grow.
  sharp.cache(false);
  // Many small images decode in parallel on libuv's pool; libvips threads inside each one only add overhead.
  sharp.concurrency(1);
  const t0 = performance.now();
  // Wall-clock epoch ms on both sides of the thread boundary: spawn to here is isolate + module loading.
  const workerStartMs = performance.timeOrigin + t0 - job.spawnedAt;
  const model = await loadCheckpoint(job.checkpoint, job.load);
  const loadModelMs = performance.now() - t0;
  const info = () => ({
    kind: model.kind,
    backend: model.backend,
    assumptions: [...model.assumptions],
    runtimeNotes: [...(model.runtimeNotes ?? [])],
    ...(model.outputCandidates ? { outputCandidates: model.outputCandidates } : {}),
    dim: model.dim,
    outputName: model.outputName,
    output: model.output,
    preprocess: model.preprocess,
  });
  const announced = info();
  post({ type: 'model', info: announced });
  let last = 0;
  let r: Awaited<ReturnType<typeof embedItems>>;
  try {
    r = await embedItems(
      model,
      job.items,
      job.batchSize,
      (done, skipped) => {
        const now = performance.now();
        // Throttle: a message per batch is fine for big batches, too chatty for tiny ones.
        if (now - last > 100 || done === job.items.length) {
          last = now;
          post({ type: 'progress', done, skipped });
        }
      },
      control.signal,
    );
  } finally {
    await model.dispose();
  }
  // A GPU run that fell back to the CPU mid-way relabels the model; the caller keeps the last info it got.
  if (model.backend !== announced.backend || model.assumptions.length !== announced.assumptions.length)
    post({ type: 'model', info: info() });
  control.transferOnReply([r.vectors.buffer as ArrayBuffer, r.ok.buffer as ArrayBuffer]);
  return {
    vectors: r.vectors,
    ok: r.ok,
    skipped: r.skipped,
    timings: { workerStartMs, loadModelMs, ...r.timings, totalMs: workerStartMs + performance.now() - t0 },
  };
}

serveWorker(handleEmbed);
