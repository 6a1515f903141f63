/**
 * Messages between the extension host and the panel webview, their validation, and the panels'
 * saved view state. Imported by both sides: no `vscode`, no DOM, no Node APIs.
 *
 * Large arrays (coordinates, labels, neighbour tables) are typed arrays so postMessage moves them
 * as buffers; the self-contained HTML report inlines the same model through `encodeInspection`.
 */

import type { ItemsChoice } from './core/compare/scope';
import { isObject, type CompareData, type InspectionData, type InspectionPatch, type InspectionSource } from './core/model';

export type { ItemsChoice };
// The data model lives in src/core/model (the engine produces it); the messages below carry it.
export * from './core/model';

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

export type CompareMessage = { type: 'initCompare'; data: CompareData; state?: PanelViewState };
