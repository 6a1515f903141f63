import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { LensError, throwIfAborted } from '../errors';

/**
 * Written into the root of every generated demo dataset. It records how the folder was made and
 * marks it as ours, so a rerun may replace it — a folder without it is never deleted.
 */
export const DEMO_MARKER = '.embedding-lens-demo.json';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** An existing outDir may be replaced only when it is empty or one of our own demo datasets. */
async function assertReplaceable(outDir: string): Promise<void> {
  let info;
  try {
    info = await stat(outDir);
  } catch {
    return;
  }
  if (!info.isDirectory()) throw new LensError('exists and is not a folder; expected a new or demo dataset folder', outDir);
  const entries = await readdir(outDir);
  if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
    throw new LensError(
      `already exists and is not a demo dataset (no ${DEMO_MARKER}); choose another folder or remove it`,
      outDir,
    );
  }
}

/**
 * Builds a folder in a hidden sibling temp folder and renames it into place only when complete,
 * so an interrupted or failed run leaves no half dataset behind (and an old demo dataset at outDir
 * stays intact until the new one is ready). Returns the absolute outDir.
 */
export async function writeDirAtomically(
  outDir: string,
  marker: object,
  fill: (tmpDir: string) => Promise<void>,
  signal?: AbortSignal,
): Promise<string> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  await assertReplaceable(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${name}.tmp-`));
  try {
    await fill(tmp);
    throwIfAborted(signal);
    await writeFile(join(tmp, DEMO_MARKER), JSON.stringify(marker, null, 2) + '\n');
    await assertReplaceable(target);
    if (await exists(target)) {
      // Move the old one aside first: rename cannot replace a non-empty folder.
      const old = await mkdtemp(join(parent, `.${name}.old-`));
      await rename(target, join(old, name));
      try {
        await rename(tmp, target);
      } catch (err) {
        await rename(join(old, name), target);
        throw err;
      }
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
    return target;
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
