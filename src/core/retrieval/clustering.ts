import { LensError } from '../errors';
import type { Progress, ProgressFn } from '../types';
import { checkLabels, prepareEmbeddings } from './prepare';
import { mulberry32 } from '../util/random';
import { clusterAgreement, type ClusterAgreement } from './agreement';
import { kmeans, sharedCopy } from './kmeans';

/**
 * NMI and AMI of SPEC §2: seeded k-means (k = number of classes; see kmeans.ts for the seeding
 * and iteration cap that keep it fast at any k) on the embeddings, scored against the labels with
 * scikit-learn's formulas (agreement.ts: arithmetic-mean normaliser, exact expected mutual
 * information). Inputs where the numbers mislead — most classes singletons, one class holding most
 * items, fewer distinct embeddings than classes, a capped run — come back with a note saying so.
 */

export { clusterAgreement, type ClusterAgreement } from './agreement';
export { kmeans, type KMeansResult, type KMeansOptions } from './kmeans';

/** The engine's seeded generator (util/random), under this module's name. */
export const seededRandom = mulberry32;

export const CLUSTERING_STAGE = 'NMI/AMI (k-means)';

/** Notes travel on their own (the panel's assumptions, the CLI's stderr): say which numbers they are about. */
const said = (note: string) => `NMI/AMI: ${note}`;

export interface ClusteringScores extends ClusterAgreement {
  k: number;
  seed: number;
  iterations: number;
  /** Iteration cap of this run (fewer for large n·k·d, see kmeans.ts). */
  maxIterations: number;
  converged: boolean;
  inertia: number;
  /** Plain-language caveats about this input (empty when none apply). */
  notes: string[];
}

/** k-means with k = number of classes on the (normalised) embeddings, scored against the labels. */
export async function clusteringScores(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: { normalize?: boolean; seed?: number; file?: string; signal?: AbortSignal; onProgress?: ProgressFn; workers?: number } = {},
): Promise<ClusteringScores> {
  checkLabels(labels, n, opts.file);
  // Normalised rows go straight to shared memory and the private copy is dropped: at 10⁶ × 128
  // that is 512 MB not held twice.
  let prepared: Float32Array | null = prepareEmbeddings(data, n, dim, opts.normalize ?? true, opts.file);
  const rows = sharedCopy(prepared);
  // eslint-disable-next-line no-useless-assignment -- drops the last reference so the copy can be collected
  prepared = null;
  const sizes = new Map<number, number>();
  for (let i = 0; i < n; i++) sizes.set(labels[i], (sizes.get(labels[i]) ?? 0) + 1);
  const k = sizes.size;
  if (k < 2) throw new LensError('NMI/AMI need at least two classes', opts.file);
  const seed = opts.seed ?? 0;
  const notes: string[] = [];
  const fmt = (x: number) => x.toLocaleString('en-US');
  if (k === n) {
    // Any partition into n clusters is every item alone: the scores are 1 by definition and say nothing.
    notes.push(
      `every one of the ${fmt(n)} items is its own class: NMI and AMI are 1 by definition and say nothing about the embeddings (k-means skipped)`,
    );
    return { nmi: 1, ami: 1, k, seed, iterations: 0, maxIterations: 0, converged: true, inertia: 0, notes: notes.map(said) };
  }
  if (k > n / 2) {
    const singletons = [...sizes.values()].filter((s) => s === 1).length;
    notes.push(
      `${fmt(k)} classes for ${fmt(n)} items (${fmt(singletons)} with a single item): with clusters this small NMI is inflated towards 1 by chance; AMI corrects for that — read AMI`,
    );
  }
  let largest = 0;
  for (const s of sizes.values()) largest = Math.max(largest, s);
  if (largest > n / 2) {
    notes.push(
      `one class holds ${((100 * largest) / n).toFixed(1)}% of the items: NMI/AMI mostly measure how k-means splits that class, not how the other ${fmt(k - 1)} separate`,
    );
  }
  let last: Progress | undefined;
  const onProgress = opts.onProgress && ((p: Progress) => opts.onProgress!((last = p)));
  const km = await kmeans(rows, n, dim, k, { seed, signal: opts.signal, onProgress, stage: CLUSTERING_STAGE, workers: opts.workers });
  if (km.distinctPoints < k) {
    notes.push(
      km.distinctPoints === 1
        ? `all ${fmt(n)} embeddings are identical${(opts.normalize ?? true) ? ' (after L2 normalisation)' : ''}: k-means cannot separate anything, so NMI/AMI are 0`
        : `only ${fmt(km.distinctPoints)} distinct embeddings for ${fmt(k)} classes: k-means cannot form more clusters than that, which caps NMI/AMI`,
    );
  }
  if (!km.converged && km.maxIterations < 100) {
    notes.push(
      `k-means stopped after ${km.iterations} iterations, the cap for ${fmt(n)} × ${fmt(k)} centres × ${dim} dimensions, before converging; NMI/AMI are those of that clustering`,
    );
  }
  const agreement = clusterAgreement(labels, km.assignment);
  // Scoring 10⁶ items takes a few tenths of a second: the stage ends when it does.
  if (last) opts.onProgress!({ ...last, message: 'done' });
  return {
    ...agreement,
    k,
    seed,
    iterations: km.iterations,
    maxIterations: km.maxIterations,
    converged: km.converged,
    inertia: km.inertia,
    notes: notes.map(said),
  };
}
