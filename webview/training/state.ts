import type { EpochReport, StepReport, TrainingOutcome, TrainingRunInfo, TrainingStage } from '../../src/trainingProtocol';

/** What the training panel knows of the run: everything the host has sent, and what the user asked. */
export interface TrainingState {
  run?: TrainingRunInfo;
  steps: StepReport[];
  epochs: EpochReport[];
  stage?: TrainingStage;
  outcome?: TrainingOutcome;
  smoothing: number;
  cancelRequested: boolean;
}

export function initialState(): TrainingState {
  return { steps: [], epochs: [], smoothing: 0.6, cancelRequested: false };
}

/**
 * Training steps done and planned. Every step arrives (the host relays each one), so the count is
 * the number received; planned is steps per epoch × epochs, never below what already ran.
 */
export function stepCounts(state: TrainingState): { done: number; planned: number } | undefined {
  const last = state.steps.at(-1);
  if (!last) return undefined;
  const done = state.steps.length;
  return { done, planned: Math.max(done, last.stepsPerEpoch * (state.run?.settings.epochs ?? 0), 1) };
}
