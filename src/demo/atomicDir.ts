import { lstatSync, readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LensError, throwIfAborted } from '../core/errors';
import { writeJsonAtomic } from '../core/io/outputs';
import { readJsonTextSync } from '../core/io/safeFile';
import { listEntries, unexpectedEntry, writeDirAtomically as writeDirAtomicallyShared } from '../core/util/atomicDir';

/**
 * Written at the top of every folder the demo makes (the `demo --out` folder, a generated dataset,
 * the demo checkpoint). It records how the folder was made and every path the demo wrote in it, so
 * a rerun may replace the folder only while it holds nothing else — a folder without it, or with
 * anything the record does not list (a user's model, notes), is never replaced or deleted.
 */
export const DEMO_MARKER = '.embedding-lens-demo.json';

interface DemoRecord {
  /** Every path the demo wrote, relative with '/', folders included. */
  files: string[];
  /** Folders owned wholesale (a cache): whatever is inside them is ours. */
  ownedTrees?: string[];
  [key: string]: unknown;
}

function readRecord(dir: string): DemoRecord | undefined {
  try {
    // Checked read: a marker planted as a FIFO or a huge file must not hang the ownership check.
    const j = JSON.parse(readJsonTextSync(join(dir, DEMO_MARKER), 'a demo marker')) as DemoRecord;
    if (!j || typeof j !== 'object' || !Array.isArray(j.files) || j.files.some((f) => typeof f !== 'string')) return undefined;
    if (j.ownedTrees !== undefined && (!Array.isArray(j.ownedTrees) || j.ownedTrees.some((f) => typeof f !== 'string'))) return undefined;
    return j;
  } catch {
    return undefined;
  }
}

/**
 * Throws unless `dir` is missing, empty, or holds only what its demo marker recorded. The message
 * names the first entry the demo did not write, so the user knows what would have been lost.
 */
export function assertDemoOwned(dir: string): void {
  const abs = resolve(dir);
  let info;
  try {
    info = lstatSync(abs);
  } catch {
    return;
  }
  if (info.isSymbolicLink()) throw new LensError('is a symbolic link; the demo writes only into a folder it made itself', abs);
  if (!info.isDirectory()) throw new LensError('exists and is not a folder; expected a new folder or one the demo made', abs);
  const entries = readdirSync(abs);
  if (entries.length === 0) return;
  if (!entries.includes(DEMO_MARKER)) {
    throw new LensError(
      `already exists and is not a demo folder (no ${DEMO_MARKER}): the demo did not create it; choose another folder or remove it`,
      abs,
    );
  }
  const record = readRecord(abs);
  if (!record) {
    throw new LensError(
      `has a ${DEMO_MARKER} without a list of the files the demo wrote (an older or edited demo folder); choose another folder or remove it`,
      abs,
    );
  }
  const stray = unexpectedEntry(abs, [...record.files, DEMO_MARKER], record.ownedTrees ?? []);
  if (stray !== undefined) {
    throw new LensError(`holds ${stray}, which the demo did not create; nothing was replaced — move it away or choose another folder`, abs);
  }
}

/**
 * Claims `dir` for the demo: it must be new, empty, or a demo folder holding only what it recorded;
 * a new or empty one gets a marker at once, before anything else is written into it.
 */
export async function claimDemoFolder(dir: string, about: Record<string, unknown>): Promise<string> {
  const abs = resolve(dir);
  assertDemoOwned(abs);
  await mkdir(abs, { recursive: true });
  const record = readRecord(abs);
  await writeJsonAtomic(join(abs, DEMO_MARKER), { ...about, files: record?.files ?? [], ownedTrees: record?.ownedTrees ?? [] });
  return abs;
}

/**
 * Adds paths the demo just wrote inside a claimed folder to its record: `rel` itself and, for a
 * folder, everything under it. `owned: true` marks a folder owned wholesale (its contents change
 * without the record being told, as a cache's do).
 */
export async function recordDemoPath(dir: string, rel: string, opts: { owned?: boolean } = {}): Promise<void> {
  const abs = resolve(dir);
  const record = readRecord(abs);
  if (!record) throw new LensError(`lost its ${DEMO_MARKER} during the demo run`, abs);
  const files = new Set(record.files);
  const trees = new Set(record.ownedTrees ?? []);
  const parts = rel.split('/');
  for (let i = 1; i <= parts.length; i++) files.add(parts.slice(0, i).join('/'));
  if (opts.owned) trees.add(rel);
  else {
    try {
      if (lstatSync(join(abs, rel)).isDirectory()) for (const e of listEntries(join(abs, rel))) files.add(`${rel}/${e}`);
    } catch {
      // Not written after all (cancelled): recording the name is harmless.
    }
  }
  await writeJsonAtomic(join(abs, DEMO_MARKER), { ...record, files: [...files].sort(), ownedTrees: [...trees].sort() });
}

/**
 * Builds a folder in a hidden sibling temp folder and renames it into place only when complete,
 * so an interrupted or failed run leaves no half dataset behind (and an old demo folder at outDir
 * stays intact until the new one is ready). The marker lists everything written. Returns outDir.
 */
export async function writeDirAtomically(
  outDir: string,
  marker: object,
  fill: (tmpDir: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<string> {
  assertDemoOwned(outDir);
  return writeDirAtomicallyShared(
    outDir,
    async (tmp) => {
      await fill(tmp);
      throwIfAborted(signal);
      await writeJsonAtomic(join(tmp, DEMO_MARKER), { ...marker, files: listEntries(tmp) });
    },
    // Checked again just before the swap, and on the moved-aside copy before it is dropped.
    assertDemoOwned,
  );
}
