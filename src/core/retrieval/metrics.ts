import type { ProgressFn } from '../types';
import { LensError } from '../errors';
import { checkLabels, prepareEmbeddings } from './prepare';
import { runScan } from './parallel';
import type { ItemNegatives, StatsResult } from './scan';
import { DEFAULT_EXACT_LIMIT, DEFAULT_SAMPLE_QUERIES, designMethod, estimateMean, sampleQueries, type QuerySample } from './sampledMetrics';

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
  /** Above this many items, rank a stratified sample of queries (default 100,000). */
  exactLimit?: number;
  /** Queries sampled above the limit (default 10,000). */
  sampleQueries?: number;
  /** Seed of the query sample (default 0). */
  seed?: number;
  /** Rank every query whatever the size (--exact-metrics). */
  exact?: boolean;
  /**
   * Leave-one-out only: also report each ranked query's nearest item of another class, found in
   * the same pass (class geometry reuses it instead of scanning the gallery again).
   */
  nearestNegatives?: boolean;
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
  /** Present when the metrics come from a query sample; each overall metric then has a CI. */
  sampled?: SampledInfo;
  /** With `nearestNegatives` (leave-one-out): the ranked items' nearest other-class items. */
  nearestNegatives?: ItemNegatives;
}

export interface SampledInfo {
  /** Queries ranked, and all queries (excluded ones included: those are counted, not sampled). */
  queries: number;
  of: number;
  seed: number;
  method: string;
  /** Half-width of each overall metric's 95% confidence interval, by SPEC key. */
  ci95: Record<string, number>;
  /** Queries ranked per class label. */
  perClass: Map<number, number>;
}

export const DEFAULT_KS = [1, 2, 4, 8];

/** The per-query numbers the metrics are built from (exported for the breakdown and tests). */
export interface QueryOutcomes {
  /** Label of each query. */
  labels: Int32Array;
  /** Same-label gallery items per query (0 → excluded). */
  r: Int32Array;
  stats: StatsResult;
  /** When only a sample of queries was ranked: the sample, and every query's label and R. */
  sample?: QuerySample & { labels: Int32Array; r: Int32Array };
  /** Leave-one-out with `nearestNegatives`: each ranked query's nearest other-class item. */
  negatives?: ItemNegatives;
}

export async function retrievalMetrics(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: RetrievalOptions = {},
): Promise<RetrievalReport> {
  const protocol = opts.protocol ?? 'leave-one-out';
  const normalize = opts.normalize ?? true;
  const ks = validateKs(opts.ks ?? DEFAULT_KS);
  const sampleAbove = opts.exact ? Infinity : (opts.exactLimit ?? DEFAULT_EXACT_LIMIT);
  const seed = opts.seed ?? 0;
  const pickQueries =
    n > sampleAbove
      ? (ql: Int32Array, r: Int32Array) => sampleQueries(ql, r, opts.sampleQueries ?? DEFAULT_SAMPLE_QUERIES, seed)
      : undefined;
  const outcomes = await rankQueries(data, n, dim, labels, { ...opts, protocol, normalize, pickQueries });
  const negatives = outcomes.negatives ? { nearestNegatives: outcomes.negatives } : {};
  if (outcomes.sample) return { ...sampledReport(outcomes, outcomes.sample, ks, protocol, normalize, seed), ...negatives };
  const overall = summarise(outcomes, ks, () => true);
  const classes = [...new Set(outcomes.labels)].sort((a, b) => a - b);
  const perClass = classes.map((label) => ({ label, metrics: summarise(outcomes, ks, (q) => outcomes.labels[q] === label) }));
  return { protocol, normalize, ks, overall, perClass, ...negatives };
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
export async function queryGalleryMetrics(
  query: LabelledRows,
  gallery: LabelledRows,
  opts: Omit<RetrievalOptions, 'protocol' | 'queryMask' | 'file'> = {},
): Promise<RetrievalReport> {
  if (query.dim !== gallery.dim) {
    throw new LensError(
      `query embeddings have dimension ${query.dim} but the gallery (${gallery.file ?? 'gallery'}) has ${gallery.dim}; both must come from the same model`,
      query.file,
    );
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
  return retrievalMetrics(data, query.n + gallery.n, query.dim, labels, {
    ...opts,
    protocol: 'query-gallery',
    queryMask,
    file: query.file,
  });
}

function validateKs(ks: number[]): number[] {
  if (ks.length === 0 || ks.some((k) => !Number.isInteger(k) || k < 1))
    throw new LensError(`recall@K needs positive integer K values, got [${ks.join(', ')}]`);
  return [...new Set(ks)].sort((a, b) => a - b);
}

export async function rankQueries(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: RetrievalOptions & {
    protocol: Protocol;
    normalize: boolean;
    pickQueries?: (queryLabels: Int32Array, r: Int32Array) => QuerySample | null;
  },
): Promise<QueryOutcomes> {
  checkLabels(labels, n, opts.file);
  const rows = prepareEmbeddings(data, n, dim, opts.normalize, opts.file);
  if (new Set(labels).size < 2)
    throw new LensError(`retrieval metrics need at least two classes; every row has label ${labels[0]}`, opts.file);

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
  if (r.every((x) => x === 0))
    throw new LensError('no query has a same-label item in its gallery, so every query would be excluded', opts.file);
  // A sample ranks only its queries, each still against the whole gallery.
  const sample = opts.pickQueries?.(queryLabels, r) ?? null;
  const picks = sample ? Array.from(sample.picks) : null;
  const scanQueries = picks ? pick(queries, dim, picks) : queries;
  const scanLabels = picks ? Int32Array.from(picks, (q) => queryLabels[q]) : queryLabels;
  const scanR = picks ? Int32Array.from(picks, (q) => r[q]) : r;
  const scanSelf = picks && selfIndex ? Int32Array.from(picks, (q) => selfIndex[q]) : selfIndex;
  // Queries are items only in leave-one-out; there the scanned query t is item picks[t] (or t).
  const wantNegatives = opts.nearestNegatives === true && opts.protocol === 'leave-one-out';
  const stats = (await runScan(
    // Unit rows bound every key ‖g‖² − 2·q·g to [−1, 3]; the margin covers float32 rounding.
    {
      queries: scanQueries,
      nQueries: scanLabels.length,
      gallery,
      nGallery,
      dim,
      selfIndex: scanSelf,
      keyRange: opts.normalize ? [-1.001, 3.001] : undefined,
    },
    { kind: 'stats', queryLabels: scanLabels, galleryLabels, rOf: scanR, negatives: wantNegatives },
    {
      signal: opts.signal,
      onProgress: opts.onProgress,
      stage: sample ? 'Retrieval metrics (sampled queries)' : 'Retrieval metrics',
      workers: opts.workers,
    },
  )) as StatsResult;
  const negatives: Pick<QueryOutcomes, 'negatives'> =
    wantNegatives && stats.negIndex && stats.negDistance
      ? {
          negatives: {
            items: sample ? sample.picks : Int32Array.from({ length: nq }, (_, i) => i),
            index: stats.negIndex,
            distance: stats.negDistance,
          },
        }
      : {};
  if (sample) return { labels: scanLabels, r: scanR, stats, sample: { ...sample, labels: queryLabels, r }, ...negatives };
  return { labels: queryLabels, r, stats, ...negatives };
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

/**
 * The report of a sampled run: each overall metric is the design's estimate with its 95% CI; each
 * class's metrics are the plain means of its sampled queries (exact for classes taken whole).
 */
function sampledReport(
  o: QueryOutcomes,
  sample: NonNullable<QueryOutcomes['sample']>,
  ks: number[],
  protocol: Protocol,
  normalize: boolean,
  seed: number,
): RetrievalReport {
  const m = o.labels.length;
  // Scored queries per class in the whole population; excluded queries per class, counted exactly.
  const sizes = new Map<number, number>();
  const queriesOf = new Map<number, number>();
  let excluded = 0;
  for (let q = 0; q < sample.labels.length; q++) {
    const l = sample.labels[q];
    queriesOf.set(l, (queriesOf.get(l) ?? 0) + 1);
    if (sample.r[q] === 0) excluded++;
    else sizes.set(l, (sizes.get(l) ?? 0) + 1);
  }
  const perQuery: [string, (q: number) => number][] = [
    ...ks.map((k): [string, (q: number) => number] => [`recall@${k}`, (q) => (o.stats.firstHit[q] <= k ? 1 : 0)]),
    ['precision@1', (q) => (o.stats.firstHit[q] === 1 ? 1 : 0)],
    ['r_precision', (q) => o.stats.rPrecision[q]],
    ['map@r', (q) => o.stats.ap[q]],
    ['mrr', (q) => 1 / o.stats.firstHit[q]],
  ];
  const overall: MetricSet = { queries: sample.labels.length, excluded_queries: excluded };
  const ci95: Record<string, number> = {};
  for (const [key, f] of perQuery) {
    const est = estimateMean(
      Float64Array.from({ length: m }, (_, q) => f(q)),
      o.labels,
      sizes,
      sample.design,
    );
    overall[key] = est.value;
    ci95[key] = est.ci95;
  }
  const sampledPerClass = new Map<number, number>();
  for (const l of o.labels) sampledPerClass.set(l, (sampledPerClass.get(l) ?? 0) + 1);
  const classes = [...queriesOf.keys()].sort((a, b) => a - b);
  const perClass = classes.map((label) => {
    const metrics = summarise(o, ks, (q) => o.labels[q] === label);
    // The class's own query count and exclusions, not just the sampled ones.
    metrics.queries = queriesOf.get(label)!;
    metrics.excluded_queries = queriesOf.get(label)! - (sizes.get(label) ?? 0);
    metrics.sampled_queries = sampledPerClass.get(label) ?? 0;
    return { label, metrics };
  });
  return {
    protocol,
    normalize,
    ks,
    overall,
    perClass,
    sampled: { queries: m, of: sample.labels.length, seed, method: designMethod(sample.design), ci95, perClass: sampledPerClass },
  };
}
