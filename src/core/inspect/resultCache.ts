/**
 * A finished inspection, cached whole: re-opening the same embeddings with the same settings (a
 * window reload, a second Inspect, the demo's re-runs) skips kNN, metrics, the EET breakdown and
 * UMAP — for 70k items minutes of work — and loads in about a second. Keyed by the embeddings'
 * content and every setting that changes a number; written atomically, never after a cancel.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeInspection, encodeInspection, type InspectionData, type InspectionPatch } from '../../protocol';
import { writeFileAtomically } from '../report/writeReport';
import type { InspectionSettings } from './settings';

/** Bump when the cached shape or any stage's computation changes. */
const VERSION = 1;

export function resultKey(embeddingsKey: string, s: InspectionSettings): string {
  const relevant = { v: VERSION, embeddingsKey, k: s.neighborsK, ks: s.recallAtK, distance: s.distance, umap: s.umap, eet: s.eet };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 40);
}

const fileOf = (dir: string, key: string) => join(dir, 'inspections', `${key}.json`);

/** The later stages of a cached inspection (everything after the embeddings), or undefined. */
export async function readCachedResult(dir: string, key: string): Promise<InspectionPatch | undefined> {
  const file = fileOf(dir, key);
  if (!existsSync(file)) return undefined;
  try {
    const d = decodeInspection(await readFile(file, 'utf8'));
    if (!d.metrics || !d.neighbours || !d.layout?.umap || !d.eet) return undefined;
    return { metrics: d.metrics, classes: d.classes, neighbours: d.neighbours, eet: d.eet, layout: d.layout };
  } catch {
    // A damaged entry is a miss; the fresh run overwrites it.
    return undefined;
  }
}

export async function writeCachedResult(dir: string, key: string, data: InspectionData): Promise<void> {
  await mkdir(join(dir, 'inspections'), { recursive: true });
  const { metrics, classes, neighbours, eet, layout, title, source } = data;
  await writeFileAtomically(fileOf(dir, key), encodeInspection({ title, source, metrics, classes, neighbours, eet, layout }));
}
