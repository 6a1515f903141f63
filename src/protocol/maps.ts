/**
 * Messages of the two map panels (inspection and comparison): one descriptor per webview→host
 * message in a table per panel, the host→webview unions beside them. They share the requests
 * (neighbours, image query, export) and the housekeeping messages; each has its own saved state.
 */
import type { ItemsChoice } from '../core/compare/scope';
import type { CompareData, InspectionData, InspectionPatch } from '../core/model';
import { bytes, fileName, index, int, LIMITS, oneOf, str, type Fields } from './fields';
import { bare, message, messageRegistry, reply, request, type MessageOf } from './registry';
import { validateCompareViewState, validateInspectionViewState, type CompareViewState, type InspectionViewState } from './viewState';

export type PanelMode = 'panel' | 'report' | 'compare';
export type ExportFormat = 'png' | 'csv' | 'json';
export type ExportWhat = 'map' | 'metrics' | 'classes';

export type NeighbourQuery = { kind: 'item'; index: number } | { kind: 'image'; name: string };

export interface NeighbourResult {
  query: NeighbourQuery;
  /** Class of the query when known (items always; images when the host was given a label). */
  queryLabel?: number;
  indices: Int32Array;
  distances: Float32Array;
}

// ───────────────────────── webview → host ─────────────────────────

const k = (o: Fields) => int(o, 'k', 1, LIMITS.maxK);

/** The requests both map panels' webviews make (the compare panel answers neighbours with an error). */
export const MAP_REQUESTS = {
  neighbours: request((o) => ({ index: index(o, 'index'), k: k(o) }), reply<NeighbourResult>('neighboursResult', 'result')),
  queryImage: request(
    (o) => ({ name: str(o, 'name', 255), bytes: bytes(o, 'bytes', LIMITS.maxImageBytes), k: k(o) }),
    reply<NeighbourResult>('neighboursResult', 'result'),
  ),
  /** Saves through the host's save dialog; the reply is the path written. */
  export: request(
    (o) => {
      const format = oneOf(o, 'format', ['png', 'csv', 'json'] as const);
      // Text for csv/json, PNG bytes for png.
      const content: string | Uint8Array =
        format === 'png' ? bytes(o, 'content', LIMITS.maxExportBytes) : str(o, 'content', LIMITS.maxExportBytes);
      return { what: oneOf(o, 'what', ['map', 'metrics', 'classes'] as const), format, fileName: fileName(o), content };
    },
    reply<string>('exportDone', 'path'),
  ),
};

const LOG_LEVELS = ['info', 'warn', 'error'] as const;

/** The saved state rides on `ready` (a reloaded webview) and `state` (each change); each panel reads its own kind. */
function stateMessages<S>(validate: (v: unknown) => S) {
  return {
    ready: message((o): { state?: S } => (o.state === undefined ? {} : { state: validate(o.state) })),
    state: message((o) => ({ state: validate(o.state) })),
  };
}

const MAP_MESSAGES = {
  ...MAP_REQUESTS,
  openItem: message((o) => ({ index: index(o, 'index') })),
  cancel: bare(),
  log: message((o) => ({ level: oneOf(o, 'level', LOG_LEVELS), message: str(o, 'message') })),
};

export const INSPECTION_MESSAGES = {
  ...MAP_MESSAGES,
  ...stateMessages(validateInspectionViewState),
  /** Continue the stopped UMAP of layout.umapPartial. */
  resumeUmap: bare(),
  /** Sent by the shared webview code only in a compare panel; accepted and ignored here. */
  compareItems: message((o) => ({ items: oneOf(o, 'items', ['held-out', 'all'] as const) })),
};

export const COMPARE_MESSAGES = {
  ...MAP_MESSAGES,
  ...stateMessages(validateCompareViewState),
  /** Score the held-out classes only, or every item (after a fine-tune). */
  compareItems: message((o): { items: ItemsChoice } => ({ items: oneOf(o, 'items', ['held-out', 'all'] as const) })),
  /** Sent by the shared webview code only in an inspection panel; accepted and ignored here. */
  resumeUmap: bare(),
};

export type InspectionWebviewToHost = MessageOf<typeof INSPECTION_MESSAGES>;
export type CompareWebviewToHost = MessageOf<typeof COMPARE_MESSAGES>;
/** What the shared webview code of the map panels sends. */
export type WebviewToHost = InspectionWebviewToHost | CompareWebviewToHost;

/** Checks a message from an inspection panel's webview (untrusted); throws a ProtocolError naming the bad field. */
export const validateWebviewMessage = messageRegistry(INSPECTION_MESSAGES);
/** The same for a compare panel's webview. */
export const validateCompareMessage = messageRegistry(COMPARE_MESSAGES);

// ───────────────────────── host → webview ─────────────────────────

/** What both map panels send while work runs. */
type MapProgress =
  | { type: 'stage'; stage: string; patch: InspectionPatch }
  | { type: 'progress'; stage: string; done: number; total: number; message?: string }
  | { type: 'done' }
  | { type: 'error'; message: string; file?: string; requestId?: number };

/** Replies to MAP_REQUESTS (see ./request.ts); a failed request gets MapProgress's `error` with its requestId. */
type MapReplies =
  { type: 'neighboursResult'; requestId: number; result: NeighbourResult } | { type: 'exportDone'; requestId: number; path: string };

export type InspectionHostToWebview =
  | { type: 'init'; mode: PanelMode; data: InspectionData; state?: InspectionViewState }
  | { type: 'layoutFrame'; layout: 'umap'; epoch: number; epochs: number; coords: Float32Array; final: boolean }
  | MapProgress
  | MapReplies;

export type CompareHostToWebview = { type: 'initCompare'; data: CompareData; state?: CompareViewState } | MapProgress | MapReplies;

/** What the shared webview code of the map panels receives. */
export type HostToWebview = InspectionHostToWebview | CompareHostToWebview;
