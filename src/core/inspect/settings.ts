import type { BackendSetting } from '../runtime/select';
import type { GpuPreference } from '../gpu/preference';

/**
 * Everything an inspection can be tuned with — the `embeddingLens.*` settings in VS Code and the
 * flags of `embedding-lens inspect`. Defaults match package.json's contributed defaults.
 */
export interface InspectionSettings {
  backend: BackendSetting;
  /** embeddingLens.gpu.mode / gpu.device and the GPU runtime's folder; ONNX models stay on the CPU when left out. */
  gpu?: GpuPreference;
  batchSize: number;
  maxItems: number;
  maxPerClass: number;
  neighborsK: number;
  recallAtK: number[];
  distance: 'cosine' | 'euclidean';
  umap: { nNeighbors: number; minDist: number; spread: number; epochs: number; seed: number };
  eet: { margin: number; weights: [number, number, number]; batches: number; pk: [number, number] };
  /**
   * Above `exactLimit` items the retrieval metrics come from a seeded stratified sample of queries
   * (with 95% CIs) unless `exact` forces every query. Absent: the defaults below.
   */
  metrics?: { exactLimit: number; exact: boolean; sampleQueries?: number };
}

export const DEFAULT_SETTINGS: InspectionSettings = {
  backend: 'auto',
  batchSize: 64,
  maxItems: 0,
  maxPerClass: 0,
  neighborsK: 10,
  recallAtK: [1, 2, 4, 8],
  distance: 'cosine',
  umap: { nNeighbors: 15, minDist: 0.1, spread: 1, epochs: 0, seed: 42 },
  eet: { margin: 0.3, weights: [1, 1, 1], batches: 20, pk: [8, 4] },
  metrics: { exactLimit: 100_000, exact: false },
};
