import type { InspectionData, NeighbourResult, PanelViewState } from '../../src/protocol';
import type { Host } from '../host';

/** The neighbour query on show: an item of the data, or an image dropped on the panel. */
export type QueryState =
  | { kind: 'item'; index: number; pending: boolean; result?: NeighbourResult; error?: string }
  | { kind: 'image'; name: string; objectUrl: string; pending: boolean; result?: NeighbourResult; error?: string };

/**
 * What the inspection's views read and call. The views depend on this, never on the App class
 * (which builds them): each takes the slice it needs, so a view can be built and tested on its own.
 */
export interface InspectionContext {
  readonly data: InspectionData;
  readonly state: Readonly<PanelViewState>;
  readonly palette: readonly string[];
  readonly query: QueryState | null;
  readonly host: Pick<Host, 'mode' | 'canEmbedImages' | 'openItem'>;
  /** Query the neighbours of item i (switching to the Neighbours tab unless told not to). */
  pick(i: number, switchTab?: boolean): void;
  /** Ring item i on the map while the pointer is over its row (null: none). */
  setHot(i: number | null): void;
  setK(k: number): void;
  queryFile(f: File): Promise<void>;
  isolate(c: number | null): void;
  setSelection(sel: number[] | null): void;
}

export type NeighboursContext = Pick<
  InspectionContext,
  'data' | 'state' | 'palette' | 'query' | 'host' | 'pick' | 'setHot' | 'setK' | 'queryFile'
>;
export type ClassesContext = Pick<InspectionContext, 'data' | 'state' | 'palette' | 'isolate'>;
export type SelectionContext = Pick<InspectionContext, 'data' | 'state' | 'palette' | 'pick' | 'setHot' | 'setSelection'>;
