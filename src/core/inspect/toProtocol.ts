/** Engine results → the panel's data model (src/protocol.ts). Pure mapping, no computation. */
import type { HeaderMetrics, InspectionItems, InspectionPatch } from '../model';
import type { EmbeddingRun } from '../embed';
import type { RetrievalReport } from '../retrieval/metrics';
import type { LabelledEmbeddings } from '../types';

export function itemsPatch(e: LabelledEmbeddings): InspectionItems {
  return { n: e.n, labels: e.labels, classNames: e.classNames, paths: e.paths };
}

export function embedPatchExtras(run: EmbeddingRun): InspectionPatch {
  // A run's assumptions already include its dataset's notes (both paths of computeEmbeddings), and
  // older cache entries may not: each note once.
  const notes = [...new Set([...run.assumptions, ...run.dataset.notes])];
  const details = [...(run.fromCache ? ['embeddings loaded from the cache'] : []), ...run.details];
  if (run.dataset.totalItems > run.embeddings.n + run.skipped.count) {
    notes.push(
      `subsampled ${run.embeddings.n.toLocaleString('en-US')} of ${run.dataset.totalItems.toLocaleString('en-US')} items (stratified by class)`,
    );
  }
  const skipped = run.skipped.first.map((s) => ({ path: s.path, reason: s.reason }));
  if (run.skipped.count > skipped.length) notes.push(`${run.skipped.count} files skipped in all; the first ${skipped.length} are listed`);
  return { backend: run.backend, notes, details, skipped };
}

const num = (v: number | null | undefined): number => (typeof v === 'number' ? v : NaN);

export function headerMetrics(r: RetrievalReport): HeaderMetrics {
  const o = r.overall;
  return {
    recallAtK: r.ks.map((k) => ({ k, value: num(o[`recall@${k}`]) })),
    precisionAt1: num(o['precision@1']),
    rPrecision: num(o.r_precision),
    mapAtR: num(o['map@r']),
    mrr: num(o.mrr),
    queries: num(o.queries),
    excludedQueries: num(o.excluded_queries),
    protocol: r.protocol,
    ...(r.sampled
      ? { sampled: { queries: r.sampled.queries, of: r.sampled.of, seed: r.sampled.seed, method: r.sampled.method, ci95: r.sampled.ci95 } }
      : {}),
  };
}
