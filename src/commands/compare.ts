import * as vscode from 'vscode';
import { statOrUndefined } from '../core/util/paths';
import { dirname } from 'node:path';
import { detectCheckpointKind, isPrecomputedKind, resolveCheckpointPath } from '../core/checkpoint';
import { runComparison, scopeHeadline, type ComparisonRun, type ItemsChoice } from '../core/compare';
import { isCancelled } from '../core/errors';
import { distinguishingNames } from '../core/util/displayName';
import { cacheDir } from '../host/cacheDir';
import { ComparePanel } from '../host/comparePanel';
import { log } from '../host/log';
import { panelError } from '../host/panelError';
import { pickDataset, pickTwoCheckpoints, rememberDataset } from '../host/pickers';
import { withEngineProgress } from '../host/progress';
import { readSettings } from '../host/settings';
import { logFailure } from './logFailure';

/** Programmatic options (tests, other commands): skip the dataset pickers. */
export interface CompareArgs {
  dataset?: vscode.Uri | string;
  /** B's own dataset when it differs in form (e.g. the labels file of a .npy B). */
  datasetB?: vscode.Uri | string;
  /** Items in each of the most-worse / most-better lists. */
  listSize?: number;
}

const asUri = (v: unknown): vscode.Uri | undefined =>
  typeof v === 'string' ? vscode.Uri.file(v) : v instanceof vscode.Uri ? v : undefined;

/**
 * Explorer (two checkpoints selected) → Compare Embeddings, or the palette (pick both): one
 * dataset for both, a panel that shows progress while A then B are inspected (embeddings and
 * layouts from the cache when present), then the two linked maps and the deltas. Returns the run
 * (undefined when the user backed out of a picker or the comparison failed).
 */
export async function run(
  context: vscode.ExtensionContext,
  arg?: unknown,
  all?: unknown,
  extra?: unknown,
): Promise<ComparisonRun | undefined> {
  const pair = await pickTwoCheckpoints(context, arg, all);
  if (!pair) return undefined;
  const [a, b] = pair;
  const args = (extra ?? {}) as CompareArgs;
  let dataset = asUri(args.dataset);
  if (dataset) await rememberDataset(context, a, dataset);
  else {
    // A labels file is what a .npy A usually comes with; a model (or a .npy beside it) reads the
    // image folder, whose rows a .npy B must follow — one dataset for both, as the engine expects.
    dataset = await pickDataset(context, a, await isPrecomputed(a.fsPath));
    if (!dataset) return undefined;
  }
  const datasetB = asUri(args.datasetB);
  if (datasetB) await rememberDataset(context, b, datasetB);
  return compareInPanel(context, a.fsPath, b.fsPath, dataset.fsPath, datasetB?.fsPath, args.listSize);
}

async function isPrecomputed(checkpoint: string): Promise<boolean> {
  try {
    return isPrecomputedKind(await detectCheckpointKind(resolveCheckpointPath(checkpoint)));
  } catch {
    return false;
  }
}

/**
 * Runs the comparison into a new panel under a cancellable progress notification. After a
 * fine-tune it scores the held-out classes first (`items`); the panel's toggle runs the other
 * choice into the same panel (embeddings from the cache), and each choice is computed once.
 */
export async function compareInPanel(
  context: vscode.ExtensionContext,
  checkpointA: string,
  checkpointB: string,
  dataset: string,
  datasetB?: string,
  listSize?: number,
  existing?: vscode.WebviewPanel,
  items: ItemsChoice = 'held-out',
): Promise<ComparisonRun | undefined> {
  const title = distinguishingNames([checkpointA, checkpointB]).join(' vs ');
  const roots = [dataset, datasetB].filter((d): d is string => !!d).map((d) => (statOrUndefined(d)?.isDirectory() ? d : dirname(d)));
  const panel = existing ? new ComparePanel(context, existing, title) : ComparePanel.create(context, title, roots);
  const done = new Map<ItemsChoice, Extract<ComparisonRun, { cancelled: false }>>();
  let running = false;
  const runChoice = async (choice: ItemsChoice): Promise<ComparisonRun | undefined> => {
    running = true;
    try {
      const result = await compareOnce(context, panel, title, { checkpointA, checkpointB, dataset, datasetB, listSize, items: choice });
      if (result && !result.cancelled) done.set(choice, result);
      return result;
    } finally {
      running = false;
    }
  };
  panel.onItems((choice) => {
    // One run at a time: the webview disables the toggle while one runs, this guards a stale click.
    if (running) return;
    const kept = done.get(choice);
    if (kept) {
      log.info(`Compare: showing ${choice === 'all' ? 'every item' : 'the held-out classes'} again (computed before)`);
      void panel.show(kept.data);
    } else void runChoice(choice);
  });
  return runChoice(items);
}

interface CompareJob {
  checkpointA: string;
  checkpointB: string;
  dataset: string;
  datasetB?: string;
  listSize?: number;
  items: ItemsChoice;
}

async function compareOnce(
  context: vscode.ExtensionContext,
  panel: ComparePanel,
  title: string,
  job: CompareJob,
): Promise<ComparisonRun | undefined> {
  const { checkpointA, checkpointB, dataset, datasetB, listSize, items } = job;
  const settings = readSettings();
  const cache = await cacheDir(context);
  log.info(
    `Compare A ${checkpointA} with B ${checkpointB} on ${dataset}${datasetB ? ` (B on ${datasetB})` : ''} — backend ${settings.backend}, distance ${settings.distance}, k ${settings.neighborsK}, cache ${cache}`,
  );
  const started = Date.now();
  try {
    const result = await withEngineProgress(`Embedding Lens: comparing ${title}`, async (signal, report) => {
      const controller = new AbortController();
      signal.addEventListener('abort', () => controller.abort(), { once: true });
      const stopFromPanel = panel.onCancel(() => controller.abort());
      try {
        return await runComparison(
          { checkpointA, checkpointB, dataset, datasetB, settings, cacheDir: cache, listSize, items },
          {
            patch: (side, stage, patch) => {
              log.info(`  ${side.toUpperCase()}: ${stage} done (${patch.timings?.at(-1)?.ms ?? '?'} ms)`);
              for (const s of patch.skipped ?? []) log.warn(`  ${side.toUpperCase()}: skipped ${s.path}: ${s.reason}`);
              panel.sideStage(side, stage, patch);
            },
            progress: (p) => {
              report(p);
              panel.progress(p.stage, p.done, p.total, p.message);
            },
          },
          { signal: controller.signal },
        );
      } finally {
        stopFromPanel.dispose();
      }
    });
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    if (result.cancelled) {
      log.info(`Comparison cancelled after ${secs} s`);
      panel.error('Cancelled before the comparison was complete.');
      panel.done();
      void vscode.window.showInformationMessage('Embedding Lens: comparison cancelled.');
      return result;
    }
    await panel.show(result.data);
    panel.done();
    for (const d of result.data.headline)
      log.info(`  ${d.key}: A ${d.a.toFixed(4)}  B ${d.b.toFixed(4)}  Δ ${d.delta >= 0 ? '+' : ''}${d.delta.toFixed(4)}`);
    log.info(`  mean Jaccard@${result.data.k}: ${result.data.meanJaccard.toFixed(4)} (items matched by ${result.match.by})`);
    const scope = result.data.scope;
    if (scope) {
      log.info(`  ${scopeHeadline(scope)}${scope.fallback ? ` (${scope.fallback})` : ''}`);
      if (scope.warning) log.warn(`  ${scope.warning}`);
    }
    log.info(`Comparison finished in ${secs} s`);
    return result;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    logFailure('Comparison failed', err);
    const banner = panelError(err);
    panel.error(banner.message, banner.file);
    panel.done();
    if (!isCancelled(err)) void vscode.window.showErrorMessage(`Embedding Lens: ${message}`, 'Show Log').then((c) => c && log.show());
    return undefined;
  }
}
