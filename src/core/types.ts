/** Data shapes shared by every engine module, the CLI, the host and (via protocol.ts) the webview. */

/** N×D embeddings with their labels and item identities, row-major in one Float32Array. */
export interface LabelledEmbeddings {
  vectors: Float32Array;
  n: number;
  dim: number;
  /** Class index per row, into classNames. */
  labels: Int32Array;
  classNames: string[];
  /** Item identity per row: an absolute file path, or e.g. "t10k-images-idx3-ubyte#123" for IDX items. */
  paths: string[];
  /** Optional per-row split, e.g. In-Shop query/gallery or a manifest's train/test column. */
  split?: string[];
}

/** One progress report from a long-running stage. */
export interface Progress {
  stage: string;
  done: number;
  total: number;
  /** Items per second over the stage so far. */
  rate?: number;
  etaSeconds?: number;
  message?: string;
}

export type ProgressFn = (p: Progress) => void;

/** Options every long-running engine call accepts. */
export interface RunControl {
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}
