import { parentPort } from 'node:worker_threads';
import { CancelledError, LensError } from '../errors';
import { startWorker } from './workerPath';

/**
 * One request/reply protocol for the engine's worker threads, typed by the worker's own handler:
 * a worker entry calls `serveWorker(handle)`, and its callers `invokeWorker<typeof handle>(name,
 * request, …)` — the request, the progress events and the result are the handler's parameter and
 * return types, so the two sides cannot drift apart, and the errors, the cancel and the exit of a
 * thread are handled here once.
 *
 * The request is the first message (typed arrays in it are copied, SharedArrayBuffers shared).
 * Cancelling sends {type: 'cancel'}, which aborts the handler's signal; a worker busy in
 * synchronous code cannot read it, so such a worker also takes a shared cancel flag in its
 * request (the retrieval scan does). A thread is never terminated while it runs: terminating one
 * inside onnxruntime's native code aborts the whole process.
 */
export interface WorkerControl<P> {
  /** Aborted when the caller cancels. */
  signal: AbortSignal;
  progress(p: P, transfer?: ArrayBuffer[]): void;
  /** Buffers of the result to move to the caller rather than copy (called before returning it). */
  transferOnReply(buffers: ArrayBuffer[]): void;
}

/** A worker's handler: the request (workerData), progress events of type P, the result R. */
export type WorkerHandler<Req, P, R> = (request: Req, control: WorkerControl<P>) => Promise<R>;

export type RequestOf<H> = H extends WorkerHandler<infer Req, unknown, unknown> ? Req : never;
export type ProgressOf<H> = H extends (request: never, control: WorkerControl<infer P>) => unknown ? P : never;
export type ResultOf<H> = H extends (...args: never[]) => Promise<infer R> ? R : never;

/** What crosses the thread boundary for an error: enough to rebuild the same kind of error. */
export interface SerializedError {
  name: string;
  message: string;
  /** LensError: the file its message names, and its code. */
  file?: string;
  code?: string;
  /** A file-system error: its syscall and path (it is then printed as one line, like a LensError). */
  syscall?: string;
  path?: string;
}

type Reply<P, R> = { type: 'progress'; progress: P } | { type: 'done'; result: R } | { type: 'error'; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof LensError) return { name: e.name, message: e.reason, file: e.file, code: e.code };
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys.code === 'string' && typeof sys.syscall === 'string') return { name: e.name, message: e.message, code: sys.code, syscall: sys.syscall, path: sys.path };
  // Anything else is a bug: its stack goes along for the log.
  return { name: e.name, message: e.name === 'CancelledError' ? e.message : (e.stack ?? e.message) };
}

export function reviveError(s: SerializedError): Error {
  if (s.name === 'CancelledError') return new CancelledError(s.message);
  if (s.name === 'LensError') return new LensError(s.message, s.file, s.code);
  const e: NodeJS.ErrnoException = new Error(s.message);
  e.name = s.name;
  if (s.syscall) Object.assign(e, { code: s.code, syscall: s.syscall, path: s.path });
  return e;
}

/** In a worker entry: waits for the request, runs `handle` on it and replies once. */
export function serveWorker<Req, P, R>(handle: WorkerHandler<Req, P, R>): void {
  // Imported for its types only by the callers; a stray import outside a worker must not hang here.
  const port = parentPort;
  if (!port) return;
  const abort = new AbortController();
  const post = (m: Reply<P, R>, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let onReply: ArrayBuffer[] = [];
  const control: WorkerControl<P> = {
    signal: abort.signal,
    progress: (progress, transfer) => post({ type: 'progress', progress }, transfer),
    transferOnReply: (buffers) => {
      onReply = buffers;
    },
  };
  const stopListening = () => port.removeAllListeners('message');
  port.on('message', (m: { type?: string; request?: Req }) => {
    if (m?.type === 'cancel') abort.abort();
    else if (m?.type === 'request') {
      handle(m.request as Req, control).then(
        (result) => {
          post({ type: 'done', result }, onReply);
          // Nothing else to do: the thread ends as its event loop empties.
          stopListening();
        },
        (err: unknown) => {
          post({ type: 'error', error: serializeError(err) });
          stopListening();
        },
      );
    }
  });
}

export interface InvokeOptions<P> {
  signal?: AbortSignal;
  onProgress?: (p: P) => void;
  /**
   * On cancel: 'reject' at once with CancelledError (the worker stops after its step and is then
   * terminated: embedding), or 'wait' for the worker's own reply (a fine-tune returns the best
   * epoch so far; a scan whose shared flag was set replies cancelled).
   */
  onCancel?: 'reject' | 'wait';
  /** With 'reject': how long a worker stuck in one step may take before it is terminated anyway. */
  graceMs?: number;
}

/** Runs one request on a new worker thread `name` (src/core/workers/<name>.ts) served by `serveWorker`. */
export function invokeWorker<H extends WorkerHandler<never, never, unknown>>(name: string, request: RequestOf<H>, opts: InvokeOptions<ProgressOf<H>> = {}): Promise<ResultOf<H>> {
  const { signal, onProgress } = opts;
  return new Promise<ResultOf<H>>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const worker = startWorker(name);
    worker.postMessage({ type: 'request', request });
    let settled = false;
    let replied = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' });
      if ((opts.onCancel ?? 'reject') === 'reject') {
        finish(() => reject(new CancelledError()));
        // Terminated only once idle (its reply) or after the grace period.
        setTimeout(() => void worker.terminate(), opts.graceMs ?? 60_000).unref();
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: Reply<ProgressOf<H>, ResultOf<H>>) => {
      if (m.type === 'progress') {
        if (settled) return;
        try {
          onProgress?.(m.progress);
        } catch (err) {
          // A throwing callback must not leave the worker running unobserved.
          worker.postMessage({ type: 'cancel' });
          finish(() => reject(err));
        }
        return;
      }
      replied = true;
      if (m.type === 'done') finish(() => resolve(m.result));
      else finish(() => reject(reviveError(m.error)));
      void worker.terminate();
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => {
      if (!replied) finish(() => reject(signal?.aborted ? new CancelledError() : new Error(`the ${name} worker exited (code ${code}) before replying`)));
    });
  });
}
