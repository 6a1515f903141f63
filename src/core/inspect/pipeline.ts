/**
 * One inspection, stage by stage: embed → PCA preview → kNN + metrics + class geometry → EET
 * breakdown → UMAP. Each stage hands the panel (or the report writer) a patch as soon as it is done,
 * so the panel fills in progressively; cancelling stops at the next stage boundary (or inside a
 * stage that honours the signal) and keeps everything already delivered.
 */
import { createHash } from 'node:crypto';
import type { InspectionData, InspectionPatch, StageTiming } from '../model';
import { computeEmbeddings, type EmbeddingRun } from '../embed';
import type { OutputChoice } from '../checkpoint/config';
import { isCancelled, LensError, throwIfAborted } from '../errors';
import { checkInspectionCaps } from '../limits';
import { pca2dAsync } from '../projection/pca';
import { putCachedLayout, putPartialLayout, readLayoutEntry, readPartialLayout } from '../projection/layoutCache';
import { runUmap, resolveUmapParams } from '../projection/umap';
import { truncateGraph } from '../projection/project';
import { knnGraph, type KnnGraph } from '../retrieval/knn';
import { holdPreparedRows } from '../retrieval/prepare';
import type { LabelledEmbeddings, Progress, RunControl } from '../types';
import type { InspectionSettings } from './settings';
import { itemsPatch, embedPatchExtras } from './toProtocol';
import { metricsStage } from './metricsStage';
import { eetStage } from './eetStage';
import { lookupCachedResult, resultKey, writeCachedResult } from './resultCache';
import { usableCacheDir } from '../embed/cache';
import { displayName } from '../util/displayName';

export type StageName = 'embed' | 'pca' | 'metrics' | 'eet' | 'umap';

export interface InspectionSink {
  /** A stage finished: merge `patch` into what the panel shows. */
  patch?(stage: StageName, patch: InspectionPatch): void;
  /** An intermediate UMAP layout (the PCA → UMAP animation). */
  frame?(coords: Float32Array, epoch: number, epochs: number): void;
  progress?(p: Progress): void;
}

export interface InspectionInput {
  checkpoint: string;
  /** Image dataset, manifest, or labels file (for precomputed embeddings). */
  dataset?: string;
  settings: InspectionSettings;
  /** Embeddings and layouts are cached here when given. */
  cacheDir?: string;
  /**
   * What to do with a cancelled UMAP found in the cache: 'resume' it (default; the result is the
   * uninterrupted run's) or 'show' it as it was left, partial, with Resume offered (a panel
   * restored after a reload shows what the user left).
   */
  stoppedUmap?: 'resume' | 'show';
  /** The embedding output, overriding embedding-lens.json (the user's pick among equally plausible outputs). */
  output?: OutputChoice;
  /**
   * Narrows the embedded items before any analysis (a comparison's held-out classes). The
   * embedding cache still holds every item, so scoring the other items later embeds nothing.
   */
  select?: (e: LabelledEmbeddings) => LabelledEmbeddings;
}

export interface InspectionRun {
  data: InspectionData;
  embeddings?: LabelledEmbeddings;
  graph?: KnnGraph;
  embedding?: EmbeddingRun;
  cancelled: boolean;
}

/** Content hash of the vectors + labels: the layout-cache key, valid for .npy inputs as well as models. */
export function embeddingsKey(e: LabelledEmbeddings): string {
  const h = createHash('sha256');
  h.update(`${e.n}x${e.dim}`);
  h.update(new Uint8Array(e.vectors.buffer, e.vectors.byteOffset, e.vectors.byteLength));
  h.update(new Uint8Array(e.labels.buffer, e.labels.byteOffset, e.labels.byteLength));
  return h.digest('hex').slice(0, 32);
}

export async function runInspection(input: InspectionInput, sink: InspectionSink, control: RunControl = {}): Promise<InspectionRun> {
  const { settings } = input;
  const { signal } = control;
  checkInspectionCaps(settings);
  const report = (p: Progress) => {
    sink.progress?.(p);
    control.onProgress?.(p);
  };
  const timings: StageTiming[] = [];
  const data: InspectionData = {
    title: titleFor(input),
    source: { checkpoint: input.checkpoint, dataset: input.dataset ?? '' },
    distance: settings.distance,
    timings,
  };
  const run: InspectionRun = { data, cancelled: false };
  const deliver = (stage: StageName, patch: InspectionPatch, ms: number) => {
    timings.push({ stage, ms: Math.round(ms) });
    // Patches merge shallowly in the panel, so lists that grow across stages are sent whole.
    const full: InspectionPatch = { ...patch, timings: [...timings] };
    if (patch.notes) full.notes = [...(data.notes ?? []), ...patch.notes];
    if (patch.details) full.details = [...(data.details ?? []), ...patch.details];
    if (patch.layout) full.layout = { ...data.layout, ...patch.layout };
    Object.assign(data, full);
    sink.patch?.(stage, full);
  };
  const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
    const t0 = performance.now();
    const v = await fn();
    return [v, performance.now() - t0];
  };

  try {
    // 0. The cache folder is checked before any work: a read-only folder or a path naming a file
    //    means this run goes without a cache (and says so), not a stack trace at the very end.
    const cacheCheck = input.cacheDir ? await usableCacheDir(input.cacheDir) : {};
    const cacheDir = cacheCheck.dir;
    const cacheNotes: string[] = cacheCheck.note ? [cacheCheck.note] : [];
    if (cacheCheck.note) report({ stage: 'cache', done: 1, total: 1, message: cacheCheck.note });
    input = { ...input, cacheDir };

    // 1. Embeddings (decode + inference in a worker, or a precomputed file; cached).
    const [embedding, embedMs] = await timed(() =>
      computeEmbeddings(input.checkpoint, input.dataset, {
        backend: settings.backend,
        gpu: settings.gpu,
        ...(input.output ? { output: input.output } : {}),
        batchSize: settings.batchSize,
        cacheDir,
        dataset: { maxTotal: settings.maxItems || undefined, maxPerClass: settings.maxPerClass || undefined, seed: settings.umap.seed },
        signal,
        onProgress: report,
      }),
    );
    run.embedding = embedding;
    const e = input.select ? input.select(embedding.embeddings) : embedding.embeddings;
    run.embeddings = e;
    if (e.n < 2)
      throw new LensError(`only ${e.n} item(s) could be embedded; an inspection needs at least 2`, input.dataset ?? input.checkpoint);
    assertSomeClassHasPairs(e, embedding.skipped.count, input.dataset ?? input.checkpoint);
    const extras = embedPatchExtras(embedding);
    deliver(
      'embed',
      { items: itemsPatch(e), ...extras, ...(cacheCheck.note ? { details: [...(extras.details ?? []), cacheCheck.note] } : {}) },
      embedMs,
    );
    throwIfAborted(signal);

    // Same embeddings, same settings: the rest of the inspection comes from the cache.
    // Hashing the vectors and parsing a cached result are each seconds at 10^6 items: said, not silent.
    if (cacheDir) report({ stage: 'Inspection cache', done: 0, total: 1 });
    const resultCacheKey = cacheDir ? resultKey(embeddingsKey(e), settings) : undefined;
    const lookup = resultCacheKey ? await lookupCachedResult(cacheDir!, resultCacheKey) : {};
    if (cacheDir) report({ stage: 'Inspection cache', done: 1, total: 1 });
    throwIfAborted(signal);
    const cached = lookup.patch;
    if (lookup.damaged) cacheNotes.push(lookup.damaged);
    if (cached) {
      const t0 = performance.now();
      // Stage by stage as a fresh run would, so a cancel between stages behaves the same.
      deliver('pca', { layout: { pca: cached.layout!.pca } }, 0);
      throwIfAborted(signal);
      const { k, indices, distances } = cached.neighbours!;
      run.graph = { n: e.n, k, indices, distances };
      deliver(
        'metrics',
        {
          metrics: cached.metrics,
          classes: cached.classes,
          neighbours: cached.neighbours,
          details: ['metrics, EET breakdown and map loaded from the cache'],
        },
        0,
      );
      throwIfAborted(signal);
      deliver('eet', { eet: cached.eet }, 0);
      throwIfAborted(signal);
      deliver('umap', { layout: { umap: cached.layout!.umap } }, performance.now() - t0);
      return run;
    }

    // 2. PCA preview: instant, so the map shows something while the rest runs.
    // The async variant yields to the event loop: the extension host must not stall on 100k rows.
    const [pca, pcaMs] = await timed(() => pca2dAsync(e.vectors, e.n, e.dim, signal, report));
    deliver('pca', { layout: { pca } }, pcaMs);
    throwIfAborted(signal);

    // 3. One kNN graph serves the neighbours view and UMAP (never a second kNN pass); then metrics.
    const normalize = settings.distance === 'cosine';
    const graphK = Math.min(e.n - 1, Math.max(settings.neighborsK, settings.umap.nNeighbors - 1));
    // The rows are checked and normalised once, into shared memory: the kNN graph, metrics, k-means
    // and geometry (and their workers) all read that one array, never a copy of their own.
    const held = holdPreparedRows(e.vectors, e.n, e.dim, normalize);
    const [metrics, metricsMs] = await timed(async () => {
      // Above the metrics' exact limit the graph comes from the approximate index (said in the notes).
      const graph = await knnGraph(e.vectors, e.n, e.dim, graphK, {
        normalize,
        exactLimit: settings.metrics?.exactLimit,
        signal,
        onProgress: report,
      });
      run.graph = graph;
      return metricsStage(e, graph, settings, { signal, onProgress: report });
    }).finally(() => held.release());
    deliver('metrics', metrics.patch, metricsMs);
    throwIfAborted(signal);

    // 4. EET breakdown over seeded P×K batches.
    const [eet, eetMs] = await timed(() => eetStage(e, settings, { geometry: metrics.geometry, signal, onProgress: report }));
    deliver('eet', eet, eetMs);
    throwIfAborted(signal);

    // 5. UMAP from the same graph, animated from the PCA layout; cached by content + parameters.
    //    A cancel mid-UMAP keeps its last layout, marked partial (and cached, to be resumed).
    const graph = run.graph!;
    const [umap, umapMs] = await timed(() => umapStage(e, graph, pca, input, sink, { signal, onProgress: report }, cacheNotes));
    // What happened to the cache (a damaged entry dropped, a layout not stored) rides on the last patch.
    const late = cacheNotes.filter((n) => n !== cacheCheck.note);
    deliver('umap', { layout: { umap: umap.xy, umapPartial: umap.partial }, ...(late.length ? { details: late } : {}) }, umapMs);
    if (umap.partial) {
      run.cancelled = signal?.aborted ?? false;
      return run;
    }
    if (resultCacheKey) {
      try {
        await writeCachedResult(cacheDir!, resultCacheKey, data);
      } catch (err) {
        // The inspection is complete and correct; a cache that cannot take it only costs the next run.
        data.details = [...(data.details ?? []), `inspection not cached (${(err as Error).message.split('\n')[0]})`];
      }
    }
  } catch (err) {
    if (!isCancelled(err)) throw err;
    run.cancelled = true;
  }
  return run;
}

/**
 * Continues the stopped UMAP of a run (its data.layout.umapPartial) where it stopped, delivering
 * the 'umap' stage again: finished, it is the layout the uninterrupted run gives (and is cached
 * as such, with the whole inspection); cancelled again, the newer partial layout.
 */
export async function resumeUmap(
  run: InspectionRun,
  input: InspectionInput,
  sink: InspectionSink,
  control: RunControl = {},
): Promise<InspectionRun> {
  const { data, embeddings: e, graph } = run;
  const partial = data.layout?.umapPartial;
  const pca = data.layout?.pca;
  const from = data.layout?.umap;
  if (!partial || !e || !graph || !pca || !from) throw new LensError('there is no stopped UMAP layout to resume in this inspection');
  const notes: string[] = [];
  const t0 = performance.now();
  const cacheDir = input.cacheDir ? (await usableCacheDir(input.cacheDir)).dir : undefined;
  input = { ...input, cacheDir };
  const umap = await umapStage(e, graph, pca, input, sink, control, notes, { xy: from, epoch: partial.epoch });
  const ms = performance.now() - t0;
  // One 'umap' timing: the time of the stopped run and of its continuation together.
  const timings = (data.timings ?? []).map((t) => (t.stage === 'umap' ? { ...t, ms: Math.round(t.ms + ms) } : t));
  const patch: InspectionPatch = {
    layout: { ...data.layout, umap: umap.xy, umapPartial: umap.partial },
    timings,
    ...(notes.length ? { details: [...(data.details ?? []), ...notes] } : {}),
  };
  Object.assign(data, patch);
  sink.patch?.('umap', patch);
  run.cancelled = !!umap.partial && (control.signal?.aborted ?? false);
  if (!umap.partial && cacheDir) {
    try {
      await writeCachedResult(cacheDir, resultKey(embeddingsKey(e), input.settings), data);
    } catch (err) {
      data.details = [...(data.details ?? []), `inspection not cached (${(err as Error).message.split('\n')[0]})`];
    }
  }
  return run;
}

interface UmapOutcome {
  xy: Float32Array;
  /** Set when the layout is a stopped run's (cancelled, or found so in the cache and shown as left). */
  partial?: { epoch: number; epochs: number };
}

async function umapStage(
  e: LabelledEmbeddings,
  graph: KnnGraph,
  pca: Float32Array,
  input: InspectionInput,
  sink: InspectionSink,
  control: RunControl,
  notes: string[],
  from?: { xy: Float32Array; epoch: number },
): Promise<UmapOutcome> {
  const u = input.settings.umap;
  const nNeighbors = Math.min(u.nNeighbors, e.n);
  const umapGraph = truncateGraph(graph, Math.max(1, nNeighbors - 1));
  const metric = input.settings.distance === 'cosine' ? 'cosine' : 'euclidean';
  const opts = {
    minDist: u.minDist,
    spread: u.spread,
    nEpochs: u.epochs > 0 ? u.epochs : undefined,
    seed: u.seed,
    metric,
    init: pca,
  } as const;
  const { cacheDir } = input;
  const params = { ...resolveUmapParams(umapGraph, opts), distance: input.settings.distance };
  const epochs = params.nEpochs;
  const key = cacheDir ? embeddingsKey(e) : '';
  if (cacheDir && !from) {
    const hit = await readLayoutEntry(cacheDir, key, params);
    if (hit.damaged) notes.push(hit.damaged);
    if (hit.xy) return { xy: hit.xy };
    const stopped = await readPartialLayout(cacheDir, key, params);
    if (stopped && stopped.xy.length === e.n * 2 && stopped.epoch < epochs) {
      if (input.stoppedUmap === 'show') return { xy: stopped.xy, partial: { epoch: stopped.epoch, epochs } };
      from = stopped;
    }
  }
  let last = from;
  try {
    const xy = await runUmap(umapGraph, {
      ...opts,
      ...control,
      resume: from,
      onLayout: (frame, epoch, total) => {
        last = { xy: frame, epoch };
        sink.frame?.(frame, epoch, total);
      },
    });
    if (cacheDir) {
      await putCachedLayout(cacheDir, key, params, xy).catch((err: Error) =>
        notes.push(`layout not cached (${err.message.split('\n')[0]})`),
      );
    }
    return { xy };
  } catch (err) {
    // Cancelled after a frame: the last frame is the map, partial, and kept in the cache to resume.
    if (!isCancelled(err) || !last) throw err;
    if (cacheDir) {
      await putPartialLayout(cacheDir, key, params, last.xy, last.epoch).catch((e2: Error) =>
        notes.push(`partial layout not cached (${e2.message.split('\n')[0]})`),
      );
    }
    return { xy: last.xy, partial: { epoch: last.epoch, epochs } };
  }
}

/**
 * Retrieval needs a same-class neighbour for some query: with one image per class every query is
 * excluded. Said here, naming the dataset, rather than deep in the metrics with no file named.
 */
function assertSomeClassHasPairs(e: LabelledEmbeddings, skipped: number, source: string): void {
  const counts = new Map<number, number>();
  for (const l of e.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  if ([...counts.values()].some((c) => c >= 2)) return;
  const after = skipped ? ` after ${skipped} unreadable file(s) were skipped` : '';
  throw new LensError(
    `has one item per class (${counts.size} classes, ${e.n} items${after}); retrieval metrics need at least one class with 2 or more items`,
    source,
  );
}

function titleFor(input: InspectionInput): string {
  const ck = displayName(input.checkpoint);
  return input.dataset ? `${ck} · ${displayName(input.dataset)}` : ck;
}
