/**
 * Reading an image file a dataset lists. A path in a manifest (or a symlink in an image folder) may
 * name a FIFO, a device or a folder: those are refused at once through io/safeFile's checked open
 * (the error message becomes the item's skip reason), never waited on or read for ever.
 */
import { openRegularFile, readPrefix, readRegularFileSync } from '../io/safeFile';

/** Larger image files are skipped: sharp would refuse them anyway, and a batch decodes many at once. */
export const MAX_IMAGE_BYTES = 512 * 2 ** 20;

/**
 * The bytes of one image file, at most `maxBytes`; throws (the message is the skip reason) for a
 * non-regular or oversized file. Reads stop at the size fstat gave, so a growing file cannot run on.
 */
export async function readImageFile(path: string, maxBytes = MAX_IMAGE_BYTES): Promise<Buffer> {
  const { fh, size } = await openRegularFile(path);
  try {
    checkImageSize(size, maxBytes);
    return await readPrefix(fh, size);
  } finally {
    await fh.close();
  }
}

/** readImageFile for the embed worker, which reads a batch of files back to back (see readRegularFileSync). */
export function readImageFileSync(path: string, maxBytes = MAX_IMAGE_BYTES): Buffer {
  return readRegularFileSync(path, (size) => checkImageSize(size, maxBytes));
}

function checkImageSize(size: number, maxBytes: number): void {
  if (size > maxBytes) throw new Error(`is ${(size / 2 ** 20).toFixed(0)} MB; image files over ${maxBytes / 2 ** 20} MB are not read`);
}
