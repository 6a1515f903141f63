/**
 * What each panel's webview saves (vscode setState) so the panel comes back after a window reload,
 * one type and one validator per panel kind. Saved state is untrusted input like any message: the
 * host validates it before re-running anything it names.
 */
import type { InspectionSource } from '../core/model';
import {
  finite,
  indexList,
  indexOrNull,
  int,
  isObject,
  LIMITS,
  oneOf,
  optionalObject,
  ProtocolError,
  str,
  describe,
  type Fields,
} from './fields';

export type PanelTab = 'neighbours' | 'classes' | 'eet' | 'selection';
export const PANEL_TABS: readonly PanelTab[] = ['neighbours', 'classes', 'eet', 'selection'];

/** The views' state both map panels keep: tab, filters, selection, query and zoom. */
export interface MapViewState {
  tab: PanelTab;
  hiddenClasses: number[];
  isolatedClass: number | null;
  selection: number[];
  search: string;
  queryIndex: number | null;
  k: number;
  transform?: { x: number; y: number; k: number };
}

/** The inspection panel's saved state. */
export interface InspectionViewState extends MapViewState {
  /** What was inspected: lets the host re-run (from cache) after a window reload. */
  source?: InspectionSource;
}

/** The compare panel's saved state. */
export interface CompareViewState extends MapViewState {
  /** The comparison's A side. */
  source?: InspectionSource;
  /** Its B side. */
  sourceB?: InspectionSource;
}

/**
 * The training panel's saved state: the run it showed. Its numbers live in the extension host; after
 * a reload the host shows them again when it still holds the run, else says where its output is.
 */
export interface TrainingViewState {
  /** The source checkpoint of the run. */
  checkpoint: string;
  /** Where the run writes its best epoch. */
  outDir: string;
}

/**
 * What the shared webview Host of the map panels saves: either panel's state (a compare panel's is
 * an inspection's plus its B side). Each host panel validates it as its own kind.
 */
export type PanelViewState = CompareViewState;

const readSource = (s: Fields): InspectionSource => ({ checkpoint: str(s, 'checkpoint'), dataset: str(s, 'dataset') });

function readMapState(v: unknown): MapViewState {
  if (!isObject(v)) throw new ProtocolError(`"state" must be an object, got ${describe(v)}`);
  const state: MapViewState = {
    tab: oneOf(v, 'tab', PANEL_TABS),
    hiddenClasses: indexList(v, 'hiddenClasses'),
    isolatedClass: indexOrNull(v, 'isolatedClass', 'a class index'),
    selection: indexList(v, 'selection'),
    search: str(v, 'search', 500),
    queryIndex: indexOrNull(v, 'queryIndex', 'an item index'),
    k: int(v, 'k', 1, LIMITS.maxK),
  };
  const transform = optionalObject(v, 'transform', (t) => ({ x: finite(t, 'x'), y: finite(t, 'y'), k: finite(t, 'k') }));
  if (transform) state.transform = transform;
  return state;
}

export function validateInspectionViewState(v: unknown): InspectionViewState {
  const state: InspectionViewState = readMapState(v);
  const source = optionalObject(v as Fields, 'source', readSource);
  if (source) state.source = source;
  return state;
}

export function validateCompareViewState(v: unknown): CompareViewState {
  const state: CompareViewState = validateInspectionViewState(v);
  const sourceB = optionalObject(v as Fields, 'sourceB', readSource);
  if (sourceB) state.sourceB = sourceB;
  return state;
}

export function validateTrainingViewState(v: unknown): TrainingViewState {
  if (!isObject(v)) throw new ProtocolError(`"state" must be an object, got ${describe(v)}`);
  return { checkpoint: str(v, 'checkpoint'), outDir: str(v, 'outDir') };
}
