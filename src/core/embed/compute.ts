import { LensError, throwIfAborted } from '../errors';
import type { LabelledEmbeddings, RunControl } from '../types';
import { detectCheckpointKind, isPrecomputedKind, loadPrecomputed, resolveCheckpointPath } from '../checkpoint';
import type { LoadCheckpointOptions } from '../checkpoint';
import { loadDataset, stratifiedIndices } from '../dataset';
import type { Dataset, DatasetOptions } from '../dataset';
import { cacheKey, checkpointHash, datasetFingerprint, lookupCache, usableCacheDir, writeCache } from './cache';
import { embedWorkerCount, nativeTfjsInstalled, runEmbedWorkers } from './parallel';
import type { EmbedTimings, ModelInfo } from './protocol';

export interface ComputeEmbeddingsOptions extends RunControl, LoadCheckpointOptions {
  /** Where cache entries live (extension: global storage; CLI: ~/.cache/embedding-lens). No cache when left out. */
  cacheDir?: string;
  /** Subsample and split of the dataset. */
  dataset?: Omit<DatasetOptions, 'signal'>;
  /** Images per inference batch (default 64). */
  batchSize?: number;
  /**
   * Embed workers, each with its own copy of the model (parallel.ts). Left out: one per core (at
   * most 8) for tfjs models on the wasm/cpu backends, else 1.
   */
  embedWorkers?: number;
}

export interface SkippedSummary {
  count: number;
  /** The first few skipped items with why (at most 20). */
  first: { path: string; reason: string }[];
}

export interface EmbeddingRun {
  embeddings: LabelledEmbeddings;
  skipped: SkippedSummary;
  /** The runtime that produced the vectors ("precomputed" for .npy/.tsv). */
  backend: string;
  /** What was assumed about the model or the data: it shapes the numbers. */
  assumptions: string[];
  /** Routine remarks (runtimes passed over, the cache's own state): same numbers either way. */
  details: string[];
  timings: Partial<Omit<EmbedTimings, 'totalMs'>> & { workerMs?: number; totalMs: number; datasetMs?: number; cacheMs?: number };
  fromCache: boolean;
  model?: Pick<ModelInfo, 'kind' | 'dim' | 'outputName' | 'output' | 'preprocess' | 'outputCandidates'>;
  dataset: { kind: Dataset['kind']; totalItems: number; notes: string[] };
}

const FIRST_SKIPPED = 20;

/**
 * (checkpoint, dataset) → N×D embeddings with labels and item paths. Image models run in a
 * worker thread (decode + inference off this event loop); precomputed embeddings take their
 * labels from the dataset (same order) or a labels file. Results are cached by checkpoint
 * content, dataset fingerprint and settings; an aborted or failed run writes no cache entry.
 */
export async function computeEmbeddings(
  checkpointPath: string,
  datasetPath: string | undefined,
  opts: ComputeEmbeddingsOptions = {},
): Promise<EmbeddingRun> {
  const t0 = performance.now();
  const { signal, onProgress } = opts;
  const file = resolveCheckpointPath(checkpointPath);
  const kind = await detectCheckpointKind(file);
  if (isPrecomputedKind(kind)) return precomputedRun(file, datasetPath, opts, t0);
  if (!datasetPath) throw new LensError('needs a dataset of images to embed; none was given', file);

  onProgress?.({ stage: 'dataset', done: 0, total: 1, message: 'scanning the dataset' });
  const dataset = await loadDataset(datasetPath, { ...opts.dataset, signal });
  if (dataset.kind === 'labels')
    throw new LensError(
      'is a labels file without images; a model checkpoint needs an image dataset (labels files go with .npy / tensor.tsv embeddings)',
      dataset.source,
    );
  const datasetMs = performance.now() - t0;
  throwIfAborted(signal);

  let key: string | undefined;
  // Checked before any work: an unusable cache folder means no cache, said once, not a failure at the end.
  const cacheNotes: string[] = [];
  const cache = opts.cacheDir ? await usableCacheDir(opts.cacheDir) : {};
  if (cache.note) cacheNotes.push(cache.note);
  const cacheDir = cache.dir;
  if (cacheDir) {
    const fingerprintTotal = dataset.items.length;
    onProgress?.({ stage: 'fingerprint', done: 0, total: fingerprintTotal, message: 'hashing checkpoint and dataset' });
    const [ck, ds] = await Promise.all([
      checkpointHash(file),
      datasetFingerprint(dataset.items, signal, (done) =>
        onProgress?.({ stage: 'fingerprint', done, total: fingerprintTotal, message: 'hashing dataset files' }),
      ),
    ]);
    key = cacheKey({ checkpoint: ck, dataset: ds, settings: { output: opts.output ?? null, config: opts.config ?? null } });
    const tc = performance.now();
    const { run: hit, damaged } = await lookupCache(cacheDir, key);
    if (damaged) cacheNotes.push(damaged);
    if (hit) {
      return {
        embeddings: hit.embeddings,
        skipped: hit.skipped,
        backend: hit.backend,
        assumptions: hit.assumptions,
        details: cacheNotes,
        fromCache: true,
        timings: { totalMs: performance.now() - t0, datasetMs, cacheMs: performance.now() - tc },
        model: hit.extra?.model as EmbeddingRun['model'],
        dataset: { kind: dataset.kind, totalItems: dataset.totalItems, notes: dataset.notes },
      };
    }
  }
  throwIfAborted(signal);

  const total = dataset.items.length;
  // Items/s and ETA count from the model being ready, not from the worker's start-up.
  let tStart = performance.now();
  const batchSize = opts.batchSize ?? 64;
  const workers =
    opts.embedWorkers ??
    embedWorkerCount({ kind, backend: opts.backend ?? 'auto', items: total, batchSize, nativeTfjs: nativeTfjsInstalled() });
  const r = await runEmbedWorkers(
    {
      checkpoint: file,
      load: { backend: opts.backend, output: opts.output, config: opts.config, threads: opts.threads, gpu: opts.gpu },
      items: dataset.items.map((it) => (it.idx ? { path: it.path, idx: it.idx } : { path: it.path })),
      batchSize,
    },
    workers,
    {
      signal,
      onModel: (info) => {
        tStart = performance.now();
        onProgress?.({ stage: 'embed', done: 0, total, message: `${info.kind} on ${info.backend}` });
      },
      onProgress: (done, skipped) => {
        const secs = (performance.now() - tStart) / 1000;
        const rate = done / Math.max(secs, 1e-3);
        onProgress?.({
          stage: 'embed',
          done,
          total,
          rate,
          etaSeconds: rate > 0 ? (total - done) / rate : undefined,
          message: skipped ? `${skipped} skipped` : undefined,
        });
      },
    },
  );
  const kept = r.ok.reduce((a, b) => a + b, 0);
  if (kept === 0) {
    const first = r.skipped[0];
    throw new LensError(
      `no image could be decoded (${r.skipped.length} skipped; first: ${first ? `${dataset.items[first.index].path}: ${first.reason}` : 'none'})`,
      dataset.source,
    );
  }
  const embeddings = compact(dataset, r.vectors, r.ok, r.info.dim);
  if (new Set(embeddings.labels).size < 2)
    throw new LensError('after skipping undecodable images only one class is left; expected at least two', dataset.source);
  const skipped: SkippedSummary = {
    count: r.skipped.length,
    first: r.skipped.slice(0, FIRST_SKIPPED).map((s) => ({ path: dataset.items[s.index].path, reason: s.reason })),
  };
  const assumptions = [...r.info.assumptions, ...dataset.notes];
  const model = {
    kind: r.info.kind,
    dim: r.info.dim,
    outputName: r.info.outputName,
    output: r.info.output,
    preprocess: r.info.preprocess,
    ...(r.info.outputCandidates ? { outputCandidates: r.info.outputCandidates } : {}),
  };
  if (cacheDir && key) {
    throwIfAborted(signal);
    try {
      await writeCache(cacheDir, key, { embeddings, backend: r.info.backend, assumptions, skipped, extra: { model } });
    } catch (err) {
      // The embeddings are good; an unwritable cache only costs the next run its shortcut.
      cacheNotes.push(`cache not written (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return {
    // The cache's own state is news about this run, not about the data.
    embeddings,
    skipped,
    backend: r.info.backend,
    assumptions,
    details: [...r.info.runtimeNotes, ...cacheNotes],
    fromCache: false,
    model,
    timings: { ...r.timings, workerMs: r.timings.totalMs, datasetMs, totalMs: performance.now() - t0 },
    dataset: { kind: dataset.kind, totalItems: dataset.totalItems, notes: dataset.notes },
  };
}

/** Drops the rows of skipped items, keeping labels, paths and splits aligned. */
function compact(dataset: Dataset, vectors: Float32Array, ok: Uint8Array, dim: number): LabelledEmbeddings {
  const n = ok.reduce((a, b) => a + b, 0);
  const out = n === ok.length ? vectors : new Float32Array(n * dim);
  const labels = new Int32Array(n);
  const paths: string[] = new Array(n);
  const hasSplit = dataset.items.some((it) => it.split !== undefined);
  const split: string[] | undefined = hasSplit ? new Array(n) : undefined;
  let r = 0;
  for (let i = 0; i < ok.length; i++) {
    if (!ok[i]) continue;
    if (out !== vectors) out.set(vectors.subarray(i * dim, (i + 1) * dim), r * dim);
    const it = dataset.items[i];
    labels[r] = it.label;
    paths[r] = it.path;
    if (split) split[r] = it.split ?? '';
    r++;
  }
  const e: LabelledEmbeddings = { vectors: out, n, dim, labels, classNames: dataset.classNames, paths };
  if (split) e.split = split;
  return e;
}

async function precomputedRun(
  file: string,
  datasetPath: string | undefined,
  opts: ComputeEmbeddingsOptions,
  t0: number,
): Promise<EmbeddingRun> {
  opts.onProgress?.({ stage: 'load', done: 0, total: 1, message: 'reading precomputed embeddings' });
  const pre = await loadPrecomputed(file);
  throwIfAborted(opts.signal);
  let labels: Int32Array;
  let classNames: string[];
  let paths: string[];
  let split: string[] | undefined;
  let kind: Dataset['kind'] = 'labels';
  const notes: string[] = [];
  if (datasetPath) {
    // No subsample here: the dataset must line up row for row with the matrix first.
    const ds = await loadDataset(datasetPath, { split: opts.dataset?.split, signal: opts.signal });
    if (ds.items.length !== pre.n) {
      const dropped = ds.notes.find((n) => /duplicate row/.test(n));
      throw new LensError(
        `has ${pre.n} embeddings but the dataset ${ds.source} has ${ds.items.length} items${dropped ? ` (${dropped})` : ''}; expected the same count in the same order`,
        file,
      );
    }
    labels = Int32Array.from(ds.items, (it) => it.label);
    classNames = ds.classNames;
    paths = ds.items.map((it) => it.path);
    if (ds.items.some((it) => it.split !== undefined)) split = ds.items.map((it) => it.split ?? '');
    kind = ds.kind;
    notes.push(...ds.notes, `labels from ${ds.source} (row i = item i)`);
  } else if (pre.labels) {
    ({ labels, classNames } = pre.labels);
    paths = Array.from({ length: pre.n }, (_, i) => `${file}#${i}`);
    notes.push(`labels from ${pre.labels.file}`);
  } else {
    throw new LensError(
      'holds embeddings without labels; choose the dataset they were computed from (same order) or a labels file (.npy / .json / one label per line)',
      file,
    );
  }
  if (new Set(labels).size < 2) throw new LensError('the labels hold a single class; expected at least two classes', file);
  let rows: number[] | undefined;
  const sub = opts.dataset;
  if ((sub?.maxPerClass ?? 0) > 0 || (sub?.maxTotal ?? 0) > 0) {
    rows = stratifiedIndices(labels, { maxPerClass: sub?.maxPerClass, maxTotal: sub?.maxTotal, seed: sub?.seed });
    notes.push(`stratified subsample: ${rows.length} of ${pre.n} rows (seed ${sub?.seed ?? 0})`);
  }
  const pick = <T>(xs: T[]) => (rows ? rows.map((i) => xs[i]) : xs);
  const n = rows ? rows.length : pre.n;
  let vectors = pre.vectors;
  if (rows) {
    vectors = new Float32Array(n * pre.dim);
    rows.forEach((i, r) => vectors.set(pre.vectors.subarray(i * pre.dim, (i + 1) * pre.dim), r * pre.dim));
  }
  const embeddings: LabelledEmbeddings = {
    vectors,
    n,
    dim: pre.dim,
    labels: rows ? Int32Array.from(rows, (i) => labels[i]) : labels,
    classNames,
    paths: pick(paths),
  };
  if (split) embeddings.split = pick(split);
  return {
    embeddings,
    skipped: { count: 0, first: [] },
    backend: 'precomputed',
    assumptions: notes,
    details: [],
    fromCache: false,
    timings: { totalMs: performance.now() - t0 },
    dataset: { kind, totalItems: pre.n, notes },
  };
}
