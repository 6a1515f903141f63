import type { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { spawnWorker } from './spawn';
import { CancelledError, throwIfAborted } from '../errors';
import type { ProgressFn } from '../types';
import { scanStats, scanTopK, type ScanInput, type StatsResult, type TopKResult } from './scan';

/**
 * Runs a scan over all queries: in-process for small jobs (a worker's start-up would dominate),
 * else split across worker threads that share the embeddings through SharedArrayBuffers, each
 * ranking its own slice of queries while its onnxruntime session computes the next block.
 */
export type ScanJob =
  | { kind: 'topk'; k: number }
  | { kind: 'stats'; queryLabels: Int32Array; galleryLabels: Int32Array; rOf: Int32Array };

export interface ScanRequest {
  queries: Float32Array;
  nQueries: number;
  gallery: Float32Array;
  nGallery: number;
  dim: number;
  selfIndex: Int32Array | null;
}

/** Below this many query×gallery pairs the work takes well under a second in-process. */
const IN_PROCESS_PAIRS = 4_000_000;

export interface WorkerMessage {
  req: ScanRequest;
  job: ScanJob;
  start: number;
  end: number;
  threads: number;
}

export async function runScan(
  req: ScanRequest,
  job: ScanJob,
  opts: { signal?: AbortSignal; onProgress?: ProgressFn; stage: string; workers?: number },
): Promise<TopKResult | StatsResult> {
  throwIfAborted(opts.signal);
  const total = req.nQueries;
  const t0 = Date.now();
  const report = (done: number) => {
    const secs = (Date.now() - t0) / 1000;
    const rate = secs > 0 ? done / secs : undefined;
    opts.onProgress?.({ stage: opts.stage, done, total, rate, etaSeconds: rate ? (total - done) / rate : undefined });
  };
  const cores = Math.max(1, availableParallelism());
  const workers = Math.max(1, Math.min(opts.workers ?? cores, cores, Math.ceil(total / 64)));
  if (req.nQueries * req.nGallery < IN_PROCESS_PAIRS || workers === 1 && opts.workers === 1) {
    const input: ScanInput = { ...req, start: 0, end: total, threads: cores };
    const hook = async (done: number) => {
      report(done);
      // Let the event loop breathe between blocks; a pending abort is seen here.
      await new Promise<void>((r) => setImmediate(r));
      throwIfAborted(opts.signal);
    };
    return job.kind === 'topk' ? scanTopK(input, job.k, hook) : scanStats(input, job.queryLabels, job.galleryLabels, job.rOf, hook);
  }
  return runInWorkers(req, job, workers, Math.max(1, Math.floor(cores / workers)), opts.signal, report);
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
): Promise<TopKResult | StatsResult> {
  const sreq: ScanRequest = {
    ...req,
    queries: shared(req.queries),
    gallery: req.gallery === req.queries ? shared(req.queries) : shared(req.gallery),
    selfIndex: req.selfIndex ? shared(req.selfIndex) : null,
  };
  if (req.gallery === req.queries) sreq.gallery = sreq.queries;
  const sjob: ScanJob = job.kind === 'topk' ? job : { kind: 'stats', queryLabels: shared(job.queryLabels), galleryLabels: shared(job.galleryLabels), rOf: shared(job.rOf) };
  const bounds = Array.from({ length: workers + 1 }, (_, i) => Math.round((i * req.nQueries) / workers));
  const done = new Array<number>(workers).fill(0);
  const running: Worker[] = [];
  const onAbort = () => running.forEach((w) => void w.terminate());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const parts = await Promise.all(
      bounds.slice(0, -1).map(
        (start, i) =>
          new Promise<TopKResult | StatsResult>((resolve, reject) => {
            const w = spawnWorker('retrieval');
            running.push(w);
            w.on('message', (m: { type: 'progress'; done: number } | { type: 'done'; result: TopKResult | StatsResult } | { type: 'error'; message: string }) => {
              if (m.type === 'progress') {
                done[i] = m.done;
                report(done.reduce((a, b) => a + b, 0));
              } else if (m.type === 'done') {
                resolve(m.result);
                void w.terminate();
              } else {
                reject(new Error(m.message));
              }
            });
            w.on('error', reject);
            w.on('exit', (code) => {
              if (signal?.aborted) reject(new CancelledError());
              else if (code !== 0) reject(new Error(`retrieval worker exited with code ${code}`));
            });
            const msg: WorkerMessage = { req: sreq, job: sjob, start, end: bounds[i + 1], threads };
            w.postMessage(msg);
          }),
      ),
    );
    throwIfAborted(signal);
    return concat(parts);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    running.forEach((w) => void w.terminate());
  }
}

function concat(parts: (TopKResult | StatsResult)[]): TopKResult | StatsResult {
  const join = <T extends Int32Array | Float32Array | Float64Array>(xs: T[]): T => {
    const out = new (xs[0].constructor as { new (n: number): T })(xs.reduce((a, x) => a + x.length, 0));
    let o = 0;
    for (const x of xs) {
      out.set(x as never, o);
      o += x.length;
    }
    return out;
  };
  if ('indices' in parts[0]) {
    const ps = parts as TopKResult[];
    return { indices: join(ps.map((p) => p.indices)), distances: join(ps.map((p) => p.distances)) };
  }
  const ps = parts as StatsResult[];
  return { firstHit: join(ps.map((p) => p.firstHit)), ap: join(ps.map((p) => p.ap)), rPrecision: join(ps.map((p) => p.rPrecision)) };
}
