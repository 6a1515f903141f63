/**
 * The map panels' (inspection, comparison) messages, saved view states and the generic
 * request/reply helper, defined in ./protocol/; kept here for its importers. Imported by both sides:
 * no `vscode`, no DOM, no Node APIs. Large arrays (coordinates, labels, neighbour tables) are typed
 * arrays so postMessage moves them as buffers.
 *
 * The protocol's own names are re-exported by name, not `export *`: the browser tests load this
 * file through tsx, whose module namespace does not follow star re-exports.
 */
import type { ItemsChoice } from './core/compare/scope';

export type { ItemsChoice };
// The data model lives in src/core/model (the engine produces it); the messages carry it. Re-exported
// for the code that still imports it from here.
export * from './core/model';
export { LIMITS, ProtocolError } from './protocol/fields';
export {
  COMPARE_MESSAGES,
  INSPECTION_MESSAGES,
  MAP_REQUESTS,
  validateCompareMessage,
  validateWebviewMessage,
  type CompareHostToWebview,
  type CompareWebviewToHost,
  type ExportFormat,
  type ExportWhat,
  type HostToWebview,
  type InspectionHostToWebview,
  type InspectionWebviewToHost,
  type NeighbourQuery,
  type NeighbourResult,
  type PanelMode,
  type WebviewToHost,
} from './protocol/maps';
export {
  PANEL_TABS,
  validateCompareViewState,
  validateInspectionViewState,
  validateTrainingViewState,
  type CompareViewState,
  type InspectionViewState,
  type MapViewState,
  type PanelTab,
  type PanelViewState,
  type TrainingViewState,
} from './protocol/viewState';
export { messageRegistry, type MessageOf, type MessageTable, type RequestType, type ResultOf } from './protocol/registry';
export { answerRequest, RequestClient, type ErrorReply } from './protocol/request';
