import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LensError } from '../errors';
import { lstatOrUndefined } from './paths';

/**
 * Checks that an existing folder is one this program made and may replace; throws a LensError
 * naming what is not ours otherwise. Called on the folder itself, and again on the copy moved
 * aside, so nothing is ever deleted that was not verified as ours at the moment of deletion.
 */
export type OwnershipCheck = (dir: string) => void | Promise<void>;

/**
 * Every entry under `dir` (files, folders, symlinks — never followed) as sorted relative paths with
 * '/' separators. What an owned folder's record lists, and what it is compared with.
 */
export function listEntries(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, prefix: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      out.push(rel);
      if (e.isDirectory()) walk(join(d, e.name), rel);
    }
  };
  walk(dir, '');
  return out.sort();
}

/**
 * The first entry under `dir` that `recorded` does not list (a user's file, a folder someone added),
 * or undefined when the folder holds only recorded entries (some may be missing: nothing is lost
 * by replacing a folder that holds less than we wrote). `ownedTrees` are prefixes owned wholesale
 * (a cache folder whose contents we never list). Entries are relative paths with '/'.
 */
export function unexpectedEntry(dir: string, recorded: Iterable<string>, ownedTrees: readonly string[] = []): string | undefined {
  const known = new Set(recorded);
  for (const e of listEntries(dir)) {
    if (known.has(e)) continue;
    if (ownedTrees.some((t) => e === t || e.startsWith(`${t}/`))) continue;
    return e;
  }
  return undefined;
}

/**
 * Writes a folder completely in a hidden sibling and renames it into place, so outDir always holds
 * either nothing or a whole folder (a checkpoint, a demo dataset) — a crash, cancel or full disk
 * mid-write leaves the previous one intact. Called again (a better epoch), it swaps the same way.
 * An existing outDir is replaced only when `owned` accepts it (checked before it is moved aside and
 * again on the moved copy before it is dropped); without `owned` an existing outDir is never replaced.
 */
export async function writeDirAtomically(outDir: string, fill: (tmpDir: string) => Promise<void>, owned?: OwnershipCheck): Promise<string> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${name}.tmp-`));
  try {
    await fill(tmp);
    await swapIntoPlace(tmp, target, owned);
    return target;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Renames the complete folder `ready` to `target`. An existing target is first verified with
 * `owned`, moved aside, verified again (it may have changed in between), and only then dropped; if
 * anything fails, the old target is put back. `ready` is left where it is on failure.
 */
export async function swapIntoPlace(ready: string, target: string, owned?: OwnershipCheck): Promise<void> {
  const existing = lstatOrUndefined(target);
  if (!existing) {
    await rename(ready, target);
    return;
  }
  if (!owned) throw new LensError('already exists and was not made by this run; it is not replaced', target);
  if (!existing.isDirectory()) throw new LensError('exists and is not a folder; it is not replaced', target);
  await owned(target);
  const parent = dirname(target);
  // rename() cannot replace a non-empty folder: move the old one aside, then drop it.
  const old = await mkdtemp(join(parent, `.${basename(target)}.old-`));
  const aside = join(old, basename(target));
  await rename(target, aside);
  try {
    await owned(aside);
    await rename(ready, target);
  } catch (err) {
    await rename(aside, target).catch(() => undefined);
    await rmdir(old).catch(() => undefined);
    throw err;
  }
  await rm(old, { recursive: true, force: true });
}
