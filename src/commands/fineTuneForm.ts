/**
 * The fine-tune form's model: which settings it lists, how each is shown and what it means, and
 * how typed text becomes a value. No `vscode` import: the quick pick in fineTune.ts draws these
 * rows, and the unit tests check the parsing without a VS Code.
 *
 * Every parser accepts what a person would type ("1e-4", "8x4", "1, 0.5, 1", "20%") and rejects
 * the rest with a sentence saying what is expected, shown live under the input box.
 */
import { DEFAULT_HEAD_LR, DEFAULT_SETTINGS, resolveSettings, type FineTuneSettings, type TrainWhat } from '../core/train/options';

export type FormField = 'epochs' | 'lr' | 'margin' | 'weights' | 'pk' | 'normalize' | 'train' | 'validation' | 'seed';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

export interface FormState {
  settings: FineTuneSettings;
  /** Set once the user typed a learning rate; until then switching to head-only moves it to the head default. */
  lrEdited: boolean;
  /** Why only a head can be trained (ONNX / GraphModel), or undefined when every choice is open. */
  headOnlyReason?: string;
}

/** The EET settings a user keeps in `embeddingLens.eet.*` (the inspection's breakdown uses them too). */
export interface UserEetDefaults {
  margin: number;
  weights: [number, number, number];
  pk: [number, number];
}

export function headOnlyReasonFor(kind: string): string | undefined {
  if (kind === 'onnx')
    return 'an ONNX model runs in onnxruntime, which cannot compute gradients: only a projection head on its frozen features can be trained';
  if (kind === 'tfjs-graph')
    return 'a tfjs GraphModel has no trainable layers: only a projection head on its frozen features can be trained';
  return undefined;
}

/**
 * Defaults (Enter, Enter, Enter): the engine's, with the EET terms from the user's settings, then
 * whatever the caller passed. Forced head-only for checkpoints tfjs cannot train.
 */
export function initialFormState(kind: string, user: UserEetDefaults, given: Partial<FineTuneSettings> = {}): FormState {
  const headOnlyReason = headOnlyReasonFor(kind);
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<FineTuneSettings>;
  const settings: FineTuneSettings = { ...DEFAULT_SETTINGS, margin: user.margin, weights: [...user.weights], pk: [...user.pk], ...defined };
  if (headOnlyReason) settings.train = 'head';
  const lrEdited = defined.lr !== undefined;
  if (!lrEdited) settings.lr = settings.train === 'head' ? DEFAULT_HEAD_LR : DEFAULT_SETTINGS.lr;
  // The engine's own range checks, so a bad value from settings.json fails here with its message.
  return { settings: resolveSettings(settings), lrEdited, headOnlyReason };
}

// ───────────────────────── parsers ─────────────────────────

function num(text: string): number {
  const t = text.trim();
  // Number('') is 0 and Number('0x10') is 16: neither is what a person typing a setting means.
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(t)) return NaN;
  return Number(t);
}

export function parseEpochs(text: string): Parsed<number> {
  const v = num(text);
  if (!Number.isInteger(v) || v < 1 || v > 10000) return { ok: false, error: 'Epochs: a whole number from 1 to 10000' };
  return { ok: true, value: v };
}

export function parseLearningRate(text: string): Parsed<number> {
  const v = num(text);
  if (!(v > 0) || v > 1) return { ok: false, error: 'Learning rate: a number above 0 and at most 1, e.g. 1e-4 or 0.0003' };
  return { ok: true, value: v };
}

export function parseMargin(text: string, normalize: boolean): Parsed<number> {
  const v = num(text);
  if (!(v >= 0) || !Number.isFinite(v)) return { ok: false, error: 'Margin α: a number ≥ 0, e.g. 0.3' };
  // On the unit sphere no two points are more than 2 apart, so such a margin can never be met.
  if (normalize && v >= 2)
    return {
      ok: false,
      error: 'Margin α: below 2 — with normalised embeddings every distance is at most 2, so d(a,p) + α < d(a,n) could never hold',
    };
  return { ok: true, value: v };
}

function list(text: string): string[] {
  return text
    .trim()
    .split(/\s*[,;\s]\s*/)
    .filter((x) => x !== '');
}

export function parseWeights(text: string): Parsed<[number, number, number]> {
  const parts = list(text).map(num);
  if (parts.length !== 3 || parts.some((w) => !(w >= 0) || !Number.isFinite(w))) {
    return { ok: false, error: 'Weights: three numbers ≥ 0 for λ_mc, λ_ec, λ_edc, e.g. "1, 1, 1"' };
  }
  if (parts.every((w) => w === 0)) return { ok: false, error: 'Weights: at least one λ must be above 0, or there is nothing to minimise' };
  return { ok: true, value: [parts[0], parts[1], parts[2]] };
}

export function parsePk(text: string): Parsed<[number, number]> {
  const parts = text
    .trim()
    .split(/\s*[x×*,\s]\s*/i)
    .filter((x) => x !== '')
    .map(num);
  if (parts.length !== 2 || parts.some((v) => !Number.isInteger(v)))
    return { ok: false, error: 'P×K: two whole numbers, classes × samples per class, e.g. "8x4"' };
  const [p, k] = parts;
  if (p < 2) return { ok: false, error: 'P×K: P ≥ 2 — a batch needs at least two classes to have negatives' };
  if (k < 2) return { ok: false, error: 'P×K: K ≥ 2 — a batch needs two samples of a class to have positives' };
  if (p * k > 4096) return { ok: false, error: `P×K: at most 4096 images per batch, got ${p * k}` };
  return { ok: true, value: [p, k] };
}

export function parseLastLayers(text: string): Parsed<number> {
  const v = num(text);
  if (!Number.isInteger(v) || v < 1 || v > 1000)
    return { ok: false, error: 'Last layers: a whole number ≥ 1 (layers with weights, counted from the output)' };
  return { ok: true, value: v };
}

/** "20%", "20" (read as percent) or "0.2". */
export function parseValFraction(text: string): Parsed<number> {
  const t = text.trim();
  const percent = t.endsWith('%');
  let v = num(percent ? t.slice(0, -1) : t);
  if (percent || v >= 1) v /= 100;
  if (!(v > 0 && v < 1)) return { ok: false, error: 'Held-out classes: a fraction between 0 and 1 or a percentage, e.g. 0.2 or 20%' };
  return { ok: true, value: v };
}

export function parseSeed(text: string): Parsed<number> {
  const v = num(text);
  if (!Number.isSafeInteger(v)) return { ok: false, error: 'Seed: a whole number' };
  return { ok: true, value: v };
}

// ───────────────────────── display ─────────────────────────

function short(x: number): string {
  return Number(x.toPrecision(6)).toString();
}

export function describeTrain(train: TrainWhat): string {
  if (train === 'all') return 'end to end';
  if (train === 'head') return 'projection head only';
  return `last ${train.lastLayers} layer${train.lastLayers === 1 ? '' : 's'}`;
}

export function describeValidation(s: FineTuneSettings): string {
  return s.validation === 'split' ? "the dataset's own split" : `${short(s.valFraction * 100)}% of classes held out`;
}

export function formatValue(field: FormField, s: FineTuneSettings): string {
  switch (field) {
    case 'epochs':
      return String(s.epochs);
    case 'lr':
      return s.lr
        .toExponential()
        .replace(/\.?0+e/, 'e')
        .replace('e+', 'e');
    case 'margin':
      return short(s.margin);
    case 'weights':
      return s.weights.map(short).join(', ');
    case 'pk':
      return `${s.pk[0]} × ${s.pk[1]}`;
    case 'normalize':
      return s.normalize ? 'on' : 'off';
    case 'train':
      return describeTrain(s.train);
    case 'validation':
      return describeValidation(s);
    case 'seed':
      return String(s.seed);
  }
}

export interface FormRow {
  field: FormField;
  label: string;
  value: string;
  /** What the setting means, for the row's detail line. */
  detail: string;
}

/** The rows in the order the form lists them, with their current values. */
export function formRows(state: FormState): FormRow[] {
  const s = state.settings;
  const row = (field: FormField, label: string, detail: string): FormRow => ({ field, label, value: formatValue(field, s), detail });
  return [
    row('epochs', 'Epochs', 'Passes over the training classes; validation runs after each, and the best epoch is what gets saved.'),
    row(
      'lr',
      'Learning rate',
      `Adam step size. Fine-tuning a trained model wants it small (${formatValue('lr', { ...s, lr: DEFAULT_SETTINGS.lr })}); a fresh head can take ${formatValue('lr', { ...s, lr: DEFAULT_HEAD_LR })}.`,
    ),
    row('margin', 'Margin α', 'How much farther the hardest negative must be than the hardest positive: max(0, d(a,p) − d(a,n) + α).'),
    row(
      'weights',
      'Loss weights λ_mc, λ_ec, λ_edc',
      'Triplet term (MC), equidistant term |d(a,n) − d(p,n)| (EC), equidistributed class spread (EDC).',
    ),
    row('pk', 'Batch P × K', 'P classes × K images per class in each batch; batch-hard mining needs K ≥ 2 and P ≥ 2.'),
    row(
      'normalize',
      'Embedding normalisation',
      'Compute the loss on L2-normalised embeddings (distances on the unit sphere, ranks as cosine). Select to toggle.',
    ),
    row(
      'train',
      'What to train',
      state.headOnlyReason
        ? `Fixed to the head: ${state.headOnlyReason}.`
        : 'End to end, only the last N layers with weights, or a new projection head on frozen features.',
    ),
    row(
      'validation',
      'Validation split',
      'Held-out classes (the retrieval protocol: unseen classes), or the split column of a manifest. map@r and recall@1 per epoch.',
    ),
    row('seed', 'Seed', 'Fixes the split, the batch order and the head initialisation, so a run can be repeated.'),
  ];
}

/** One line summing the settings up, for the "Start training" row. */
export function summary(state: FormState): string {
  const s = state.settings;
  return `${s.epochs} epoch${s.epochs === 1 ? '' : 's'} · lr ${formatValue('lr', s)} · α ${formatValue('margin', s)} · λ ${formatValue('weights', s)} · ${s.pk[0]}×${s.pk[1]} · ${describeTrain(s.train)}`;
}

// ───────────────────────── edits ─────────────────────────

/** The text an input box for a field starts from. */
export function editText(field: FormField, s: FineTuneSettings): string {
  if (field === 'pk') return `${s.pk[0]}x${s.pk[1]}`;
  if (field === 'lr') return formatValue('lr', s);
  return formatValue(field, s);
}

/** Validates text typed for a free-text field; the message, or undefined when it is fine (showInputBox's validateInput). */
export function validateText(
  field: 'epochs' | 'lr' | 'margin' | 'weights' | 'pk' | 'seed',
  text: string,
  s: FineTuneSettings,
): string | undefined {
  const r = parseText(field, text, s);
  return r.ok ? undefined : r.error;
}

function parseText(field: 'epochs' | 'lr' | 'margin' | 'weights' | 'pk' | 'seed', text: string, s: FineTuneSettings): Parsed<unknown> {
  switch (field) {
    case 'epochs':
      return parseEpochs(text);
    case 'lr':
      return parseLearningRate(text);
    case 'margin':
      return parseMargin(text, s.normalize);
    case 'weights':
      return parseWeights(text);
    case 'pk':
      return parsePk(text);
    case 'seed':
      return parseSeed(text);
  }
}

/** The state after a free-text field was set; throws on text validateText would reject. */
export function applyText(state: FormState, field: 'epochs' | 'lr' | 'margin' | 'weights' | 'pk' | 'seed', text: string): FormState {
  const r = parseText(field, text, state.settings);
  if (!r.ok) throw new RangeError(r.error);
  return { ...state, settings: { ...state.settings, [field]: r.value }, lrEdited: state.lrEdited || field === 'lr' };
}

/** Switching what is trained also moves an untouched learning rate to that mode's default. */
export function applyTrain(state: FormState, train: TrainWhat): FormState {
  if (state.headOnlyReason && train !== 'head') throw new RangeError(`Only the head can be trained: ${state.headOnlyReason}`);
  const lr = state.lrEdited ? state.settings.lr : train === 'head' ? DEFAULT_HEAD_LR : DEFAULT_SETTINGS.lr;
  return { ...state, settings: { ...state.settings, train, lr } };
}

export function toggleNormalize(state: FormState): FormState {
  const normalize = !state.settings.normalize;
  // A margin chosen for raw distances may be unreachable on the unit sphere (see parseMargin).
  const margin = normalize && state.settings.margin >= 2 ? DEFAULT_SETTINGS.margin : state.settings.margin;
  return { ...state, settings: { ...state.settings, normalize, margin } };
}

/**
 * Which row the list highlights when it reopens after the user chose `row`: "Start" once a value
 * changed, so the next Enter starts the run (the edited row highlighted made Enter reopen it);
 * the same row when the edit was abandoned (Escape), to try again.
 */
export function rowAfterEdit<Row extends string>(row: Row, changed: boolean): Row | 'start' {
  return changed ? 'start' : row;
}

export function applyValidation(
  state: FormState,
  validation: FineTuneSettings['validation'],
  valFraction = state.settings.valFraction,
): FormState {
  return { ...state, settings: { ...state.settings, validation, valFraction } };
}
