/**
 * Backend choice as pure functions over an injected availability report, so the GPU branches
 * are unit-tested on machines without a GPU; runtime/tfjs.ts and runtime/onnx.ts probe the real
 * machine and feed the report in.
 */

export type TfjsBackend = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
export type BackendSetting = 'auto' | TfjsBackend;
export type OrtProvider = 'cuda' | 'cpu';

/** The fastest first: a forced setting starts the chain there, and the rest are its fallbacks. */
export const TFJS_CHAIN: readonly TfjsBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'wasm', 'cpu'];

/** `true` when usable, else the reason it is not (shown to the user as what was skipped). */
export type Availability<K extends string> = Record<K, true | string>;

export interface Selection<K extends string> {
  chosen: K;
  /** The candidates tried before `chosen`, each with why it was passed over. */
  skipped: { backend: K; reason: string }[];
}

export function isBackendSetting(x: unknown): x is BackendSetting {
  return x === 'auto' || (typeof x === 'string' && (TFJS_CHAIN as readonly string[]).includes(x));
}

export function tfjsCandidates(setting: BackendSetting): TfjsBackend[] {
  if (setting === 'auto') return [...TFJS_CHAIN];
  return TFJS_CHAIN.slice(TFJS_CHAIN.indexOf(setting));
}

export function selectTfjsBackend(setting: BackendSetting, available: Availability<TfjsBackend>): Selection<TfjsBackend> {
  const skipped: Selection<TfjsBackend>['skipped'] = [];
  for (const b of tfjsCandidates(setting)) {
    const a = available[b];
    if (a === true) return { chosen: b, skipped };
    skipped.push({ backend: b, reason: a });
  }
  // cpu is pure JavaScript and always loads; reaching here means the probe itself is broken.
  throw new Error(`no tfjs backend available (${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})`);
}

export interface OrtAvailability {
  /** onnxruntime-node lists a CUDA provider and its shared library is installed. */
  cudaProvider: true | string;
  /** An NVIDIA GPU and driver are visible. */
  gpu: true | string;
  /** The provider is the one Enable GPU downloaded into this folder (run in a child process), not the package's own. */
  providerDir?: string;
}

/**
 * Execution providers for onnxruntime. The settings enum is tfjs-flavoured: "auto" and the two
 * native tfjs names ask for the fastest device, so CUDA is tried; "wasm"/"cpu" mean "stay on the CPU".
 */
export function selectOrtProviders(
  setting: BackendSetting,
  available: OrtAvailability,
): Selection<OrtProvider> & { providers: OrtProvider[] } {
  const skipped: Selection<OrtProvider>['skipped'] = [];
  const wantsGpu = setting === 'auto' || setting === 'tfjs-node-gpu';
  if (wantsGpu) {
    const reason = available.gpu !== true ? available.gpu : available.cudaProvider !== true ? available.cudaProvider : null;
    if (reason === null) return { chosen: 'cuda', skipped, providers: ['cuda', 'cpu'] };
    skipped.push({ backend: 'cuda', reason });
  }
  return { chosen: 'cpu', skipped, providers: ['cpu'] };
}
