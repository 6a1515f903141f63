import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { LensError } from '../errors';
import { isInside } from '../util/paths';

/**
 * Reading files a checkpoint or dataset *names* — weight shards, ONNX external data, a sidecar's
 * head model — as untrusted input. A malicious model.json can name `/dev/zero` (reads for ever),
 * a FIFO (blocks for ever), `../../etc/passwd` (leaks an outside file) or a 50 GB file: every read
 * here is confined to a folder, of regular files only, and of a byte count known before reading.
 */

/** JSON inputs (model.json, sidecars, manifests) larger than this are refused before reading. */
export const MAX_JSON_BYTES = 256 * 2 ** 20;

type StatKind = { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean };

/** What a non-regular file is, for messages ("a FIFO (named pipe)"). */
const kindOf = (s: StatKind): string =>
  s.isDirectory()
    ? 'a folder'
    : s.isFIFO()
      ? 'a FIFO (named pipe)'
      : s.isCharacterDevice() || s.isBlockDevice()
        ? 'a device file'
        : s.isSocket()
          ? 'a socket'
          : 'not a regular file';

/** A path that names something other than a regular file; `kind` says what ("a FIFO (named pipe)"). */
export class NotRegularFileError extends Error {
  constructor(
    readonly path: string,
    readonly kind: string,
  ) {
    super(`not a regular file (${kind})`);
    this.name = 'NotRegularFileError';
  }
}

/**
 * Opens `path` for reading only when it is a regular file. Opened with O_NONBLOCK (a FIFO without a
 * writer opens at once instead of blocking) and fstat'ed on that same descriptor, so what is checked
 * is what is read. Throws NotRegularFileError for a folder, FIFO, device or socket; other errors
 * (ENOENT, EACCES) propagate. The caller reads from and closes the handle.
 */
export async function openRegularFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, READ_NONBLOCK);
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const s = await fh.stat();
    if (!s.isFile()) throw new NotRegularFileError(path, kindOf(s));
    return { fh, size: s.size };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

/** O_NONBLOCK: a FIFO without a writer opens at once instead of blocking (it is then refused by fstat). */
const READ_NONBLOCK = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What an open() failure means for a path that should be a regular file. */
function openError(path: string, err: unknown): unknown {
  // Linux opens a folder read-only; other systems say EISDIR. ENXIO: a socket or a device without a driver.
  if ((err as NodeJS.ErrnoException).code === 'EISDIR') return new NotRegularFileError(path, 'a folder');
  if ((err as NodeJS.ErrnoException).code === 'ENXIO') return new NotRegularFileError(path, 'a device file or socket');
  return err;
}

/**
 * Synchronous twin of openRegularFile + readPrefix, with the same checks, for a worker thread that
 * reads thousands of small files (an image folder): each async open, fstat, read and close is a trip
 * through libuv's pool, ≈22 µs per file against ≈3 µs here. Never call it on VS Code's own thread.
 * `check(size)` may throw before anything is read (e.g. a size limit).
 */
export function readRegularFileSync(path: string, check: (size: number) => void): Buffer {
  let fd: number;
  try {
    fd = openSync(path, READ_NONBLOCK);
  } catch (err) {
    throw openError(path, err);
  }
  try {
    const s = fstatSync(fd);
    if (!s.isFile()) throw new NotRegularFileError(path, kindOf(s));
    check(s.size);
    const buf = Buffer.allocUnsafe(s.size);
    let got = 0;
    while (got < s.size) {
      const n = readSync(fd, buf, got, s.size - got, got);
      if (n === 0) break;
      got += n;
    }
    return got === s.size ? buf : buf.subarray(0, got);
  } finally {
    closeSync(fd);
  }
}

/** Reads `size` bytes from the start of an open file; fewer when it shrank meanwhile (the caller checks). */
export async function readPrefix(fh: FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  let got = 0;
  while (got < size) {
    const { bytesRead } = await fh.read(buf, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === size ? buf : buf.subarray(0, got);
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

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
  let opened;
  try {
    opened = await openRegularFile(file);
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new LensError(`${prefix}is ${err.kind}; expected ${opts.expected}`, where);
    throw new LensError(`${prefix}cannot be read (${code(err)}); expected ${opts.expected}`, where);
  }
  const { fh, size: actual } = opened;
  try {
    if (opts.exactBytes !== undefined && actual !== opts.exactBytes) {
      throw new LensError(
        `${prefix}holds ${actual} bytes but ${opts.exactBytes} are expected (${opts.expected}); truncated, or from another model?`,
        where,
      );
    }
    if (opts.maxBytes !== undefined && Math.min(actual, opts.atMostBytes ?? Infinity) > opts.maxBytes) {
      throw new LensError(
        `${prefix}is ${formatBytes(actual)}, more than the ${formatBytes(opts.maxBytes)} allowed for ${opts.expected}`,
        where,
      );
    }
    const size = opts.exactBytes ?? Math.min(actual, opts.atMostBytes ?? Infinity);
    const buf = await readPrefix(fh, size);
    if (buf.length !== size)
      throw new LensError(
        `${prefix}ended after ${buf.length} of ${size} bytes (it shrank while being read); expected ${opts.expected}`,
        where,
      );
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
  try {
    return readRegularFileSync(file, (size) => {
      if (size > MAX_JSON_BYTES)
        throw new LensError(`is ${formatBytes(size)}, more than the ${formatBytes(MAX_JSON_BYTES)} allowed for ${expected}`, file);
    }).toString('utf8');
  } catch (err) {
    if (err instanceof LensError) throw err;
    if (err instanceof NotRegularFileError) throw new LensError(`is ${err.kind}; expected ${expected}`, file);
    throw new LensError(`cannot be read (${code(err)}); expected ${expected}`, file);
  }
}
