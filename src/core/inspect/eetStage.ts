/** Stage 4: the EET breakdown of SPEC §1 over seeded P×K batches, mapped to the panel's model. */
import { EET_TERMS, type EetBreakdown as PanelEet, type InspectionPatch } from '../model';
import { eetBreakdown } from '../eet/breakdown';
import type { GeometryReport } from '../retrieval/geometry';
import { DEFAULT_EXACT_LIMIT } from '../retrieval/sampledMetrics';
import type { LabelledEmbeddings, RunControl } from '../types';
import type { InspectionSettings } from './settings';

export async function eetStage(
  e: LabelledEmbeddings,
  settings: InspectionSettings,
  control: RunControl & { geometry?: GeometryReport },
): Promise<InspectionPatch> {
  const s = settings.eet;
  const seed = settings.umap.seed;
  const normalize = settings.distance === 'cosine';
  const b = await eetBreakdown(e.vectors, e.n, e.dim, e.labels, {
    batches: s.batches,
    p: s.pk[0],
    k: s.pk[1],
    seed,
    eet: { normalize, margin: s.margin, weights: s.weights },
    geometry: control.geometry,
    signal: control.signal,
    onProgress: control.onProgress,
  });
  const terms = Object.fromEntries(EET_TERMS.map((t) => [t, { mean: b.terms[t].mean, std: b.terms[t].std }])) as PanelEet['terms'];
  const eet: PanelEet = {
    settings: {
      normalize,
      margin: s.margin,
      lambdaMc: s.weights[0],
      lambdaEc: s.weights[1],
      lambdaEdc: s.weights[2],
      batches: b.batches,
      p: b.p,
      k: b.k,
      seed: b.seed,
    },
    terms,
    perClass: b.perClass.map((c) => ({ classIndex: c.label, mc: c.mc ?? NaN, ec: c.ec ?? NaN, m: c.mPairs ?? NaN, e: c.e ?? NaN })),
    dap: b.histograms.positive,
    dan: b.histograms.negative,
    violationRate: b.marginViolationRate,
    anchors: b.triplets,
  };
  // The breakdown is sampled at every size (S batches of P×K items: bounded work); above the
  // metrics' threshold, where the other stages say how they sampled, it says so too.
  const exactLimit = settings.metrics?.exactLimit ?? DEFAULT_EXACT_LIMIT;
  if (e.n <= exactLimit) return { eet };
  const f = (x: number) => x.toLocaleString('en-US');
  return {
    eet,
    notes: [
      `EET breakdown from ${f(b.batches)} seeded P×K batches of ${b.p}×${b.k} (seed ${b.seed}): at most ${f(b.batches * b.p * b.k)} of ${f(e.n)} items, its cost independent of the item count`,
    ],
  };
}
