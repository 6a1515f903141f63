import type { ProgressFn } from '../types';
import { LensError } from '../errors';
import { checkLabels, prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import { ticker } from '../util/ticker';
import type { ItemNegatives, NearestNegativeResult } from './scan';
import type { KnnGraph } from './knn';
import { DEFAULT_SAMPLE_QUERIES, sampleQueries, type SampleDesign } from './sampledMetrics';

/**
 * Per-class geometry (what the panel's spread view and the EET terms stand for): centroid, mean
 * distance to it, 90th-percentile radius, the nearest other class with the minimum distance D
 * between the two classes' items (SPEC §1's D(c,c')), and the centroid distance matrix.
 * Distances are on the same rows the metrics rank: L2-normalised unless raw.
 */
export interface ClassGeometry {
  label: number;
  count: number;
  centroid: Float32Array;
  meanDistance: number;
  /** 90th percentile of distances to the centroid (linear interpolation, as numpy's default). */
  p90Radius: number;
  /** null when there is no other class. */
  nearestClass: number | null;
  minDistance: number | null;
}

export interface GeometryReport {
  normalize: boolean;
  classes: ClassGeometry[];
  /** C×C row-major Euclidean distances between centroids, in `classes` order; null above MAX_CENTROID_MATRIX classes. */
  centroidDistances: Float64Array | null;
  /**
   * Set when the nearest-class search ran on a seeded sample of items (more than `exactLimit`):
   * nearestClass/minDistance are then the minimum over each class's sampled items (an upper bound
   * on D(c,c′); null for a class with none sampled). Centroids, spreads and radii use every item.
   */
  sampled?: { items: number; of: number; seed: number; design: SampleDesign };
}

/** Beyond this many classes (e.g. SOP's 11k) the C×C matrix would dwarf everything else. */
export const MAX_CENTROID_MATRIX = 2048;

export async function classGeometry(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: {
    normalize?: boolean;
    file?: string;
    signal?: AbortSignal;
    onProgress?: ProgressFn;
    workers?: number;
    /**
     * Above this many items the nearest-class scan (every item against every item: n² distances,
     * hours at 10^6) takes a seeded sample of `sampleItems` items, stratified by class as the
     * sampled metrics are, each still scanned exactly against all items: m·n work. Unset: exact.
     */
    exactLimit?: number;
    sampleItems?: number;
    seed?: number;
    /** An exact kNN graph of the same rows (the inspection's): spares the scan for items it answers. */
    graph?: KnnGraph;
    /** Nearest other-class items already found on the same rows, prepared the same way (the metrics' ranking pass): not scanned again. */
    known?: ItemNegatives;
  } = {},
): Promise<GeometryReport> {
  checkLabels(labels, n, opts.file);
  // The passes before the scan (normalise, centroids, spreads) are seconds at 10^6 rows: heartbeats
  // at done 0 keep the stage from going silent, and a cancel is seen between slices.
  const tick = ticker('Class geometry', n, opts);
  tick.report(0);
  const normalize = opts.normalize ?? true;
  const rows = prepareEmbeddings(data, n, dim, normalize, opts.file);
  await tick(0);
  const classLabels = [...new Set(labels)].sort((a, b) => a - b);
  if (classLabels.length < 2) throw new LensError('class geometry needs at least two classes', opts.file);
  const slot = new Map<number, number>();
  classLabels.forEach((l, i) => slot.set(l, i));
  const c = classLabels.length;

  const sums = new Float64Array(c * dim);
  const counts = new Int32Array(c);
  for (let i = 0; i < n; i++) {
    if ((i & 0xffff) === 0xffff) await tick(0);
    const s = slot.get(labels[i])!;
    counts[s]++;
    for (let t = 0; t < dim; t++) sums[s * dim + t] += rows[i * dim + t];
  }
  const centroids = Array.from({ length: c }, (_, s) => Float32Array.from(sums.subarray(s * dim, (s + 1) * dim), (v) => v / counts[s]));
  const spread: number[][] = Array.from({ length: c }, () => []);
  for (let i = 0; i < n; i++) {
    if ((i & 0xffff) === 0xffff) await tick(0);
    const s = slot.get(labels[i])!;
    const cen = centroids[s];
    let d = 0;
    for (let t = 0; t < dim; t++) d += (rows[i * dim + t] - cen[t]) ** 2;
    spread[s].push(Math.sqrt(d));
  }

  const seed = opts.seed ?? 42;
  const sample =
    opts.exactLimit !== undefined && n > opts.exactLimit
      ? sampleQueries(labels, new Int32Array(n).fill(1), Math.max(2, opts.sampleItems ?? DEFAULT_SAMPLE_QUERIES), seed)
      : null;
  // The items whose nearest other-class item is needed: the sample's, or every item.
  const items = sample ? sample.picks : null;
  const nq = items ? items.length : n;
  const queryLabels = items ? Int32Array.from(items, (i) => labels[i]) : labels;
  const nn = await nearestNegatives(rows, n, dim, labels, items, opts);
  const minD = new Float64Array(c).fill(Infinity);
  const nearest = new Int32Array(c).fill(-1);
  for (let q = 0; q < nq; q++) {
    const s = slot.get(queryLabels[q])!;
    const j = nn.index[q];
    // Ties between classes go to the lower class label, so the answer does not depend on row order.
    if (j >= 0 && (nn.distance[q] < minD[s] || (nn.distance[q] === minD[s] && labels[j] < classLabels[nearest[s]]))) {
      minD[s] = nn.distance[q];
      nearest[s] = slot.get(labels[j])!;
    }
  }

  // The stage's last step: when the metrics' pass answered every item there was no scan, and this
  // is what says the stage ran (and lets a cancel land here).
  await tick(0);
  tick.report(n);

  let centroidDistances: Float64Array | null = null;
  if (c <= MAX_CENTROID_MATRIX) {
    centroidDistances = new Float64Array(c * c);
    for (let a = 0; a < c; a++) {
      for (let b = a + 1; b < c; b++) {
        let d = 0;
        for (let t = 0; t < dim; t++) d += (centroids[a][t] - centroids[b][t]) ** 2;
        centroidDistances[a * c + b] = centroidDistances[b * c + a] = Math.sqrt(d);
      }
    }
  }
  const classes = classLabels.map((label, s) => ({
    label,
    count: counts[s],
    centroid: centroids[s],
    meanDistance: spread[s].reduce((a, b) => a + b, 0) / counts[s],
    p90Radius: percentile(spread[s], 0.9),
    nearestClass: nearest[s] >= 0 ? classLabels[nearest[s]] : null,
    minDistance: nearest[s] >= 0 ? minD[s] : null,
  }));
  return { normalize, classes, centroidDistances, ...(sample ? { sampled: { items: nq, of: n, seed, design: sample.design } } : {}) };
}

/**
 * Each item's closest item of another class (index and distance), for `items` (null: all).
 * Items the metrics' ranking pass already answered (`known`: same rows, same preparation) are
 * taken from it: in leave-one-out that is every item, or the same seeded sample when both are
 * sampled and no class is a singleton. An exact kNN graph of the same rows already answers it for every item with another class among
 * its k neighbours: the row is in ascending distance, ties by index, so its first other-class
 * entry is what a scan would find. Only the other items are scanned against every row — none on
 * SOP-like data (classes of 2–12, k ≥ 14), where this saves a whole n² pass.
 */
async function nearestNegatives(
  rows: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  items: Int32Array | null,
  opts: { graph?: KnnGraph; known?: ItemNegatives; signal?: AbortSignal; onProgress?: ProgressFn; workers?: number },
): Promise<NearestNegativeResult> {
  const nq = items ? items.length : n;
  const index = new Int32Array(nq).fill(-1);
  const distance = new Float32Array(nq).fill(Infinity);
  // Where the metrics' pass already answered an item: its position in `known`, else -1.
  const knownAt = new Int32Array(opts.known ? n : 0).fill(-1);
  opts.known?.items.forEach((item, t) => (knownAt[item] = t));
  const g = opts.graph && !opts.graph.approximate && opts.graph.n === n ? opts.graph : null;
  const left: number[] = [];
  for (let q = 0; q < nq; q++) {
    const i = items ? items[q] : q;
    const t = opts.known ? knownAt[i] : -1;
    if (t >= 0) {
      index[q] = opts.known!.index[t];
      distance[q] = opts.known!.distance[t];
      continue;
    }
    if (g) {
      let s = 0;
      while (s < g.k && (g.indices[i * g.k + s] < 0 || labels[g.indices[i * g.k + s]] === labels[i])) s++;
      if (s < g.k) {
        index[q] = g.indices[i * g.k + s];
        distance[q] = g.distances[i * g.k + s];
        continue;
      }
    }
    left.push(q);
  }
  const rest = Int32Array.from(left);
  if (rest.length === 0) return { index, distance };
  // Every item scanned: the rows themselves are the queries; else the ones left, packed.
  const whole = rest.length === n && !items;
  const restItems = whole ? null : Int32Array.from(rest, (q) => (items ? items[q] : q));
  const scanned = (await runScan(
    {
      queries: restItems ? gatherRows(rows, restItems, dim) : rows,
      nQueries: rest.length,
      gallery: rows,
      nGallery: n,
      dim,
      selfIndex: null,
    },
    { kind: 'negnn', queryLabels: restItems ? Int32Array.from(restItems, (i) => labels[i]) : labels, galleryLabels: labels },
    { signal: opts.signal, onProgress: opts.onProgress, stage: 'Class geometry', workers: opts.workers },
  )) as NearestNegativeResult;
  rest.forEach((q, r) => {
    index[q] = scanned.index[r];
    distance[q] = scanned.distance[r];
  });
  return { index, distance };
}

/** Rows `picks` of an n×dim matrix, packed in order. */
function gatherRows(rows: Float32Array, picks: Int32Array, dim: number): Float32Array {
  const out = new Float32Array(picks.length * dim);
  picks.forEach((r, i) => out.set(rows.subarray(r * dim, (r + 1) * dim), i * dim));
  return out;
}

/** The assumptions line of a sampled geometry: what the nearest-class column was computed from. */
export function geometrySampleNote(s: NonNullable<GeometryReport['sampled']>, exactLimit: number): string {
  const f = (x: number) => x.toLocaleString('en-US');
  return `class geometry: nearest class and its distance D(c,c′) from ${f(s.items)} of ${f(s.of)} items (more than ${f(exactLimit)}; seed ${s.seed}, ${s.design === 'stratified' ? 'stratified by class' : 'systematic over classes'}), each scanned exactly against every item, so D is an upper bound on the true minimum and a class with no sampled item has none; centroids, spreads and radii use every item`;
}

export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
