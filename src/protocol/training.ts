/**
 * Messages between the extension host and the fine-tune panel's webview, built like the map
 * panels' (./maps.ts): one descriptor per webview→host message, one registry.
 *
 * The host is the source of truth: it keeps every step and epoch report, so a reloaded webview
 * gets the whole run in one `init` and then the live messages.
 */
import type { EpochReport, FineTuneSettings, StepReport } from '../core/train/options';
import { ProtocolError } from './fields';
import { bare, messageRegistry, type MessageOf } from './registry';

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

/** The panel's buttons; none is a request (their effects show in the notifications and the run). */
export const TRAINING_MESSAGES = {
  ready: bare(),
  cancel: bare(),
  compare: bare(),
  reveal: bare(),
};

export type TrainingWebviewToHost = MessageOf<typeof TRAINING_MESSAGES>;

export class TrainingProtocolError extends ProtocolError {
  constructor(message: string) {
    super(message, 'Invalid training-panel message');
    this.name = 'TrainingProtocolError';
  }
}

/**
 * The webview is untrusted: accept only the known messages, and nothing riding along with them
 * (an extra field would mean a webview out of step with this host).
 */
export const validateTrainingMessage = messageRegistry(TRAINING_MESSAGES, {
  fail: (m) => new TrainingProtocolError(m),
  rejectExtraFields: true,
});
