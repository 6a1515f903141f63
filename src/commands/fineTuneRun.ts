import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveCheckpointPath } from '../core/checkpoint';
import { isCancelled } from '../core/errors';
import { displayName } from '../core/util/displayName';
import { fineTune } from '../core/train/fineTune';
import { FINE_TUNE_FILE, keepOrReplaceQuestion, replaceEarlierRun } from '../core/train/checkpointWriter';
import type { BackendSetting } from '../core/runtime/select';
import type { FineTuneResult, FineTuneSettings, StepReport } from '../core/train/options';
import { heldOutWarning } from '../core/train/heldOutAdvice';
import { log } from '../host/log';
import { withEngineProgress } from '../host/progress';
import { TrainingPanel } from '../host/trainingPanel';
import type { TrainingOutcome } from '../trainingProtocol';
import { logFailure, reportFailure } from './logFailure';

/**
 * A fine-tune once its inputs are chosen: the training worker under a cancellable notification and
 * the live panel, the keep-or-replace question, and the result's notifications with "Compare with
 * the original" and "Reveal".
 */

const COMPARE = 'Compare with the original';
const REVEAL = 'Reveal';

export interface TrainJob {
  checkpoint: string;
  kind: string;
  dataset: string;
  settings: FineTuneSettings;
  outDir: string;
  backend: BackendSetting;
  signal?: AbortSignal;
  /** No questions (tests, scripted runs): an earlier result that was not beaten is kept. */
  noPrompt?: boolean;
}

export async function train(context: vscode.ExtensionContext, job: TrainJob): Promise<FineTuneResult | undefined> {
  const { checkpoint, dataset, settings: s, outDir } = job;
  const panel = TrainingPanel.create(context, {
    checkpoint,
    dataset,
    outDir,
    checkpointKind: job.kind,
    settings: s,
    backendSetting: job.backend,
  });
  const name = displayName(checkpoint);
  log.info(`Fine-tune ${checkpoint} on ${dataset} → ${outDir} (${JSON.stringify(s)}, backend ${job.backend})`);
  const actions = new ActionHandlers(checkpoint, outDir);
  // Wired for as long as the panel is open; the handlers go with it.
  panel.on('compare', () => actions.compare());
  panel.on('reveal', () => actions.reveal());
  try {
    let result = await withEngineProgress(`Embedding Lens: fine-tuning ${name}`, async (signal, report) => {
      const controller = new AbortController();
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      if (job.signal?.aborted) controller.abort();
      job.signal?.addEventListener('abort', () => controller.abort(), { once: true });
      const fromPanel = panel.on('cancel', () => controller.abort());
      try {
        return await fineTune({
          ...s,
          checkpoint,
          dataset,
          outDir,
          backend: job.backend,
          signal: controller.signal,
          onProgress: (p) => {
            report(p);
            panel.progress(p);
          },
          onStep: (st) => {
            report(stepProgress(st, s.epochs));
            panel.step(st);
          },
          onEpoch: (e) => {
            log.info(
              `  epoch ${e.epoch}: map@r ${e.val.mapAtR.toFixed(4)}, recall@1 ${e.val.recallAt1.toFixed(4)}${e.loss ? `, mean loss ${e.loss.total.toFixed(4)}` : ' (before training)'} (${e.seconds.toFixed(1)} s)`,
            );
            panel.epoch(e);
          },
        });
      } finally {
        fromPanel.dispose();
      }
    });
    if (!job.noPrompt) result = await keepOrReplace(result);
    actions.outDir = result.outDir;
    const status: TrainingOutcome['status'] = result.cancelled ? 'cancelled' : result.error ? 'error' : 'done';
    panel.finish({
      status,
      outDir: result.outDir,
      best: result.best,
      backend: result.backend,
      ...(result.error ? { message: result.error } : {}),
    });
    tell(result, name, actions);
    return result;
  } catch (err) {
    const cancelled = isCancelled(err);
    const message = err instanceof Error ? err.message : String(err);
    // The engine throws only before epoch 0 was saved: nothing was written.
    const kept = existsSync(join(outDir, FINE_TUNE_FILE)) ? outDir : undefined;
    panel.finish({ status: cancelled ? 'cancelled' : 'error', ...(kept ? { outDir: kept } : {}), message });
    if (cancelled) {
      log.info(`Fine-tune cancelled before the first validation; nothing was written`);
      void vscode.window.showInformationMessage('Embedding Lens: fine-tune cancelled before the first validation — nothing was written.');
    } else {
      logFailure('Fine-tune failed', err);
      void vscode.window.showErrorMessage(`Embedding Lens: fine-tune failed: ${message}`, 'Show Log').then((c) => c && log.show());
    }
    return undefined;
  }
}

/**
 * A finished run written beside an earlier result that it did not beat: ask (modal) whether to
 * keep the earlier one or replace it. Closing the dialog keeps the earlier one.
 */
async function keepOrReplace(result: FineTuneResult): Promise<FineTuneResult> {
  const question = keepOrReplaceQuestion(result);
  const e = result.earlier;
  if (!question || !e) return result;
  const REPLACE = 'Replace';
  const choice = await vscode.window.showWarningMessage(question, { modal: true }, 'Keep earlier', REPLACE);
  if (choice !== REPLACE) {
    log.info(`Fine-tune: kept the earlier result in ${e.outDir}; the new run is in ${e.runDir}`);
    return result;
  }
  await replaceEarlierRun(e.runDir, e.outDir);
  log.info(`Fine-tune: replaced the earlier result in ${e.outDir} with the new run`);
  return { ...result, outDir: e.outDir, earlier: { ...e, replaced: true } };
}

/** Per step, the notification shows the epoch as the stage, the run's ETA and the EET terms. */
function stepProgress(st: StepReport, epochs: number) {
  return {
    stage: `Epoch ${st.epoch}/${epochs}`,
    done: st.step,
    total: st.stepsPerEpoch,
    rate: st.stepsPerSecond,
    etaSeconds: st.etaSeconds,
    message: `loss ${st.loss.toFixed(4)} (mc ${st.mc.toFixed(3)}, ec ${st.ec.toFixed(3)}, edc ${st.edc.toFixed(3)})`,
  };
}

function tell(result: FineTuneResult, name: string, actions: ActionHandlers): void {
  const first = result.history.find((h) => h.epoch === 0);
  const was = first ? ` (before: ${first.val.mapAtR.toFixed(4)})` : '';
  const best = `best epoch ${result.best.epoch}, map@r ${result.best.mapAtR.toFixed(4)}${was}`;
  let shown: Thenable<string | undefined>;
  if (result.cancelled) {
    log.info(`Fine-tune cancelled; ${best} kept in ${result.outDir}`);
    shown = vscode.window.showWarningMessage(
      `Embedding Lens: fine-tune of ${name} cancelled — the best epoch so far (${result.best.epoch}) is kept in ${result.outDir}`,
      COMPARE,
      REVEAL,
    );
  } else if (result.error) {
    log.error(`Fine-tune stopped: ${result.error}; ${best} kept in ${result.outDir}`);
    shown = vscode.window.showErrorMessage(
      `Embedding Lens: fine-tune of ${name} stopped: ${result.error} — the best epoch so far (${result.best.epoch}) is kept in ${result.outDir}`,
      COMPARE,
      REVEAL,
    );
  } else {
    log.info(`Fine-tune finished on ${result.backend}: ${best}, written to ${result.outDir}`);
    shown = vscode.window.showInformationMessage(
      `Embedding Lens: fine-tuned ${name} — ${best} — written to ${result.outDir}`,
      COMPARE,
      REVEAL,
    );
  }
  // Not awaited: the message stays until the user answers, the command has finished by then.
  void shown.then((c) => (c === COMPARE ? actions.compare() : c === REVEAL ? actions.reveal() : undefined));
  // Validation on 2 held-out classes reads recall@1 1.0 from epoch 0: a number to distrust, said
  // beside the result (the panel says it too) with the split to use instead.
  const small = result.validation && heldOutWarning(result.validation);
  if (small) {
    log.warn(`Fine-tune validation: ${small}`);
    void vscode.window.showWarningMessage(`Embedding Lens: validation of ${name}: ${small}`);
  }
}

/** What "Compare with the original" and "Reveal" do, from the notification or the panel. */
class ActionHandlers {
  constructor(
    private readonly source: string,
    /** Where the new checkpoint is: set again once the run ends (beside an earlier result, or in its place). */
    public outDir: string,
  ) {}

  /** The file that stands for the new checkpoint: model.json, or the backbone of a chained head (the loader's own rule). */
  newCheckpoint(): string {
    return resolveCheckpointPath(this.outDir);
  }

  compare(): void {
    const a = vscode.Uri.file(this.source);
    const b = vscode.Uri.file(this.newCheckpoint());
    // The dataset picker offers the one trained on first; on it the comparison scores the classes
    // training never saw, on another dataset (the sample's dataset-held-out) every class it never saw.
    void vscode.commands
      .executeCommand('embeddingLens.compare', a, [a, b])
      .then(undefined, (err: unknown) => reportFailure('Fine-tune failed', err));
  }

  reveal(): void {
    const target = vscode.Uri.file(this.newCheckpoint());
    // Inside the workspace the explorer can show it (also in a remote window); elsewhere the OS file manager.
    const command = vscode.workspace.getWorkspaceFolder(target) ? 'revealInExplorer' : 'revealFileInOS';
    void vscode.commands.executeCommand(command, target).then(undefined, (err: unknown) => reportFailure('Fine-tune failed', err));
  }
}
