/**
 * Compare two checkpoints on one dataset: inspect A, then B (one after the other — they would only
 * fight over the same cores), then compare. Embeddings and layouts come from the cache when a
 * cacheDir is given, so re-comparing a checkpoint already inspected costs only the deltas.
 */
import type { InspectionPatch } from '../model';
import { isCancelled } from '../errors';
import { runInspection, type InspectionRun, type StageName } from '../inspect/pipeline';
import type { InspectionSettings } from '../inspect/settings';
import type { LabelledEmbeddings, Progress, RunControl } from '../types';
import { compareInspections, DEFAULT_LIST_SIZE, sideName, type Comparison } from './compare';
import { scopeEmbeddings, trainedClassesOf } from './heldOut';
import { matchItems } from './match';
import type { ItemScope, ItemsChoice } from './scope';

export type Side = 'a' | 'b';

export interface ComparisonInput {
  checkpointA: string;
  checkpointB: string;
  /** The dataset both are inspected on. */
  dataset?: string;
  /**
   * B's own dataset when it differs in form but not in items, e.g. a labels file for a .npy of
   * A's embeddings. Items are still matched by path, else by position.
   */
  datasetB?: string;
  settings: InspectionSettings;
  cacheDir?: string;
  /** Items in each of the most-worse / most-better lists (default 20). */
  listSize?: number;
  /**
   * When a side is a fine-tune whose record names the classes it trained on: score only the
   * classes it never saw ('held-out', the default) or every item ('all'). Ignored otherwise.
   */
  items?: ItemsChoice;
}

export interface ComparisonSink {
  /** A stage of one side's inspection finished (the panel can show that side's map early). */
  patch?(side: Side, stage: StageName, patch: InspectionPatch): void;
  frame?(side: Side, coords: Float32Array, epoch: number, epochs: number): void;
  progress?(p: Progress): void;
}

export type ComparisonRun =
  ({ cancelled: false; a: InspectionRun; b: InspectionRun } & Comparison) | { cancelled: true; a: InspectionRun; b?: InspectionRun };

export async function runComparison(input: ComparisonInput, sink: ComparisonSink = {}, control: RunControl = {}): Promise<ComparisonRun> {
  // B's items are checked against A's as soon as B is embedded: a mismatch fails before B's
  // metrics and UMAP are spent on a comparison that cannot be made.
  const early = new AbortController();
  let mismatch: unknown;
  let a: InspectionRun | undefined;
  const checkItems = (patch: InspectionPatch) => {
    if (!a?.data.items || !patch.items || mismatch) return;
    try {
      matchItems(
        { name: sideName('A', a.data.source), items: a.data.items },
        { name: sideName('B', { checkpoint: input.checkpointB, dataset: input.datasetB ?? input.dataset ?? '' }), items: patch.items },
      );
    } catch (err) {
      mismatch = err;
      early.abort();
    }
  };
  const signal = control.signal ? AbortSignal.any([control.signal, early.signal]) : early.signal;
  // After a fine-tune, the classes it trained on are left out unless every item is asked for; A
  // decides (it may fall back to every item when too little is held out) and B follows A.
  const trained = trainedClassesOf([input.checkpointA, input.checkpointB]);
  let scope: ItemScope | undefined;
  const select = trained?.fineTunes.length
    ? (e: LabelledEmbeddings) => {
        const r = scopeEmbeddings(e, trained, scope?.items ?? input.items ?? 'held-out');
        scope ??= r.scope;
        return r.embeddings;
      }
    : undefined;
  const side = async (s: Side): Promise<InspectionRun> => {
    const label = s.toUpperCase();
    const report = (p: Progress) => {
      const q = { ...p, stage: `${label}: ${p.stage}` };
      sink.progress?.(q);
      control.onProgress?.(q);
    };
    return runInspection(
      {
        checkpoint: s === 'a' ? input.checkpointA : input.checkpointB,
        dataset: s === 'a' ? input.dataset : (input.datasetB ?? input.dataset),
        settings: input.settings,
        cacheDir: input.cacheDir,
        select,
      },
      {
        patch: (stage, patch) => {
          if (s === 'b' && stage === 'embed') checkItems(patch);
          sink.patch?.(s, stage, patch);
        },
        frame: (coords, epoch, epochs) => sink.frame?.(s, coords, epoch, epochs),
      },
      { signal, onProgress: report },
    );
  };
  a = await side('a');
  if (a.cancelled) return { cancelled: true, a };
  const b = await side('b');
  if (mismatch) throw mismatch;
  if (b.cancelled) return { cancelled: true, a, b };
  const report = (p: Progress) => {
    sink.progress?.(p);
    control.onProgress?.(p);
  };
  report({ stage: 'compare', done: 0, total: 1 });
  try {
    const cmp = await compareInspections(a, b, {
      k: input.settings.neighborsK,
      listSize: input.listSize ?? DEFAULT_LIST_SIZE,
      signal: control.signal,
    });
    if (scope) cmp.data.scope = scope;
    if (trained?.notes.length) cmp.data.b.notes = [...(cmp.data.b.notes ?? []), ...trained.notes];
    report({ stage: 'compare', done: 1, total: 1 });
    return { cancelled: false, a, b, ...cmp };
  } catch (err) {
    if (isCancelled(err)) return { cancelled: true, a, b };
    throw err;
  }
}
