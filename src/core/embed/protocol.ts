import type { LoadCheckpointOptions, ModelKind, OutputCandidate, OutputChoice, Preprocess } from '../checkpoint';

/** The embed worker's request (workers/embed.ts handleEmbed) and the types its reply and events carry. */
export interface EmbedJob {
  checkpoint: string;
  load: LoadCheckpointOptions;
  items: { path: string; idx?: { file: string; index: number } }[];
  batchSize: number;
  /** performance.timeOrigin + performance.now() when the thread was spawned. */
  spawnedAt: number;
}

export interface ModelInfo {
  kind: ModelKind;
  backend: string;
  assumptions: string[];
  /** LoadedModel.runtimeNotes: routine, shown behind the panel's "details". */
  runtimeNotes: string[];
  /** LoadedModel.outputCandidates: equally plausible outputs, when no output was named. */
  outputCandidates?: OutputCandidate[];
  dim: number;
  outputName: string;
  output: OutputChoice;
  preprocess: Preprocess;
}

export interface SkippedItem {
  index: number;
  reason: string;
}

export interface EmbedTimings {
  /** Thread start to the worker's first line: isolate, module loading (sharp, runtimes). */
  workerStartMs: number;
  loadModelMs: number;
  /** Time the loop waited on decoding (decoding that overlapped inference is not counted). */
  decodeWaitMs: number;
  /** Time the loop waited on the model (inference that overlapped decoding is not counted). */
  inferMs: number;
  /** Worker thread start to the last row written. */
  totalMs: number;
}
