import type { DatasetItem } from './types';
import { mulberry32 } from '../util/random';

/** The engine's seeded generator (util/random), under this module's name. */
export const rng = mulberry32;

function shuffle<T>(xs: T[], rand: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
  return xs;
}

/**
 * Stratified, seeded subsample: each class is shuffled, capped at `maxPerClass`, then the total
 * is cut to `maxTotal` by giving each class a share proportional to its size (largest remainder,
 * at least one item per class while the budget allows). Returns the kept indices in dataset
 * order, so the result never depends on which files happen to be listed first.
 */
export function stratifiedIndices(labels: ArrayLike<number>, opts: { maxPerClass?: number; maxTotal?: number; seed?: number }): number[] {
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    let list = byClass.get(labels[i]);
    if (!list) byClass.set(labels[i], (list = []));
    list.push(i);
  }
  const rand = rng(opts.seed ?? 0);
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const pools = classes.map((c) => {
    const pool = shuffle(byClass.get(c)!, rand);
    return opts.maxPerClass && opts.maxPerClass > 0 ? pool.slice(0, opts.maxPerClass) : pool;
  });
  let quota = pools.map((p) => p.length);
  const total = quota.reduce((a, b) => a + b, 0);
  const budget = opts.maxTotal && opts.maxTotal > 0 ? opts.maxTotal : Infinity;
  if (total > budget) quota = proportionalQuota(quota, budget);
  const kept: number[] = [];
  pools.forEach((p, k) => kept.push(...p.slice(0, quota[k])));
  return kept.sort((a, b) => a - b);
}

function proportionalQuota(sizes: number[], budget: number): number[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  const q = sizes.map(() => 0);
  // One per class first, smallest classes first, so rare classes survive a tight budget.
  const order = sizes.map((_, i) => i).sort((a, b) => sizes[a] - sizes[b] || a - b);
  let left = budget;
  for (const i of order) {
    if (left === 0) break;
    if (sizes[i] > 0) {
      q[i] = 1;
      left--;
    }
  }
  if (left === 0) return q;
  const exact = sizes.map((s, i) => Math.max(0, Math.min(s - q[i], (s * budget) / total - q[i])));
  for (let i = 0; i < sizes.length; i++) {
    const add = Math.min(Math.floor(exact[i]), left);
    q[i] += add;
    left -= add;
  }
  const byRemainder = sizes.map((_, i) => i).sort((a, b) => exact[b] - Math.floor(exact[b]) - (exact[a] - Math.floor(exact[a])) || a - b);
  while (left > 0) {
    let progressed = false;
    for (const i of byRemainder) {
      if (left === 0) break;
      if (q[i] < sizes[i]) {
        q[i]++;
        left--;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return q;
}

export function subsampleItems(items: DatasetItem[], opts: { maxPerClass?: number; maxTotal?: number; seed?: number }): DatasetItem[] {
  if (!(opts.maxPerClass && opts.maxPerClass > 0) && !(opts.maxTotal && opts.maxTotal > 0)) return items;
  return stratifiedIndices(
    items.map((it) => it.label),
    opts,
  ).map((i) => items[i]);
}
