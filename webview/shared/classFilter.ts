import type { Emphasis } from '../map/pointColors';

/**
 * Which classes keep their colour on a map: some toggled off (greyed, never hidden), or one
 * isolated. The inspection and the compare apps both keep this state and change it the same way,
 * so the rules live here once, as pure functions over the saved-state shape.
 */
export interface ClassFilter {
  readonly hiddenClasses: readonly number[];
  readonly isolatedClass: number | null;
}

export const NO_FILTER: ClassFilter = { hiddenClasses: [], isolatedClass: null };

/** Whether class c is drawn in its colour. */
export function classOn(f: ClassFilter, c: number): boolean {
  return !f.hiddenClasses.includes(c) && (f.isolatedClass === null || f.isolatedClass === c);
}

/** Class c toggled; toggling while one class is isolated starts from "only the isolated class on". */
export function toggleClass(f: ClassFilter, c: number, classCount: number): ClassFilter {
  const hidden = new Set(f.hiddenClasses);
  if (f.isolatedClass !== null) {
    hidden.clear();
    for (let i = 0; i < classCount; i++) if (i !== f.isolatedClass) hidden.add(i);
  }
  if (hidden.has(c)) hidden.delete(c);
  else hidden.add(c);
  return { hiddenClasses: [...hidden].sort((a, b) => a - b), isolatedClass: null };
}

/** Only class c coloured (null: stop isolating); isolating clears the toggled-off set. */
export function isolateClass(f: ClassFilter, c: number | null): ClassFilter {
  return { hiddenClasses: c === null ? f.hiddenClasses : [], isolatedClass: c };
}

/** Items per class, for the legend's counts. */
export function classCounts(labels: ArrayLike<number>, classCount: number): number[] {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}

/**
 * What a map colours: the filtered classes, and the selected items (a mask only while something is
 * selected — or, with `masked`, while a search is on that may have matched nothing).
 */
export function emphasisOf(f: ClassFilter, selection: readonly number[], n: number, masked = selection.length > 0): Emphasis {
  let mask: Uint8Array | null = null;
  if (masked) {
    mask = new Uint8Array(n);
    for (const i of selection) if (i < n) mask[i] = 1;
  }
  return { hidden: new Set(f.hiddenClasses), isolated: f.isolatedClass, selected: mask };
}
