import { LensError } from '../errors';
import { capProblem } from '../limits';
import type { RunControl } from '../types';

/** What is trained: every layer, only the last N layers with weights, or a head on frozen features. */
export type TrainWhat = 'all' | { lastLayers: number } | 'head';
export type ValidationMode = 'class-disjoint' | 'split';

export interface FineTuneSettings {
  epochs: number;
  lr: number;
  margin: number;
  /** [λ_mc, λ_ec, λ_edc]. */
  weights: [number, number, number];
  /** P classes × K samples per batch. */
  pk: [number, number];
  normalize: boolean;
  train: TrainWhat;
  validation: ValidationMode;
  /** Fraction of classes held out by the class-disjoint split. */
  valFraction: number;
  /** Cap on validation items (stratified), so the per-epoch retrieval stays a few seconds. */
  maxValItems: number;
  seed: number;
}

/** Enter, Enter, Enter: what the form and the CLI start from. */
export const DEFAULT_SETTINGS: FineTuneSettings = {
  epochs: 5,
  lr: 1e-4,
  margin: 0.3,
  weights: [1, 1, 1],
  pk: [8, 4],
  normalize: true,
  train: 'all',
  validation: 'class-disjoint',
  valFraction: 0.2,
  maxValItems: 2000,
  seed: 42,
};

/** The learning rate a fresh head starts from: it is small and randomly placed, so it can move faster. */
export const DEFAULT_HEAD_LR = 1e-3;

export interface StepReport {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  mc: number;
  ec: number;
  edc: number;
  /** Seconds left for the whole run, from the mean step time so far. */
  etaSeconds: number;
  stepsPerSecond: number;
}

export interface EpochReport {
  /** 0 is the model before training. */
  epoch: number;
  /** Mean of each EET term over the epoch's steps (absent for epoch 0). */
  loss?: { total: number; mc: number; ec: number; edc: number };
  /** classes / items: the validation set the figures were computed on (e.g. 2 held-out classes, 120 items). */
  val: { mapAtR: number; recallAt1: number; queries: number; classes?: number; items?: number; totalClasses?: number; totalItems?: number };
  seconds: number;
}

export interface FineTuneResult {
  outDir: string;
  history: EpochReport[];
  /** The epoch whose weights were written (best validation map@r). */
  best: { epoch: number; mapAtR: number; recallAt1: number };
  cancelled: boolean;
  /** Set when training stopped on an error after the best epoch so far was saved. */
  error?: string;
  /**
   * Set when the output folder held an earlier fine-tune result: this run was written beside it
   * (runDir) and replaced it only when it finished with a better best map@r on the same
   * validation split (replaced: true; outDir above is then the earlier folder, else runDir).
   */
  earlier?: { outDir: string; runDir: string; mapAtR: number; comparable: boolean; replaced: boolean };
  /** tfjs backend that trained. */
  backend: string;
  /** What validation measured: the validation set's classes and items, and the whole dataset's (for the warning of heldOutAdvice.ts). */
  validation?: ValidationSize;
}

/** The size of a validation set and of the data it was taken from. */
export interface ValidationSize {
  mode: ValidationMode;
  /** Classes and items validated on (after the maxValItems cap). */
  classes: number;
  items: number;
  /** Classes and items of the dataset the split was made from. */
  totalClasses: number;
  totalItems: number;
}

export interface FineTuneCallbacks {
  onStep?(s: StepReport): void;
  onEpoch?(e: EpochReport): void;
}

export type FineTuneOptions = Partial<FineTuneSettings> & {
  /** model.json (LayersModel or GraphModel), a folder holding one, or an .onnx file. */
  checkpoint: string;
  /** Anything the dataset loader reads: ImageFolder, manifest, IDX. */
  dataset: string;
  /** Defaults to a new folder beside the source (see defaultOutDir). */
  outDir?: string;
  /** tfjs backend setting ('auto' picks the fastest that loads). */
  backend?: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  /** Cap on training items (stratified), 0 = all. */
  maxItems?: number;
  /** Where the run goes when outDir holds an earlier result (default: the first free `<outDir>-run-N`). */
  runDir?: string;
  /** Replace an earlier result at outDir at the end of a finished run even when it is not better (the demo's own folder). */
  replaceEarlier?: boolean;
} & RunControl &
  FineTuneCallbacks;

function bad(msg: string): never {
  throw new LensError(msg);
}

/** Defaults filled in and every value range-checked: a bad setting fails before any work. */
export function resolveSettings(o: Partial<FineTuneSettings>): FineTuneSettings {
  // Only the settings' own keys: callers pass whole FineTuneOptions, whose paths, signal and
  // callbacks must not end up in the settings recorded in fine-tune.json.
  const given = stripUndefined(o) as Record<string, unknown>;
  const s = Object.fromEntries(
    (Object.keys(DEFAULT_SETTINGS) as (keyof FineTuneSettings)[]).map((k) => [k, k in given ? given[k] : DEFAULT_SETTINGS[k]]),
  ) as unknown as FineTuneSettings;
  if (o.lr === undefined && s.train === 'head') s.lr = DEFAULT_HEAD_LR;
  if (!Number.isInteger(s.epochs) || s.epochs < 1) bad(`epochs must be an integer ≥ 1, got ${s.epochs}`);
  const epochsOver = capProblem('trainEpochs', s.epochs);
  if (epochsOver) bad(epochsOver);
  if (!(s.lr > 0) || !Number.isFinite(s.lr)) bad(`learning rate must be > 0, got ${s.lr}`);
  if (!(s.margin >= 0) || !Number.isFinite(s.margin)) bad(`margin must be ≥ 0, got ${s.margin}`);
  if (s.weights.length !== 3 || s.weights.some((w) => !(w >= 0) || !Number.isFinite(w)) || s.weights.every((w) => w === 0)) {
    bad(`weights must be three numbers ≥ 0 (λ_mc, λ_ec, λ_edc), not all 0; got ${s.weights.join(',')}`);
  }
  const [p, k] = s.pk;
  if (s.pk.length !== 2 || !Number.isInteger(p) || !Number.isInteger(k) || p < 2 || k < 2) {
    bad(`P×K must be two integers with P ≥ 2 classes and K ≥ 2 samples (a batch needs positives and negatives); got ${s.pk.join('×')}`);
  }
  if (typeof s.train === 'object') {
    if (!Number.isInteger(s.train.lastLayers) || s.train.lastLayers < 1)
      bad(`lastLayers must be an integer ≥ 1, got ${s.train.lastLayers}`);
  } else if (s.train !== 'all' && s.train !== 'head') bad(`train must be "all", "head" or {lastLayers: N}, got ${JSON.stringify(s.train)}`);
  if (s.validation !== 'class-disjoint' && s.validation !== 'split')
    bad(`validation must be "class-disjoint" or "split", got ${s.validation}`);
  if (!(s.valFraction > 0 && s.valFraction < 1)) bad(`validation fraction must be in (0, 1), got ${s.valFraction}`);
  if (!Number.isInteger(s.maxValItems) || s.maxValItems < 10) bad(`maxValItems must be an integer ≥ 10, got ${s.maxValItems}`);
  if (!Number.isInteger(s.seed)) bad(`seed must be an integer, got ${s.seed}`);
  return s;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
