import { LensError } from '../errors';
import { groupByLabel, rng, shuffle } from './batches';

export interface Split {
  train: Int32Array;
  val: Int32Array;
  /** Human-readable account of the split, for the summary and the sidecar. */
  description: string;
  valClasses: number;
}

/**
 * Class-disjoint split (the CUB/Cars/SOP protocol): a seeded fraction of the classes is held out
 * entirely, so validation measures how the embedding generalises to classes it never trained on.
 */
export function classDisjointSplit(labels: Int32Array, fraction: number, seed: number, file?: string): Split {
  const classes = [...groupByLabel(labels, 1).keys()].sort((a, b) => a - b);
  if (classes.length < 4) {
    throw new LensError(
      `has ${classes.length} classes; a class-disjoint validation split needs at least 4 (2 to train on, 2 held out). Use the dataset's own split instead`,
      file,
    );
  }
  const nVal = Math.min(classes.length - 2, Math.max(2, Math.round(classes.length * fraction)));
  const held = new Set(shuffle(classes.slice(), rng(seed ^ 0x5eed)).slice(0, nVal));
  const train: number[] = [];
  const val: number[] = [];
  for (let i = 0; i < labels.length; i++) (held.has(labels[i]) ? val : train).push(i);
  return {
    train: Int32Array.from(train),
    val: Int32Array.from(val),
    description: `class-disjoint: ${classes.length - nVal} training classes, ${nVal} held-out classes`,
    valClasses: nVal,
  };
}

const VAL_NAMES = new Set(['val', 'valid', 'validation', 'test', 'query', 'gallery', 'eval', 'dev']);
const TRAIN_NAMES = new Set(['train', 'training']);

/** The dataset's own split column: train rows train, val/test/query/gallery rows validate. */
export function datasetSplit(labels: Int32Array, split: string[] | undefined, file?: string): Split {
  if (!split)
    throw new LensError('has no train/test split (no split column or list file); use the class-disjoint validation instead', file);
  const train: number[] = [];
  const val: number[] = [];
  const unknown = new Set<string>();
  split.forEach((s, i) => {
    const name = s.toLowerCase();
    if (TRAIN_NAMES.has(name)) train.push(i);
    else if (VAL_NAMES.has(name)) val.push(i);
    else unknown.add(s);
  });
  if (unknown.size > 0) {
    throw new LensError(
      `has split values ${[...unknown]
        .slice(0, 5)
        .map((s) => JSON.stringify(s))
        .join(', ')}; expected train, or one of ${[...VAL_NAMES].join('/')}`,
      file,
    );
  }
  if (train.length === 0 || val.length === 0) {
    throw new LensError(`split has ${train.length} training and ${val.length} validation items; both must be non-empty`, file);
  }
  const valClasses = new Set(val.map((i) => labels[i])).size;
  return {
    train: Int32Array.from(train),
    val: Int32Array.from(val),
    description: `dataset split: ${train.length} train, ${val.length} validation items`,
    valClasses,
  };
}

/**
 * At most `max` of `rows`, the same fraction from every class (at least 2 per class so each keeps
 * a positive), seeded. Keeps rows in ascending order.
 */
export function stratifiedCap(rows: Int32Array, labels: Int32Array, max: number, seed: number): Int32Array {
  if (rows.length <= max) return rows;
  const by = new Map<number, number[]>();
  for (const r of rows) {
    const l = labels[r];
    let g = by.get(l);
    if (!g) by.set(l, (g = []));
    g.push(r);
  }
  const frac = max / rows.length;
  const rand = rng(seed ^ 0xca9);
  const keep: number[] = [];
  for (const l of [...by.keys()].sort((a, b) => a - b)) {
    const g = by.get(l)!;
    const n = Math.min(g.length, Math.max(2, Math.round(g.length * frac)));
    keep.push(...shuffle(g.slice(), rand).slice(0, n));
  }
  return Int32Array.from(keep.sort((a, b) => a - b));
}
