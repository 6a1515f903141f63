/** Stage 3: retrieval metrics (overall + per class), NMI/AMI, class geometry and the neighbour table. */
import type { ClassRow, InspectionPatch, NeighbourTable } from '../model';
import { clusteringScores } from '../retrieval/clustering';
import { classGeometry, geometrySampleNote, type GeometryReport } from '../retrieval/geometry';
import type { KnnGraph } from '../retrieval/knn';
import { truncateGraph } from '../projection/project';
import { retrievalMetrics, type RetrievalOptions, type SampledInfo } from '../retrieval/metrics';
import { DEFAULT_EXACT_LIMIT, DEFAULT_SAMPLE_QUERIES } from '../retrieval/sampledMetrics';
import type { LabelledEmbeddings, RunControl } from '../types';
import type { InspectionSettings } from './settings';
import { headerMetrics } from './toProtocol';

export interface MetricsStageResult {
  patch: InspectionPatch;
  /** Reused by the EET breakdown, which reports the same geometry. */
  geometry: GeometryReport;
}

/** In-Shop style datasets carry a query/gallery split: use that protocol, as the papers do. */
export function protocolFor(e: LabelledEmbeddings): Pick<RetrievalOptions, 'protocol' | 'queryMask'> {
  const split = e.split;
  if (split && split.includes('query') && split.includes('gallery')) {
    return { protocol: 'query-gallery', queryMask: split.map((s) => s === 'query') };
  }
  return { protocol: 'leave-one-out' };
}

export function neighbourTable(graph: KnnGraph, k: number): NeighbourTable {
  const { k: kk, indices, distances } = truncateGraph(graph, Math.min(k, graph.k));
  return { k: kk, indices, distances };
}

export async function metricsStage(
  e: LabelledEmbeddings,
  graph: KnnGraph,
  settings: InspectionSettings,
  control: RunControl,
): Promise<MetricsStageResult> {
  const normalize = settings.distance === 'cosine';
  const report = await retrievalMetrics(e.vectors, e.n, e.dim, e.labels, {
    ...protocolFor(e),
    normalize,
    ks: settings.recallAtK,
    exactLimit: settings.metrics?.exactLimit,
    exact: settings.metrics?.exact,
    sampleQueries: settings.metrics?.sampleQueries,
    seed: settings.umap.seed,
    // Class geometry below needs each item's nearest other class: the ranking pass finds it too.
    nearestNegatives: true,
    signal: control.signal,
    onProgress: control.onProgress,
  });
  const metrics = headerMetrics(report);
  const classCount = new Set(e.labels).size;
  const clusteringNotes: string[] = [];
  if (classCount >= 2) {
    const c = await clusteringScores(e.vectors, e.n, e.dim, e.labels, {
      normalize,
      seed: settings.umap.seed,
      signal: control.signal,
      onProgress: control.onProgress,
    });
    clusteringNotes.push(...c.notes);
    metrics.nmi = c.nmi;
    metrics.ami = c.ami;
  }
  // Above the metrics' threshold the nearest-class scan samples items as the metrics sample queries
  // (same limit, size and seed); --exact-metrics makes both exact.
  const exactLimit = settings.metrics?.exactLimit ?? DEFAULT_EXACT_LIMIT;
  const geometry = await classGeometry(e.vectors, e.n, e.dim, e.labels, {
    normalize,
    signal: control.signal,
    onProgress: control.onProgress,
    exactLimit: settings.metrics?.exact ? undefined : exactLimit,
    sampleItems: settings.metrics?.sampleQueries ?? DEFAULT_SAMPLE_QUERIES,
    seed: settings.umap.seed,
    // The ranking pass and the kNN graph are on the same rows: between them they answer most (often
    // all) items' nearest other class, and only the rest are scanned.
    known: report.nearestNegatives,
    graph,
  });
  const perClass = new Map(report.perClass.map((c) => [c.label, c.metrics]));
  const classes: ClassRow[] = geometry.classes.map((g) => {
    const m = perClass.get(g.label);
    return {
      classIndex: g.label,
      name: e.classNames[g.label] ?? String(g.label),
      size: g.count,
      meanDistToCentroid: g.meanDistance,
      p90Radius: g.p90Radius,
      nearestClass: g.nearestClass ?? -1,
      nearestDistance: g.minDistance ?? NaN,
      precisionAt1: typeof m?.['precision@1'] === 'number' ? m['precision@1'] : NaN,
      mapAtR: typeof m?.['map@r'] === 'number' ? m['map@r'] : NaN,
      ...(report.sampled ? { sampledQueries: report.sampled.perClass.get(g.label) ?? 0 } : {}),
    };
  });
  const approx = graph.approximate
    ? [
        `neighbours from the usearch HNSW index (recall@${graph.k} ${graph.approximate.recall.toFixed(3)} against exact search on ${graph.approximate.sampled} sampled items)`,
      ]
    : [];
  if (report.sampled) approx.push(sampledNote(report.sampled, e.n, settings.metrics?.exactLimit));
  approx.push(...clusteringNotes);
  if (geometry.sampled) approx.push(geometrySampleNote(geometry.sampled, exactLimit));
  return {
    geometry,
    patch: { metrics, classes, neighbours: neighbourTable(graph, settings.neighborsK), ...(approx.length ? { notes: approx } : {}) },
  };
}

/** The assumptions line of a sampled run: what was ranked, against what, and what ± means. */
export function sampledNote(s: SampledInfo, n: number, exactLimit = DEFAULT_EXACT_LIMIT): string {
  const f = (x: number) => x.toLocaleString('en-US');
  return `retrieval metrics from ${f(s.queries)} of ${f(s.of)} queries (seed ${s.seed}; ${n > exactLimit ? `more than ${f(exactLimit)} items` : 'sampled'}), each ranked exactly against the whole gallery; ± is a 95% confidence interval — ${s.method}. Per-class rows use only their sampled queries; --exact-metrics or a higher embeddingLens.metrics.exactLimit ranks every query`;
}
