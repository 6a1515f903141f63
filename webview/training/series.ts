/**
 * Chart data for the fine-tune panel: pure functions (no DOM), shared by the webview and the unit
 * tests. Per-step losses are noisy (every P×K batch mines different triplets), so the panel draws
 * them smoothed; per-epoch validation is drawn as measured.
 */
import type { EpochReport, StepReport } from '../../src/trainingProtocol';

export const LOSS_TERMS = ['total', 'mc', 'ec', 'edc'] as const;
export type LossTerm = (typeof LOSS_TERMS)[number];

export interface Point {
  x: number;
  y: number;
}

/**
 * Exponential moving average, debiased so the first points are not dragged towards 0 (what
 * TensorBoard's smoothing slider does). weight 0 returns the values; non-finite values are skipped
 * and do not poison the average.
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`smoothing weight must be in [0, 1), got ${weight}`);
  const out = new Array<number>(values.length);
  let acc = 0;
  let norm = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v)) {
      acc = weight * acc + (1 - weight) * v;
      norm = weight * norm + (1 - weight);
    }
    out[i] = norm > 0 ? acc / norm : NaN;
  }
  return out;
}

/**
 * At most `max` points for drawing: consecutive runs are averaged into one point (x and y), so a
 * run of 50,000 steps still draws as a line of a few hundred segments with the same shape. The
 * first and last points are kept exactly, so the line starts and ends where the data does.
 */
export function downsample(points: readonly Point[], max: number): Point[] {
  if (max < 2) throw new RangeError(`downsample needs max ≥ 2, got ${max}`);
  if (points.length <= max) return points.slice();
  const inner = points.length - 2;
  const buckets = max - 2;
  const out: Point[] = [points[0]];
  for (let b = 0; b < buckets; b++) {
    const lo = 1 + Math.floor((b * inner) / buckets);
    const hi = 1 + Math.floor(((b + 1) * inner) / buckets);
    let sx = 0;
    let sy = 0;
    for (let i = lo; i < hi; i++) {
      sx += points[i].x;
      sy += points[i].y;
    }
    out.push({ x: sx / (hi - lo), y: sy / (hi - lo) });
  }
  out.push(points[points.length - 1]);
  return out;
}

/** One line per EET term, x = steps since the start of the run (1-based, in arrival order). */
export function lossSeries(steps: readonly StepReport[], weight: number, maxPoints = 600): Record<LossTerm, Point[]> {
  const raw: Record<LossTerm, number[]> = {
    total: steps.map((s) => s.loss),
    mc: steps.map((s) => s.mc),
    ec: steps.map((s) => s.ec),
    edc: steps.map((s) => s.edc),
  };
  const out = {} as Record<LossTerm, Point[]>;
  for (const term of LOSS_TERMS) {
    const smoothed = ema(raw[term], weight);
    const pts: Point[] = [];
    for (let i = 0; i < smoothed.length; i++) if (Number.isFinite(smoothed[i])) pts.push({ x: i + 1, y: smoothed[i] });
    out[term] = downsample(pts, maxPoints);
  }
  return out;
}

/** Where each epoch began on the step axis, for the dividers of the loss chart. */
export function epochStarts(steps: readonly StepReport[]): { epoch: number; x: number }[] {
  const out: { epoch: number; x: number }[] = [];
  for (let i = 0; i < steps.length; i++)
    if (i === 0 || steps[i].epoch !== steps[i - 1].epoch) out.push({ epoch: steps[i].epoch, x: i + 1 });
  return out;
}

export const VAL_METRICS = ['mapAtR', 'recallAt1'] as const;
export type ValMetric = (typeof VAL_METRICS)[number];

/** Validation per epoch (epoch 0 = before training), one point per epoch, in epoch order. */
export function validationSeries(epochs: readonly EpochReport[]): Record<ValMetric, Point[]> {
  const byEpoch = new Map<number, EpochReport>();
  // A re-sent epoch (webview reload) replaces the earlier copy rather than drawing twice.
  for (const e of epochs) byEpoch.set(e.epoch, e);
  const sorted = [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
  return {
    mapAtR: sorted.map((e) => ({ x: e.epoch, y: e.val.mapAtR })),
    recallAt1: sorted.map((e) => ({ x: e.epoch, y: e.val.recallAt1 })),
  };
}

/** The epoch with the best validation map@r so far (earliest on ties, as the engine keeps it). */
export function bestEpoch(epochs: readonly EpochReport[]): EpochReport | undefined {
  let best: EpochReport | undefined;
  for (const e of epochs) if (!best || e.val.mapAtR > best.val.mapAtR) best = e;
  return best;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const t = Math.ceil(seconds);
  if (t < 60) return `${t} s`;
  if (t < 3600) return `${Math.floor(t / 60)} min ${t % 60} s`;
  const minutes = Math.round(t / 60);
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
