import type { LoadCheckpointOptions, ModelKind, OutputChoice, Preprocess } from '../checkpoint';

/** Messages across the embed worker boundary (workerData in, these out). */
export interface EmbedJob {
  checkpoint: string;
  load: LoadCheckpointOptions;
  items: { path: string; idx?: { file: string; index: number } }[];
  batchSize: number;
}

export interface ModelInfo {
  kind: ModelKind;
  backend: string;
  assumptions: string[];
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
  loadModelMs: number;
  /** Time the loop waited on decoding (decoding that overlapped inference is not counted). */
  decodeWaitMs: number;
  inferMs: number;
  totalMs: number;
}

export type WorkerMessage =
  | { type: 'model'; info: ModelInfo }
  | { type: 'progress'; done: number; skipped: number }
  | { type: 'done'; vectors: Float32Array; ok: Uint8Array; skipped: SkippedItem[]; timings: EmbedTimings }
  | { type: 'error'; name: string; message: string; file?: string; code?: string };
