/**
 * Messages between the extension host and the panel webview, and the panel's data model.
 * Imported by both sides: no `vscode`, no DOM, no Node APIs.
 *
 * Large arrays (coordinates, labels, neighbour tables) are typed arrays so postMessage moves them
 * as buffers; the self-contained HTML report inlines the same model through `encodeInspection`.
 */

import type { ItemScope, ItemsChoice } from './core/compare/scope';

export type { ItemScope, ItemsChoice };

// ───────────────────────── data model ─────────────────────────

export type DistanceKind = 'cosine' | 'euclidean';

/** Every item of the inspected dataset, index-aligned. */
export interface InspectionItems {
  n: number;
  /** Class index per item, into classNames. */
  labels: Int32Array;
  classNames: string[];
  /** Item identity shown to the user (absolute path, or "file.idx#123"). */
  paths: string[];
  /** Image URL per item (webview URI in the panel, data: URI in a report); '' where none. */
  thumbnails?: string[];
}

/** 2-D layouts, n×2 row-major in [x0, y0, x1, y1, …]. */
export interface InspectionLayout {
  pca?: Float32Array;
  umap?: Float32Array;
  /**
   * Present while `umap` is a stopped (cancelled) run's layout after `epoch` of `epochs` epochs:
   * the map says "partial layout (epoch/epochs)" and offers Resume, which continues that run.
   */
  umapPartial?: { epoch: number; epochs: number };
}

/** Top-K neighbours of every item in the original embedding space (query itself excluded). */
export interface NeighbourTable {
  k: number;
  /** n×k item indices, row-major, nearest first. */
  indices: Int32Array;
  /** n×k distances, same layout. */
  distances: Float32Array;
}

export interface RecallAt {
  k: number;
  value: number;
}

export interface HeaderMetrics {
  recallAtK: RecallAt[];
  precisionAt1: number;
  rPrecision: number;
  mapAtR: number;
  mrr?: number;
  nmi?: number;
  ami?: number;
  queries: number;
  excludedQueries: number;
  protocol: 'leave-one-out' | 'query-gallery';
  /**
   * Present when the metrics were estimated from a sample of queries (each ranked exactly against
   * the whole gallery): how many of how many, the seed, the method, and each metric's 95% CI
   * half-width keyed as the CLI's JSON (recall@1, precision@1, r_precision, map@r, mrr).
   */
  sampled?: { queries: number; of: number; seed: number; method: string; ci95: Record<string, number> };
}

/** One row of the per-class table; distances in the retrieval distance. */
export interface ClassRow {
  classIndex: number;
  name: string;
  size: number;
  meanDistToCentroid: number;
  p90Radius: number;
  /** Nearest other class (index) by minimum item-to-item distance; -1 when there is only one class. */
  nearestClass: number;
  nearestDistance: number;
  precisionAt1: number;
  mapAtR: number;
  /** Queries of this class that were ranked, when the metrics come from a sample. */
  sampledQueries?: number;
}

export type EetTermName = 'mc' | 'ec' | 'm' | 'e' | 'edc' | 'total';
export const EET_TERMS: readonly EetTermName[] = ['mc', 'ec', 'm', 'e', 'edc', 'total'];

export interface TermStat {
  mean: number;
  std: number;
}

export interface Histogram {
  /** bins + 1 ascending edges. */
  edges: number[];
  counts: number[];
}

export interface EetSettings {
  normalize: boolean;
  margin: number;
  lambdaMc: number;
  lambdaEc: number;
  lambdaEdc: number;
  batches: number;
  p: number;
  k: number;
  seed: number;
}

export interface EetClassAttribution {
  classIndex: number;
  mc: number;
  ec: number;
  m: number;
  e: number;
}

export interface EetBreakdown {
  settings: EetSettings;
  terms: Record<EetTermName, TermStat>;
  perClass: EetClassAttribution[];
  /** d(a,p) and d(a,n) of the batch-hard triplets over the whole dataset. */
  dap: Histogram;
  dan: Histogram;
  /** Fraction of anchors with d(a,p) + margin > d(a,n). */
  violationRate: number;
  anchors: number;
}

export interface StageTiming {
  stage: string;
  ms: number;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface InspectionSource {
  checkpoint: string;
  dataset: string;
}

/**
 * What the panel shows. Every section but `source` is optional so the panel can open before the
 * engine is done and fill in as each stage finishes.
 */
export interface InspectionData {
  title: string;
  source: InspectionSource;
  backend?: string;
  distance?: DistanceKind;
  items?: InspectionItems;
  layout?: InspectionLayout;
  neighbours?: NeighbourTable;
  metrics?: HeaderMetrics;
  classes?: ClassRow[];
  eet?: EetBreakdown;
  timings?: StageTiming[];
  skipped?: SkippedFile[];
  /**
   * What changes or qualifies the numbers ("input size 224×224: the model input is dynamic", a
   * subsample, a sampled metric): always shown in the header.
   */
  notes?: string[];
  /**
   * Routine remarks on how the run went — runtimes passed over and why ("tfjs backend
   * tfjs-node-gpu not used: no NVIDIA GPU driver found"), what came from a cache: the numbers are
   * the same either way, so the header keeps them behind a "details" toggle. Each producer puts a
   * remark in one list or the other; nothing sorts them by their text.
   */
  details?: string[];
}

/** The part of InspectionData a stage delivers; merged shallowly into what the panel has. */
export type InspectionPatch = Partial<Omit<InspectionData, 'layout'>> & { layout?: InspectionLayout };

/** View state the webview persists (vscode.setState) so the panel restores after a reload. */
export interface PanelViewState {
  tab: PanelTab;
  hiddenClasses: number[];
  isolatedClass: number | null;
  selection: number[];
  search: string;
  queryIndex: number | null;
  k: number;
  transform?: { x: number; y: number; k: number };
  /** What was inspected: lets the host re-run (from cache) after a window reload. */
  source?: InspectionSource;
  /** A comparison's B side (`source` is then A's). */
  sourceB?: InspectionSource;
}

export type PanelTab = 'neighbours' | 'classes' | 'eet' | 'selection';
export const PANEL_TABS: readonly PanelTab[] = ['neighbours', 'classes', 'eet', 'selection'];

// ───────────────────────── host → webview ─────────────────────────

export type PanelMode = 'panel' | 'report' | 'compare';

export type NeighbourQuery =
  | { kind: 'item'; index: number }
  | { kind: 'image'; name: string };

export interface NeighbourResult {
  query: NeighbourQuery;
  /** Class of the query when known (items always; images when the host was given a label). */
  queryLabel?: number;
  indices: Int32Array;
  distances: Float32Array;
}

export type HostToWebview =
  | { type: 'init'; mode: PanelMode; data: InspectionData; state?: PanelViewState }
  | { type: 'stage'; stage: string; patch: InspectionPatch }
  | {
      type: 'layoutFrame';
      layout: 'umap';
      epoch: number;
      epochs: number;
      coords: Float32Array;
      final: boolean;
    }
  | { type: 'progress'; stage: string; done: number; total: number; message?: string }
  | { type: 'done' }
  | { type: 'neighboursResult'; requestId: number; result: NeighbourResult }
  | { type: 'exportDone'; requestId: number; path: string }
  | { type: 'error'; message: string; file?: string; requestId?: number };

// ───────────────────────── webview → host ─────────────────────────

export type ExportFormat = 'png' | 'csv' | 'json';
export type ExportWhat = 'map' | 'metrics' | 'classes';

export type WebviewToHost =
  | { type: 'ready'; state?: PanelViewState }
  | { type: 'state'; state: PanelViewState }
  | { type: 'neighbours'; requestId: number; index: number; k: number }
  | { type: 'queryImage'; requestId: number; name: string; bytes: Uint8Array; k: number }
  | {
      type: 'export';
      requestId: number;
      what: ExportWhat;
      format: ExportFormat;
      fileName: string;
      /** Text for csv/json, PNG bytes for png. */
      content: string | Uint8Array;
    }
  | { type: 'openItem'; index: number }
  | { type: 'cancel' }
  /** Compare panel: score the held-out classes only, or every item (after a fine-tune). */
  | { type: 'compareItems'; items: ItemsChoice }
  /** Continue the stopped UMAP of layout.umapPartial. */
  | { type: 'resumeUmap' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

// ───────────────────────── validation of untrusted input ─────────────────────────

/** A message from the webview that does not match the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(`Invalid webview message: ${message}`);
    this.name = 'ProtocolError';
  }
}

/** Caps that keep a compromised or buggy webview from making the host allocate or write huge things. */
export const LIMITS = {
  maxK: 1000,
  maxImageBytes: 50 * 1024 * 1024,
  maxExportBytes: 200 * 1024 * 1024,
  maxString: 4096,
  maxStateIndices: 1_000_000,
} as const;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(o: Record<string, unknown>, key: string, min: number, max: number): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ProtocolError(`"${key}" must be an integer in [${min}, ${max}], got ${describe(v)}`);
  }
  return v;
}

function str(o: Record<string, unknown>, key: string, maxLen: number = LIMITS.maxString): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length > maxLen) {
    throw new ProtocolError(`"${key}" must be a string of at most ${maxLen} characters, got ${describe(v)}`);
  }
  return v;
}

function oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[]): T {
  const v = o[key];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ProtocolError(`"${key}" must be one of ${allowed.join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return v.length > 40 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number') return String(v);
  return typeof v;
}

/** File names only: a webview must never choose a directory to write into. */
function fileName(o: Record<string, unknown>): string {
  const v = str(o, 'fileName', 255);
  if (v.length === 0 || /[\\/\0]/.test(v) || v === '.' || v === '..') {
    throw new ProtocolError(`"fileName" must be a bare file name, got ${describe(v)}`);
  }
  return v;
}

function bytes(o: Record<string, unknown>, key: string, max: number): Uint8Array {
  const v = o[key];
  // Structured clone may deliver a typed array or, from some hosts, a bare ArrayBuffer.
  if (v instanceof Uint8Array) {
    if (v.byteLength > max) throw new ProtocolError(`"${key}" is larger than ${max} bytes`);
    return v;
  }
  if (v instanceof ArrayBuffer) {
    if (v.byteLength > max) throw new ProtocolError(`"${key}" is larger than ${max} bytes`);
    return new Uint8Array(v);
  }
  throw new ProtocolError(`"${key}" must be a Uint8Array, got ${describe(v)}`);
}

function indexList(v: unknown, key: string): number[] {
  if (!Array.isArray(v) || v.length > LIMITS.maxStateIndices) {
    throw new ProtocolError(`"${key}" must be an array of at most ${LIMITS.maxStateIndices} indices`);
  }
  for (const x of v) {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
      throw new ProtocolError(`"${key}" must hold non-negative integers, found ${describe(x)}`);
    }
  }
  return v as number[];
}

function finite(o: Record<string, unknown>, key: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ProtocolError(`"${key}" must be a finite number`);
  return v;
}

export function validateViewState(v: unknown): PanelViewState {
  if (!isObject(v)) throw new ProtocolError(`"state" must be an object, got ${describe(v)}`);
  const isolated = v.isolatedClass;
  const queryIndex = v.queryIndex;
  if (isolated !== null && !(typeof isolated === 'number' && Number.isInteger(isolated) && isolated >= 0)) {
    throw new ProtocolError('"isolatedClass" must be null or a class index');
  }
  if (queryIndex !== null && !(typeof queryIndex === 'number' && Number.isInteger(queryIndex) && queryIndex >= 0)) {
    throw new ProtocolError('"queryIndex" must be null or an item index');
  }
  const state: PanelViewState = {
    tab: oneOf(v, 'tab', PANEL_TABS),
    hiddenClasses: indexList(v.hiddenClasses, 'hiddenClasses'),
    isolatedClass: isolated as number | null,
    selection: indexList(v.selection, 'selection'),
    search: str(v, 'search', 500),
    queryIndex: queryIndex as number | null,
    k: int(v, 'k', 1, LIMITS.maxK),
  };
  if (v.source !== undefined) {
    if (!isObject(v.source)) throw new ProtocolError('"source" must be an object');
    state.source = { checkpoint: str(v.source, 'checkpoint'), dataset: str(v.source, 'dataset') };
  }
  if (v.sourceB !== undefined) {
    if (!isObject(v.sourceB)) throw new ProtocolError('"sourceB" must be an object');
    state.sourceB = { checkpoint: str(v.sourceB, 'checkpoint'), dataset: str(v.sourceB, 'dataset') };
  }
  if (v.transform !== undefined) {
    if (!isObject(v.transform)) throw new ProtocolError('"transform" must be an object');
    state.transform = { x: finite(v.transform, 'x'), y: finite(v.transform, 'y'), k: finite(v.transform, 'k') };
  }
  return state;
}

/**
 * Checks a message from the webview (untrusted: its content came from a web page) and returns it
 * typed, with only the known fields copied. Throws ProtocolError naming the first bad field.
 * Item indices are range-checked by the caller, which knows n.
 */
export function validateWebviewMessage(msg: unknown): WebviewToHost {
  if (!isObject(msg)) throw new ProtocolError(`expected an object, got ${describe(msg)}`);
  const type = msg.type;
  switch (type) {
    case 'ready':
      return msg.state === undefined ? { type } : { type, state: validateViewState(msg.state) };
    case 'state':
      return { type, state: validateViewState(msg.state) };
    case 'neighbours':
      return {
        type,
        requestId: int(msg, 'requestId', 0, Number.MAX_SAFE_INTEGER),
        index: int(msg, 'index', 0, 2 ** 31 - 1),
        k: int(msg, 'k', 1, LIMITS.maxK),
      };
    case 'queryImage':
      return {
        type,
        requestId: int(msg, 'requestId', 0, Number.MAX_SAFE_INTEGER),
        name: str(msg, 'name', 255),
        bytes: bytes(msg, 'bytes', LIMITS.maxImageBytes),
        k: int(msg, 'k', 1, LIMITS.maxK),
      };
    case 'export': {
      const format = oneOf(msg, 'format', ['png', 'csv', 'json'] as const);
      const content =
        format === 'png' ? bytes(msg, 'content', LIMITS.maxExportBytes) : str(msg, 'content', LIMITS.maxExportBytes);
      return {
        type,
        requestId: int(msg, 'requestId', 0, Number.MAX_SAFE_INTEGER),
        what: oneOf(msg, 'what', ['map', 'metrics', 'classes'] as const),
        format,
        fileName: fileName(msg),
        content,
      };
    }
    case 'openItem':
      return { type, index: int(msg, 'index', 0, 2 ** 31 - 1) };
    case 'cancel':
    case 'resumeUmap':
      return { type };
    case 'compareItems':
      return { type, items: oneOf(msg, 'items', ['held-out', 'all'] as const) };
    case 'log':
      return { type, level: oneOf(msg, 'level', ['info', 'warn', 'error'] as const), message: str(msg, 'message') };
    default:
      throw new ProtocolError(`unknown message type ${describe(type)}`);
  }
}

// ───────────────────────── JSON encoding (HTML report, saved state) ─────────────────────────

type TypedKind = 'f32' | 'i32' | 'u8';
interface EncodedTyped {
  $typed: TypedKind;
  b64: string;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

export function bytesToBase64(b: Uint8Array): string {
  const parts: string[] = [];
  // Chunked so that huge arrays never build one giant intermediate array of characters.
  const CHUNK = 3 * 16384;
  for (let start = 0; start < b.length; start += CHUNK) {
    const end = Math.min(b.length, start + CHUNK);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const v = (b[i] << 16) | (b[i + 1] << 8) | b[i + 2];
      s += B64[v >> 18] + B64[(v >> 12) & 63] + B64[(v >> 6) & 63] + B64[v & 63];
    }
    if (i < end) {
      const rest = end - i;
      const v = (b[i] << 16) | (rest > 1 ? b[i + 1] << 8 : 0);
      s += B64[v >> 18] + B64[(v >> 12) & 63] + (rest > 1 ? B64[(v >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

export function base64ToBytes(s: string): Uint8Array {
  // The platform decoder (browsers, Node ≥ 16) is several times faster than the loop below.
  const atobFn = (globalThis as { atob?: (s: string) => string }).atob;
  if (atobFn) {
    let bin: string;
    try {
      bin = atobFn(s);
    } catch {
      throw new Error('invalid base64');
    }
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    const c0 = B64_INDEX[clean.charCodeAt(i)] ?? -1;
    const c1 = B64_INDEX[clean.charCodeAt(i + 1)] ?? -1;
    const c2 = i + 2 < clean.length ? (B64_INDEX[clean.charCodeAt(i + 2)] ?? -1) : 0;
    const c3 = i + 3 < clean.length ? (B64_INDEX[clean.charCodeAt(i + 3)] ?? -1) : 0;
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0) throw new Error(`invalid base64 at offset ${i}`);
    const v = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3;
    out[o++] = v >> 16;
    if (o < out.length) out[o++] = (v >> 8) & 255;
    if (o < out.length) out[o++] = v & 255;
  }
  return out;
}

function encodeTyped(v: Float32Array | Int32Array | Uint8Array): EncodedTyped {
  const kind: TypedKind = v instanceof Float32Array ? 'f32' : v instanceof Int32Array ? 'i32' : 'u8';
  // Little-endian on every platform VS Code runs on; the report is read back by the same layout.
  return { $typed: kind, b64: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
}

function decodeTyped(e: EncodedTyped): Float32Array | Int32Array | Uint8Array {
  const b = base64ToBytes(e.b64);
  const buf = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  if (e.$typed === 'f32') return new Float32Array(buf);
  if (e.$typed === 'i32') return new Int32Array(buf);
  return new Uint8Array(buf);
}

/**
 * JSON text of an InspectionData with typed arrays as base64, safe to place inside
 * `<script type="application/json">` (no `<`, so no `</script>` or `<!--` can appear).
 */
export function encodeInspection(data: InspectionData): string {
  const json = JSON.stringify(data, (_key, value: unknown) =>
    value instanceof Float32Array || value instanceof Int32Array || value instanceof Uint8Array
      ? encodeTyped(value)
      : value,
  );
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function decodeInspection(text: string): InspectionData {
  // A walk after a plain parse: a JSON.parse reviver is called for every one of hundreds of
  // thousands of path strings and makes a large report open several times slower.
  const revive = (v: unknown): unknown => {
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (typeof v[i] === 'object' && v[i] !== null) v[i] = revive(v[i]);
      return v;
    }
    if (!isObject(v)) return v;
    if (typeof v.$typed === 'string' && typeof v.b64 === 'string') return decodeTyped(v as unknown as EncodedTyped);
    for (const k of Object.keys(v)) if (typeof v[k] === 'object' && v[k] !== null) v[k] = revive(v[k]);
    return v;
  };
  return revive(JSON.parse(text)) as InspectionData;
}

/** Applies one stage's patch (what the panel does on a 'stage' message; the host may keep a copy too). */
export function applyPatch(data: InspectionData, patch: InspectionPatch): InspectionData {
  const next: InspectionData = { ...data, ...patch };
  if (patch.layout) next.layout = { ...data.layout, ...patch.layout };
  return next;
}

// ───────────────────────── Compare (two checkpoints, one dataset) ─────────────────────────

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
}

export type CompareMessage = { type: 'initCompare'; data: CompareData; state?: PanelViewState };

export function encodeCompare(data: CompareData): string {
  return encodeInspection(data as unknown as InspectionData);
}

export function decodeCompare(text: string): CompareData {
  return decodeInspection(text) as unknown as CompareData;
}
