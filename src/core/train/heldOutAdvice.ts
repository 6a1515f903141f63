/**
 * When is a held-out set too small to trust, and what split to suggest instead. Shared by the
 * fine-tune (its notification and panel) and the comparison after it (panel header, CLI, report):
 * on Fashion-MNIST the default 20% class-disjoint split holds out 2 classes, and validation
 * recall@1 then sits at 1.0 from epoch 0 — a number that says nothing.
 */

/** Fewer held-out classes than this, or fewer items, and the numbers get a warning. */
export const MIN_HELD_OUT_CLASSES = 5;
export const MIN_HELD_OUT_ITEMS = 200;

export interface HeldOutSize {
  /** Classes and items held out (validated / evaluated on). */
  classes: number;
  items: number;
  /** Classes and items of the whole dataset, when known: they decide which split to suggest. */
  totalClasses?: number;
  totalItems?: number;
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "2 classes, 120 items". */
export function heldOutSizeText(size: Pick<HeldOutSize, 'classes' | 'items'>): string {
  return `${count(size.classes, 'class', 'classes')}, ${count(size.items, 'item', 'items')}`;
}

/** True when the held-out set is big enough not to warn about. */
export function heldOutIsEnough(size: Pick<HeldOutSize, 'classes' | 'items'>): boolean {
  return size.classes >= MIN_HELD_OUT_CLASSES && size.items >= MIN_HELD_OUT_ITEMS;
}

/**
 * The class-disjoint share (in whole percent) that holds out at least 5 classes and about 200
 * items while leaving 2 classes to train on, or undefined when the dataset is too small for that.
 * The split holds out round(C · fraction) classes (at least 2, at most C − 2), so ⌈100·n/C⌉ %
 * holds out at least n; classes are assumed about equal in size for the item count.
 */
export function suggestedHeldOutPercent(totalClasses: number, totalItems?: number): number | undefined {
  if (!(totalClasses > 0)) return undefined;
  const perClass = totalItems && totalItems > 0 ? totalItems / totalClasses : undefined;
  const needed = Math.max(MIN_HELD_OUT_CLASSES, perClass ? Math.ceil(MIN_HELD_OUT_ITEMS / perClass) : 0);
  if (needed > totalClasses - 2) return undefined;
  return Math.min(99, Math.ceil((100 * needed) / totalClasses));
}

/** The settings to change, named as the fine-tune form and the CLI name them. */
export function splitSuggestion(totalClasses?: number, totalItems?: number): string {
  const pct = totalClasses ? suggestedHeldOutPercent(totalClasses, totalItems) : undefined;
  if (pct !== undefined) {
    return `Hold out ≥ ${MIN_HELD_OUT_CLASSES} classes and ≥ ${MIN_HELD_OUT_ITEMS} items: in the fine-tune settings choose Validation split → Held-out classes… ${pct}% (CLI: embedding-lens finetune --val-fraction ${pct / 100}).`;
  }
  const few = totalClasses
    ? `This dataset has ${count(totalClasses, 'class', 'classes')}${totalItems ? ` and ${count(totalItems, 'item', 'items')}` : ''}, too few to hold out ${MIN_HELD_OUT_CLASSES} classes and ${MIN_HELD_OUT_ITEMS} items and still train on 2 classes: `
    : '';
  return `${few}${few ? 'v' : 'V'}alidate on more classes: a dataset with more classes, or its own test split (Validation split → The dataset's own split; CLI: --validation split).`;
}

/**
 * The warning for a held-out set that is too small, with the split to use instead; undefined when
 * it is big enough.
 */
export function heldOutWarning(size: HeldOutSize): string | undefined {
  if (heldOutIsEnough(size)) return undefined;
  return `Only ${heldOutSizeText(size)} held out — too few to trust: retrieval numbers on so few saturate and jump (recall@1 can sit at 1.0 and never move). ${splitSuggestion(size.totalClasses, size.totalItems)}`;
}
