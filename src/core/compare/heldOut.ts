/**
 * The held-out classes of a comparison after a fine-tune: a side whose folder holds a
 * fine-tune.json that names the classes it trained on (src/core/train/run.ts writes them) makes
 * those classes "seen"; the comparison then scores only the other classes unless every item is
 * asked for. Classes are matched by name, so a comparison on another copy or split of the data
 * (Fashion-MNIST's test files) still knows which classes were trained on.
 */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { readJsonTextSync } from '../io/safeFile';
import { FINE_TUNE_FILE, sourceFolder } from '../train/checkpointWriter';
import type { LabelledEmbeddings } from '../types';
import { scopeWarning, type ItemScope, type ItemsChoice } from './scope';

/** A fine-tune output among the compared checkpoints. */
export interface FineTuneSide {
  /** The output folder, and how it is named ("cnn-eet-1"). */
  dir: string;
  name: string;
  /** The class names it trained on; undefined when its record does not say (an older or damaged fine-tune.json). */
  trainedClasses?: string[];
}

/** The fine-tune record beside a checkpoint, when its folder holds one. */
export function fineTuneSideOf(checkpoint: string): FineTuneSide | undefined {
  let dir: string;
  try {
    dir = sourceFolder(checkpoint);
  } catch {
    return undefined;
  }
  const file = join(dir, FINE_TUNE_FILE);
  if (!existsSync(file)) return undefined;
  const side: FineTuneSide = { dir, name: basename(dir) };
  try {
    // Checked read: a fine-tune.json planted as a FIFO or a huge file must not hang the comparison.
    const record = JSON.parse(readJsonTextSync(file, 'a fine-tune record (fine-tune.json)')) as {
      validation?: { trainedClasses?: unknown };
    } | null;
    const names = record?.validation?.trainedClasses;
    if (Array.isArray(names) && names.every((x) => typeof x === 'string')) side.trainedClasses = names as string[];
  } catch {
    // Unreadable: treated as a record that does not name its classes (said in the notes).
  }
  return side;
}

/** What the compared checkpoints' fine-tune records say: the classes any of them trained on. */
export interface TrainedClasses {
  /** Fine-tuned sides that name their classes (their names, for the header). */
  fineTunes: string[];
  classes: Set<string>;
  /** Fine-tuned sides whose record does not name its classes: said, since their numbers may include them. */
  notes: string[];
}

export function trainedClassesOf(checkpoints: readonly string[]): TrainedClasses | undefined {
  const seen = new Map<string, FineTuneSide>();
  for (const c of checkpoints) {
    const side = fineTuneSideOf(c);
    if (side && !seen.has(side.dir)) seen.set(side.dir, side);
  }
  if (seen.size === 0) return undefined;
  const out: TrainedClasses = { fineTunes: [], classes: new Set(), notes: [] };
  for (const side of seen.values()) {
    if (side.trainedClasses) {
      out.fineTunes.push(side.name);
      for (const c of side.trainedClasses) out.classes.add(c);
    } else {
      out.notes.push(
        `${side.name} is a fine-tune whose ${FINE_TUNE_FILE} does not name the classes it trained on (written by an older version, or unreadable): every item is scored, including any it trained on`,
      );
    }
  }
  return out;
}

/** The rows whose class was never trained on, and the counts the header states. */
export function heldOutRows(
  e: Pick<LabelledEmbeddings, 'n' | 'labels' | 'classNames'>,
  trained: ReadonlySet<string>,
): { rows: number[]; classes: number; totalClasses: number } {
  const rows: number[] = [];
  const held = new Set<number>();
  const all = new Set<number>();
  for (let i = 0; i < e.n; i++) {
    const l = e.labels[i];
    all.add(l);
    if (!trained.has(e.classNames[l] ?? String(l))) {
      rows.push(i);
      held.add(l);
    }
  }
  return { rows, classes: held.size, totalClasses: all.size };
}

/** Why the held-out rows cannot be scored on their own (retrieval needs 2 classes and a pair), or undefined. */
function cannotScore(e: Pick<LabelledEmbeddings, 'labels'>, rows: number[], classes: number): string | undefined {
  if (classes === 0) return 'no class of this dataset was held out — the fine-tune trained on every one';
  if (classes === 1) return 'only 1 class of this dataset was held out, and retrieval needs at least 2';
  const counts = new Map<number, number>();
  for (const r of rows) counts.set(e.labels[r], (counts.get(e.labels[r]) ?? 0) + 1);
  if (![...counts.values()].some((c) => c >= 2)) return 'the held-out classes have one item each, and retrieval needs a class with 2';
  return undefined;
}

/** The given rows as embeddings of their own, with only their classes (in the original order). */
export function subsetEmbeddings(e: LabelledEmbeddings, rows: readonly number[]): LabelledEmbeddings {
  const used = [...new Set(rows.map((r) => e.labels[r]))].sort((a, b) => a - b);
  const remap = new Map(used.map((l, i) => [l, i]));
  const vectors = new Float32Array(rows.length * e.dim);
  rows.forEach((r, i) => vectors.set(e.vectors.subarray(r * e.dim, (r + 1) * e.dim), i * e.dim));
  return {
    vectors,
    n: rows.length,
    dim: e.dim,
    labels: Int32Array.from(rows, (r) => remap.get(e.labels[r])!),
    classNames: used.map((l) => e.classNames[l] ?? String(l)),
    paths: rows.map((r) => e.paths[r]),
    ...(e.split ? { split: rows.map((r) => e.split![r]) } : {}),
  };
}

/**
 * The items a comparison scores and what it says about them: the held-out classes when asked (and
 * when they can be scored on their own), else every item with the count seen in training.
 */
export function scopeEmbeddings(
  e: LabelledEmbeddings,
  trained: TrainedClasses,
  asked: ItemsChoice,
): { embeddings: LabelledEmbeddings; scope: ItemScope } {
  const { rows, classes, totalClasses } = heldOutRows(e, trained.classes);
  const fallback = asked === 'held-out' ? cannotScore(e, rows, classes) : undefined;
  const items: ItemsChoice = asked === 'held-out' && !fallback ? 'held-out' : 'all';
  const counts = { totalItems: e.n, totalClasses, heldOutItems: rows.length, heldOutClasses: classes };
  const warning = scopeWarning(counts);
  const scope: ItemScope = {
    items,
    asked,
    fineTunes: trained.fineTunes,
    ...counts,
    ...(warning ? { warning } : {}),
    ...(fallback ? { fallback: `every item is scored: ${fallback}` } : {}),
  };
  return { embeddings: items === 'held-out' ? subsetEmbeddings(e, rows) : e, scope };
}
