import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { LensError } from '../core/errors';
import type { RunControl } from '../core/types';
import { writeDirAtomically } from './atomicDir';
import { runPool } from './pool';
import { mixSeed, Rng } from './prng';
import { sceneSvg } from './scene';
import { PRODUCT_CLASSES, type ProductClass } from './shapes';

export interface ProductImageOptions {
  /** How many product classes, the first N (default 12, at most PRODUCT_CLASSES.length). Fewer classes keep the confusable pairs first. */
  classes?: number;
  /** Exactly these classes by name instead of the first `classes` (the demo's trained / held-out halves). */
  classNames?: readonly string[];
  /** Images per class (default 40). */
  perClass?: number;
  /** Width and height in pixels (default 64). */
  size?: number;
  /** Same seed → byte-identical files (default 1). */
  seed?: number;
}

export interface DemoDataset {
  /** Absolute path of the ImageFolder root: root/<class>/<nnn>.png. */
  root: string;
  /** Class folder names in sorted order — the label order an ImageFolder scan assigns. */
  classNames: string[];
  count: number;
}

function intOption(name: string, value: number | undefined, fallback: number, lo: number, hi: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new LensError(`demo dataset option ${name} must be an integer from ${lo} to ${hi}, got ${value}`);
  }
  return v;
}

function chooseClasses(opts: ProductImageOptions): ProductClass[] {
  if (opts.classNames === undefined) return PRODUCT_CLASSES.slice(0, intOption('classes', opts.classes, 12, 2, PRODUCT_CLASSES.length));
  if (opts.classes !== undefined) throw new LensError('demo dataset options classes and classNames exclude each other');
  const known = new Map(PRODUCT_CLASSES.map((c) => [c.name, c]));
  const unknown = opts.classNames.filter((n) => !known.has(n));
  if (unknown.length) throw new LensError(`demo dataset has no class ${unknown.join(', ')}; known: ${[...known.keys()].join(', ')}`);
  if (new Set(opts.classNames).size !== opts.classNames.length)
    throw new LensError(`demo dataset classNames repeat a class: ${opts.classNames.join(', ')}`);
  if (opts.classNames.length < 2) throw new LensError('demo dataset needs at least 2 classes (retrieval needs negatives)');
  return opts.classNames.map((n) => known.get(n)!);
}

/** Images a bit noisier, blurrier and more often occluded than a catalogue: retrieval should not be trivial. */
const OCCLUSION = 0.15;
const BLUR = 0.2;

async function renderImage(svg: string, rng: Rng, size: number, file: string): Promise<void> {
  let pipeline = sharp(Buffer.from(svg));
  if (rng.chance(BLUR)) pipeline = pipeline.blur(rng.range(0.4, 0.9));
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== size || info.height !== size || info.channels !== 3) {
    throw new Error(`SVG rasterised to ${info.width}×${info.height}×${info.channels}, expected ${size}×${size}×3`);
  }
  // Sensor-like noise, added here rather than in SVG so its strength is under our seeded control.
  const sigma = rng.range(2, 7);
  for (let i = 0; i < data.length; i++) {
    const v = data[i] + sigma * rng.normal();
    data[i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
  }
  await sharp(data, { raw: { width: size, height: size, channels: 3 } })
    .png({ compressionLevel: 6, adaptiveFiltering: false })
    .toFile(file);
}

/**
 * Writes a deterministic ImageFolder dataset of product-like thumbnails (outDir/<class>/<nnn>.png)
 * for the demo: needs nothing downloaded. Builds in a temp folder and renames it into place, so a
 * cancelled or failed run leaves outDir as it was. An existing outDir is replaced only when it is
 * empty or an earlier demo dataset.
 */
export async function makeProductImages(outDir: string, opts: ProductImageOptions = {}, control: RunControl = {}): Promise<DemoDataset> {
  const chosen = chooseClasses(opts);
  const classes = chosen.length;
  const perClass = intOption('perClass', opts.perClass, 40, 1, 100_000);
  const size = intOption('size', opts.size, 64, 16, 1024);
  const seed = intOption('seed', opts.seed, 1, -(2 ** 31), 2 ** 32 - 1) >>> 0;
  const digits = Math.max(3, String(perClass - 1).length);
  const count = classes * perClass;
  const marker = {
    generator: 'embedding-lens demo product images',
    version: 1,
    seed,
    classes: chosen.map((c) => c.name),
    perClass,
    size,
    count,
  };
  const root = await writeDirAtomically(
    outDir,
    marker,
    async (tmp) => {
      for (const c of chosen) await mkdir(join(tmp, c.name));
      await runPool(
        count,
        8,
        async (i) => {
          const cls = chosen[Math.floor(i / perClass)];
          const item = i % perClass;
          // Seeded per (class, item) by the class's fixed position, so a class looks the same
          // whatever `classes` is and whatever order the pool finishes in.
          const rng = new Rng(mixSeed(seed, PRODUCT_CLASSES.indexOf(cls), item));
          const svg = sceneSvg(cls, rng, size, { occlusion: OCCLUSION });
          await renderImage(svg, rng, size, join(tmp, cls.name, `${String(item).padStart(digits, '0')}.png`));
        },
        { signal: control.signal, onProgress: control.onProgress, stage: 'Drawing demo images' },
      );
    },
    control.signal,
  );
  return { root, classNames: chosen.map((c) => c.name).sort(), count };
}
