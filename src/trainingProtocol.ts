/**
 * The fine-tune panel's messages, defined in ./protocol/training.ts; kept here for its importers.
 * Named re-exports, not `export *`: the browser tests load this file through tsx, whose module
 * namespace does not follow star re-exports.
 */
export {
  TRAINING_MESSAGES,
  TrainingProtocolError,
  validateTrainingMessage,
  type EpochReport,
  type FineTuneSettings,
  type StepReport,
  type TrainingHostToWebview,
  type TrainingOutcome,
  type TrainingRunInfo,
  type TrainingStage,
  type TrainingWebviewToHost,
} from './protocol/training';
export { validateTrainingViewState, type TrainingViewState } from './protocol/viewState';
