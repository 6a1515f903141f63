import type { ProgressFn } from '../types';
import { LensError } from '../errors';
import { checkLabels, prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import type { StatsResult } from './scan';

/**
 * The retrieval metrics of SPEC §2, overall and per class, from one exact ranking pass.
 * Every metric derives from three numbers per query — the rank of its first hit, AP over the
 * top R and the correct fraction of the top R — so one scan serves any list of K.
 */
export type Protocol = 'leave-one-out' | 'query-gallery';

export interface RetrievalOptions {
  protocol?: Protocol;
  /** query-gallery only: true for queries; every other row is the gallery. */
  queryMask?: ArrayLike<boolean | number>;
  /** L2-normalise first (default true, ranks as cosine); false for raw Euclidean. */
  normalize?: boolean;
  /** Recall@K list (default 1, 2, 4, 8). */
  ks?: number[];
  /** Names the input file in errors. */
  file?: string;
  /** Worker threads for large inputs (default: one per core). */
  workers?: number;
  signal?: AbortSignal;
  onProgress?: ProgressFn;
}

/** SPEC §2's keys: queries, excluded_queries, recall@K…, precision@1, r_precision, map@r, mrr. A metric is null when no query was scored. */
export type MetricSet = Record<string, number | null>;

export interface ClassMetrics {
  label: number;
  metrics: MetricSet;
}

export interface RetrievalReport {
  protocol: Protocol;
  normalize: boolean;
  ks: number[];
  overall: MetricSet;
  perClass: ClassMetrics[];
}

export const DEFAULT_KS = [1, 2, 4, 8];

/** The per-query numbers the metrics are built from (exported for the breakdown and tests). */
export interface QueryOutcomes {
  /** Label of each query. */
  labels: Int32Array;
  /** Same-label gallery items per query (0 → excluded). */
  r: Int32Array;
  stats: StatsResult;
}

export async function retrievalMetrics(data: Float32Array, n: number, dim: number, labels: Int32Array, opts: RetrievalOptions = {}): Promise<RetrievalReport> {
  const protocol = opts.protocol ?? 'leave-one-out';
  const normalize = opts.normalize ?? true;
  const ks = validateKs(opts.ks ?? DEFAULT_KS);
  const outcomes = await rankQueries(data, n, dim, labels, { ...opts, protocol, normalize });
  const overall = summarise(outcomes, ks, () => true);
  const classes = [...new Set(outcomes.labels)].sort((a, b) => a - b);
  const perClass = classes.map((label) => ({ label, metrics: summarise(outcomes, ks, (q) => outcomes.labels[q] === label) }));
  return { protocol, normalize, ks, overall, perClass };
}

/** An embeddings matrix with its labels, e.g. one side of a query-gallery split kept in separate files. */
export interface LabelledRows {
  data: Float32Array;
  n: number;
  dim: number;
  labels: Int32Array;
  /** Names the source in errors. */
  file?: string;
}

/** Query-gallery metrics from separate query and gallery sets (In-Shop style). */
export async function queryGalleryMetrics(query: LabelledRows, gallery: LabelledRows, opts: Omit<RetrievalOptions, 'protocol' | 'queryMask' | 'file'> = {}): Promise<RetrievalReport> {
  if (query.dim !== gallery.dim) {
    throw new LensError(`query embeddings have dimension ${query.dim} but the gallery (${gallery.file ?? 'gallery'}) has ${gallery.dim}; both must come from the same model`, query.file);
  }
  checkLabels(query.labels, query.n, query.file);
  checkLabels(gallery.labels, gallery.n, gallery.file);
  const data = new Float32Array((query.n + gallery.n) * query.dim);
  data.set(query.data.subarray(0, query.n * query.dim));
  data.set(gallery.data.subarray(0, gallery.n * gallery.dim), query.n * query.dim);
  const labels = new Int32Array(query.n + gallery.n);
  labels.set(query.labels);
  labels.set(gallery.labels, query.n);
  const queryMask = Array.from({ length: query.n + gallery.n }, (_, i) => i < query.n);
  return retrievalMetrics(data, query.n + gallery.n, query.dim, labels, { ...opts, protocol: 'query-gallery', queryMask, file: query.file });
}

function validateKs(ks: number[]): number[] {
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new LensError(`recall@K needs positive integer K values, got [${ks.join(', ')}]`);
  return [...new Set(ks)].sort((a, b) => a - b);
}

export async function rankQueries(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: RetrievalOptions & { protocol: Protocol; normalize: boolean },
): Promise<QueryOutcomes> {
  checkLabels(labels, n, opts.file);
  const rows = prepareEmbeddings(data, n, dim, opts.normalize, opts.file);
  if (new Set(labels).size < 2) throw new LensError(`retrieval metrics need at least two classes; every row has label ${labels[0]}`, opts.file);

  let queries: Float32Array;
  let gallery: Float32Array;
  let queryLabels: Int32Array;
  let galleryLabels: Int32Array;
  let selfIndex: Int32Array | null;
  if (opts.protocol === 'leave-one-out') {
    queries = gallery = rows;
    queryLabels = galleryLabels = labels;
    selfIndex = Int32Array.from({ length: n }, (_, i) => i);
  } else if (opts.protocol === 'query-gallery') {
    const mask = opts.queryMask;
    if (!mask) throw new LensError('the query-gallery protocol needs a query mask (true for queries, false for gallery items)', opts.file);
    if (mask.length !== n) throw new LensError(`the query mask has ${mask.length} entries for ${n} embeddings`, opts.file);
    const qi: number[] = [];
    const gi: number[] = [];
    for (let i = 0; i < n; i++) (mask[i] ? qi : gi).push(i);
    if (qi.length === 0) throw new LensError('the query mask selects no queries', opts.file);
    if (gi.length === 0) throw new LensError('the query mask leaves no gallery items', opts.file);
    queries = pick(rows, dim, qi);
    gallery = pick(rows, dim, gi);
    queryLabels = Int32Array.from(qi, (i) => labels[i]);
    galleryLabels = Int32Array.from(gi, (i) => labels[i]);
    selfIndex = null;
  } else {
    throw new LensError(`unknown protocol "${opts.protocol as string}" (expected leave-one-out or query-gallery)`, opts.file);
  }

  const galleryCount = new Map<number, number>();
  for (const l of galleryLabels) galleryCount.set(l, (galleryCount.get(l) ?? 0) + 1);
  // R excludes the query itself when it sits in the gallery (leave-one-out).
  const r = Int32Array.from(queryLabels, (l) => (galleryCount.get(l) ?? 0) - (selfIndex ? 1 : 0));
  const nq = queryLabels.length;
  const nGallery = galleryLabels.length;
  if (r.every((x) => x === 0)) throw new LensError('no query has a same-label item in its gallery, so every query would be excluded', opts.file);
  const stats = (await runScan(
    // Unit rows bound every key ‖g‖² − 2·q·g to [−1, 3]; the margin covers float32 rounding.
    { queries, nQueries: nq, gallery, nGallery, dim, selfIndex, keyRange: opts.normalize ? [-1.001, 3.001] : undefined },
    { kind: 'stats', queryLabels, galleryLabels, rOf: r },
    { signal: opts.signal, onProgress: opts.onProgress, stage: 'Retrieval metrics', workers: opts.workers },
  )) as StatsResult;
  return { labels: queryLabels, r, stats };
}

function pick(rows: Float32Array, dim: number, idx: number[]): Float32Array {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((i, t) => out.set(rows.subarray(i * dim, (i + 1) * dim), t * dim));
  return out;
}

/** SPEC §2 metrics over the queries `include` accepts; excluded queries are counted, not scored. */
export function summarise(o: QueryOutcomes, ks: number[], include: (q: number) => boolean): MetricSet {
  let queries = 0;
  let excluded = 0;
  const hitsAt = new Array<number>(ks.length).fill(0);
  let rp = 0;
  let ap = 0;
  let rr = 0;
  for (let q = 0; q < o.labels.length; q++) {
    if (!include(q)) continue;
    queries++;
    if (o.r[q] === 0) {
      excluded++;
      continue;
    }
    const first = o.stats.firstHit[q];
    ks.forEach((k, t) => {
      if (first <= k) hitsAt[t]++;
    });
    rp += o.stats.rPrecision[q];
    ap += o.stats.ap[q];
    rr += 1 / first;
  }
  const scored = queries - excluded;
  const mean = (x: number) => (scored > 0 ? x / scored : null);
  const out: MetricSet = { queries, excluded_queries: excluded };
  ks.forEach((k, t) => (out[`recall@${k}`] = mean(hitsAt[t])));
  out['precision@1'] = ks.includes(1) ? out['recall@1'] : mean(countFirst(o, include));
  out.r_precision = mean(rp);
  out['map@r'] = mean(ap);
  out.mrr = mean(rr);
  return out;
}

function countFirst(o: QueryOutcomes, include: (q: number) => boolean): number {
  let c = 0;
  for (let q = 0; q < o.labels.length; q++) if (include(q) && o.r[q] > 0 && o.stats.firstHit[q] === 1) c++;
  return c;
}
