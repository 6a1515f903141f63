import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectCheckpointKind, isPrecomputedKind, resolveCheckpointPath } from '../core/checkpoint';
import { isCancelled, LensError } from '../core/errors';
import { displayName } from '../core/util/displayName';
import { fineTune } from '../core/train/fineTune';
import { assertWritableOutDir, defaultOutDir, FINE_TUNE_FILE, keepOrReplaceQuestion, replaceEarlierRun, SIDECAR } from '../core/train/checkpointWriter';
import type { BackendSetting } from '../core/runtime/select';
import type { FineTuneResult, FineTuneSettings, StepReport, TrainWhat } from '../core/train/options';
import { log } from '../host/log';
import { pickCheckpoint, pickDataset, rememberDataset } from '../host/pickers';
import { withEngineProgress } from '../host/progress';
import { readSettings } from '../host/settings';
import { TrainingPanel } from '../host/trainingPanel';
import { heldOutWarning } from '../core/train/heldOutAdvice';
import { logFailure } from './logFailure';
import type { TrainingOutcome } from '../trainingProtocol';
import {
  applyText,
  applyTrain,
  applyValidation,
  editText,
  formRows,
  initialFormState,
  parseLastLayers,
  parseValFraction,
  rowAfterEdit,
  summary,
  toggleNormalize,
  validateText,
  type FormField,
  type FormState,
} from './fineTuneForm';

/** Programmatic options (tests, other commands): skip the pickers and, with noPrompt, the form. */
export interface FineTuneArgs {
  dataset?: vscode.Uri | string;
  settings?: Partial<FineTuneSettings>;
  outDir?: string;
  noPrompt?: boolean;
  /** Stops the run like Cancel does (after the current step, keeping the best epoch so far). */
  signal?: AbortSignal;
}

const COMPARE = 'Compare with the original';
const REVEAL = 'Reveal';

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
    if (isPrecomputedKind(detected)) throw new LensError('holds precomputed embeddings, so there is no model to train; choose a model.json (tfjs) or an .onnx file', checkpoint);
  } catch (err) {
    return fail(err);
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
    return fail(err);
  }
  return train(context, { checkpoint, kind, dataset: dataset.fsPath, settings: state.settings, outDir, backend: user.backend, signal: opts.signal, noPrompt: opts.noPrompt });
}

function fail(err: unknown): undefined {
  const message = err instanceof Error ? err.message : String(err);
  logFailure('Fine-tune failed', err);
  void vscode.window.showErrorMessage(`Embedding Lens: ${message}`, 'Show Log').then((c) => c && log.show());
  return undefined;
}

// ───────────────────────── the form ─────────────────────────

type RowId = 'start' | 'outDir' | FormField;
type RowItem = vscode.QuickPickItem & { id?: RowId };

const ICONS: Record<FormField, string> = {
  epochs: 'history', lr: 'dashboard', margin: 'arrow-both', weights: 'settings', pk: 'layers', normalize: 'circle-large-outline',
  train: 'target', validation: 'beaker', seed: 'symbol-number',
};

/**
 * One quick pick listing every setting with its value: Enter on the first row starts training with
 * what is shown (so Enter, Enter, Enter works); choosing a row edits it and comes back here.
 */
async function askSettings(initial: FormState, initialOut: string, checkpoint: string): Promise<{ state: FormState; outDir: string } | undefined> {
  let state = initial;
  let outDir = initialOut;
  let active: RowId = 'start';
  const title = `Fine-tune ${displayName(checkpoint)} with EET loss`;
  for (;;) {
    const choice = await pickRow(title, state, outDir, active);
    if (!choice) return undefined;
    if (choice === 'start') return { state, outDir };
    const before = { state, outDir };
    if (choice === 'outDir') {
      const v = await vscode.window.showInputBox({
        title: `${title}: output folder`,
        prompt: 'A new folder for the fine-tuned checkpoint (never the source folder)',
        value: outDir,
        validateInput: (t) => outDirProblem(t, checkpoint),
      });
      if (v !== undefined) outDir = resolve(v.trim());
    } else if (choice === 'normalize') {
      state = toggleNormalize(state);
    } else if (choice === 'train') {
      const t = await pickTrain(title, state);
      if (t !== undefined) state = applyTrain(state, t);
    } else if (choice === 'validation') {
      state = (await pickValidation(title, state)) ?? state;
    } else {
      const field = choice;
      const row = formRows(state).find((r) => r.field === field)!;
      const v = await vscode.window.showInputBox({
        title: `${title}: ${row.label}`,
        prompt: row.detail,
        value: editText(field, state.settings),
        validateInput: (t) => validateText(field, t, state.settings),
      });
      if (v !== undefined) state = applyText(state, field, v);
    }
    active = rowAfterEdit(choice, state !== before.state || outDir !== before.outDir);
  }
}

async function outDirProblem(text: string, checkpoint: string): Promise<string | undefined> {
  if (!text.trim()) return 'A folder path is needed';
  try {
    await assertWritableOutDir(resolve(text.trim()), checkpoint);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function pickRow(title: string, state: FormState, outDir: string, active: RowId): Promise<RowId | undefined> {
  const items: RowItem[] = [
    { id: 'start', label: '$(play) Start training', description: summary(state), detail: `Writes the best epoch to ${vscode.workspace.asRelativePath(outDir)}`, alwaysShow: true },
    { label: 'Settings — choose one to change it', kind: vscode.QuickPickItemKind.Separator },
    ...formRows(state).map((r): RowItem => ({ id: r.field, label: `$(${ICONS[r.field]}) ${r.label}`, description: r.value, detail: r.detail })),
    { id: 'outDir', label: '$(folder) Output folder', description: vscode.workspace.asRelativePath(outDir), detail: 'A new folder beside the source; the source checkpoint is never written.' },
  ];
  return new Promise((done) => {
    const qp = vscode.window.createQuickPick<RowItem>();
    qp.title = title;
    qp.placeholder = 'Enter starts training with these settings; choose a row to change it';
    qp.items = items;
    qp.matchOnDescription = true;
    qp.activeItems = items.filter((i) => i.id === active);
    let result: RowId | undefined;
    qp.onDidAccept(() => {
      result = qp.selectedItems[0]?.id ?? qp.activeItems[0]?.id;
      qp.hide();
    });
    qp.onDidHide(() => {
      qp.dispose();
      done(result);
    });
    qp.show();
  });
}

async function pickTrain(title: string, state: FormState): Promise<TrainWhat | undefined> {
  if (state.headOnlyReason) {
    await vscode.window.showQuickPick([{ label: '$(target) Projection head only', detail: `Fixed: ${state.headOnlyReason}.` }], { title: `${title}: what to train` });
    return 'head';
  }
  const current = state.settings.train;
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'End to end', value: 'all' as const, detail: 'Every layer with weights is trained.', picked: current === 'all' },
      { label: 'Last N layers…', value: 'last' as const, detail: 'Only the last N layers with weights; the rest stay as they are (faster, keeps early features).', picked: typeof current === 'object' },
      { label: 'Projection head only', value: 'head' as const, detail: 'A new linear head on the frozen embedding; the backbone runs once, so this is the fastest.', picked: current === 'head' },
    ],
    { title: `${title}: what to train` },
  );
  if (!choice) return undefined;
  if (choice.value !== 'last') return choice.value;
  const v = await vscode.window.showInputBox({
    title: `${title}: how many layers`,
    prompt: 'How many of the last layers with weights to train',
    value: typeof current === 'object' ? String(current.lastLayers) : '2',
    validateInput: (t) => {
      const r = parseLastLayers(t);
      return r.ok ? undefined : r.error;
    },
  });
  if (v === undefined) return undefined;
  const r = parseLastLayers(v);
  return r.ok ? { lastLayers: r.value } : undefined;
}

async function pickValidation(title: string, state: FormState): Promise<FormState | undefined> {
  const s = state.settings;
  const choice = await vscode.window.showQuickPick(
    [
      { label: 'Held-out classes…', value: 'class-disjoint' as const, detail: 'Validate on classes training never sees (the retrieval benchmarks\' protocol).' },
      { label: "The dataset's own split", value: 'split' as const, detail: "Train on the manifest's train rows and validate on its val/test rows (or the SOP / In-Shop lists)." },
    ],
    { title: `${title}: validation` },
  );
  if (!choice) return undefined;
  if (choice.value === 'split') return applyValidation(state, 'split');
  const v = await vscode.window.showInputBox({
    title: `${title}: held-out classes`,
    prompt: 'Share of the classes held out for validation',
    value: `${Number((s.valFraction * 100).toPrecision(6))}%`,
    validateInput: (t) => {
      const r = parseValFraction(t);
      return r.ok ? undefined : r.error;
    },
  });
  if (v === undefined) return undefined;
  const r = parseValFraction(v);
  return r.ok ? applyValidation(state, 'class-disjoint', r.value) : undefined;
}

// ───────────────────────── training ─────────────────────────

interface TrainJob {
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

async function train(context: vscode.ExtensionContext, job: TrainJob): Promise<FineTuneResult | undefined> {
  const { checkpoint, dataset, settings: s, outDir } = job;
  const panel = TrainingPanel.create(context, {
    checkpoint, dataset, outDir, checkpointKind: job.kind, settings: s, backendSetting: job.backend,
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
            log.info(`  epoch ${e.epoch}: map@r ${e.val.mapAtR.toFixed(4)}, recall@1 ${e.val.recallAt1.toFixed(4)}${e.loss ? `, mean loss ${e.loss.total.toFixed(4)}` : ' (before training)'} (${e.seconds.toFixed(1)} s)`);
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
    panel.finish({ status, outDir: result.outDir, best: result.best, backend: result.backend, ...(result.error ? { message: result.error } : {}) });
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
    shown = vscode.window.showWarningMessage(`Embedding Lens: fine-tune of ${name} cancelled — the best epoch so far (${result.best.epoch}) is kept in ${result.outDir}`, COMPARE, REVEAL);
  } else if (result.error) {
    log.error(`Fine-tune stopped: ${result.error}; ${best} kept in ${result.outDir}`);
    shown = vscode.window.showErrorMessage(`Embedding Lens: fine-tune of ${name} stopped: ${result.error} — the best epoch so far (${result.best.epoch}) is kept in ${result.outDir}`, COMPARE, REVEAL);
  } else {
    log.info(`Fine-tune finished on ${result.backend}: ${best}, written to ${result.outDir}`);
    shown = vscode.window.showInformationMessage(`Embedding Lens: fine-tuned ${name} — ${best} — written to ${result.outDir}`, COMPARE, REVEAL);
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

  /** The file that stands for the new checkpoint: model.json, or the backbone of a chained head. */
  newCheckpoint(): string {
    try {
      const side = JSON.parse(readFileSync(join(this.outDir, SIDECAR), 'utf8')) as { head?: { backbone?: unknown } };
      if (typeof side.head?.backbone === 'string') return join(this.outDir, side.head.backbone);
    } catch {
      // No readable sidecar: a plain tfjs checkpoint folder.
    }
    return join(this.outDir, 'model.json');
  }

  compare(): void {
    const a = vscode.Uri.file(this.source);
    const b = vscode.Uri.file(this.newCheckpoint());
    // The dataset picker offers the one trained on first; on it the comparison scores the classes
    // training never saw, on another dataset (the sample's dataset-held-out) every class it never saw.
    void vscode.commands.executeCommand('embeddingLens.compare', a, [a, b]).then(undefined, (err: unknown) => fail(err));
  }

  reveal(): void {
    const target = vscode.Uri.file(this.newCheckpoint());
    // Inside the workspace the explorer can show it (also in a remote window); elsewhere the OS file manager.
    const command = vscode.workspace.getWorkspaceFolder(target) ? 'revealInExplorer' : 'revealFileInOS';
    void vscode.commands.executeCommand(command, target).then(undefined, (err: unknown) => fail(err));
  }
}
