/**
 * The inspection's data model: what the engine produces stage by stage and the panel, the HTML
 * report and the comparison show. Plain types and typed arrays only — no vscode, DOM or Node APIs —
 * so the engine, the host and the webview bundle all import it (src/protocol.ts re-exports it for
 * the host ⇄ webview messages).
 */
import type { ItemScope } from '../compare/scope';

export type { ItemScope };

export type DistanceKind = 'cosine' | 'euclidean';

/** Every item of the inspected dataset, index-aligned. */
export interface InspectionItems {
  n: number;
  /** Class index per item, into classNames. */
  labels: Int32Array;
  classNames: string[];
  /** Item identity shown to the user (absolute path, or "file.idx#123"). */
  paths: string[];
  /** Image URL per item (webview URI in the panel, data: URI in a report); '' where none. */
  thumbnails?: string[];
}

/** 2-D layouts, n×2 row-major in [x0, y0, x1, y1, …]. */
export interface InspectionLayout {
  pca?: Float32Array;
  umap?: Float32Array;
  /**
   * Present while `umap` is a stopped (cancelled) run's layout after `epoch` of `epochs` epochs:
   * the map says "partial layout (epoch/epochs)" and offers Resume, which continues that run.
   */
  umapPartial?: { epoch: number; epochs: number };
}

/** Top-K neighbours of every item in the original embedding space (query itself excluded). */
export interface NeighbourTable {
  k: number;
  /** n×k item indices, row-major, nearest first. */
  indices: Int32Array;
  /** n×k distances, same layout. */
  distances: Float32Array;
}

export interface RecallAt {
  k: number;
  value: number;
}

export interface HeaderMetrics {
  recallAtK: RecallAt[];
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
  mrr?: number;
  nmi?: number;
  ami?: number;
  queries: number;
  excludedQueries: number;
  protocol: 'leave-one-out' | 'query-gallery';
  /**
   * Present when the metrics were estimated from a sample of queries (each ranked exactly against
   * the whole gallery): how many of how many, the seed, the method, and each metric's 95% CI
   * half-width keyed as the CLI's JSON (recall@1, precision@1, r_precision, map@r, mrr).
   */
  sampled?: { queries: number; of: number; seed: number; method: string; ci95: Record<string, number> };
}

/** One row of the per-class table; distances in the retrieval distance. */
export interface ClassRow {
  classIndex: number;
  name: string;
  size: number;
  meanDistToCentroid: number;
  p90Radius: number;
  /** Nearest other class (index) by minimum item-to-item distance; -1 when there is only one class. */
  nearestClass: number;
  nearestDistance: number;
  precisionAt1: number;
  mapAtR: number;
  /** Queries of this class that were ranked, when the metrics come from a sample. */
  sampledQueries?: number;
}

export type EetTermName = 'mc' | 'ec' | 'm' | 'e' | 'edc' | 'total';
export const EET_TERMS: readonly EetTermName[] = ['mc', 'ec', 'm', 'e', 'edc', 'total'];

export interface TermStat {
  mean: number;
  std: number;
}

export interface Histogram {
  /** bins + 1 ascending edges. */
  edges: number[];
  counts: number[];
}

export interface EetSettings {
  normalize: boolean;
  margin: number;
  lambdaMc: number;
  lambdaEc: number;
  lambdaEdc: number;
  batches: number;
  p: number;
  k: number;
  seed: number;
}

export interface EetClassAttribution {
  classIndex: number;
  mc: number;
  ec: number;
  m: number;
  e: number;
}

export interface EetBreakdown {
  settings: EetSettings;
  terms: Record<EetTermName, TermStat>;
  perClass: EetClassAttribution[];
  /** d(a,p) and d(a,n) of the batch-hard triplets over the whole dataset. */
  dap: Histogram;
  dan: Histogram;
  /** Fraction of anchors with d(a,p) + margin > d(a,n). */
  violationRate: number;
  anchors: number;
}

export interface StageTiming {
  stage: string;
  ms: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface InspectionSource {
  checkpoint: string;
  dataset: string;
}

/**
 * What the panel shows. Every section but `source` is optional so the panel can open before the
 * engine is done and fill in as each stage finishes.
 */
export interface InspectionData {
  title: string;
  source: InspectionSource;
  backend?: string;
  distance?: DistanceKind;
  items?: InspectionItems;
  layout?: InspectionLayout;
  neighbours?: NeighbourTable;
  metrics?: HeaderMetrics;
  classes?: ClassRow[];
  eet?: EetBreakdown;
  timings?: StageTiming[];
  skipped?: SkippedFile[];
  /**
   * What changes or qualifies the numbers ("input size 224×224: the model input is dynamic", a
   * subsample, a sampled metric): always shown in the header.
   */
  notes?: string[];
  /**
   * Routine remarks on how the run went — runtimes passed over and why ("tfjs backend
   * tfjs-node-gpu not used: no NVIDIA GPU driver found"), what came from a cache: the numbers are
   * the same either way, so the header keeps them behind a "details" toggle. Each producer puts a
   * remark in one list or the other; nothing sorts them by their text.
   */
  details?: string[];
}

/** The part of InspectionData a stage delivers; merged shallowly into what the panel has. */
export type InspectionPatch = Partial<Omit<InspectionData, 'layout'>> & { layout?: InspectionLayout };
