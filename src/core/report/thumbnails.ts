/**
 * Small inline thumbnails (data: URIs) for items that have no file a browser could load:
 * IDX images everywhere, and every item in a self-contained HTML report.
 */
import { realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import sharp from 'sharp';
import { readIdx } from '../dataset/idx';
import { readImageFile } from '../dataset/regularFile';
import { throwIfAborted } from '../errors';
import { isInside } from '../util/paths';
import type { RunControl } from '../types';

export interface ThumbnailOptions extends RunControl {
  /** Longest side in pixels. */
  size?: number;
  /** Only the first `limit` items get a thumbnail (reports stay a sensible size); '' for the rest. */
  limit?: number;
  /** When false, file-backed items get '' (the panel serves those files by URI instead). */
  files?: boolean;
  /**
   * The dataset (its folder, or the list file whose folder holds the images). When given, a file
   * whose real path is outside it — reached by "../" in a manifest or by a symlink — is not
   * inlined: a report is shared, and must not carry pictures of files the dataset does not hold.
   */
  root?: string;
  /** Told once how many thumbnails were left out and why. */
  onNote?: (note: string) => void;
}

/** The real folder a dataset's files must lie in, or undefined when it cannot be resolved. */
async function realRoot(root: string): Promise<string | undefined> {
  try {
    const s = await stat(root);
    return await realpath(s.isDirectory() ? root : dirname(root));
  } catch {
    return undefined;
  }
}

const IDX_REF = /^(.*)#(\d+)$/;

/** One data: URI per path ('' where there is none or the image cannot be read). */
export async function thumbnailDataUris(paths: string[], opts: ThumbnailOptions = {}): Promise<string[]> {
  const size = opts.size ?? 64;
  const limit = Math.min(paths.length, opts.limit ?? paths.length);
  const out = new Array<string>(paths.length).fill('');
  const rootReal = opts.root ? await realRoot(opts.root) : undefined;
  const inside = (real: string) => rootReal !== undefined && isInside(rootReal, real);
  let outside = 0;
  let firstOutside = '';
  const idxFiles = new Map<string, Promise<{ dims: number[]; data: Uint8Array } | undefined>>();
  const loadIdx = (file: string) => {
    if (!idxFiles.has(file))
      idxFiles.set(
        file,
        readIdx(file).catch(() => undefined),
      );
    return idxFiles.get(file)!;
  };
  const one = async (i: number): Promise<void> => {
    const p = paths[i];
    const ref = IDX_REF.exec(p);
    try {
      if (ref && /idx\d?-ubyte|\.idx/i.test(ref[1])) {
        const idx = await loadIdx(ref[1]);
        if (!idx || idx.dims.length < 3) return;
        const [, h, w] = idx.dims;
        const c = idx.dims[3] ?? 1;
        const index = Number(ref[2]);
        const px = idx.data.subarray(index * h * w * c, (index + 1) * h * w * c);
        if (px.length !== h * w * c) return;
        const png = await sharp(Buffer.from(px), { raw: { width: w, height: h, channels: c as 1 | 3 } })
          .png()
          .toBuffer();
        out[i] = `data:image/png;base64,${png.toString('base64')}`;
      } else if (opts.files !== false) {
        if (opts.root !== undefined) {
          const real = await realpath(p);
          if (!inside(real)) {
            if (outside++ === 0) firstOutside = p === real ? p : `${p} → ${real}`;
            return;
          }
        }
        // A checked read: a FIFO or device among the paths is skipped, never waited on.
        const jpg = await sharp(await readImageFile(p))
          .resize(size, size, { fit: 'inside', withoutEnlargement: true })
          .flatten({ background: '#ffffff' })
          .jpeg({ quality: 75 })
          .toBuffer();
        out[i] = `data:image/jpeg;base64,${jpg.toString('base64')}`;
      }
    } catch {
      // An unreadable image simply has no thumbnail; the embed stage already reported it.
    }
  };
  // A few at a time: sharp runs on libuv's pool, so this overlaps without flooding memory.
  const CONCURRENCY = 8;
  let next = 0;
  const workers = Array.from({ length: Math.min(CONCURRENCY, limit) }, async () => {
    while (next < limit) {
      throwIfAborted(opts.signal);
      const i = next++;
      await one(i);
      if (i % 256 === 0) opts.onProgress?.({ stage: 'thumbnails', done: i, total: limit });
    }
  });
  await Promise.all(workers);
  opts.onProgress?.({ stage: 'thumbnails', done: limit, total: limit });
  if (outside) {
    opts.onNote?.(
      `${outside} thumbnail(s) left out of the report: the file lies outside the dataset ${opts.root} (reached by "../" or a symlink); first: ${firstOutside}`,
    );
  }
  return out;
}
