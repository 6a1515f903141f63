import { createReadStream, existsSync } from 'node:fs';
import { open, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createGunzip, gunzip } from 'node:zlib';
import { LensError } from '../errors';
import { readRegularFile, regularFileSize } from '../io/safeFile';

const gunzipAsync = promisify(gunzip);

/** IDX (the MNIST format): magic 0x0000 <type 0x08 = ubyte> <rank>, big-endian uint32 dims, then data. */
export interface IdxHeader {
  dims: number[];
  dataOffset: number;
}

export function parseIdxHeader(buf: Uint8Array, file: string): IdxHeader {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0)
    throw new LensError('is not an IDX file (bad magic number); expected MNIST-style idx data', file);
  if (buf[2] !== 0x08) throw new LensError(`has IDX element type 0x${buf[2].toString(16)}; expected unsigned bytes (0x08)`, file);
  const rank = buf[3];
  if (rank < 1 || rank > 4) throw new LensError(`has IDX rank ${rank}; expected 1 (labels) or 3 (images)`, file);
  const dataOffset = 4 + 4 * rank;
  if (buf.length < dataOffset) throw new LensError('is truncated inside its IDX header', file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, dataOffset };
}

/**
 * Whether the file is gzipped, from its first two bytes (1f 8b) rather than its name: downloads
 * are often unpacked without renaming, or renamed without unpacking. Call after the regular-file check.
 */
async function isGzipped(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/**
 * Limits an IDX header is checked against before anything is inflated or read: a header is a
 * claim, and a 13 MB .gz claiming 3·10⁹ labels once inflated to 5.8 GB before the count was looked
 * at. Far above real IDX sets (EMNIST: 814,255 items of 28×28; 50 M covers QuickDraw-sized exports).
 */
export const IDX_MAX_ITEMS = 50_000_000;
export const IDX_MAX_SIDE = 4096;
/** Data bytes one IDX file may hold (all of it is held in memory). */
export const IDX_MAX_BYTES = 2 ** 31 - 1;

/** What the caller knows the file must be: its rank, its item count (the partner's), who the partner is. */
export interface IdxExpect {
  rank?: number;
  count?: number;
  partner?: string;
}

/** Checks a header's claims against the limits and the caller's expectations; nothing is read yet. */
export function checkIdxHeader(h: IdxHeader, file: string, expect: IdxExpect = {}): void {
  const dims = h.dims;
  if (expect.rank !== undefined && dims.length !== expect.rank) {
    throw new LensError(
      `has IDX rank ${dims.length}; expected ${expect.rank} (${expect.rank === 1 ? 'labels' : 'count × rows × cols images'})`,
      file,
    );
  }
  if (dims[0] > IDX_MAX_ITEMS)
    throw new LensError(`has a header claiming ${dims[0]} items; at most ${IDX_MAX_ITEMS} are read (a lying or corrupt header?)`, file);
  if (dims.length >= 3 && dims.slice(1).some((d) => d === 0 || d > IDX_MAX_SIDE)) {
    throw new LensError(`has images of ${dims.slice(1).join('×')} pixels; expected each side between 1 and ${IDX_MAX_SIDE}`, file);
  }
  const bytes = dims.reduce((a, b) => a * b, 1);
  if (bytes > IDX_MAX_BYTES)
    throw new LensError(`has a header promising ${bytes} data bytes (${dims.join('×')}); at most ${IDX_MAX_BYTES} are read`, file);
  if (expect.count !== undefined && dims[0] !== expect.count) {
    const [mine, theirs] = dims.length === 1 ? ['labels', 'images'] : ['images', 'labels'];
    throw new LensError(
      `holds ${dims[0]} ${mine} but ${expect.partner ?? 'its partner'} holds ${expect.count} ${theirs}; expected one label per image`,
      file,
    );
  }
}

/**
 * The whole IDX file (gunzipped when it is gzip data), checked to hold every byte its header promises. The
 * header is read and checked first (readIdxHeader); then exactly the promised bytes are read, and a
 * .gz is inflated with zlib's maxOutputLength set to them, so a gzip bomb stops at that size.
 */
export async function readIdx(file: string, expect: IdxExpect = {}): Promise<{ dims: number[]; data: Uint8Array }> {
  const h = await readIdxHeader(file, expect);
  const size = h.dims.reduce((a, b) => a * b, 1);
  const total = h.dataOffset + size;
  let raw: Buffer;
  if (await isGzipped(file)) {
    const packed = await readRegularFile(file, { expected: 'a gzipped IDX file', maxBytes: IDX_MAX_BYTES });
    try {
      raw = await gunzipAsync(packed, { maxOutputLength: total });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new LensError(
          `unpacks to more than the ${total} bytes its header (${h.dims.join('×')}) promises; expected exactly that many`,
          file,
        );
      }
      throw new LensError(`cannot be unpacked (${(err as Error).message}); expected a gzipped IDX file`, file);
    }
  } else {
    raw = await readRegularFile(file, { expected: 'an IDX file', atMostBytes: total });
  }
  if (raw.length < total)
    throw new LensError(
      `is truncated: ${raw.length - h.dataOffset} data bytes, expected ${size} (${h.dims.join('×')}) as its header promises`,
      file,
    );
  // A plain Uint8Array view (not a Buffer): callers treat it as pixel data, never as text.
  return { dims: h.dims, data: new Uint8Array(raw.buffer, raw.byteOffset + h.dataOffset, size) };
}

/** Only the header, without reading (or gunzipping) the pixels; checked against the limits and `expect`. */
export async function readIdxHeader(file: string, expect: IdxExpect = {}): Promise<IdxHeader> {
  // A FIFO would block the stream below for ever, /dev/zero would parse as a header: regular files only.
  await regularFileSize(file, 'an IDX file');
  const gz = await isGzipped(file);
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const src = createReadStream(file);
    const stream = gz ? src.pipe(createGunzip()) : src;
    const done = () => {
      // Stop both ends: a gunzip left running would go on inflating (a bomb for ever) and keep the process alive.
      stream.removeAllListeners('data');
      src.destroy();
      if (stream !== src) stream.destroy();
      resolve(Buffer.concat(chunks));
    };
    stream.on('data', (c: Buffer) => {
      chunks.push(c);
      got += c.length;
      if (got >= 20) done();
    });
    stream.on('end', done);
    stream.on('error', (e: Error) => reject(new LensError(`cannot be read (${e.message}); expected an IDX file`, file)));
    src.on('error', (e) => reject(new LensError(`cannot be read (${e.message}); expected an IDX file`, file)));
  });
  const h = parseIdxHeader(head, file);
  checkIdxHeader(h, file, expect);
  return h;
}

export interface IdxPair {
  images: string;
  labels: string;
  split: string;
}

const IMAGES_RE = /^(.*?)[-.]?images[-.]idx3[-.]ubyte(\.gz)?$/i;
const LABELS_RE = /^(.*?)[-.]?labels[-.]idx1[-.]ubyte(\.gz)?$/i;

export function isIdxFile(file: string): boolean {
  const b = basename(file);
  return IMAGES_RE.test(b) || LABELS_RE.test(b);
}

function splitName(prefix: string): string {
  const p = prefix.toLowerCase();
  if (p.startsWith('t10k') || p.includes('test')) return 'test';
  if (p.includes('train')) return 'train';
  return p || 'all';
}

/** The images/labels partner of an IDX file: the same name with images-idx3 ⇄ labels-idx1. */
export function idxPairOf(file: string): IdxPair {
  const b = basename(file);
  const dir = dirname(file);
  const im = IMAGES_RE.exec(b);
  const lb = LABELS_RE.exec(b);
  const swap = (name: string, from: RegExp, to: string) => name.replace(from, to);
  let images: string;
  let labels: string;
  let prefix: string;
  if (im) {
    images = file;
    labels = join(dir, swap(b, /images([-.])idx3/i, 'labels$1idx1'));
    prefix = im[1];
  } else if (lb) {
    labels = file;
    images = join(dir, swap(b, /labels([-.])idx1/i, 'images$1idx3'));
    prefix = lb[1];
  } else throw new LensError('is not named like an IDX images/labels file (e.g. train-images-idx3-ubyte.gz)', file);
  if (!existsSync(images)) throw new LensError(`has no images partner; expected ${basename(images)} beside it`, file);
  if (!existsSync(labels)) throw new LensError(`has no labels partner; expected ${basename(labels)} beside it`, file);
  return { images, labels, split: splitName(prefix) };
}

export async function findIdxPairs(dir: string): Promise<IdxPair[]> {
  const names = (await readdir(dir)).sort();
  return names.filter((n) => IMAGES_RE.test(n)).map((n) => idxPairOf(join(dir, n)));
}

const FASHION_MNIST = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** Fashion-MNIST's published class names when the path says fashion and the labels fit; else the digits. */
export function idxClassNames(path: string, maxLabel: number): { names: string[]; note?: string } {
  if (/fashion/i.test(path) && maxLabel <= 9)
    return { names: FASHION_MNIST.slice(), note: 'class names: Fashion-MNIST (the path names it)' };
  return { names: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)) };
}
