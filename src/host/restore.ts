import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { validateViewState, type PanelViewState } from '../protocol';
import { COMPARE_VIEW_TYPE } from './comparePanel';
import { INSPECTION_VIEW_TYPE, resourceRoots } from './inspectionPanel';
import { log } from './log';
import { messagePage } from '../core/report/panelHtml';

/**
 * Re-opens inspection and comparison panels after a window reload. The webview's saved view state
 * names what was shown; the work re-runs from the embeddings and layout caches (about a second per
 * side), and the restored webview re-applies its own view state (tab, selection, zoom) when ready.
 */
export interface RestoreHandlers {
  inspect(checkpoint: string, dataset: string | undefined, panel: vscode.WebviewPanel): Promise<unknown>;
  compare(a: string, b: string, dataset: string, datasetB: string | undefined, panel: vscode.WebviewPanel): Promise<unknown>;
}

export function registerPanelRestore(context: vscode.ExtensionContext, handlers: RestoreHandlers): vscode.Disposable {
  const readState = (raw: unknown): PanelViewState | undefined => {
    try {
      return raw === undefined || raw === null ? undefined : validateViewState(raw);
    } catch (err) {
      log.warn(`Could not restore an Embedding Lens panel: ${(err as Error).message}`);
      return undefined;
    }
  };
  const cannot = (panel: vscode.WebviewPanel, why: string, command: string) => {
    panel.webview.html = messagePage('Embedding Lens', `This Embedding Lens panel could not be restored: ${why}. Close it and run "${command}" again.`);
  };
  const prepare = (panel: vscode.WebviewPanel, datasets: (string | undefined)[]) => {
    const roots = datasets.filter((d): d is string => !!d && existsSync(d)).map((d) => (statSync(d).isDirectory() ? d : dirname(d)));
    panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(context, roots) };
  };
  return vscode.Disposable.from(
    vscode.window.registerWebviewPanelSerializer(INSPECTION_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown) {
        const source = readState(raw)?.source;
        if (!source || !existsSync(source.checkpoint)) return cannot(panel, source ? 'its checkpoint no longer exists' : 'it did not record what it showed', 'Inspect Embeddings');
        const dataset = source.dataset || undefined;
        prepare(panel, [dataset]);
        log.info(`Restoring the inspection of ${source.checkpoint} after a reload`);
        await handlers.inspect(source.checkpoint, dataset, panel);
      },
    }),
    vscode.window.registerWebviewPanelSerializer(COMPARE_VIEW_TYPE, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown) {
        const state = readState(raw);
        const a = state?.source;
        const b = state?.sourceB;
        if (!a || !b) return cannot(panel, 'it did not record what it compared', 'Compare Embeddings');
        if (!existsSync(a.checkpoint) || !existsSync(b.checkpoint)) return cannot(panel, 'a checkpoint no longer exists', 'Compare Embeddings');
        const datasetB = b.dataset && b.dataset !== a.dataset ? b.dataset : undefined;
        prepare(panel, [a.dataset, datasetB]);
        log.info(`Restoring the comparison of ${a.checkpoint} with ${b.checkpoint} after a reload`);
        await handlers.compare(a.checkpoint, b.checkpoint, a.dataset, datasetB, panel);
      },
    }),
  );
}
