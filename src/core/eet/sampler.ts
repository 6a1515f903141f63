import { LensError } from '../errors';
import { seededRandom } from '../retrieval/clustering';

/**
 * Seeded P×K batches (SPEC §1): P distinct classes, K items of each drawn without replacement;
 * a class with fewer than K items contributes all it has. The same seed gives the same batches.
 */
export class PKSampler {
  private readonly rand: () => number;
  private readonly byClass: Int32Array[];
  readonly classLabels: number[];

  constructor(
    labels: Int32Array,
    readonly p: number,
    readonly k: number,
    seed: number,
  ) {
    // P ≥ 2 gives every anchor a negative class, K ≥ 2 a positive: with P or K of 1 every term is 0.
    if (!Number.isInteger(p) || p < 2 || !Number.isInteger(k) || k < 2) {
      throw new LensError(
        `P×K batches need integers P ≥ 2 classes and K ≥ 2 items per class (an anchor needs a positive and a negative), got P=${p}, K=${k}`,
      );
    }
    const groups = new Map<number, number[]>();
    labels.forEach((l, i) => {
      const g = groups.get(l);
      if (g) g.push(i);
      else groups.set(l, [i]);
    });
    this.classLabels = [...groups.keys()].sort((a, b) => a - b);
    if (this.classLabels.length < 2) throw new LensError('EET batches need at least two classes');
    this.byClass = this.classLabels.map((l) => Int32Array.from(groups.get(l)!));
    // Without a class of 2+ items no anchor has a positive: every term would print as 0.
    if (this.byClass.every((m) => m.length < 2))
      throw new LensError(
        `EET batches need a class with at least 2 items (an anchor and its positive); all ${this.classLabels.length} classes have one`,
      );
    this.rand = seededRandom(seed);
  }

  /** Row indices of the next batch, grouped by class in the order the classes were drawn. */
  next(): Int32Array {
    const classes = this.pick(this.byClass.length, Math.min(this.p, this.byClass.length));
    const out: number[] = [];
    for (const c of classes) {
      const members = this.byClass[c];
      for (const t of this.pick(members.length, Math.min(this.k, members.length))) out.push(members[t]);
    }
    return Int32Array.from(out);
  }

  /** `count` distinct values of [0, n), by a partial Fisher–Yates shuffle. */
  private pick(n: number, count: number): number[] {
    const a = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < count; i++) {
      const j = i + Math.floor(this.rand() * (n - i));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a.slice(0, count);
  }
}
