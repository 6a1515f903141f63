import type { ClassRow, InspectionData } from '../src/protocol';

/** CSV field quoting per RFC 4180: class names and paths may hold commas and quotes. */
function field(v: string | number): string {
  const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : v;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(header: string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\n') + '\n';
}

/** The header metrics as flat name → value pairs (the same names the CLI's JSON uses). */
export function metricsRecord(data: InspectionData): Record<string, number | string> {
  const out: Record<string, number | string> = {
    checkpoint: data.source.checkpoint,
    dataset: data.source.dataset,
  };
  if (data.items) {
    out.items = data.items.n;
    out.classes = data.items.classNames.length;
  }
  const m = data.metrics;
  if (m) {
    for (const r of m.recallAtK) out[`recall@${r.k}`] = r.value;
    out['precision@1'] = m.precisionAt1;
    out.r_precision = m.rPrecision;
    out['map@r'] = m.mapAtR;
    if (m.mrr !== undefined) out.mrr = m.mrr;
    if (m.nmi !== undefined) out.nmi = m.nmi;
    if (m.ami !== undefined) out.ami = m.ami;
    out.queries = m.queries;
    out.excluded_queries = m.excludedQueries;
    out.protocol = m.protocol;
    if (m.sampled) {
      for (const [k, v] of Object.entries(m.sampled.ci95)) out[`${k}_ci95`] = v;
      out.sampled_queries = m.sampled.queries;
      out.sampled_of = m.sampled.of;
      out.sampled_seed = m.sampled.seed;
      out.sampled_method = m.sampled.method;
    }
  }
  if (data.eet) {
    for (const [k, v] of Object.entries(data.eet.terms)) out[`eet_${k}`] = v.mean;
    out.eet_violation_rate = data.eet.violationRate;
  }
  if (data.backend) out.backend = data.backend;
  return out;
}

export function metricsCsv(data: InspectionData): string {
  return toCsv(['metric', 'value'], Object.entries(metricsRecord(data)));
}

export const CLASS_COLUMNS: { key: keyof ClassRow; csv: string }[] = [
  { key: 'name', csv: 'class' },
  { key: 'size', csv: 'size' },
  { key: 'meanDistToCentroid', csv: 'mean_dist_to_centroid' },
  { key: 'p90Radius', csv: 'p90_radius' },
  { key: 'nearestClass', csv: 'nearest_class' },
  { key: 'nearestDistance', csv: 'nearest_distance' },
  { key: 'precisionAt1', csv: 'precision@1' },
  { key: 'mapAtR', csv: 'map@r' },
  { key: 'sampledQueries', csv: 'sampled_queries' },
];

export function classesRecords(data: InspectionData): Record<string, string | number>[] {
  const names = data.items?.classNames ?? [];
  return (data.classes ?? []).map((row) => {
    const rec: Record<string, string | number> = {};
    for (const c of CLASS_COLUMNS) {
      const v = row[c.key];
      // Only a sampled run has per-class sample counts.
      if (c.key === 'sampledQueries' && v === undefined) continue;
      rec[c.csv] = c.key === 'nearestClass' ? (row.nearestClass >= 0 ? names[row.nearestClass] ?? String(row.nearestClass) : '') : (v ?? '');
    }
    return rec;
  });
}

export function classesCsv(data: InspectionData): string {
  const recs = classesRecords(data);
  const sampled = data.classes?.some((r) => r.sampledQueries !== undefined);
  const header = CLASS_COLUMNS.filter((c) => sampled || c.key !== 'sampledQueries').map((c) => c.csv);
  return toCsv(header, recs.map((r) => header.map((k) => r[k])));
}

export async function canvasToPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (!blob) throw new Error('The map could not be encoded as PNG.');
  return new Uint8Array(await blob.arrayBuffer());
}

/** A file-name-safe stem from the checkpoint name. */
export function fileStem(data: InspectionData): string {
  const base = data.source.checkpoint.split(/[\\/]/).filter(Boolean).slice(-2).join('-') || 'embeddings';
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/\.(json|onnx|npy)$/i, '');
}
