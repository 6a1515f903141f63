/**
 * The comparison's deltas as CSV / JSON from the panel. The same tables `embedding-lens compare`
 * writes (src/core/compare/export.ts), rebuilt here because that module writes files through
 * node:fs and cannot be bundled for the browser.
 */
import type { CompareData, ItemChange, MetricDelta } from '../../src/protocol';
import { hasItemIdentities } from '../../src/core/compare/match';
import { scopeJson } from '../../src/core/compare/scope';
import { toCsv } from '../export';

export const CLASS_KEYS = ['precision@1', 'map@r', 'mean_dist_to_centroid', 'p90_radius', 'nearest_class_distance'] as const;

const rows = (ds: MetricDelta[]) => ds.map((d) => [d.key, d.a, d.b, d.delta]);

export function headlineCsv(cmp: CompareData): string {
  return toCsv(['metric', 'a', 'b', 'delta'], [...rows(cmp.headline), [`mean_jaccard@${cmp.k}`, '', '', cmp.meanJaccard]]);
}

export function eetCsv(cmp: CompareData): string {
  return toCsv(['term', 'a', 'b', 'delta'], rows(cmp.eet));
}

export function classesCsv(cmp: CompareData): string {
  const header = ['class_index', 'class', 'size', ...CLASS_KEYS.flatMap((k) => [`${k}_a`, `${k}_b`, `${k}_delta`])];
  return toCsv(
    header,
    cmp.classes.map((c) => {
      const by = new Map(c.metrics.map((m) => [m.key, m]));
      return [
        c.classIndex,
        c.name,
        c.size,
        ...CLASS_KEYS.flatMap((k) => [by.get(k)?.a ?? NaN, by.get(k)?.b ?? NaN, by.get(k)?.delta ?? NaN]),
      ];
    }),
  );
}

/** A's paths unless A only names rows (a .npy with a labels file) and B names the files. */
export function itemPaths(cmp: CompareData): string[] {
  const pa = cmp.a.items?.paths ?? [];
  const pb = cmp.b.items?.paths;
  return !hasItemIdentities(pa) && pb && pb.length === pa.length && hasItemIdentities(pb) ? pb : pa;
}

function itemRecord(cmp: CompareData, c: ItemChange, paths: string[]) {
  const items = cmp.a.items;
  return {
    index: c.index,
    path: paths[c.index] ?? '',
    class: items ? (items.classNames[items.labels[c.index]] ?? '') : '',
    jaccard: c.jaccard,
    precisionA: c.precisionA,
    precisionB: c.precisionB,
    delta: c.precisionB - c.precisionA,
    topA: Array.from(c.topA),
    topB: Array.from(c.topB),
  };
}

export function itemsCsv(cmp: CompareData): string {
  const paths = itemPaths(cmp);
  const out = (['worse', 'better'] as const).flatMap((list) =>
    cmp[list].map((c, rank) => {
      const r = itemRecord(cmp, c, paths);
      return [list, rank + 1, r.index, r.path, r.class, r.jaccard, r.precisionA, r.precisionB, r.delta, r.topA.join(' '), r.topB.join(' ')];
    }),
  );
  return toCsv(['list', 'rank', 'index', 'path', 'class', 'jaccard', 'precision_a', 'precision_b', 'delta', 'top_a', 'top_b'], out);
}

/** Plain JSON of every delta and both item lists (no typed arrays). */
export function deltasRecord(cmp: CompareData): Record<string, unknown> {
  const paths = itemPaths(cmp);
  const plain = (ds: MetricDelta[]) => ds.map((d) => ({ key: d.key, a: d.a, b: d.b, delta: d.delta }));
  return {
    title: cmp.title,
    a: { checkpoint: cmp.a.source.checkpoint, dataset: cmp.a.source.dataset },
    b: { checkpoint: cmp.b.source.checkpoint, dataset: cmp.b.source.dataset },
    ...(cmp.scope ? { items: scopeJson(cmp.scope) } : {}),
    k: cmp.k,
    meanJaccard: cmp.meanJaccard,
    alignment: cmp.alignment,
    headline: plain(cmp.headline),
    classes: cmp.classes.map((c) => ({ classIndex: c.classIndex, name: c.name, size: c.size, metrics: plain(c.metrics) })),
    eet: plain(cmp.eet),
    worse: cmp.worse.map((c) => itemRecord(cmp, c, paths)),
    better: cmp.better.map((c) => itemRecord(cmp, c, paths)),
  };
}

/** Ten equal Jaccard bins over [0, 1]; the last holds 1 (unchanged neighbourhoods). */
export function jaccardBins(j: Float32Array, bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of j) counts[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]++;
  return counts;
}

/** Two canvases side by side on one image, for "Maps as PNG". */
export function sideBySide(a: HTMLCanvasElement, b: HTMLCanvasElement, gap = 4): HTMLCanvasElement {
  const out = document.createElement('canvas');
  out.width = a.width + gap + b.width;
  out.height = Math.max(a.height, b.height);
  const ctx = out.getContext('2d')!;
  ctx.drawImage(a, 0, 0);
  ctx.drawImage(b, a.width + gap, 0);
  return out;
}
