/**
 * A finished inspection, cached whole: re-opening the same embeddings with the same settings (a
 * window reload, a second Inspect, the demo's re-runs) skips kNN, metrics, the EET breakdown and
 * UMAP — for 70k items minutes of work — and loads in about a second. Keyed by the embeddings'
 * content and every setting that changes a number; written atomically, never after a cancel.
 * The file starts with a line "ELRESULT <sha256 of the rest>": a damaged entry (a flipped byte
 * keeping the size) is removed and recomputed with a note, never shown as the inspection's numbers.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeInspection, encodeInspection, type InspectionData, type InspectionPatch } from '../model';
import { writeFileAtomic } from '../io/outputs';
import type { InspectionSettings } from './settings';

/** Bump when the cached shape or any stage's computation changes. (2: checksummed file; 3: NMI/AMI's k-means seeded in batched D² rounds, iterations capped by work.) */
const VERSION = 3;
const HEADER = 'ELRESULT ';

export function resultKey(embeddingsKey: string, s: InspectionSettings): string {
  const relevant = {
    v: VERSION,
    embeddingsKey,
    k: s.neighborsK,
    ks: s.recallAtK,
    distance: s.distance,
    umap: s.umap,
    eet: s.eet,
    metrics: s.metrics,
  };
  return createHash('sha256').update(JSON.stringify(relevant)).digest('hex').slice(0, 40);
}

const fileOf = (dir: string, key: string) => join(dir, 'inspections', `${key}.json`);

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The later stages of a cached inspection (everything after the embeddings), or nothing; when an
 * entry existed but failed its checksum or shape checks, `damaged` says so and the entry is gone.
 */
export async function lookupCachedResult(dir: string, key: string): Promise<{ patch?: InspectionPatch; damaged?: string }> {
  const file = fileOf(dir, key);
  if (!existsSync(file)) return {};
  let why: string;
  try {
    const text = await readFile(file, 'utf8');
    const nl = text.indexOf('\n');
    const body = nl < 0 ? '' : text.slice(nl + 1);
    if (!text.startsWith(HEADER) || nl < 0) why = 'no checksum line';
    else if (text.slice(HEADER.length, nl) !== sha256(body)) why = 'it does not match its checksum';
    else {
      const d = decodeInspection(body);
      if (d.metrics && d.neighbours && d.layout?.umap && d.layout.pca && d.eet) {
        return { patch: { metrics: d.metrics, classes: d.classes, neighbours: d.neighbours, eet: d.eet, layout: d.layout } };
      }
      why = 'a stage is missing';
    }
  } catch (err) {
    why = `it cannot be read (${(err as Error).message.split('\n')[0]})`;
  }
  // The cache's own file: removed so the fresh run rewrites it.
  await rm(file, { force: true }).catch(() => undefined);
  return { damaged: `the inspection cache entry ${file} was damaged (${why}); dropped and recomputed` };
}

/** The later stages of a cached inspection (everything after the embeddings), or undefined. */
export async function readCachedResult(dir: string, key: string): Promise<InspectionPatch | undefined> {
  return (await lookupCachedResult(dir, key)).patch;
}

export async function writeCachedResult(dir: string, key: string, data: InspectionData): Promise<void> {
  await mkdir(join(dir, 'inspections'), { recursive: true });
  const { metrics, classes, neighbours, eet, layout, title, source } = data;
  const body = encodeInspection({ title, source, metrics, classes, neighbours, eet, layout });
  await writeFileAtomic(fileOf(dir, key), `${HEADER}${sha256(body)}\n${body}`);
}
