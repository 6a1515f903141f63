import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { validateCompareViewState, validateInspectionViewState, validateTrainingViewState } from '../protocol';
import { FINE_TUNE_FILE } from '../core/train/checkpointWriter';
import { messagePage } from '../core/report/panelHtml';
import { COMPARE_VIEW_TYPE } from './comparePanel';
import { INSPECTION_VIEW_TYPE } from './inspectionPanel';
import { resourceRoots } from './lensPanel';
import { log } from './log';
import { TRAINING_VIEW_TYPE, TrainingPanel } from './trainingPanel';

/**
 * Re-opens the panels after a window reload. Each webview's saved state (validated as its own
 * kind: it is untrusted) names what was shown. Inspections and comparisons re-run from the
 * embeddings and layout caches (about a second per side) and the restored webview re-applies its
 * own view state (tab, selection, zoom) when ready. A fine-tune panel shows its run again when this
 * extension host still holds it, else says where the run's output is. A panel that cannot come back
 * says why, on a page with the same CSP as every panel.
 */
export interface RestoreHandlers {
  inspect(checkpoint: string, dataset: string | undefined, panel: vscode.WebviewPanel): Promise<unknown>;
  compare(a: string, b: string, dataset: string, datasetB: string | undefined, panel: vscode.WebviewPanel): Promise<unknown>;
}

/** What VS Code runs per view type to bring a panel back: (panel, its saved state). */
export type PanelRestorers = Record<string, (panel: vscode.WebviewPanel, raw: unknown) => Promise<void>>;

export function panelRestorers(context: vscode.ExtensionContext, handlers: RestoreHandlers): PanelRestorers {
  const readState = <S>(raw: unknown, validate: (v: unknown) => S): S | undefined => {
    try {
      return raw === undefined || raw === null ? undefined : validate(raw);
    } catch (err) {
      log.warn(`Could not restore an Embedding Lens panel: ${(err as Error).message}`);
      return undefined;
    }
  };
  const say = (panel: vscode.WebviewPanel, text: string) => {
    panel.webview.options = { enableScripts: false };
    panel.webview.html = messagePage('Embedding Lens', text);
  };
  const cannot = (panel: vscode.WebviewPanel, why: string, command: string) =>
    say(panel, `This Embedding Lens panel could not be restored: ${why}. Close it and run "${command}" again.`);
  const prepare = (panel: vscode.WebviewPanel, datasets: (string | undefined)[]) => {
    const roots = datasets.filter((d): d is string => !!d && existsSync(d)).map((d) => (statSync(d).isDirectory() ? d : dirname(d)));
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(context, roots) };
  };
  return {
    [INSPECTION_VIEW_TYPE]: async (panel, raw) => {
      const source = readState(raw, validateInspectionViewState)?.source;
      if (!source || !existsSync(source.checkpoint))
        return cannot(panel, source ? 'its checkpoint no longer exists' : 'it did not record what it showed', 'Inspect Embeddings');
      const dataset = source.dataset || undefined;
      prepare(panel, [dataset]);
      log.info(`Restoring the inspection of ${source.checkpoint} after a reload`);
      await handlers.inspect(source.checkpoint, dataset, panel);
    },
    [COMPARE_VIEW_TYPE]: async (panel, raw) => {
      const state = readState(raw, validateCompareViewState);
      const a = state?.source;
      const b = state?.sourceB;
      if (!a || !b) return cannot(panel, 'it did not record what it compared', 'Compare Embeddings');
      if (!existsSync(a.checkpoint) || !existsSync(b.checkpoint))
        return cannot(panel, 'a checkpoint no longer exists', 'Compare Embeddings');
      const datasetB = b.dataset && b.dataset !== a.dataset ? b.dataset : undefined;
      prepare(panel, [a.dataset, datasetB]);
      log.info(`Restoring the comparison of ${a.checkpoint} with ${b.checkpoint} after a reload`);
      await handlers.compare(a.checkpoint, b.checkpoint, a.dataset, datasetB, panel);
    },
    [TRAINING_VIEW_TYPE]: async (panel, raw) => {
      const state = readState(raw, validateTrainingViewState);
      if (!state) return cannot(panel, 'it did not record which run it showed', 'Fine-tune with EET Loss');
      prepare(panel, []);
      if (TrainingPanel.restore(context, panel, state.outDir)) {
        log.info(`Restored the fine-tune panel of ${state.outDir}`);
        return;
      }
      // The window was reloaded, so the extension host restarted and the run's numbers went with it.
      const written = existsSync(join(state.outDir, FINE_TUNE_FILE));
      say(
        panel,
        written
          ? `This fine-tune of ${state.checkpoint} ran before the window was reloaded. Its output folder is ${state.outDir}: the best epoch is kept there with its fine-tune.json (the epochs and settings).`
          : `This fine-tune of ${state.checkpoint} ran before the window was reloaded and wrote nothing to its output folder ${state.outDir}.`,
      );
    },
  };
}

export function registerPanelRestore(
  context: vscode.ExtensionContext,
  handlers: RestoreHandlers,
): { disposable: vscode.Disposable; restorers: PanelRestorers } {
  const restorers = panelRestorers(context, handlers);
  const disposable = vscode.Disposable.from(
    ...Object.entries(restorers).map(([viewType, restore]) =>
      vscode.window.registerWebviewPanelSerializer(viewType, { deserializeWebviewPanel: (panel, raw) => restore(panel, raw) }),
    ),
  );
  return { disposable, restorers };
}
