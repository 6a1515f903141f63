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
 * request (the retrieval scan does; the UMAP run has its control block). A thread is never
 * terminated while it runs native code: terminating one inside onnxruntime aborts the whole process.
 *
 * A worker that keeps its state between calls (a training shard holds a model copy) is served by
 * `serveWorkerSession(open)` and opened with `openWorker<typeof open>(name, request)`: the request
 * builds the worker's methods once, and each `call(method, ...args)` is typed by that method's
 * own signature. Same first message, errors and transfers as above.
 */
export interface WorkerControl<P> {
  /** Aborted when the caller cancels. */
  signal: AbortSignal;
  progress(p: P, transfer?: ArrayBuffer[]): void;
  /** Buffers of the result to move to the caller rather than copy (called before returning it). */
  transferOnReply(buffers: ArrayBuffer[]): void;
}

/** A worker's handler: the request (the first message), progress events of type P, the result R. */
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

/** Every message of the protocol. `id` pairs a session's call with its reply (absent: the one-shot request). */
type Reply<P, R> =
  | { type: 'progress'; progress: P }
  | { type: 'done'; result: R; id?: number }
  | { type: 'error'; error: SerializedError; id?: number }
  | { type: 'ready' };
type Message<Req> =
  | { type: 'request'; request: Req }
  | { type: 'cancel' }
  | { type: 'call'; id: number; method: string; args: unknown[] }
  | { type: 'close' };

export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof LensError) return { name: e.name, message: e.reason, file: e.file, code: e.code };
  const sys = e as NodeJS.ErrnoException;
  if (typeof sys.code === 'string' && typeof sys.syscall === 'string')
    return { name: e.name, message: e.message, code: sys.code, syscall: sys.syscall, path: sys.path };
  // Anything else is a bug: its stack goes along for the log.
  return { name: e.name, message: e.name === 'CancelledError' ? e.message : (e.stack ?? e.message) };
}

export function reviveError(s: SerializedError): Error {
  if (s.name === 'CancelledError') return new CancelledError(s.message);
  if (s.name === 'LensError') return new LensError(s.message, s.file, s.code);
  const e: NodeJS.ErrnoException = new Error(s.message);
  e.name = s.name;
  // A bug's message is already its stack in the worker: crossing a second thread (a UMAP helper's
  // error, through the UMAP worker) must not wrap it in another.
  if (!s.syscall && s.message.startsWith(`${s.name}: `)) e.stack = s.message;
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
  port.on('message', (m: Message<Req>) => {
    if (m?.type === 'cancel') abort.abort();
    else if (m?.type === 'request') {
      handle(m.request, control).then(
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
export function invokeWorker<H extends WorkerHandler<never, never, unknown>>(
  name: string,
  request: RequestOf<H>,
  opts: InvokeOptions<ProgressOf<H>> = {},
): Promise<ResultOf<H>> {
  const { signal, onProgress } = opts;
  return new Promise<ResultOf<H>>((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const worker = startWorker(name);
    worker.postMessage({ type: 'request', request } satisfies Message<RequestOf<H>>);
    let settled = false;
    let replied = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => {
      worker.postMessage({ type: 'cancel' } satisfies Message<never>);
      if ((opts.onCancel ?? 'reject') === 'reject') {
        finish(() => reject(new CancelledError()));
        // Terminated only once idle (its reply) or after the grace period.
        setTimeout(() => void worker.terminate(), opts.graceMs ?? 60_000).unref();
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (m: Reply<ProgressOf<H>, ResultOf<H>>) => {
      if (m.type === 'ready') return;
      if (m.type === 'progress') {
        if (settled) return;
        try {
          onProgress?.(m.progress);
        } catch (err) {
          // A throwing callback must not leave the worker running unobserved.
          worker.postMessage({ type: 'cancel' } satisfies Message<never>);
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
      if (!replied)
        finish(() =>
          reject(signal?.aborted ? new CancelledError() : new Error(`the ${name} worker exited (code ${code}) before replying`)),
        );
    });
  });
}

/** A session worker's methods: what `serveWorkerSession`'s opener returns. */
export type WorkerMethods = { [method: string]: (...args: never[]) => unknown };

/** In a session method: buffers of its result to move to the caller rather than copy. */
export interface SessionControl {
  transferOnReply(buffers: ArrayBuffer[]): void;
}

/** Builds a session worker's state from the request and returns its methods (`dispose` runs on close). */
export type WorkerOpener<Req, M extends WorkerMethods> = (request: Req, control: SessionControl) => Promise<M>;

type MethodsOf<O> = O extends WorkerOpener<never, infer M> ? M : never;
type OpenRequestOf<O> = O extends (request: infer Req, control: SessionControl) => unknown ? Req : never;

/**
 * In a worker entry: waits for the request, opens the worker's methods with it (replying 'ready',
 * or the error), then runs each call and replies to it; 'close' runs `dispose` and ends the thread.
 */
export function serveWorkerSession<Req, M extends WorkerMethods>(open: WorkerOpener<Req, M>): void {
  const port = parentPort;
  if (!port) return;
  const post = (m: Reply<never, unknown>, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
  let onReply: ArrayBuffer[] = [];
  const control: SessionControl = {
    transferOnReply: (buffers) => {
      onReply = buffers;
    },
  };
  // Calls run one after another, in the order they came, after the opening; so does the close.
  let queue: Promise<M> | undefined;
  let methods: M | undefined;
  const then = (step: (methods: M) => unknown) => {
    queue = queue!.then(async (ms) => {
      await step(ms);
      return ms;
    });
  };
  port.on('message', (m: Message<Req>) => {
    if (m?.type === 'request') {
      queue = open(m.request, control);
      queue.then(
        (ms) => {
          methods = ms;
          post({ type: 'ready' });
        },
        (err: unknown) => {
          post({ type: 'error', error: serializeError(err) });
          port.close();
        },
      );
    } else if (m?.type === 'call') {
      then(async (ms) => {
        try {
          const method = ms[m.method] as ((...args: unknown[]) => unknown) | undefined;
          if (typeof method !== 'function') throw new Error(`no method ${m.method} in this worker`);
          onReply = [];
          const result = await method.apply(ms, m.args);
          post({ type: 'done', id: m.id, result }, onReply);
        } catch (err) {
          post({ type: 'error', id: m.id, error: serializeError(err) });
        }
      });
    } else if (m?.type === 'close') {
      if (!methods) return port.close();
      then((ms) => {
        (ms.dispose as (() => void) | undefined)?.call(ms);
        port.close();
      });
    }
  });
}

/** A session worker seen from its caller. */
export interface WorkerSession<M extends WorkerMethods> {
  /** Runs one method in the worker and resolves with its result (rejects with its error). */
  call<K extends keyof M & string>(method: K, ...args: Parameters<M[K]>): Promise<Awaited<ReturnType<M[K]>>>;
  /** Runs the worker's `dispose` and lets its thread end; calls still pending are answered first. */
  close(): void;
  /** Stops the thread at once (only for a worker that is not inside native code). */
  terminate(): Promise<number>;
}

/**
 * Starts worker `name` (served by `serveWorkerSession`) and opens it with `request`. Resolves once
 * the worker has opened; rejects with its opening error. A thread that fails or exits rejects its
 * pending calls and every later one. The thread keeps the process alive only while a call (or the
 * opening) is pending: an idle session left open does not stop the process from exiting.
 */
export function openWorker<O extends WorkerOpener<never, WorkerMethods>>(
  name: string,
  request: OpenRequestOf<O>,
): Promise<WorkerSession<MethodsOf<O>>> {
  type M = MethodsOf<O>;
  const worker = startWorker(name);
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  let opening: { resolve(): void; reject(e: Error): void } | undefined;
  let dead: Error | undefined;
  let nextId = 0;
  // The thread keeps the process alive only while the caller waits for it.
  const hold = () => (opening || pending.size > 0 ? worker.ref() : worker.unref());
  const die = (err: Error) => {
    dead ??= err;
    opening?.reject(dead);
    opening = undefined;
    for (const p of pending.values()) p.reject(dead);
    pending.clear();
    hold();
  };
  worker.on('message', (m: Reply<never, unknown>) => {
    if (m.type === 'ready') {
      opening?.resolve();
      opening = undefined;
      hold();
    } else if (m.type === 'done' || m.type === 'error') {
      if (m.id === undefined) return die(reviveError((m as { error: SerializedError }).error));
      const p = pending.get(m.id);
      pending.delete(m.id);
      hold();
      if (m.type === 'done') p?.resolve(m.result);
      else p?.reject(reviveError(m.error));
    }
  });
  worker.on('error', (err) => die(err));
  worker.on('exit', (code) => die(new Error(`the ${name} worker exited (code ${code})`)));
  const session: WorkerSession<M> = {
    call: (method, ...args) =>
      new Promise((resolve, reject) => {
        if (dead) return reject(dead);
        const id = nextId++;
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        hold();
        worker.postMessage({ type: 'call', id, method, args } satisfies Message<never>);
      }),
    close: () => worker.postMessage({ type: 'close' } satisfies Message<never>),
    terminate: () => worker.terminate(),
  };
  return new Promise((resolve, reject) => {
    opening = { resolve: () => resolve(session), reject };
    worker.postMessage({ type: 'request', request } satisfies Message<OpenRequestOf<O>>);
  });
}
