import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LensError, throwIfAborted } from '../errors';
import { writeDirAtomically as writeDirAtomicallyShared } from '../util/atomicDir';

/**
 * Written into the root of every generated demo dataset. It records how the folder was made and
 * marks it as ours, so a rerun may replace it — a folder without it is never deleted.
 */
export const DEMO_MARKER = '.embedding-lens-demo.json';

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
  await assertReplaceable(resolve(outDir));
  return writeDirAtomicallyShared(outDir, async (tmp) => {
    await fill(tmp);
    throwIfAborted(signal);
    await writeFile(join(tmp, DEMO_MARKER), JSON.stringify(marker, null, 2) + '\n');
    // Checked again just before the swap: the folder may have been filled meanwhile.
    await assertReplaceable(resolve(outDir));
  });
}
