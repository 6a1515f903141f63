import { availableParallelism } from 'node:os';
import type { CheckpointKind } from '../checkpoint';
import type { BackendSetting } from '../runtime/select';
import type { EmbedJob, EmbedTimings, ModelInfo, SkippedItem } from './protocol';
import { runEmbedWorker, type WorkerRunResult } from './runWorker';

/**
 * Data-parallel embedding: several embed workers, each with its own copy of the model, the
 * dataset's batches dealt round-robin between them, the rows put back in dataset order.
 *
 * Only for tfjs models on the JavaScript-side backends (wasm, cpu): those run a batch on one
 * thread, so a 2-core machine sat half idle (human-models' faceres: 10 images/s). onnxruntime
 * and tfjs-node already spread one batch over every core, where more workers would only
 * oversubscribe them and hold more model copies.
 */

/** More copies of a model mostly cost memory once the cores are busy (and each loads IDX files whole). */
export const MAX_EMBED_WORKERS = 8;

export interface WorkerPlanInput {
  kind: CheckpointKind;
  backend: BackendSetting;
  items: number;
  batchSize: number;
  cores?: number;
  /** Whether tfjs-node(-gpu) can be required here: 'auto' would then pick it, which is multi-threaded itself. */
  nativeTfjs: boolean;
}

/** How many embed workers a run gets (1 = the single-worker path). */
export function embedWorkerCount(p: WorkerPlanInput): number {
  if (p.kind !== 'tfjs-layers' && p.kind !== 'tfjs-graph') return 1;
  const javascriptBackend = p.backend === 'wasm' || p.backend === 'cpu' || !p.nativeTfjs;
  if (!javascriptBackend) return 1;
  const batches = Math.ceil(p.items / Math.max(1, p.batchSize));
  return Math.max(1, Math.min(p.cores ?? availableParallelism(), MAX_EMBED_WORKERS, batches));
}

/** Whether a native tfjs package is installed (resolvable; whether it loads is only known in the worker). */
export function nativeTfjsInstalled(): boolean {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      require.resolve(pkg);
      return true;
    } catch {
      // not installed
    }
  }
  return false;
}

/** Item indices of each worker: batch b (items b·size … b·size + size − 1) goes to worker b mod workers. */
export function dealBatches(items: number, batchSize: number, workers: number): Int32Array[] {
  const shares: number[][] = Array.from({ length: workers }, () => []);
  for (let start = 0, b = 0; start < items; start += batchSize, b++) {
    const share = shares[b % workers];
    for (let i = start; i < Math.min(items, start + batchSize); i++) share.push(i);
  }
  return shares.map((s) => Int32Array.from(s));
}

/**
 * Runs the job on `workers` embed workers (batches dealt by dealBatches) and merges their results
 * in dataset order. Progress is the sum over workers; the first model report is passed on.
 * Cancelling (or one worker failing) stops them all.
 */
export async function runEmbedWorkers(
  job: Omit<EmbedJob, 'spawnedAt'>,
  workers: number,
  hooks: { signal?: AbortSignal; onModel?: (info: ModelInfo) => void; onProgress?: (done: number, skipped: number) => void },
): Promise<WorkerRunResult> {
  // A worker without a batch would load the model for nothing.
  workers = Math.min(workers, Math.ceil(job.items.length / Math.max(1, job.batchSize)));
  if (workers <= 1) return runEmbedWorker(job, hooks);
  const shares = dealBatches(job.items.length, job.batchSize, workers);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  hooks.signal?.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal?.aborted) stop.abort();
  const done = new Array<number>(workers).fill(0);
  const skipped = new Array<number>(workers).fill(0);
  let announced = false;
  try {
    const runs = await Promise.all(
      shares.map((share, w) =>
        runEmbedWorker(
          { ...job, items: Array.from(share, (i) => job.items[i]) },
          {
            signal: stop.signal,
            onModel: (info) => {
              if (announced) return;
              announced = true;
              hooks.onModel?.(info);
            },
            onProgress: (d, s) => {
              done[w] = d;
              skipped[w] = s;
              hooks.onProgress?.(sum(done), sum(skipped));
            },
          },
        ).catch((err: unknown) => {
          // One failure ends the run: the others stop after their batch in flight.
          stop.abort();
          throw err;
        }),
      ),
    );
    return mergeRuns(job.items.length, shares, runs);
  } finally {
    hooks.signal?.removeEventListener('abort', onAbort);
  }
}

/** The workers' rows, flags and skipped items back at their dataset positions. */
export function mergeRuns(items: number, shares: Int32Array[], runs: WorkerRunResult[]): WorkerRunResult {
  const info = runs[0].info;
  const dim = info.dim;
  const vectors = new Float32Array(items * dim);
  const ok = new Uint8Array(items);
  const skippedItems: SkippedItem[] = [];
  runs.forEach((r, w) => {
    const share = shares[w];
    for (let k = 0; k < share.length; k++) {
      if (!r.ok[k]) continue;
      ok[share[k]] = 1;
      vectors.set(r.vectors.subarray(k * dim, (k + 1) * dim), share[k] * dim);
    }
    for (const s of r.skipped) skippedItems.push({ index: share[s.index], reason: s.reason });
  });
  skippedItems.sort((a, b) => a.index - b.index);
  const t = runs.map((r) => r.timings);
  const timings: EmbedTimings = {
    workerStartMs: Math.max(...t.map((x) => x.workerStartMs)),
    loadModelMs: Math.max(...t.map((x) => x.loadModelMs)),
    // Summed over workers: time spent, not time elapsed (which totalMs is).
    decodeWaitMs: sum(t.map((x) => x.decodeWaitMs)),
    inferMs: sum(t.map((x) => x.inferMs)),
    totalMs: Math.max(...t.map((x) => x.totalMs)),
  };
  const note = `embedded by ${runs.length} workers in parallel, each with its own copy of the model (${info.backend} runs a batch on one thread)`;
  return { info: { ...info, runtimeNotes: [...info.runtimeNotes, note] }, vectors, ok, skipped: skippedItems, timings };
}

function sum(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s;
}
