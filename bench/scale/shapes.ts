// The four shapes of issue #15 as clustered Gaussians: class sizes, the In-Shop query/gallery
// split, and the seeded generator that writes E.npy + labels (or an In-Shop list) for the CLI.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeNpy } from '../../src/core/io/npy';
import { writeFileAtomic } from '../../src/core/io/outputs';
import { mulberry32 } from '../../src/core/util/random';

export type ShapeName = 'sop' | 'inshop' | '200k' | '1m';
export const SHAPE_NAMES: ShapeName[] = ['sop', 'inshop', '200k', '1m'];

export interface Shape {
  name: ShapeName;
  title: string;
  n: number;
  dim: number;
  classes: number;
  /** Smallest and largest class (SOP: 2–12); undefined → equal classes. */
  sizeRange?: [number, number];
  /** In-Shop: how many rows are queries (the rest gallery); every class has both. */
  queries?: number;
  recallK: number[];
  /** The targets, for the full shapes only. */
  target: { seconds: number; rssGB: number };
}

/** The shapes; `quick` shrinks each about ten-fold (same kinds of classes, same code paths). */
export function shapes(quick: boolean): Record<ShapeName, Shape> {
  const d = 128;
  const sopK = [1, 10, 100, 1000];
  const inshopK = [1, 10, 20, 30, 40, 50];
  if (!quick) {
    return {
      sop: {
        name: 'sop',
        title: 'SOP test: 60,502 × 128, 11,316 classes of 2–12',
        n: 60_502,
        dim: d,
        classes: 11_316,
        sizeRange: [2, 12],
        recallK: sopK,
        target: { seconds: 90, rssGB: 3 },
      },
      inshop: {
        name: 'inshop',
        title: 'In-Shop: 26,830 × 128 (14,218 queries, 12,612 gallery), 3,985 classes',
        n: 26_830,
        dim: d,
        classes: 3_985,
        sizeRange: [2, 12],
        queries: 14_218,
        recallK: inshopK,
        target: { seconds: 45, rssGB: 2 },
      },
      '200k': {
        name: '200k',
        title: '200,000 × 128, 1,000 classes',
        n: 200_000,
        dim: d,
        classes: 1_000,
        recallK: sopK,
        target: { seconds: 60, rssGB: 3 },
      },
      '1m': {
        name: '1m',
        title: '1,000,000 × 128, 1,000 classes',
        n: 1_000_000,
        dim: d,
        classes: 1_000,
        recallK: sopK,
        target: { seconds: 300, rssGB: 4 },
      },
    };
  }
  return {
    sop: {
      name: 'sop',
      title: 'quick SOP-like: 6,050 × 128, 1,131 classes of 2–12',
      n: 6_050,
      dim: d,
      classes: 1_131,
      sizeRange: [2, 12],
      recallK: sopK,
      target: { seconds: 90, rssGB: 3 },
    },
    inshop: {
      name: 'inshop',
      title: 'quick In-Shop-like: 2,683 × 128 (1,422 queries, 1,261 gallery), 399 classes',
      n: 2_683,
      dim: d,
      classes: 399,
      sizeRange: [2, 12],
      queries: 1_422,
      recallK: inshopK,
      target: { seconds: 45, rssGB: 2 },
    },
    '200k': {
      name: '200k',
      title: 'quick: 20,000 × 128, 100 classes',
      n: 20_000,
      dim: d,
      classes: 100,
      recallK: sopK,
      target: { seconds: 60, rssGB: 3 },
    },
    '1m': {
      name: '1m',
      title: 'quick: 30,000 × 128, 100 classes',
      n: 30_000,
      dim: d,
      classes: 100,
      recallK: sopK,
      target: { seconds: 300, rssGB: 4 },
    },
  };
}

/** Class sizes summing to n: uniform in the range, then nudged one at a time until the sum fits. */
export function classSizes(shape: Shape, rand: () => number): Int32Array {
  const c = shape.classes;
  const sizes = new Int32Array(c);
  if (!shape.sizeRange) {
    for (let i = 0; i < c; i++) sizes[i] = Math.floor(shape.n / c) + (i < shape.n % c ? 1 : 0);
    return sizes;
  }
  const [lo, hi] = shape.sizeRange;
  let sum = 0;
  for (let i = 0; i < c; i++) sum += sizes[i] = lo + Math.floor(rand() * (hi - lo + 1));
  while (sum !== shape.n) {
    const i = Math.floor(rand() * c);
    if (sum < shape.n && sizes[i] < hi) {
      sizes[i]++;
      sum++;
    } else if (sum > shape.n && sizes[i] > lo) {
      sizes[i]--;
      sum--;
    }
  }
  return sizes;
}

/** Queries per class: proportional, at least one query and one gallery item each, summing to `queries`. */
export function querySplit(sizes: Int32Array, queries: number): Int32Array {
  const n = sizes.reduce((a, b) => a + b, 0);
  const q = Int32Array.from(sizes, (s) => Math.min(s - 1, Math.max(1, Math.round((s * queries) / n))));
  let sum = q.reduce((a, b) => a + b, 0);
  for (let i = 0; sum !== queries; i = (i + 1) % sizes.length) {
    if (sum < queries && q[i] < sizes[i] - 1) {
      q[i]++;
      sum++;
    } else if (sum > queries && q[i] > 1) {
      q[i]--;
      sum--;
    }
  }
  return q;
}

/** Standard normals by Box–Muller on the seeded generator. */
function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export interface ShapeFiles {
  embeddings: string;
  /** What the CLI takes as its dataset argument: labels .npy, or the In-Shop list. */
  dataset: string;
  /** Integer labels .npy (for the faiss peer), row-aligned with the embeddings. */
  labels: string;
  generatedSeconds: number;
}

/**
 * Writes (once; reused while the files exist) the shape's embeddings: class centres ~ N(0, I),
 * items = centre + σ·N(0, I), rows in a seeded random order (as a real export, not class-sorted).
 * σ = 1.5 keeps R@1 well below 1 (≈ 0.86 on the quick SOP shape) so the metrics measure something.
 */
export async function generate(shape: Shape, dir: string, seed = 7, sigma = 1.5): Promise<ShapeFiles> {
  const stem = join(dir, `${shape.name}-${shape.n}x${shape.dim}-c${shape.classes}-s${seed}-sigma${sigma}`);
  mkdirSync(stem, { recursive: true });
  const files: ShapeFiles = {
    embeddings: join(stem, 'embeddings.npy'),
    labels: join(stem, 'labels.npy'),
    dataset: shape.queries ? join(stem, 'list_eval_partition.txt') : join(stem, 'labels.npy'),
    generatedSeconds: 0,
  };
  if (existsSync(files.embeddings) && existsSync(files.dataset) && existsSync(files.labels)) return files;
  const t0 = performance.now();
  const rand = mulberry32(seed);
  const normal = gaussian(rand);
  const { n, dim } = shape;
  const sizes = classSizes(shape, rand);
  const qPer = shape.queries ? querySplit(sizes, shape.queries) : null;
  // Row r of the output holds item order[r]: items are numbered class by class.
  const labelOfItem = new Int32Array(n);
  const isQuery = new Uint8Array(n);
  for (let c = 0, i = 0; c < sizes.length; c++) {
    for (let t = 0; t < sizes[c]; t++, i++) {
      labelOfItem[i] = c;
      if (qPer && t < qPer[c]) isQuery[i] = 1;
    }
  }
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const centres = new Float32Array(sizes.length * dim);
  for (let i = 0; i < centres.length; i++) centres[i] = normal();
  const x = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const c = labelOfItem[order[r]];
    labels[r] = c;
    for (let t = 0; t < dim; t++) x[r * dim + t] = centres[c * dim + t] + sigma * normal();
  }
  await writeNpy(files.embeddings, x, [n, dim]);
  await writeNpy(files.labels, labels, [n]);
  if (shape.queries) {
    // DeepFashion's list_eval_partition.txt: a count line, the header, then one image per line.
    const lines = [String(n), 'image_name item_id evaluation_status'];
    for (let r = 0; r < n; r++) {
      const id = `id_${String(labels[r]).padStart(8, '0')}`;
      lines.push(`img/synthetic/${id}/${r}.jpg ${id} ${isQuery[order[r]] ? 'query' : 'gallery'}`);
    }
    await writeFileAtomic(files.dataset, lines.join('\n') + '\n');
  }
  files.generatedSeconds = (performance.now() - t0) / 1000;
  return files;
}
