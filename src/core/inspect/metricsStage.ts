/** Stage 3: retrieval metrics (overall + per class), NMI/AMI, class geometry and the neighbour table. */
import type { ClassRow, InspectionPatch, NeighbourTable } from '../../protocol';
import { clusteringScores } from '../retrieval/clustering';
import { classGeometry, type GeometryReport } from '../retrieval/geometry';
import type { KnnGraph } from '../retrieval/knn';
import { truncateGraph } from '../projection/project';
import { retrievalMetrics, type RetrievalOptions } from '../retrieval/metrics';
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

export async function metricsStage(e: LabelledEmbeddings, graph: KnnGraph, settings: InspectionSettings, control: RunControl): Promise<MetricsStageResult> {
  const normalize = settings.distance === 'cosine';
  const report = await retrievalMetrics(e.vectors, e.n, e.dim, e.labels, {
    ...protocolFor(e),
    normalize,
    ks: settings.recallAtK,
    signal: control.signal,
    onProgress: control.onProgress,
  });
  const metrics = headerMetrics(report);
  const classCount = new Set(e.labels).size;
  if (classCount >= 2) {
    const c = await clusteringScores(e.vectors, e.n, e.dim, e.labels, { normalize, seed: settings.umap.seed, signal: control.signal });
    metrics.nmi = c.nmi;
    metrics.ami = c.ami;
  }
  const geometry = await classGeometry(e.vectors, e.n, e.dim, e.labels, { normalize, signal: control.signal, onProgress: control.onProgress });
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
    };
  });
  const approx = graph.approximate ? [`neighbours from the usearch HNSW index (recall@${graph.k} ${graph.approximate.recall.toFixed(3)} against exact search on ${graph.approximate.sampled} sampled items)`] : [];
  return { geometry, patch: { metrics, classes, neighbours: neighbourTable(graph, settings.neighborsK), ...(approx.length ? { notes: approx } : {}) } };
}
