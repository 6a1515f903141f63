/**
 * Two finished inspections over the same items → CompareData: B restated in A's item order, B's
 * maps Procrustes-aligned (with scaling) onto A's, every headline / per-class / EET delta, and the
 * per-item neighbourhood change measured in each model's own space.
 */
import type { CompareData, InspectionData, InspectionLayout, InspectionSource } from '../model';
import { LensError, throwIfAborted } from '../errors';
import { procrustes } from '../projection/procrustes';
import { displayName, distinguishingNames } from '../util/displayName';
import type { KnnGraph } from '../retrieval/knn';
import { classDeltas, eetDeltas, headlineDeltas } from './deltas';
import { hasItemIdentities, matchItems, type ItemMatch } from './match';
import { mostChanged, neighbourhoodChange, type NeighbourhoodChange } from './neighbourhood';
import { dataInAOrder, graphInAOrder } from './reorder';

export interface CompareSide {
  data: InspectionData;
  graph?: KnnGraph;
}

export interface CompareOptions {
  /** Neighbourhood size for Jaccard and per-item precision (capped by both graphs and n − 1). */
  k: number;
  /** Items in each of the most-worse / most-better lists (default 20). */
  listSize?: number;
  signal?: AbortSignal;
}

export interface Comparison {
  data: CompareData;
  match: ItemMatch;
  /** Per-item detail behind the lists (all items), for exports. */
  change: NeighbourhoodChange;
}

export const DEFAULT_LIST_SIZE = 20;

/**
 * The item paths to show for the comparison: A's, unless A only has row references (a .npy with
 * a labels file) and B has real paths — same items, same order.
 */
export function itemPaths(cmp: Pick<CompareData, 'a' | 'b'>): string[] {
  const pa = cmp.a.items?.paths ?? [];
  const pb = cmp.b.items?.paths;
  return !hasItemIdentities(pa) && pb && pb.length === pa.length && hasItemIdentities(pb) ? pb : pa;
}

const base = displayName;

/** "A (tiny-cnn.onnx on products)": how a side is named in errors. */
export function sideName(side: 'A' | 'B', source: InspectionSource): string {
  return `${side} (${base(source.checkpoint)}${source.dataset ? ` on ${base(source.dataset)}` : ''})`;
}

function need<T>(v: T | undefined, what: string, side: 'A' | 'B', d: InspectionData): T {
  if (v === undefined)
    throw new LensError(`the inspection of ${sideName(side, d.source)} has no ${what}; it must finish before it can be compared`);
  return v;
}

/** B's layouts moved onto A's; alignment reported for the UMAP map when there is one, else PCA. */
function alignLayouts(a: InspectionLayout, b: InspectionLayout): { layout: InspectionLayout; alignment: CompareData['alignment'] } {
  const layout: InspectionLayout = { ...b };
  let alignment: CompareData['alignment'] = { scale: NaN, rmsd: NaN, shared: 0 };
  for (const kind of ['pca', 'umap'] as const) {
    const la = a[kind];
    const lb = b[kind];
    if (!la || !lb || la.length !== lb.length || la.length === 0) continue;
    const r = procrustes(lb, la);
    layout[kind] = r.aligned;
    alignment = { scale: r.scale, rmsd: r.rmsd, shared: la.length / 2 };
  }
  return { layout, alignment };
}

/**
 * Above the exact-search threshold a side's kNN graph comes from the usearch index: the Jaccard
 * overlaps and per-item precisions are then of approximate neighbourhoods, and the view says so.
 */
export function approximateNeighbourhoodsNote(graphA: KnnGraph, graphB: KnnGraph, k: number): string | undefined {
  const sides = [
    ['A', graphA],
    ['B', graphB],
  ] as const;
  const approx = sides.filter(([, g]) => g.approximate);
  if (!approx.length) return undefined;
  const which = approx
    .map(([side, g]) => `${side}: recall@${g.k} ${g.approximate!.recall.toFixed(3)} on ${g.approximate!.sampled} sampled items`)
    .join('; ');
  return `Jaccard@${k} and the per-item precisions compare approximate neighbourhoods (usearch HNSW above the exact-search limit; ${which}), so a small part of each item's change is the index's, not the model's`;
}

export async function compareInspections(a: CompareSide, b: CompareSide, opts: CompareOptions): Promise<Comparison> {
  const itemsA = need(a.data.items, 'items', 'A', a.data);
  const itemsB = need(b.data.items, 'items', 'B', b.data);
  const match = matchItems({ name: sideName('A', a.data.source), items: itemsA }, { name: sideName('B', b.data.source), items: itemsB });
  const graphA = need(a.graph, 'kNN graph', 'A', a.data);
  const graphB = graphInAOrder(need(b.graph, 'kNN graph', 'B', b.data), match);
  const metricsA = need(a.data.metrics, 'metrics', 'A', a.data);
  const metricsB = need(b.data.metrics, 'metrics', 'B', b.data);
  const bData = dataInAOrder(b.data, itemsA, match);
  if (match.notes.length) bData.notes = [...(bData.notes ?? []), ...match.notes];
  throwIfAborted(opts.signal);

  const k = Math.min(opts.k, graphA.k, graphB.k, itemsA.n - 1);
  const change = await neighbourhoodChange(graphA, graphB, itemsA.labels, k, opts.signal);
  const { worse, better } = mostChanged(change, graphA, graphB, opts.listSize ?? DEFAULT_LIST_SIZE);
  const { layout, alignment } = alignLayouts(a.data.layout ?? {}, bData.layout ?? {});
  bData.layout = layout;

  const data: CompareData = {
    title: `${distinguishingNames([a.data.source.checkpoint, b.data.source.checkpoint]).join(' vs ')}${a.data.source.dataset ? ` · ${base(a.data.source.dataset)}` : ''}`,
    a: a.data,
    b: bData,
    k,
    jaccard: change.jaccard,
    meanJaccard: change.meanJaccard,
    headline: headlineDeltas(metricsA, metricsB),
    classes: classDeltas(a.data.classes ?? [], bData.classes ?? []),
    eet: a.data.eet && bData.eet ? eetDeltas(a.data.eet, bData.eet) : [],
    worse,
    better,
    alignment,
  };
  const note = approximateNeighbourhoodsNote(graphA, graphB, k);
  if (note) data.notes = [note];
  return { data, match, change };
}
