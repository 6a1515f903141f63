/** Headline, per-class and EET deltas (B − A) between two inspections over the same items. */
import { EET_TERMS, type ClassDelta, type ClassRow, type EetBreakdown, type HeaderMetrics, type MetricDelta } from '../model';

const delta = (key: string, a: number | undefined, b: number | undefined): MetricDelta => {
  const x = typeof a === 'number' ? a : NaN;
  const y = typeof b === 'number' ? b : NaN;
  return { key, a: x, b: y, delta: y - x };
};

/** Every SPEC §2 metric the two runs report, in SPEC order, then NMI and AMI. */
export function headlineDeltas(a: HeaderMetrics, b: HeaderMetrics): MetricDelta[] {
  const recallB = new Map(b.recallAtK.map((r) => [r.k, r.value]));
  const out = a.recallAtK.filter((r) => recallB.has(r.k)).map((r) => delta(`recall@${r.k}`, r.value, recallB.get(r.k)));
  out.push(
    delta('precision@1', a.precisionAt1, b.precisionAt1),
    delta('r_precision', a.rPrecision, b.rPrecision),
    delta('map@r', a.mapAtR, b.mapAtR),
  );
  if (a.mrr !== undefined || b.mrr !== undefined) out.push(delta('mrr', a.mrr, b.mrr));
  if (a.nmi !== undefined || b.nmi !== undefined) out.push(delta('nmi', a.nmi, b.nmi));
  if (a.ami !== undefined || b.ami !== undefined) out.push(delta('ami', a.ami, b.ami));
  return out;
}

/** Per-class keys, retrieval first: they are scale-free, so they lead the ordering. */
export const CLASS_RETRIEVAL_KEYS = ['precision@1', 'map@r'] as const;
export const CLASS_GEOMETRY_KEYS = ['mean_dist_to_centroid', 'p90_radius', 'nearest_class_distance'] as const;
export const CLASS_KEYS = [...CLASS_RETRIEVAL_KEYS, ...CLASS_GEOMETRY_KEYS] as const;

function classValues(r: ClassRow | undefined): Record<(typeof CLASS_KEYS)[number], number | undefined> {
  return {
    'precision@1': r?.precisionAt1,
    'map@r': r?.mapAtR,
    mean_dist_to_centroid: r?.meanDistToCentroid,
    p90_radius: r?.p90Radius,
    nearest_class_distance: r?.nearestDistance,
  };
}

const largest = (ds: MetricDelta[]) => ds.reduce((m, d) => (Number.isFinite(d.delta) ? Math.max(m, Math.abs(d.delta)) : m), 0);

/**
 * One row per class of either side (both in A's class indices), ordered by the largest absolute
 * retrieval change (precision@1, map@r), then the largest geometry change: distances are each
 * model's own, so with raw Euclidean distances their scales need not be comparable.
 */
export function classDeltas(a: ClassRow[], b: ClassRow[]): ClassDelta[] {
  const byA = new Map(a.map((r) => [r.classIndex, r]));
  const byB = new Map(b.map((r) => [r.classIndex, r]));
  const indices = [...new Set([...byA.keys(), ...byB.keys()])];
  const rows = indices.map((c) => {
    const ra = byA.get(c);
    const rb = byB.get(c);
    const va = classValues(ra);
    const vb = classValues(rb);
    const metrics = CLASS_KEYS.map((k) => delta(k, va[k], vb[k]));
    return {
      row: { classIndex: c, name: (ra ?? rb)!.name, size: (ra ?? rb)!.size, metrics } satisfies ClassDelta,
      retrieval: largest(metrics.slice(0, CLASS_RETRIEVAL_KEYS.length)),
      geometry: largest(metrics.slice(CLASS_RETRIEVAL_KEYS.length)),
    };
  });
  rows.sort((x, y) => y.retrieval - x.retrieval || y.geometry - x.geometry || x.row.classIndex - y.row.classIndex);
  return rows.map((r) => r.row);
}

/** Each EET term's mean over the breakdown batches, then the margin-violation rate. */
export function eetDeltas(a: EetBreakdown, b: EetBreakdown): MetricDelta[] {
  return [...EET_TERMS.map((t) => delta(t, a.terms[t].mean, b.terms[t].mean)), delta('violation_rate', a.violationRate, b.violationRate)];
}
