import { LensError } from '../errors';
import { mulberry32 } from '../util/random';
/**
 * Seeded P×K batches for training epochs. Unlike the breakdown sampler (which draws S independent
 * batches), an epoch here walks every training item about once: each class's items are shuffled
 * into chunks of K, and each batch takes one chunk from each of the P classes with the most
 * chunks left, so large and small classes are used up together.
 */

/** The engine's seeded generator (util/random), under this module's name. */
export const rng = mulberry32;

export function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/** Item indices per label, for labels with at least `min` items (a class needs 2 for a positive pair). */
export function groupByLabel(labels: ArrayLike<number>, min = 1): Map<number, number[]> {
  const by = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    let g = by.get(l);
    if (!g) by.set(l, (g = []));
    g.push(i);
  }
  for (const [l, g] of by) if (g.length < min) by.delete(l);
  return by;
}

/**
 * One epoch of batches (each P·K row indices into `labels`, or fewer rows in the last batches
 * when classes run out). A class's last partial chunk is topped up with other items of the same
 * class so every batch row has positives.
 */
export function pkEpoch(labels: ArrayLike<number>, p: number, k: number, rand: () => number): Int32Array[] {
  const groups = groupByLabel(labels, 2);
  const chunks = new Map<number, number[][]>();
  for (const [label, items] of groups) {
    const order = shuffle(items.slice(), rand);
    const list: number[][] = [];
    for (let i = 0; i < order.length; i += k) {
      const c = order.slice(i, i + k);
      while (c.length < k && c.length < order.length) {
        const extra = order[Math.floor(rand() * order.length)];
        if (!c.includes(extra) || order.length <= c.length) c.push(extra);
      }
      list.push(c);
    }
    chunks.set(label, list);
  }
  const batches: Int32Array[] = [];
  for (;;) {
    const live = shuffle(
      [...chunks.keys()].filter((l) => chunks.get(l)!.length > 0),
      rand,
    );
    // Two classes are the least a batch needs for negatives.
    if (live.length < 2) break;
    live.sort((a, b) => chunks.get(b)!.length - chunks.get(a)!.length);
    const rows: number[] = [];
    for (const l of live.slice(0, p)) rows.push(...chunks.get(l)!.pop()!);
    batches.push(Int32Array.from(rows));
  }
  return batches;
}

/**
 * Refuses a training split from which pkEpoch cannot form one batch (it needs 2 classes with 2+
 * items each), before anything is loaded or written: otherwise the run validates epoch 0, writes
 * the untrained weights as its result, and only then fails.
 */
export function assertBatchable(labels: Int32Array, trainRows: Int32Array, p: number, k: number, dataset: string): void {
  const counts = new Map<number, number>();
  for (const r of trainRows) counts.set(labels[r], (counts.get(labels[r]) ?? 0) + 1);
  const usable = [...counts.values()].filter((c) => c >= 2).length;
  if (usable >= 2) return;
  const full = [...counts.values()].filter((c) => c >= k).length;
  throw new LensError(
    `cannot form one ${p}×${k} training batch: its training split has ${trainRows.length} item(s) in ${counts.size} class(es), ${usable} of them with 2 or more items (${full} with K=${k}); ` +
      'a batch needs at least 2 classes with 2+ items each (an anchor needs a positive and a negative). Add images per class, or choose another validation split',
    dataset,
  );
}
