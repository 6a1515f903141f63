/** The fine-tune engine's public surface (the extension's command and the CLI use only this). */
export { fineTune } from './fineTune';
export type { FineTuneJob } from './fineTune';
export type { TrainEvent } from '../workers/train';
export {
  DEFAULT_SETTINGS,
  DEFAULT_HEAD_LR,
  resolveSettings,
  type EpochReport,
  type FineTuneCallbacks,
  type FineTuneOptions,
  type FineTuneResult,
  type FineTuneSettings,
  type StepReport,
  type TrainWhat,
  type ValidationMode,
} from './options';
export { assertWritableOutDir, defaultOutDir, FINE_TUNE_FILE } from './checkpointWriter';
