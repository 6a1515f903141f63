import type * as ortTypes from 'onnxruntime-node';
import { BackendSetting, OrtAvailability, OrtProvider, Selection, selectOrtProviders } from './select';
import { cpuCount, probeGpu } from './device';
import { packageFile } from './packageFile';
import { ENABLE_GPU_HINT, type GpuPreference } from '../gpu/preference';
import { ORT_GPU_VERSION } from '../gpu/pinned';
import { installedRuntime, runtimeDir } from '../gpu/runtimeDir';

export type Ort = typeof ortTypes;

/** One onnxruntime-node module per thread, shared by every bundle of this code that runs in it. */
const LOADED = Symbol.for('embedding-lens.onnxruntime-node');

/**
 * onnxruntime-node — the copy already in use in this thread when there is one. Two copies of its
 * JavaScript in one thread (two bundles sharing an extension host thread: the host tests' bundle
 * beside the extension's) would both initialise the one native addon, and onnxruntime 1.29's
 * second initialisation aborts the whole process (a Node assertion in napi_add_env_cleanup_hook),
 * with no exception to catch. globalThis is per thread, as the addon's state is.
 */
export function loadOrt(): Ort {
  const slot = globalThis as { [LOADED]?: Ort };
  slot[LOADED] ??= require('onnxruntime-node') as Ort;
  return slot[LOADED];
}

/**
 * What onnxruntime-node on this machine can do, probed without creating a session. The CUDA
 * provider comes either with the package (an install whose script fetched it: used in-process)
 * or from the folder Enable GPU filled under the storage root (used in a child process, see
 * core/gpu/cudaRunner.ts); `providerDir` names the latter.
 */
export function probeOrt(ort: Ort, pref?: GpuPreference): OrtAvailability {
  const gpu = pref?.mode === 'off' ? 'turned off by the embeddingLens.gpu.mode setting' : probeGpu();
  let cudaProvider: true | string = 'onnxruntime-node lists no CUDA provider';
  let providerDir: string | undefined;
  const cuda = ort.listSupportedBackends?.().find((b) => b.name === 'cuda');
  if (cuda) {
    if (cuda.bundled) cudaProvider = true;
    else {
      // Not bundled: the provider library arrives with the package's install script, which may not have run.
      // Looked up beside the addon, where the bundled extension and a checkout both keep it.
      let lib: string | undefined;
      try {
        lib = packageFile(`onnxruntime-node/bin/napi-v6/${process.platform}/${process.arch}/libonnxruntime_providers_cuda.so`);
      } catch {
        lib = undefined;
      }
      if (lib) cudaProvider = true;
      else {
        const installed = pref?.root
          ? installedRuntime(pref.root)
          : `the CUDA provider for onnxruntime ${ORT_GPU_VERSION} is not downloaded`;
        if (installed === true) {
          cudaProvider = true;
          providerDir = runtimeDir(pref!.root!);
        } else cudaProvider = `${installed} — ${ENABLE_GPU_HINT}`;
      }
    }
  }
  return { cudaProvider, gpu, ...(providerDir ? { providerDir } : {}) };
}

export interface OrtSessionPlan {
  options: ortTypes.InferenceSession.SessionOptions;
  selection: Selection<OrtProvider> & { providers: OrtProvider[] };
}

/**
 * Session options: every core for intra-op parallelism, all graph optimisations. `spin` keeps
 * idle intra-op threads spinning between ops (onnxruntime's default); off, they sleep and leave
 * the cores to image decoding, which runs alongside inference in the embed pipeline.
 */
export function ortSessionPlan(
  setting: BackendSetting,
  available: OrtAvailability,
  threads = cpuCount(),
  spin = process.env.EMBEDDING_LENS_ORT_SPIN === '1',
  deviceId = 0,
): OrtSessionPlan {
  const selection = selectOrtProviders(setting, available);
  return {
    selection,
    options: {
      // deviceId picks the GPU on multi-GPU machines (embeddingLens.gpu.device).
      executionProviders: selection.providers.map((p) => (p === 'cuda' ? { name: 'cuda', deviceId } : p)),
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' }, inter_op: { allow_spinning: spin ? '1' : '0' } } },
    },
  };
}
