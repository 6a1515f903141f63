/**
 * Reading a dataset file only when it is a regular file. A path in a manifest (or a symlink in an
 * image folder) may name a FIFO, a device or a folder: opening a FIFO for reading blocks until a
 * writer appears, and /dev/zero never ends. The file is opened with O_NONBLOCK (so a FIFO open
 * returns at once) and fstat'ed on that same descriptor before a byte is read, so what is checked
 * is what is read.
 */
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Larger image files are skipped: sharp would refuse them anyway, and a batch decodes many at once. */
export const MAX_IMAGE_BYTES = 512 * 2 ** 20;

/** Why a path cannot be read as a regular file: the message is the skip reason shown to the user. */
export class NotRegularFileError extends Error {
  constructor(readonly path: string, what: string) {
    super(`not a regular file (${what}); only regular image files are read`);
    this.name = 'NotRegularFileError';
  }
}

/** What kind of non-regular file an fstat describes, for the skip reason. */
function kindOf(s: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isFIFO()) return 'a FIFO';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  if (s.isSocket()) return 'a socket';
  return 'not a plain file';
}

/**
 * Opens `path` without blocking and checks it is a regular file; the caller reads from and
 * closes the handle. Throws NotRegularFileError for anything else (ENOENT etc. propagate).
 */
export async function openRegularFile(path: string): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    // Opening a folder read-only succeeds on Linux, but EISDIR appears on other systems.
    if ((err as NodeJS.ErrnoException).code === 'EISDIR') throw new NotRegularFileError(path, 'a folder');
    // O_NONBLOCK on a FIFO without a writer opens fine for reading; ENXIO is a socket or a device without a driver.
    if ((err as NodeJS.ErrnoException).code === 'ENXIO') throw new NotRegularFileError(path, 'a device or socket');
    throw err;
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

/**
 * The whole of a regular file, at most `maxBytes` long. The read stops at the size fstat gave, so a
 * file that grows while it is read cannot make it run on.
 */
export async function readRegularFile(path: string, maxBytes = MAX_IMAGE_BYTES): Promise<Buffer> {
  const { fh, size } = await openRegularFile(path);
  try {
    if (size > maxBytes) throw new Error(`is ${(size / 2 ** 20).toFixed(0)} MB; image files over ${maxBytes / 2 ** 20} MB are not read`);
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const { bytesRead } = await fh.read(buf, off, size - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === size ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}
