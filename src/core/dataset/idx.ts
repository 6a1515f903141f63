import { createReadStream, existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { gunzipSync, createGunzip } from 'node:zlib';
import { LensError } from '../errors';

/** IDX (the MNIST format): magic 0x0000 <type 0x08 = ubyte> <rank>, big-endian uint32 dims, then data. */
export interface IdxHeader {
  dims: number[];
  dataOffset: number;
}

export function parseIdxHeader(buf: Uint8Array, file: string): IdxHeader {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new LensError('is not an IDX file (bad magic number); expected MNIST-style idx data', file);
  if (buf[2] !== 0x08) throw new LensError(`has IDX element type 0x${buf[2].toString(16)}; expected unsigned bytes (0x08)`, file);
  const rank = buf[3];
  if (rank < 1 || rank > 4) throw new LensError(`has IDX rank ${rank}; expected 1 (labels) or 3 (images)`, file);
  const dataOffset = 4 + 4 * rank;
  if (buf.length < dataOffset) throw new LensError('is truncated inside its IDX header', file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { dims, dataOffset };
}

const isGz = (file: string) => file.toLowerCase().endsWith('.gz');

/** The whole IDX file (gunzipped when .gz), checked to hold every byte its header promises. */
export async function readIdx(file: string): Promise<{ dims: number[]; data: Uint8Array }> {
  let raw: Buffer;
  try {
    raw = await readFile(file);
    if (isGz(file)) raw = gunzipSync(raw);
  } catch (err) {
    throw new LensError(`cannot be read (${(err as Error).message}); expected an IDX file`, file);
  }
  const h = parseIdxHeader(raw, file);
  const size = h.dims.reduce((a, b) => a * b, 1);
  if (raw.length < h.dataOffset + size) throw new LensError(`is truncated: ${raw.length - h.dataOffset} data bytes, header promises ${size}`, file);
  return { dims: h.dims, data: raw.subarray(h.dataOffset, h.dataOffset + size) };
}

/** Only the header, without reading (or gunzipping) the pixels. */
export async function readIdxHeader(file: string): Promise<IdxHeader> {
  const head = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let got = 0;
    const src = createReadStream(file);
    const stream = isGz(file) ? src.pipe(createGunzip()) : src;
    const done = () => {
      src.destroy();
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
  return parseIdxHeader(head, file);
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
  if (/fashion/i.test(path) && maxLabel <= 9) return { names: FASHION_MNIST.slice(), note: 'class names: Fashion-MNIST (the path names it)' };
  return { names: Array.from({ length: maxLabel + 1 }, (_, i) => String(i)) };
}
