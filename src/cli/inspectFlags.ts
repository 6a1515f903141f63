/** The inspection-settings flags shared by `inspect` and `compare`, and the summary JSON both print. */
import type { InspectionData } from '../protocol';
import { DEFAULT_SETTINGS, type InspectionSettings } from '../core/inspect/settings';
import { defaultCacheDir } from '../core/embed';
import { isBackendSetting } from '../core/runtime/select';
import { CAPS } from '../core/limits';
import { DEFAULT_EXACT_LIMIT, DEFAULT_SAMPLE_QUERIES } from '../core/retrieval/sampledMetrics';
import { numberFlag, numberListFlag, stringFlag, UsageError, type ParsedArgs } from './args';
import { GPU_FLAGS, GPU_USAGE, gpuPreferenceFromArgs } from './gpu';

export const SETTINGS_FLAGS = [
  'backend',
  'batch-size',
  'max-items',
  'max-per-class',
  'k',
  'recall-k',
  'neighbors',
  'min-dist',
  'spread',
  'epochs',
  'seed',
  'margin',
  'weights',
  'batches',
  'pk',
  'cache-dir',
  'exact-limit',
  'sample-queries',
  ...GPU_FLAGS,
] as const;
export const SETTINGS_BOOLEANS = ['raw', 'no-cache', 'exact-metrics'] as const;

export const SETTINGS_USAGE = `Inspection settings (defaults as the VS Code settings):
  --backend B           auto | tfjs-node-gpu | tfjs-node | wasm | cpu (default auto)
${GPU_USAGE}
  --batch-size N        images per inference batch (default 64, at most ${CAPS.batchSize.max})
  --max-items N         stratified subsample: at most N items in total
  --max-per-class N     stratified subsample: at most N items per class
  --k N                 neighbours kept per item for the Neighbours view (default 10, at most ${CAPS.neighborsK.max})
  --recall-k LIST       Recall@K list (default 1,2,4,8; SOP papers: 1,10,100,1000)
  --raw                 raw Euclidean distances (default: L2-normalised, ranks as cosine)
  --exact-limit N       above N items, metrics from a seeded stratified sample of ${DEFAULT_SAMPLE_QUERIES.toLocaleString('en-US')} queries
                        with 95% CIs (default ${DEFAULT_EXACT_LIMIT.toLocaleString('en-US')}; embeddingLens.metrics.exactLimit); class geometry
                        from as many sampled items, neighbours from the usearch index
  --sample-queries N    queries in that sample (default ${DEFAULT_SAMPLE_QUERIES.toLocaleString('en-US')})
  --exact-metrics       rank every query and scan every item for the class geometry whatever the size (progress shows the ETA)
  --neighbors N         UMAP n_neighbors (15, ≤ ${CAPS.umapNeighbors.max})     --min-dist X   UMAP min_dist (0.1)
  --spread X            UMAP spread (1)                   --epochs N     UMAP epochs (auto, ≤ ${CAPS.umapEpochs.max})
  --seed N              seed for subsampling, k-means, EET batches and UMAP (default 42)
  --margin A            EET margin α (0.3)                --weights a,b,c  λ_mc,λ_ec,λ_edc (1,1,1)
  --batches S           EET batches (20, ≤ ${CAPS.eetBatches.max})        --pk P,K       classes × samples (8,4)
  --cache-dir DIR       embeddings/layout cache (default ${defaultCacheDir()})
  --no-cache            neither read nor write the cache`;

export function settingsFromArgs(args: ParsedArgs): { settings: InspectionSettings; cacheDir?: string } {
  const d = DEFAULT_SETTINGS;
  const backend = stringFlag(args, 'backend') ?? d.backend;
  if (!isBackendSetting(backend)) throw new UsageError(`--backend expects auto, tfjs-node-gpu, tfjs-node, wasm or cpu, got "${backend}"`);
  const weights = numberListFlag(args, 'weights', d.eet.weights, { length: 3, min: 0 });
  const pk = numberListFlag(args, 'pk', d.eet.pk, { length: 2, integer: true, min: 2 });
  const settings: InspectionSettings = {
    backend,
    gpu: gpuPreferenceFromArgs(args),
    batchSize: numberFlag(args, 'batch-size', d.batchSize, { integer: true, min: 1, cap: CAPS.batchSize }),
    maxItems: numberFlag(args, 'max-items', d.maxItems, { integer: true, min: 0 }),
    maxPerClass: numberFlag(args, 'max-per-class', d.maxPerClass, { integer: true, min: 0 }),
    neighborsK: numberFlag(args, 'k', d.neighborsK, { integer: true, min: 1, cap: CAPS.neighborsK }),
    recallAtK: numberListFlag(args, 'recall-k', d.recallAtK, { integer: true, min: 1, cap: CAPS.recallK }),
    distance: args.flags.has('raw') ? 'euclidean' : 'cosine',
    umap: {
      nNeighbors: numberFlag(args, 'neighbors', d.umap.nNeighbors, { integer: true, min: 2, cap: CAPS.umapNeighbors }),
      minDist: numberFlag(args, 'min-dist', d.umap.minDist, { min: 0 }),
      spread: numberFlag(args, 'spread', d.umap.spread, { min: 0.01 }),
      epochs: numberFlag(args, 'epochs', d.umap.epochs, { integer: true, min: 0, cap: CAPS.umapEpochs }),
      seed: numberFlag(args, 'seed', d.umap.seed, { integer: true }),
    },
    eet: {
      margin: numberFlag(args, 'margin', d.eet.margin, { min: 0 }),
      weights: [weights[0], weights[1], weights[2]],
      batches: numberFlag(args, 'batches', d.eet.batches, { integer: true, min: 1, cap: CAPS.eetBatches }),
      pk: [pk[0], pk[1]],
    },
    metrics: {
      exactLimit: numberFlag(args, 'exact-limit', d.metrics?.exactLimit ?? DEFAULT_EXACT_LIMIT, { integer: true, min: 0 }),
      exact: args.flags.has('exact-metrics'),
      sampleQueries: numberFlag(args, 'sample-queries', DEFAULT_SAMPLE_QUERIES, { integer: true, min: 2 }),
    },
  };
  const cacheDir = args.flags.has('no-cache') ? undefined : (stringFlag(args, 'cache-dir') ?? defaultCacheDir());
  return { settings, cacheDir };
}

/** What `inspect` prints: the numbers of every view, without the per-item arrays. */
export function inspectionSummary(d: InspectionData): Record<string, unknown> {
  const m = d.metrics;
  const metrics = m && {
    protocol: m.protocol,
    queries: m.queries,
    excluded_queries: m.excludedQueries,
    ...Object.fromEntries(m.recallAtK.map((r) => [`recall@${r.k}`, r.value])),
    'precision@1': m.precisionAt1,
    r_precision: m.rPrecision,
    'map@r': m.mapAtR,
    mrr: m.mrr,
    ...(m.sampled ? Object.fromEntries(Object.entries(m.sampled.ci95).map(([k, v]) => [`${k}_ci95`, v])) : {}),
    ...(m.sampled ? { sampled: { queries: m.sampled.queries, of: m.sampled.of, seed: m.sampled.seed, method: m.sampled.method } } : {}),
    nmi: m.nmi,
    ami: m.ami,
  };
  const names = d.items?.classNames ?? [];
  return {
    title: d.title,
    checkpoint: d.source.checkpoint,
    dataset: d.source.dataset,
    backend: d.backend,
    distance: d.distance,
    items: d.items?.n ?? 0,
    classes: names.length,
    metrics,
    perClass: d.classes?.map((c) => ({ ...c, nearestClassName: c.nearestClass >= 0 ? names[c.nearestClass] : null })),
    eet: d.eet && {
      settings: d.eet.settings,
      terms: d.eet.terms,
      violationRate: d.eet.violationRate,
      anchors: d.eet.anchors,
      perClass: d.eet.perClass,
    },
    layouts: { pca: !!d.layout?.pca, umap: !!d.layout?.umap },
    timings: d.timings,
    skipped: d.skipped,
    notes: d.notes,
    details: d.details,
  };
}
