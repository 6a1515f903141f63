/**
 * Messages between the extension host and the fine-tune panel's webview.
 * Imported by both sides: no `vscode`, no DOM, no Node APIs (types from the engine only).
 *
 * The host is the source of truth: it keeps every step and epoch report, so a reloaded webview
 * gets the whole run in one `init` and then the live messages.
 */
import type { EpochReport, FineTuneSettings, StepReport } from './core/train/options';

export type { EpochReport, FineTuneSettings, StepReport };

/** What the panel shows about the run before any number arrives. */
export interface TrainingRunInfo {
  /** The source checkpoint file (model.json or .onnx). */
  checkpoint: string;
  dataset: string;
  /** Where the best epoch is written (a new folder beside the source). */
  outDir: string;
  /** 'tfjs-layers' | 'tfjs-graph' | 'onnx' — why "what to train" may be forced to the head. */
  checkpointKind: string;
  settings: FineTuneSettings;
  /** The backend setting asked for ('auto' until the result names the one that ran). */
  backendSetting: string;
}

/** The end of a run as the panel shows it. */
export interface TrainingOutcome {
  status: 'done' | 'cancelled' | 'error';
  /** Set when a checkpoint was written (always for done; for cancel/error once epoch 0 was saved). */
  outDir?: string;
  best?: { epoch: number; mapAtR: number; recallAt1: number };
  backend?: string;
  message?: string;
}

/** The pre-training stages (loading images, backbone features) as absolute progress. */
export interface TrainingStage {
  stage: string;
  done: number;
  total: number;
  message?: string;
}

export type TrainingHostToWebview =
  | { type: 'init'; run: TrainingRunInfo; steps: StepReport[]; epochs: EpochReport[]; stage?: TrainingStage; outcome?: TrainingOutcome }
  | { type: 'stage'; stage: TrainingStage }
  | { type: 'step'; step: StepReport }
  | { type: 'epoch'; epoch: EpochReport }
  | { type: 'finished'; outcome: TrainingOutcome };

export type TrainingWebviewToHost =
  | { type: 'ready' }
  | { type: 'cancel' }
  | { type: 'compare' }
  | { type: 'reveal' };

export class TrainingProtocolError extends Error {
  constructor(message: string) {
    super(`Invalid training-panel message: ${message}`);
    this.name = 'TrainingProtocolError';
  }
}

const WEBVIEW_TYPES = ['ready', 'cancel', 'compare', 'reveal'] as const;

/**
 * The webview is untrusted: accept only the four known messages, and nothing riding along with
 * them (an extra field would mean a webview out of step with this host).
 */
export function validateTrainingMessage(msg: unknown): TrainingWebviewToHost {
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
    throw new TrainingProtocolError(`expected an object, got ${msg === null ? 'null' : Array.isArray(msg) ? 'an array' : typeof msg}`);
  }
  const o = msg as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string' || !(WEBVIEW_TYPES as readonly string[]).includes(type)) {
    throw new TrainingProtocolError(`"type" must be one of ${WEBVIEW_TYPES.join(', ')}, got ${typeof type === 'string' ? JSON.stringify(type.slice(0, 40)) : typeof type}`);
  }
  const extra = Object.keys(o).filter((k) => k !== 'type');
  if (extra.length) throw new TrainingProtocolError(`"${type}" takes no fields, got ${extra.slice(0, 5).join(', ')}`);
  return { type } as TrainingWebviewToHost;
}
