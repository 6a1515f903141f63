import type * as ortTypes from 'onnxruntime-node';
import { BackendSetting, OrtAvailability, OrtProvider, Selection, selectOrtProviders } from './select';
import { cpuCount, probeGpu } from './device';
import { packageFile } from './packageFile';

export type Ort = typeof ortTypes;

export function loadOrt(): Ort {
  return require('onnxruntime-node') as Ort;
}

/** What onnxruntime-node on this machine can do, probed without creating a session. */
export function probeOrt(ort: Ort): OrtAvailability {
  const gpu = probeGpu();
  let cudaProvider: true | string = 'onnxruntime-node lists no CUDA provider';
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
      cudaProvider = lib
        ? true
        : 'CUDA provider library not installed (onnxruntime-node install script skipped)';
    }
  }
  return { cudaProvider, gpu };
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
export function ortSessionPlan(setting: BackendSetting, available: OrtAvailability, threads = cpuCount(), spin = process.env.EMBEDDING_LENS_ORT_SPIN === '1'): OrtSessionPlan {
  const selection = selectOrtProviders(setting, available);
  return {
    selection,
    options: {
      executionProviders: selection.providers,
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      extra: { session: { intra_op: { allow_spinning: spin ? '1' : '0' }, inter_op: { allow_spinning: spin ? '1' : '0' } } },
    },
  };
}
