import { availableParallelism } from 'node:os';
import { LensError } from './errors';

/**
 * Upper bounds on the counts a user can ask for — CLI flags and VS Code settings alike (VS Code
 * only warns about a setting past its schema's maximum, so the core enforces them). Each is far
 * above any useful value and far below what would run for hours or exhaust memory: `--epochs 1e9`
 * or `eet --batches 1e9` would otherwise run "for ever", `--k 1e9` allocate n×10⁹ neighbours.
 */
export interface CountCap {
  max: number;
  /** What the count is, for messages: "UMAP epochs". */
  what: string;
  /** Why the cap is where it is, for messages and usage texts. */
  why: string;
}

export const CAPS = {
  batchSize: { max: 4096, what: 'images per inference batch', why: 'larger batches only cost memory' },
  neighborsK: { max: 1000, what: 'neighbours kept per item', why: 'the Neighbours view shows a few dozen' },
  recallK: { max: 100_000, what: 'Recall@K', why: 'K past the largest class measures nothing new' },
  umapNeighbors: { max: 1000, what: 'UMAP n_neighbors', why: 'umap-learn uses 2…200; the kNN graph grows with it' },
  umapEpochs: { max: 10_000, what: 'UMAP epochs', why: 'umap-learn uses 200…500; the map has long converged' },
  inputSide: {
    max: 4096,
    what: 'pixels of input height or width',
    why: 'one 4096×4096 RGB input is 192 MiB of floats before the first layer',
  },
  eetBatches: { max: 100_000, what: 'EET breakdown batches', why: 'the means settle after a few hundred' },
  trainEpochs: { max: 10_000, what: 'fine-tune epochs', why: 'a quick EET fine-tune converges in tens; the best epoch is kept' },
} satisfies Record<string, CountCap>;

export type CapName = keyof typeof CAPS;

/** "at most 10000 (UMAP epochs: umap-learn uses 200…500; …)" when over the cap, else undefined. */
export function capProblem(name: CapName, value: number): string | undefined {
  const c = CAPS[name];
  return value > c.max ? `${c.what} ${value} is more than ${c.max}, the most accepted (${c.why})` : undefined;
}

/** Throws a LensError when over the cap; `where` names the setting or file. */
export function enforceCap(name: CapName, value: number, where?: string): void {
  const p = capProblem(name, value);
  if (p) throw new LensError(p, where);
}

/** Cores this process may use: more threads than this only add memory and contention. */
export function maxThreads(): number {
  return Math.max(1, availableParallelism());
}

/**
 * A thread count clamped to the cores, with a note saying so (`--threads 1000` once started 1000
 * workers and 6 GB). Reproducibility depends on the thread count, so the note names the one used.
 */
export function clampThreads(requested: number): { threads: number; note?: string } {
  const cores = maxThreads();
  if (requested <= cores) return { threads: requested };
  return { threads: cores, note: `${requested} threads requested but this machine has ${cores} cores; using ${cores}` };
}

/** The capped counts of an inspection's settings (VS Code settings or inspect/compare flags). */
export function checkInspectionCaps(
  s: { batchSize: number; neighborsK: number; recallAtK: number[]; umap: { nNeighbors: number; epochs: number }; eet: { batches: number } },
  where = 'embeddingLens settings',
): void {
  const problem =
    capProblem('batchSize', s.batchSize) ??
    capProblem('neighborsK', s.neighborsK) ??
    s.recallAtK.map((k) => capProblem('recallK', k)).find((p) => p) ??
    capProblem('umapNeighbors', s.umap.nNeighbors) ??
    capProblem('umapEpochs', s.umap.epochs) ??
    capProblem('eetBatches', s.eet.batches);
  if (problem) throw new LensError(problem, where);
}
