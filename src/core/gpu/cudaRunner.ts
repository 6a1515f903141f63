import { fork, type ChildProcess } from 'node:child_process';
import type { InferenceSession } from 'onnxruntime-node';
import { workerPath } from '../util/workerPath';
import type { RunnerReply, RunnerRequest, WireTensor } from './runnerProtocol';

export interface RunnerSpec {
  provider: 'cuda' | 'cpu';
  /** CUDA device index (embeddingLens.gpu.device). */
  deviceId?: number;
  /** Folder with the addon, libonnxruntime.so.1 and the provider libraries (Enable GPU's); the bundled addon when left out. */
  ortBinDir?: string;
  /** Put first on the child's LD_LIBRARY_PATH (the CUDA/cuDNN folders found by libraryPaths). */
  libraryDirs?: string[];
}

/** The part of an onnxruntime InferenceSession the model loader uses, answered by the child process. */
export interface SessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly InferenceSession.ValueMetadata[];
  run(feeds: Record<string, WireTensor>, names: string[]): Promise<Record<string, WireTensor>>;
  release(): Promise<void>;
}

export interface RemoteSession extends SessionLike {
  /** Libraries the child has mapped (onnxruntime, provider, CUDA, cuDNN) → where from. */
  libraries(): Promise<Record<string, string>>;
  /** Libraries mapped right after the session was created. */
  readonly librariesAtCreate: Record<string, string>;
}

/** The child's entry: dist/workers/ortRunner.js bundled, src/core/workers/ortRunner.ts from source. */
function runnerEntry(): { path: string; execArgv: string[] } {
  const path = workerPath('ortRunner');
  // From source (unit tests under tsx) the child needs tsx's loader; a bundle needs nothing.
  return { path, execArgv: path.endsWith('.ts') ? ['--import', 'tsx'] : [] };
}

/**
 * Starts the runner process and creates one session in it. The session answers like an
 * onnxruntime session; tensors cross the process boundary by structured clone. The child exits on
 * release(), when this process goes away, or on a crash — which rejects what was pending with the
 * exit code or signal, never hangs.
 */
export function openRemoteSession(
  model: string | Uint8Array,
  options: InferenceSession.SessionOptions,
  spec: RunnerSpec,
): Promise<RemoteSession> {
  const { path, execArgv } = runnerEntry();
  const env: NodeJS.ProcessEnv = { ...process.env, ELECTRON_RUN_AS_NODE: '1' };
  const ld = [...(spec.libraryDirs ?? []), ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)];
  if (ld.length) env.LD_LIBRARY_PATH = [...new Set(ld)].join(':');
  if (spec.ortBinDir) env.EMBEDDING_LENS_ORT_BIN_DIR = spec.ortBinDir;
  else delete env.EMBEDDING_LENS_ORT_BIN_DIR;
  const child: ChildProcess = fork(path, [], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    // onnxruntime logs the loader's words ("libcublasLt.so.13: cannot open shared object file") here and
    // throws only "Failed to load shared library": errors are reported with what stderr said meanwhile.
    // The ESC byte is the point: this strips the loader's ANSI colour codes.
    // eslint-disable-next-line no-control-regex
    stderr = (stderr + c.toString('utf8').replace(/\x1b\[[0-9;]*m/g, '')).slice(-4000);
  });
  const pending = new Map<number, { resolve: (m: RunnerReply) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let exited: Error | undefined;
  child.on('message', (m: RunnerReply) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.type !== 'error') return p.resolve(m);
    // stderr and the IPC channel are separate pipes: give the log lines written before the throw a moment to arrive.
    setTimeout(() => {
      const said = stderr
        .split('\n')
        .map((l) => l.replace(/^.*?\[ONNXRuntimeError\] : \d+ : \w+ : /, '').trim())
        .filter((l) => l && !m.message.includes(l))
        .slice(-2);
      stderr = '';
      p.reject(new Error(said.length ? `${m.message} (${said.join(' | ')})` : m.message));
    }, 100);
  });
  const onGone = (why: string) => {
    exited ??= new Error(`the onnxruntime process ${why}${stderr.trim() ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`);
    for (const p of pending.values()) p.reject(exited);
    pending.clear();
  };
  child.on('exit', (code, signal) => onGone(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  child.on('error', (err) => onGone(`could not run (${err.message})`));
  // The runner must not keep a CLI run alive on its own; pending requests hold the event loop instead.
  child.unref();
  (child.channel as { unref?: () => void } | undefined)?.unref?.();

  const request = <T extends RunnerReply['type']>(m: Omit<RunnerRequest, 'id'>, want: T): Promise<Extract<RunnerReply, { type: T }>> =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = nextId++;
      // A pending request keeps the process alive (the child and its channel are unref'ed).
      const hold = setInterval(() => undefined, 1 << 30);
      pending.set(id, {
        resolve: (r) => {
          clearInterval(hold);
          if (r.type !== want) reject(new Error(`the onnxruntime process answered ${r.type}, expected ${want}`));
          else resolve(r as Extract<RunnerReply, { type: T }>);
        },
        reject: (e) => {
          clearInterval(hold);
          reject(e);
        },
      });
      child.send({ ...m, id } as RunnerRequest);
    });

  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return request(
    { type: 'create', model, provider: spec.provider, deviceId: spec.deviceId, options } as Omit<RunnerRequest, 'id'>,
    'created',
  ).then(
    (created) => ({
      inputNames: created.inputNames,
      outputNames: created.outputNames,
      inputMetadata: created.inputMetadata as InferenceSession.ValueMetadata[],
      librariesAtCreate: created.libraries,
      run: async (feeds, names) => {
        // onnxruntime Tensors carry getters and methods; only type, dims and data cross the boundary.
        const wire: Record<string, WireTensor> = {};
        for (const [k, t] of Object.entries(feeds)) {
          // A view into a larger buffer (the last, shorter batch) would send the whole buffer: send just its part.
          const d = t.data;
          const partial = ArrayBuffer.isView(d) && (d.byteOffset !== 0 || d.byteLength !== d.buffer.byteLength);
          wire[k] = { type: t.type, dims: [...t.dims], data: partial ? (d.slice() as WireTensor['data']) : d };
        }
        return (await request({ type: 'run', feeds: wire, names } as Omit<RunnerRequest, 'id'>, 'result')).outputs;
      },
      libraries: async () => (await request({ type: 'libraries' } as Omit<RunnerRequest, 'id'>, 'libraries')).libraries,
      release: async () => {
        if (exited) return;
        child.send({ type: 'release', id: 0 } satisfies RunnerRequest);
        // Exits on its own after releasing; a child stuck in a driver call is killed.
        const timer = setTimeout(kill, 5_000);
        await new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
        clearTimeout(timer);
      },
    }),
    (err: Error) => {
      kill();
      throw err;
    },
  );
}
