import { execFile } from 'node:child_process';
import { mkdir, readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { LensError, throwIfAborted } from '../core/errors';
import type { RunControl } from '../core/types';
import { writeDirAtomically } from './atomicDir';
import { readIdx } from '../core/dataset/idx';
import { runPool } from './pool';
import { mixSeed, Rng } from './prng';
import type { DemoDataset } from './productImages';

const execFileAsync = promisify(execFile);

export const FASHION_MNIST_PACKAGE = 'dataset-fashion-mnist';

/** Fashion-MNIST's labels 0–9, as its authors name them. */
export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** The folder a class is written to: '/' cannot be in a folder name. */
export function fashionMnistFolderName(className: string): string {
  return className.replace(/\//g, '_');
}

export interface FashionMnistOptions {
  /** Images drawn per class (at most 6000 for train, 1000 for test). */
  perClass: number;
  /** Seed of the stratified choice: same seed → the same items and byte-identical files. */
  seed: number;
  split: 'train' | 'test';
  /** Folder holding the four IDX files (gzipped or not) instead of the Debian package's. */
  sourceDir?: string;
  /** Resize the 28×28 originals to size×size (default 28: unchanged). */
  size?: number;
  /** Write 3-channel RGB PNGs instead of greyscale, for models that expect colour input. */
  rgb?: boolean;
  /** Only these labels (0–9), e.g. the demo's trained or held-out classes (default: all ten). */
  classes?: readonly number[];
}

interface IdxFiles {
  images: string;
  labels: string;
}

const prefixOf = (split: 'train' | 'test') => (split === 'train' ? 'train' : 't10k');

function pickPair(paths: string[], split: 'train' | 'test'): Partial<IdxFiles> {
  const p = prefixOf(split);
  const find = (kind: string) => paths.find((f) => new RegExp(`^${p}-${kind}(\\.gz)?$`).test(basename(f)));
  return { images: find('images-idx3-ubyte'), labels: find('labels-idx1-ubyte') };
}

/** Finds the split's IDX files through `dpkg -L`, or in sourceDir when given. */
export async function locateFashionMnist(split: 'train' | 'test', sourceDir?: string): Promise<IdxFiles> {
  const p = prefixOf(split);
  const want = `${p}-images-idx3-ubyte[.gz] and ${p}-labels-idx1-ubyte[.gz]`;
  if (sourceDir !== undefined) {
    let names: string[];
    try {
      names = await readdir(sourceDir);
    } catch {
      throw new LensError(`cannot be read; expected a folder with the Fashion-MNIST files ${want}`, sourceDir);
    }
    const found = pickPair(
      names.map((n) => join(sourceDir, n)),
      split,
    );
    if (!found.images || !found.labels) throw new LensError(`has no ${want}; expected the Fashion-MNIST IDX files`, sourceDir);
    return { images: found.images, labels: found.labels };
  }
  let listing: string;
  try {
    listing = (await execFileAsync('dpkg', ['-L', FASHION_MNIST_PACKAGE], { encoding: 'utf8' })).stdout;
  } catch {
    throw new LensError(
      `Fashion-MNIST is not available: the Debian package ${FASHION_MNIST_PACKAGE} is not installed ` +
        `(install it with \`apt-get install ${FASHION_MNIST_PACKAGE}\`, point at a folder with ${want}, ` +
        'or use the built-in demo product images)',
      undefined,
      'E_NO_FASHION_MNIST',
    );
  }
  const found = pickPair(
    listing
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    split,
  );
  if (!found.images || !found.labels) {
    throw new LensError(`the Debian package ${FASHION_MNIST_PACKAGE} lists no ${want}`, undefined, 'E_NO_FASHION_MNIST');
  }
  return { images: found.images, labels: found.labels };
}

/**
 * Writes an ImageFolder dataset (outDir/<class>/<index>.png, named by the item's index in the IDX
 * file) from Debian's Fashion-MNIST, with a seeded stratified choice of perClass items per class.
 * Atomic like makeProductImages: an interrupted run leaves no half dataset.
 */
export async function fashionMnistFolder(outDir: string, opts: FashionMnistOptions, control: RunControl = {}): Promise<DemoDataset> {
  if (opts.split !== 'train' && opts.split !== 'test') {
    throw new LensError(`Fashion-MNIST split must be 'train' or 'test', got ${String(opts.split)}`);
  }
  if (!Number.isInteger(opts.perClass) || opts.perClass < 1) {
    throw new LensError(`Fashion-MNIST perClass must be a positive integer, got ${opts.perClass}`);
  }
  if (!Number.isInteger(opts.seed)) throw new LensError(`Fashion-MNIST seed must be an integer, got ${opts.seed}`);
  const size = opts.size ?? 28;
  if (!Number.isInteger(size) || size < 8 || size > 1024) {
    throw new LensError(`Fashion-MNIST size must be an integer from 8 to 1024, got ${opts.size}`);
  }
  const wanted = opts.classes ?? FASHION_MNIST_CLASSES.map((_, i) => i);
  if (
    wanted.length < 2 ||
    new Set(wanted).size !== wanted.length ||
    wanted.some((c) => !Number.isInteger(c) || c < 0 || c >= FASHION_MNIST_CLASSES.length)
  ) {
    throw new LensError(`Fashion-MNIST classes must be at least two distinct labels from 0 to 9, got ${wanted.join(',')}`);
  }
  const files = await locateFashionMnist(opts.split, opts.sourceDir);
  const labels = await readIdx(files.labels, { rank: 1 });
  throwIfAborted(control.signal);
  const images = await readIdx(files.images, { rank: 3, count: labels.dims[0], partner: basename(files.labels) });
  throwIfAborted(control.signal);
  const [n, h, w] = images.dims;
  const byClass: number[][] = FASHION_MNIST_CLASSES.map(() => []);
  for (let i = 0; i < n; i++) {
    const y = labels.data[i];
    if (y >= byClass.length) throw new LensError(`item ${i} has label ${y}, expected 0–9`, files.labels);
    byClass[y].push(i);
  }
  const chosen: Array<{ cls: number; index: number }> = [];
  byClass.forEach((items, cls) => {
    if (!wanted.includes(cls)) return;
    if (items.length < opts.perClass) {
      throw new LensError(
        `has only ${items.length} items of class ${FASHION_MNIST_CLASSES[cls]}, fewer than perClass = ${opts.perClass}`,
        files.labels,
      );
    }
    // One stream per class, so a class's choice does not shift when another's count changes.
    const rng = new Rng(mixSeed(opts.seed >>> 0, 0x46_4d, cls));
    for (const index of rng.sample(items, opts.perClass)) chosen.push({ cls, index });
  });
  const digits = String(n - 1).length;
  const folders = FASHION_MNIST_CLASSES.map(fashionMnistFolderName);
  const wantedFolders = wanted.map((c) => folders[c]);
  const marker = {
    generator: 'embedding-lens Fashion-MNIST subset',
    version: 1,
    source: { images: files.images, labels: files.labels },
    split: opts.split,
    seed: opts.seed,
    perClass: opts.perClass,
    size,
    rgb: opts.rgb === true,
    classes: wanted.map((c) => FASHION_MNIST_CLASSES[c]),
    count: chosen.length,
  };
  const root = await writeDirAtomically(
    outDir,
    marker,
    async (tmp) => {
      for (const folder of wantedFolders) await mkdir(join(tmp, folder));
      await runPool(
        chosen.length,
        8,
        async (k) => {
          const { cls, index } = chosen[k];
          const pixels = Buffer.from(images.data.buffer, images.data.byteOffset + index * h * w, h * w);
          let img = sharp(pixels, { raw: { width: w, height: h, channels: 1 } });
          if (size !== w || size !== h) img = img.resize(size, size, { kernel: 'cubic' });
          img = opts.rgb ? img.toColourspace('srgb') : img.toColourspace('b-w');
          await img
            .png({ compressionLevel: 6, adaptiveFiltering: false })
            .toFile(join(tmp, folders[cls], `${String(index).padStart(digits, '0')}.png`));
        },
        { signal: control.signal, onProgress: control.onProgress, stage: 'Writing Fashion-MNIST images' },
      );
    },
    control.signal,
  );
  return { root, classNames: wantedFolders.slice().sort(), count: chosen.length };
}
