// Shared pieces of the compare tests: small, fast inspection settings, the tiny ONNX fixtures and
// a naive Jaccard / precision to check the engine's against.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_SETTINGS, type InspectionSettings } from '../../../src/core/inspect/settings';
import type { KnnGraph } from '../../../src/core/retrieval/knn';

export const modelsDir = resolve(__dirname, '../../fixtures/models');
export const tinyCnn = join(modelsDir, 'tiny-cnn.onnx');
export const tinyClassifier = join(modelsDir, 'tiny-classifier.onnx');

export function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'lens-compare-'));
}

/** Few UMAP epochs and EET batches: the comparison's logic does not depend on how converged they are. */
export const fastSettings: InspectionSettings = {
  ...DEFAULT_SETTINGS,
  backend: 'auto',
  neighborsK: 5,
  umap: { ...DEFAULT_SETTINGS.umap, epochs: 20 },
  eet: { ...DEFAULT_SETTINGS.eet, batches: 3, pk: [4, 3] },
};

export function naiveJaccard(a: KnnGraph, b: KnnGraph, i: number, k: number): number {
  const sa = new Set(a.indices.subarray(i * a.k, i * a.k + k));
  const sb = new Set(b.indices.subarray(i * b.k, i * b.k + k));
  const inter = [...sa].filter((x) => sb.has(x)).length;
  return inter / new Set([...sa, ...sb]).size;
}

export function naivePrecision(g: KnnGraph, labels: Int32Array, i: number, k: number): number {
  let hits = 0;
  for (let t = 0; t < k; t++) if (labels[g.indices[i * g.k + t]] === labels[i]) hits++;
  return hits / k;
}
