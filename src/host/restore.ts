import * as vscode from 'vscode';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { validateViewState } from '../protocol';
import { INSPECTION_VIEW_TYPE, resourceRoots } from './inspectionPanel';
import { log } from './log';

/**
 * Re-opens inspection panels after a window reload. The webview's saved view state names what was
 * inspected; the inspection re-runs from the embeddings and layout caches (about a second), and the
 * restored webview re-applies its own view state (tab, selection, zoom) when it says ready.
 */
export function registerPanelRestore(
  context: vscode.ExtensionContext,
  inspect: (checkpoint: string, dataset: string | undefined, panel: vscode.WebviewPanel) => Promise<unknown>,
): vscode.Disposable {
  return vscode.window.registerWebviewPanelSerializer(INSPECTION_VIEW_TYPE, {
    async deserializeWebviewPanel(panel: vscode.WebviewPanel, raw: unknown) {
      let source: { checkpoint: string; dataset: string } | undefined;
      try {
        source = raw === undefined || raw === null ? undefined : validateViewState(raw).source;
      } catch (err) {
        log.warn(`Could not restore an Embedding Lens panel: ${(err as Error).message}`);
      }
      if (!source || !existsSync(source.checkpoint)) {
        panel.webview.html = `<!DOCTYPE html><html><body style="font-family: var(--vscode-font-family); padding: 1em">This Embedding Lens panel could not be restored: ${source ? 'its checkpoint no longer exists' : 'it did not record what it showed'}. Close it and run <b>Inspect Embeddings</b> again.</body></html>`;
        return;
      }
      const dataset = source.dataset || undefined;
      const root = dataset && existsSync(dataset) ? (statSync(dataset).isDirectory() ? dataset : dirname(dataset)) : undefined;
      panel.webview.options = { enableScripts: true, localResourceRoots: resourceRoots(context, root ? [root] : []) };
      log.info(`Restoring the inspection of ${source.checkpoint} after a reload`);
      await inspect(source.checkpoint, dataset, panel);
    },
  });
}
