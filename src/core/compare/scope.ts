/**
 * Which items a comparison scored, when one side is a fine-tune: by default only the classes the
 * fine-tune never trained on (a comparison over the classes it just trained on flatters it), with
 * every item one toggle away. The type and its wording; no Node or DOM imports, so the webview
 * header, the CLI and the report all say it the same way.
 */
import { heldOutWarning } from '../train/heldOutAdvice';

export type ItemsChoice = 'held-out' | 'all';
export const ITEMS_CHOICES: readonly ItemsChoice[] = ['held-out', 'all'];

export interface ItemScope {
  /** What was scored: the held-out classes only, or every item. */
  items: ItemsChoice;
  /** What was asked for (differs from `items` when too little is held out to score it alone). */
  asked: ItemsChoice;
  /** The fine-tuned side(s) whose training classes are "seen", by name (e.g. "cnn-eet-1"). */
  fineTunes: string[];
  /** Of the dataset compared on (after its subsample): all items and classes, and those never trained on. */
  totalItems: number;
  totalClasses: number;
  heldOutItems: number;
  heldOutClasses: number;
  /** Set when the held-out part is too small to trust, with the split to use instead. */
  warning?: string;
  /** Why every item is scored although the held-out classes were asked for. */
  fallback?: string;
}

const n = (x: number) => x.toLocaleString('en-US');

/** Items of the classes a fine-tune trained on. */
export function seenItems(s: ItemScope): number {
  return s.totalItems - s.heldOutItems;
}

/**
 * The header line: "Evaluated on the 2 held-out classes, 120 items …", or "All 600 items — 480 of
 * them seen in training …".
 */
export function scopeHeadline(s: ItemScope): string {
  const who = s.fineTunes.join(' and ');
  if (s.items === 'held-out') {
    const classes = `${n(s.heldOutClasses)} held-out ${s.heldOutClasses === 1 ? 'class' : 'classes'}`;
    return `Evaluated on the ${classes}, ${n(s.heldOutItems)} ${s.heldOutItems === 1 ? 'item' : 'items'} — the classes ${who} never trained on`;
  }
  const seen = seenItems(s);
  return `All ${n(s.totalItems)} items — ${n(seen)} of them seen in training (the classes ${who} trained on)`;
}

/** The held-out part's warning, computed from the scope's own counts. */
export function scopeWarning(s: Pick<ItemScope, 'heldOutClasses' | 'heldOutItems' | 'totalClasses' | 'totalItems'>): string | undefined {
  return heldOutWarning({ classes: s.heldOutClasses, items: s.heldOutItems, totalClasses: s.totalClasses, totalItems: s.totalItems });
}

/** The scope as the deltas JSON states it: the counts, the header line and any warning. */
export function scopeJson(s: ItemScope): Record<string, unknown> {
  return { ...s, seenItems: seenItems(s), summary: scopeHeadline(s) };
}
