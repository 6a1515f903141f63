/**
 * runUmap: UMAP from the kNN graph the retrieval engine already computed, off the caller's event
 * loop in a worker thread (plus helper threads when `threads` > 1), streaming intermediate
 * layouts, cancellable, and reproducible for a given seed and thread count.
 */
import { availableParallelism } from 'node:os';
import { LensError, throwIfAborted } from '../errors';
import { capProblem, maxThreads } from '../limits';
import type { RunControl } from '../types';
import { invokeWorker } from '../util/workerCall';
import type { handleUmap } from '../workers/umap';
import { findAbParams } from './abParams';
import { checkKnnGraph, defaultEpochs, type KnnGraph } from './fuzzy';
import { CTRL, defaultOptimizer, type SgdOptimizer, type UmapJob } from './umapJob';
import { sgdKernelModule } from './sgdKernel';

export interface UmapOptions extends RunControl {
  /** Only 2-D layouts are produced. */
  nComponents?: 2;
  /** umap-learn default 0.1. */
  minDist?: number;
  /** umap-learn default 1. */
  spread?: number;
  /** Default: 500 for ≤ 10,000 points, else 200 (umap-learn's rule). */
  nEpochs?: number;
  /** Default 42. */
  seed?: number;
  /** n×2 starting layout, e.g. pca2d(); absent → uniform random. */
  init?: Float32Array;
  /**
   * Continue a stopped run from a layout it streamed (onLayout's `xy` after `epoch` epochs): with
   * the same graph and options (seed, threads, optimizer, epochs) the result is the layout the
   * uninterrupted run gives, bit for bit. `init` is not used then.
   */
  resume?: { xy: Float32Array; epoch: number };
  /** Receives a copy of the layout every `layoutEvery` epochs (not the final one: that is the result). */
  onLayout?: (xy: Float32Array, epoch: number, nEpochs: number) => void;
  /** Default 5. */
  layoutEvery?: number;
  /** Optimising threads; the layout is deterministic for a given seed AND thread count. Default defaultUmapThreads(). */
  threads?: number;
  /**
   * How to read the graph's distances. 'euclidean' (default, umap-learn's): as given. 'cosine':
   * the graph was built on L2-normalised vectors (knnGraph's normalize), so d = √(2 − 2cos) and
   * UMAP gets umap-learn's cosine distance 1 − cos = d²/2.
   */
  metric?: 'euclidean' | 'cosine';
  /**
   * The epoch kernel: 'wasm-simd' (default where the runtime has WebAssembly SIMD and the run
   * fits 4 GiB) or 'js', its reference in plain JavaScript — same algorithm, float64 arithmetic,
   * several times slower.
   */
  optimizer?: SgdOptimizer;
  /** umap-learn defaults: 5, 1, 1. */
  negativeSampleRate?: number;
  repulsionStrength?: number;
  learningRate?: number;
}

/** Default thread count: all cores, at most 4 (beyond that the epoch barriers cost more than they gain). */
export function defaultUmapThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The parameters that determine a layout, with defaults filled in (also the layout-cache key). */
export interface UmapParams {
  nNeighbors: number;
  metric: 'euclidean' | 'cosine';
  minDist: number;
  spread: number;
  nEpochs: number;
  seed: number;
  threads: number;
  negativeSampleRate: number;
  repulsionStrength: number;
  learningRate: number;
  optimizer: SgdOptimizer;
}

export function resolveUmapParams(graph: Pick<KnnGraph, 'n' | 'k'>, opts: UmapOptions = {}): UmapParams {
  const p: UmapParams = {
    nNeighbors: graph.k + 1,
    metric: opts.metric ?? 'euclidean',
    minDist: opts.minDist ?? 0.1,
    spread: opts.spread ?? 1,
    nEpochs: opts.nEpochs ?? defaultEpochs(graph.n),
    seed: opts.seed ?? 42,
    // More threads than cores only cost memory (each holds n×2 copies and a worker): clamp, and projectEmbeddings says so.
    threads: Math.min(opts.threads ?? defaultUmapThreads(), maxThreads()),
    negativeSampleRate: opts.negativeSampleRate ?? 5,
    repulsionStrength: opts.repulsionStrength ?? 1,
    learningRate: opts.learningRate ?? 1,
    optimizer: opts.optimizer ?? defaultOptimizer(graph.n, graph.k, Math.min(opts.threads ?? defaultUmapThreads(), maxThreads())),
  };
  const bad = (what: string): never => {
    throw new LensError(`UMAP option ${what}`);
  };
  if (p.metric !== 'euclidean' && p.metric !== 'cosine') bad(`metric must be 'euclidean' or 'cosine', got ${String(p.metric)}`);
  if (opts.nComponents !== undefined && opts.nComponents !== 2) bad(`nComponents must be 2, got ${opts.nComponents}`);
  if (!(p.minDist >= 0) || !Number.isFinite(p.minDist)) bad(`min_dist must be ≥ 0, got ${p.minDist}`);
  if (!(p.spread > 0) || !Number.isFinite(p.spread)) bad(`spread must be > 0, got ${p.spread}`);
  if (p.minDist > p.spread) bad(`min_dist (${p.minDist}) must not exceed spread (${p.spread})`);
  if (!Number.isInteger(p.nEpochs) || p.nEpochs < 1) bad(`epochs must be a positive integer, got ${p.nEpochs}`);
  const epochsProblem = capProblem('umapEpochs', p.nEpochs);
  if (epochsProblem) bad(epochsProblem);
  if (!Number.isInteger(p.seed)) bad(`seed must be an integer, got ${p.seed}`);
  if (!Number.isInteger(p.threads) || p.threads < 1) bad(`threads must be a positive integer, got ${p.threads}`);
  if (!(p.negativeSampleRate > 0)) bad(`negativeSampleRate must be > 0, got ${p.negativeSampleRate}`);
  if (!(p.repulsionStrength >= 0)) bad(`repulsionStrength must be ≥ 0, got ${p.repulsionStrength}`);
  if (!(p.learningRate > 0)) bad(`learningRate must be > 0, got ${p.learningRate}`);
  if (p.optimizer !== 'wasm-simd' && p.optimizer !== 'js') bad(`optimizer must be 'wasm-simd' or 'js', got ${String(p.optimizer)}`);
  if (p.optimizer === 'wasm-simd' && !sgdKernelModule())
    bad(`'wasm-simd' needs WebAssembly SIMD and shared memory, which this runtime lacks; use 'js'`);
  return p;
}

function checkInit(init: Float32Array, n: number): void {
  if (init.length !== n * 2) throw new LensError(`UMAP init layout has ${init.length} values, expected ${n}×2`);
  for (let i = 0; i < init.length; i++) {
    if (!Number.isFinite(init[i])) throw new LensError(`UMAP init layout row ${i >> 1} is not finite (${init[i]})`);
  }
}

function checkResume(resume: { xy: Float32Array; epoch: number }, n: number, nEpochs: number): void {
  if (!Number.isInteger(resume.epoch) || resume.epoch < 0 || resume.epoch > nEpochs) {
    throw new LensError(`UMAP resume epoch must be an integer in [0, ${nEpochs}], got ${resume.epoch}`);
  }
  checkInit(resume.xy, n);
}

/** The n×2 UMAP layout of the graph's points. Rejects with CancelledError when `signal` fires. */
export async function runUmap(graph: KnnGraph, opts: UmapOptions = {}): Promise<Float32Array> {
  throwIfAborted(opts.signal);
  checkKnnGraph(graph);
  const p = resolveUmapParams(graph, opts);
  if (opts.init) checkInit(opts.init, graph.n);
  if (opts.resume) checkResume(opts.resume, graph.n, p.nEpochs);
  const n = graph.n;
  // Nothing to optimise: one point sits at the origin, none is an empty layout.
  if (n <= 1) return new Float32Array(n * 2);
  const { a, b } = findAbParams(p.spread, p.minDist);
  const layoutEvery = Math.max(0, Math.floor(opts.layoutEvery ?? 5));
  const job: UmapJob = {
    graph: {
      n,
      k: graph.k,
      indices: graph.indices,
      distances: p.metric === 'cosine' ? graph.distances.map((d) => (d * d) / 2) : graph.distances,
    },
    a,
    b,
    nEpochs: p.nEpochs,
    seed: p.seed,
    init: opts.init,
    resume: opts.resume,
    threads: p.threads,
    negativeSampleRate: p.negativeSampleRate,
    repulsionStrength: p.repulsionStrength,
    learningRate: p.learningRate,
    layoutEvery: layoutEvery || 5,
    sendLayouts: !!opts.onLayout && layoutEvery > 0,
    optimizer: p.optimizer,
  };
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.SIZE * 4));

  // The optimising threads are busy in synchronous code: they see a cancel through the control
  // block's abort flag; the worker, pure JavaScript and WebAssembly, is then terminated at once.
  const abort = () => Atomics.store(ctrl, CTRL.ABORT_REQ, 1);
  opts.signal?.addEventListener('abort', abort, { once: true });
  try {
    return await invokeWorker<typeof handleUmap>(
      'umap',
      { job, ctrl },
      {
        signal: opts.signal,
        graceMs: 0,
        onProgress: (frame) => {
          if (frame.type === 'progress') opts.onProgress?.(frame.p);
          else opts.onLayout?.(frame.xy, frame.epoch, frame.nEpochs);
        },
      },
    );
  } catch (err) {
    abort();
    throw err;
  } finally {
    opts.signal?.removeEventListener('abort', abort);
  }
}
