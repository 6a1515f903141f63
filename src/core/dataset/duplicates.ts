/**
 * Rows of a list file (manifest, SOP or In-Shop list) that name the same image twice. Kept, a
 * duplicate is its own nearest neighbour at distance 0: recall@1 climbs towards 1.0 without the
 * model doing anything. Exact repeats are dropped with a note; the same image under two labels
 * (or two splits) cannot be both, so it is an error naming both lines.
 */
import { dirname, relative } from 'node:path';
import { LensError } from '../errors';

export interface ListedRow {
  /** Resolved absolute path of the image. */
  path: string;
  label: string;
  split?: string;
  /** 1-based line of the list file the row starts on. */
  line: number;
  /** The list file the row comes from. */
  file: string;
}

/** The image as the list names it: relative to the list's folder. */
const shown = (r: ListedRow) => relative(dirname(r.file), r.path) || r.path;

const where = (r: ListedRow, other: ListedRow) => (r.file === other.file ? `line ${r.line}` : `${r.file} line ${r.line}`);

/** The rows without exact repeats (first occurrence kept, order kept), and a note when any were dropped. */
export function dropDuplicateRows<T extends ListedRow>(rows: T[]): { rows: T[]; notes: string[] } {
  const first = new Map<string, T>();
  const kept: T[] = [];
  let dropped = 0;
  let example: [T, T] | undefined;
  for (const r of rows) {
    const seen = first.get(r.path);
    if (!seen) {
      first.set(r.path, r);
      kept.push(r);
      continue;
    }
    if (seen.label !== r.label) {
      throw new LensError(
        `lists ${shown(r)} twice with different labels: "${seen.label}" on ${where(seen, r)} and "${r.label}" on ${where(r, seen)}; an image has one class`,
        r.file,
      );
    }
    if ((seen.split ?? '') !== (r.split ?? '')) {
      throw new LensError(
        `lists ${shown(r)} in two splits: "${seen.split ?? ''}" on ${where(seen, r)} and "${r.split ?? ''}" on ${where(r, seen)}; an image belongs to one split`,
        r.file,
      );
    }
    dropped++;
    example ??= [seen, r];
  }
  const notes = example
    ? [
        `${dropped} duplicate row(s) dropped (an image listed twice would be its own nearest neighbour); first: ${where(example[1], example[0])} repeats ${where(example[0], example[1])} of ${example[0].file}`,
      ]
    : [];
  return { rows: kept, notes };
}
