import type { RunControl } from '../types';
import { LensError, throwIfAborted } from '../errors';
import { enforceCap } from '../limits';
import { checkLabels, validateEmbeddings } from '../retrieval/prepare';
import { classGeometry, type GeometryReport } from '../retrieval/geometry';
import { DEFAULT_EXACT_LIMIT } from '../retrieval/sampledMetrics';
import { resolveEetOptions, type EetOptions, type EetValues } from './options';
import { PKSampler } from './sampler';
import { eetTerms } from './batch';

/**
 * The EET breakdown over a dataset (SPEC §1): S seeded P×K batches → each term's mean and
 * spread, what each class contributes, the d(a,p)/d(a,n) histograms of the mined triplets and
 * how many violate the margin, plus the whole-dataset class geometry the terms stand for.
 */
export interface TermSummary {
  mean: number;
  /** Population standard deviation over the batches. */
  std: number;
  min: number;
  max: number;
}

export interface ClassContribution {
  label: number;
  /** Batches the class was drawn into, and its anchors summed over them. */
  batches: number;
  anchors: number;
  /** Mean MC and EC summands of its anchors (null when it never had an anchor). */
  mc: number | null;
  ec: number | null;
  /** Mean over its batches of its L_M share (mean exp(−D) to the other classes) and of its L_E summand. */
  mPairs: number | null;
  e: number | null;
}

export interface Histogram {
  /** bins + 1 edges; both histograms share them so they overlay. */
  edges: number[];
  counts: number[];
}

export interface EetBreakdown {
  options: EetOptions;
  batches: number;
  p: number;
  k: number;
  seed: number;
  terms: Record<'mc' | 'ec' | 'm' | 'e' | 'edc' | 'total', TermSummary>;
  perBatch: EetValues[];
  perClass: ClassContribution[];
  histograms: { positive: Histogram; negative: Histogram };
  /** Fraction of mined triplets with d(a,p) + α > d(a,n). */
  marginViolationRate: number;
  triplets: number;
  geometry: GeometryReport;
}

export interface BreakdownOptions extends RunControl {
  batches: number;
  p: number;
  k: number;
  seed: number;
  eet?: Partial<EetOptions>;
  bins?: number;
  file?: string;
  /** Geometry of the same rows, already computed (must use the same normalisation). */
  geometry?: GeometryReport;
}

export async function eetBreakdown(
  data: Float32Array,
  n: number,
  dim: number,
  labels: Int32Array,
  opts: BreakdownOptions,
): Promise<EetBreakdown> {
  const eet = resolveEetOptions(opts.eet);
  checkLabels(labels, n, opts.file);
  if (!Number.isInteger(opts.batches) || opts.batches < 1)
    throw new LensError(`the breakdown needs at least one batch, got ${opts.batches}`);
  enforceCap('eetBatches', opts.batches);
  // Said before the first batch: validating every row is a pass over all of them.
  opts.onProgress?.({ stage: 'EET breakdown', done: 0, total: opts.batches });
  // Validates every row once (NaN/Inf, zero rows under normalisation) with the file named,
  // without the normalised copy of every row that only the batches' few rows would need.
  validateEmbeddings(data, n, dim, eet.normalize, opts.file);
  const sampler = new PKSampler(labels, opts.p, opts.k, opts.seed);

  const perBatch: EetValues[] = [];
  const dap: number[] = [];
  const dan: number[] = [];
  let violations = 0;
  const acc = new Map<
    number,
    { batches: number; anchors: number; mc: number; ec: number; mPairs: number; e: number; edcBatches: number }
  >();
  for (let s = 0; s < opts.batches; s++) {
    throwIfAborted(opts.signal);
    const rows = sampler.next();
    const b = rows.length;
    const x = new Float32Array(b * dim);
    rows.forEach((r, i) => x.set(data.subarray(r * dim, (r + 1) * dim), i * dim));
    const bl = Int32Array.from(rows, (r) => labels[r]);
    const t = eetTerms(x, b, dim, bl, eet);
    perBatch.push({ mc: t.mc, ec: t.ec, m: t.m, e: t.e, edc: t.edc, total: t.total, anchors: t.anchors, classes: t.classes });
    const ch = t.choices;
    for (const label of ch.classes) {
      if (!acc.has(label)) acc.set(label, { batches: 0, anchors: 0, mc: 0, ec: 0, mPairs: 0, e: 0, edcBatches: 0 });
      acc.get(label)!.batches++;
    }
    ch.anchors.forEach((a, i) => {
      const c = acc.get(bl[a])!;
      c.anchors++;
      c.mc += t.mcTerm[i];
      c.ec += t.ecTerm[i];
      dap.push(t.dap[i]);
      dan.push(t.dan[i]);
      if (t.dap[i] + eet.margin > t.dan[i]) violations++;
    });
    if (ch.classes.length >= 2) {
      ch.classes.forEach((label, ci) => {
        const c = acc.get(label)!;
        c.mPairs += t.mPairs[ci];
        c.e += t.eTerm[ci];
        c.edcBatches++;
      });
    }
    opts.onProgress?.({ stage: 'EET breakdown', done: s + 1, total: opts.batches });
    await new Promise<void>((r) => setImmediate(r));
  }

  const summary = (key: keyof EetValues): TermSummary => {
    const xs = perBatch.map((v) => v[key]);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length), min: Math.min(...xs), max: Math.max(...xs) };
  };
  const perClass = [...acc.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([label, c]) => ({
      label,
      batches: c.batches,
      anchors: c.anchors,
      mc: c.anchors ? c.mc / c.anchors : null,
      ec: c.anchors ? c.ec / c.anchors : null,
      mPairs: c.edcBatches ? c.mPairs / c.edcBatches : null,
      e: c.edcBatches ? c.e / c.edcBatches : null,
    }));
  const bins = opts.bins ?? 30;
  const top = Math.max(1e-9, ...dap, ...dan);
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  const hist = (xs: number[]): Histogram => {
    const counts = new Array<number>(bins).fill(0);
    for (const x of xs) counts[Math.min(bins - 1, Math.floor((x / top) * bins))]++;
    return { edges, counts };
  };
  // The inspection pipeline has already computed the geometry for the class table: reuse it. Else
  // it is computed here, its nearest-class scan sampled above the metrics' default exact limit
  // (exact it is n²: hours at 10^6 items), as the report's `sampled` field then says.
  const geometry =
    opts.geometry && opts.geometry.normalize === eet.normalize
      ? opts.geometry
      : await classGeometry(data, n, dim, labels, {
          normalize: eet.normalize,
          file: opts.file,
          signal: opts.signal,
          onProgress: opts.onProgress,
          exactLimit: DEFAULT_EXACT_LIMIT,
          seed: opts.seed,
        });
  return {
    options: eet,
    batches: opts.batches,
    p: opts.p,
    k: opts.k,
    seed: opts.seed,
    terms: { mc: summary('mc'), ec: summary('ec'), m: summary('m'), e: summary('e'), edc: summary('edc'), total: summary('total') },
    perBatch,
    perClass,
    histograms: { positive: hist(dap), negative: hist(dan) },
    marginViolationRate: dap.length ? violations / dap.length : 0,
    triplets: dap.length,
    geometry,
  };
}
