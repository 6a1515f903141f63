import * as vscode from 'vscode';
import { statOrUndefined } from '../core/util/paths';
import { dirname } from 'node:path';
import { resumeUmap, runInspection, type InspectionInput, type InspectionRun, type InspectionSink } from '../core/inspect/pipeline';
import { isCancelled } from '../core/errors';
import type { Progress } from '../core/types';
import { displayName } from '../core/util/displayName';
import { detectCheckpointKind, isPrecomputedKind, resolveCheckpointPath, type OutputChoice } from '../core/checkpoint';
import type { InspectionData } from '../protocol';
import { cacheDir } from '../host/cacheDir';
import { InspectionPanel } from '../host/inspectionPanel';
import { log } from '../host/log';
import { panelError } from '../host/panelError';
import { pickCheckpoint, pickDataset, rememberDataset } from '../host/pickers';
import { withEngineProgress } from '../host/progress';
import { readSettings } from '../host/settings';
import { offerGpuIfUseful } from '../host/gpu';
import { offerOutputChoice } from './chooseOutput';
import { datasetIsUsable } from './checkDataset';
import { logFailure } from './logFailure';

/** Programmatic options (tests, other commands): skip the pickers. */
export interface InspectArgs {
  dataset?: vscode.Uri | string;
  /** Cancels like the notification's Cancel button (tests, other commands). */
  signal?: AbortSignal;
  /** Called as each stage reaches the panel. */
  onStage?: (stage: string) => void;
}

/**
 * Explorer → Inspect Embeddings (or the palette): checkpoint + dataset → a panel that opens at once
 * and fills in stage by stage. Returns the run (undefined when the user backed out of a picker).
 */
export async function run(context: vscode.ExtensionContext, arg?: unknown, extra?: unknown): Promise<InspectionRun | undefined> {
  const checkpoint = await pickCheckpoint(context, arg);
  if (!checkpoint) return undefined;
  const given = (extra as InspectArgs | undefined)?.dataset;
  let dataset: vscode.Uri | undefined =
    typeof given === 'string' ? vscode.Uri.file(given) : given instanceof vscode.Uri ? given : undefined;
  if (dataset) await rememberDataset(context, checkpoint, dataset);
  else {
    dataset = await pickDataset(context, checkpoint, await wantsLabelsFile(checkpoint.fsPath));
    if (!dataset) return undefined;
  }
  const args = extra as InspectArgs | undefined;
  // Checked before the panel opens: a dataset the user got wrong must not leave a panel waiting.
  const again = () => vscode.commands.executeCommand('embeddingLens.inspect', checkpoint);
  if (!(await datasetIsUsable(context, checkpoint, dataset.fsPath, 'Inspection', again))) return undefined;
  return inspectInPanel(context, checkpoint.fsPath, dataset.fsPath, undefined, args?.signal, args?.onStage);
}

async function wantsLabelsFile(checkpoint: string): Promise<boolean> {
  try {
    return isPrecomputedKind(await detectCheckpointKind(resolveCheckpointPath(checkpoint)));
  } catch {
    return false;
  }
}

/** Runs the pipeline into a new panel under a cancellable progress notification. */
export async function inspectInPanel(
  context: vscode.ExtensionContext,
  checkpoint: string,
  dataset: string | undefined,
  existing?: vscode.WebviewPanel,
  cancel?: AbortSignal,
  onStage?: (stage: string) => void,
  output?: OutputChoice,
): Promise<InspectionRun | undefined> {
  const settings = readSettings();
  const initial: InspectionData = { title: titleOf(checkpoint, dataset), source: { checkpoint, dataset: dataset ?? '' } };
  const roots = dataset ? [statOrUndefined(dataset)?.isDirectory() ? dataset : dirname(dataset)] : [];
  const panel = existing ? new InspectionPanel(context, existing, initial) : InspectionPanel.create(context, initial, roots);
  const cache = await cacheDir(context);
  log.info(
    `Inspect ${checkpoint} on ${dataset ?? '(no dataset)'} — backend ${settings.backend}, distance ${settings.distance}, cache ${cache}`,
  );
  const started = Date.now();
  // A restored panel shows a cancelled UMAP as the user left it (partial, with Resume); a new
  // inspection continues it.
  const input: InspectionInput = {
    checkpoint,
    dataset,
    settings,
    cacheDir: cache,
    stoppedUmap: existing ? 'show' : 'resume',
    ...(output ? { output } : {}),
  };
  try {
    const result = await withEngineProgress(`Embedding Lens: inspecting ${initial.title}`, (signal, report) =>
      cancellable(panel, signal, cancel, (ctl) => runInspection(input, panelSink(panel, report, onStage), ctl)),
    );
    if (result.embeddings)
      panel.setEngine({ embeddings: result.embeddings, normalize: settings.distance === 'cosine', checkpoint, backend: settings.backend });
    for (const note of result.data.notes ?? []) log.info(`  note: ${note}`);
    for (const detail of result.data.details ?? []) log.info(`  detail: ${detail}`);
    // An ONNX model that ran on the CPU on a machine with an NVIDIA driver: offer the GPU runtime (issue #18).
    if (result.data.backend === 'onnxruntime-cpu') void offerGpuIfUseful();
    offerResume(panel, result, input, initial.title);
    const model = result.embedding?.model;
    if (model?.outputCandidates && !result.cancelled)
      offerOutputChoice(panel, { checkpoint, dataset, candidates: model.outputCandidates, used: model.outputName });
    panel.done();
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (result.cancelled) {
      log.info(`Inspection cancelled after ${secs} s; the panel keeps what was done`);
      void vscode.window.showInformationMessage('Embedding Lens: inspection cancelled — the panel shows what was finished.');
    } else log.info(`Inspection finished in ${secs} s`);
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logFailure('Inspection failed', err);
    const banner = panelError(err);
    panel.error(banner.message, banner.file);
    panel.done();
    if (!isCancelled(err)) void vscode.window.showErrorMessage(`Embedding Lens: ${message}`, 'Show Log').then((c) => c && log.show());
    return undefined;
  }
}

/** What the pipeline hands over goes to the panel (and the log, and the progress notification). */
function panelSink(panel: InspectionPanel, report: (p: Progress) => void, onStage?: (stage: string) => void): InspectionSink {
  return {
    patch: (stage, patch) => {
      log.info(`  ${stage} done (${patch.timings?.at(-1)?.ms ?? '?'} ms)`);
      if (stage === 'embed' && patch.backend) log.info(`  backend: ${patch.backend}`);
      for (const s of patch.skipped ?? []) log.warn(`  skipped ${s.path}: ${s.reason}`);
      panel.patch(stage, patch);
      onStage?.(stage);
    },
    frame: (xy, epoch, epochs) => panel.frame(xy, epoch, epochs),
    progress: (p) => {
      report(p);
      panel.progress(p.stage, p.done, p.total, p.message);
    },
  };
}

/** Runs `work` with one signal that the notification's Cancel, the caller's signal and the panel's Cancel button all fire. */
async function cancellable<T>(
  panel: InspectionPanel,
  signal: AbortSignal,
  cancel: AbortSignal | undefined,
  work: (ctl: { signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  signal.addEventListener('abort', () => controller.abort(), { once: true });
  cancel?.addEventListener('abort', () => controller.abort(), { once: true });
  const stopFromPanel = panel.onCancel(() => controller.abort());
  try {
    return await work({ signal: controller.signal });
  } finally {
    stopFromPanel.dispose();
  }
}

/**
 * The panel's Resume (shown while its map is a stopped UMAP's partial layout) continues that run
 * where it stopped, under a cancellable notification like the inspection's.
 */
function offerResume(panel: InspectionPanel, run: InspectionRun, input: InspectionInput, title: string): void {
  panel.onResume(async () => {
    if (!run.data.layout?.umapPartial) return;
    const { epoch, epochs } = run.data.layout.umapPartial;
    log.info(`Resuming the UMAP of ${title} at epoch ${epoch} of ${epochs}`);
    try {
      await withEngineProgress(`Embedding Lens: resuming the UMAP of ${title}`, (signal, report) =>
        cancellable(panel, signal, undefined, (ctl) => resumeUmap(run, input, panelSink(panel, report), ctl)),
      );
      const left = run.data.layout?.umapPartial;
      log.info(left ? `UMAP stopped again at epoch ${left.epoch} of ${left.epochs}` : 'UMAP finished');
    } catch (err) {
      logFailure('Resuming the UMAP failed', err);
      const banner = panelError(err);
      panel.error(banner.message, banner.file);
    } finally {
      panel.done();
    }
  });
}

function titleOf(checkpoint: string, dataset: string | undefined): string {
  const ck = displayName(checkpoint);
  const ds = dataset ? displayName(dataset) : undefined;
  return ds ? `${ck} · ${ds}` : ck;
}
