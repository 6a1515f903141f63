import { invokeWorker } from '../util/workerCall';
import type { handleEmbed } from '../workers/embed';
import type { EmbedJob, EmbedTimings, ModelInfo, SkippedItem } from './protocol';

export interface WorkerRunResult {
  info: ModelInfo;
  vectors: Float32Array;
  ok: Uint8Array;
  skipped: SkippedItem[];
  timings: EmbedTimings;
}

/** Runs one embed job in a worker thread (workers/embed.ts). Aborting rejects at once with CancelledError. */
export async function runEmbedWorker(
  job: Omit<EmbedJob, 'spawnedAt'>,
  hooks: { signal?: AbortSignal; onModel?: (info: ModelInfo) => void; onProgress?: (done: number, skipped: number) => void },
): Promise<WorkerRunResult> {
  let info: ModelInfo | undefined;
  // Cancelling rejects at once; the worker stops after the batch in flight and is terminated then
  // (never inside onnxruntime's native run, which would abort the whole process).
  const r = await invokeWorker<typeof handleEmbed>(
    'embed',
    { ...job, spawnedAt: performance.timeOrigin + performance.now() },
    {
      signal: hooks.signal,
      onCancel: 'reject',
      onProgress: (e) => {
        if (e.type === 'progress') return hooks.onProgress?.(e.done, e.skipped);
        // A second 'model' comes only when a GPU run fell back to the CPU: the result carries it, the start hook ran once.
        if (!info) hooks.onModel?.(e.info);
        info = e.info;
      },
    },
  );
  if (!info) throw new Error('the embed worker replied without reporting its model');
  return { info, ...r };
}
