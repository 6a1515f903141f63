/**
 * How each item's retrieval changed between two models, measured in each model's own embedding
 * space (so different dimensions or distance scales do not matter): the Jaccard overlap of its
 * K nearest neighbours under A and under B, and the correct fraction of those K under each.
 */
import type { ItemChange } from '../model';
import { LensError, throwIfAborted } from '../errors';
import type { KnnGraph } from '../retrieval/knn';

export interface NeighbourhoodChange {
  k: number;
  jaccard: Float32Array;
  /** Same-label fraction of each item's top K under A and under B. */
  precisionA: Float32Array;
  precisionB: Float32Array;
  meanJaccard: number;
}

/** Rows per slice before yielding to the event loop: a few ms of work at K = 10. */
const SLICE = 16384;

/** Both graphs over the same items in the same numbering (see graphInAOrder). */
export async function neighbourhoodChange(
  a: KnnGraph,
  b: KnnGraph,
  labels: Int32Array,
  k: number,
  signal?: AbortSignal,
): Promise<NeighbourhoodChange> {
  const n = a.n;
  if (b.n !== n || labels.length !== n)
    throw new LensError(`neighbourhood change needs both graphs over the same items: ${a.n} and ${b.n} rows, ${labels.length} labels`);
  if (!Number.isInteger(k) || k < 1 || k > a.k || k > b.k)
    throw new LensError(`neighbourhood size K = ${k} must be between 1 and the graphs' ${Math.min(a.k, b.k)} neighbours`);
  const jaccard = new Float32Array(n);
  const precisionA = new Float32Array(n);
  const precisionB = new Float32Array(n);
  // stamp[j] === i + 1 marks j as one of A's neighbours of i: no clearing between rows.
  const stamp = new Int32Array(n);
  let sum = 0;
  for (let start = 0; start < n; start += SLICE) {
    throwIfAborted(signal);
    const end = Math.min(n, start + SLICE);
    for (let i = start; i < end; i++) {
      const label = labels[i];
      let hitsA = 0;
      let hitsB = 0;
      let shared = 0;
      for (let t = 0; t < k; t++) {
        const j = a.indices[i * a.k + t];
        stamp[j] = i + 1;
        if (labels[j] === label) hitsA++;
      }
      for (let t = 0; t < k; t++) {
        const j = b.indices[i * b.k + t];
        if (stamp[j] === i + 1) shared++;
        if (labels[j] === label) hitsB++;
      }
      const J = shared / (2 * k - shared);
      jaccard[i] = J;
      precisionA[i] = hitsA / k;
      precisionB[i] = hitsB / k;
      sum += J;
    }
    if (end < n) await new Promise<void>((r) => setImmediate(r));
  }
  return { k, jaccard, precisionA, precisionB, meanJaccard: n > 0 ? sum / n : NaN };
}

/**
 * The items whose top-K precision fell most (worse) and rose most (better), at most `count` each;
 * ties go to the lower Jaccard (the neighbourhood that changed more), then the lower index. Items
 * whose precision did not change are in neither list.
 */
export function mostChanged(
  change: NeighbourhoodChange,
  a: KnnGraph,
  b: KnnGraph,
  count: number,
): { worse: ItemChange[]; better: ItemChange[] } {
  const { k, jaccard, precisionA, precisionB } = change;
  const worse: number[] = [];
  const better: number[] = [];
  for (let i = 0; i < jaccard.length; i++) {
    const d = precisionB[i] - precisionA[i];
    if (d < 0) worse.push(i);
    else if (d > 0) better.push(i);
  }
  const delta = (i: number) => precisionB[i] - precisionA[i];
  const tie = (x: number, y: number) => jaccard[x] - jaccard[y] || x - y;
  worse.sort((x, y) => delta(x) - delta(y) || tie(x, y));
  better.sort((x, y) => delta(y) - delta(x) || tie(x, y));
  const item = (i: number): ItemChange => ({
    index: i,
    jaccard: jaccard[i],
    precisionA: precisionA[i],
    precisionB: precisionB[i],
    topA: a.indices.slice(i * a.k, i * a.k + k),
    topB: b.indices.slice(i * b.k, i * b.k + k),
  });
  return { worse: worse.slice(0, count).map(item), better: better.slice(0, count).map(item) };
}
