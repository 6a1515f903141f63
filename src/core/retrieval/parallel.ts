import { availableParallelism } from 'node:os';
import { invokeWorker } from '../util/workerCall';
import type { handleScanSlice } from '../workers/retrieval';
import { throwIfAborted } from '../errors';
import type { ProgressFn } from '../types';
import {
  scanNearestNegative,
  scanStats,
  scanTopK,
  type NearestNegativeResult,
  type ScanInput,
  type StatsResult,
  type TopKResult,
} from './scan';

/**
 * Runs a scan over all queries: in-process for small jobs (a worker's start-up would dominate),
 * else split across worker threads that share the embeddings through SharedArrayBuffers, each
 * ranking its own slice of queries while its onnxruntime session computes the next block.
 */
export type ScanJob =
  | { kind: 'topk'; k: number }
  /** `negatives`: each query's nearest other-label item too (see scanStats). */
  | { kind: 'stats'; queryLabels: Int32Array; galleryLabels: Int32Array; rOf: Int32Array; negatives?: boolean }
  | { kind: 'negnn'; queryLabels: Int32Array; galleryLabels: Int32Array };

export type ScanResult = TopKResult | StatsResult | NearestNegativeResult;

export interface ScanRequest {
  queries: Float32Array;
  nQueries: number;
  gallery: Float32Array;
  nGallery: number;
  dim: number;
  selfIndex: Int32Array | null;
  keyRange?: [number, number];
}

/** Below this many query×gallery pairs the work takes well under a second in-process. */
const IN_PROCESS_PAIRS = 4_000_000;

/**
 * Each worker's onnxruntime session holds its own copy of the gallery (the Gemm's initializer,
 * packed for MLAS): measured at about 3.3× the gallery's bytes while the session is created and
 * 1.3× after (200,000 × 128). Sixteen workers on a 10^6 × 128 gallery would want ~27 GB at
 * once, so the worker count is capped to keep those copies within this budget; the cores a cap
 * leaves go to each session's own threads.
 */
const SESSION_MEMORY_BUDGET = 2 * 1024 ** 3;
const SESSION_BYTES_PER_GALLERY_BYTE = 3.3;

/** How many scan workers a gallery of `galleryBytes` allows within the sessions' memory budget (at least 1). */
export function workersForGallery(galleryBytes: number): number {
  return Math.max(1, Math.floor(SESSION_MEMORY_BUDGET / (SESSION_BYTES_PER_GALLERY_BYTE * Math.max(1, galleryBytes))));
}

export interface ScanSlice {
  req: ScanRequest;
  job: ScanJob;
  start: number;
  end: number;
  threads: number;
  /** Set to 1 by the main thread to stop: the worker checks it between blocks. */
  cancel: Int32Array;
}

export async function runScan(
  req: ScanRequest,
  job: ScanJob,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; stage: string; workers?: number },
): Promise<ScanResult> {
  throwIfAborted(opts.signal);
  const total = req.nQueries;
  const t0 = Date.now();
  const report = (done: number) => {
    const secs = (Date.now() - t0) / 1000;
    const rate = secs > 0 ? done / secs : undefined;
    opts.onProgress?.({ stage: opts.stage, done, total, rate, etaSeconds: rate ? (total - done) / rate : undefined });
  };
  const cores = Math.max(1, availableParallelism());
  const workers = Math.max(1, Math.min(opts.workers ?? cores, cores, Math.ceil(total / 64), workersForGallery(req.nGallery * req.dim * 4)));
  if (req.nQueries * req.nGallery < IN_PROCESS_PAIRS || (workers === 1 && opts.workers === 1)) {
    const input: ScanInput = { ...req, start: 0, end: total, threads: cores };
    const hook = async (done: number) => {
      report(done);
      // Let the event loop breathe between blocks; a pending abort is seen here.
      await new Promise<void>((r) => setImmediate(r));
      throwIfAborted(opts.signal);
    };
    return runJob(input, job, hook);
  }
  return runInWorkers(req, job, workers, Math.max(1, Math.floor(cores / workers)), opts.signal, report);
}

export function runJob(input: ScanInput, job: ScanJob, hook: (done: number) => void | Promise<void>): Promise<ScanResult> {
  if (job.kind === 'topk') return scanTopK(input, job.k, hook);
  if (job.kind === 'stats') return scanStats(input, job.queryLabels, job.galleryLabels, job.rOf, hook, job.negatives);
  return scanNearestNegative(input, job.queryLabels, job.galleryLabels, hook);
}

function shared<T extends Float32Array | Int32Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const sab = new SharedArrayBuffer(a.byteLength);
  const copy = new (a.constructor as { new (b: SharedArrayBuffer): T })(sab);
  copy.set(a);
  return copy;
}

async function runInWorkers(
  req: ScanRequest,
  job: ScanJob,
  workers: number,
  threads: number,
  signal: AbortSignal | undefined,
  report: (done: number) => void,
): Promise<ScanResult> {
  const sreq: ScanRequest = {
    ...req,
    queries: shared(req.queries),
    gallery: req.gallery === req.queries ? shared(req.queries) : shared(req.gallery),
    selfIndex: req.selfIndex ? shared(req.selfIndex) : null,
  };
  if (req.gallery === req.queries) sreq.gallery = sreq.queries;
  const sjob: ScanJob =
    job.kind === 'topk'
      ? job
      : job.kind === 'stats'
        ? { ...job, queryLabels: shared(job.queryLabels), galleryLabels: shared(job.galleryLabels), rOf: shared(job.rOf) }
        : { kind: 'negnn', queryLabels: shared(job.queryLabels), galleryLabels: shared(job.galleryLabels) };
  const bounds = Array.from({ length: workers + 1 }, (_, i) => Math.round((i * req.nQueries) / workers));
  const done = new Array<number>(workers).fill(0);
  // Workers are stopped cooperatively, never terminated mid-block: terminating a thread while
  // onnxruntime's native run is in progress aborts the whole process.
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const stop = () => Atomics.store(cancel, 0, 1);
  signal?.addEventListener('abort', stop, { once: true });
  try {
    const parts = await Promise.all(
      bounds.slice(0, -1).map((start, i) =>
        invokeWorker<typeof handleScanSlice>(
          'retrieval',
          { req: sreq, job: sjob, start, end: bounds[i + 1], threads, cancel },
          {
            signal,
            // The slice stops at its next block through the shared flag and replies cancelled.
            onCancel: 'wait',
            onProgress: (d) => {
              done[i] = d;
              report(done.reduce((a, b) => a + b, 0));
            },
          },
        ),
      ),
    );
    throwIfAborted(signal);
    return concat(parts);
  } catch (err) {
    // One slice failed or was cancelled: the others stop at their next block and exit on their own.
    stop();
    throw err;
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}

/** Joins the workers' slices: every result is a set of per-query arrays in query order. */
function concat(parts: ScanResult[]): ScanResult {
  const out: Record<string, ArrayBufferView> = {};
  for (const key of Object.keys(parts[0])) {
    const xs = parts.map((p) => (p as unknown as Record<string, Int32Array | Float32Array | Float64Array>)[key]);
    const joined = new (xs[0].constructor as { new (n: number): Int32Array | Float32Array | Float64Array })(
      xs.reduce((a, x) => a + x.length, 0),
    );
    let o = 0;
    for (const x of xs) {
      joined.set(x as never, o);
      o += x.length;
    }
    out[key] = joined;
  }
  return out as unknown as ScanResult;
}
