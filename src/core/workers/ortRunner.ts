// Child-process entry (started with child_process.fork by core/gpu/cudaRunner.ts, not a worker
// thread — it lives here because scripts/build.mjs builds every file in this folder to
// dist/workers/ and workerPath finds it). A separate process because the CUDA provider and the
// CUDA/cuDNN libraries are found through LD_LIBRARY_PATH, which the loader reads only at process
// start, and because a crash inside CUDA must not take the extension host down with it.
//
// In a bundle, onnxruntime-node's addon is looked up through packageFile, which honours
// EMBEDDING_LENS_ORT_BIN_DIR: the folder Enable GPU filled with the addon, libonnxruntime.so.1
// and the provider libraries (onnxruntime loads a provider from libonnxruntime's own folder).
//
// Protocol (structured clone over the IPC channel): one 'create', then 'run'/'libraries' requests
// answered by id, then 'release', after which the process exits.
import { readFileSync } from 'node:fs';
import type * as ortTypes from 'onnxruntime-node';
import type { RunnerReply, RunnerRequest, WireTensor } from '../gpu/runnerProtocol';

let ort: typeof ortTypes | undefined;
let session: ortTypes.InferenceSession | undefined;

const send = (m: RunnerReply) => process.send!(m);

/** The shared libraries this process has mapped whose names matter for the report, with their paths. */
function loadedLibraries(): Record<string, string> {
  const out: Record<string, string> = {};
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return out;
  }
  for (const line of maps.split('\n')) {
    const path = line.slice(line.indexOf('/'));
    const m = /\/(lib(?:onnxruntime[\w]*|cudart|cublas|cublasLt|cudnn[\w]*|curand|cufft|cuda|nvrtc)\.so[.\d]*)$/.exec(path);
    if (m && line.includes('/') && !out[m[1]]) out[m[1]] = path;
  }
  return out;
}

async function handle(m: RunnerRequest): Promise<void> {
  if (m.type === 'create') {
    ort ??= require('onnxruntime-node') as typeof ortTypes;
    const options = {
      ...m.options,
      executionProviders: m.provider === 'cuda' ? [{ name: 'cuda', deviceId: m.deviceId ?? 0 } as const, 'cpu' as const] : ['cpu' as const],
    };
    session = await ort.InferenceSession.create(m.model as Uint8Array, options);
    // onnxruntime throws when an asked-for provider cannot load; this is the belt to that brace — a CPU
    // run must never go out under a GPU label.
    const libs = loadedLibraries();
    if (m.provider === 'cuda' && !libs['libonnxruntime_providers_cuda.so'])
      throw new Error('the CUDA provider library was not loaded by onnxruntime');
    send({
      type: 'created',
      id: m.id,
      inputNames: [...session.inputNames],
      outputNames: [...session.outputNames],
      inputMetadata: session.inputMetadata.map((x) => ({ ...x })) as unknown[],
      libraries: libs,
    });
  } else if (m.type === 'run') {
    if (!session || !ort) throw new Error('no session');
    const feeds: Record<string, ortTypes.Tensor> = {};
    for (const [name, t] of Object.entries(m.feeds)) feeds[name] = new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims);
    const result = await session.run(feeds, m.names);
    const outputs: Record<string, WireTensor> = {};
    for (const [name, t] of Object.entries(result)) outputs[name] = { type: t.type, dims: [...t.dims], data: t.data as WireTensor['data'] };
    send({ type: 'result', id: m.id, outputs });
  } else if (m.type === 'libraries') {
    send({ type: 'libraries', id: m.id, libraries: loadedLibraries() });
  } else if (m.type === 'release') {
    await session?.release();
    session = undefined;
    process.disconnect?.();
    process.exit(0);
  }
}

process.on('message', (m: RunnerRequest) => {
  handle(m).catch((err: Error) => send({ type: 'error', id: m.id, message: err?.message ?? String(err) }));
});
// The parent went away (extension host closed, worker terminated): nothing left to serve.
process.on('disconnect', () => process.exit(0));
