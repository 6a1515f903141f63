import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { throwIfAborted } from '../errors';
import { IMAGE_EXTENSIONS, DatasetItem } from './types';

/** Every image file below `dir` (any depth), sorted; hidden files and folders are skipped. */
export async function listImages(dir: string, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  // Symlinked folders are followed once each, so a link back up the tree cannot loop forever.
  const seen = new Set<string>();
  const walk = async (d: string) => {
    throwIfAborted(signal);
    const real = await realpath(d);
    if (seen.has(real)) return;
    seen.add(real);
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      let isDir = e.isDirectory();
      let isFile = e.isFile();
      if (e.isSymbolicLink()) {
        const s = await stat(p).catch(() => undefined);
        isDir = s?.isDirectory() ?? false;
        isFile = s?.isFile() ?? false;
      }
      if (isDir) await walk(p);
      else if (isFile && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) out.push(p);
    }
  };
  await walk(dir);
  return out;
}

/**
 * ImageFolder: each subfolder of `root` is a class (sorted by name), holding images at any depth.
 * Images directly in `root` belong to no class and are only counted in the notes.
 */
export async function scanImageFolder(root: string, signal?: AbortSignal): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
  const entries = (await readdir(root, { withFileTypes: true })).filter((e) => !e.name.startsWith('.'));
  const classDirs: string[] = [];
  let loose = 0;
  for (const e of entries) {
    const p = join(root, e.name);
    const isDir = e.isDirectory() || (e.isSymbolicLink() && (await stat(p).catch(() => undefined))?.isDirectory());
    if (isDir) classDirs.push(e.name);
    else if (IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) loose++;
  }
  classDirs.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const items: DatasetItem[] = [];
  const classNames: string[] = [];
  for (const name of classDirs) {
    const files = await listImages(join(root, name), signal);
    if (files.length === 0) continue;
    const label = classNames.length;
    classNames.push(name);
    for (const path of files) items.push({ path, label });
  }
  const notes: string[] = [];
  if (loose) notes.push(`${loose} image(s) directly in ${root} ignored: ImageFolder classes are its subfolders`);
  const empty = classDirs.length - classNames.length;
  if (empty) notes.push(`${empty} subfolder(s) without images ignored`);
  return { items, classNames, notes };
}
