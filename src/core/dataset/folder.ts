import { readdir, realpath, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { throwIfAborted } from '../errors';
import { isInside } from '../util/paths';
import { IMAGE_EXTENSIONS, DatasetItem } from './types';

/**
 * What one scan of an image folder met besides images: everything it skipped or followed that the
 * user should hear about. One scan shares it across all class folders, so an image reached through
 * a symlink from a second class is recognised as the same file.
 */
export class FolderScan {
  /** Real paths of the folders already walked: a link back up the tree or a second link to a folder is not walked again. */
  readonly walked = new Map<string, string>();
  /** Real paths of the images already listed, to the path they were listed under. */
  readonly listed = new Map<string, string>();
  readonly repeatedFiles: string[][] = [];
  readonly repeatedDirs: string[][] = [];
  readonly outside: string[][] = [];
  readonly broken: string[] = [];
  readonly notRegular: string[] = [];

  constructor(readonly rootReal: string) {}

  inside(real: string): boolean {
    return isInside(this.rootReal, real);
  }

  notes(root: string): string[] {
    const notes: string[] = [];
    const [file, fileKept] = this.repeatedFiles[0] ?? [];
    if (file)
      notes.push(
        `${this.repeatedFiles.length} image(s) reached a second time through a symlink counted once, under the first path; first: ${file} is ${fileKept}`,
      );
    const [dir, dirKept] = this.repeatedDirs[0] ?? [];
    if (dir)
      notes.push(`${this.repeatedDirs.length} folder(s) reached a second time through a symlink scanned once; first: ${dir} is ${dirKept}`);
    const [link, target] = this.outside[0] ?? [];
    if (link)
      notes.push(
        `${this.outside.length} symlink(s) lead outside ${root}; their images are used, but reports do not inline them; first: ${link} → ${target}`,
      );
    if (this.broken.length) notes.push(`${this.broken.length} broken or looping symlink(s) ignored; first: ${this.broken[0]}`);
    if (this.notRegular.length)
      notes.push(
        `${this.notRegular.length} entr(ies) named like images that are not regular files (FIFO, device, socket) ignored; first: ${this.notRegular[0]}`,
      );
    return notes;
  }
}

/**
 * Every image file below `dir` (any depth), sorted; hidden files and folders are skipped.
 * Symlinks are followed, but each real folder is walked once and each real file listed once per
 * scan, so a link loop ends and a linked class folder does not count its images twice.
 */
export async function listImages(dir: string, signal?: AbortSignal, scan?: FolderScan): Promise<string[]> {
  const ctx = scan ?? new FolderScan(await realpath(dir));
  const out: string[] = [];
  const walk = async (d: string, real: string) => {
    throwIfAborted(signal);
    const before = ctx.walked.get(real);
    if (before !== undefined) {
      ctx.repeatedDirs.push([d, before]);
      return;
    }
    ctx.walked.set(real, d);
    const entries = await readdir(d, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      const isImageName = IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase());
      if (e.isSymbolicLink()) {
        const target = await realpath(p).catch(() => undefined);
        const s = target === undefined ? undefined : await stat(target).catch(() => undefined);
        if (!target || !s) {
          ctx.broken.push(p);
          continue;
        }
        if (!s.isDirectory() && !(s.isFile() && isImageName)) {
          if (isImageName) ctx.notRegular.push(p);
          continue;
        }
        if (!ctx.inside(target)) ctx.outside.push([p, target]);
        if (s.isDirectory()) await walk(p, target);
        else add(p, target);
      } else if (e.isDirectory()) await walk(p, join(real, e.name));
      else if (isImageName) {
        if (e.isFile()) add(p, join(real, e.name));
        else ctx.notRegular.push(p);
      }
    }
  };
  const add = (p: string, real: string) => {
    const before = ctx.listed.get(real);
    if (before !== undefined) {
      ctx.repeatedFiles.push([p, before]);
      return;
    }
    ctx.listed.set(real, p);
    out.push(p);
  };
  await walk(dir, await realpath(dir));
  return out;
}

/**
 * ImageFolder: each subfolder of `root` is a class (sorted by name), holding images at any depth.
 * Images directly in `root` belong to no class and are only counted in the notes.
 */
export async function scanImageFolder(
  root: string,
  signal?: AbortSignal,
): Promise<{ items: DatasetItem[]; classNames: string[]; notes: string[] }> {
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
  const scan = new FolderScan(await realpath(root));
  // The root itself counts as walked: a link from a class folder back to the root lists nothing twice.
  scan.walked.set(scan.rootReal, root);
  const items: DatasetItem[] = [];
  const classNames: string[] = [];
  for (const name of classDirs) {
    const dir = join(root, name);
    const real = await realpath(dir);
    // A class folder that is itself a link out of the dataset: its images are used, and said to come from elsewhere.
    if (!scan.inside(real)) scan.outside.push([dir, real]);
    const files = await listImages(dir, signal, scan);
    if (files.length === 0) continue;
    const label = classNames.length;
    classNames.push(name);
    for (const path of files) items.push({ path, label });
  }
  const notes: string[] = [];
  if (loose) notes.push(`${loose} image(s) directly in ${root} ignored: ImageFolder classes are its subfolders`);
  const empty = classDirs.length - classNames.length;
  if (empty) notes.push(`${empty} subfolder(s) without images ignored`);
  notes.push(...scan.notes(root));
  return { items, classNames, notes };
}
