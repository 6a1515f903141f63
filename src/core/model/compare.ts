/** The comparison's data model: two inspections of one dataset and what changed between them. */
import type { ItemScope } from '../compare/scope';
import type { InspectionData } from './inspection';

export interface MetricDelta {
  /** SPEC §2 key, e.g. "recall@1", "map@r", "nmi". */
  key: string;
  a: number;
  b: number;
  /** b − a. */
  delta: number;
}

/** Per-class metric and geometry under A and B; distances are each model's own. */
export interface ClassDelta {
  classIndex: number;
  name: string;
  size: number;
  metrics: MetricDelta[];
}

/** One item whose retrieval changed: its top-K under both models, side by side. */
export interface ItemChange {
  index: number;
  /** Jaccard overlap of its K nearest neighbours under A and under B. */
  jaccard: number;
  /** Correct fraction of its top K (same label) under A and B. */
  precisionA: number;
  precisionB: number;
  topA: Int32Array;
  topB: Int32Array;
}

export interface CompareData {
  title: string;
  /** Both inspections over the same items (same order); B's layouts are Procrustes-aligned onto A's. */
  a: InspectionData;
  b: InspectionData;
  /** Neighbourhood size of the Jaccard overlap. */
  k: number;
  /** Per item: Jaccard overlap of the K nearest neighbours under A and B, in the original spaces. */
  jaccard: Float32Array;
  meanJaccard: number;
  headline: MetricDelta[];
  /** Sorted by the largest absolute change first. */
  classes: ClassDelta[];
  eet: MetricDelta[];
  /** Items whose top-K precision dropped most / rose most (ties: lower Jaccard first). */
  worse: ItemChange[];
  better: ItemChange[];
  alignment: { scale: number; rmsd: number; shared: number };
  /** Set when a side is a fine-tune that names its training classes: which items were scored (held-out classes by default). */
  scope?: ItemScope;
  /** What the comparison itself assumed (each side's own notes are in a.notes / b.notes). */
  notes?: string[];
}
