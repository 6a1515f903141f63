import { closeSync, constants, fstatSync, openSync, readFileSync, realpathSync } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { LensError } from '../errors';

/**
 * Reading files a checkpoint or dataset *names* — weight shards, ONNX external data, a sidecar's
 * head model — as untrusted input. A malicious model.json can name `/dev/zero` (reads for ever),
 * a FIFO (blocks for ever), `../../etc/passwd` (leaks an outside file) or a 50 GB file: every read
 * here is confined to a folder, of regular files only, and of a byte count known before reading.
 */

/** JSON inputs (model.json, sidecars, manifests) larger than this are refused before reading. */
export const MAX_JSON_BYTES = 256 * 2 ** 20;

const kindOf = (s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string =>
  s.isDirectory() ? 'a folder' : s.isFIFO() ? 'a FIFO (named pipe)' : s.isCharacterDevice() || s.isBlockDevice() ? 'a device file' : s.isSocket() ? 'a socket' : 'not a regular file';

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

/** True when `child` is `folder` itself or lies below it (both absolute and normalised). */
export function isInside(folder: string, child: string): boolean {
  const rel = relative(folder, child);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves `name` (as written in `owner`, e.g. a manifest entry) inside `folder` and checks it stays
 * there both as written and after following symlinks. `what` names the entry in errors, e.g.
 * `weightsManifest[0].paths[1] "../x.bin"`. The lexical check comes first, so a path that leaves the
 * folder is refused without touching (or revealing anything about) the outside file.
 */
export async function confinedPath(folder: string, name: unknown, owner: string, what: string): Promise<string> {
  if (typeof name !== 'string' || name.length === 0 || name.includes('\0')) {
    throw new LensError(`${what} is not a file name; expected a path relative to ${folder}`, owner);
  }
  const base = resolve(folder);
  const file = resolve(base, name);
  if (isAbsolute(name) || !isInside(base, file) || file === base) {
    throw new LensError(`${what} points outside the checkpoint folder ${base}; expected a file inside it`, owner);
  }
  let real: string;
  let realBase: string;
  try {
    realBase = await realpath(base);
    real = await realpath(file);
  } catch (err) {
    throw new LensError(`${what} cannot be read (${code(err)}); expected a file inside ${base}`, owner);
  }
  if (!isInside(realBase, real)) {
    throw new LensError(`${what} is a symlink that leads outside the checkpoint folder ${base}; expected a file inside it`, owner);
  }
  return file;
}

/** Synchronous twin of the realpath half of confinedPath, for sync callers (sidecar lookups). */
export function isReallyInside(folder: string, file: string): boolean {
  try {
    return isInside(realpathSync(folder), realpathSync(file));
  } catch {
    return false;
  }
}

/** Size of a regular file; a folder, FIFO or device file is refused naming what it is. */
export async function regularFileSize(file: string, expected: string, owner?: string, what?: string): Promise<number> {
  let s;
  try {
    s = await stat(file);
  } catch (err) {
    throw new LensError(`${what ? `${what} ` : ''}cannot be read (${code(err)}); expected ${expected}`, owner ?? file);
  }
  if (!s.isFile()) throw new LensError(`${what ? `${what} ` : ''}is ${kindOf(s)}; expected ${expected}`, owner ?? file);
  return s.size;
}

export interface BoundedReadOptions {
  /** What the file should be, for messages: "a tfjs model.json". */
  expected: string;
  /** Refuse files larger than this, before reading. */
  maxBytes?: number;
  /** Read exactly this many bytes; a file of another size is refused before reading. */
  exactBytes?: number;
  /** Read only the first this-many bytes (fewer when the file is shorter); the rest is never read. */
  atMostBytes?: number;
  /** Who named the file and how (messages are then about `owner`, naming `what`). */
  owner?: string;
  what?: string;
}

/**
 * Reads a regular file whole, with its size checked before a byte is read. Opened non-blocking
 * and re-checked on the descriptor, so a file swapped for a FIFO between stat and open cannot hang
 * us; reads exactly the size seen, so a file that grows meanwhile cannot grow memory.
 */
export async function readRegularFile(file: string, opts: BoundedReadOptions): Promise<Buffer> {
  const where = opts.owner ?? file;
  const prefix = opts.what ? `${opts.what} ` : '';
  await regularFileSize(file, opts.expected, opts.owner, opts.what);
  let fh;
  try {
    fh = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new LensError(`${prefix}cannot be read (${code(err)}); expected ${opts.expected}`, where);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new LensError(`${prefix}is ${kindOf(s)}; expected ${opts.expected}`, where);
    if (opts.exactBytes !== undefined && s.size !== opts.exactBytes) {
      throw new LensError(`${prefix}holds ${s.size} bytes but ${opts.exactBytes} are expected (${opts.expected}); truncated, or from another model?`, where);
    }
    if (opts.maxBytes !== undefined && Math.min(s.size, opts.atMostBytes ?? Infinity) > opts.maxBytes) {
      throw new LensError(`${prefix}is ${formatBytes(s.size)}, more than the ${formatBytes(opts.maxBytes)} allowed for ${opts.expected}`, where);
    }
    const size = opts.exactBytes ?? Math.min(s.size, opts.atMostBytes ?? Infinity);
    const buf = Buffer.allocUnsafe(size);
    let got = 0;
    while (got < size) {
      const { bytesRead } = await fh.read(buf, got, size - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    if (got !== size) throw new LensError(`${prefix}ended after ${got} of ${size} bytes (it shrank while being read); expected ${opts.expected}`, where);
    return buf;
  } finally {
    await fh.close();
  }
}

/** A JSON file read with the size cap and regular-file check; parse errors are the caller's. */
export async function readJsonText(file: string, expected: string): Promise<string> {
  return (await readRegularFile(file, { expected, maxBytes: MAX_JSON_BYTES })).toString('utf8');
}

export function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(1)} KiB`;
  return `${n} bytes`;
}

/**
 * Synchronous twin of readJsonText for sync callers (the sidecar beside a checkpoint): a FIFO or
 * device file named embedding-lens.json must not block, a 10 GB one must not be read.
 */
export function readJsonTextSync(file: string, expected: string): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new LensError(`cannot be read (${code(err)}); expected ${expected}`, file);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new LensError(`is ${kindOf(s)}; expected ${expected}`, file);
    if (s.size > MAX_JSON_BYTES) throw new LensError(`is ${formatBytes(s.size)}, more than the ${formatBytes(MAX_JSON_BYTES)} allowed for ${expected}`, file);
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
