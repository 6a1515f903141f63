import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/**
 * Writes a folder completely in a hidden sibling and renames it into place, so outDir always holds
 * either nothing or a whole folder (a checkpoint, a demo dataset) — a crash, cancel or full disk
 * mid-write leaves the previous one intact. Called again (a better epoch), it swaps the same way.
 */
export async function writeDirAtomically(outDir: string, fill: (tmpDir: string) => Promise<void>): Promise<string> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const name = basename(target);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${name}.tmp-`));
  try {
    await fill(tmp);
    if (existsSync(target)) {
      // rename() cannot replace a non-empty folder: move the old one aside, then drop it.
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
