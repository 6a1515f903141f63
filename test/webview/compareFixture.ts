/**
 * A comparison for the browser tests, made by the engine's own compareInspections from two
 * deterministic panel fixtures over the same items (B from other vectors, so deltas and Jaccard
 * vary), and a self-comparison (A with A: every delta 0, every Jaccard 1).
 */
import { compareInspections } from '../../src/core/compare/compare';
import type { KnnGraph } from '../../src/core/retrieval/knn';
import type { CompareData, InspectionData } from '../../src/protocol';
import { buildFixture } from './fixture';

function graphOf(d: InspectionData): KnnGraph {
  const nb = d.neighbours!;
  return { n: d.items!.n, k: nb.k, indices: nb.indices, distances: nb.distances };
}

export interface CompareFixture {
  cmp: CompareData;
  self: CompareData;
}

export async function buildCompareFixture(): Promise<CompareFixture> {
  const a = buildFixture({ classes: 4, perClass: 60, seed: 7, separation: 0.75 }).data;
  const bFix = buildFixture({ classes: 4, perClass: 60, seed: 23, separation: 0.55 }).data;
  const b: InspectionData = {
    ...bFix,
    title: 'fashion-embedder-eet / model.json',
    source: { checkpoint: '/work/models/fashion-embedder-eet/model.json', dataset: a.source.dataset },
  };
  const opts = { k: 8, listSize: 6 };
  const cmp = (await compareInspections({ data: a, graph: graphOf(a) }, { data: b, graph: graphOf(b) }, opts)).data;
  const self = (await compareInspections({ data: a, graph: graphOf(a) }, { data: a, graph: graphOf(a) }, opts)).data;
  return { cmp, self };
}
