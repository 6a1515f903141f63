import type { ProgressFn } from '../types';
import { LensError } from '../errors';
import { checkLabels, prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import { ticker } from '../util/ticker';
import type { NearestNegativeResult } from './scan';

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
}

/** Beyond this many classes (e.g. SOP's 11k) the C×C matrix would dwarf everything else. */
export const MAX_CENTROID_MATRIX = 2048;

export async function classGeometry(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: { normalize?: boolean; file?: string; signal?: AbortSignal; onProgress?: ProgressFn; workers?: number } = {},
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

  const nn = (await runScan(
    { queries: rows, nQueries: n, gallery: rows, nGallery: n, dim, selfIndex: null },
    { kind: 'negnn', queryLabels: labels, galleryLabels: labels },
    { signal: opts.signal, onProgress: opts.onProgress, stage: 'Class geometry', workers: opts.workers },
  )) as NearestNegativeResult;
  const minD = new Float64Array(c).fill(Infinity);
  const nearest = new Int32Array(c).fill(-1);
  for (let i = 0; i < n; i++) {
    const s = slot.get(labels[i])!;
    const j = nn.index[i];
    // Ties between classes go to the lower class label, so the answer does not depend on row order.
    if (j >= 0 && (nn.distance[i] < minD[s] || (nn.distance[i] === minD[s] && labels[j] < classLabels[nearest[s]]))) {
      minD[s] = nn.distance[i];
      nearest[s] = slot.get(labels[j])!;
    }
  }

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
  return { normalize, classes, centroidDistances };
}

export function percentile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = q * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
