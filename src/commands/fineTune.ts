import * as vscode from 'vscode';
import { resolve } from 'node:path';
import { detectCheckpointKind, isPrecomputedKind, resolveCheckpointPath } from '../core/checkpoint';
import { LensError } from '../core/errors';
import { assertWritableOutDir, defaultOutDir } from '../core/train/checkpointWriter';
import type { FineTuneResult, FineTuneSettings } from '../core/train/options';
import { pickCheckpoint, pickDataset, rememberDataset } from '../host/pickers';
import { readSettings } from '../host/settings';
import { reportFailure } from './logFailure';
import { initialFormState, type FormState } from './fineTuneForm';
import { train } from './fineTuneRun';
import { askSettings } from './fineTuneSettings';

/** Programmatic options (tests, other commands): skip the pickers and, with noPrompt, the form. */
export interface FineTuneArgs {
  dataset?: vscode.Uri | string;
  settings?: Partial<FineTuneSettings>;
  outDir?: string;
  noPrompt?: boolean;
  /** Stops the run like Cancel does (after the current step, keeping the best epoch so far). */
  signal?: AbortSignal;
}

/**
 * Palette or explorer → Fine-tune with EET Loss: checkpoint, dataset, a settings form whose
 * defaults start at once, then training in a worker with a cancellable notification and a live
 * panel. The best epoch goes to a new folder beside the source. Returns the engine's result, or
 * undefined when the user backed out or nothing could be written.
 */
export async function run(context: vscode.ExtensionContext, arg?: unknown, extra?: unknown): Promise<FineTuneResult | undefined> {
  const opts = (extra ?? {}) as FineTuneArgs;
  const picked = await pickCheckpoint(context, arg, 'Fine-tune: choose a checkpoint (model.json or .onnx)');
  if (!picked) return undefined;
  let checkpoint: string;
  let kind: string;
  try {
    checkpoint = resolveCheckpointPath(picked.fsPath);
    const detected = await detectCheckpointKind(checkpoint);
    kind = detected;
    if (isPrecomputedKind(detected))
      throw new LensError(
        'holds precomputed embeddings, so there is no model to train; choose a model.json (tfjs) or an .onnx file',
        checkpoint,
      );
  } catch (err) {
    return reportFailure('Fine-tune failed', err);
  }

  const given = opts.dataset;
  let dataset = typeof given === 'string' ? vscode.Uri.file(given) : given instanceof vscode.Uri ? given : undefined;
  const checkpointUri = vscode.Uri.file(checkpoint);
  if (dataset) await rememberDataset(context, checkpointUri, dataset);
  else {
    dataset = await pickDataset(context, checkpointUri);
    if (!dataset) return undefined;
  }

  const user = readSettings();
  let state: FormState;
  let outDir: string;
  try {
    state = initialFormState(kind, user.eet, opts.settings);
    outDir = opts.outDir ? resolve(opts.outDir) : defaultOutDir(checkpoint);
    if (!opts.noPrompt) {
      const answer = await askSettings(state, outDir, checkpoint);
      if (!answer) return undefined;
      ({ state, outDir } = answer);
    }
    await assertWritableOutDir(outDir, checkpoint, dataset.fsPath);
  } catch (err) {
    return reportFailure('Fine-tune failed', err);
  }
  return train(context, {
    checkpoint,
    kind,
    dataset: dataset.fsPath,
    settings: state.settings,
    outDir,
    backend: user.backend,
    signal: opts.signal,
    noPrompt: opts.noPrompt,
  });
}
