/**
 * The comparison's deltas as JSON (one object, what `embedding-lens compare` prints) and as CSV
 * tables (headline, per class, EET, changed items, per-item Jaccard) for spreadsheets and CI diffs.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CompareData, InspectionData, ItemChange, MetricDelta } from '../model';
import { LensError } from '../errors';
import { fsErrorReason, writeFileAtomic, writeJsonAtomic } from '../io/outputs';
import { itemPaths } from './compare';
import { CLASS_KEYS } from './deltas';
import { scopeJson } from './scope';

export interface DeltasExtras {
  /** Embedding dimension of each side (EmbeddingRun.embeddings.dim), when known. */
  dims?: { a: number; b: number };
  /** How items were matched (ItemMatch.by). */
  matchedBy?: 'path' | 'index';
}

/** Ten equal bins over [0, 1]; the last bin includes 1 (unchanged neighbourhoods). */
export function jaccardHistogram(j: Float32Array, bins = 10): { edges: number[]; counts: number[] } {
  const counts = new Array<number>(bins).fill(0);
  for (const v of j) counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  return { edges: Array.from({ length: bins + 1 }, (_, i) => i / bins), counts };
}

function side(d: InspectionData, dim: number | undefined) {
  return {
    checkpoint: d.source.checkpoint,
    dataset: d.source.dataset,
    backend: d.backend,
    dim,
    distance: d.distance,
    items: d.items?.n ?? 0,
    notes: d.notes ?? [],
  };
}

/** Float32 values printed as float32 (0.3, not 0.30000001192092896). */
const f32 = (v: number) => (Number.isFinite(v) ? Number(Math.fround(v).toPrecision(7)) : v);

function itemJson(cmp: CompareData, c: ItemChange, paths = itemPaths(cmp)) {
  const items = cmp.a.items;
  const label = items?.labels[c.index];
  return {
    index: c.index,
    path: paths[c.index],
    class: label === undefined ? undefined : items?.classNames[label],
    jaccard: f32(c.jaccard),
    precisionA: f32(c.precisionA),
    precisionB: f32(c.precisionB),
    delta: f32(c.precisionB - c.precisionA),
    topA: Array.from(c.topA),
    topB: Array.from(c.topB),
  };
}

const deltaMap = (ds: MetricDelta[]) => ds.map((d) => ({ key: d.key, a: d.a, b: d.b, delta: d.delta }));

/** Plain JSON (no typed arrays): sources, headline, per-class, EET, Jaccard summary and the item lists. */
export function compareDeltasJson(cmp: CompareData, extras: DeltasExtras = {}): Record<string, unknown> {
  const names = cmp.a.items?.classNames ?? [];
  const paths = itemPaths(cmp);
  const nearestOf = (d: InspectionData, c: number) => {
    const r = d.classes?.find((x) => x.classIndex === c);
    return r && r.nearestClass >= 0 ? (names[r.nearestClass] ?? null) : null;
  };
  return {
    title: cmp.title,
    a: side(cmp.a, extras.dims?.a),
    b: side(cmp.b, extras.dims?.b),
    matchedBy: extras.matchedBy,
    // After a fine-tune: which items these numbers are on (held-out classes by default), and its warning.
    ...(cmp.scope ? { items: scopeJson(cmp.scope) } : {}),
    k: cmp.k,
    ...(cmp.notes ? { notes: cmp.notes } : {}),
    meanJaccard: cmp.meanJaccard,
    jaccardHistogram: jaccardHistogram(cmp.jaccard),
    alignment: cmp.alignment,
    headline: deltaMap(cmp.headline),
    classes: cmp.classes.map((c) => ({
      classIndex: c.classIndex,
      name: c.name,
      size: c.size,
      nearestClassA: nearestOf(cmp.a, c.classIndex),
      nearestClassB: nearestOf(cmp.b, c.classIndex),
      metrics: deltaMap(c.metrics),
    })),
    eet: deltaMap(cmp.eet),
    worse: cmp.worse.map((c) => itemJson(cmp, c, paths)),
    better: cmp.better.map((c) => itemJson(cmp, c, paths)),
  };
}

/**
 * One CSV cell. Text starting with = + - @ TAB or CR is what a spreadsheet runs as a formula
 * (`=HYPERLINK(...)` in a class name or a file path): it gets a leading ' as OWASP advises, so it
 * shows as text. Numbers are written as numbers (a negative delta stays a number).
 */
export function csvField(v: unknown): string {
  if (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v))) return '';
  let s = String(v);
  if (typeof v !== 'number' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csv(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}

export function headlineCsv(cmp: CompareData): string {
  return csv(
    ['metric', 'a', 'b', 'delta'],
    cmp.headline.map((d) => [d.key, d.a, d.b, d.delta]),
  );
}

export function eetCsv(cmp: CompareData): string {
  return csv(
    ['term', 'a', 'b', 'delta'],
    cmp.eet.map((d) => [d.key, d.a, d.b, d.delta]),
  );
}

/** One row per class in the comparison's order (largest change first); a, b and delta per metric. */
export function classesCsv(cmp: CompareData): string {
  const header = ['class_index', 'class', 'size', ...CLASS_KEYS.flatMap((k) => [`${k}_a`, `${k}_b`, `${k}_delta`])];
  const rows = cmp.classes.map((c) => {
    const by = new Map(c.metrics.map((m) => [m.key, m]));
    return [c.classIndex, c.name, c.size, ...CLASS_KEYS.flatMap((k) => [by.get(k)?.a, by.get(k)?.b, by.get(k)?.delta])];
  });
  return csv(header, rows);
}

/** The most-worse then most-better items; top-K lists as space-separated item indices. */
export function itemsCsv(cmp: CompareData): string {
  const paths = itemPaths(cmp);
  const rows = (['worse', 'better'] as const).flatMap((list) =>
    cmp[list].map((c, rank) => {
      const j = itemJson(cmp, c, paths);
      return [list, rank + 1, j.index, j.path, j.class, j.jaccard, j.precisionA, j.precisionB, j.delta, j.topA.join(' '), j.topB.join(' ')];
    }),
  );
  return csv(['list', 'rank', 'index', 'path', 'class', 'jaccard', 'precision_a', 'precision_b', 'delta', 'top_a', 'top_b'], rows);
}

/** Jaccard@K of every item. */
export function jaccardCsv(cmp: CompareData): string {
  const items = cmp.a.items;
  const paths = itemPaths(cmp);
  const rows = Array.from(cmp.jaccard, (v, i) => [i, paths[i], items ? items.classNames[items.labels[i]] : undefined, f32(v)]);
  return csv(['index', 'path', 'class', 'jaccard'], rows);
}

/** The files writeCompareCsv writes into its folder (the CLI checks each before any work). */
export const COMPARE_CSV_FILES = ['headline.csv', 'classes.csv', 'eet.csv', 'items.csv', 'jaccard.csv'] as const;

/** headline.csv, classes.csv, eet.csv, items.csv and jaccard.csv in `dir` (created); returns the files. */
export async function writeCompareCsv(dir: string, cmp: CompareData): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new LensError(
      `could not create the folder for the CSV files (${fsErrorReason((err as NodeJS.ErrnoException).code, (err as Error).message)})`,
      dir,
    );
  }
  const tables: [(typeof COMPARE_CSV_FILES)[number], string][] = [
    ['headline.csv', headlineCsv(cmp)],
    ['classes.csv', classesCsv(cmp)],
    ['eet.csv', eetCsv(cmp)],
    ['items.csv', itemsCsv(cmp)],
    ['jaccard.csv', jaccardCsv(cmp)],
  ];
  const files: string[] = [];
  for (const [name, text] of tables) {
    const file = join(dir, name);
    await writeFileAtomic(file, text);
    files.push(file);
  }
  return files;
}

export async function writeCompareJson(file: string, cmp: CompareData, extras: DeltasExtras = {}): Promise<void> {
  await writeJsonAtomic(file, compareDeltasJson(cmp, extras));
}
