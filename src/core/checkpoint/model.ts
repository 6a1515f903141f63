import type { BackendSetting } from '../runtime/select';
import type { GpuPreference } from '../gpu/preference';
import type { CheckpointConfig, OutputChoice, Preprocess } from './config';
import type { Dim } from './inputSpec';
import type { OutputCandidate } from './outputChoice';

export type ModelKind = 'tfjs-layers' | 'tfjs-graph' | 'onnx';
export type PrecomputedKind = 'npy' | 'projector-tsv';
export type CheckpointKind = ModelKind | PrecomputedKind;

export interface LoadCheckpointOptions {
  /** The `embeddingLens.backend` setting; "auto" when left out. */
  backend?: BackendSetting;
  /** Overrides `output` in embedding-lens.json. */
  output?: OutputChoice;
  /** Overrides fields of embedding-lens.json (CLI flags, panel choices). */
  config?: CheckpointConfig;
  /** onnxruntime intra-op threads; all cores when left out. */
  threads?: number;
  /** embeddingLens.gpu.mode / gpu.device and where Enable GPU put the CUDA provider (ONNX models). */
  gpu?: GpuPreference;
}

/** An image model ready to embed: what was loaded, how it is fed, and which output is the embedding. */
export interface LoadedModel {
  kind: ModelKind;
  path: string;
  inputName: string;
  inputShape: Dim[];
  /** Name of the tensor used as the embedding (tfjs layer/node name or ONNX output name). */
  outputName: string;
  output: OutputChoice;
  /** Names that `{kind: 'named', name}` accepts here: graph outputs (ONNX, GraphModel) or layer names (LayersModel). */
  availableOutputs: string[];
  /** Embedding width D (flattened when the chosen output is not 2-D). */
  dim: number;
  preprocess: Preprocess;
  /** The backend that actually runs: tfjs-node-gpu | tfjs-node | wasm | cpu | onnxruntime-cuda | onnxruntime-cpu. */
  backend: string;
  /** Everything not read from the model or embedding-lens.json: it shapes the numbers, so it is always shown. */
  assumptions: string[];
  /**
   * Routine remarks on how it runs ("tfjs backend tfjs-node-gpu not used: no NVIDIA GPU driver
   * found"): the numbers are the same either way, so the panel keeps them behind "details".
   */
  runtimeNotes?: string[];
  /**
   * Set when no output was named and several were equally plausible (outputChoice.ts): every one of
   * them, the one taken first. The extension asks which one is meant.
   */
  outputCandidates?: OutputCandidate[];
  /** Largest batch the model accepts (a model exported with a fixed batch dimension); Infinity otherwise. */
  maxBatch: number;
  /**
   * Embeds `n` preprocessed images laid out as `preprocess` says (n×H×W×C or n×C×H×W floats);
   * returns n×dim floats.
   */
  embed(input: Float32Array, n: number): Promise<Float32Array>;
  dispose(): Promise<void>;
}

export function inputDims(pp: Preprocess, n: number): number[] {
  return pp.layout === 'NHWC' ? [n, pp.height, pp.width, pp.channels] : [n, pp.channels, pp.height, pp.width];
}

export function describeOutput(o: OutputChoice): string {
  return o.kind === 'named' ? `output "${o.name}"${o.pool ? ` (pool ${o.pool})` : ''}` : `${o.kind} layer`;
}
