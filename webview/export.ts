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
      rec[c.csv] =
        c.key === 'nearestClass' ? (row.nearestClass >= 0 ? (names[row.nearestClass] ?? String(row.nearestClass)) : '') : (v ?? '');
    }
    return rec;
  });
}

export function classesCsv(data: InspectionData): string {
  const recs = classesRecords(data);
  const sampled = data.classes?.some((r) => r.sampledQueries !== undefined);
  const header = CLASS_COLUMNS.filter((c) => sampled || c.key !== 'sampledQueries').map((c) => c.csv);
  return toCsv(
    header,
    recs.map((r) => header.map((k) => r[k])),
  );
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

/** What the exported map figure is drawn with: the panel's theme, so it looks like what was on screen. */
export interface FigureStyle {
  background: string;
  foreground: string;
  fontFamily: string;
}

/**
 * The map as a figure that stands on its own: the inspection's title, a line of its metrics (and
 * which layout it shows), the map itself, and a legend of the class colours. `map` is the clean
 * snapshot (MapView.snapshot({ clean: true })) at `scale` device pixels per CSS pixel.
 */
export function mapFigure(
  map: HTMLCanvasElement,
  data: InspectionData,
  palette: readonly string[],
  style: FigureStyle,
  layoutLabel: string,
  scale = 1,
): HTMLCanvasElement {
  const pad = 16 * scale;
  const headerH = 52 * scale;
  const legendW = 190 * scale;
  const rowH = 18 * scale;
  const out = document.createElement('canvas');
  out.width = Math.round(pad + map.width + legendW + pad);
  out.height = Math.round(headerH + map.height + pad);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = style.background;
  ctx.fillRect(0, 0, out.width, out.height);
  const font = (px: number, weight = 'normal') => `${weight} ${px * scale}px ${style.fontFamily}`;
  ctx.fillStyle = style.foreground;
  ctx.textBaseline = 'alphabetic';
  ctx.font = font(16, '600');
  ctx.fillText(fitText(ctx, data.title, out.width - 2 * pad), pad, pad + 12 * scale);
  ctx.globalAlpha = 0.75;
  ctx.font = font(12);
  ctx.fillText(fitText(ctx, figureSubtitle(data, layoutLabel), out.width - 2 * pad), pad, pad + 30 * scale);
  ctx.globalAlpha = 1;
  ctx.drawImage(map, pad, headerH);
  // The legend: one row per class while they fit beside the map, then how many more.
  const names = data.items?.classNames ?? [];
  const fits = Math.max(1, Math.floor(map.height / rowH));
  const shown = names.length > fits ? fits - 1 : names.length;
  const x = pad + map.width + 12 * scale;
  ctx.font = font(12);
  ctx.textBaseline = 'middle';
  for (let c = 0; c < shown; c++) {
    const y = headerH + c * rowH + rowH / 2;
    ctx.fillStyle = palette[c] ?? style.foreground;
    ctx.beginPath();
    ctx.arc(x + 5 * scale, y, 5 * scale, 0, 2 * Math.PI);
    ctx.fill();
    ctx.fillStyle = style.foreground;
    ctx.fillText(fitText(ctx, names[c], legendW - 30 * scale), x + 16 * scale, y);
  }
  if (shown < names.length) {
    ctx.globalAlpha = 0.75;
    ctx.fillStyle = style.foreground;
    ctx.fillText(`+ ${names.length - shown} more classes`, x, headerH + shown * rowH + rowH / 2);
    ctx.globalAlpha = 1;
  }
  return out;
}

/** "R@1 0.812 · MAP@R 0.431 · … · 320 items · 4 classes · UMAP": the figure's second line. */
export function figureSubtitle(data: InspectionData, layoutLabel: string): string {
  const parts: string[] = [];
  const m = data.metrics;
  const f = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—');
  if (m) {
    for (const r of m.recallAtK) parts.push(`R@${r.k} ${f(r.value)}`);
    parts.push(`MAP@R ${f(m.mapAtR)}`, `P@1 ${f(m.precisionAt1)}`);
    if (m.nmi !== undefined) parts.push(`NMI ${f(m.nmi)}`);
    if (m.sampled) parts.push(`sampled: ${m.sampled.queries.toLocaleString('en-US')} of ${m.sampled.of.toLocaleString('en-US')} queries`);
  }
  if (data.items)
    parts.push(`${data.items.n.toLocaleString('en-US')} items`, `${data.items.classNames.length.toLocaleString('en-US')} classes`);
  if (data.distance) parts.push(data.distance);
  parts.push(layoutLabel);
  return parts.join(' · ');
}

/** The text, cut with an ellipsis to `width` pixels in the context's current font. */
function fitText(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(`${text.slice(0, mid)}…`).width <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${text.slice(0, lo)}…`;
}
